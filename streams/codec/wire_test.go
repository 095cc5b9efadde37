package codec

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/goceramic/ceramic/streams/streamid"
	"github.com/ipfs/go-cid"
)

func TestParseWireSignedContainer(t *testing.T) {
	for _, tc := range loadSignedCases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			env, payload := tc.Envelope.block(t), tc.Payload.block(t)
			inputs := map[string][]byte{
				"as sent":    tc.Container,
				"padded":     padContainer(t, tc.Container),
				"whitespace": indent(t, tc.Container),
			}
			for name, in := range inputs {
				w, err := ParseWireCommit(in)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if w.Form != FormSigned || w.CID() != env.CID || !bytes.Equal(w.Commit.Data, env.Data) {
					t.Errorf("%s: commit %s (%v), want %s", name, w.CID(), w.Form, env.CID)
				}
				if w.Payload == nil || w.Payload.CID != payload.CID || !bytes.Equal(w.Payload.Data, payload.Data) {
					t.Errorf("%s: payload = %v", name, w.Payload)
				}
				if c, ok := w.PayloadCID(); !ok || c != payload.CID {
					t.Errorf("%s: PayloadCID() = %s, %v", name, c, ok)
				}
				blocks := w.Blocks()
				wantBlocks := []Block{payload, env}
				if tc.Cacao != nil {
					wantBlocks = append([]Block{tc.Cacao.block(t)}, wantBlocks...)
				}
				if len(blocks) != len(wantBlocks) {
					t.Fatalf("%s: %d blocks, want %d", name, len(blocks), len(wantBlocks))
				}
				for i := range blocks {
					if blocks[i].CID != wantBlocks[i].CID || !bytes.Equal(blocks[i].Data, wantBlocks[i].Data) {
						t.Errorf("%s: block %d = %s, want %s", name, i, blocks[i].CID, wantBlocks[i].CID)
					}
					if err := blocks[i].Verify(); err != nil {
						t.Errorf("%s: block %d: %v", name, i, err)
					}
				}
				if _, ok := w.Type(); !ok {
					t.Errorf("%s: Type() unknown", name)
				}
			}
		})
	}
}

// padContainer adds "=" padding to every base64 field of a container.
func padContainer(t *testing.T, container []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(container, &m); err != nil {
		t.Fatal(err)
	}
	pad := func(s string) string { return s + strings.Repeat("=", (4-len(s)%4)%4) }
	m["linkedBlock"] = pad(m["linkedBlock"].(string))
	if c, ok := m["cacaoBlock"].(string); ok {
		m["cacaoBlock"] = pad(c)
	}
	jws := m["jws"].(map[string]any)
	jws["payload"] = pad(jws["payload"].(string))
	sig := jws["signatures"].([]any)[0].(map[string]any)
	sig["protected"] = pad(sig["protected"].(string))
	sig["signature"] = pad(sig["signature"].(string))
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func indent(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, data, "", "  "); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSerializeSignedCommit(t *testing.T) {
	for _, tc := range loadSignedCases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			env, payload := tc.Envelope.block(t), tc.Payload.block(t)
			var cacao *Block
			if tc.Cacao != nil {
				b := tc.Cacao.block(t)
				cacao = &b
			}

			// GET /commits sends the container without the CACAO.
			w, err := NewWireCommit(env, &payload, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(w)
			if err != nil {
				t.Fatal(err)
			}
			var want map[string]any
			if err := json.Unmarshal(tc.Container, &want); err != nil {
				t.Fatal(err)
			}
			delete(want, "cacaoBlock")
			wantJSON, _ := json.Marshal(want)
			if !jsonEqual(t, got, wantJSON) {
				t.Errorf("MarshalJSON = %s\nwant          %s", got, wantJSON)
			}

			// With the CACAO it is exactly what the client sent.
			w, err = NewWireCommit(env, &payload, cacao)
			if err != nil {
				t.Fatal(err)
			}
			got, err = json.Marshal(w)
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(t, got, tc.Container) {
				t.Errorf("MarshalJSON = %s\nwant          %s", got, tc.Container)
			}

			// And it parses back to the same blocks.
			back, err := ParseWireCommit(got)
			if err != nil {
				t.Fatal(err)
			}
			if back.CID() != env.CID {
				t.Errorf("round trip CID = %s", back.CID())
			}
		})
	}
}

