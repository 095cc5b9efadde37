package didjws

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/multiformats/go-multibase"
	"github.com/multiformats/go-varint"
)

// Multicodec codes of the did:key public keys this package understands.
const (
	keyCodecEd25519   = 0xed
	keyCodecSecp256k1 = 0xe7
)

// ErrInvalid is matched (with errors.Is) by every error [Verify] returns. The messages
// themselves carry no package prefix, because servers pass them on to their clients.
var ErrInvalid = errors.New("invalid DID JWS")

// invalidError is a verification failure whose message is shown as is.
type invalidError struct{ msg string }

func (e *invalidError) Error() string        { return e.msg }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }

func invalidf(format string, args ...any) error {
	return &invalidError{msg: fmt.Sprintf(format, args...)}
}

// Signer signs compact JWSs as the did:key of an Ed25519 key, as the Ed25519 DID provider of
// js-ceramic (key-did-provider-ed25519) does for the node's DID.
type Signer struct {
	key ed25519.PrivateKey
	did string
	kid string
}

// NewSigner returns the signer whose Ed25519 key is generated from a 32-byte seed, such as
// the seed of a node's node.private-seed-url ("inplace:ed25519#<64 hex digits>"). js-ceramic
// derives the node DID from the same seed the same way, so both name the same did:key.
func NewSigner(seed []byte) (*Signer, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("didjws: an Ed25519 seed has %d bytes, not %d", ed25519.SeedSize, len(seed))
	}
	key := ed25519.NewKeyFromSeed(seed)
	pub := key.Public().(ed25519.PublicKey)
	id, err := multibase.Encode(multibase.Base58BTC, append(varint.ToUvarint(keyCodecEd25519), pub...))
	if err != nil {
		return nil, fmt.Errorf("didjws: encode the public key: %w", err)
	}
	did := "did:key:" + id
	return &Signer{key: key, did: did, kid: did + "#" + id}, nil
}

// DID returns the signer's DID, "did:key:z6Mk…".
func (s *Signer) DID() string { return s.did }

// KID returns the DID URL of the signing key, "did:key:z6Mk…#z6Mk…", the "kid" of the tokens
// the signer makes.
func (s *Signer) KID() string { return s.kid }

// Sign returns the compact JWS of payload: protected header {"alg":"EdDSA","kid":…} (keys
// in the sorted order js-ceramic's DID providers write), the payload as given, and the
// Ed25519 signature, each base64url without padding.
func (s *Signer) Sign(payload []byte) (string, error) {
	if s == nil || s.key == nil {
		return "", errors.New("didjws: no signing key")
	}
	header, err := marshalJSON(map[string]string{"alg": "EdDSA", "kid": s.kid})
	if err != nil {
		return "", fmt.Errorf("didjws: encode the protected header: %w", err)
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	return input + "." + enc.EncodeToString(ed25519.Sign(s.key, []byte(input))), nil
}

// SignJSON encodes v as JSON and signs it (see [Signer.Sign]). Map keys come out sorted and
// HTML characters unescaped, so a map payload is byte for byte what js-ceramic's DID
// providers sign for the same object (they sort keys and use JSON.stringify).
func (s *Signer) SignJSON(v any) (string, error) {
	payload, err := marshalJSON(v)
	if err != nil {
		return "", fmt.Errorf("didjws: encode the payload: %w", err)
	}
	return s.Sign(payload)
}

// marshalJSON is json.Marshal without HTML escaping, like JavaScript's JSON.stringify.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Token is a verified compact JWS.
type Token struct {
	// KID is the protected header's kid, the DID URL of the signing key.
	KID string
	// DID is the signer's DID: KID without its #fragment.
	DID string
	// Payload is the decoded payload bytes, as signed.
	Payload []byte
}

// Verify checks a compact JWS (protected.payload.signature, base64url) signed by a did:key,
// and returns its signer and payload. The key is the one the DID encodes: Ed25519 (alg
// EdDSA, or the older name Ed25519) or secp256k1 (alg ES256K, a 64-byte r||s signature over
// the SHA-256 of the signing input; a high S is accepted). The signing input is the first two
// parts exactly as they appear in the token. Every error matches [ErrInvalid].
func Verify(token string) (Token, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Token{}, invalidf("the token is not a compact JWS: expected three base64url parts separated by dots")
	}
	protected, err := decodeBase64URL(parts[0])
	if err != nil {
		return Token{}, invalidf("the JWS protected header is not base64url: %v", err)
	}
	payload, err := decodeBase64URL(parts[1])
	if err != nil {
		return Token{}, invalidf("the JWS payload is not base64url: %v", err)
	}
	sig, err := decodeBase64URL(parts[2])
	if err != nil {
		return Token{}, invalidf("the JWS signature is not base64url: %v", err)
	}
	var header struct {
		Alg string `json:"alg"`
		KID string `json:"kid"`
	}
	if err := json.Unmarshal(protected, &header); err != nil {
		return Token{}, invalidf("the JWS protected header is not a JSON object with string alg and kid: %v", err)
	}
	if header.KID == "" {
		return Token{}, invalidf(`the JWS protected header has no "kid"`)
	}
	did, _, _ := strings.Cut(header.KID, "#")
	input := []byte(parts[0] + "." + parts[1])
	if err := verifyDIDKey(did, header.Alg, input, sig); err != nil {
		return Token{}, err
	}
	return Token{KID: header.KID, DID: did, Payload: payload}, nil
}

