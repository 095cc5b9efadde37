package api

import (
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

// Multicodec codes of the did:key public keys the admin API accepts.
const (
	keyCodecEd25519   = 0xed
	keyCodecSecp256k1 = 0xe7
)

// adminJWS is a verified compact JWS of an admin request.
type adminJWS struct {
	// KID is the protected header's kid, the DID URL of the signing key.
	KID string
	// Payload is the decoded JSON payload: {code, requestPath, requestBody?}.
	Payload map[string]any
}

// verifyCompactJWS checks a compact JWS (protected.payload.signature, base64url) signed by a
// did:key, and returns its kid and JSON payload. The signer's key is the one its DID encodes:
// Ed25519 (alg EdDSA, or the older name Ed25519) or secp256k1 (alg ES256K, a 64-byte r||s
// signature over the SHA-256 of the signing input). The admin payload is JSON, not a CID,
// which is why the commit verifier in streams/verify is not used here.
func verifyCompactJWS(token string) (adminJWS, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return adminJWS{}, errors.New("the token is not a compact JWS: expected three base64url parts separated by dots")
	}
	protected, err := decodeBase64URL(parts[0])
	if err != nil {
		return adminJWS{}, fmt.Errorf("the JWS protected header is not base64url: %w", err)
	}
	payload, err := decodeBase64URL(parts[1])
	if err != nil {
		return adminJWS{}, fmt.Errorf("the JWS payload is not base64url: %w", err)
	}
	sig, err := decodeBase64URL(parts[2])
	if err != nil {
		return adminJWS{}, fmt.Errorf("the JWS signature is not base64url: %w", err)
	}
	var header struct {
		Alg string `json:"alg"`
		KID string `json:"kid"`
	}
	if err := json.Unmarshal(protected, &header); err != nil {
		return adminJWS{}, fmt.Errorf("the JWS protected header is not a JSON object with string alg and kid: %w", err)
	}
	if header.KID == "" {
		return adminJWS{}, errors.New(`the JWS protected header has no "kid"`)
	}
	did, _, _ := strings.Cut(header.KID, "#")
	input := []byte(parts[0] + "." + parts[1])
	if err := verifyDIDKeySignature(did, header.Alg, input, sig); err != nil {
		return adminJWS{}, err
	}
	var body map[string]any
	if err := json.Unmarshal(payload, &body); err != nil || body == nil {
		return adminJWS{}, errors.New("the JWS payload is not a JSON object")
	}
	return adminJWS{KID: header.KID, Payload: body}, nil
}

// verifyDIDKeySignature checks sig over input with the public key of a did:key.
func verifyDIDKeySignature(did, alg string, input, sig []byte) error {
	id, ok := strings.CutPrefix(did, "did:key:")
	if !ok {
		return fmt.Errorf("signer %q is not a did:key; the admin API accepts did:key signers only", did)
	}
	if !strings.HasPrefix(id, "z") {
		return fmt.Errorf("signer %s is not a valid did:key: the key must be base58btc (start with z)", did)
	}
	_, raw, err := multibase.Decode(id)
	if err != nil {
		return fmt.Errorf("signer %s is not a valid did:key: %w", did, err)
	}
	code, n, err := varint.FromUvarint(raw)
	if err != nil {
		return fmt.Errorf("signer %s is not a valid did:key: %w", did, err)
	}
	key := raw[n:]
	invalid := fmt.Errorf("invalid signature for signer %s", did)
	switch code {
	case keyCodecEd25519:
		if alg != "EdDSA" && alg != "Ed25519" {
			return fmt.Errorf("JWS algorithm %q does not fit the Ed25519 key of %s; use EdDSA", alg, did)
		}
		if len(key) != ed25519.PublicKeySize {
			return fmt.Errorf("signer %s is not a valid did:key: an Ed25519 key has 32 bytes, not %d", did, len(key))
		}
		if len(sig) != ed25519.SignatureSize || !ed25519.Verify(ed25519.PublicKey(key), input, sig) {
			return invalid
		}
		return nil
	case keyCodecSecp256k1:
		if alg != "ES256K" {
			return fmt.Errorf("JWS algorithm %q does not fit the secp256k1 key of %s; use ES256K", alg, did)
		}
		pub, err := secp256k1.ParsePubKey(key)
		if err != nil {
			return fmt.Errorf("signer %s is not a valid did:key: %w", did, err)
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
	return fmt.Errorf("signer %s has a key of type 0x%x; the admin API accepts Ed25519 and secp256k1 did:keys", did, code)
}

// decodeBase64URL decodes base64url with or without padding.
func decodeBase64URL(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
