package verify

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ipfs/go-cid"
)

var testNow = time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC)

// flip returns a copy of b with one bit changed.
func flip(b []byte, i int) []byte {
	c := append([]byte{}, b...)
	c[i%len(c)] ^= 0x01
	return c
}

func TestVerifyDirectSigners(t *testing.T) {
	ed := ed25519Signer("ed")
	k1 := secp256k1Signer("k1", false)
	k1u := secp256k1Signer("k1u", true)
	other := ed25519Signer("other")
	payload := payloadCID(t, "payload")

	highS := func() JWS {
		j := makeJWS(k1, hdr(algES256K, kidOf(k1.did), ""), payload, algES256K)
		var s secp256k1.ModNScalar
		s.SetByteSlice(j.Signature[32:])
		s.Negate()
		b := s.Bytes()
		copy(j.Signature[32:], b[:])
		return j
	}

	tests := []struct {
		name       string
		jws        JWS
		controller string
		want       error // nil = accepted
		wantSigner string
		wantText   string
	}{
		{name: "ed25519 EdDSA", jws: makeJWS(ed, hdr(algEdDSA, kidOf(ed.did), ""), payload, algEdDSA), controller: ed.did, wantSigner: ed.did},
		{name: "ed25519 legacy alg name", jws: makeJWS(ed, hdr(algEd25519, kidOf(ed.did), ""), payload, algEd25519), controller: ed.did, wantSigner: ed.did},
		{name: "ed25519 kid without fragment", jws: makeJWS(ed, hdr(algEdDSA, ed.did, ""), payload, algEdDSA), controller: ed.did, wantSigner: ed.did},
		{name: "ed25519 kid with query", jws: makeJWS(ed, hdr(algEdDSA, ed.did+"?versionTime=2024-01-01T00:00:00Z#x", ""), payload, algEdDSA), controller: ed.did, wantSigner: ed.did},
		{name: "secp256k1 ES256K", jws: makeJWS(k1, hdr(algES256K, kidOf(k1.did), ""), payload, algES256K), controller: k1.did, wantSigner: k1.did},
		{name: "secp256k1 ES256K high S", jws: highS(), controller: k1.did, wantSigner: k1.did},
		{name: "secp256k1 ES256K-R", jws: makeJWS(k1, hdr(algES256KR, kidOf(k1.did), ""), payload, algES256KR), controller: k1.did, wantSigner: k1.did},
		{name: "secp256k1 ES256K-R without recovery byte", jws: makeJWS(k1, hdr(algES256KR, kidOf(k1.did), ""), payload, algES256K), controller: k1.did, wantSigner: k1.did},
		{name: "secp256k1 uncompressed did:key", jws: makeJWS(k1u, hdr(algES256K, kidOf(k1u.did), ""), payload, algES256K), controller: k1u.did, wantSigner: k1u.did},

		{name: "tampered payload", jws: func() JWS {
			j := makeJWS(ed, hdr(algEdDSA, kidOf(ed.did), ""), payload, algEdDSA)
			j.Payload = payloadCID(t, "other payload").Bytes()
			return j
		}(), controller: ed.did, want: ErrInvalidSignature, wantText: "invalid signature for signer " + ed.did},
		{name: "tampered header", jws: func() JWS {
			j := makeJWS(ed, hdr(algEdDSA, kidOf(ed.did), ""), payload, algEdDSA)
			j.Protected = []byte(hdr(algEdDSA, ed.did+"#other", ""))
			return j
		}(), controller: ed.did, want: ErrInvalidSignature},
		{name: "tampered ed25519 signature", jws: func() JWS {
			j := makeJWS(ed, hdr(algEdDSA, kidOf(ed.did), ""), payload, algEdDSA)
			j.Signature = flip(j.Signature, 10)
			return j
		}(), controller: ed.did, want: ErrInvalidSignature},
		{name: "tampered secp256k1 signature", jws: func() JWS {
			j := makeJWS(k1, hdr(algES256K, kidOf(k1.did), ""), payload, algES256K)
			j.Signature = flip(j.Signature, 40)
			return j
		}(), controller: k1.did, want: ErrInvalidSignature},
		{name: "tampered secp256k1 payload", jws: func() JWS {
			j := makeJWS(k1, hdr(algES256K, kidOf(k1.did), ""), payload, algES256K)
			j.Payload = payloadCID(t, "x").Bytes()
			return j
		}(), controller: k1.did, want: ErrInvalidSignature},
		{name: "tampered ES256K-R signature", jws: func() JWS {
			j := makeJWS(k1, hdr(algES256KR, kidOf(k1.did), ""), payload, algES256KR)
			j.Signature = flip(j.Signature, 5)
			return j
		}(), controller: k1.did, want: ErrInvalidSignature},
		{name: "signed by another key under the controller's kid", jws: func() JWS {
			j := makeJWS(other, hdr(algEdDSA, kidOf(ed.did), ""), payload, algEdDSA)
			return j
		}(), controller: ed.did, want: ErrInvalidSignature},
		{name: "EdDSA header with a secp256k1 key", jws: makeJWS(k1, hdr(algEdDSA, kidOf(k1.did), ""), payload, algES256K), controller: k1.did, want: ErrInvalidSignature},
		{name: "ES256K signature of 65 bytes", jws: makeJWS(k1, hdr(algES256K, kidOf(k1.did), ""), payload, algES256KR), controller: k1.did, want: ErrInvalidSignature},
		{name: "ES256 with a secp256k1 key", jws: makeJWS(k1, hdr(algES256, kidOf(k1.did), ""), payload, algES256K), controller: k1.did, want: ErrInvalidSignature},

		{name: "wrong controller", jws: makeJWS(ed, hdr(algEdDSA, kidOf(ed.did), ""), payload, algEdDSA), controller: other.did,
			want: ErrUnauthorized, wantText: "verify: signer " + ed.did + " is not the stream controller " + other.did},
		{name: "did:pkh controller without capability", jws: makeJWS(ed, hdr(algEdDSA, kidOf(ed.did), ""), payload, algEdDSA),
			controller: "did:pkh:eip155:1:" + newWallet("a").addr, want: ErrUnauthorized},
		{name: "3ID controller", jws: makeJWS(ed, hdr(algEdDSA, kidOf(ed.did), ""), payload, algEdDSA),
			controller: "did:3:kjzl6cwe1jw147dvq16zluojmraqvwdmbh61dx9e0c59i344lcrsgqfohexp60s", want: ErrUnsupported},

		{name: "unknown algorithm", jws: makeJWS(ed, hdr("HS256", kidOf(ed.did), ""), payload, algEdDSA), controller: ed.did, want: ErrUnsupported},
		{name: "prototype-name algorithm", jws: makeJWS(ed, hdr("toString", kidOf(ed.did), ""), payload, algEdDSA), controller: ed.did, want: ErrUnsupported},
		{name: "3ID signer", jws: JWS{Protected: []byte(hdr(algEdDSA, "did:3:kjzl6cwe1jw147dvq16zluojmraqvwdmbh61dx9e0c59i344lcrsgqfohexp60s?version-id=0#signing", "")), Payload: payload.Bytes(), Signature: make([]byte, 64)},
			controller: "did:3:kjzl6cwe1jw147dvq16zluojmraqvwdmbh61dx9e0c59i344lcrsgqfohexp60s", want: ErrUnsupported},
		{name: "did:key of unknown type", jws: JWS{Protected: []byte(hdr(algEdDSA, didKey(0x1205, make([]byte, 32)), "")), Payload: payload.Bytes(), Signature: make([]byte, 64)},
			controller: didKey(0x1205, make([]byte, 32)), want: ErrUnsupported},
		{name: "did:key P-384", jws: JWS{Protected: []byte(hdr(algES256, didKey(0x1201, make([]byte, 49)), "")), Payload: payload.Bytes(), Signature: make([]byte, 64)},
			controller: didKey(0x1201, make([]byte, 49)), want: ErrUnsupported},
		{name: "did:key Ed25519 of wrong length", jws: JWS{Protected: []byte(hdr(algEdDSA, didKey(0xed, make([]byte, 31)), "")), Payload: payload.Bytes(), Signature: make([]byte, 64)},
			controller: didKey(0xed, make([]byte, 31)), want: ErrMalformed},
		{name: "did:key not base58btc", jws: JWS{Protected: []byte(hdr(algEdDSA, "did:key:mABCD", "")), Payload: payload.Bytes(), Signature: make([]byte, 64)},
			controller: "did:key:mABCD", want: ErrMalformed},
		{name: "kid is not a DID URL", jws: JWS{Protected: []byte(hdr(algEdDSA, "z6Mk", "")), Payload: payload.Bytes(), Signature: make([]byte, 64)},
			controller: ed.did, want: ErrMalformed},
		{name: "no kid", jws: JWS{Protected: []byte(`{"alg":"EdDSA"}`), Payload: payload.Bytes(), Signature: make([]byte, 64)}, controller: ed.did, want: ErrMalformed},
		{name: "kid not a string", jws: JWS{Protected: []byte(`{"alg":"EdDSA","kid":7}`), Payload: payload.Bytes(), Signature: make([]byte, 64)}, controller: ed.did, want: ErrMalformed},
		{name: "no alg", jws: JWS{Protected: []byte(`{"kid":"` + ed.did + `"}`), Payload: payload.Bytes(), Signature: make([]byte, 64)}, controller: ed.did, want: ErrMalformed},
		{name: "header not JSON", jws: JWS{Protected: []byte(`eyJhbGciOi`), Payload: payload.Bytes(), Signature: make([]byte, 64)}, controller: ed.did, want: ErrMalformed},
		{name: "header JSON array", jws: JWS{Protected: []byte(`["EdDSA"]`), Payload: payload.Bytes(), Signature: make([]byte, 64)}, controller: ed.did, want: ErrMalformed},
		{name: "payload not a CID", jws: JWS{Protected: []byte(hdr(algEdDSA, kidOf(ed.did), "")), Payload: []byte("not a cid"), Signature: make([]byte, 64)}, controller: ed.did, want: ErrMalformed},
		{name: "empty signature", jws: JWS{Protected: []byte(hdr(algEdDSA, kidOf(ed.did), "")), Payload: payload.Bytes()}, controller: ed.did, want: ErrMalformed},
		{name: "no controller", jws: makeJWS(ed, hdr(algEdDSA, kidOf(ed.did), ""), payload, algEdDSA), controller: "", want: ErrMalformed},
		{name: "cap without block", jws: makeJWS(ed, hdr(algEdDSA, kidOf(ed.did), "ipfs://"+payload.String()), payload, algEdDSA), controller: ed.did, want: ErrMalformed},
		{name: "cap not a CID", jws: makeJWS(ed, hdr(algEdDSA, kidOf(ed.did), "ipfs://nope"), payload, algEdDSA), controller: ed.did, want: ErrMalformed},
		{name: "cap of wrong type", jws: JWS{Protected: []byte(`{"alg":"EdDSA","cap":{"/":"x"},"kid":"` + ed.did + `"}`), Payload: payload.Bytes(), Signature: make([]byte, 64)}, controller: ed.did, want: ErrMalformed},
		{name: "falsy cap means none", jws: makeJWS(ed, `{"alg":"EdDSA","cap":"","kid":"`+kidOf(ed.did)+`"}`, payload, algEdDSA), controller: ed.did, wantSigner: ed.did},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Verify(Request{JWS: tt.jws, Controller: tt.controller, StreamID: testStreamID, Now: testNow})
			checkOutcome(t, res, err, tt.want, tt.wantText)
			if tt.want == nil && res.SignerDID != tt.wantSigner {
				t.Errorf("SignerDID = %q, want %q", res.SignerDID, tt.wantSigner)
			}
			if tt.want == nil && res.CapabilityExpires != nil {
				t.Errorf("CapabilityExpires = %v without a capability", res.CapabilityExpires)
			}
		})
	}
}

