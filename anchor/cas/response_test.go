package cas

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/streams/codec"
)

// loadRealResponse reads a real CAS response (Sepolia, 2024), the test vector
// anchor-remote/src/test-data/anchor_response.json of ceramicnetwork/rust-ceramic.
func loadRealResponse(t *testing.T) (*Response, []byte) {
	t.Helper()
	data, err := os.ReadFile("testdata/anchor_response.json")
	if err != nil {
		t.Fatal(err)
	}
	var r Response
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return &r, data
}

func TestWitnessOfRealResponse(t *testing.T) {
	r, _ := loadRealResponse(t)
	if r.Status != StatusCompleted || r.CreatedAt != 1722298275631 || r.AnchorCommit == nil {
		t.Fatalf("response = %+v", r)
	}
	const want = "bafyreie5xlnroyt5vqdzdg2w2npnyx5iqq6xtruq3xw6ifsdwdy3d2be5q"
	anchor, blocks, err := r.Witness()
	if err != nil {
		t.Fatal(err)
	}
	if anchor.String() != want || r.AnchorCommit.CID != want {
		t.Errorf("anchor commit = %s (response says %s), want %s", anchor, r.AnchorCommit.CID, want)
	}
	if len(blocks) != 10 {
		t.Errorf("%d blocks, want 10", len(blocks))
	}
	// The anchor commit anchors the request's tip.
	byCID := map[cid.Cid]codec.Block{}
	for _, b := range blocks {
		byCID[b.CID] = b
	}
	v, err := codec.DecodeBlock(anchor, byCID[anchor].Data)
	if err != nil {
		t.Fatal(err)
	}
	ac, err := codec.DecodeAnchorCommit(v)
	if err != nil {
		t.Fatal(err)
	}
	if ac.Prev.String() != r.CID || ac.Path != "0/0/0/0/0/0/0/0" {
		t.Errorf("anchor commit prev %s path %q; the request's tip is %s", ac.Prev, ac.Path, r.CID)
	}
	if _, ok := byCID[ac.Proof]; !ok {
		t.Error("the witness lacks the proof")
	}
}

func TestWitnessEncodings(t *testing.T) {
	r, _ := loadRealResponse(t)
	raw, err := base64.RawStdEncoding.DecodeString(r.WitnessCAR)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]string{
		"padded":         base64.StdEncoding.EncodeToString(raw),
		"url":            base64.RawURLEncoding.EncodeToString(raw),
		"url and padded": base64.URLEncoding.EncodeToString(raw),
	} {
		r2 := *r
		r2.WitnessCAR = s
		if c, blocks, err := r2.Witness(); err != nil || c.String() != r.AnchorCommit.CID || len(blocks) != 10 {
			t.Errorf("%s: %s, %d blocks, %v", name, c, len(blocks), err)
		}
	}
}

func TestWitnessErrors(t *testing.T) {
	r, _ := loadRealResponse(t)
	raw, _ := base64.RawStdEncoding.DecodeString(r.WitnessCAR)
	roots, blocks, err := codec.DecodeCAR(raw)
	if err != nil {
		t.Fatal(err)
	}
	var withoutRoot []codec.Block
	for _, b := range blocks {
		if b.CID != roots[0] {
			withoutRoot = append(withoutRoot, b)
		}
	}
	noRootCAR, _ := codec.EncodeCAR(roots, withoutRoot)
	corrupt := append([]byte(nil), raw...)
	corrupt[len(corrupt)-1] ^= 1

	for name, tc := range map[string]struct{ witness, wantErr string }{
		"none":           {"", "no witness CAR"},
		"not base64":     {"!!!", "not base64"},
		"not a CAR":      {base64.RawStdEncoding.EncodeToString([]byte("hello")), "the witness CAR"},
		"corrupt block":  {base64.RawStdEncoding.EncodeToString(corrupt), "the witness CAR"},
		"root not there": {base64.RawStdEncoding.EncodeToString(noRootCAR), "lacks its root block"},
	} {
		r2 := Response{Status: StatusCompleted, WitnessCAR: tc.witness}
		if _, _, err := r2.Witness(); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: err = %v, want one containing %q", name, err, tc.wantErr)
		}
	}
}

func TestSetWitness(t *testing.T) {
	r, _ := loadRealResponse(t)
	anchor, blocks, err := r.Witness()
	if err != nil {
		t.Fatal(err)
	}
	var out Response
	if err := out.SetWitness(anchor, blocks); err != nil {
		t.Fatal(err)
	}
	if out.WitnessCAR != r.WitnessCAR {
		t.Error("re-encoding the real witness gave other bytes")
	}
	if strings.HasSuffix(out.WitnessCAR, "=") || out.AnchorCommit.CID != anchor.String() {
		t.Errorf("witness %q…, anchor commit %+v", out.WitnessCAR[:20], out.AnchorCommit)
	}
	var others []codec.Block
	for _, b := range blocks {
		if b.CID != anchor {
			others = append(others, b)
		}
	}
	if err := out.SetWitness(anchor, others); err == nil {
		t.Error("SetWitness accepted blocks without the anchor commit")
	}
}

func TestStatus(t *testing.T) {
	for _, s := range []Status{StatusPending, StatusProcessing, StatusCompleted, StatusFailed, StatusReady, StatusReplaced} {
		if !s.Valid() {
			t.Errorf("%s is not valid", s)
		}
	}
	if Status("pending").Valid() || Status("").Valid() {
		t.Error("an unknown status is valid")
	}
	if !StatusReplaced.Final() || StatusReady.Final() || StatusPending.Final() {
		t.Error("Final is wrong")
	}
}
