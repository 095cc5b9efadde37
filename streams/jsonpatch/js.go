package jsonpatch

import (
	"github.com/goceramic/ceramic/streams/internal/jsnum"

	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file models the small part of JavaScript value semantics that fast-json-patch relies
// on when it runs without validation: property reads and writes on objects, arrays and
// primitives, Array.prototype.splice, the array length setter, loose and strict equality and
// the ToNumber / ToString / ToPropertyKey conversions. A patch is applied to an internal copy
// of the document built from these types and converted back to plain JSON values at the end.
//
// Internal values:
//
//   - nil, bool, string: JavaScript null, booleans and strings.
//   - float64, int64, json.Number: numbers. An int64 outside ±(2^53-1) stands for a BigInt,
//     which is what js-ceramic's dag-cbor decoder produces for such integers.
//   - map[string]any: a plain object (values are internal values).
//   - *jsArray: an array, with its own non-index properties kept aside.
//   - undefinedValue: JavaScript undefined (a missing property, a missing "value" member).
//   - jsFunction: a method inherited from a built-in prototype, seen through a property read
//     such as /obj/toString.

// undefinedValue is JavaScript's undefined.
type undefinedValue struct{}

var undefined = undefinedValue{}

// jsFunction is a built-in method reached through a property read. Only its name is kept.
type jsFunction struct{ name string }

// jsArray is a JavaScript array. Holes (slots never written, created by growing the array)
// are stored as undefined: fast-json-patch cannot tell them apart.
type jsArray struct {
	elems []any
	props map[string]any // own properties that are not array indices, e.g. "foo" or "-1"
}

// maxSparseLength bounds arrays grown through holes (replace past the end, the length
// setter). JavaScript creates sparse arrays of up to 2^32-1 elements; the node would have to
// allocate them, so longer results are refused with [ErrArrayLength].
const maxSparseLength = 1 << 20

// maxSafeInteger is Number.MAX_SAFE_INTEGER.
const maxSafeInteger = 1<<53 - 1

// Names of the methods every plain object inherits from Object.prototype.
var objectProtoNames = setOf("__defineGetter__", "__defineSetter__", "__lookupGetter__",
	"__lookupSetter__", "__proto__", "constructor", "hasOwnProperty", "isPrototypeOf",
	"propertyIsEnumerable", "toLocaleString", "toString", "valueOf")

// Names added by Array.prototype (Node 20); "length" is handled separately.
var arrayProtoNames = setOf("at", "concat", "constructor", "copyWithin", "entries", "every",
	"fill", "filter", "find", "findIndex", "findLast", "findLastIndex", "flat", "flatMap",
	"forEach", "includes", "indexOf", "join", "keys", "lastIndexOf", "map", "pop", "push",
	"reduce", "reduceRight", "reverse", "shift", "slice", "some", "sort", "splice",
	"toLocaleString", "toReversed", "toSorted", "toSpliced", "toString", "unshift", "values",
	"with")

// Names added by String.prototype (Node 20); "length" is handled separately.
var stringProtoNames = setOf("anchor", "at", "big", "blink", "bold", "charAt", "charCodeAt",
	"codePointAt", "concat", "constructor", "endsWith", "fixed", "fontcolor", "fontsize",
	"includes", "indexOf", "isWellFormed", "italics", "lastIndexOf", "link", "localeCompare",
	"match", "matchAll", "normalize", "padEnd", "padStart", "repeat", "replace", "replaceAll",
	"search", "slice", "small", "split", "startsWith", "strike", "sub", "substr", "substring",
	"sup", "toLocaleLowerCase", "toLocaleUpperCase", "toLowerCase", "toString", "toUpperCase",
	"toWellFormed", "trim", "trimEnd", "trimLeft", "trimRight", "trimStart", "valueOf")

// Names added by Number.prototype, Boolean.prototype and BigInt.prototype.
var numberProtoNames = setOf("constructor", "toExponential", "toFixed", "toLocaleString",
	"toPrecision", "toString", "valueOf")
var booleanProtoNames = setOf("constructor", "toString", "valueOf")

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// jsError is a JavaScript exception raised while applying an operation.
type jsError struct {
	kind error  // one of the package sentinels
	msg  string // what JavaScript would say, roughly
}

func (e *jsError) Error() string { return e.msg }
func (e *jsError) Unwrap() error { return e.kind }

func typeErrorf(kind error, format string, args ...any) error {
	return &jsError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// ---------------------------------------------------------------------------------------
// Conversion between plain Go JSON values and internal values.

// toJS deep-copies a plain JSON value into the internal representation.
func toJS(v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, string, float64, int64:
		return x, nil
	case json.Number:
		_, okNum := numberValue(x)
		_, okBig := bigIntValue(x)
		if !okNum && !okBig {
			return nil, fmt.Errorf("%w: malformed json.Number %q", ErrUnsupportedValue, string(x))
		}
		return x, nil
	case float32:
		return float64(x), nil
	case int:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case uint:
		return uintToJS(uint64(x))
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint64:
		return uintToJS(x)
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			c, err := toJS(e)
			if err != nil {
				return nil, err
			}
			m[k] = c
		}
		return m, nil
	case []any:
		a := &jsArray{elems: make([]any, len(x))}
		for i, e := range x {
			c, err := toJS(e)
			if err != nil {
				return nil, err
			}
			a.elems[i] = c
		}
		return a, nil
	default:
		return nil, fmt.Errorf("%w: %T", ErrUnsupportedValue, v)
	}
}

