package verify

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/ipfs/go-cid"
	"golang.org/x/crypto/sha3"
)

// JWS algorithms accepted in the protected header.
const (
	algEdDSA   = "EdDSA"
	algEd25519 = "Ed25519" // a legacy name for EdDSA
	algES256K  = "ES256K"
	algES256KR = "ES256K-R"
	algES256   = "ES256"
)

// header is the part of the protected header the verifier reads.
type header struct {
	alg string
	kid string
	cap string // "" when the header names no capability
}

// parseHeader reads the protected header JSON.
func parseHeader(b []byte) (header, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return header{}, &Error{Kind: ErrMalformed, Reason: "the protected header is not a JSON object", Err: err}
	}
	var h header
	var err error
	if h.kid, err = headerString(raw, "kid"); err != nil {
		return header{}, err
	}
	if h.kid == "" {
		return header{}, malformed(`the protected header has no "kid"`)
	}
	if h.alg, err = headerString(raw, "alg"); err != nil {
		return header{}, err
	}
	switch h.alg {
	case algEdDSA, algEd25519, algES256K, algES256KR, algES256:
	case "":
		return header{}, malformed(`the protected header has no "alg"`)
	default:
		return header{}, unsupported("JWS algorithm %q is not supported; use EdDSA or ES256K", h.alg)
	}
	if h.cap, err = headerCap(raw["cap"]); err != nil {
		return header{}, err
	}
	return h, nil
}

func headerString(raw map[string]json.RawMessage, name string) (string, error) {
	v, ok := raw[name]
	if !ok || string(v) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", malformed("the protected header field %q must be a string", name)
	}
	return s, nil
}

// headerCap reads "cap". Like the reference node, a falsy value (absent,
// null, false, 0, "") means no capability; any other value must be a string.
func headerCap(v json.RawMessage) (string, error) {
	if v == nil {
		return "", nil
	}
	var x any
	if err := json.Unmarshal(v, &x); err != nil {
		return "", malformed(`the protected header field "cap" is not valid JSON`)
	}
	switch c := x.(type) {
	case nil:
		return "", nil
	case bool:
		if !c {
			return "", nil
		}
	case float64:
		if c == 0 {
			return "", nil
		}
	case string:
		return c, nil
	}
	return "", malformed(`the protected header field "cap" must be a string "ipfs://<CID>"`)
}

// capCID parses the CID named by a cap header value.
func capCID(capValue string) (cid.Cid, error) {
	c, err := cid.Decode(strings.Replace(capValue, "ipfs://", "", 1))
	if err != nil {
		return cid.Undef, &Error{Kind: ErrMalformed, Reason: `the protected header field "cap" must be "ipfs://<CID>", got "` + capValue + `"`, Err: err}
	}
	return c, nil
}

// signingInput returns b64url(protected) "." b64url(payload).
func signingInput(j JWS) []byte {
	enc := base64.RawURLEncoding
	out := make([]byte, 0, enc.EncodedLen(len(j.Protected))+1+enc.EncodedLen(len(j.Payload)))
	out = enc.AppendEncode(out, j.Protected)
	out = append(out, '.')
	return enc.AppendEncode(out, j.Payload)
}

// checkJWSSignature verifies sig over input with the signer's key.
func checkJWSSignature(alg string, key signerKey, input, sig []byte) error {
	bad := func(why string) error {
		return invalidSignature("invalid signature for signer %s (%s, %s)", key.did, alg, why)
	}
	switch alg {
	case algEdDSA, algEd25519:
		if key.kind != kindEd25519 {
			return bad("the signer's key is not an Ed25519 key")
		}
		if len(sig) != ed25519.SignatureSize || !ed25519.Verify(key.ed25519, input, sig) {
			return bad("the signature does not match the commit")
		}
		return nil
	case algES256:
		if key.kind != kindP256 {
			return bad("the signer's key is not a P-256 key")
		}
		if len(sig) != 64 {
			return bad("the signature is not 64 bytes")
		}
		h := sha256.Sum256(input)
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		if !ecdsa.Verify(key.p256, h[:], r, s) {
			return bad("the signature does not match the commit")
		}
		return nil
	case algES256K:
		if len(sig) != 64 {
			return bad("the signature is not 64 bytes")
		}
		h := sha256.Sum256(input)
		switch key.kind {
		case kindSecp256k1:
			if !verifySecp256k1(key.secp256k1, h[:], sig) {
				return bad("the signature does not match the commit")
			}
			return nil
		case kindEthereum:
			if !recoversAddress(h[:], sig[:64], []byte{0, 1}, key.address) {
				return bad("the signature was not made by the account's key")
			}
			return nil
		}
		return bad("the signer's key is not a secp256k1 key")
	case algES256KR:
		var recs []byte
		switch len(sig) {
		case 64:
			recs = []byte{0, 1}
		case 65:
			if sig[64] > 3 {
				return bad("the recovery byte must be 0 to 3")
			}
			recs = []byte{sig[64]}
		default:
			return bad("the signature is not 64 or 65 bytes")
		}
		h := sha256.Sum256(input)
		switch key.kind {
		case kindSecp256k1:
			for _, rec := range recs {
				if pub := recoverSecp256k1(h[:], sig[:64], rec); pub != nil && pub.IsEqual(key.secp256k1) {
					return nil
				}
			}
			return bad("the signature does not match the commit")
		case kindEthereum:
			if !recoversAddress(h[:], sig[:64], recs, key.address) {
				return bad("the signature was not made by the account's key")
			}
			return nil
		}
		return bad("the signer's key is not a secp256k1 key")
	}
	return unsupported("JWS algorithm %q is not supported", alg)
}

// verifySecp256k1 checks a 64-byte r||s ECDSA signature over hash. A high S
// value is accepted, as the reference node normalises it before verifying.
func verifySecp256k1(pub *secp256k1.PublicKey, hash, sig []byte) bool {
	var r, s secp256k1.ModNScalar
	if r.SetByteSlice(sig[:32]) || s.SetByteSlice(sig[32:64]) || r.IsZero() || s.IsZero() {
		return false
	}
	if s.IsOverHalfOrder() {
		s.Negate()
	}
	return secpecdsa.NewSignature(&r, &s).Verify(hash, pub)
}

// recoverSecp256k1 recovers the public key from a 64-byte r||s signature
// over hash with recovery id rec (0 to 3). It returns nil on failure.
func recoverSecp256k1(hash, rs []byte, rec byte) *secp256k1.PublicKey {
	if rec > 3 || len(rs) != 64 {
		return nil
	}
	compact := make([]byte, 65)
	compact[0] = 27 + rec
	copy(compact[1:], rs)
	pub, _, err := secpecdsa.RecoverCompact(compact, hash)
	if err != nil {
		return nil
	}
	return pub
}

// recoversAddress reports whether any of the recovery ids yields the
// Ethereum address want (lower-case, 0x-prefixed).
func recoversAddress(hash, rs []byte, recs []byte, want string) bool {
	for _, rec := range recs {
		if pub := recoverSecp256k1(hash, rs, rec); pub != nil && ethAddress(pub) == want {
			return true
		}
	}
	return false
}

// ethAddress returns the lower-case 0x-prefixed Ethereum address of pub.
func ethAddress(pub *secp256k1.PublicKey) string {
	return "0x" + hex.EncodeToString(keccak256(pub.SerializeUncompressed()[1:])[12:])
}

func keccak256(parts ...[]byte) []byte {
	h := sha3.NewLegacyKeccak256()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}
