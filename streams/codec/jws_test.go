package codec

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ceramicnetwork/go-dag-jose/dagjose"
	"github.com/goceramic/ceramic/streams/streamid"
	"github.com/ipld/go-ipld-prime/node/basicnode"
)

func TestSignedCommitVectors(t *testing.T) {
	for _, tc := range loadSignedCases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			env := tc.Envelope.block(t)
			payload := tc.Payload.block(t)
			if CIDFor(DagJOSE, env.Data) != env.CID {
				t.Fatalf("fixture envelope does not hash to %s", env.CID)
			}

			j, err := DecodeJWS(env.Data)
			if err != nil {
				t.Fatal(err)
			}
			link, err := j.Link()
			if err != nil || link != payload.CID {
				t.Errorf("Link() = %s, %v; want %s", link, err, payload.CID)
			}
			if string(j.Protected) != tc.Protected {
				t.Errorf("Protected = %s, want %s", j.Protected, tc.Protected)
			}
			if got := string(j.SigningInput()); got != tc.SigningInput {
				t.Errorf("SigningInput() = %s, want %s", got, tc.SigningInput)
			}
			if len(j.Signature) != 64 {
				t.Errorf("Ed25519 signature has %d bytes", len(j.Signature))
			}

			var header map[string]any
			if err := json.Unmarshal([]byte(tc.Protected), &header); err != nil {
				t.Fatal(err)
			}
			if got := j.KID(); got != header["kid"] {
				t.Errorf("KID() = %q, want %q", got, header["kid"])
			}
			capCID, hasCap, err := j.Cap()
			if err != nil {
				t.Fatal(err)
			}
			if hasCap != (tc.Cacao != nil) {
				t.Errorf("Cap() ok = %v", hasCap)
			}
			if tc.Cacao != nil && capCID != tc.Cacao.block(t).CID {
				t.Errorf("Cap() = %s, want %s", capCID, tc.Cacao.CID)
			}

			// Re-encoding gives the original bytes, hence the original CID.
			again, err := EncodeJWS(j)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, env.Data) {
				t.Errorf("EncodeJWS = %x\nwant        %x", again, env.Data)
			}

			// The dag-jose codec plugin of go-ipld-prime agrees.
			nb := basicnode.Prototype.Any.NewBuilder()
			if err := dagjose.Decode(nb, bytes.NewReader(env.Data)); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := dagjose.Encode(nb.Build(), &buf); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), env.Data) {
				t.Errorf("go-dag-jose re-encodes to %x", buf.Bytes())
			}

			if tc.StreamID != "" {
				id := streamid.New(streamid.Type(*tc.StreamType), env.CID)
				if id.String() != tc.StreamID {
					t.Errorf("StreamID = %s, want %s", id, tc.StreamID)
				}
			}

			v, err := DecodeBlock(env.CID, env.Data)
			if err != nil {
				t.Fatal(err)
			}
			if FormOf(env.Codec(), v) != FormSigned {
				t.Errorf("FormOf = %v", FormOf(env.Codec(), v))
			}
		})
	}
}