func TestNewWireCommitErrors(t *testing.T) {
	cases := loadSignedCases(t)
	env, payload := cases[0].Envelope.block(t), cases[0].Payload.block(t)
	otherPayload := cases[1].Payload.block(t)
	cacao := cases[2].Cacao.block(t)
	corrupt := Block{CID: env.CID, Data: append([]byte(nil), env.Data...)}
	corrupt.Data[len(corrupt.Data)-1] ^= 1
	anchor := loadUnsigned(t).Cases[0]
	anchorBlock := Block{CID: mustCID(t, anchor.CID), Data: mustHex(t, anchor.Hex)}
	tests := []struct {
		name    string
		commit  Block
		payload *Block
		cacao   *Block
		want    error
	}{
		{"corrupt commit", corrupt, nil, nil, ErrHashMismatch},
		{"wrong payload", env, &otherPayload, nil, ErrInvalidCommit},
		{"cacao without cap", env, &payload, &cacao, ErrInvalidCommit},
		{"payload for unsigned commit", anchorBlock, &payload, nil, ErrInvalidCommit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewWireCommit(tc.commit, tc.payload, tc.cacao); !errors.Is(err, tc.want) {
				t.Errorf("error = %v, want %v", err, tc.want)
			}
		})
	}
	w, err := NewWireCommit(env, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SerializeCommit(w); err == nil {
		t.Error("serializing a signed commit without its payload succeeded")
	}
}

func TestParseWireGenesis(t *testing.T) {
	for _, tc := range loadGenesisCases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			w, err := ParseWireCommit(tc.Wire)
			if err != nil {
				t.Fatal(err)
			}
			if w.Form != FormUnsigned || w.CID().String() != tc.CID || fmt.Sprintf("%x", w.Commit.Data) != tc.Hex {
				t.Errorf("commit %s (%v) %x\nwant %s %s", w.CID(), w.Form, w.Commit.Data, tc.CID, tc.Hex)
			}
			if typ, ok := w.Type(); !ok || typ != CommitTypeGenesis {
				t.Errorf("Type() = %v, %v", typ, ok)
			}
			if len(w.Blocks()) != 1 {
				t.Errorf("%d blocks", len(w.Blocks()))
			}
			if tc.StreamID != "" {
				if got := streamid.New(streamid.Type(tc.Type), w.CID()).String(); got != tc.StreamID {
					t.Errorf("StreamID = %s, want %s", got, tc.StreamID)
				}
			}
			// The reverse gives back the wire form.
			got, err := json.Marshal(w)
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(t, got, tc.Wire) {
				t.Errorf("MarshalJSON = %s\nwant          %s", got, tc.Wire)
			}
		})
	}
}

