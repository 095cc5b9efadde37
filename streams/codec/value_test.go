package codec

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/goceramic/ceramic/streams/streamid"
	"github.com/ipfs/go-cid"
)

// TestDagCBORVectors checks the bytes against JavaScript's @ipld/dag-cbor for the same
// JSON, whichever way the JSON was decoded in Go.
func TestDagCBORVectors(t *testing.T) {
	for _, tc := range loadDagCBORCases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			want := mustHex(t, tc.Hex)

			normalised, err := DecodeJSON([]byte(tc.JSON))
			if err != nil {
				t.Fatal(err)
			}
			var withNumbers any
			dec := json.NewDecoder(strings.NewReader(tc.JSON))
			dec.UseNumber()
			if err := dec.Decode(&withNumbers); err != nil {
				t.Fatal(err)
			}
			var withFloats any
			if err := json.Unmarshal([]byte(tc.JSON), &withFloats); err != nil {
				t.Fatal(err)
			}
			for name, v := range map[string]any{"DecodeJSON": normalised, "json.Number": withNumbers, "float64": withFloats} {
				got, err := EncodeDagCBOR(v)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s: EncodeDagCBOR = %x, want %x", name, got, want)
				}
			}

			decoded, err := DecodeDagCBOR(want)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(decoded, normalised) {
				t.Errorf("DecodeDagCBOR = %#v, want %#v", decoded, normalised)
			}
			if again := mustEncode(t, decoded); !bytes.Equal(again, want) {
				t.Errorf("re-encoded = %x, want %x", again, want)
			}
		})
	}
}

func TestEncodeGoValues(t *testing.T) {
	link := mustCID(t, "bafyreihlpicajpwxvn2r5uorvurqw4tknorugmbjo625a22rjb7r4lmqiu")
	linkHex := "d82a58250001711220" + hex.EncodeToString(link.Hash()[2:])
	tests := []struct {
		name string
		v    any
		hex  string
	}{
		{"int64", int64(3), "03"},
		{"int", -1, "20"},
		{"uint8", uint8(255), "18ff"},
		{"float64 integral", 3.0, "03"},
		{"float64 negative zero", math.Copysign(0, -1), "00"},
		{"float64 fraction", 1.5, "fb3ff8000000000000"},
		{"float32", float32(0.5), "fb3fe0000000000000"},
		{"float64 2^53", float64(1 << 53), "fb4340000000000000"},
		{"int64 beyond safe range stays an integer", int64(1 << 53), "1b0020000000000000"},
		{"uint64 max", uint64(math.MaxUint64), "1bffffffffffffffff"},
		{"json.Number integral", json.Number("3.0"), "03"},
		{"json.Number exponent", json.Number("1e2"), "1864"},
		{"bytes", []byte{1, 2}, "420102"},
		{"nil bytes are empty bytes", []byte(nil), "40"},
		{"cid", link, linkHex},
		{"cid pointer", &link, linkHex},
		{"nil cid pointer", (*cid.Cid)(nil), "f6"},
		{"string slice", []string{"a", "b"}, "82616161 62"},
		{"string map", map[string]string{"bb": "x", "a": "y"}, "a2616161796262626178"},
		{"nil slice", []string(nil), "f6"},
		{"nil any slice", []any(nil), "f6"},
		{"nil map", map[string]any(nil), "f6"},
		{"named byte slice", json.RawMessage("ab"), "426162"},
		{"byte array", [2]byte{1, 2}, "420102"},
		{"pointer", func() *string { s := "a"; return &s }(), "6161"},
		{"nested any", map[string]any{"l": []any{nil, true, "s"}}, "a1616c83f6f56173"},
		{"key order", map[string]any{"family": 1, "controllers": 2, "a": 3}, "a3616103666661 6d696c79016b636f6e74726f6c6c65727302"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := mustHex(t, strings.ReplaceAll(tc.hex, " ", ""))
			got, err := EncodeDagCBOR(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("EncodeDagCBOR = %x, want %x", got, want)
			}
		})
	}
}

func TestEncodeUnsupported(t *testing.T) {
	deep := any("x")
	for i := 0; i < maxDepth+2; i++ {
		deep = []any{deep}
	}
	tests := []struct {
		name string
		v    any
	}{
		{"NaN", math.NaN()},
		{"Inf", math.Inf(1)},
		{"json.Number overflow", json.Number("1e400")},
		{"json.Number garbage", json.Number("abc")},
		{"undefined cid", cid.Undef},
		{"func", func() {}},
		{"int keys", map[int]any{1: 2}},
		{"nested NaN", map[string]any{"a": []any{math.NaN()}}},
		{"too deep", deep},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := EncodeDagCBOR(tc.v); !errors.Is(err, ErrUnsupportedValue) {
				t.Errorf("error = %v, want ErrUnsupportedValue", err)
			}
		})
	}
}