func checkOutcome(t *testing.T, res Result, err, want error, wantText string) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("Verify error = %v, want %v", err, want)
	}
	if !strings.HasPrefix(err.Error(), "verify: ") {
		t.Errorf("error %q lacks the package prefix", err)
	}
	if wantText != "" && !strings.Contains(err.Error(), wantText) {
		t.Errorf("error %q does not contain %q", err, wantText)
	}
	if res != (Result{}) {
		t.Errorf("Result = %+v on error", res)
	}
}

// TestVerifyPkhDirect covers a did:pkh:eip155 account signing a JWS itself
// (ES256K over SHA-256, the signer found by key recovery).
func TestVerifyPkhDirect(t *testing.T) {
	w := newWallet("direct")
	did := "did:pkh:eip155:1:" + w.addr
	acct := signer{did: did, sign: func(alg string, in []byte) []byte { return signSecp(w.priv, alg, in) }}
	payload := payloadCID(t, "p")
	tests := []struct {
		name string
		alg  string
		kid  string
		want error
	}{
		{name: "ES256K", alg: algES256K, kid: did + "#blockchainAccountId"},
		{name: "ES256K-R", alg: algES256KR, kid: did + "#blockchainAccountId"},
		{name: "EdDSA cannot be verified", alg: algEdDSA, kid: did, want: ErrInvalidSignature},
		{name: "other account", alg: algES256K, kid: "did:pkh:eip155:1:" + newWallet("x").addr, want: ErrUnauthorized},
		{name: "bitcoin account", alg: algES256K, kid: "did:pkh:bip122:000000000019d6689c085ae165831e93:128Lkh3S7CkDTBZ8W7BbpsN3YYizJMp8p6", want: ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := makeJWS(acct, hdr(tt.alg, tt.kid, ""), payload, tt.alg)
			controller, _, _ := strings.Cut(tt.kid, "#")
			if tt.want == ErrUnauthorized {
				controller = did
			}
			res, err := Verify(Request{JWS: j, Controller: controller, StreamID: testStreamID, Now: testNow})
			checkOutcome(t, res, err, tt.want, "")
		})
	}
}

