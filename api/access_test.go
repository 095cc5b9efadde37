package api

import (
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestAccessRecordLogfmt(t *testing.T) {
	ts := time.Date(2024, 2, 1, 20, 43, 8, 123456789, time.FixedZone("CET", 3600))
	tests := []struct {
		name string
		rec  AccessRecord
		want string
	}{
		{
			name: "stream load",
			rec: AccessRecord{
				RequestID: "not-rendered", ClientIP: "10.0.0.5", Time: ts, Method: "GET",
				OriginalURL: "/api/v0/streams/kjzl6abc?sync=0", BaseURL: "/api/v0/streams", Path: "/kjzl6abc",
				Route: "/api/v0/streams/{streamid}", Params: []RouteParam{{"streamid", "kjzl6abc"}},
				HTTPVersion: "1.1", Status: 200, Bytes: 1534, ContentType: "application/json; charset=utf-8",
				UserAgent: "node-fetch", Elapsed: 12345678 * time.Nanosecond,
			},
			want: `ip=10.0.0.5 ts=2024-02-01T19:43:08.123Z method=GET original_url="/api/v0/streams/kjzl6abc?sync=0" base_url=/api/v0/streams path=/kjzl6abc params.streamid=kjzl6abc http_version=1.1 req_header- status=200 content_length=1534 content_type="application/json; charset=utf-8" ref=- user_agent="node-fetch" elapsed_ms=12.346 error_message="-" error_code=-`,
		},
		{
			name: "error with quoting",
			rec: AccessRecord{
				ClientIP: "::1", Time: ts, Method: "POST",
				OriginalURL: "/api/v0/x?q=a b", Path: `/x"y`,
				Params:      []RouteParam{{"a", "1"}, {"b", "two words"}},
				HTTPVersion: "2.0", Status: 500, Bytes: 30, ContentType: "application/json; charset=utf-8",
				Referer: "https://app.example/page?x=1", UserAgent: `Mozilla/5.0 "quoted"`,
				Elapsed: 250 * time.Microsecond, ErrorMessage: "line one\nline \"two\"", ErrorCode: 500,
			},
			want: `ip=::1 ts=2024-02-01T19:43:08.123Z method=POST original_url="/api/v0/x?q=a b" base_url=- path="/x\"y" params.a=1 params.b="two words" http_version=2.0 req_header- status=500 content_length=30 content_type="application/json; charset=utf-8" ref="https://app.example/page?x=1" user_agent="Mozilla/5.0 \"quoted\"" elapsed_ms=0.250 error_message="line one\nline \"two\"" error_code=500`,
		},
		{
			name: "everything missing",
			rec:  AccessRecord{},
			want: `ip=- ts=- method=- original_url=- base_url=- path=- params=- http_version=- req_header- status=- content_length=- content_type="-" ref=- user_agent="-" elapsed_ms=0.000 error_message="-" error_code=-`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.rec.Logfmt(); got != tc.want {
				t.Errorf("Logfmt()\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestAccessRecords checks the records the handler emits, one per request.
func TestAccessRecords(t *testing.T) {
	th := newTestHandler(t, Options{}, nil)
	tests := []struct {
		name   string
		method string
		target string
		header http.Header
		want   AccessRecord // Time, Elapsed and RequestID are checked separately
	}{
		{
			name: "healthcheck", method: "GET", target: "/api/v0/node/healthcheck?checkIpfs=false",
			header: http.Header{"User-Agent": {"probe/1"}, "Referer": {"https://ref.example/"}},
			want: AccessRecord{ClientIP: "192.0.2.1", Method: "GET", OriginalURL: "/api/v0/node/healthcheck?checkIpfs=false",
				BaseURL: "/api/v0/node", Path: "/healthcheck", Route: "/api/v0/node/healthcheck", HTTPVersion: "1.1",
				Status: 200, Bytes: 6, ContentType: typeHTML, Referer: "https://ref.example/", UserAgent: "probe/1"},
		},
		{
			name: "proxied, odd spelling", method: "GET", target: "/API/v0//Test/items/QmX/?a=1",
			header: http.Header{"X-Forwarded-For": {" 203.0.113.7 , 10.0.0.1", "10.0.0.2"}},
			want: AccessRecord{ClientIP: "203.0.113.7", Method: "GET", OriginalURL: "/API/v0//Test/items/QmX/?a=1",
				BaseURL: "/api/v0/test", Path: "/items/QmX", Route: "/api/v0/test/items/{id}",
				Params: []RouteParam{{"id", "QmX"}}, HTTPVersion: "1.1", Status: 200,
				Bytes: int64(len(`{"id":"QmX","method":"GET"}`)), ContentType: typeJSON},
		},
		{
			name: "HEAD counts the body it drops", method: "HEAD", target: "/api/v0/node/healthcheck?checkIpfs=false",
			want: AccessRecord{ClientIP: "192.0.2.1", Method: "HEAD", OriginalURL: "/api/v0/node/healthcheck?checkIpfs=false",
				BaseURL: "/api/v0/node", Path: "/healthcheck", Route: "/api/v0/node/healthcheck", HTTPVersion: "1.1",
				Status: 200, Bytes: 6, ContentType: typeHTML},
		},
		{
			name: "not found", method: "GET", target: "/api/v0/nope?x=1",
			want: AccessRecord{ClientIP: "192.0.2.1", Method: "GET", OriginalURL: "/api/v0/nope?x=1", Path: "/api/v0/nope",
				HTTPVersion: "1.1", Status: 404, Bytes: int64(len(`{"error":"Cannot GET /api/v0/nope"}`)), ContentType: typeJSON,
				ErrorMessage: "Cannot GET /api/v0/nope", ErrorCode: 404},
		},
		{
			name: "preflight", method: "OPTIONS", target: "/api/v0/node/healthcheck",
			want: AccessRecord{ClientIP: "192.0.2.1", Method: "OPTIONS", OriginalURL: "/api/v0/node/healthcheck",
				Path: "/api/v0/node/healthcheck", HTTPVersion: "1.1", Status: 204},
		},
		{
			name: "bad body", method: "POST", target: "/api/v0/test/echo",
			header: jsonHeader(),
			want: AccessRecord{ClientIP: "192.0.2.1", Method: "POST", OriginalURL: "/api/v0/test/echo",
				BaseURL: "/api/v0/test", Path: "/echo", Route: "/api/v0/test/echo", HTTPVersion: "1.1", Status: 400,
				Bytes: int64(len(`{"error":"invalid JSON body: unexpected data after the JSON value"}`)), ContentType: typeJSON,
				ErrorMessage: "invalid JSON body: unexpected data after the JSON value", ErrorCode: 400},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			th.mu.Lock()
			th.records = nil
			th.mu.Unlock()
			before := time.Now()
			body := ""
			if tc.method == "POST" {
				body = "{}[]"
			}
			do(t, th, tc.method, tc.target, body, tc.header)
			if n := len(th.records); n != 1 {
				t.Fatalf("%d access records, want 1", n)
			}
			got := th.records[0]
			if got.RequestID == "" {
				t.Error("empty RequestID")
			}
			if got.Time.Before(before.Add(-time.Second)) || got.Time.After(time.Now()) {
				t.Errorf("Time = %v, not around %v", got.Time, before)
			}
			if got.Elapsed < 0 || got.Elapsed > 10*time.Second {
				t.Errorf("Elapsed = %v", got.Elapsed)
			}
			got.RequestID, got.Time, got.Elapsed = "", time.Time{}, 0
			if !equalRecords(got, tc.want) {
				t.Errorf("record\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func equalRecords(a, b AccessRecord) bool {
	return slices.Equal(a.Params, b.Params) && reflect.DeepEqual(
		func() AccessRecord { a.Params = nil; return a }(),
		func() AccessRecord { b.Params = nil; return b }())
}

func TestClientIP(t *testing.T) {
	tests := []struct {
		name       string
		remoteAddr string
		xff        []string
		want       string
	}{
		{"remote address", "192.0.2.9:5555", nil, "192.0.2.9"},
		{"IPv6 remote address", "[2001:db8::1]:5555", nil, "2001:db8::1"},
		{"remote address without port", "192.0.2.9", nil, "192.0.2.9"},
		{"left-most forwarded entry", "10.0.0.1:1", []string{"203.0.113.7, 10.0.0.2"}, "203.0.113.7"},
		{"first header wins", "10.0.0.1:1", []string{"203.0.113.7", "198.51.100.1"}, "203.0.113.7"},
		{"empty forwarded entry", "10.0.0.1:1", []string{" , 10.0.0.2"}, "10.0.0.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remoteAddr
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := clientIP(r); got != tc.want {
				t.Errorf("clientIP = %q, want %q", got, tc.want)
			}
		})
	}
}
