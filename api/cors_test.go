package api

import (
	"net/http"
	"slices"
	"testing"
)

func TestCORS(t *testing.T) {
	const target = "/api/v0/node/healthcheck?checkIpfs=false"
	tests := []struct {
		name       string
		origins    []string
		method     string
		target     string
		header     http.Header
		wantStatus int
		wantBody   string
		want       map[string]string // header → value; "" means absent
		wantVary   []string
	}{
		{
			name: "unset origins answer *", method: "GET", target: target,
			header:     http.Header{"Origin": {"https://app.example"}},
			wantStatus: 200, wantBody: "Alive!",
			want: map[string]string{
				"Access-Control-Allow-Origin":      "*",
				"Access-Control-Allow-Credentials": "true",
				"Access-Control-Allow-Methods":     "",
			},
		},
		{
			name: "unset origins, no Origin header", method: "GET", target: target,
			wantStatus: 200, wantBody: "Alive!",
			want: map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "true"},
		},
		{
			name: "match-all pattern reflects the origin", origins: []string{".*"}, method: "GET", target: target,
			header:     http.Header{"Origin": {"https://app.example"}},
			wantStatus: 200, wantBody: "Alive!",
			want:     map[string]string{"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Allow-Credentials": "true"},
			wantVary: []string{"Origin"},
		},
		{
			name: "patterns are unanchored", origins: []string{`example\.com`}, method: "GET", target: target,
			header:     http.Header{"Origin": {"https://evil-example.com.attacker.net"}},
			wantStatus: 200, wantBody: "Alive!",
			want:     map[string]string{"Access-Control-Allow-Origin": "https://evil-example.com.attacker.net"},
			wantVary: []string{"Origin"},
		},
		{
			name: "second pattern matches", origins: []string{`^https://a\.test$`, `^https://b\.test$`}, method: "GET", target: target,
			header:     http.Header{"Origin": {"https://b.test"}},
			wantStatus: 200, wantBody: "Alive!",
			want:     map[string]string{"Access-Control-Allow-Origin": "https://b.test"},
			wantVary: []string{"Origin"},
		},
		{
			name: "no match omits the header but serves the request", origins: []string{`^https://a\.test$`}, method: "GET", target: target,
			header:     http.Header{"Origin": {"https://other.test"}},
			wantStatus: 200, wantBody: "Alive!",
			want:     map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Credentials": "true"},
			wantVary: []string{"Origin"},
		},
		{
			name: "no Origin header omits the header", origins: []string{".*"}, method: "GET", target: target,
			wantStatus: 200, wantBody: "Alive!",
			want:     map[string]string{"Access-Control-Allow-Origin": ""},
			wantVary: []string{"Origin"},
		},
		{
			name: "empty list allows no origin", origins: []string{}, method: "GET", target: target,
			header:     http.Header{"Origin": {"https://app.example"}},
			wantStatus: 200, wantBody: "Alive!",
			want:     map[string]string{"Access-Control-Allow-Origin": ""},
			wantVary: []string{"Origin"},
		},
		{
			name: "errors carry the headers", origins: []string{".*"}, method: "GET", target: "/api/v0/nope",
			header:     http.Header{"Origin": {"https://app.example"}},
			wantStatus: 404, wantBody: `{"error":"Cannot GET /api/v0/nope"}`,
			want:     map[string]string{"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Allow-Credentials": "true"},
			wantVary: []string{"Origin"},
		},
		{
			name: "preflight", origins: []string{".*"}, method: "OPTIONS", target: "/api/v0/streams",
			header: http.Header{
				"Origin":                         {"https://app.example"},
				"Access-Control-Request-Method":  {"POST"},
				"Access-Control-Request-Headers": {"content-type,x-custom"},
			},
			wantStatus: 204,
			want: map[string]string{
				"Access-Control-Allow-Origin":      "https://app.example",
				"Access-Control-Allow-Credentials": "true",
				"Access-Control-Allow-Methods":     "GET,HEAD,PUT,PATCH,POST,DELETE",
				"Access-Control-Allow-Headers":     "content-type,x-custom",
				"Access-Control-Max-Age":           "7200",
			},
			wantVary: []string{"Origin", "Access-Control-Request-Headers"},
		},
		{
			name: "preflight on any path, unset origins", method: "OPTIONS", target: "/whatever/at/all",
			wantStatus: 204,
			want: map[string]string{
				"Access-Control-Allow-Origin":      "*",
				"Access-Control-Allow-Credentials": "true",
				"Access-Control-Allow-Methods":     "GET,HEAD,PUT,PATCH,POST,DELETE",
				"Access-Control-Allow-Headers":     "",
				"Access-Control-Max-Age":           "7200",
			},
			wantVary: []string{"Access-Control-Request-Headers"},
		},
		{
			name: "preflight from a refused origin", origins: []string{`^https://a\.test$`}, method: "OPTIONS", target: "/api/v0/node/healthcheck",
			header:     http.Header{"Origin": {"https://other.test"}},
			wantStatus: 204,
			want:       map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Max-Age": "7200"},
			wantVary:   []string{"Origin", "Access-Control-Request-Headers"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			th := newTestHandler(t, Options{CORSAllowedOrigins: tc.origins}, &fakeBackend{})
			rec := do(t, th, tc.method, tc.target, "", tc.header)
			if rec.Code != tc.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tc.wantStatus)
			}
			if rec.Body.String() != tc.wantBody {
				t.Errorf("body = %q, want %q", rec.Body.String(), tc.wantBody)
			}
			for k, v := range tc.want {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if got := rec.Header().Values("Vary"); !slices.Equal(got, tc.wantVary) {
				t.Errorf("Vary = %q, want %q", got, tc.wantVary)
			}
			if tc.method == "OPTIONS" && th.backend.calls.Load() != 0 {
				t.Error("preflight reached a handler")
			}
		})
	}
}

func TestCORSInvalidPattern(t *testing.T) {
	_, err := NewHandler(Options{CORSAllowedOrigins: []string{"ok", "(unclosed"}}, &fakeBackend{})
	if err == nil {
		t.Fatal("NewHandler accepted an invalid origin pattern")
	}
}
