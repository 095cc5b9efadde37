package api

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
)

// TestStreamLifecycle creates a signed tile, updates it and reads it back through every
// stream and commit route, in order.
func TestStreamLifecycle(t *testing.T) {
	hs := newStreamsHarness(t, Options{}, streams.Config{})
	alice, mallory := newTestSigner(t), newTestSigner(t)

	created := hs.createTile(t, alice, map[string]any{"x": 1, "name": "<tile>"}, nil)
	id, err := streamid.Parse(created.StreamID)
	if err != nil {
		t.Fatalf("created streamId %q: %v", created.StreamID, err)
	}
	genesis := created.tip(t)
	if got := hs.pub.n.Load(); got != 1 {
		t.Errorf("publishes after create = %d, want 1", got)
	}
	for field, want := range map[string]any{"doctype": "tile", "type": 0.0, "signature": 2.0, "anchorStatus": "NOT_REQUESTED"} {
		if got := created.State[field]; got != want {
			t.Errorf("created state %s = %v, want %v", field, got, want)
		}
	}

	var updated stateBody
	t.Run("update", func(t *testing.T) {
		commit := alice.update(t, genesis, genesis, map[string]any{"op": "replace", "path": "/x", "value": 2})
		rec := hs.send(t, "POST", "/api/v0/commits", map[string]any{"streamId": id.String(), "commit": commit, "opts": map[string]any{"anchor": true, "publish": true, "sync": 0}}, nil)
		wantStatus(t, rec, http.StatusOK)
		updated = decodeBody[stateBody](t, rec)
		if updated.StreamID != id.String() || updated.DocID != id.String() {
			t.Errorf("streamId %q, docId %q; want %q", updated.StreamID, updated.DocID, id)
		}
		next, _ := updated.State["next"].(map[string]any)
		if !reflect.DeepEqual(next["content"], map[string]any{"x": 2.0, "name": "<tile>"}) {
			t.Errorf("next.content = %v", next["content"])
		}
	})
	if updated.State == nil {
		t.FailNow()
	}
	tip := updated.tip(t)

	tests := []struct {
		name     string
		target   string
		wantBody string // exact body; "" to check wantKey fields only
		check    func(t *testing.T, b stateBody)
	}{
		{name: "load", target: "/api/v0/streams/" + id.String(), check: func(t *testing.T, b stateBody) {
			if b.StreamID != id.String() || len(b.State["log"].([]any)) != 2 {
				t.Errorf("streamId %q, log %v", b.StreamID, b.State["log"])
			}
		}},
		{name: "load ceramic:// URL", target: "/api/v0/streams/" + url.PathEscape("ceramic://"+id.String()) + "?sync=0", check: func(t *testing.T, b stateBody) {
			if b.StreamID != id.String() || b.tip(t) != tip {
				t.Errorf("streamId %q tip %s, want %s %s", b.StreamID, b.tip(t), id, tip)
			}
		}},
		{name: "load at the genesis CommitID", target: "/api/v0/streams/" + id.AtCommit(genesis).String(), check: func(t *testing.T, b stateBody) {
			if b.StreamID != id.String() {
				t.Errorf("streamId = %q, want the base StreamID %q", b.StreamID, id)
			}
			if !reflect.DeepEqual(b.State["content"], map[string]any{"x": 1.0, "name": "<tile>"}) || b.State["next"] != nil {
				t.Errorf("state at genesis = %v", b.State)
			}
		}},
		{name: "load at the tip CommitID", target: "/api/v0/streams/" + id.AtCommit(tip).String(), check: func(t *testing.T, b stateBody) {
			if b.tip(t) != tip {
				t.Errorf("tip = %s, want %s", b.tip(t), tip)
			}
		}},
		{name: "load at a time before any anchor", target: "/api/v0/streams/" + id.String() + "?atTime=" + strconv.FormatInt(time.Now().Unix(), 10), check: func(t *testing.T, b stateBody) {
			if b.tip(t) != genesis {
				t.Errorf("tip = %s, want the genesis %s", b.tip(t), genesis)
			}
		}},
		{name: "content", target: "/api/v0/streams/" + id.String() + "/content", wantBody: `{"name":"<tile>","x":2}`},
		{name: "content at genesis", target: "/api/v0/streams/" + id.AtCommit(genesis).String() + "/content", wantBody: `{"name":"<tile>","x":1}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := hs.send(t, "GET", tc.target, nil, nil)
			wantStatus(t, rec, http.StatusOK)
			if tc.wantBody != "" {
				if got := rec.Body.String(); got != tc.wantBody {
					t.Errorf("body = %s, want %s", got, tc.wantBody)
				}
				return
			}
			tc.check(t, decodeBody[stateBody](t, rec))
		})
	}

	t.Run("commits", func(t *testing.T) {
		rec := hs.send(t, "GET", "/api/v0/commits/"+id.String(), nil, nil)
		wantStatus(t, rec, http.StatusOK)
		body := decodeBody[struct {
			StreamID string `json:"streamId"`
			Commits  []struct {
				CID   string         `json:"cid"`
				Value map[string]any `json:"value"`
			} `json:"commits"`
		}](t, rec)
		if body.StreamID != id.String() || len(body.Commits) != 2 {
			t.Fatalf("body = %s", rec.Body.String())
		}
		for i, want := range []string{genesis.String(), tip.String()} {
			c := body.Commits[i]
			if c.CID != want || c.Value["jws"] == nil || c.Value["linkedBlock"] == nil {
				t.Errorf("commit %d = %v, want cid %s with jws and linkedBlock", i, c, want)
			}
		}
	})

	writes := []struct {
		name       string
		signer     *testSigner
		prev       cid.Cid
		wantStatus int
		wantError  string // substring
	}{
		{"stale update", alice, genesis, http.StatusConflict, "not the current tip"},
		{"wrong signer", mallory, tip, http.StatusUnprocessableEntity, "is not the stream controller"},
	}
	for _, tc := range writes {
		t.Run(tc.name, func(t *testing.T) {
			commit := tc.signer.update(t, genesis, tc.prev, map[string]any{"op": "replace", "path": "/x", "value": 3})
			rec := hs.send(t, "POST", "/api/v0/commits", map[string]any{"streamId": id.String(), "commit": commit}, nil)
			wantStatus(t, rec, tc.wantStatus)
			if msg := decodeBody[errorBody](t, rec).Error; !strings.Contains(msg, tc.wantError) {
				t.Errorf("error = %q, want it to contain %q", msg, tc.wantError)
			}
		})
	}

	t.Run("rejected writes left the stream alone", func(t *testing.T) {
		rec := hs.send(t, "GET", "/api/v0/streams/"+id.String()+"/content", nil, nil)
		if rec.Body.String() != `{"name":"<tile>","x":2}` {
			t.Errorf("content = %s", rec.Body.String())
		}
	})

	t.Run("HEAD and mixed case", func(t *testing.T) {
		get := hs.send(t, "GET", "/api/v0/streams/"+id.String(), nil, nil)
		for _, target := range []string{
			"/API/V0/STREAMS/" + id.String(),
			"/Api/v0//Streams/" + id.String() + "/",
		} {
			head := hs.send(t, "HEAD", target, nil, nil)
			wantStatus(t, head, http.StatusOK)
			if head.Body.Len() != 0 || head.Header().Get("Content-Length") != strconv.Itoa(get.Body.Len()) {
				t.Errorf("HEAD %s: body %d bytes, Content-Length %q; want none and %d", target, head.Body.Len(), head.Header().Get("Content-Length"), get.Body.Len())
			}
			rec := hs.send(t, "GET", target, nil, nil)
			if rec.Code != http.StatusOK || rec.Body.String() != get.Body.String() {
				t.Errorf("GET %s = %d %s", target, rec.Code, rec.Body.String())
			}
		}
	})
}

// TestDeterministicGenesis creates the same unsigned genesis twice: both answers name the
// same stream.
func TestDeterministicGenesis(t *testing.T) {
	hs := newStreamsHarness(t, Options{}, streams.Config{})
	alice := newTestSigner(t)
	genesis := map[string]any{"header": map[string]any{"controllers": []any{alice.did}, "family": "profile"}}
	var ids []string
	for i := range 2 {
		rec := hs.send(t, "POST", "/api/v0/streams", map[string]any{"type": 0, "genesis": genesis, "opts": map[string]any{"anchor": false}}, nil)
		wantStatus(t, rec, http.StatusOK)
		b := decodeBody[stateBody](t, rec)
		if b.State["signature"] != 0.0 || !reflect.DeepEqual(b.State["content"], map[string]any{}) {
			t.Errorf("create %d: state = %v", i, b.State)
		}
		ids = append(ids, b.StreamID)
	}
	if ids[0] != ids[1] {
		t.Errorf("two creates of one genesis gave %q and %q", ids[0], ids[1])
	}
}

// TestStreamErrors checks the status and message of failed stream requests.
func TestStreamErrors(t *testing.T) {
	hs := newStreamsHarness(t, Options{}, streams.Config{})
	alice := newTestSigner(t)
	created := hs.createTile(t, alice, map[string]any{"a": 1}, nil)
	id := streamid.MustParse(created.StreamID)
	commitID := id.AtCommit(created.tip(t)).String()
	unknown := unknownStreamID()

	// An unsigned genesis whose block is just over the limit.
	big := map[string]any{"header": map[string]any{"controllers": []any{alice.did}}, "data": map[string]any{"blob": strings.Repeat("x", codec.MaxBlockSize)}}
	bigBlock, err := codec.EncodeDagCBOR(big)
	if err != nil {
		t.Fatal(err)
	}
	bigMsg := fmt.Sprintf("%s commit size %d exceeds the maximum block size of 256000", codec.CIDFor(codec.DagCBOR, bigBlock), len(bigBlock))

	tests := []struct {
		name       string
		method     string
		target     string
		body       any
		wantStatus int
		wantError  string // exact message, or a prefix when it ends with "…"
	}{
		{"malformed StreamID", "GET", "/api/v0/streams/not-a-stream", nil, 400, `streamid: invalid StreamID or CommitID "not-a-stream": …`},
		{"malformed StreamID, content", "GET", "/api/v0/streams/kzzz/content", nil, 400, `streamid: invalid StreamID or CommitID "kzzz": …`},
		{"malformed StreamID, commits", "GET", "/api/v0/commits/xyz", nil, 400, `streamid: invalid StreamID "xyz": …`},
		{"CommitID where a StreamID is needed", "GET", "/api/v0/commits/" + commitID, nil, 400, "Not StreamID: " + commitID + ": contains commit"},
		{"CommitID in a commit request", "POST", "/api/v0/commits", map[string]any{"streamId": commitID, "commit": map[string]any{"x": 1}}, 400, "Not StreamID: " + commitID + ": contains commit"},
		{"commit request without commit", "POST", "/api/v0/commits", map[string]any{"streamId": id.String()}, 400, "streamId and commit are required in order to apply commit"},
		{"commit request without stream", "POST", "/api/v0/commits", map[string]any{"commit": map[string]any{"x": 1}}, 400, "streamId and commit are required in order to apply commit"},
		{"unknown stream", "GET", "/api/v0/streams/" + unknown.String() + "?syncTimeoutSeconds=1", nil, 404, "stream " + unknown.String() + " not found: …"},
		{"unknown stream, commits", "GET", "/api/v0/commits/" + unknown.String() + "?syncTimeoutSeconds=1", nil, 404, "stream " + unknown.String() + " not found: …"},
		{"oversized genesis", "POST", "/api/v0/streams", map[string]any{"type": 0, "genesis": big}, 400, bigMsg},
		{"unsigned genesis with content", "POST", "/api/v0/streams", map[string]any{"type": 0, "genesis": map[string]any{"header": map[string]any{"controllers": []any{alice.did}}, "data": map[string]any{"a": 1}}}, 400, "…Genesis commit with contents should always be signed"},
		{"genesis that is not an object", "POST", "/api/v0/streams", map[string]any{"type": 0, "genesis": "nope"}, 400, "codec: invalid commit: …"},
		{"missing genesis", "POST", "/api/v0/streams", map[string]any{"type": 0}, 400, "genesis is required: …"},
		{"missing type", "POST", "/api/v0/streams", map[string]any{"genesis": map[string]any{}}, 400, "type is required: …"},
		{"fractional type", "POST", "/api/v0/streams", map[string]any{"type": 0.5, "genesis": map[string]any{}}, 400, "invalid stream type 0.5: …"},
		{"unknown type", "POST", "/api/v0/streams", map[string]any{"type": 99, "genesis": map[string]any{"header": map[string]any{"controllers": []any{alice.did}}}}, 400, "99 is not a valid stream type"},
		{"type this node does not support", "POST", "/api/v0/streams", map[string]any{"type": 2, "genesis": map[string]any{"header": map[string]any{"controllers": []any{alice.did}}}}, 501, "streams of type model are not supported by this node yet"},
		{"invalid JSON", "POST", "/api/v0/streams", `{"type": 0,`, 400, "invalid JSON body: …"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			rec := hs.send(t, tc.method, tc.target, tc.body, nil)
			if elapsed := time.Since(start); elapsed > 2500*time.Millisecond {
				t.Errorf("took %v", elapsed)
			}
			wantStatus(t, rec, tc.wantStatus)
			checkErrorMessage(t, decodeBody[errorBody](t, rec).Error, tc.wantError)
		})
	}
}

// checkErrorMessage compares an error message with want: exact, a prefix when want ends
// with "…", a suffix when it starts with "…".
func checkErrorMessage(t *testing.T, got, want string) {
	t.Helper()
	var ok bool
	switch {
	case strings.HasSuffix(want, "…"):
		ok = strings.HasPrefix(got, strings.TrimSuffix(want, "…"))
	case strings.HasPrefix(want, "…"):
		ok = strings.HasSuffix(got, strings.TrimPrefix(want, "…"))
	default:
		ok = got == want
	}
	if !ok {
		t.Errorf("error = %q, want %q", got, want)
	}
}

// TestNodeChains checks GET /node/chains, which a read-only node answers with {}.
func TestNodeChains(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"configured", Options{SupportedChains: func() []string { return []string{"eip155:100"} }}, `{"supportedChains":["eip155:100"]}`},
		{"none", Options{}, `{"supportedChains":[]}`},
		{"read-only", Options{ReadOnly: true, SupportedChains: func() []string { return []string{"eip155:100"} }}, `{}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			th := newTestHandler(t, tc.opts, nil)
			for _, target := range []string{"/api/v0/node/chains", "/api/v0//node/chains"} {
				checkResponse(t, do(t, th, "GET", target, "", nil), 200, typeJSON, tc.want)
			}
		})
	}
}

// TestNoStreams checks that a handler without a stream engine answers its routes with 501.
func TestNoStreams(t *testing.T) {
	th := newTestHandler(t, Options{}, nil)
	rec := do(t, th, "GET", "/api/v0/streams/"+unknownStreamID().String(), "", nil)
	checkResponse(t, rec, 501, typeJSON, `{"error":"streams: not supported: this node serves no streams"}`)
}