func uintToJS(u uint64) (any, error) {
	if u > math.MaxInt64 {
		return nil, fmt.Errorf("%w: integer %d does not fit in int64", ErrUnsupportedValue, u)
	}
	return int64(u), nil
}

// fromJS converts an internal value back to a plain JSON value the way JSON.stringify
// followed by JSON.parse would shape it: object members that are undefined or functions are
// dropped, such array elements become null, and non-index array properties are dropped.
// Numbers keep their Go type. The top-level value must not be undefined or a function.
func fromJS(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			if isUndefinedOrFunction(e) {
				continue
			}
			m[k] = fromJS(e)
		}
		return m
	case *jsArray:
		s := make([]any, len(x.elems))
		for i, e := range x.elems {
			if isUndefinedOrFunction(e) {
				s[i] = nil
				continue
			}
			s[i] = fromJS(e)
		}
		return s
	default:
		return x
	}
}

func isUndefinedOrFunction(v any) bool {
	switch v.(type) {
	case undefinedValue, jsFunction:
		return true
	}
	return false
}

// jsonClone is fast-json-patch's _deepClone: objects (and null) go through
// JSON.parse(JSON.stringify(v)); everything else is returned as it is, except undefined,
// which becomes null.
func (ap *applier) jsonClone(v any) (any, error) {
	switch x := v.(type) {
	case undefinedValue:
		return nil, nil
	case map[string]any, *jsArray:
		return ap.stringifyClone(x)
	default:
		return x, nil
	}
}

// stringifyClone is JSON.parse(JSON.stringify(v)) for an object or array.
func (ap *applier) stringifyClone(v any) (any, error) {
	if err := ap.charge(1); err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			if isUndefinedOrFunction(e) {
				continue
			}
			c, err := ap.stringifyClone(e)
			if err != nil {
				return nil, err
			}
			m[k] = c
		}
		return m, nil
	case *jsArray:
		a := &jsArray{elems: make([]any, len(x.elems))}
		for i, e := range x.elems {
			if isUndefinedOrFunction(e) {
				continue // stays nil (JSON null)
			}
			c, err := ap.stringifyClone(e)
			if err != nil {
				return nil, err
			}
			a.elems[i] = c
		}
		return a, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, nil
		}
		if x == 0 {
			return float64(0), nil // JSON.stringify(-0) is "0"
		}
		return x, nil
	case json.Number:
		f, _ := numberValue(x)
		if math.IsInf(f, 0) {
			return nil, nil
		}
		if f == 0 && strings.HasPrefix(string(x), "-") {
			return json.Number("0"), nil
		}
		return x, nil
	case int64:
		if isBigInt(x) {
			return nil, typeErrorf(ErrUnsupportedValue, "Do not know how to serialize a BigInt")
		}
		return x, nil
	default:
		return x, nil
	}
}

