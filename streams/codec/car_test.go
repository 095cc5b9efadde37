package codec

import (
	"errors"
	"testing"

	"github.com/ipfs/go-cid"
)

func TestCARRoundTrip(t *testing.T) {
	a := NewBlock(DagCBOR, mustCBOR(t, map[string]any{"a": 1}))
	b := NewBlock(DagCBOR, mustCBOR(t, []any{a.CID, nil}))
	data, err := EncodeCAR([]cid.Cid{b.CID}, []Block{b, a})
	if err != nil {
		t.Fatal(err)
	}
	roots, blocks, err := DecodeCAR(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(roots) != 1 || !roots[0].Equals(b.CID) {
		t.Fatalf("roots = %v", roots)
	}
	if len(blocks) != 2 || !blocks[0].CID.Equals(b.CID) || string(blocks[1].Data) != string(a.Data) {
		t.Fatalf("blocks = %v", blocks)
	}
}

func TestDecodeCARRejectsBadArchives(t *testing.T) {
	a := NewBlock(DagCBOR, mustCBOR(t, map[string]any{"a": 1}))
	good, err := EncodeCAR([]cid.Cid{a.CID}, []Block{a})
	if err != nil {
		t.Fatal(err)
	}
	tampered := append([]byte(nil), good...)
	tampered[len(tampered)-1] ^= 1
	for name, data := range map[string][]byte{
		"empty":     nil,
		"truncated": good[:len(good)-3],
		"tampered":  tampered,
		"garbage":   []byte("not a car at all"),
	} {
		if _, _, err := DecodeCAR(data); !errors.Is(err, ErrInvalidCAR) {
			t.Errorf("%s: err = %v, want ErrInvalidCAR", name, err)
		}
	}
}

func mustCBOR(t *testing.T, v any) []byte {
	t.Helper()
	data, err := EncodeDagCBOR(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