func TestUnsignedWireForms(t *testing.T) {
	for _, tc := range loadUnsigned(t).Cases {
		t.Run(tc.Name, func(t *testing.T) {
			block := Block{CID: mustCID(t, tc.CID), Data: mustHex(t, tc.Hex)}
			w, err := NewWireCommit(block, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(w)
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(t, got, tc.Serialized) {
				t.Errorf("MarshalJSON = %s\nwant          %s", got, tc.Serialized)
			}
			back, err := ParseWireCommit(tc.Serialized)
			if err != nil {
				t.Fatal(err)
			}
			if tc.Role == "genesis" {
				// header.unique was bytes; JSON turned it into an object, so the commit
				// changes, exactly as it does with js-ceramic.
				if back.CID() == block.CID {
					t.Error("unique bytes survived the JSON round trip")
				}
				return
			}
			if back.CID() != block.CID || !bytes.Equal(back.Commit.Data, block.Data) {
				t.Errorf("ParseWireCommit CID = %s, want %s", back.CID(), block.CID)
			}
			wantForm := map[string]Form{"anchor": FormAnchor, "data": FormUnsigned}[tc.Role]
			if back.Form != wantForm {
				t.Errorf("Form = %v, want %v", back.Form, wantForm)
			}
		})
	}
}

func TestBareSignedCommit(t *testing.T) {
	tc := loadSignedCases(t)[1]
	var container map[string]json.RawMessage
	if err := json.Unmarshal(tc.Container, &container); err != nil {
		t.Fatal(err)
	}
	w, err := ParseWireCommit(container["jws"])
	if err != nil {
		t.Fatal(err)
	}
	payload := tc.Payload.block(t)
	if w.Form != FormSigned || w.Commit.Codec() != DagCBOR || w.JWS == nil || w.Payload != nil || w.Body != nil {
		t.Fatalf("bare signed commit = %+v", w)
	}
	if c, ok := w.PayloadCID(); !ok || c != payload.CID {
		t.Errorf("PayloadCID() = %s, %v", c, ok)
	}
	if _, ok := w.Type(); ok {
		t.Error("Type() known without the payload")
	}
	// js-ceramic reads such a block back as a JWS, and so do we.
	j, err := EnvelopeOf(w.Commit)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := DecodeJWS(tc.Envelope.block(t).Data)
	if !bytes.Equal(j.SigningInput(), want.SigningInput()) || !bytes.Equal(j.Signature, want.Signature) {
		t.Errorf("EnvelopeOf = %+v, want %+v", j, want)
	}
	// GET /commits returns the stored object as the jws of a container.
	full, err := NewWireCommit(w.Commit, &payload, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	var gotMap map[string]json.RawMessage
	if err := json.Unmarshal(got, &gotMap); err != nil {
		t.Fatal(err)
	}
	if !jsonEqual(t, gotMap["jws"], container["jws"]) || !jsonEqual(t, gotMap["linkedBlock"], container["linkedBlock"]) {
		t.Errorf("MarshalJSON = %s", got)
	}
}

func TestWireErrors(t *testing.T) {
	signed := loadSignedCases(t)
	plain, withCap := signed[0], signed[2]
	b64 := base64.RawStdEncoding.EncodeToString
	container := func(tc signedCase, mutate func(m map[string]any)) string {
		var m map[string]any
		if err := json.Unmarshal(tc.Container, &m); err != nil {
			t.Fatal(err)
		}
		mutate(m)
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	jws := func(m map[string]any) map[string]any { return m["jws"].(map[string]any) }
	c := CIDFor(DagCBOR, []byte{0xa0})
	tests := []struct {
		name string
		body string
		want string
	}{
		{"not json", `{`, "invalid JSON"},
		{"not an object", `[1,2]`, "the commit is a list, not a JSON object"},
		{"jws not an object", `{"jws":"x"}`, "jws is a string, not an object"},
		{"jws null", `{"jws":null}`, "jws is null, not an object"},
		{"no link", container(plain, func(m map[string]any) { delete(jws(m), "link") }), "jws.link is missing"},
		{"link mismatch", container(plain, func(m map[string]any) { jws(m)["link"] = c.String() }), "does not match the payload CID"},
		{"no linkedBlock", container(plain, func(m map[string]any) { delete(m, "linkedBlock") }), "linkedBlock is missing"},
		{"linkedBlock not base64", container(plain, func(m map[string]any) { m["linkedBlock"] = "!!" }), "linkedBlock is not valid base64"},
		{"linkedBlock base64url", container(withCap, func(m map[string]any) {
			m["linkedBlock"] = strings.NewReplacer("+", "-", "/", "_").Replace(m["linkedBlock"].(string))
		}), "linkedBlock is not valid base64"},
		{"linkedBlock mismatch", container(plain, func(m map[string]any) { m["linkedBlock"] = b64([]byte{0xa0}) }), "linkedBlock does not match jws.link"},
		{"two signatures", container(plain, func(m map[string]any) {
			s := jws(m)["signatures"].([]any)
			jws(m)["signatures"] = append(s, s[0])
		}), "exactly one signature is supported, found 2"},
		{"cacao without cap", container(plain, func(m map[string]any) { m["cacaoBlock"] = b64([]byte{0xa0}) }), "cacaoBlock given but the protected header has no cap"},
		{"cacao mismatch", container(withCap, func(m map[string]any) { m["cacaoBlock"] = b64([]byte{0xa0}) }), "cacaoBlock does not match the cap"},
		{"prev number", `{"id":"` + c.String() + `","prev":5,"data":[]}`, "prev is a number, not a CID string"},
		{"prev garbage", `{"id":"` + c.String() + `","prev":"garbage","data":[]}`, `prev "garbage" is not a CID`},
		{"proof null", `{"prev":"` + c.String() + `","proof":null,"path":""}`, "proof is null, not a CID string"},
		{"link object", `{"link":{"/":"` + c.String() + `"}}`, "link is a map, not a CID string"},
		{"model not base64", `{"header":{"controllers":[],"model":"%%%"}}`, "header.model is not valid base64"},
		{"model number", `{"header":{"controllers":[],"model":5}}`, "header.model is not a base64 string"},
		{"number overflow", `{"header":{},"data":1e400}`, "value out of range"},
		{"bare signed link mismatch", `{"link":"` + c.String() + `","payload":"` + base64.RawURLEncoding.EncodeToString(CIDFor(DagCBOR, []byte{0x80}).Bytes()) + `","signatures":[{"signature":"AQ"}]}`, "does not match the payload CID"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := ParseWireCommit([]byte(tc.body))
			if !errors.Is(err, ErrInvalidCommit) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseWireCommit = %+v, %v\nwant ErrInvalidCommit mentioning %q", w, err, tc.want)
			}
		})
	}
}

func TestWireFalsyFieldsStay(t *testing.T) {
	// deserializeCommit converts id and prev only when truthy and cacaoBlock only when
	// truthy; other values go through unchanged.
	w, err := ParseWireCommit([]byte(`{"header":{"controllers":["a"],"model":""},"id":null,"prev":"","data":0}`))
	if err != nil {
		t.Fatal(err)
	}
	body := w.Body.(map[string]any)
	if body["id"] != nil || body["prev"] != "" || body["header"].(map[string]any)["model"] != "" {
		t.Errorf("body = %#v", body)
	}
	if typ, _ := w.Type(); typ != CommitTypeGenesis {
		t.Errorf("Type() = %v", typ)
	}
	tc := loadSignedCases(t)[0]
	var m map[string]any
	if err := json.Unmarshal(tc.Container, &m); err != nil {
		t.Fatal(err)
	}
	m["cacaoBlock"] = ""
	data, _ := json.Marshal(m)
	w, err = ParseWireCommit(data)
	if err != nil || w.Cacao != nil {
		t.Errorf("empty cacaoBlock: %+v, %v", w, err)
	}
}

func TestBlockTooLarge(t *testing.T) {
	big := strings.Repeat("x", MaxBlockSize)
	genesis, _ := json.Marshal(map[string]any{"header": map[string]any{"controllers": []string{"did:key:z"}}, "data": big})
	w, err := ParseWireCommitValue(mustDecodeJSON(t, genesis))
	var tooLarge *BlockTooLargeError
	if !errors.As(err, &tooLarge) || !errors.Is(err, ErrBlockTooLarge) {
		t.Fatalf("ParseWireCommit = %+v, %v; want *BlockTooLargeError", w, err)
	}
	data := mustEncode(t, mustDecodeJSON(t, genesis))
	wantCID := CIDFor(DagCBOR, data)
	want := fmt.Sprintf("%s commit size %d exceeds the maximum block size of 256000", wantCID, len(data))
	if err.Error() != want || tooLarge.CID != wantCID || tooLarge.Size != len(data) {
		t.Errorf("error = %q\nwant    %q", err, want)
	}

	// A signed container whose payload is too large names the payload CID.
	payload := mustEncode(t, map[string]any{"data": big, "header": map[string]any{}})
	link := CIDFor(DagCBOR, payload)
	j := JWS{Payload: link.Bytes(), Protected: []byte(`{"alg":"EdDSA"}`), Signature: []byte{1}}
	body, _ := json.Marshal(map[string]any{"jws": j.Wire(), "linkedBlock": base64.StdEncoding.EncodeToString(payload)})
	_, err = ParseWireCommit(body)
	want = fmt.Sprintf("%s commit size %d exceeds the maximum block size of 256000", link, len(payload))
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}

	// Exactly MaxBlockSize is allowed.
	if err := CheckBlockSize(cid.Undef, make([]byte, MaxBlockSize)); err != nil {
		t.Errorf("CheckBlockSize(MaxBlockSize) = %v", err)
	}
}

