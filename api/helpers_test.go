package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// fakeBackend stands in for the node. The real IPFS-backed healthcheck is tested in node/
// and integration/; here only the handler's logic around the Backend is under test.
type fakeBackend struct {
	calls atomic.Int32
	// online returns the result of the n-th call (1-based). nil means always online.
	online func(ctx context.Context, n int) error
}

func (f *fakeBackend) IPFSOnline(ctx context.Context) error {
	n := int(f.calls.Add(1))
	if f.online == nil {
		return nil
	}
	return f.online(ctx, n)
}

var errIPFSDown = errors.New("ipfs: connection refused")

// testRoutes registers routes that exist only in tests, under /api/v0/test.
// failWith is returned by GET /api/v0/test/fail.
func testRoutes(failWith *error) func(*router) {
	return func(rt *router) {
		rt.group("/test", func(g *group) {
			g.post("/", func(w http.ResponseWriter, r *http.Request) error {
				return writeJSON(w, http.StatusCreated, map[string]string{"created": "yes"})
			})
			g.post("/echo", func(w http.ResponseWriter, r *http.Request) error {
				var v any
				if err := decodeJSON(r, &v); err != nil {
					return err
				}
				return writeJSON(w, http.StatusOK, v)
			})
			item := func(w http.ResponseWriter, r *http.Request) error {
				return writeJSON(w, http.StatusOK, map[string]string{"method": r.Method, "id": pathParam(r, "id")})
			}
			g.get("/items/{id}", item)
			g.put("/items/{id}", item)
			g.patch("/items/{id}", item)
			g.delete("/items/{id}", item)
			g.get("/items/{id}/CamelCase", item)
			g.get("/{kind}/other", func(w http.ResponseWriter, r *http.Request) error {
				return writeJSON(w, http.StatusOK, map[string]string{"method": r.Method, "id": pathParam(r, "kind")})
			})
			g.get("/fail", func(w http.ResponseWriter, r *http.Request) error {
				return *failWith
			})
			g.get("/panic", func(w http.ResponseWriter, r *http.Request) error {
				panic("boom")
			})
			g.group("/nested", func(n *group) {
				n.get("/leaf", func(w http.ResponseWriter, r *http.Request) error {
					return writeText(w, http.StatusOK, "leaf")
				})
			})
		})
	}
}

// testHandler is a handler under test with the test routes and what it reported.
type testHandler struct {
	*handler
	backend  *fakeBackend
	failWith error

	mu      sync.Mutex
	records []AccessRecord
}

// newTestHandler builds a handler with the test routes; it records every AccessRecord.
func newTestHandler(t *testing.T, opts Options, b *fakeBackend) *testHandler {
	t.Helper()
	if b == nil {
		b = &fakeBackend{}
	}
	th := &testHandler{backend: b}
	user := opts.OnRequest
	opts.OnRequest = func(a AccessRecord) {
		th.mu.Lock()
		th.records = append(th.records, a)
		th.mu.Unlock()
		if user != nil {
			user(a)
		}
	}
	h, err := newHandler(opts, b, testRoutes(&th.failWith))
	if err != nil {
		t.Fatalf("newHandler: %v", err)
	}
	th.handler = h
	return th
}

// lastRecord returns the most recent access record.
func (th *testHandler) lastRecord(t *testing.T) AccessRecord {
	t.Helper()
	th.mu.Lock()
	defer th.mu.Unlock()
	if len(th.records) == 0 {
		t.Fatal("no access record")
	}
	return th.records[len(th.records)-1]
}

// do serves one request in-process and returns the recorded response.
func do(t *testing.T, h http.Handler, method, target, body string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// jsonHeader is a Content-Type: application/json request header.
func jsonHeader() http.Header {
	return http.Header{"Content-Type": {"application/json"}}
}

// checkResponse compares status, Content-Type and body (body is skipped when wantBody is "*").
func checkResponse(t *testing.T, rec *httptest.ResponseRecorder, wantStatus int, wantType, wantBody string) {
	t.Helper()
	if rec.Code != wantStatus {
		t.Errorf("status = %d, want %d (body %q)", rec.Code, wantStatus, rec.Body.String())
	}
	if got := rec.Header().Get("Content-Type"); got != wantType {
		t.Errorf("Content-Type = %q, want %q", got, wantType)
	}
	if wantBody != "*" && rec.Body.String() != wantBody {
		t.Errorf("body = %q, want %q", rec.Body.String(), wantBody)
	}
}

const (
	typeJSON = "application/json; charset=utf-8"
	typeHTML = "text/html; charset=utf-8"
)
