package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestRouting(t *testing.T) {
	th := newTestHandler(t, Options{}, nil)
	tests := []struct {
		name       string
		method     string
		target     string
		body       string
		wantStatus int
		wantType   string
		wantBody   string
	}{
		{"healthcheck", "GET", "/api/v0/node/healthcheck?checkIpfs=false", "", 200, typeHTML, "Alive!"},
		{"mixed case static segments", "GET", "/API/V0/Node/HealthCheck?checkIpfs=false", "", 200, typeHTML, "Alive!"},
		{"trailing slash", "GET", "/api/v0/node/healthcheck/?checkIpfs=false", "", 200, typeHTML, "Alive!"},
		{"two trailing slashes", "GET", "/api/v0/node/healthcheck//", "", 404, typeJSON, `{"error":"Cannot GET /api/v0/node/healthcheck//"}`},
		{"empty segment after /api/v0", "GET", "/api/v0//node/healthcheck?checkIpfs=false", "", 200, typeHTML, "Alive!"},
		{"empty segment after a mount", "GET", "/api/v0/node//healthcheck?checkIpfs=false", "", 200, typeHTML, "Alive!"},
		{"empty segment, upper case", "GET", "/API/v0//NODE/healthcheck/?checkIpfs=false", "", 200, typeHTML, "Alive!"},
		{"two empty segments", "GET", "/api/v0///node/healthcheck", "", 404, typeJSON, `{"error":"Cannot GET /api/v0///node/healthcheck"}`},
		{"empty segment not after a mount", "GET", "/api//v0/node/healthcheck", "", 404, typeJSON, `{"error":"Cannot GET /api//v0/node/healthcheck"}`},
		{"param keeps its case", "GET", "/API/V0/TEST/ITEMS/QmYwAPJzv5CZsnA", "", 200, typeJSON, `{"id":"QmYwAPJzv5CZsnA","method":"GET"}`},
		{"param is percent-decoded", "GET", "/api/v0/test/items/ceramic%3A%2F%2Fkjz", "", 200, typeJSON, `{"id":"ceramic://kjz","method":"GET"}`},
		{"registered camel case matches any case", "GET", "/api/v0/test/items/x/camelcase", "", 200, typeJSON, `{"id":"x","method":"GET"}`},
		{"param, empty segment after nested mount", "GET", "/api/v0/test//items/Qm", "", 200, typeJSON, `{"id":"Qm","method":"GET"}`},
		{"backtracking to a param", "GET", "/api/v0/test/nested/other", "", 200, typeJSON, `{"id":"nested","method":"GET"}`},
		{"nested mount", "GET", "/api/v0/Test/Nested/Leaf/", "", 200, typeHTML, "leaf"},
		{"mount root route", "POST", "/api/v0/test", "", 201, typeJSON, `{"created":"yes"}`},
		{"mount root route, trailing slash", "POST", "/api/v0/test/", "", 201, typeJSON, `{"created":"yes"}`},
		{"PUT", "PUT", "/api/v0/test/items/a", "", 200, typeJSON, `{"id":"a","method":"PUT"}`},
		{"PATCH", "PATCH", "/api/v0/test/items/a", "", 200, typeJSON, `{"id":"a","method":"PATCH"}`},
		{"DELETE", "DELETE", "/api/v0/test/items/a", "", 200, typeJSON, `{"id":"a","method":"DELETE"}`},
		{"unknown path", "GET", "/api/v0/nope", "", 404, typeJSON, `{"error":"Cannot GET /api/v0/nope"}`},
		{"unknown path keeps case in message", "GET", "/API/V0/Nope?x=1", "", 404, typeJSON, `{"error":"Cannot GET /API/V0/Nope"}`},
		{"outside the API", "GET", "/", "", 404, typeJSON, `{"error":"Cannot GET /"}`},
		{"mount without route", "GET", "/api/v0/node", "", 404, typeJSON, `{"error":"Cannot GET /api/v0/node"}`},
		{"wrong method is 404", "POST", "/api/v0/node/healthcheck", "", 404, typeJSON, `{"error":"Cannot POST /api/v0/node/healthcheck"}`},
		{"unknown method is 404", "PROPFIND", "/api/v0/node/healthcheck", "", 404, typeJSON, `{"error":"Cannot PROPFIND /api/v0/node/healthcheck"}`},
		{"missing param", "GET", "/api/v0/test/items/", "", 404, typeJSON, `{"error":"Cannot GET /api/v0/test/items/"}`},
		{"HEAD of a GET route", "HEAD", "/api/v0/node/healthcheck?checkIpfs=false", "", 200, typeHTML, ""},
		{"HEAD of an unknown path", "HEAD", "/api/v0/nope", "", 404, typeJSON, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, th, tc.method, tc.target, tc.body, nil)
			checkResponse(t, rec, tc.wantStatus, tc.wantType, tc.wantBody)
		})
	}
}

