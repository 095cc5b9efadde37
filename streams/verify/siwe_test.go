package verify

import (
	"encoding/hex"
	"strings"
	"testing"
)

// The SIWE message of the §8.4 CACAO vector, written out by hand.
const vectorSIWE = `test wants you to sign in with your Ethereum account:
0x3794d4f077c08d925ff8ff820006b7353299b200

Give this application access to some of your data on Ceramic

URI: did:key:z6Mkr4a3Z3FFaJF8YqWnWnVHqd5eDjZN9bDST6wVZC1hJ81P
Version: 1
Chain ID: 1
Nonce: wPiCOcpkll
Issued At: 2024-06-12T20:04:42.464Z
Expiration Time: 2024-06-19T20:04:42.464Z
Resources:
- ceramic://*`

func vectorCapability(t *testing.T, name string) *capability {
	t.Helper()
	for _, v := range loadVectors(t) {
		if v.Name == name {
			c, err := decodeCapability(v.request(t).CACAO)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
	}
	t.Fatalf("no vector %q", name)
	return nil
}

func TestSIWEMessageVector(t *testing.T) {
	c := vectorCapability(t, "pkh-cacao-valid")
	got := siweMessage(c, "0x3794d4f077c08d925ff8ff820006b7353299b200", "1", false)
	if got != vectorSIWE {
		t.Fatalf("message:\n%s\nwant:\n%s", got, vectorSIWE)
	}
	rs, recs, err := parseEthSignature(c.sig)
	if err != nil {
		t.Fatal(err)
	}
	if !recoversAddress(eip191Hash(got), rs, recs, "0x3794d4f077c08d925ff8ff820006b7353299b200") {
		t.Error("the §8.4 signature does not recover the issuer")
	}
}

// TestChecksummedMessageVector: the did-session capabilities of the
// pkh-ethereum fixture carry a lower-case issuer but the wallet signed the
// EIP-55 spelling. The reference node only tried the issuer's spelling and
// rejected them; this package accepts them.
func TestChecksummedMessageVector(t *testing.T) {
	c := vectorCapability(t, "pkh-ethereum-validInitEvent")
	const lower = "0xabfe5c360d84609a109656d0980db7a064d97745"
	rs, recs, err := parseEthSignature(c.sig)
	if err != nil {
		t.Fatal(err)
	}
	if recoversAddress(eip191Hash(siweMessage(c, lower, "1", false)), rs, recs, lower) {
		t.Fatal("expected the issuer spelling not to verify")
	}
	cs, _ := eip55(lower)
	if cs != "0xABFE5c360D84609A109656D0980dB7A064D97745" {
		t.Fatalf("eip55 = %s", cs)
	}
	if !recoversAddress(eip191Hash(siweMessage(c, cs, "1", false)), rs, recs, lower) {
		t.Fatal("the checksummed spelling does not verify")
	}
	if err := c.verifyEIP191(); err != nil {
		t.Fatal(err)
	}
}

func TestSIWEMessageLayouts(t *testing.T) {
	c := &capability{
		domain: "d", aud: "did:key:z6Mk", version: "1", nonce: "n", iat: "2022-01-01T00:00:00Z",
		nbf: "2022-01-01T00:00:00Z", exp: "2022-01-02T00:00:00Z", requestID: "r",
		hasResources: true, resources: []string{"a", "b"},
	}
	tests := []struct {
		name   string
		edit   func(*capability)
		legacy bool
		want   string
	}{
		{name: "all fields", want: "d wants you to sign in with your Ethereum account:\n0xA\n\nURI: did:key:z6Mk\nVersion: 1\nChain ID: 5\nNonce: n\nIssued At: 2022-01-01T00:00:00Z\nExpiration Time: 2022-01-02T00:00:00Z\nNot Before: 2022-01-01T00:00:00Z\nRequest ID: r\nResources:\n- a\n- b"},
		{name: "legacy", legacy: true, want: "d wants you to sign in with your Ethereum account:\n0xA\n\nURI: did:key:z6Mk\nVersion: 1\nNonce: n\nIssued At: 2022-01-01T00:00:00Z\nExpiration Time: 2022-01-02T00:00:00Z\nNot Before: 2022-01-01T00:00:00Z\nRequest ID: r\nChain ID: 5\nResources:\n- a\n- b"},
		{name: "statement", edit: func(c *capability) { c.statement = "S"; c.exp, c.nbf, c.requestID = "", "", ""; c.resources = nil },
			want: "d wants you to sign in with your Ethereum account:\n0xA\n\nS\n\nURI: did:key:z6Mk\nVersion: 1\nChain ID: 5\nNonce: n\nIssued At: 2022-01-01T00:00:00Z"},
		{name: "legacy with empty resources", legacy: true, edit: func(c *capability) { c.exp, c.nbf, c.requestID = "", "", ""; c.resources = nil },
			want: "d wants you to sign in with your Ethereum account:\n0xA\n\nURI: did:key:z6Mk\nVersion: 1\nNonce: n\nIssued At: 2022-01-01T00:00:00Z\nChain ID: 5\nResources:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := *c
			if tt.edit != nil {
				tt.edit(&cc)
			}
			if got := siweMessage(&cc, "0xA", "5", tt.legacy); got != tt.want {
				t.Errorf("got:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
}

func TestEIP55(t *testing.T) {
	// Test vectors from the EIP-55 specification.
	for _, want := range []string{
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
		"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
		"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
	} {
		t.Run(want, func(t *testing.T) {
			got, ok := eip55(strings.ToLower(want))
			if !ok || got != want {
				t.Errorf("eip55 = %q, %v", got, ok)
			}
		})
	}
	for _, bad := range []string{"", "0x", "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea"} {
		t.Run("bad "+bad, func(t *testing.T) {
			if _, ok := eip55(bad); ok {
				t.Error("accepted")
			}
		})
	}
}

func TestAddressSpellings(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", []string{"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}},
		{"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", []string{"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"}},
		{"0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", []string{"0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}},
		{"notanaddress", []string{"notanaddress"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := addressSpellings(tt.in)
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("addressSpellings = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEIP191Hash(t *testing.T) {
	// personal_sign hash of "Hello World", as documented for Ethereum
	// libraries; and the length is counted in bytes, not characters.
	tests := []struct{ msg, want string }{
		{"Hello World", "a1de988600a42c4b4ab089b619297c17d53cffae5d5120d82d8a92d0bb3b78f2"},
	}
	for _, tt := range tests {
		t.Run(tt.msg, func(t *testing.T) {
			if got := hex.EncodeToString(eip191Hash(tt.msg)); got != tt.want {
				t.Errorf("eip191Hash = %s, want %s", got, tt.want)
			}
		})
	}
	multi := "é"
	want := keccak256([]byte("\x19Ethereum Signed Message:\n2"), []byte(multi))
	if hex.EncodeToString(eip191Hash(multi)) != hex.EncodeToString(want) {
		t.Error("length prefix is not the UTF-8 byte length")
	}
}

func TestParseEthSignature(t *testing.T) {
	r := strings.Repeat("11", 32)
	s := strings.Repeat("22", 32)
	sHigh := "a2" + strings.Repeat("22", 31)
	tests := []struct {
		name    string
		in      string
		wantRec byte
		wantS   string
		ok      bool
	}{
		{"v=27", "0x" + r + s + "1b", 0, s, true},
		{"v=28", "0x" + r + s + "1c", 1, s, true},
		{"v=0", "0x" + r + s + "00", 0, s, true},
		{"v=1", "0x" + r + s + "01", 1, s, true},
		{"v=37 (parity)", "0x" + r + s + "25", 0, s, true},
		{"upper-case hex", "0x" + strings.ToUpper(r+s) + "1B", 0, s, true},
		{"compact, even", "0x" + r + s, 0, s, true},
		{"compact, odd", "0x" + r + sHigh, 1, "22" + strings.Repeat("22", 31), true},
		{"v=2", "0x" + r + s + "02", 0, "", false},
		{"no prefix", r + s + "1b", 0, "", false},
		{"0X prefix", "0X" + r + s + "1b", 0, "", false},
		{"odd length", "0x" + r + s + "1", 0, "", false},
		{"not hex", "0x" + r + s + "zz", 0, "", false},
		{"66 bytes", "0x" + r + s + "1b00", 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, recs, err := parseEthSignature(tt.in)
			if tt.ok != (err == nil) {
				t.Fatalf("err = %v", err)
			}
			if !tt.ok {
				return
			}
			if len(recs) != 1 || recs[0] != tt.wantRec {
				t.Errorf("recs = %v, want %d", recs, tt.wantRec)
			}
			if got := hex.EncodeToString(rs[32:]); got != tt.wantS {
				t.Errorf("s = %s, want %s", got, tt.wantS)
			}
		})
	}
}
