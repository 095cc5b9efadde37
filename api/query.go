package api

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// parseQuery types query-string values the way the js daemon does for load options:
//
//  1. a value starting with "{" is parsed as a JSON object, and its string values (and those
//     of nested objects) are typed by these same rules;
//  2. "true" and "false" become booleans;
//  3. a value JavaScript's parseInt (no radix) accepts becomes that number: leading
//     whitespace, an optional sign, an optional 0x prefix, then the longest run of digits
//     ("3abc" → 3, "1e5" → 1, "0x10" → 16, " 42" → 42);
//  4. anything else stays a string.
//
// Numbers are float64, as in JavaScript and as encoding/json decodes them into any.
// A repeated key gives a []any of typed values. A value that starts with "{" but is not a
// JSON object stays a string (js-ceramic would fail the request with a 500).
func parseQuery(q url.Values) map[string]any {
	out := make(map[string]any, len(q))
	for k, vs := range q {
		switch len(vs) {
		case 0:
		case 1:
			out[k] = typeQueryValue(vs[0])
		default:
			list := make([]any, len(vs))
			for i, v := range vs {
				list[i] = typeQueryValue(v)
			}
			out[k] = list
		}
	}
	return out
}

func typeQueryValue(s string) any {
	if strings.HasPrefix(s, "{") {
		var obj map[string]any
		if err := json.Unmarshal([]byte(s), &obj); err == nil && obj != nil {
			return typeQueryObject(obj)
		}
		return s
	}
	switch s {
	case "true":
		return true
	case "false":
		return false
	}
	if n, ok := jsParseInt(s); ok {
		return n
	}
	return s
}

func typeQueryObject(obj map[string]any) map[string]any {
	for k, v := range obj {
		switch v := v.(type) {
		case string:
			obj[k] = typeQueryValue(v)
		case map[string]any:
			obj[k] = typeQueryObject(v)
		}
	}
	return obj
}

// jsParseInt is JavaScript's parseInt(s) without a radix. ok is false where JavaScript
// returns NaN.
func jsParseInt(s string) (n float64, ok bool) {
	s = strings.TrimLeftFunc(s, isJSWhitespace)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	base := 10
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		base = 16
		s = s[2:]
	}
	end := 0
	for end < len(s) && digitValue(s[end]) < base {
		end++
	}
	if end == 0 {
		return 0, false
	}
	digits := s[:end]
	if base == 16 {
		// A hexadecimal float literal gives the correctly rounded value at any length.
		digits = "0x" + digits + "p0"
	}
	// Out of range gives ±Inf, which is what JavaScript returns too.
	n, _ = strconv.ParseFloat(digits, 64)
	if neg {
		n = -n
	}
	return n, true
}

func digitValue(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'Z':
		return int(c-'A') + 10
	default:
		return 99
	}
}

// isJSWhitespace is JavaScript's StrWhiteSpaceChar: white space and line terminators.
func isJSWhitespace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', '\u2028', '\u2029', '\ufeff':
		return true
	}
	return unicode.Is(unicode.Zs, r)
}
