package codec

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// base64Kind selects one of the two base64 alphabets used on the wire.
type base64Kind int

const (
	// base64Std is RFC 4648 standard base64, used for block bytes and header.model.
	base64Std base64Kind = iota
	// base64URL is RFC 4648 base64url, used for JWS fields.
	base64URL
)

func (k base64Kind) String() string {
	if k == base64URL {
		return "base64url"
	}
	return "base64"
}

// decodeBase64 decodes s like JavaScript's multiformats decoders: trailing "=" padding is
// optional, padding bits must be zero and no other character (line breaks included) is
// allowed.
func decodeBase64(s string, kind base64Kind) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, errors.New("line breaks are not allowed")
	}
	s = strings.TrimRight(s, "=")
	enc := base64.RawStdEncoding
	if kind == base64URL {
		enc = base64.RawURLEncoding
	}
	b, err := enc.Strict().DecodeString(s)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// encodeBase64 encodes b without padding.
func encodeBase64(b []byte, kind base64Kind) string {
	if kind == base64URL {
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return base64.RawStdEncoding.EncodeToString(b)
}

// b64Field reads m[key] as a base64 string. The error names the key, so callers prefix
// it with the path of m.
func b64Field(m map[string]any, key string, kind base64Kind, required bool) ([]byte, error) {
	raw, present := m[key]
	if !present {
		if required {
			return nil, fmt.Errorf("%s is missing", key)
		}
		return nil, nil
	}
	s, ok := raw.(string)
	if !ok {
		return nil, fmt.Errorf("%s is not a %s string", key, kind)
	}
	b, err := decodeBase64(s, kind)
	if err != nil {
		return nil, fmt.Errorf("%s is not valid %s: %v", key, kind, err)
	}
	return b, nil
}
