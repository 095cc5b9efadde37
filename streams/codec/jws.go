package codec

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/ipfs/go-cid"
)

// ErrInvalidJWS is wrapped when a signed commit envelope (dag-jose block or its JSON form)
// is malformed or is not something Ceramic can use.
var ErrInvalidJWS = errors.New("codec: invalid signed commit envelope")

// JWS is a signed commit envelope: a JSON Web Signature in general serialization whose
// payload is the binary CID of the commit's dag-cbor payload block, with exactly one
// signature (the only shape js-ceramic accepts).
//
// Stored as a dag-jose block it is the dag-cbor map
// {payload: bytes, signatures: [{protected: bytes, signature: bytes, header?: map}]}; over
// HTTP it is {payload, signatures: [{protected, signature}], link} with base64url strings
// (see [JWS.Wire]).
type JWS struct {
	// Payload is the binary CID of the payload block.
	Payload []byte
	// Protected is the raw protected header, UTF-8 JSON such as
	// {"alg":"EdDSA","kid":"did:key:…#…"}. Empty means absent.
	Protected []byte
	// Signature is the raw signature.
	Signature []byte
	// Header is the optional unprotected header. js-ceramic never writes one; nil means
	// absent.
	Header map[string]any
}

// Link returns the payload CID.
func (j JWS) Link() (cid.Cid, error) {
	c, err := cid.Cast(j.Payload)
	if err != nil {
		return cid.Undef, fmt.Errorf("%w: the payload is not a CID: %v", ErrInvalidJWS, err)
	}
	return c, nil
}

// ProtectedHeader parses the protected header JSON. Numbers follow [DecodeJSON].
func (j JWS) ProtectedHeader() (map[string]any, error) {
	if len(j.Protected) == 0 {
		return nil, fmt.Errorf("%w: no protected header", ErrInvalidJWS)
	}
	v, err := DecodeJSON(j.Protected)
	if err != nil {
		return nil, fmt.Errorf("%w: protected header: %s", ErrInvalidJWS, reason(err))
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: the protected header is not a JSON object", ErrInvalidJWS)
	}
	return m, nil
}

// Cap returns the CID of the CACAO named by the protected header's "cap" field
// ("ipfs://<cid>"). ok is false when there is no cap. A header that cannot be parsed, or a
// cap that is not a string naming a CID, is an error.
func (j JWS) Cap() (c cid.Cid, ok bool, err error) {
	h, err := j.ProtectedHeader()
	if err != nil {
		return cid.Undef, false, err
	}
	raw, present := h["cap"]
	if !present {
		return cid.Undef, false, nil
	}
	s, isString := raw.(string)
	if !isString {
		return cid.Undef, false, fmt.Errorf("%w: the cap header is not a string", ErrInvalidJWS)
	}
	// js-ceramic removes the first "ipfs://" wherever it is, then parses a CID.
	c, err = cid.Decode(strings.Replace(s, "ipfs://", "", 1))
	if err != nil {
		return cid.Undef, false, fmt.Errorf("%w: the cap header %q does not name a CID: %v", ErrInvalidJWS, truncate(s, 120), err)
	}
	return c, true, nil
}

// KID returns the protected header's "kid" (the DID URL of the signing key), or "" when
// it is missing or the header cannot be parsed.
func (j JWS) KID() string {
	h, err := j.ProtectedHeader()
	if err != nil {
		return ""
	}
	kid, _ := h["kid"].(string)
	return kid
}

// SigningInput returns the bytes the signature covers: the ASCII string
// base64url(protected) "." base64url(payload), without padding.
func (j JWS) SigningInput() []byte {
	enc := base64.RawURLEncoding
	out := make([]byte, 0, enc.EncodedLen(len(j.Protected))+1+enc.EncodedLen(len(j.Payload)))
	out = enc.AppendEncode(out, j.Protected)
	out = append(out, '.')
	return enc.AppendEncode(out, j.Payload)
}