// ---------------------------------------------------------------------------------------
// Numbers.

// isNumber reports whether v is a JavaScript number or BigInt.
func isNumber(v any) bool {
	switch v.(type) {
	case float64, int64, json.Number:
		return true
	}
	return false
}

// isBigInt reports whether an int64 stands for a JavaScript BigInt.
func isBigInt(i int64) bool { return jsnum.IsBigInt(i) }

// numberValue returns the value of a JavaScript number as a float64. ok is false (and f 0)
// when v is not a number or is a BigInt.
func numberValue(v any) (f float64, ok bool) {
	if f, ok = jsnum.Number(v); !ok {
		return 0, false
	}
	return f, true
}

// bigIntValue returns the value of a JavaScript BigInt (an out-of-safe-range integer, also
// when written as a json.Number).
func bigIntValue(v any) (int64, bool) {
	if i, big := jsnum.BigInt(v); big {
		return i, true
	}
	return 0, false
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// numberToString is Number.prototype.toString() for radix 10.
func numberToString(f float64) string { return jsnum.Format(f) }

// isJSWhitespace reports whether r is WhiteSpace or LineTerminator in ECMAScript.
func isJSWhitespace(r rune) bool { return jsnum.IsWhitespace(r) }

// stringToNumber is ECMAScript StringToNumber.
func stringToNumber(s string) float64 {
	s = strings.TrimFunc(s, isJSWhitespace)
	if s == "" {
		return 0
	}
	if len(s) > 2 && s[0] == '0' {
		base := 0
		switch s[1] {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 0 {
			n, ok := new(big.Int).SetString(s[2:], base)
			if !ok || strings.ContainsAny(s[2:], "_+-") {
				return math.NaN()
			}
			f, _ := new(big.Float).SetInt(n).Float64()
			return f
		}
	}
	switch s {
	case "Infinity", "+Infinity":
		return math.Inf(1)
	case "-Infinity":
		return math.Inf(-1)
	}
	if !isDecimalLiteral(s) {
		return math.NaN()
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !isRangeErr(err) {
		return math.NaN()
	}
	return f
}

// isDecimalLiteral matches StrDecimalLiteral without Infinity:
// [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?
func isDecimalLiteral(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	intDigits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		intDigits++
	}
	fracDigits := 0
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			fracDigits++
		}
	}
	if intDigits == 0 && fracDigits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		expDigits := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			expDigits++
		}
		if expDigits == 0 {
			return false
		}
	}
	return i == len(s)
}

// toInt32 is ECMAScript ToInt32 (what ~~x computes).
func toInt32(f float64) int64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	f = math.Trunc(f)
	m := math.Mod(f, 1<<32)
	if m < 0 {
		m += 1 << 32
	}
	if m >= 1<<31 {
		m -= 1 << 32
	}
	return int64(m)
}

// toIntegerOrInfinity is ECMAScript ToIntegerOrInfinity.
func toIntegerOrInfinity(f float64) float64 {
	if math.IsNaN(f) {
		return 0
	}
	return math.Trunc(f)
}

// ---------------------------------------------------------------------------------------
// Conversions.

// truthy is ECMAScript ToBoolean.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil, undefinedValue:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case float64, int64, json.Number:
		if _, big := bigIntValue(x); big {
			return true
		}
		f, _ := numberValue(x)
		return f != 0 && !math.IsNaN(f)
	default:
		return true
	}
}

