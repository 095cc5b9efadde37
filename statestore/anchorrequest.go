package statestore

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// EncodeAnchorRequest turns the JSON text of an anchor request,
// {"cid":…,"timestamp":…,"genesis":…}, into the value js-ceramic stores in
// the anchor-request key space: a JSON string literal whose content is that
// text. js-ceramic serializes the request to a string and its key-value layer
// JSON-encodes values again, so the value is encoded twice.
//
// The literal is written the way JavaScript's JSON.stringify writes strings
// (only '"', '\\' and control characters are escaped; '<', '>', '&', '/' and
// non-ASCII characters are kept as UTF-8), so a value encoded here is
// byte-for-byte what js-ceramic would store for the same inner text. inner
// must be valid UTF-8 JSON; otherwise the error wraps [ErrInvalidValue].
func EncodeAnchorRequest(inner []byte) ([]byte, error) {
	if !utf8.Valid(inner) || !json.Valid(inner) {
		return nil, fmt.Errorf("%w: anchor request is not valid UTF-8 JSON", ErrInvalidValue)
	}
	const hex = "0123456789abcdef"
	out := make([]byte, 0, len(inner)+len(inner)/4+2)
	out = append(out, '"')
	for _, c := range inner {
		switch c {
		case '"':
			out = append(out, '\\', '"')
		case '\\':
			out = append(out, '\\', '\\')
		case '\b':
			out = append(out, '\\', 'b')
		case '\f':
			out = append(out, '\\', 'f')
		case '\n':
			out = append(out, '\\', 'n')
		case '\r':
			out = append(out, '\\', 'r')
		case '\t':
			out = append(out, '\\', 't')
		default:
			if c < 0x20 {
				out = append(out, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			} else {
				out = append(out, c) // bytes of multi-byte UTF-8 sequences are copied as they are
			}
		}
	}
	return append(out, '"'), nil
}

// DecodeAnchorRequest undoes [EncodeAnchorRequest]: stored must be a JSON
// string literal whose content is JSON; the content is returned. Any other
// value (for instance a bare JSON object) fails with an error wrapping
// [ErrInvalidValue], as js-ceramic cannot read it either.
func DecodeAnchorRequest(stored []byte) ([]byte, error) {
	var inner string
	if err := json.Unmarshal(stored, &inner); err != nil {
		return nil, fmt.Errorf("%w: anchor request value is not a JSON string: %v", ErrInvalidValue, err)
	}
	if !json.Valid([]byte(inner)) {
		return nil, fmt.Errorf("%w: anchor request string does not contain JSON", ErrInvalidValue)
	}
	return []byte(inner), nil
}