func TestJWSRoundTrip(t *testing.T) {
	link := CIDFor(DagCBOR, []byte{0xa0})
	tests := []struct {
		name string
		j    JWS
	}{
		{"minimal", JWS{Payload: link.Bytes(), Protected: []byte(`{"alg":"EdDSA"}`), Signature: []byte{1, 2, 3}}},
		{"no protected header", JWS{Payload: link.Bytes(), Signature: []byte{1}}},
		{"empty signature", JWS{Payload: link.Bytes(), Protected: []byte(`{}`), Signature: []byte{}}},
		{"unprotected header with any values", JWS{
			Payload: link.Bytes(), Protected: []byte(`{}`), Signature: []byte{9},
			Header: map[string]any{"b": true, "n": nil, "i": int64(-4), "f": 0.5, "l": []any{"x"}, "c": link},
		}},
		{"empty unprotected header", JWS{Payload: link.Bytes(), Signature: []byte{9}, Header: map[string]any{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := EncodeJWS(tc.j)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeJWS(data)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.j
			if !reflect.DeepEqual(got, want) {
				t.Errorf("DecodeJWS(EncodeJWS(j)) = %#v\nwant %#v", got, want)
			}
			// The JSON form round-trips too.
			fromWire, err := JWSFromWire(roundTripJSON(t, tc.j.Wire()))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(fromWire.Payload, want.Payload) || !bytes.Equal(fromWire.Protected, want.Protected) ||
				!bytes.Equal(fromWire.Signature, want.Signature) {
				t.Errorf("JWSFromWire(Wire()) = %#v", fromWire)
			}
		})
	}
}

// roundTripJSON passes v through encoding/json and DecodeJSON, as an HTTP body would.
func roundTripJSON(t testing.TB, v any) any {
	t.Helper()
	data, err := json.Marshal(jsonValue(v))
	if err != nil {
		t.Fatal(err)
	}
	out, err := DecodeJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDecodeJWSErrors(t *testing.T) {
	link := CIDFor(DagCBOR, []byte{0xa0})
	sig := map[string]any{"protected": []byte(`{}`), "signature": []byte{1}}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not dag-cbor", []byte{0xff}, "not valid dag-cbor"},
		{"not a map", mustEncode(t, []any{}), "not a map"},
		{"JWE", mustEncode(t, map[string]any{"ciphertext": []byte{1}, "iv": []byte{1}, "protected": []byte{1}, "tag": []byte{1}}), "encrypted JWE"},
		{"no payload", mustEncode(t, map[string]any{"signatures": []any{sig}}), "no payload"},
		{"payload string", mustEncode(t, map[string]any{"payload": link.String(), "signatures": []any{sig}}), "payload is not bytes"},
		{"payload not a CID", mustEncode(t, map[string]any{"payload": []byte(`{"a":1}`), "signatures": []any{sig}}), "payload is not a CID"},
		{"no signatures", mustEncode(t, map[string]any{"payload": link.Bytes()}), "signatures is missing"},
		{"zero signatures", mustEncode(t, map[string]any{"payload": link.Bytes(), "signatures": []any{}}), "exactly one signature is supported, found 0"},
		{"two signatures", mustEncode(t, map[string]any{"payload": link.Bytes(), "signatures": []any{sig, sig}}), "exactly one signature is supported, found 2"},
		{"signature not a map", mustEncode(t, map[string]any{"payload": link.Bytes(), "signatures": []any{"x"}}), "signature is not a map"},
		{"no signature bytes", mustEncode(t, map[string]any{"payload": link.Bytes(), "signatures": []any{map[string]any{"protected": []byte{1}}}}), "signature is missing"},
		{"protected string", mustEncode(t, map[string]any{"payload": link.Bytes(), "signatures": []any{map[string]any{"protected": "x", "signature": []byte{1}}}}), "protected is not bytes"},
		{"header list", mustEncode(t, map[string]any{"payload": link.Bytes(), "signatures": []any{map[string]any{"header": []any{}, "signature": []byte{1}}}}), "header is not a map"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeJWS(tc.data)
			if !errors.Is(err, ErrInvalidJWS) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want ErrInvalidJWS mentioning %q", err, tc.want)
			}
		})
	}
}

func TestEncodeJWSRefusesNonCIDPayload(t *testing.T) {
	if _, err := EncodeJWS(JWS{Payload: []byte("hello"), Signature: []byte{1}}); !errors.Is(err, ErrInvalidJWS) {
		t.Errorf("error = %v, want ErrInvalidJWS", err)
	}
}

