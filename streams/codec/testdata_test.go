package codec

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/ipfs/go-cid"
)

// Fixture types for the files in testdata/.

type hexBlock struct {
	CID string `json:"cid"`
	Hex string `json:"hex"`
}

func (b hexBlock) block(t testing.TB) Block {
	t.Helper()
	return Block{CID: mustCID(t, b.CID), Data: mustHex(t, b.Hex)}
}

type dagCBORCase struct {
	Name string `json:"name"`
	JSON string `json:"json"`
	Hex  string `json:"hex"`
}

type genesisCase struct {
	Name     string          `json:"name"`
	Type     uint64          `json:"type"`
	Wire     json.RawMessage `json:"wire"`
	Hex      string          `json:"hex"`
	CID      string          `json:"cid"`
	StreamID string          `json:"streamId"`
}

type signedCase struct {
	Name         string          `json:"name"`
	Envelope     hexBlock        `json:"envelope"`
	Payload      hexBlock        `json:"payload"`
	Cacao        *hexBlock       `json:"cacao"`
	Protected    string          `json:"protected"`
	SigningInput string          `json:"signingInput"`
	Container    json.RawMessage `json:"container"`
	StreamType   *uint64         `json:"streamType"`
	StreamID     string          `json:"streamId"`
}

type unsignedCase struct {
	Name       string          `json:"name"`
	Role       string          `json:"role"`
	CID        string          `json:"cid"`
	Hex        string          `json:"hex"`
	Serialized json.RawMessage `json:"serialized"`
}

type unsignedFile struct {
	Cases []unsignedCase `json:"cases"`
	Proof hexBlock       `json:"proof"`
	Root  hexBlock       `json:"root"`
}

func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func loadDagCBORCases(t testing.TB) []dagCBORCase {
	var f struct {
		Cases []dagCBORCase `json:"cases"`
	}
	loadJSON(t, "dagcbor.json", &f)
	return f.Cases
}

func loadGenesisCases(t testing.TB) []genesisCase {
	var f struct {
		Cases []genesisCase `json:"cases"`
	}
	loadJSON(t, "genesis.json", &f)
	return f.Cases
}

func loadSignedCases(t testing.TB) []signedCase {
	var f struct {
		Cases []signedCase `json:"cases"`
	}
	loadJSON(t, "signed.json", &f)
	return f.Cases
}

func loadUnsigned(t testing.TB) unsignedFile {
	var f unsignedFile
	loadJSON(t, "unsigned.json", &f)
	return f
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustCID(t testing.TB, s string) cid.Cid {
	t.Helper()
	c, err := cid.Decode(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustEncode(t testing.TB, v any) []byte {
	t.Helper()
	b, err := EncodeDagCBOR(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsonEqual compares two JSON documents semantically.
func jsonEqual(t testing.TB, got, want []byte) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got: %v", err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want: %v", err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	return string(gb) == string(wb)
}