// verifyDIDKey checks sig over input with the public key of a did:key.
func verifyDIDKey(did, alg string, input, sig []byte) error {
	id, ok := strings.CutPrefix(did, "did:key:")
	if !ok {
		return invalidf("signer %q is not a did:key; only did:key signers are accepted", did)
	}
	if !strings.HasPrefix(id, "z") {
		return invalidf("signer %s is not a valid did:key: the key must be base58btc (start with z)", did)
	}
	_, raw, err := multibase.Decode(id)
	if err != nil {
		return invalidf("signer %s is not a valid did:key: %v", did, err)
	}
	code, n, err := varint.FromUvarint(raw)
	if err != nil {
		return invalidf("signer %s is not a valid did:key: %v", did, err)
	}
	key := raw[n:]
	invalid := invalidf("invalid signature for signer %s", did)
	switch code {
	case keyCodecEd25519:
		if alg != "EdDSA" && alg != "Ed25519" {
			return invalidf("JWS algorithm %q does not fit the Ed25519 key of %s; use EdDSA", alg, did)
		}
		if len(key) != ed25519.PublicKeySize {
			return invalidf("signer %s is not a valid did:key: an Ed25519 key has 32 bytes, not %d", did, len(key))
		}
		if len(sig) != ed25519.SignatureSize || !ed25519.Verify(ed25519.PublicKey(key), input, sig) {
			return invalid
		}
		return nil
	case keyCodecSecp256k1:
		if alg != "ES256K" {
			return invalidf("JWS algorithm %q does not fit the secp256k1 key of %s; use ES256K", alg, did)
		}
		pub, err := secp256k1.ParsePubKey(key)
		if err != nil {
			return invalidf("signer %s is not a valid did:key: %v", did, err)
		}
		if len(sig) != 64 {
			return invalid
		}
		var r, s secp256k1.ModNScalar
		if r.SetByteSlice(sig[:32]) || s.SetByteSlice(sig[32:]) || r.IsZero() || s.IsZero() {
			return invalid
		}
		if s.IsOverHalfOrder() {
			s.Negate() // a high S is as valid a signature; normalise it before verifying
		}
		hash := sha256.Sum256(input)
		if !secpecdsa.NewSignature(&r, &s).Verify(hash[:], pub) {
			return invalid
		}
		return nil
	}
	return invalidf("signer %s has a key of type 0x%x; only Ed25519 and secp256k1 did:keys are accepted", did, code)
}

// decodeBase64URL decodes base64url with or without padding.
func decodeBase64URL(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
