package api

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/multiformats/go-multibase"

	"github.com/goceramic/ceramic/streams"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// getCode asks the handler for an admin code.
func (hs *streamsHarness) getCode(t *testing.T) string {
	t.Helper()
	rec := hs.send(t, "GET", "/api/v0/admin/getCode", nil, nil)
	wantStatus(t, rec, http.StatusOK)
	code := decodeBody[map[string]string](t, rec)["code"]
	if !uuidV4.MatchString(code) {
		t.Fatalf("code %q is not a UUIDv4", code)
	}
	return code
}

// adminAuth returns the Authorization header of an admin request signed by s.
func adminAuth(t *testing.T, s *testSigner, code, path string) http.Header {
	t.Helper()
	return http.Header{"Authorization": {"Basic " + s.compactJWS(t, map[string]any{"code": code, "requestPath": path})}}
}

// pinnedIDs lists the pinned streams straight from the engine.
func (hs *streamsHarness) pinnedIDs(t *testing.T) []string {
	t.Helper()
	ids, err := hs.svc.Pinned(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestAdminPins(t *testing.T) {
	admin, stranger := newTestSigner(t), newTestSigner(t)
	hs := newStreamsHarness(t, Options{AdminDIDs: []string{"", admin.did}}, streams.Config{})
	st := hs.createTile(t, admin, map[string]any{"a": 1}, map[string]any{"pin": false})
	id := st.StreamID
	if pins := hs.pinnedIDs(t); len(pins) != 0 {
		t.Fatalf("pinned before the test: %v", pins)
	}

	steps := []struct {
		name       string
		method     string
		target     string
		header     func(t *testing.T) http.Header
		body       any
		wantStatus int
		wantBody   string
		wantPins   []string // pinned streams after the step
	}{
		{name: "non-admin DID cannot pin", method: "POST", target: "/api/v0/admin/pins/" + id,
			header:     func(t *testing.T) http.Header { return adminAuth(t, stranger, hs.getCode(t), adminPinsPath) },
			wantStatus: 401, wantBody: `{"error":"Unauthorized access: DID '` + stranger.kid + `' does not have admin access permission to this node"}`},
		{name: "pin", method: "POST", target: "/api/v0/admin/pins/" + id, body: map[string]any{"force": true},
			header:     func(t *testing.T) http.Header { return adminAuth(t, admin, hs.getCode(t), adminPinsPath) },
			wantStatus: 200, wantBody: `{"streamId":"` + id + `","isPinned":true}`, wantPins: []string{id}},
		{name: "list", method: "GET", target: "/api/v0/admin/pins",
			header:     func(t *testing.T) http.Header { return adminAuth(t, admin, hs.getCode(t), adminPinsPath) },
			wantStatus: 200, wantBody: `{"pinnedStreamIds":["` + id + `"]}`, wantPins: []string{id}},
		{name: "list one, mixed-case path", method: "GET", target: "/API/v0/Admin/Pins/" + id,
			header:     func(t *testing.T) http.Header { return adminAuth(t, admin, hs.getCode(t), adminPinsPath) },
			wantStatus: 200, wantBody: `{"pinnedStreamIds":["` + id + `"]}`, wantPins: []string{id}},
		{name: "non-admin DID cannot unpin", method: "DELETE", target: "/api/v0/admin/pins/" + id,
			header:     func(t *testing.T) http.Header { return adminAuth(t, stranger, hs.getCode(t), adminPinsPath) },
			wantStatus: 401, wantBody: `{"error":"Unauthorized access: DID '` + stranger.kid + `' does not have admin access permission to this node"}`, wantPins: []string{id}},
		{name: "unpin", method: "DELETE", target: "/api/v0/admin/pins/" + id, body: map[string]any{"opts": map[string]any{"publish": false}},
			header:     func(t *testing.T) http.Header { return adminAuth(t, admin, hs.getCode(t), adminPinsPath) },
			wantStatus: 200, wantBody: `{"streamId":"` + id + `","isPinned":false}`},
		{name: "list one, not pinned", method: "GET", target: "/api/v0/admin/pins/" + id,
			header:     func(t *testing.T) http.Header { return adminAuth(t, admin, hs.getCode(t), adminPinsPath) },
			wantStatus: 200, wantBody: `{"pinnedStreamIds":[]}`},
	}
	for _, tc := range steps {
		t.Run(tc.name, func(t *testing.T) {
			rec := hs.send(t, tc.method, tc.target, tc.body, tc.header(t))
			checkResponse(t, rec, tc.wantStatus, typeJSON, tc.wantBody)
			if got := hs.pinnedIDs(t); !reflect.DeepEqual(got, tc.wantPins) && !(len(got) == 0 && len(tc.wantPins) == 0) {
				t.Errorf("pinned = %v, want %v", got, tc.wantPins)
			}
		})
	}
}

func TestAdminAuthFailures(t *testing.T) {
	admin := newTestSigner(t)
	hs := newStreamsHarness(t, Options{AdminDIDs: []string{admin.did}}, streams.Config{})
	st := hs.createTile(t, admin, map[string]any{"a": 1}, map[string]any{"pin": false})
	target := "/api/v0/admin/pins/" + st.StreamID

	tests := []struct {
		name       string
		header     func(t *testing.T) http.Header
		wantStatus int
		wantError  string // exact, or a prefix ending in "…"
	}{
		{"no header", func(*testing.T) http.Header { return nil }, 401, "Missing authorization header"},
		{"not Basic", func(*testing.T) http.Header { return http.Header{"Authorization": {"Bearer abc"}} }, 400, msgBadAuthHeader},
		{"Basic without token", func(*testing.T) http.Header { return http.Header{"Authorization": {"Basic "}} }, 400, msgBadAuthHeader},
		{"not a JWS", func(*testing.T) http.Header { return http.Header{"Authorization": {"Basic abc"}} }, 401, "Error while processing the authorization header the token is not a compact JWS…"},
		{"forged signature", func(t *testing.T) http.Header {
			jws := admin.compactJWS(t, map[string]any{"code": hs.getCode(t), "requestPath": adminPinsPath})
			return http.Header{"Authorization": {"Basic " + jws[:strings.LastIndex(jws, ".")+1] + base64.RawURLEncoding.EncodeToString(make([]byte, 64))}}
		}, 401, "Error while processing the authorization header invalid signature for signer " + admin.did},
		{"text before Basic is tolerated", func(t *testing.T) http.Header {
			return http.Header{"Authorization": {"Authorization: Basic " + admin.compactJWS(t, map[string]any{"requestPath": adminStatusPath})}}
		}, 401, "The jws block contains a request path (/api/v0/admin/status) that doesn't match the request (/api/v0/admin/pins)"},
		{"no request path", func(t *testing.T) http.Header {
			return http.Header{"Authorization": {"Basic " + admin.compactJWS(t, map[string]any{"code": hs.getCode(t)})}}
		}, 401, "The jws block contains a request path (undefined) that doesn't match the request (/api/v0/admin/pins)"},
		{"path with the StreamID", func(t *testing.T) http.Header { return adminAuth(t, admin, hs.getCode(t), target) }, 401,
			"The jws block contains a request path (" + target + ") that doesn't match the request (/api/v0/admin/pins)"},
		{"no code", func(t *testing.T) http.Header { return adminAuth(t, admin, "", adminPinsPath) }, 401, "Admin code is missing from the the jws block"},
		{"unknown code", func(t *testing.T) http.Header { return adminAuth(t, admin, newUUIDv4(), adminPinsPath) }, 401, msgInvalidCode},
		{"expired code", func(t *testing.T) http.Header {
			h := adminAuth(t, admin, hs.getCode(t), adminPinsPath)
			hs.clock = hs.clock.Add(adminCodeTTL)
			return h
		}, 401, msgExpiredCode},
		{"evicted code", func(t *testing.T) http.Header {
			h := adminAuth(t, admin, hs.getCode(t), adminPinsPath)
			for range adminCodeCapacity {
				hs.getCode(t)
			}
			return h
		}, 401, msgInvalidCode},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := hs.send(t, "POST", target, nil, tc.header(t))
			wantStatus(t, rec, tc.wantStatus)
			checkErrorMessage(t, decodeBody[errorBody](t, rec).Error, tc.wantError)
			if pins := hs.pinnedIDs(t); len(pins) != 0 {
				t.Errorf("a refused request pinned %v", pins)
			}
		})
	}

	t.Run("a code is used once", func(t *testing.T) {
		header := adminAuth(t, admin, hs.getCode(t), adminPinsPath)
		wantStatus(t, hs.send(t, "GET", "/api/v0/admin/pins", nil, header), 200)
		rec := hs.send(t, "GET", "/api/v0/admin/pins", nil, header)
		wantStatus(t, rec, 401)
		checkErrorMessage(t, decodeBody[errorBody](t, rec).Error, msgInvalidCode)
	})
}