// TestRoutingOverTheWire checks what only a real server shows: no redirect for double
// slashes (the POST stays a POST) and HEAD responses with Content-Length but no body.
func TestRoutingOverTheWire(t *testing.T) {
	th := newTestHandler(t, Options{}, nil)
	srv := httptest.NewServer(th)
	t.Cleanup(srv.Close)
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	tests := []struct {
		name        string
		method      string
		path        string
		body        string
		wantStatus  int
		wantBody    string
		wantLength  int64
		wantHandled string // method the handler saw, from the access record
	}{
		{"POST with empty segment is not redirected", "POST", "/api/v0//test/echo", `{"a":1}`, 200, `{"a":1}`, 7, "POST"},
		{"GET with empty segment is not redirected", "GET", "/api/v0//node/healthcheck?checkIpfs=false", "", 200, "Alive!", 6, "GET"},
		{"HEAD sends headers only", "HEAD", "/api/v0/node/healthcheck?checkIpfs=false", "", 200, "", 6, "HEAD"},
		{"HEAD 404", "HEAD", "/api/v0/nope", "", 404, "", int64(len(`{"error":"Cannot HEAD /api/v0/nope"}`)), "HEAD"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if loc := resp.Header.Get("Location"); loc != "" {
				t.Errorf("unexpected redirect to %q", loc)
			}
			if string(body) != tc.wantBody {
				t.Errorf("body = %q, want %q", body, tc.wantBody)
			}
			if got := resp.Header.Get("Content-Length"); got != strconv.FormatInt(tc.wantLength, 10) {
				t.Errorf("Content-Length = %q, want %d", got, tc.wantLength)
			}
			if got := th.lastRecord(t).Method; got != tc.wantHandled {
				t.Errorf("handled method = %q, want %q", got, tc.wantHandled)
			}
		})
	}
}

func TestRouterMatch(t *testing.T) {
	th := newTestHandler(t, Options{}, nil)
	tests := []struct {
		name          string
		path          string
		wantCanonical string
		wantPattern   string
		wantOK        bool
	}{
		{"exact", "/api/v0/node/healthcheck", "/api/v0/node/healthcheck", "/api/v0/node/healthcheck", true},
		{"case folded", "/Api/V0/NODE/HealthCheck", "/api/v0/node/healthcheck", "/api/v0/node/healthcheck", true},
		{"param case kept", "/api/v0/TEST/items/QmAbC", "/api/v0/test/items/QmAbC", "/api/v0/test/items/{id}", true},
		{"registered spelling restored", "/api/v0/test/items/a/CAMELCASE", "/api/v0/test/items/a/CamelCase", "/api/v0/test/items/{id}/CamelCase", true},
		{"static segment wins", "/api/v0/test/items/other", "/api/v0/test/items/other", "/api/v0/test/items/{id}", true},
		{"backtracks from static to param", "/api/v0/test/NESTED/other", "/api/v0/test/NESTED/other", "/api/v0/test/{kind}/other", true},
		{"mount root", "/api/v0/test/", "/api/v0/test", "/api/v0/test", true},
		{"not a route", "/api/v0/test/items", "", "", false},
		{"relative", "api/v0/node/healthcheck", "", "", false},
		{"empty", "", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			canonical, pattern, ok := th.routes.match(tc.path)
			if canonical != tc.wantCanonical || pattern != tc.wantPattern || ok != tc.wantOK {
				t.Errorf("match(%q) = %q, %q, %v; want %q, %q, %v", tc.path,
					canonical, pattern, ok, tc.wantCanonical, tc.wantPattern, tc.wantOK)
			}
		})
	}
}

func TestRouteRegistrationPanics(t *testing.T) {
	tests := []struct {
		name     string
		register func(g *group)
	}{
		{"regexp param", func(g *group) { g.get("/{id:[0-9]+}", nil) }},
		{"wildcard", func(g *group) { g.get("/*", nil) }},
		{"trailing slash", func(g *group) { g.get("/x/", nil) }},
		{"no leading slash", func(g *group) { g.get("x", nil) }},
		{"empty segment", func(g *group) { g.get("/a//b", nil) }},
		{"same segment in another case", func(g *group) { g.get("/getCode", nil); g.get("/getcode", nil) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("registration did not panic")
				}
			}()
			_, _ = newHandler(Options{}, &fakeBackend{}, func(rt *router) { rt.group("/x", tc.register) })
		})
	}
}
