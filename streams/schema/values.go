package schema

import (
	"github.com/goceramic/ceramic/streams/internal/jsnum"

	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Values are plain decoded JSON (map[string]any, []any, string, bool, nil, and numbers as
// float64, int64 or json.Number). As elsewhere in the node, an int64 outside ±(2^53-1)
// stands for a JavaScript BigInt, which is what js-ceramic's dag-cbor decoder produces for
// such integers: Ajv does not consider it a number.

// inheritedMethod is the value JavaScript finds for a member a plain object inherits from
// Object.prototype (obj.toString and the like). Ajv's required, properties and
// dependencies keywords look members up that way.
type inheritedMethod struct{ name string }

// objectProtoNames are the members every plain object inherits.
var objectProtoNames = map[string]bool{
	"__defineGetter__": true, "__defineSetter__": true, "__lookupGetter__": true,
	"__lookupSetter__": true, "__proto__": true, "constructor": true, "hasOwnProperty": true,
	"isPrototypeOf": true, "propertyIsEnumerable": true, "toLocaleString": true,
	"toString": true, "valueOf": true,
}

const maxSafeInteger = 1<<53 - 1

// numberOf returns the value of a JavaScript number; ok is false for anything else,
// BigInts included.
func numberOf(v any) (float64, bool) { return jsnum.Number(v) }

// bigIntOf returns the value of a BigInt.
func bigIntOf(v any) (int64, bool) { return jsnum.BigInt(v) }

// jsType is Ajv's data type test (checkDataType with strictNumbers).
func jsType(t string, v any) bool {
	switch t {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		f, ok := numberOf(v)
		return ok && !math.IsInf(f, 0) && !math.IsNaN(f)
	case "integer":
		f, ok := numberOf(v)
		return ok && !math.IsInf(f, 0) && f == math.Trunc(f)
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	}
	return false
}

// strictEqual is JavaScript === for data values (objects and arrays are never equal to
// another value: a schema value and a data value are distinct objects).
func strictEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case inheritedMethod:
		y, ok := b.(inheritedMethod)
		return ok && x == y
	}
	if xb, ok := bigIntOf(a); ok {
		yb, ok2 := bigIntOf(b)
		return ok2 && xb == yb
	}
	if xf, ok := numberOf(a); ok {
		yf, ok2 := numberOf(b)
		return ok2 && xf == yf
	}
	return false
}

// deepEqual is fast-deep-equal as Ajv uses it (const, enum, uniqueItems), including the
// TypeError it throws when an object has an own valueOf or toString member that is not a
// function.
func deepEqual(a, b any) (bool, error) {
	if strictEqual(a, b) {
		return true, nil
	}
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok {
			return false, nil // different constructors (or b is not an object)
		}
		if len(x) != len(y) {
			return false, nil
		}
		for i := len(x) - 1; i >= 0; i-- {
			eq, err := deepEqual(x[i], y[i])
			if err != nil || !eq {
				return false, err
			}
		}
		return true, nil
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return false, nil
		}
		// a.constructor !== b.constructor: an own "constructor" member replaces Object.
		xc, xOwn := x["constructor"]
		yc, yOwn := y["constructor"]
		if xOwn != yOwn || (xOwn && !strictEqual(xc, yc)) {
			return false, nil
		}
		if _, own := x["valueOf"]; own {
			return false, fmt.Errorf("a.valueOf is not a function")
		}
		if _, own := x["toString"]; own {
			return false, fmt.Errorf("a.toString is not a function")
		}
		if len(x) != len(y) {
			return false, nil
		}
		for k := range x {
			if _, ok := y[k]; !ok {
				return false, nil
			}
		}
		for k, xv := range x {
			eq, err := deepEqual(xv, y[k])
			if err != nil || !eq {
				return false, err
			}
		}
		return true, nil
	}
	fa, okA := a.(float64)
	fb, okB := b.(float64)
	return okA && okB && math.IsNaN(fa) && math.IsNaN(fb), nil
}

// ucs2Length counts code points, as Ajv does for minLength and maxLength.
func ucs2Length(s string) int { return utf8.RuneCountInString(s) }

// objectKeys lists an object's members in JavaScript's for…in order: integer-like names
// ascending, then the others. Go maps do not keep insertion order, so the others are
// sorted.
func objectKeys(m map[string]any) []string {
	var ints, rest []string
	for k := range m {
		if _, ok := arrayIndex(k); ok {
			ints = append(ints, k)
		} else {
			rest = append(rest, k)
		}
	}
	sort.Slice(ints, func(i, j int) bool {
		a, _ := arrayIndex(ints[i])
		b, _ := arrayIndex(ints[j])
		return a < b
	})
	sort.Strings(rest)
	return append(ints, rest...)
}

// arrayIndex reports whether k is a canonical array index ("0", "12", not "012").
func arrayIndex(k string) (uint64, bool) {
	if k == "" || (len(k) > 1 && k[0] == '0') || len(k) > 10 {
		return 0, false
	}
	n, err := strconv.ParseUint(k, 10, 64)
	if err != nil || n >= math.MaxUint32 {
		return 0, false
	}
	return n, true
}

// sortedKeys lists the keys of a schema map in a stable order (schema member order is not
// available from a Go map).
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// escapePointer escapes one JSON-pointer token.
func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// isJSWhitespace reports whether r is WhiteSpace or LineTerminator in ECMAScript.
func isJSWhitespace(r rune) bool { return jsnum.IsWhitespace(r) }

// numberText is Number.prototype.toString() for the numbers that appear in messages.
func numberText(v any) string {
	if b, ok := bigIntOf(v); ok {
		return strconv.FormatInt(b, 10)
	}
	f, ok := numberOf(v)
	if !ok {
		return fmt.Sprint(v)
	}
	return jsnum.Format(f)
}

// parseIntOfNumber is JavaScript parseInt(String(f)): the leading integer of the number's
// decimal text ("1e+21" gives 1, "Infinity" gives NaN).
func parseIntOfNumber(f float64) float64 {
	s := numberText(f)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return math.NaN()
	}
	v, _ := strconv.ParseFloat(s[:i], 64)
	if neg {
		v = -v
	}
	return v
}
