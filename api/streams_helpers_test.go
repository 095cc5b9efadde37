package api

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multibase"

	"github.com/goceramic/ceramic/statestore/mem"
	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
)

// countingPublisher counts the stream updates the engine announces.
type countingPublisher struct{ n atomic.Int32 }

func (p *countingPublisher) PublishUpdate(context.Context, streamid.StreamID, cid.Cid, string) error {
	p.n.Add(1)
	return nil
}

// streamsHarness is a handler over a real stream engine with in-memory blocks and pins.
type streamsHarness struct {
	*handler
	svc   *streams.Service
	pins  *mem.Store
	pub   *countingPublisher
	clock time.Time // what handler.now returns
}

// newStreamsHarness builds the harness. opts.Streams is set to the engine; cfg may set
// ReadOnly and the like (Blocks, Pins and Publisher are filled in).
func newStreamsHarness(t *testing.T, opts Options, cfg streams.Config) *streamsHarness {
	t.Helper()
	hs := &streamsHarness{pins: mem.New(), pub: &countingPublisher{}, clock: time.Now()}
	cfg.Blocks = streams.NewMemBlockStore()
	cfg.Pins = hs.pins
	cfg.Publisher = hs.pub
	svc, err := streams.NewService(cfg)
	if err != nil {
		t.Fatalf("NewService: %v", err)
	}
	hs.svc = svc
	opts.Streams = svc
	h, err := newHandler(opts, &fakeBackend{}, nil)
	if err != nil {
		t.Fatalf("newHandler: %v", err)
	}
	h.now = func() time.Time { return hs.clock }
	hs.handler = h
	return hs
}

// send serves one request. A body that is not a string is encoded as JSON; a JSON
// Content-Type is always sent.
func (hs *streamsHarness) send(t *testing.T, method, target string, body any, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	var s string
	switch b := body.(type) {
	case nil:
	case string:
		s = b
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("encode request body: %v", err)
		}
		s = string(raw)
	}
	hdr := jsonHeader()
	for k, vs := range header {
		hdr[k] = vs
	}
	return do(t, hs, method, target, s, hdr)
}

// wantStatus fails the test unless rec has status want.
func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("status = %d, want %d; body %s", rec.Code, want, rec.Body.String())
	}
}

// decodeBody decodes a JSON response body.
func decodeBody[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode body %q: %v", rec.Body.String(), err)
	}
	return v
}

// stateBody is a response with a stream state.
type stateBody struct {
	StreamID string         `json:"streamId"`
	DocID    string         `json:"docId"`
	State    map[string]any `json:"state"`
}

// tip returns the CID of the last log entry of a serialized state.
func (b stateBody) tip(t *testing.T) cid.Cid {
	t.Helper()
	return logCID(t, b.State, -1)
}

// logCID returns the CID of log entry i of a serialized state (negative counts from the end).
func logCID(t *testing.T, state map[string]any, i int) cid.Cid {
	t.Helper()
	log, _ := state["log"].([]any)
	if i < 0 {
		i += len(log)
	}
	if i < 0 || i >= len(log) {
		t.Fatalf("state has no log entry %d: %v", i, state["log"])
	}
	c, err := cid.Decode(log[i].(map[string]any)["cid"].(string))
	if err != nil {
		t.Fatalf("log entry %d: %v", i, err)
	}
	return c
}

// testSigner signs commits and admin requests as an Ed25519 did:key.
type testSigner struct {
	key      ed25519.PrivateKey
	did, kid string
}

func newTestSigner(t *testing.T) *testSigner {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := multibase.Encode(multibase.Base58BTC, append([]byte{0xed, 0x01}, key.Public().(ed25519.PublicKey)...))
	if err != nil {
		t.Fatal(err)
	}
	return &testSigner{key: key, did: "did:key:" + id, kid: "did:key:" + id + "#" + id}
}

// commit signs payload and returns the commit in its HTTP wire form, a signed-commit
// container {jws, linkedBlock}.
func (s *testSigner) commit(t *testing.T, payload map[string]any) map[string]any {
	t.Helper()
	data, err := codec.EncodeDagCBOR(payload)
	if err != nil {
		t.Fatalf("encode payload: %v", err)
	}
	link := codec.CIDFor(codec.DagCBOR, data)
	protected, _ := json.Marshal(map[string]string{"alg": "EdDSA", "kid": s.kid})
	jws := codec.JWS{Payload: link.Bytes(), Protected: protected}
	jws.Signature = ed25519.Sign(s.key, jws.SigningInput())
	if _, err := codec.EncodeJWS(jws); err != nil {
		t.Fatalf("encode envelope: %v", err)
	}
	return map[string]any{"jws": jws.Wire(), "linkedBlock": base64.RawStdEncoding.EncodeToString(data)}
}

// genesis returns a signed TileDocument genesis with content and a random unique value.
func (s *testSigner) genesis(t *testing.T, content any) map[string]any {
	t.Helper()
	unique := make([]byte, 12)
	_, _ = rand.Read(unique)
	return s.commit(t, map[string]any{
		"header": map[string]any{"controllers": []any{s.did}, "unique": base64.RawStdEncoding.EncodeToString(unique)},
		"data":   content,
	})
}

// update returns a signed TileDocument update of the stream with genesis g whose prev is
// prev, applying the JSON patch ops.
func (s *testSigner) update(t *testing.T, g, prev cid.Cid, ops ...map[string]any) map[string]any {
	t.Helper()
	data := make([]any, len(ops))
	for i, op := range ops {
		data[i] = op
	}
	return s.commit(t, map[string]any{"id": g, "prev": prev, "header": map[string]any{}, "data": data})
}

// compactJWS signs a JSON payload as a compact JWS, as the admin client does.
func (s *testSigner) compactJWS(t *testing.T, payload any) string {
	t.Helper()
	protected, _ := json.Marshal(map[string]string{"alg": "EdDSA", "kid": s.kid})
	body, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(protected) + "." + enc.EncodeToString(body)
	return input + "." + enc.EncodeToString(ed25519.Sign(s.key, []byte(input)))
}

// createTile creates a signed tile with content through POST /streams.
func (hs *streamsHarness) createTile(t *testing.T, s *testSigner, content any, opts map[string]any) stateBody {
	t.Helper()
	if opts == nil {
		opts = map[string]any{"anchor": true, "publish": true, "sync": 0}
	}
	rec := hs.send(t, "POST", "/api/v0/streams", map[string]any{"type": 0, "genesis": s.genesis(t, content), "opts": opts}, nil)
	wantStatus(t, rec, http.StatusOK)
	return decodeBody[stateBody](t, rec)
}

// unknownStreamID returns the StreamID of a tile nobody created.
func unknownStreamID() streamid.StreamID {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return streamid.New(streamid.Tile, codec.CIDFor(codec.DagCBOR, b))
}