func TestAdminStatus(t *testing.T) {
	admin := newTestSigner(t)
	status := func() NodeStatus {
		return NodeStatus{
			RunID: "run-1", Network: "inmemory", PeerID: "12D3KooWtest", Addrs: []string{"/ip4/127.0.0.1/tcp/4011"},
			Anchor:   map[string]any{"anchorServiceUrl": "http://cas", "chainId": "eip155:1337"},
			UptimeMs: func() int64 { return 1234 },
		}
	}
	tests := []struct {
		name string
		opts Options
		path string
		want string
		code int
	}{
		{"status", Options{AdminDIDs: []string{admin.did}, Status: status}, adminStatusPath, `{"runId":"run-1","uptimeMs":1234,"network":"inmemory","anchor":{"anchorServiceUrl":"http://cas","chainId":"eip155:1337"},"ipfs":{"peerId":"12D3KooWtest","addresses":["/ip4/127.0.0.1/tcp/4011"]}}`, 200},
		{"no status source", Options{AdminDIDs: []string{admin.did}}, adminStatusPath, `{"runId":"","uptimeMs":0,"network":"","anchor":{},"ipfs":{"peerId":"","addresses":[]}}`, 200},
		{"signed for the pins", Options{AdminDIDs: []string{admin.did}, Status: status}, adminPinsPath, `{"error":"The jws block contains a request path (/api/v0/admin/pins) that doesn't match the request (/api/v0/admin/status)"}`, 401},
		{"no admin DIDs", Options{Status: status}, adminStatusPath, `{"error":"Unauthorized access: DID '` + admin.kid + `' does not have admin access permission to this node"}`, 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hs := newStreamsHarness(t, tc.opts, streams.Config{})
			rec := hs.send(t, "GET", "/api/v0/admin/status", nil, adminAuth(t, admin, hs.getCode(t), tc.path))
			checkResponse(t, rec, tc.code, typeJSON, tc.want)
		})
	}
}