// toString is ECMAScript ToString. It fails where JavaScript throws: for objects whose own
// "toString" member is not callable (every JSON value is not callable).
func toString(v any) (string, error) {
	switch x := v.(type) {
	case undefinedValue:
		return "undefined", nil
	case nil:
		return "null", nil
	case bool:
		return strconv.FormatBool(x), nil
	case string:
		return x, nil
	case float64, int64, json.Number:
		if b, big := bigIntValue(x); big {
			return strconv.FormatInt(b, 10), nil
		}
		f, _ := numberValue(x)
		return numberToString(f), nil
	case jsFunction:
		return "function " + x.name + "() { [native code] }", nil
	case map[string]any:
		if _, own := x["toString"]; own {
			return "", typeErrorf(ErrInvalidOperation, "Cannot convert object to primitive value")
		}
		return "[object Object]", nil
	case *jsArray:
		if _, own := x.props["toString"]; own {
			return "", typeErrorf(ErrInvalidOperation, "Cannot convert object to primitive value")
		}
		if _, own := x.props["join"]; own {
			return "[object Array]", nil
		}
		var sb strings.Builder
		for i, e := range x.elems {
			if i > 0 {
				sb.WriteByte(',')
			}
			switch e.(type) {
			case nil, undefinedValue:
				continue
			}
			s, err := toString(e)
			if err != nil {
				return "", err
			}
			sb.WriteString(s)
		}
		return sb.String(), nil
	}
	return "", typeErrorf(ErrUnsupportedValue, "unsupported value %T", v)
}

// toNumber is ECMAScript ToNumber.
func toNumber(v any) (float64, error) {
	switch x := v.(type) {
	case undefinedValue:
		return math.NaN(), nil
	case nil:
		return 0, nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case string:
		return stringToNumber(x), nil
	case float64, int64, json.Number:
		if _, big := bigIntValue(x); big {
			return 0, typeErrorf(ErrInvalidOperation, "Cannot convert a BigInt value to a number")
		}
		f, _ := numberValue(x)
		return f, nil
	default:
		s, err := toString(v)
		if err != nil {
			return 0, err
		}
		return stringToNumber(s), nil
	}
}

// looseEqualsEmptyString is JavaScript loose equality with the empty string (v == "").
func looseEqualsEmptyString(v any) (bool, error) {
	switch x := v.(type) {
	case nil, undefinedValue:
		return false, nil
	case string:
		return x == "", nil
	case bool:
		return !x, nil
	case float64, int64, json.Number:
		if _, big := bigIntValue(x); big {
			return false, nil
		}
		f, _ := numberValue(x)
		return f == 0, nil
	default:
		s, err := toString(v)
		return s == "", err
	}
}

// ---------------------------------------------------------------------------------------
// Property access.

// propKey is a property key as fast-json-patch computes it while walking a path: a string,
// an integer (array indices after ~~ or "-"), or undefined (a path without a slash).
type propKey struct {
	str       string
	num       int64
	isNum     bool
	undefined bool
}

func strKey(s string) propKey { return propKey{str: s} }
func numKey(n int64) propKey  { return propKey{num: n, isNum: true} }

// name is ToPropertyKey of the key.
func (k propKey) name() string {
	switch {
	case k.undefined:
		return "undefined"
	case k.isNum:
		return strconv.FormatInt(k.num, 10)
	}
	return k.str
}

// number is ToNumber of the key.
func (k propKey) number() float64 {
	switch {
	case k.undefined:
		return math.NaN()
	case k.isNum:
		return float64(k.num)
	}
	return stringToNumber(k.str)
}

// display is how error messages show the key.
func (k propKey) display() string { return k.name() }

// arrayIndex returns the element index a key denotes on an array, if any.
func (k propKey) arrayIndex() (int64, bool) {
	if k.isNum {
		return k.num, k.num >= 0
	}
	return 0, false
}