func TestJWSHeaderAccessors(t *testing.T) {
	capCID := CIDFor(DagCBOR, []byte{0xa0})
	tests := []struct {
		name      string
		protected string
		kid       string
		hasCap    bool
		capErr    bool
	}{
		{"kid only", `{"alg":"EdDSA","kid":"did:key:z6Mk#z6Mk"}`, "did:key:z6Mk#z6Mk", false, false},
		{"with cap", `{"alg":"EdDSA","cap":"ipfs://` + capCID.String() + `","kid":"k"}`, "k", true, false},
		{"cap not a string", `{"cap":5}`, "", false, true},
		{"cap not a CID", `{"cap":"ipfs://nope"}`, "", false, true},
		{"not json", `{`, "", false, true},
		{"not an object", `[1]`, "", false, true},
		{"empty", ``, "", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j := JWS{Protected: []byte(tc.protected)}
			if got := j.KID(); got != tc.kid {
				t.Errorf("KID() = %q, want %q", got, tc.kid)
			}
			c, ok, err := j.Cap()
			if (err != nil) != tc.capErr || ok != tc.hasCap {
				t.Fatalf("Cap() = %s, %v, %v", c, ok, err)
			}
			if err != nil && !errors.Is(err, ErrInvalidJWS) {
				t.Errorf("Cap() error = %v, want ErrInvalidJWS", err)
			}
			if ok && c != capCID {
				t.Errorf("Cap() = %s, want %s", c, capCID)
			}
		})
	}
}

func TestJWSFromWireErrors(t *testing.T) {
	link := CIDFor(DagCBOR, []byte{0xa0})
	other := CIDFor(DagCBOR, []byte{0x80})
	payload := encodeBase64(link.Bytes(), base64URL)
	good := func() map[string]any {
		return map[string]any{
			"payload":    payload,
			"signatures": []any{map[string]any{"protected": "e30", "signature": "AQ"}},
			"link":       link.String(),
		}
	}
	tests := []struct {
		name   string
		mutate func(m map[string]any)
		want   string
	}{
		{"ok", func(map[string]any) {}, ""},
		{"padded", func(m map[string]any) { m["payload"] = payload + strings.Repeat("=", (4-len(payload)%4)%4) }, ""},
		{"no link", func(m map[string]any) { delete(m, "link") }, ""},
		{"link mismatch", func(m map[string]any) { m["link"] = other.String() }, "does not match the payload CID"},
		{"link not a CID", func(m map[string]any) { m["link"] = "nope" }, "jws.link"},
		{"link number", func(m map[string]any) { m["link"] = int64(1) }, "jws.link is not a CID string"},
		{"payload standard base64", func(m map[string]any) { m["payload"] = strings.NewReplacer("-", "+", "_", "/").Replace(payload) + "+/" }, "jws.payload is not valid base64url"},
		{"payload missing", func(m map[string]any) { delete(m, "payload") }, "jws.payload is missing"},
		{"payload not a CID", func(m map[string]any) { m["payload"] = "aGVsbG8" }, "jws.payload is not a CID"},
		{"signatures missing", func(m map[string]any) { delete(m, "signatures") }, "jws.signatures is missing"},
		{"two signatures", func(m map[string]any) {
			m["signatures"] = []any{map[string]any{"signature": "AQ"}, map[string]any{"signature": "AQ"}}
		}, "exactly one signature"},
		{"signature missing", func(m map[string]any) { m["signatures"] = []any{map[string]any{}} }, "jws.signatures[0].signature is missing"},
		{"protected number", func(m map[string]any) {
			m["signatures"] = []any{map[string]any{"signature": "AQ", "protected": int64(1)}}
		}, "jws.signatures[0].protected is not a base64url string"},
		{"line break", func(m map[string]any) { m["signatures"] = []any{map[string]any{"signature": "A\nQ"}} }, "line breaks"},
		{"non-zero padding bits", func(m map[string]any) { m["signatures"] = []any{map[string]any{"signature": "AR"}} }, "not valid base64url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := good()
			tc.mutate(m)
			j, err := JWSFromWire(m)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if l, _ := j.Link(); l != link {
					t.Errorf("Link() = %s", l)
				}
				return
			}
			if !errors.Is(err, ErrInvalidJWS) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want ErrInvalidJWS mentioning %q", err, tc.want)
			}
		})
	}
}
