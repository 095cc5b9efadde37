package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/streams"
)

// jsonOfSize returns a JSON object exactly n bytes long.
func jsonOfSize(n int) string {
	const frame = `{"a":""}`
	return `{"a":"` + strings.Repeat("x", n-len(frame)) + `"}`
}

func TestDecodeJSON(t *testing.T) {
	th := newTestHandler(t, Options{}, nil)
	const target = "/api/v0/test/echo"
	tests := []struct {
		name          string
		contentType   string
		body          string
		unknownLength bool // send without Content-Length
		wantStatus    int
		wantBody      string
		wantPrefix    bool // wantBody is only a prefix
	}{
		{name: "object", contentType: "application/json", body: `{"a":[1,"<b>"]}`, wantStatus: 200, wantBody: `{"a":[1,"<b>"]}`},
		{name: "array", contentType: "application/json", body: ` [1,2] `, wantStatus: 200, wantBody: `[1,2]`},
		{name: "charset parameter", contentType: "application/json; charset=utf-8", body: `{"a":1}`, wantStatus: 200, wantBody: `{"a":1}`},
		{name: "media type case", contentType: "Application/JSON", body: `{"a":1}`, wantStatus: 200, wantBody: `{"a":1}`},
		{name: "empty body", contentType: "application/json", body: "", wantStatus: 200, wantBody: `{}`},
		{name: "blank body", contentType: "application/json", body: " \n ", wantStatus: 200, wantBody: `{}`},
		{name: "no content type", body: `{"a":1}`, wantStatus: 200, wantBody: `{}`},
		{name: "text/plain", contentType: "text/plain", body: `{"a":1}`, wantStatus: 200, wantBody: `{}`},
		{name: "form", contentType: "application/x-www-form-urlencoded", body: `a=1`, wantStatus: 200, wantBody: `{}`},
		{name: "json suffix type is not parsed", contentType: "application/ld+json", body: `{"a":1}`, wantStatus: 200, wantBody: `{}`},
		{name: "non-JSON type ignores invalid body", contentType: "text/plain", body: `{nope`, wantStatus: 200, wantBody: `{}`},
		{name: "non-JSON type ignores size", contentType: "text/plain", body: jsonOfSize(maxBodyBytes + 1), wantStatus: 200, wantBody: `{}`},
		{name: "invalid JSON", contentType: "application/json", body: `{nope}`, wantStatus: 400, wantBody: `{"error":"invalid JSON body: `, wantPrefix: true},
		{name: "truncated JSON", contentType: "application/json", body: `{"a":`, wantStatus: 400, wantBody: `{"error":"invalid JSON body: `, wantPrefix: true},
		{name: "trailing data", contentType: "application/json", body: `{}{}`, wantStatus: 400, wantBody: `{"error":"invalid JSON body: unexpected data after the JSON value"}`},
		{name: "top-level string", contentType: "application/json", body: `"a"`, wantStatus: 400, wantBody: `{"error":"invalid JSON body: top-level value must be an object or an array"}`},
		{name: "top-level number", contentType: "application/json", body: `1`, wantStatus: 400, wantBody: `{"error":"invalid JSON body: top-level value must be an object or an array"}`},
		{name: "exactly 1 MB", contentType: "application/json", body: jsonOfSize(maxBodyBytes), wantStatus: 200, wantBody: `{"a":"xxx`, wantPrefix: true},
		{name: "1 MB plus one byte", contentType: "application/json", body: jsonOfSize(maxBodyBytes + 1), wantStatus: 413, wantBody: `{"error":"request entity too large"}`},
		{name: "1 MB plus one byte, no Content-Length", contentType: "application/json", body: jsonOfSize(maxBodyBytes + 1), unknownLength: true, wantStatus: 413, wantBody: `{"error":"request entity too large"}`},
		{name: "exactly 1 MB, no Content-Length", contentType: "application/json", body: jsonOfSize(maxBodyBytes), unknownLength: true, wantStatus: 200, wantBody: `{"a":"xxx`, wantPrefix: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			if tc.unknownLength {
				req.ContentLength = -1
			}
			rec := httptest.NewRecorder()
			th.ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus {
				t.Errorf("status = %d, want %d (body %.200q)", rec.Code, tc.wantStatus, rec.Body.String())
			}
			if got := rec.Header().Get("Content-Type"); got != typeJSON {
				t.Errorf("Content-Type = %q, want %q", got, typeJSON)
			}
			got := rec.Body.String()
			if tc.wantPrefix && !strings.HasPrefix(got, tc.wantBody) || !tc.wantPrefix && got != tc.wantBody {
				t.Errorf("body = %.200q, want %q (prefix: %v)", got, tc.wantBody, tc.wantPrefix)
			}
		})
	}
}