// value returns the dag-jose data model form of j.
func (j JWS) value() map[string]any {
	sig := map[string]any{"signature": nonNil(j.Signature)}
	if len(j.Protected) > 0 {
		sig["protected"] = j.Protected
	}
	if j.Header != nil {
		sig["header"] = j.Header
	}
	return map[string]any{
		"payload":    nonNil(j.Payload),
		"signatures": []any{sig},
	}
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// EncodeJWS encodes j as a dag-jose block. For an envelope decoded from a block written by
// js-ceramic (or any canonical dag-jose encoder) the bytes are identical to the original. As
// in JavaScript's dag-jose, an empty protected header is left out and the payload must be a
// CID.
func EncodeJWS(j JWS) ([]byte, error) {
	if _, err := j.Link(); err != nil {
		return nil, err
	}
	b, err := EncodeDagCBOR(j.value())
	if err != nil {
		return nil, wrap(ErrInvalidJWS, err)
	}
	return b, nil
}

// DecodeJWS decodes a dag-jose block holding a signed commit envelope. It refuses
// encrypted (JWE) objects, payloads that are not a CID, and any number of signatures other
// than one. Errors wrap [ErrInvalidJWS].
func DecodeJWS(data []byte) (JWS, error) {
	j, err := decodeJWS(data)
	if err != nil {
		return JWS{}, fmt.Errorf("%w: %s", ErrInvalidJWS, err)
	}
	return j, nil
}

func decodeJWS(data []byte) (JWS, error) {
	v, err := decodeDagCBOR(data)
	if err != nil {
		return JWS{}, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return JWS{}, errors.New("dag-jose: the block is not a map")
	}
	if _, hasPayload := m["payload"]; !hasPayload {
		if _, jwe := m["ciphertext"]; jwe {
			return JWS{}, errors.New("dag-jose: the block is an encrypted JWE, not a signed JWS")
		}
		return JWS{}, errors.New("dag-jose: no payload")
	}
	var j JWS
	if j.Payload, ok = m["payload"].([]byte); !ok {
		return JWS{}, errors.New("dag-jose: the payload is not bytes")
	}
	if _, err := cid.Cast(j.Payload); err != nil {
		return JWS{}, fmt.Errorf("dag-jose: the payload is not a CID: %v", err)
	}
	sigs, ok := m["signatures"].([]any)
	if !ok {
		return JWS{}, errors.New("dag-jose: signatures is missing or not a list")
	}
	if len(sigs) != 1 {
		return JWS{}, fmt.Errorf("dag-jose: exactly one signature is supported, found %d", len(sigs))
	}
	sig, ok := sigs[0].(map[string]any)
	if !ok {
		return JWS{}, errors.New("dag-jose: the signature is not a map")
	}
	if j.Signature, ok = sig["signature"].([]byte); !ok {
		return JWS{}, errors.New("dag-jose: signatures[0].signature is missing or not bytes")
	}
	if p, present := sig["protected"]; present {
		if j.Protected, ok = p.([]byte); !ok {
			return JWS{}, errors.New("dag-jose: signatures[0].protected is not bytes")
		}
	}
	if j.Header, err = optionalHeader(sig["header"]); err != nil {
		return JWS{}, err
	}
	return j, nil
}

func optionalHeader(v any) (map[string]any, error) {
	switch h := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return h, nil
	}
	return nil, errors.New("signatures[0].header is not a map")
}

// Wire returns the JSON form js-ceramic uses for a decoded envelope (its DagJWS type):
// {"payload": b64url, "signatures": [{"protected": b64url, "signature": b64url}],
// "link": "<payload CID>"}, base64url without padding. The unprotected header, when
// present, is included as is.
func (j JWS) Wire() map[string]any {
	enc := base64.RawURLEncoding
	sig := map[string]any{"signature": enc.EncodeToString(j.Signature)}
	if len(j.Protected) > 0 {
		sig["protected"] = enc.EncodeToString(j.Protected)
	}
	if j.Header != nil {
		sig["header"] = j.Header
	}
	w := map[string]any{
		"payload":    enc.EncodeToString(j.Payload),
		"signatures": []any{sig},
	}
	if c, err := cid.Cast(j.Payload); err == nil {
		w["link"] = c.String()
	}
	return w
}

// JWSFromWire reads the JSON form of an envelope (see [JWS.Wire]): base64url strings,
// padded or not, and an optional "link" given as a CID string or cid.Cid, which must equal
// the payload CID. Errors wrap [ErrInvalidJWS].
func JWSFromWire(v any) (JWS, error) {
	j, err := jwsFromWire(v)
	if err != nil {
		return JWS{}, fmt.Errorf("%w: %s", ErrInvalidJWS, err)
	}
	return j, nil
}

func jwsFromWire(v any) (JWS, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return JWS{}, errors.New("jws: not a JSON object")
	}
	var j JWS
	var err error
	if j.Payload, err = b64Field(m, "payload", base64URL, true); err != nil {
		return JWS{}, fmt.Errorf("jws.%w", err)
	}
	link, err := cid.Cast(j.Payload)
	if err != nil {
		return JWS{}, fmt.Errorf("jws.payload is not a CID: %v", err)
	}
	sigs, ok := m["signatures"].([]any)
	if !ok {
		return JWS{}, errors.New("jws.signatures is missing or not an array")
	}
	if len(sigs) != 1 {
		return JWS{}, fmt.Errorf("jws.signatures: exactly one signature is supported, found %d", len(sigs))
	}
	sig, ok := sigs[0].(map[string]any)
	if !ok {
		return JWS{}, errors.New("jws.signatures[0] is not an object")
	}
	if j.Signature, err = b64Field(sig, "signature", base64URL, true); err != nil {
		return JWS{}, fmt.Errorf("jws.signatures[0].%w", err)
	}
	if j.Protected, err = b64Field(sig, "protected", base64URL, false); err != nil {
		return JWS{}, fmt.Errorf("jws.signatures[0].%w", err)
	}
	if j.Header, err = optionalHeader(sig["header"]); err != nil {
		return JWS{}, fmt.Errorf("jws.%w", err)
	}
	if raw, present := m["link"]; present {
		var given cid.Cid
		switch l := raw.(type) {
		case string:
			if given, err = cid.Decode(l); err != nil {
				return JWS{}, fmt.Errorf("jws.link %q is not a CID: %v", truncate(l, 120), err)
			}
		case cid.Cid:
			given = l
		default:
			return JWS{}, errors.New("jws.link is not a CID string")
		}
		if !given.Equals(link) {
			return JWS{}, fmt.Errorf("jws.link %s does not match the payload CID %s", given, link)
		}
	}
	return j, nil
}
