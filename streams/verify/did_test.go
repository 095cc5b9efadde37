package verify

import (
	"bytes"
	"testing"

	"github.com/multiformats/go-multibase"
)

func mustBase58(b []byte) string {
	s, err := multibase.Encode(multibase.Base58BTC, b)
	if err != nil {
		panic(err)
	}
	return s
}

func TestParseDIDURL(t *testing.T) {
	tests := []struct {
		in     string
		did    string
		method string
		ok     bool
	}{
		{"did:key:z6Mk#z6Mk", "did:key:z6Mk", "key", true},
		{"did:key:z6Mk", "did:key:z6Mk", "key", true},
		{"did:pkh:eip155:1:0xabc#blockchainAccountId", "did:pkh:eip155:1:0xabc", "pkh", true},
		{"did:3:kjz?version-id=0#signing", "did:3:kjz", "3", true},
		{"did:web:example.com%3A8443/path?q#f", "did:web:example.com%3A8443", "web", true},
		{"did:key:z6Mk;service=x#f", "did:key:z6Mk", "key", true},
		{"did:key:", "", "", false},
		{"did:KEY:z6Mk", "", "", false},
		{"did:key:z6Mk:", "", "", false},
		{"did:key:z6Mk#a\nb", "", "", false},
		{"did:key:z 6Mk", "", "", false},
		{"key:z6Mk", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseDIDURL(tt.in)
			if ok != tt.ok || got.DID != tt.did || got.Method != tt.method {
				t.Errorf("parseDIDURL = %+v, %v; want %q %q %v", got, ok, tt.did, tt.method, tt.ok)
			}
		})
	}
}

func TestIssuerMatches(t *testing.T) {
	tests := []struct {
		controller, issuer string
		want               bool
	}{
		{"did:pkh:eip155:1:0xabc", "did:pkh:eip155:1:0xabc", true},
		{"did:pkh:eip155:1:0xABC", "did:pkh:eip155:1:0xabc", true},
		{"did:pkh:eip155:137:0xabc", "did:pkh:eip155:137:0xABC", true},
		{"did:pkh:eip155:1:0xabc", "did:pkh:eip155:5:0xabc", false},
		{"did:pkh:solana:abc:XYZ", "did:pkh:solana:abc:xyz", false},
		{"did:key:z6MkA", "did:key:z6Mka", false},
	}
	for _, tt := range tests {
		t.Run(tt.controller+" "+tt.issuer, func(t *testing.T) {
			if got := issuerMatches(tt.controller, tt.issuer); got != tt.want {
				t.Errorf("issuerMatches = %v", got)
			}
		})
	}
}

func TestResolveKeyForms(t *testing.T) {
	ed := ed25519Signer("x")
	k1 := secp256k1Signer("y", false)
	k1u := secp256k1Signer("y", true)
	tests := []struct {
		name string
		did  string
		kind keyKind
		want error
	}{
		{"ed25519", ed.did, kindEd25519, nil},
		{"secp256k1 compressed", k1.did, kindSecp256k1, nil},
		{"secp256k1 uncompressed", k1u.did, kindSecp256k1, nil},
		{"p256 compressed", "did:key:zDnaeUTt6edhe7Ed1Sm5WL3ESFunqLQYcWxeChb9zqBd3V3Jt", kindP256, nil},
		{"secp256k1 hybrid prefix", didKey(0xe7, append([]byte{6}, make([]byte, 64)...)), 0, ErrMalformed},
		{"secp256k1 not on curve", didKey(0xe7, append([]byte{2}, make([]byte, 32)...)), 0, ErrMalformed},
		{"p256 not on curve", didKey(0x1200, append([]byte{2}, bytes.Repeat([]byte{0xff}, 32)...)), 0, ErrMalformed},
		{"bad varint", "did:key:" + mustBase58([]byte{0x80}), 0, ErrMalformed},
		{"codec zero", "did:key:z1", 0, ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := parseDIDURL(tt.did)
			if !ok {
				t.Fatalf("not a DID: %s", tt.did)
			}
			k, err := resolveSigner(d)
			if tt.want != nil {
				checkErr(t, err, tt.want)
				return
			}
			if err != nil || k.kind != tt.kind || k.did != tt.did {
				t.Errorf("resolveSigner = %+v, %v", k, err)
			}
		})
	}
}
