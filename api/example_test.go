package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/goceramic/ceramic/api"
)

// offlineIPFS is a Backend whose IPFS node never answers.
type offlineIPFS struct{}

func (offlineIPFS) IPFSOnline(context.Context) error { return errors.New("ipfs: connection refused") }

func ExampleNewHandler() {
	h, err := api.NewHandler(api.Options{
		OnRequest: func(a api.AccessRecord) { fmt.Println(a.Method, a.Path, a.Status) },
	}, offlineIPFS{})
	if err != nil {
		panic(err)
	}
	for _, target := range []string{
		"/api/v0/node/healthcheck?checkIpfs=false",
		"/api/v0/node/healthcheck",
		"/api/v0/unknown",
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		fmt.Println(rec.Code, rec.Body.String())
	}
	// Output:
	// GET /healthcheck 200
	// 200 Alive!
	// GET /healthcheck 503
	// 503 IPFS unreachable
	// GET /api/v0/unknown 404
	// 404 {"error":"Cannot GET /api/v0/unknown"}
}
