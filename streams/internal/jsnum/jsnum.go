// Package jsnum reads JavaScript numbers out of the Go values the stream engine decodes:
// float64, Go integers and json.Number. Integers outside ±(2^53−1) stand for JavaScript
// BigInts, as js-ceramic's dag-cbor decoder produces them.
package jsnum

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// MaxSafeInteger is Number.MAX_SAFE_INTEGER.
const MaxSafeInteger = 1<<53 - 1

// IsBigInt reports whether an integer stands for a JavaScript BigInt.
func IsBigInt(i int64) bool { return i > MaxSafeInteger || i < -MaxSafeInteger }

// Number returns v as a float64. ok is false when v is not a number, or is a BigInt (whose
// value is then still returned, converted).
func Number(v any) (f float64, ok bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int64:
		return float64(x), !IsBigInt(x)
	case int:
		return float64(x), !IsBigInt(int64(x))
	case int32:
		return float64(x), true
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return float64(i), !IsBigInt(i)
		}
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			if ne, isNum := err.(*strconv.NumError); !isNum || ne.Err != strconv.ErrRange {
				return 0, false
			}
		}
		return f, true
	}
	return 0, false
}

// BigInt returns the value of an integer and whether it stands for a BigInt.
func BigInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, IsBigInt(x)
	case int:
		return int64(x), IsBigInt(int64(x))
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return i, IsBigInt(i)
		}
	}
	return 0, false
}

// Format is Number.prototype.toString() with radix 10: the shortest digits that read back
// as f, in JavaScript's choice of plain or exponential notation.
func Format(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0"
	}
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	mant, expStr, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, 64), "e")
	digits := strings.Replace(mant, ".", "", 1)
	exp, _ := strconv.Atoi(expStr)
	k, n := len(digits), exp+1 // n: position of the decimal point relative to the digits
	switch {
	case k <= n && n <= 21:
		return sign + digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return sign + digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return sign + "0." + strings.Repeat("0", -n) + digits
	}
	e := n - 1
	es := "+"
	if e < 0 {
		es, e = "-", -e
	}
	if k == 1 {
		return sign + digits + "e" + es + strconv.Itoa(e)
	}
	return sign + digits[:1] + "." + digits[1:] + "e" + es + strconv.Itoa(e)
}

// IsWhitespace reports whether r is ECMAScript WhiteSpace or LineTerminator (what
// String.prototype.trim and StringToNumber skip).
func IsWhitespace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f,
		0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}