func mustDecodeJSON(t testing.TB, data []byte) any {
	t.Helper()
	v, err := DecodeJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParseWireCommitValueInputs(t *testing.T) {
	// The same genesis given as float64, json.Number, int64 and JSON text gives one CID.
	text := []byte(`{"header":{"controllers":["did:key:z"]},"data":{"n":3,"f":0.25}}`)
	var floats any
	if err := json.Unmarshal(text, &floats); err != nil {
		t.Fatal(err)
	}
	numbers := map[string]any{
		"header": map[string]any{"controllers": []any{"did:key:z"}},
		"data":   map[string]any{"n": json.Number("3.0"), "f": json.Number("0.25")},
	}
	want, err := ParseWireCommit(text)
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{"float64": floats, "json.Number": numbers} {
		w, err := ParseWireCommitValue(v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if w.CID() != want.CID() {
			t.Errorf("%s: CID %s, want %s", name, w.CID(), want.CID())
		}
	}
	// The caller's map is not modified.
	in := map[string]any{"id": want.CID().String(), "prev": want.CID().String(), "data": []any{}}
	if _, err := ParseWireCommitValue(in); err != nil {
		t.Fatal(err)
	}
	if _, ok := in["id"].(string); !ok {
		t.Error("ParseWireCommitValue modified its input")
	}
}
