package verify

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
)

// vector is one case of testdata/vectors.json: a signed commit taken from a
// published test fixture, the request context to verify it in, and the
// expected outcome.
type vector struct {
	Name       string `json:"name"`
	Source     string `json:"source"`
	Protected  string `json:"protected"` // protected header JSON text
	Payload    string `json:"payload"`   // payload CID
	Signature  string `json:"signature"` // base64url
	CACAO      string `json:"cacao"`     // base64 dag-cbor block
	CACAOCID   string `json:"cacaoCID"`
	Controller string `json:"controller"`
	StreamID   string `json:"streamID"`
	Model      string `json:"model"`
	Now        string `json:"now"`
	At         string `json:"at"`
	Want       string `json:"want"` // "ok" or a key of wantErrors
	Signer     string `json:"signer"`
	Expires    string `json:"expires"`
}

var wantErrors = map[string]error{
	"malformed":         ErrMalformed,
	"unsupported":       ErrUnsupported,
	"invalid-signature": ErrInvalidSignature,
	"unauthorized":      ErrUnauthorized,
	"expired":           ErrExpired,
	"not-yet-valid":     ErrNotYetValid,
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

func (v vector) request(t testing.TB) Request {
	t.Helper()
	payload, err := cid.Decode(v.Payload)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(v.Signature)
	if err != nil {
		t.Fatal(err)
	}
	r := Request{
		JWS:        JWS{Protected: []byte(v.Protected), Payload: payload.Bytes(), Signature: sig},
		Controller: v.Controller,
		StreamID:   v.StreamID,
		Model:      v.Model,
		Now:        mustTime(t, v.Now),
	}
	if v.CACAO != "" {
		if r.CACAO, err = base64.StdEncoding.DecodeString(v.CACAO); err != nil {
			t.Fatal(err)
		}
		if r.CACAOCID, err = cid.Decode(v.CACAOCID); err != nil {
			t.Fatal(err)
		}
	}
	if v.At != "" {
		at := mustTime(t, v.At)
		r.AtTime = &at
	}
	return r
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			req := v.request(t)
			if v.CACAO != "" {
				// The block really is the one the vector says.
				got, err := req.CACAOCID.Prefix().Sum(req.CACAO)
				if err != nil || !got.Equals(req.CACAOCID) {
					t.Fatalf("CACAO block does not hash to %s", req.CACAOCID)
				}
			}
			res, err := Verify(req)
			if v.Want == "ok" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if res.SignerDID != v.Signer {
					t.Errorf("SignerDID = %q, want %q", res.SignerDID, v.Signer)
				}
				checkExpires(t, res, v.Expires)
				return
			}
			want, ok := wantErrors[v.Want]
			if !ok {
				t.Fatalf("unknown want %q", v.Want)
			}
			if !errors.Is(err, want) {
				t.Fatalf("Verify error = %v, want %v", err, want)
			}
			t.Logf("%v", err)
		})
	}
}

func checkExpires(t *testing.T, res Result, want string) {
	t.Helper()
	switch {
	case want == "" && res.CapabilityExpires != nil:
		t.Errorf("CapabilityExpires = %v, want none", res.CapabilityExpires)
	case want != "" && res.CapabilityExpires == nil:
		t.Errorf("CapabilityExpires = nil, want %s", want)
	case want != "" && !res.CapabilityExpires.Equal(mustTime(t, want)):
		t.Errorf("CapabilityExpires = %v, want %s", res.CapabilityExpires, want)
	}
}
