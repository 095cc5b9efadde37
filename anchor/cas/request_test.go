package cas

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
	"github.com/goceramic/ceramic/streams/streamstest"
)

// testStream is a real signed TileDocument stream: a genesis and one update.
type testStream struct {
	signer  *streamstest.Signer
	id      streamid.StreamID
	genesis *codec.WireCommit
	update  *codec.WireCommit
}

func newTestStream(t *testing.T, header map[string]any) testStream {
	t.Helper()
	signer := streamstest.NewSigner(nil)
	g, err := signer.Genesis(map[string]any{"a": 1.0}, header)
	if err != nil {
		t.Fatal(err)
	}
	u, err := signer.Sign(map[string]any{
		"id":     g.CID(),
		"prev":   g.CID(),
		"header": map[string]any{},
		"data":   []any{map[string]any{"op": "replace", "path": "/a", "value": 2.0}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return testStream{signer: signer, id: streamid.New(streamid.Tile, g.CID()), genesis: g, update: u}
}

func (s testStream) request(ts time.Time) Request {
	return Request{StreamID: s.id, Tip: s.update.CID(), Timestamp: ts, Blocks: RequestBlocks(s.genesis, s.update)}
}

func TestRequestBlocks(t *testing.T) {
	s := newTestStream(t, nil)
	cacao := codec.NewBlock(codec.DagCBOR, []byte{0xa0}) // an (empty-map) stand-in for a CACAO
	tip := *s.update
	tip.Cacao = &cacao
	got := RequestBlocks(s.genesis, &tip)
	want := []cid.Cid{s.genesis.CID(), tip.CID(), s.genesis.Payload.CID, tip.Payload.CID, cacao.CID}
	if len(got) != len(want) {
		t.Fatalf("%d blocks, want %d", len(got), len(want))
	}
	for i, b := range got {
		if b.CID != want[i] {
			t.Errorf("block %d = %s, want %s", i, b.CID, want[i])
		}
	}
	// Anchoring the genesis itself: each block once.
	if got := RequestBlocks(s.genesis, s.genesis); len(got) != 2 {
		t.Errorf("genesis as tip: %d blocks, want 2 (envelope, payload)", len(got))
	}
}

func TestEncodeDecodeRequest(t *testing.T) {
	s := newTestStream(t, map[string]any{"family": "fam", "tags": []any{"x"}})
	ts := time.Date(2024, 2, 1, 12, 0, 0, 123456789, time.FixedZone("CET", 3600))
	body, root, err := EncodeRequest(s.request(ts))
	if err != nil {
		t.Fatal(err)
	}

	// The CAR: the root block first, then the request blocks, and the root block as js
	// writes it.
	roots, blocks, err := codec.DecodeCAR(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(roots) != 1 || roots[0] != root || blocks[0].CID != root || root.Type() != codec.DagCBOR {
		t.Fatalf("roots %v, first block %s, root %s", roots, blocks[0].CID, root)
	}
	if len(blocks) != 5 {
		t.Errorf("%d blocks, want 5 (root, genesis, tip, two payloads)", len(blocks))
	}
	v, err := codec.DecodeBlock(root, blocks[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	if len(m) != 3 {
		t.Errorf("root block %v has other keys than streamId, tip, timestamp", m)
	}
	stamp, _ := m["timestamp"].(string)
	if stamp != "2024-02-01T11:00:00.123Z" {
		t.Errorf("timestamp = %q, want 2024-02-01T11:00:00.123Z", stamp)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(stamp) {
		t.Errorf("timestamp %q is not ISO-8601 UTC with milliseconds", stamp)
	}
	if b, _ := m["streamId"].([]byte); string(b) != string(s.id.Bytes()) {
		t.Errorf("streamId = %x, want %x", b, s.id.Bytes())
	}

	sub, err := DecodeRequest("application/vnd.ipld.car", body)
	if err != nil {
		t.Fatal(err)
	}
	if sub.StreamID != s.id || sub.Tip != s.update.CID() {
		t.Errorf("stream %s tip %s, want %s %s", sub.StreamID, sub.Tip, s.id, s.update.CID())
	}
	if !sub.Timestamp.Equal(ts.Truncate(time.Millisecond)) {
		t.Errorf("timestamp = %v, want %v", sub.Timestamp, ts.Truncate(time.Millisecond))
	}
	if sub.Controller != s.signer.DID || sub.Model != "" {
		t.Errorf("controller %q model %q", sub.Controller, sub.Model)
	}
	if sub.Genesis == nil || sub.Genesis.Header["family"] != "fam" {
		t.Errorf("genesis = %+v", sub.Genesis)
	}
	if len(sub.Blocks) != 4 {
		t.Errorf("%d blocks, want 4", len(sub.Blocks))
	}
}

func TestEncodeRequestDefaultsAndChecks(t *testing.T) {
	s := newTestStream(t, nil)
	before := time.Now().Add(-time.Second)
	body, _, err := EncodeRequest(s.request(time.Time{}))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := DecodeRequest(ContentTypeCAR, body)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Timestamp.Before(before) || sub.Timestamp.After(time.Now().Add(time.Second)) {
		t.Errorf("a zero timestamp became %v, want now", sub.Timestamp)
	}

	noGenesis := s.request(time.Now())
	noGenesis.Blocks = []codec.Block{s.update.Commit, *s.update.Payload}
	if _, _, err := EncodeRequest(noGenesis); err == nil || !strings.Contains(err.Error(), "genesis") {
		t.Errorf("without the genesis block: err = %v", err)
	}
	noTip := s.request(time.Now())
	noTip.Blocks = RequestBlocks(s.genesis, nil)
	if _, _, err := EncodeRequest(noTip); err == nil || !strings.Contains(err.Error(), "tip") {
		t.Errorf("without the tip block: err = %v", err)
	}
	corrupt := s.request(time.Now())
	corrupt.Blocks = append([]codec.Block{{CID: s.genesis.CID(), Data: []byte("x")}}, corrupt.Blocks...)
	if _, _, err := EncodeRequest(corrupt); !errors.Is(err, codec.ErrHashMismatch) {
		t.Errorf("with a corrupt block: err = %v", err)
	}
	if _, _, err := EncodeRequest(Request{Tip: s.update.CID()}); err == nil {
		t.Error("a request without a StreamID was encoded")
	}
}

// carRequest builds a request CAR by hand, so that invalid ones can be made.
func carRequest(t *testing.T, root map[string]any, blocks ...codec.Block) []byte {
	t.Helper()
	data, err := codec.EncodeDagCBOR(root)
	if err != nil {
		t.Fatal(err)
	}
	rb := codec.NewBlock(codec.DagCBOR, data)
	car, err := codec.EncodeCAR([]cid.Cid{rb.CID}, append([]codec.Block{rb}, blocks...))
	if err != nil {
		t.Fatal(err)
	}
	return car
}

// unsignedGenesis returns an unsigned genesis block with the given header and its StreamID.
func unsignedGenesis(t *testing.T, header map[string]any) (codec.Block, streamid.StreamID) {
	t.Helper()
	data, err := codec.EncodeDagCBOR(map[string]any{"header": header})
	if err != nil {
		t.Fatal(err)
	}
	b := codec.NewBlock(codec.DagCBOR, data)
	return b, streamid.New(streamid.Tile, b.CID)
}

func TestDecodeRequestValidation(t *testing.T) {
	s := newTestStream(t, nil)
	const stamp = "2024-02-01T12:00:00.000Z"
	root := func(id streamid.StreamID, tip cid.Cid) map[string]any {
		return map[string]any{"streamId": id.Bytes(), "tip": tip, "timestamp": stamp}
	}
	model := streamid.New(streamid.Model, s.genesis.CID())
	ctrl := []any{"did:key:z6MkController"}
	withHeader := func(h map[string]any) []byte {
		b, id := unsignedGenesis(t, h)
		return carRequest(t, root(id, b.CID), b)
	}

	valid := []struct {
		name      string
		body      []byte
		wantModel string
	}{
		{"unsigned genesis as tip", withHeader(map[string]any{"controllers": ctrl}), ""},
		{"model", withHeader(map[string]any{"controllers": ctrl, "model": model.Bytes(), "sep": "model"}), model.String()},
		{"schema", withHeader(map[string]any{"controllers": ctrl, "schema": s.id.AtCommit(s.update.CID()).String()}), ""},
	}
	for _, tc := range valid {
		t.Run(tc.name, func(t *testing.T) {
			sub, err := DecodeRequest(ContentTypeCAR, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if sub.Controller != "did:key:z6MkController" || sub.Model != tc.wantModel {
				t.Errorf("controller %q model %q", sub.Controller, sub.Model)
			}
		})
	}

	invalid := []struct {
		name, contentType string
		body              []byte
		wantErr           string
	}{
		{"not a CAR", ContentTypeCAR, []byte("hello"), "can not decode the CAR file"},
		{"empty", ContentTypeCAR, nil, "can not decode the CAR file"},
		{"no genesis", ContentTypeCAR, carRequest(t, root(s.id, s.update.CID()), s.update.Commit, *s.update.Payload), "the genesis commit"},
		{"no genesis payload", ContentTypeCAR, carRequest(t, root(s.id, s.update.CID()), s.genesis.Commit, s.update.Commit), "the payload"},
		{"no tip", ContentTypeCAR, carRequest(t, root(s.id, s.update.CID()), s.genesis.Commit, *s.genesis.Payload), "the tip commit"},
		{"root without timestamp", ContentTypeCAR, carRequest(t, map[string]any{"streamId": s.id.Bytes(), "tip": s.update.CID()}), "the root block's timestamp"},
		{"root with a bad timestamp", ContentTypeCAR, carRequest(t, map[string]any{"streamId": s.id.Bytes(), "tip": s.update.CID(), "timestamp": "yesterday"}), "the root block's timestamp"},
		{"root with a string streamId", ContentTypeCAR, carRequest(t, map[string]any{"streamId": s.id.String(), "tip": s.update.CID(), "timestamp": stamp}), "the root block's streamId"},
		{"root with a CommitID", ContentTypeCAR, carRequest(t, map[string]any{"streamId": s.id.AtGenesis().Bytes(), "tip": s.update.CID(), "timestamp": stamp}), "the root block's streamId"},
		{"root with a string tip", ContentTypeCAR, carRequest(t, map[string]any{"streamId": s.id.Bytes(), "tip": s.update.CID().String(), "timestamp": stamp}), "the root block's tip"},
		{"two controllers", ContentTypeCAR, withHeader(map[string]any{"controllers": []any{"a", "b"}}), "exactly one controller"},
		{"no controllers", ContentTypeCAR, withHeader(map[string]any{"family": "f"}), "exactly one controller"},
		{"non-string controller", ContentTypeCAR, withHeader(map[string]any{"controllers": []any{int64(1)}}), "controller is not a string"},
		{"schema not a CommitID", ContentTypeCAR, withHeader(map[string]any{"controllers": ctrl, "schema": s.id.String()}), "the genesis header's schema"},
		{"schema not a string", ContentTypeCAR, withHeader(map[string]any{"controllers": ctrl, "schema": int64(3)}), "the genesis header's schema"},
		{"model not bytes", ContentTypeCAR, withHeader(map[string]any{"controllers": ctrl, "model": model.String()}), "the genesis header's model"},
		{"model not a StreamID", ContentTypeCAR, withHeader(map[string]any{"controllers": ctrl, "model": []byte{1, 2, 3}}), "the genesis header's model"},
		{"family not a string", ContentTypeCAR, withHeader(map[string]any{"controllers": ctrl, "family": int64(1)}), "family"},
		{"tags not strings", ContentTypeCAR, withHeader(map[string]any{"controllers": ctrl, "tags": []any{int64(1)}}), "tags"},
		{"bad content type", "text/plain", []byte("{}"), "unsupported Content-Type"},
		{"JSON not an object", ContentTypeJSON, []byte(`[1]`), "the body is not a JSON object"},
		{"JSON without streamId", ContentTypeJSON, []byte(`{"cid":"` + s.update.CID().String() + `"}`), "streamId is missing"},
		{"JSON with a bad streamId", ContentTypeJSON, []byte(`{"streamId":"kxyz","cid":"` + s.update.CID().String() + `"}`), "streamId:"},
		{"JSON with a bad cid", ContentTypeJSON, []byte(`{"streamId":"` + s.id.String() + `","cid":"nope"}`), `cid "nope" is not a CID`},
		{"JSON with a bad timestamp", ContentTypeJSON, []byte(`{"streamId":"` + s.id.String() + `","cid":"` + s.update.CID().String() + `","timestamp":5}`), "timestamp is not"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeRequest(tc.contentType, tc.body)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
			}
			if !errors.Is(err, ErrInvalidRequest) {
				t.Errorf("%v does not match ErrInvalidRequest", err)
			}
		})
	}
}

func TestDecodeJSONRequest(t *testing.T) {
	s := newTestStream(t, nil)
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", ""} {
		body := `{"streamId":"` + s.id.String() + `","cid":"` + s.update.CID().String() + `","timestamp":"2024-02-01T12:00:00.000Z","jsCeramicVersion":"3.4.1"}`
		sub, err := DecodeRequest(ct, []byte(body))
		if err != nil {
			t.Fatalf("%q: %v", ct, err)
		}
		if sub.StreamID != s.id || sub.Tip != s.update.CID() || sub.Genesis != nil || sub.Controller != "" || sub.Blocks != nil {
			t.Errorf("%q: %+v", ct, sub)
		}
		if want := time.Date(2024, 2, 1, 12, 0, 0, 0, time.UTC); !sub.Timestamp.Equal(want) {
			t.Errorf("%q: timestamp %v", ct, sub.Timestamp)
		}
	}
	sub, err := DecodeRequest(ContentTypeJSON, []byte(`{"streamId":"`+s.id.String()+`","cid":"`+s.update.CID().String()+`"}`))
	if err != nil || !sub.Timestamp.IsZero() {
		t.Errorf("without a timestamp: %v, %v", sub.Timestamp, err)
	}
}