func TestDecodeJSONIntoStruct(t *testing.T) {
	type opts struct {
		Anchor bool `json:"anchor"`
	}
	tests := []struct {
		name        string
		contentType string
		body        string
		wantErr     int // status of the *Error, 0 for none
		want        opts
	}{
		{"fields", "application/json", `{"anchor":true,"extra":1}`, 0, opts{Anchor: true}},
		{"not JSON leaves zero value", "text/plain", `{"anchor":true}`, 0, opts{}},
		{"wrong type", "application/json", `{"anchor":"yes"}`, 400, opts{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.contentType)
			var got opts
			err := decodeJSON(req, &got)
			status := 0
			if err != nil {
				status, _ = classify(err, false)
			}
			if status != tc.wantErr {
				t.Errorf("error %v maps to %d, want %d", err, status, tc.wantErr)
			}
			if tc.wantErr == 0 && got != tc.want {
				t.Errorf("decoded %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestWriteJSON(t *testing.T) {
	rec := httptest.NewRecorder()
	if err := writeJSON(rec, http.StatusTeapot, map[string]string{"a": "<&>"}); err != nil {
		t.Fatal(err)
	}
	checkResponse(t, rec, http.StatusTeapot, typeJSON, `{"a":"<&>"}`)
	if got := rec.Header().Get("Content-Length"); got != "11" {
		t.Errorf("Content-Length = %q, want 11", got)
	}

	rec = httptest.NewRecorder()
	if err := writeJSON(rec, http.StatusOK, func() {}); err == nil {
		t.Error("writeJSON accepted a value JSON cannot encode")
	}
	if rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "" {
		t.Error("writeJSON wrote a partial response on an encoding error")
	}
}

// brokenBody fails after sending part of a body.
type brokenBody struct{ sent bool }

func (b *brokenBody) Read(p []byte) (int, error) {
	if b.sent {
		return 0, io.ErrUnexpectedEOF
	}
	b.sent = true
	return copy(p, `{"a":`), nil
}

func TestDecodeJSONAborted(t *testing.T) {
	th := newTestHandler(t, Options{}, nil)
	req := httptest.NewRequest(http.MethodPost, "/api/v0/test/echo", &brokenBody{})
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = -1
	rec := httptest.NewRecorder()
	th.ServeHTTP(rec, req)
	checkResponse(t, rec, http.StatusBadRequest, typeJSON, `{"error":"request aborted"}`)
}

// TestWriteJSONKeepsHTMLCharacters: response bodies carry <, > and & as JSON.stringify
// writes them, also inside stream states (which serialize themselves), and leave other
// escapes and literal backslashes alone.
func TestWriteJSONKeepsHTMLCharacters(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"nothing to do", `{"a":"b"}`, `{"a":"b"}`},
		{"html characters", `{"a":"\u003cb\u003e \u0026"}`, `{"a":"<b> &"}`},
		{"other escapes stay", `{"a":"\u0001\n\"\u2028"}`, `{"a":"\u0001\n\"\u2028"}`},
		{"escaped backslash before u003c", `{"a":"\\u003c"}`, `{"a":"\\u003c"}`},
		{"escaped backslash then an escape", `{"a":"\\\u003c"}`, `{"a":"\\<"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tc.in), &v); err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			if err := writeJSON(rec, http.StatusOK, v); err != nil {
				t.Fatal(err)
			}
			if got := rec.Body.String(); got != tc.want {
				t.Errorf("writeJSON(%s) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
	t.Run("stream state", func(t *testing.T) {
		st := &streams.State{Type: 0, Content: map[string]any{"html": "<b> &"}, Metadata: map[string]any{},
			Log: []streams.LogEntry{{CID: cid.MustParse("bafyreib3qogvdpykzwqygktcl2nbbkdzfgbfgvx5vwrtw3lz2bsmm2wvvi")}}}
		rec := httptest.NewRecorder()
		if err := writeJSON(rec, http.StatusOK, map[string]any{"state": st}); err != nil {
			t.Fatal(err)
		}
		if body := rec.Body.String(); !strings.Contains(body, `"html":"<b> &"`) {
			t.Errorf("state body %s escapes HTML characters", body)
		}
	})
}
