package didjws

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/multiformats/go-multibase"
)

var enc = base64.RawURLEncoding

func testSigner(t *testing.T) *Signer {
	t.Helper()
	seed, _ := hex.DecodeString("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20")
	s, err := NewSigner(seed)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewSigner(t *testing.T) {
	s := testSigner(t)
	if !strings.HasPrefix(s.DID(), "did:key:z6Mk") {
		t.Errorf("DID = %q, want an Ed25519 did:key (z6Mk…)", s.DID())
	}
	if want := s.DID() + "#" + strings.TrimPrefix(s.DID(), "did:key:"); s.KID() != want {
		t.Errorf("KID = %q, want %q", s.KID(), want)
	}
	if again := testSigner(t); again.DID() != s.DID() {
		t.Error("the same seed gave two DIDs")
	}
	for _, n := range []int{0, 31, 33, 64} {
		if _, err := NewSigner(make([]byte, n)); err == nil {
			t.Errorf("NewSigner accepted a %d-byte seed", n)
		}
	}
}

// TestKnownDID checks the did:key derivation against the DID of a known seed: the all-zero
// seed gives the well-known Ed25519 public key 3b6a27bc…da29, whose did:key is fixed.
func TestKnownDID(t *testing.T) {
	s, err := NewSigner(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := hex.DecodeString("3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29")
	id, _ := multibase.Encode(multibase.Base58BTC, append([]byte{0xed, 0x01}, pub...))
	if s.DID() != "did:key:"+id {
		t.Errorf("DID = %s, want did:key:%s", s.DID(), id)
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	s := testSigner(t)
	payload := []byte(`{"digest":"x","nonce":"n","url":"https://cas.example/api/v0/requests?a=1&b=2"}`)
	token, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || strings.ContainsAny(token, "=+/") {
		t.Fatalf("token %q is not an unpadded base64url compact JWS", token)
	}
	header, _ := enc.DecodeString(parts[0])
	if want := `{"alg":"EdDSA","kid":"` + s.KID() + `"}`; string(header) != want {
		t.Errorf("protected header = %s, want %s", header, want)
	}
	got, err := Verify(token)
	if err != nil {
		t.Fatal(err)
	}
	if got.KID != s.KID() || got.DID != s.DID() || !bytes.Equal(got.Payload, payload) {
		t.Errorf("Verify = %+v", got)
	}
}

func TestSignJSON(t *testing.T) {
	s := testSigner(t)
	token, err := s.SignJSON(map[string]string{"url": "https://h/p?a=1&b=<2>", "nonce": "n"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Verify(token)
	if err != nil {
		t.Fatal(err)
	}
	// Sorted keys, no HTML escaping: what JSON.stringify of a key-sorted object gives.
	if want := `{"nonce":"n","url":"https://h/p?a=1&b=<2>"}`; string(got.Payload) != want {
		t.Errorf("payload = %s, want %s", got.Payload, want)
	}
}

func TestVerifyRejectsTampering(t *testing.T) {
	s := testSigner(t)
	other, err := NewSigner(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	token, _ := s.Sign([]byte(`{"a":1}`))
	parts := strings.Split(token, ".")
	otherToken, _ := other.Sign([]byte(`{"a":1}`))
	otherParts := strings.Split(otherToken, ".")

	sig, _ := enc.DecodeString(parts[2])
	flipped := append([]byte(nil), sig...)
	flipped[0] ^= 1
	header := func(h string) string { return enc.EncodeToString([]byte(h)) }

	tests := []struct {
		name, token, wantErr string
	}{
		{"changed payload", parts[0] + "." + enc.EncodeToString([]byte(`{"a":2}`)) + "." + parts[2], "invalid signature"},
		{"changed signature", parts[0] + "." + parts[1] + "." + enc.EncodeToString(flipped), "invalid signature"},
		{"short signature", parts[0] + "." + parts[1] + "." + enc.EncodeToString(sig[:10]), "invalid signature"},
		{"another signer's signature", parts[0] + "." + parts[1] + "." + otherParts[2], "invalid signature"},
		{"header names another key", otherParts[0] + "." + parts[1] + "." + parts[2], "invalid signature"},
		{"header with another alg", header(`{"alg":"ES256K","kid":"`+s.KID()+`"}`) + "." + parts[1] + "." + parts[2], `JWS algorithm "ES256K" does not fit`},
		{"header without kid", header(`{"alg":"EdDSA"}`) + "." + parts[1] + "." + parts[2], `the JWS protected header has no "kid"`},
		{"header not JSON", header(`nope`) + "." + parts[1] + "." + parts[2], "the JWS protected header is not a JSON object"},
		{"not a did:key", header(`{"alg":"EdDSA","kid":"did:pkh:eip155:1:0xabc#x"}`) + "." + parts[1] + "." + parts[2], `signer "did:pkh:eip155:1:0xabc" is not a did:key`},
		{"did:key not base58btc", header(`{"alg":"EdDSA","kid":"did:key:mAbc"}`) + "." + parts[1] + "." + parts[2], "signer did:key:mAbc is not a valid did:key"},
		{"padding is part of the signing input", parts[0] + "==." + parts[1] + "." + parts[2], "invalid signature"},
		{"two parts", parts[0] + "." + parts[1], "the token is not a compact JWS"},
		{"four parts", token + ".x", "the token is not a compact JWS"},
		{"not base64url", "!!." + parts[1] + "." + parts[2], "the JWS protected header is not base64url"},
		{"payload not base64url", parts[0] + ".!!." + parts[2], "the JWS payload is not base64url"},
		{"signature not base64url", parts[0] + "." + parts[1] + ".!!", "the JWS signature is not base64url"},
		{"empty", "", "the token is not a compact JWS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Verify(tc.token)
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want prefix %q", err, tc.wantErr)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%v does not match ErrInvalid", err)
			}
		})
	}
}

func TestVerifySecp256k1(t *testing.T) {
	key, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	id, _ := multibase.Encode(multibase.Base58BTC, append([]byte{0xe7, 0x01}, key.PubKey().SerializeCompressed()...))
	kid := "did:key:" + id + "#" + id
	payload := []byte(`{"code":"c"}`)
	sign := func(alg string, highS bool) string {
		protected, _ := json.Marshal(map[string]string{"alg": alg, "kid": kid})
		input := enc.EncodeToString(protected) + "." + enc.EncodeToString(payload)
		hash := sha256.Sum256([]byte(input))
		sig := secpecdsa.Sign(key, hash[:])
		r, s := sig.R(), sig.S()
		if highS {
			s.Negate()
		}
		rb, sb := r.Bytes(), s.Bytes()
		return input + "." + enc.EncodeToString(append(rb[:], sb[:]...))
	}
	for _, highS := range []bool{false, true} {
		got, err := Verify(sign("ES256K", highS))
		if err != nil {
			t.Fatalf("high S %v: %v", highS, err)
		}
		if got.KID != kid || got.DID != "did:key:"+id || !bytes.Equal(got.Payload, payload) {
			t.Errorf("Verify = %+v", got)
		}
	}
	if _, err := Verify(sign("EdDSA", false)); err == nil || !strings.HasPrefix(err.Error(), `JWS algorithm "EdDSA" does not fit`) {
		t.Errorf("wrong alg: err = %v", err)
	}
	token := sign("ES256K", false)
	tampered := token[:strings.LastIndex(token, ".")-2] + "AA" + token[strings.LastIndex(token, "."):]
	if _, err := Verify(tampered); err == nil {
		t.Error("a tampered secp256k1 token verified")
	}
}

func TestSignNil(t *testing.T) {
	var s *Signer
	if _, err := s.Sign(nil); err == nil {
		t.Error("a nil signer signed")
	}
}