func TestDecodeDagCBORStrict(t *testing.T) {
	tests := []struct {
		name string
		hex  string
	}{
		{"empty", ""},
		{"truncated", "a16161"},
		{"non-minimal integer", "1817"},
		{"non-minimal length", "7801 61"},
		{"duplicate keys", "a2616101616102"},
		{"trailing bytes", "0000"},
		{"indefinite map", "bf616101ff"},
		{"indefinite list", "9f01ff"},
		{"NaN", "fb7ff8000000000000"},
		{"Infinity", "fb7ff0000000000000"},
		{"unknown tag", "d82b4100"},
		{"link without leading zero", "d82a582401711220" + strings.Repeat("00", 32)},
		{"link not a CID", "d82a420001"},
		{"integer key", "a10102"},
		{"integer beyond int64", "1bffffffffffffffff"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := DecodeDagCBOR(mustHex(t, strings.ReplaceAll(tc.hex, " ", "")))
			if !errors.Is(err, ErrInvalidBlock) {
				t.Errorf("DecodeDagCBOR = %#v, %v; want ErrInvalidBlock", v, err)
			}
		})
	}
}

func TestDecodeDagCBORLenient(t *testing.T) {
	// Accepted as JavaScript's decoder accepts them.
	tests := []struct {
		name string
		hex  string
		want any
	}{
		{"unsorted keys", "a2626262016161 02", map[string]any{"bb": int64(1), "a": int64(2)}},
		{"undefined becomes null", "f7", nil},
		{"integral float stays a float", "fb4008000000000000", 3.0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeDagCBOR(mustHex(t, strings.ReplaceAll(tc.hex, " ", "")))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("DecodeDagCBOR = %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		want    any
		wantErr bool
	}{
		{"integral", `3.0`, int64(3), false},
		{"big integer", `12345678901234567890`, 1.2345678901234567e19, false},
		{"underflow", `1e-400`, int64(0), false},
		{"duplicate keys keep the last", `{"a":1,"a":2}`, map[string]any{"a": int64(2)}, false},
		{"overflow", `1e400`, nil, true},
		{"trailing data", `{} {}`, nil, true},
		{"not json", `{`, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeJSON([]byte(tc.json))
			if (err != nil) != tc.wantErr {
				t.Fatalf("error = %v, wantErr %v", err, tc.wantErr)
			}
			if !tc.wantErr && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("DecodeJSON = %#v, want %#v", got, tc.want)
			}
		})
	}
}

// TestDeterministicGenesis checks the deterministic genesis vectors: the dag-cbor bytes,
// the CID and the StreamID of unsigned genesis commits built in Go.
func TestDeterministicGenesis(t *testing.T) {
	did := "did:key:z6MkgSV3tAuw7gUWqKCUY7ae6uWNxqYgdwPhUJbJhF9EFXm9"
	model := streamid.New(streamid.Model, mustCID(t, "bagcqcera3v3fugov6gg5umi4lfrkkevfuo4jsjbhnrwejjpaxsgmwjlxbp5a"))
	values := map[string]any{
		"tile deterministic": map[string]any{"header": map[string]any{"controllers": []string{did}, "family": "IDX"}},
		"caip10 link": map[string]any{"header": map[string]any{
			"controllers": []any{"0x0544dcf4fce959c6c4f3b7530190cb5e1bd67cb8@eip155:1"},
			"family":      "caip10-eip155:1",
		}},
		"mid single": (&Genesis{
			Header:  map[string]any{"controllers": []any{did}, "model": model.Bytes(), "sep": "model"},
			HasData: true,
		}).Value(),
		"tile unique": map[string]any{"header": map[string]any{"controllers": []any{did}, "unique": "dGhpc2lzdW5pcXVl"}},
	}
	for _, tc := range loadGenesisCases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			v, ok := values[tc.Name]
			if !ok {
				t.Fatalf("no Go value for %q", tc.Name)
			}
			b := mustEncode(t, v)
			if got := hex.EncodeToString(b); got != tc.Hex {
				t.Errorf("bytes = %s\nwant    %s", got, tc.Hex)
			}
			c := CIDFor(DagCBOR, b)
			if c.String() != tc.CID {
				t.Errorf("CID = %s, want %s", c, tc.CID)
			}
			if tc.StreamID != "" {
				if got := streamid.New(streamid.Type(tc.Type), c).String(); got != tc.StreamID {
					t.Errorf("StreamID = %s, want %s", got, tc.StreamID)
				}
			}
		})
	}
}