// getProp is obj[key].
func getProp(obj any, k propKey) (any, error) {
	switch x := obj.(type) {
	case undefinedValue:
		return nil, typeErrorf(ErrUnresolvable, "Cannot read properties of undefined (reading '%s')", k.display())
	case nil:
		return nil, typeErrorf(ErrUnresolvable, "Cannot read properties of null (reading '%s')", k.display())
	case map[string]any:
		name := k.name()
		if v, ok := x[name]; ok {
			return v, nil
		}
		if objectProtoNames[name] {
			return inherited(name), nil
		}
		return undefined, nil
	case *jsArray:
		if i, ok := k.arrayIndex(); ok {
			if i < int64(len(x.elems)) {
				return x.elems[i], nil
			}
			return undefined, nil
		}
		name := k.name()
		if name == "length" {
			return int64(len(x.elems)), nil
		}
		if v, ok := x.props[name]; ok {
			return v, nil
		}
		if arrayProtoNames[name] || objectProtoNames[name] {
			return inherited(name), nil
		}
		return undefined, nil
	case string:
		name := k.name()
		if name == "length" {
			return int64(utf16Len(x)), nil
		}
		if i, ok := canonicalIndex(name); ok {
			if c, ok := utf16At(x, i); ok {
				return c, nil
			}
			return undefined, nil
		}
		if stringProtoNames[name] || objectProtoNames[name] {
			return inherited(name), nil
		}
		return undefined, nil
	case bool:
		name := k.name()
		if booleanProtoNames[name] || objectProtoNames[name] {
			return inherited(name), nil
		}
		return undefined, nil
	case float64, int64, json.Number:
		name := k.name()
		if numberProtoNames[name] || objectProtoNames[name] {
			return inherited(name), nil
		}
		return undefined, nil
	case jsFunction:
		// Functions have more properties (length, call, bind, …); only name is modelled.
		if k.name() == "name" {
			return x.name, nil
		}
		return undefined, nil
	}
	return undefined, nil
}

// inherited returns the value of an inherited built-in member. "__proto__" reads the
// prototype itself; fast-json-patch never lets a path reach it.
func inherited(name string) any {
	return jsFunction{name: name}
}

// setProp is obj[key] = v in sloppy mode: writes to primitives are silently ignored, writes
// to null or undefined throw.
func (ap *applier) setProp(obj any, k propKey, v any) error {
	switch x := obj.(type) {
	case undefinedValue:
		return typeErrorf(ErrUnresolvable, "Cannot set properties of undefined (setting '%s')", k.display())
	case nil:
		return typeErrorf(ErrUnresolvable, "Cannot set properties of null (setting '%s')", k.display())
	case map[string]any:
		x[k.name()] = v
		return nil
	case *jsArray:
		if i, ok := k.arrayIndex(); ok {
			if i < int64(len(x.elems)) {
				x.elems[i] = v
				return nil
			}
			if i+1 > maxSparseLength {
				return typeErrorf(ErrArrayLength, "array would grow to %d elements", i+1)
			}
			if err := ap.charge(int(i + 1 - int64(len(x.elems)))); err != nil {
				return err
			}
			x.grow(int(i + 1))
			x.elems[i] = v
			return nil
		}
		name := k.name()
		if name == "length" {
			return ap.setLength(x, v)
		}
		if x.props == nil {
			x.props = make(map[string]any)
		}
		x.props[name] = v
		return nil
	}
	// Primitives and functions: the write has no visible effect.
	return nil
}

// deleteProp is `delete obj[key]` for a non-array container.
func deleteProp(obj any, k propKey) {
	if m, ok := obj.(map[string]any); ok {
		delete(m, k.name())
	}
}

func (a *jsArray) grow(n int) {
	for len(a.elems) < n {
		a.elems = append(a.elems, undefined)
	}
}

// setLength is the array length setter.
func (ap *applier) setLength(a *jsArray, v any) error {
	n, err := toNumber(v)
	if err != nil {
		return err
	}
	if math.IsNaN(n) || n < 0 || n > math.MaxUint32 || n != math.Trunc(n) {
		return typeErrorf(ErrArrayLength, "Invalid array length")
	}
	l := int64(n)
	switch {
	case l <= int64(len(a.elems)):
		clear(a.elems[l:])
		a.elems = a.elems[:l]
	case l > maxSparseLength:
		return typeErrorf(ErrArrayLength, "array would grow to %d elements", l)
	default:
		if err := ap.charge(int(l) - len(a.elems)); err != nil {
			return err
		}
		a.grow(int(l))
	}
	return nil
}