// sessionJWS signs payload with session under a capability.
func sessionJWS(s signer, capID cid.Cid, payload cid.Cid) JWS {
	alg := algEdDSA
	if strings.HasPrefix(strings.TrimPrefix(s.did, "did:key:"), "zQ3s") {
		alg = algES256K
	}
	return makeJWS(s, hdr(alg, kidOf(s.did), "ipfs://"+capID.String()), payload, alg)
}

func TestVerifyCACAO(t *testing.T) {
	session := ed25519Signer("session")
	secpSession := secp256k1Signer("secp session", false)
	w := newWallet("alice")
	mallory := newWallet("mallory")
	checksummed, _ := eip55(w.addr)
	payload := payloadCID(t, "update")
	otherPayload := payloadCID(t, "other")

	type tc struct {
		name       string
		cacao      func() testCACAO
		signAddr   string // address spelling in the signed message; "" = lower case
		legacy     bool   // sign the legacy message layout
		signer     *wallet
		session    signer
		controller string // "" = did:pkh:eip155:1:<lower-case address>
		model      string
		now        time.Time
		at         *time.Time
		payload    cid.Cid
		edit       func(*testCACAO) // applied after signing
		rawSig     func(sig string) string
		want       error
		wantText   string
	}
	base := func() testCACAO { return baseCACAO(w, session.did) }
	withRes := func(r ...string) func() testCACAO {
		return func() testCACAO { c := base(); c.Resources = r; return c }
	}
	at := func(s string) *time.Time { tm := mustTime(t, s); return &tm }
	tests := []tc{
		{name: "lower-case address in message", cacao: base},
		{name: "checksummed address in message, lower-case issuer", cacao: base, signAddr: checksummed},
		{name: "checksummed issuer and message, lower-case controller", cacao: func() testCACAO {
			c := base()
			c.Iss = "did:pkh:eip155:1:" + checksummed
			return c
		}, signAddr: checksummed},
		{name: "checksummed issuer, lower-case message", cacao: func() testCACAO {
			c := base()
			c.Iss = "did:pkh:eip155:1:" + checksummed
			return c
		}},
		{name: "checksummed controller on another chain", cacao: func() testCACAO {
			c := base()
			c.Iss = "did:pkh:eip155:137:" + w.addr
			return c
		}, controller: "did:pkh:eip155:137:" + checksummed},
		{name: "secp256k1 session key", cacao: func() testCACAO { c := base(); c.Aud = secpSession.did; return c }, session: secpSession},
		{name: "no statement", cacao: func() testCACAO { c := base(); c.Statement = ""; return c }},
		{name: "all optional fields", cacao: func() testCACAO {
			c := base()
			c.HeaderType = "caip122"
			c.Nbf = "2024-03-01T11:00:00Z"
			c.RequestID = "req-42"
			c.Resources = []string{"ipfs://bafy", "ceramic://" + testStreamID}
			return c
		}},
		{name: "no exp", cacao: func() testCACAO { c := base(); c.Exp = ""; return c }, now: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)},
		{name: "legacy layout before 2022-09-20", cacao: func() testCACAO {
			c := base()
			c.Iat, c.Exp = "2022-09-01T00:00:00.000Z", "2022-09-08T00:00:00.000Z"
			return c
		}, legacy: true, now: time.Date(2022, 9, 2, 0, 0, 0, 0, time.UTC)},
		{name: "legacy layout after 2022-09-20", cacao: func() testCACAO {
			c := base()
			c.Iat, c.Exp = "2022-09-21T00:00:00.000Z", "2022-09-28T00:00:00.000Z"
			return c
		}, legacy: true, now: time.Date(2022, 9, 22, 0, 0, 0, 0, time.UTC), want: ErrInvalidSignature},
		{name: "v as recovery id", cacao: base, rawSig: func(s string) string {
			v := s[len(s)-2:]
			return s[:len(s)-2] + map[string]string{"1b": "00", "1c": "01"}[v]
		}},
		{name: "EIP-2098 compact signature", cacao: base, rawSig: func(s string) string {
			b, _ := decodeHex(s[2:])
			if b[64] == 28 {
				b[32] |= 0x80
			}
			return "0x" + hexString(b[:64])
		}},
		{name: "bad v", cacao: base, rawSig: func(s string) string { return s[:len(s)-2] + "05" }, want: ErrInvalidSignature},
		{name: "signature without 0x", cacao: base, rawSig: func(s string) string { return s[2:] }, want: ErrInvalidSignature},
		{name: "signature too short", cacao: base, rawSig: func(s string) string { return s[:100] }, want: ErrInvalidSignature},

		{name: "within the expiry grace period", cacao: base, now: mustTime(t, "2024-03-09T10:05:00Z")},
		{name: "expired", cacao: base, now: mustTime(t, "2024-03-09T10:05:00.001Z"), want: ErrExpired,
			wantText: "capability expired at 2024-03-08T10:00:00Z"},
		{name: "expired now but anchored in time", cacao: base, now: mustTime(t, "2025-01-01T00:00:00Z"), at: at("2024-03-05T00:00:00Z")},
		{name: "anchored after the grace period", cacao: base, now: testNow, at: at("2024-03-10T00:00:00Z"), want: ErrExpired},
		{name: "issued in the future", cacao: base, now: mustTime(t, "2024-03-01T09:54:59.999Z"), want: ErrNotYetValid, wantText: "(iat;"},
		{name: "issued within clock skew", cacao: base, now: mustTime(t, "2024-03-01T09:55:00Z")},
		{name: "not before in the future", cacao: func() testCACAO { c := base(); c.Nbf = "2024-03-05T00:00:00Z"; return c }, want: ErrNotYetValid, wantText: "(nbf;"},
		{name: "unreadable exp is ignored", cacao: func() testCACAO { c := base(); c.Exp = "next tuesday"; return c }, now: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)},

		{name: "resource names the stream", cacao: withRes("ceramic://" + testStreamID)},
		{name: "resource names the payload", cacao: withRes("ceramic://" + testStreamID + "?payload=" + payload.String())},
		{name: "resource names another payload", cacao: withRes("ceramic://" + testStreamID + "?payload=" + otherPayload.String()), want: ErrUnauthorized},
		{name: "resource names the model", cacao: withRes("ceramic://*?model=" + testModel), model: testModel},
		{name: "model resource for a stream without model", cacao: withRes("ceramic://*?model=" + testModel), want: ErrUnauthorized,
			wantText: "capability does not grant access to ceramic://" + testStreamID},
		{name: "resource names another stream", cacao: withRes("ceramic://" + otherStreamID), want: ErrUnauthorized},
		{name: "resource with different case", cacao: withRes("Ceramic://*"), want: ErrUnauthorized},
		{name: "empty resources", cacao: withRes(), want: ErrUnauthorized, wantText: "lists no resources"},
		{name: "no resources", cacao: func() testCACAO { c := base(); c.Resources = nil; return c }, want: ErrUnauthorized},

		{name: "session is not the audience", cacao: func() testCACAO { c := base(); c.Aud = secpSession.did; return c },
			want: ErrUnauthorized, wantText: "is not the audience"},
		{name: "issuer is not the controller", cacao: base, controller: "did:pkh:eip155:1:" + mallory.addr,
			want: ErrUnauthorized, wantText: "capability issuer did:pkh:eip155:1:" + w.addr + " is not the stream controller"},
		{name: "signed by another wallet", cacao: base, signer: &mallory, want: ErrInvalidSignature,
			wantText: "wallet signature does not belong to issuer"},
		{name: "field changed after signing", cacao: base, edit: func(c *testCACAO) { c.Nonce = "changed123" }, want: ErrInvalidSignature},
		{name: "resources changed after signing", cacao: base, edit: func(c *testCACAO) { c.Resources = []string{"ceramic://*", "ceramic://x"} }, want: ErrInvalidSignature},
		{name: "eip1271 signature", cacao: func() testCACAO { c := base(); c.SigType = "eip1271"; return c }, want: ErrUnsupported, wantText: `"eip1271" is not supported`},
		{name: "solana signature", cacao: func() testCACAO { c := base(); c.SigType = "solana:ed25519"; return c }, want: ErrUnsupported},
		{name: "unknown header type", cacao: func() testCACAO { c := base(); c.HeaderType = "jwt"; return c }, want: ErrUnsupported},
		{name: "unsigned capability", cacao: func() testCACAO { c := base(); c.NoSig = true; return c }, want: ErrInvalidSignature},
		{name: "no nonce", cacao: func() testCACAO { c := base(); c.Nonce = ""; return c }, want: ErrMalformed},
		{name: "no iat", cacao: func() testCACAO { c := base(); c.Iat = ""; return c }, want: ErrMalformed},
		{name: "issuer not did:pkh", cacao: func() testCACAO { c := base(); c.Iss = "eip155:1:" + w.addr; return c },
			controller: "eip155:1:" + w.addr, want: ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cacao()
			sess := tt.session
			if sess.did == "" {
				sess = session
			}
			signAddr := tt.signAddr
			if signAddr == "" {
				signAddr = w.addr
			}
			chain := "1"
			if strings.HasPrefix(c.Iss, "did:pkh:eip155:137:") {
				chain = "137"
			}
			wl := w
			if tt.signer != nil {
				wl = *tt.signer
			}
			c.Sig = wl.personalSign(c.siweText(signAddr, chain, tt.legacy))
			if tt.rawSig != nil {
				c.Sig = tt.rawSig(c.Sig)
			}
			if tt.edit != nil {
				tt.edit(&c)
			}
			block, id := c.encode(t)
			p := tt.payload
			if !p.Defined() {
				p = payload
			}
			controller := tt.controller
			if controller == "" {
				controller = "did:pkh:eip155:1:" + w.addr
			}
			now := tt.now
			if now.IsZero() {
				now = testNow
			}
			req := Request{
				JWS:        sessionJWS(sess, id, p),
				CACAO:      block,
				CACAOCID:   id,
				Controller: controller,
				StreamID:   testStreamID,
				Model:      tt.model,
				Now:        now,
				AtTime:     tt.at,
			}
			res, err := Verify(req)
			checkOutcome(t, res, err, tt.want, tt.wantText)
			if err != nil {
				t.Log(err)
				return
			}
			if res.SignerDID != sess.did {
				t.Errorf("SignerDID = %q, want %q", res.SignerDID, sess.did)
			}
			if res.KID != kidOf(sess.did) {
				t.Errorf("KID = %q", res.KID)
			}
			if ms, ok := parseCapabilityTime(c.Exp); ok {
				if res.CapabilityExpires == nil || res.CapabilityExpires.UnixMilli() != ms {
					t.Errorf("CapabilityExpires = %v, want %s", res.CapabilityExpires, c.Exp)
				}
			} else if res.CapabilityExpires != nil {
				t.Errorf("CapabilityExpires = %v, want none", res.CapabilityExpires)
			}
		})
	}
}

