package api

import (
	"net/http"
	"testing"

	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/streamid"
)

func TestReadOnly(t *testing.T) {
	admin := newTestSigner(t)
	hs := newStreamsHarness(t, Options{ReadOnly: true, AdminDIDs: []string{admin.did}}, streams.Config{})
	st := hs.createTile(t, admin, map[string]any{"a": 1}, map[string]any{"anchor": true, "publish": true})
	if n := hs.pub.n.Load(); n != 0 {
		t.Errorf("a read-only create published %d updates", n)
	}
	id := streamid.MustParse(st.StreamID)
	update := admin.update(t, id.Genesis(), id.Genesis(), map[string]any{"op": "add", "path": "/b", "value": 2})
	pinsAuth := func(t *testing.T) http.Header { return adminAuth(t, admin, hs.getCode(t), adminPinsPath) }
	reused := pinsAuth(t)

	tests := []struct {
		name       string
		method     string
		target     string
		body       any
		header     func(t *testing.T) http.Header
		wantStatus int
		wantBody   string
	}{
		{"apply commit", "POST", "/api/v0/commits", map[string]any{"streamId": st.StreamID, "commit": update}, nil, 400, `{"error":"Method not supported by read only Ceramic"}`},
		{"apply commit, nothing sent", "POST", "/api/v0/commits", nil, nil, 400, `{"error":"Method not supported by read only Ceramic"}`},
		{"2.x records", "POST", "/api/v0/records", map[string]any{"docId": st.StreamID, "commit": update}, nil, 400, `{"error":"Method not supported by read only Ceramic"}`},
		{"chains", "GET", "/api/v0/node/chains", nil, nil, 200, `{}`},
		{"load still works", "GET", "/api/v0/streams/" + st.StreamID + "/content", nil, nil, 200, `{"a":1}`},
		{"pin authenticates, then is not found", "POST", "/api/v0/admin/pins/" + st.StreamID, nil, func(*testing.T) http.Header { return reused }, 404, `{"error":"Cannot POST /api/v0/admin/pins/` + st.StreamID + `"}`},
		{"the code was spent", "POST", "/api/v0/admin/pins/" + st.StreamID, nil, func(*testing.T) http.Header { return reused }, 401, `{"error":"` + msgInvalidCode + `"}`},
		{"unpin is not found", "DELETE", "/api/v0/admin/pins/" + st.StreamID, nil, pinsAuth, 404, `{"error":"Cannot DELETE /api/v0/admin/pins/` + st.StreamID + `"}`},
		{"unpin without auth is refused", "DELETE", "/api/v0/admin/pins/" + st.StreamID, nil, nil, 401, `{"error":"Missing authorization header"}`},
		{"pins can be listed", "GET", "/api/v0/admin/pins", nil, pinsAuth, 200, `{"pinnedStreamIds":["` + st.StreamID + `"]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var header http.Header
			if tc.header != nil {
				header = tc.header(t)
			}
			checkResponse(t, hs.send(t, tc.method, tc.target, tc.body, header), tc.wantStatus, typeJSON, tc.wantBody)
		})
	}
}

// TestReadOnlyEngine checks a read-only engine: it loads streams from their genesis (as a
// js-ceramic read-only node creates them, without anchoring or publishing) and refuses
// commits to them.
func TestReadOnlyEngine(t *testing.T) {
	hs := newStreamsHarness(t, Options{ReadOnly: true}, streams.Config{ReadOnly: true})
	rec := hs.send(t, "POST", "/api/v0/streams", map[string]any{"type": 0, "genesis": newTestSigner(t).genesis(t, map[string]any{"a": 1})}, nil)
	if rec.Code != 200 {
		t.Fatalf("create on a read-only engine = %d %s, want 200", rec.Code, rec.Body)
	}
}

func TestLegacyRoutes(t *testing.T) {
	hs := newStreamsHarness(t, Options{}, streams.Config{})
	alice := newTestSigner(t)
	st := hs.createTile(t, alice, map[string]any{"a": 1}, nil)
	id := streamid.MustParse(st.StreamID)
	const pinsMsg = `{"error":"Method not supported: pin requests have moved to the admin API /admin/pins"}`

	pinTests := []struct {
		name       string
		method     string
		target     string
		wantStatus int
		wantBody   string
	}{
		{"list pins", "GET", "/api/v0/pins", 400, pinsMsg},
		{"list one pin", "GET", "/api/v0/pins/" + st.StreamID, 400, pinsMsg},
		{"unpin", "DELETE", "/api/v0/pins/" + st.StreamID, 400, pinsMsg},
		{"pin", "POST", "/api/v0/pins/" + st.StreamID, 200, `{"warn":"` + msgLegacyPinsWarn + `"}`},
		{"pin, mixed case", "POST", "/API/V0/Pins/" + st.StreamID + "/", 200, `{"warn":"` + msgLegacyPinsWarn + `"}`},
		{"pin without a stream", "POST", "/api/v0/pins", 404, `{"error":"Cannot POST /api/v0/pins"}`},
	}
	for _, tc := range pinTests {
		t.Run(tc.name, func(t *testing.T) {
			checkResponse(t, hs.send(t, tc.method, tc.target, map[string]any{"force": true}, nil), tc.wantStatus, typeJSON, tc.wantBody)
		})
	}

	t.Run("create document", func(t *testing.T) {
		rec := hs.send(t, "POST", "/api/v0/documents", map[string]any{"doctype": "tile", "genesis": alice.genesis(t, map[string]any{"d": 1}), "docOpts": map[string]any{"anchor": false}}, nil)
		wantStatus(t, rec, 200)
		b := decodeBody[stateBody](t, rec)
		if b.StreamID == "" || b.DocID != b.StreamID || b.State["doctype"] != "tile" {
			t.Errorf("body = %s", rec.Body.String())
		}
	})
	t.Run("create document of an unknown doctype", func(t *testing.T) {
		rec := hs.send(t, "POST", "/api/v0/documents", map[string]any{"doctype": "nope", "genesis": map[string]any{}}, nil)
		wantStatus(t, rec, 400)
	})
	t.Run("load document", func(t *testing.T) {
		rec := hs.send(t, "GET", "/api/v0/documents/"+st.StreamID, nil, nil)
		wantStatus(t, rec, 200)
		b := decodeBody[map[string]any](t, rec)
		if b["docId"] != st.StreamID || b["state"] == nil || b["streamId"] != nil {
			t.Errorf("body = %s", rec.Body.String())
		}
	})
	var tip string
	t.Run("apply record", func(t *testing.T) {
		update := alice.update(t, id.Genesis(), id.Genesis(), map[string]any{"op": "add", "path": "/b", "value": 2})
		rec := hs.send(t, "POST", "/api/v0/records", map[string]any{"docId": st.StreamID, "commit": update, "docOpts": map[string]any{"publish": false}}, nil)
		wantStatus(t, rec, 200)
		b := decodeBody[stateBody](t, rec)
		if b.StreamID != st.StreamID || b.DocID != st.StreamID {
			t.Errorf("body = %s", rec.Body.String())
		}
		tip = b.tip(t).String()
	})
	t.Run("load records", func(t *testing.T) {
		rec := hs.send(t, "GET", "/api/v0/records/"+st.StreamID, nil, nil)
		wantStatus(t, rec, 200)
		b := decodeBody[struct {
			StreamID string `json:"streamId"`
			DocID    string `json:"docId"`
			Commits  []struct {
				CID string `json:"cid"`
			} `json:"commits"`
		}](t, rec)
		if b.StreamID != st.StreamID || b.DocID != st.StreamID || len(b.Commits) != 2 || b.Commits[1].CID != tip {
			t.Errorf("body = %s", rec.Body.String())
		}
	})
}