// splice is Array.prototype.splice(start, deleteCount, ...items) for at most one item.
func (a *jsArray) splice(start float64, deleteCount int, item any, insert bool) any {
	l := float64(len(a.elems))
	rel := toIntegerOrInfinity(start)
	var s int
	if rel < 0 {
		s = int(math.Max(l+rel, 0))
	} else {
		s = int(math.Min(rel, l))
	}
	removed := any(undefined)
	if deleteCount > 0 && s < len(a.elems) {
		removed = a.elems[s]
		a.elems = append(a.elems[:s], a.elems[s+1:]...)
	}
	if insert {
		a.elems = append(a.elems, nil)
		copy(a.elems[s+1:], a.elems[s:])
		a.elems[s] = item
	}
	return removed
}

// canonicalIndex reports whether name is a canonical array index ("0", "17", not "01").
func canonicalIndex(name string) (int, bool) {
	if name == "" || len(name) > 10 || (len(name) > 1 && name[0] == '0') {
		return 0, false
	}
	n := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n < math.MaxUint32
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// utf16At returns the UTF-16 code unit at index i as a string. Half of a surrogate pair
// cannot be represented in a Go string and becomes U+FFFD.
func utf16At(s string, i int) (string, bool) {
	pos := 0
	for _, r := range s {
		w := utf16.RuneLen(r)
		if i < pos+w {
			if w == 1 {
				return string(r), true
			}
			return string(utf8.RuneError), true
		}
		pos += w
	}
	return "", false
}

// isDigits is fast-json-patch's isInteger: every character is an ASCII digit (so "" counts).
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ---------------------------------------------------------------------------------------
// Equality.

// strictEquals is ===.
func strictEquals(a, b any) bool {
	switch x := a.(type) {
	case undefinedValue:
		_, ok := b.(undefinedValue)
		return ok
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case float64, int64, json.Number:
		if !isNumber(b) {
			return false
		}
		xb, xBig := bigIntValue(x)
		yb, yBig := bigIntValue(b)
		if xBig || yBig {
			return xBig && yBig && xb == yb
		}
		xf, _ := numberValue(x)
		yf, _ := numberValue(b)
		return xf == yf
	case jsFunction:
		y, ok := b.(jsFunction)
		return ok && x == y
	case map[string]any:
		y, ok := b.(map[string]any)
		return ok && reflect.ValueOf(x).UnsafePointer() == reflect.ValueOf(y).UnsafePointer()
	case *jsArray:
		y, ok := b.(*jsArray)
		return ok && x == y
	}
	return false
}

// sameContainer reports whether a and b are the same object or array.
func sameContainer(a, b any) bool {
	switch a.(type) {
	case map[string]any, *jsArray:
		return strictEquals(a, b)
	}
	return false
}

// isNaNValue reports whether v is the number NaN.
func isNaNValue(v any) bool {
	f, ok := v.(float64)
	return ok && math.IsNaN(f)
}

// deepEquals is fast-json-patch's _areEquals (a copy of fast-deep-equal): strict equality for
// primitives, structural equality for arrays and objects, NaN equal to NaN. b is the test
// operation's value. Where JavaScript would throw (b has an own "hasOwnProperty" member) the
// result is false; the test operation fails either way.
func deepEquals(a, b any) bool {
	if strictEquals(a, b) {
		return true
	}
	if truthy(a) && truthy(b) && isObjectType(a) && isObjectType(b) {
		aa, aArr := a.(*jsArray)
		ba, bArr := b.(*jsArray)
		if aArr && bArr {
			if len(aa.elems) != len(ba.elems) {
				return false
			}
			for i := len(aa.elems) - 1; i >= 0; i-- {
				if !deepEquals(aa.elems[i], ba.elems[i]) {
					return false
				}
			}
			return true
		}
		if aArr != bArr {
			return false
		}
		am := a.(map[string]any)
		bm := b.(map[string]any)
		if len(am) != len(bm) {
			return false
		}
		if _, own := bm["hasOwnProperty"]; own {
			return false
		}
		for k := range am {
			if _, ok := bm[k]; !ok {
				return false
			}
		}
		for k, av := range am {
			if !deepEquals(av, bm[k]) {
				return false
			}
		}
		return true
	}
	return isNaNValue(a) && isNaNValue(b)
}

// isObjectType is `typeof v == "object"` for a non-null v.
func isObjectType(v any) bool {
	switch v.(type) {
	case map[string]any, *jsArray:
		return true
	}
	return false
}