// TestVerifyControllerWithCapability: when the controller itself signs and
// the header also names a capability, only the capability's resources are
// checked; its times, issuer and wallet signature are not.
func TestVerifyControllerWithCapability(t *testing.T) {
	ctrl := ed25519Signer("controller")
	w := newWallet("bob")
	payload := payloadCID(t, "x")
	expired := baseCACAO(w, "did:key:z6MkSomebodyElse")
	expired.Exp = "2000-01-01T00:00:00Z"
	expired.Sig = "0x00"
	block, id := expired.encode(t)
	j := makeJWS(ctrl, hdr(algEdDSA, kidOf(ctrl.did), "ipfs://"+id.String()), payload, algEdDSA)
	res, err := Verify(Request{JWS: j, CACAO: block, CACAOCID: id, Controller: ctrl.did, StreamID: testStreamID, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if res.CapabilityExpires == nil || !res.CapabilityExpires.Equal(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("CapabilityExpires = %v", res.CapabilityExpires)
	}
	// The state-level check is what rejects it.
	if err := CheckLogExpiry(LogExpirationTime(*res.CapabilityExpires), 0, testNow); !errors.Is(err, ErrExpired) {
		t.Errorf("CheckLogExpiry = %v, want ErrExpired", err)
	}

	noRes := expired
	noRes.Resources = []string{"ceramic://" + otherStreamID}
	block, id = noRes.encode(t)
	j = makeJWS(ctrl, hdr(algEdDSA, kidOf(ctrl.did), "ipfs://"+id.String()), payload, algEdDSA)
	_, err = Verify(Request{JWS: j, CACAO: block, CACAOCID: id, Controller: ctrl.did, StreamID: testStreamID, Now: testNow})
	if !errors.Is(err, ErrUnauthorized) {
		t.Errorf("resources are still checked: err = %v", err)
	}
}

func TestVerifyRequestConsistency(t *testing.T) {
	session := ed25519Signer("session")
	w := newWallet("carol")
	c := baseCACAO(w, session.did)
	c.Sig = w.personalSign(c.siweText(w.addr, "1", false))
	block, id := c.encode(t)
	payload := payloadCID(t, "p")
	good := Request{
		JWS: sessionJWS(session, id, payload), CACAO: block, CACAOCID: id,
		Controller: "did:pkh:eip155:1:" + w.addr, StreamID: testStreamID, Now: testNow,
	}
	if _, err := Verify(good); err != nil {
		t.Fatalf("baseline: %v", err)
	}
	tests := []struct {
		name string
		edit func(*Request)
		want error
	}{
		{"undefined CACAOCID is allowed", func(r *Request) { r.CACAOCID = cid.Undef }, nil},
		{"CACAOCID differs from cap", func(r *Request) { r.CACAOCID = payload }, ErrMalformed},
		{"no stream ID", func(r *Request) { r.StreamID = "" }, ErrMalformed},
		{"block without cap", func(r *Request) {
			r.JWS = makeJWS(session, hdr(algEdDSA, kidOf(session.did), ""), payload, algEdDSA)
			r.Controller = session.did
		}, ErrMalformed},
		{"CACAO is not dag-cbor", func(r *Request) { r.CACAO = []byte{0xff, 0x00}; r.CACAOCID = cid.Undef }, ErrMalformed},
		{"CACAO is not a map", func(r *Request) { r.CACAO = []byte{0x01}; r.CACAOCID = cid.Undef }, ErrMalformed},
		{"CACAO too large", func(r *Request) { r.CACAO = make([]byte, MaxBlockSize+1); r.CACAOCID = cid.Undef }, ErrMalformed},
		{"zero Now means the current time", func(r *Request) { r.Now = time.Time{} }, ErrExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.edit(&r)
			res, err := Verify(r)
			checkOutcome(t, res, err, tt.want, "")
		})
	}
}

func TestCapabilityCID(t *testing.T) {
	id := payloadCID(t, "cacao")
	tests := []struct {
		name   string
		header string
		want   cid.Cid
		ok     bool
		err    error
	}{
		{"with cap", hdr(algEdDSA, "did:key:z", "ipfs://"+id.String()), id, true, nil},
		{"cap without scheme", hdr(algEdDSA, "did:key:z", id.String()), id, true, nil},
		{"without cap", hdr(algEdDSA, "did:key:z", ""), cid.Undef, false, nil},
		{"null cap", `{"alg":"EdDSA","cap":null,"kid":"did:key:z"}`, cid.Undef, false, nil},
		{"bad cap", hdr(algEdDSA, "did:key:z", "ipfs://zzz"), cid.Undef, false, ErrMalformed},
		{"bad header", `{`, cid.Undef, false, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := CapabilityCID([]byte(tt.header))
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if ok != tt.ok || !got.Equals(tt.want) && tt.ok {
				t.Errorf("CapabilityCID = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestCheckLogExpiry(t *testing.T) {
	now := time.Unix(1000, 999_000_000)
	tests := []struct {
		name           string
		exp, timestamp int64
		want           error
	}{
		{"no expiry", 0, 0, nil},
		{"unanchored, expires later", 1001, 0, nil},
		{"unanchored, expires this second", 1000, 0, nil},
		{"unanchored, expired", 999, 0, ErrExpired},
		{"anchored before expiry", 500, 499, nil},
		{"anchored at expiry", 500, 500, nil},
		{"anchored after expiry", 500, 501, ErrExpired},
		{"anchored before expiry, now after it", 500, 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckLogExpiry(tt.exp, tt.timestamp, now)
			if tt.want == nil && err != nil || !errors.Is(err, tt.want) {
				t.Fatalf("CheckLogExpiry = %v, want %v", err, tt.want)
			}
			var te *TimeError
			if err != nil && (!errors.As(err, &te) || te.Field != "expirationTime" || te.Tolerance != 0) {
				t.Errorf("error %#v", err)
			}
		})
	}
}

func TestLogExpirationTime(t *testing.T) {
	tests := []struct {
		in   time.Time
		want int64
	}{
		{time.UnixMilli(1718827482464), 1718827482},
		{time.UnixMilli(1000), 1},
		{time.UnixMilli(-1), -1},
		{time.UnixMilli(-1000), -1},
		{time.UnixMilli(-1001), -2},
	}
	for _, tt := range tests {
		t.Run(tt.in.String(), func(t *testing.T) {
			if got := LogExpirationTime(tt.in); got != tt.want {
				t.Errorf("LogExpirationTime = %d, want %d", got, tt.want)
			}
		})
	}
}