func TestIsAdmin(t *testing.T) {
	const did = "did:key:z6MkAdmin"
	h := &handler{opts: Options{AdminDIDs: []string{"", did}}}
	tests := []struct {
		kid  string
		want bool
	}{
		{did + "#z6MkAdmin", true},
		{did, true},
		{did + "Longer#x", true}, // the js daemon's prefix rule
		{"did:key:z6MkOther#z6MkOther", false},
		{"did:key:z6Mk", false},
		{"", false},
	}
	for _, tc := range tests {
		t.Run(tc.kid, func(t *testing.T) {
			if got := h.isAdmin(tc.kid); got != tc.want {
				t.Errorf("isAdmin(%q) = %v, want %v", tc.kid, got, tc.want)
			}
		})
	}
}

func TestVerifyCompactJWS(t *testing.T) {
	ed := newTestSigner(t)
	payload := map[string]any{"code": "c", "requestPath": adminPinsPath}

	secpKey, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	secpID, _ := multibase.Encode(multibase.Base58BTC, append([]byte{0xe7, 0x01}, secpKey.PubKey().SerializeCompressed()...))
	secpKID := "did:key:" + secpID + "#" + secpID
	signSecp := func(alg string, highS bool) string {
		protected, _ := json.Marshal(map[string]string{"alg": alg, "kid": secpKID})
		body, _ := json.Marshal(payload)
		enc := base64.RawURLEncoding
		input := enc.EncodeToString(protected) + "." + enc.EncodeToString(body)
		hash := sha256.Sum256([]byte(input))
		sig := secpecdsa.Sign(secpKey, hash[:])
		r, s := sig.R(), sig.S()
		if highS {
			s.Negate()
		}
		rb, sb := r.Bytes(), s.Bytes()
		return input + "." + enc.EncodeToString(append(rb[:], sb[:]...))
	}
	edToken := ed.compactJWS(t, payload)
	parts := strings.Split(edToken, ".")
	otherHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"EdDSA","kid":"did:pkh:eip155:1:0xabc#x"}`))

	tests := []struct {
		name    string
		token   string
		wantKID string
		wantErr string // prefix
	}{
		{"Ed25519", edToken, ed.kid, ""},
		{"padding is part of the signing input", parts[0] + "==." + parts[1] + "." + parts[2], "", "invalid signature"},
		{"secp256k1", signSecp("ES256K", false), secpKID, ""},
		{"secp256k1 with a high S", signSecp("ES256K", true), secpKID, ""},
		{"secp256k1 with the wrong alg", signSecp("EdDSA", false), "", `JWS algorithm "EdDSA" does not fit`},
		{"changed payload", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"code":"d"}`)) + "." + parts[2], "", "invalid signature"},
		{"two parts", parts[0] + "." + parts[1], "", "the token is not a compact JWS"},
		{"not base64url", "!!." + parts[1] + "." + parts[2], "", "the JWS protected header is not base64url"},
		{"not did:key", otherHeader + "." + parts[1] + "." + parts[2], "", `signer "did:pkh:eip155:1:0xabc" is not a did:key`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := verifyCompactJWS(tc.token)
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want prefix %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.KID != tc.wantKID || got.Payload["requestPath"] != adminPinsPath {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func TestAdminCodes(t *testing.T) {
	now := time.Unix(1700000000, 0)
	c := newAdminCodes(func() time.Time { return now })
	fresh, old := c.issue(), c.issue()
	if fresh == old {
		t.Fatal("two codes are equal")
	}
	now = now.Add(adminCodeTTL - time.Millisecond)
	if known, expired := c.use(fresh); !known || expired {
		t.Errorf("use(fresh) = %v, %v; want known, not expired", known, expired)
	}
	if known, _ := c.use(fresh); known {
		t.Error("a code could be used twice")
	}
	now = now.Add(time.Millisecond)
	if known, expired := c.use(old); !known || !expired {
		t.Errorf("use(old) = %v, %v; want known, expired", known, expired)
	}
}
