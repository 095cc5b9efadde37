package codec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/ipfs/go-cid"
	"github.com/ipld/go-ipld-prime/codec/dagcbor"
	"github.com/ipld/go-ipld-prime/datamodel"
	cidlink "github.com/ipld/go-ipld-prime/linking/cid"
	"github.com/ipld/go-ipld-prime/node/basicnode"
	"github.com/multiformats/go-multihash"
)

// Multicodec codes of the IPLD codecs Ceramic uses.
const (
	// DagCBOR is the dag-cbor codec (0x71): unsigned commits, payloads, proofs, CACAOs.
	DagCBOR uint64 = 0x71
	// DagJOSE is the dag-jose codec (0x85): signed commit envelopes.
	DagJOSE uint64 = 0x85
)

// maxSafeInteger is JavaScript's Number.MAX_SAFE_INTEGER (2^53 - 1).
const maxSafeInteger = 1<<53 - 1

// maxDepth bounds the nesting of values, on encode as on decode (go-ipld-prime's dag-cbor
// decoder uses the same default).
const maxDepth = 1024

var (
	// ErrUnsupportedValue is wrapped when a Go value has no IPLD representation.
	ErrUnsupportedValue = errors.New("codec: unsupported value")
	// ErrInvalidBlock is wrapped when block bytes are not valid for their codec.
	ErrInvalidBlock = errors.New("codec: invalid block")
)

// ToNode converts a plain Go value to a go-ipld-prime node.
//
// Accepted values: nil, bool, string, []byte, cid.Cid (and *cid.Cid), map[string]any,
// []any, int64 and the other Go integer types, float64 and float32, json.Number, a
// datamodel.Node (used as is), and, through reflection, pointers, other slices and arrays,
// and maps with string keys. As with encoding/json, nil maps, slices and pointers are null;
// a nil []byte, however, is empty bytes.
//
// Numbers follow JavaScript's dag-cbor encoder, because that is what produced the blocks
// Ceramic hashes: a float (or json.Number) that is integral and within ±(2^53-1) becomes an
// integer, so 3.0 encodes as the CBOR integer 3; other floats stay 64-bit floats. Go integer
// types always become integers. NaN and ±Inf are refused.
func ToNode(v any) (datamodel.Node, error) {
	nb := basicnode.Prototype.Any.NewBuilder()
	if err := assemble(nb, v, 0); err != nil {
		return nil, err
	}
	return nb.Build(), nil
}

func assemble(na datamodel.NodeAssembler, v any, depth int) error {
	if depth > maxDepth {
		return unsupported("nested deeper than %d levels", maxDepth)
	}
	switch x := v.(type) {
	case nil:
		return na.AssignNull()
	case bool:
		return na.AssignBool(x)
	case string:
		return na.AssignString(x)
	case []byte:
		if x == nil {
			x = []byte{}
		}
		return na.AssignBytes(x)
	case int64:
		return na.AssignInt(x)
	case int:
		return na.AssignInt(int64(x))
	case int32:
		return na.AssignInt(int64(x))
	case int16:
		return na.AssignInt(int64(x))
	case int8:
		return na.AssignInt(int64(x))
	case uint8:
		return na.AssignInt(int64(x))
	case uint16:
		return na.AssignInt(int64(x))
	case uint32:
		return na.AssignInt(int64(x))
	case uint:
		return assignUint(na, uint64(x))
	case uint64:
		return assignUint(na, x)
	case float64:
		return assignNumber(na, x)
	case float32:
		return assignNumber(na, float64(x))
	case json.Number:
		f, err := jsonNumber(x)
		if err != nil {
			return err
		}
		return assignNumber(na, f)
	case cid.Cid:
		if !x.Defined() {
			return unsupported("undefined CID")
		}
		return na.AssignLink(cidlink.Link{Cid: x})
	case *cid.Cid:
		if x == nil {
			return na.AssignNull()
		}
		return assemble(na, *x, depth)
	case map[string]any:
		if x == nil {
			return na.AssignNull()
		}
		ma, err := na.BeginMap(int64(len(x)))
		if err != nil {
			return err
		}
		for _, k := range sortedKeys(x) {
			if err := assembleEntry(ma, k, x[k], depth); err != nil {
				return err
			}
		}
		return ma.Finish()
	case []any:
		if x == nil {
			return na.AssignNull()
		}
		la, err := na.BeginList(int64(len(x)))
		if err != nil {
			return err
		}
		for i, e := range x {
			if err := assemble(la.AssembleValue(), e, depth+1); err != nil {
				return atPath(err, "["+strconv.Itoa(i)+"]")
			}
		}
		return la.Finish()
	case datamodel.Node:
		return na.AssignNode(x)
	}
	return assembleReflect(na, v, depth)
}

func assembleEntry(ma datamodel.MapAssembler, k string, v any, depth int) error {
	if err := ma.AssembleKey().AssignString(k); err != nil {
		return err
	}
	if err := assemble(ma.AssembleValue(), v, depth+1); err != nil {
		return atPath(err, k)
	}
	return nil
}

// assembleReflect handles slices, arrays and string-keyed maps of other element types, such
// as []string or map[string]string.
func assembleReflect(na datamodel.NodeAssembler, v any, depth int) error {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return na.AssignNull()
		}
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			// Named byte slices and byte arrays are bytes, like []byte.
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			return na.AssignBytes(b)
		}
		la, err := na.BeginList(int64(rv.Len()))
		if err != nil {
			return err
		}
		for i := 0; i < rv.Len(); i++ {
			if err := assemble(la.AssembleValue(), rv.Index(i).Interface(), depth+1); err != nil {
				return atPath(err, "["+strconv.Itoa(i)+"]")
			}
		}
		return la.Finish()
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return unsupported("map keys must be strings, not %s", rv.Type().Key())
		}
		if rv.IsNil() {
			return na.AssignNull()
		}
		keys := make([]string, 0, rv.Len())
		for _, k := range rv.MapKeys() {
			keys = append(keys, k.String())
		}
		sort.Strings(keys)
		ma, err := na.BeginMap(int64(len(keys)))
		if err != nil {
			return err
		}
		for _, k := range keys {
			val := rv.MapIndex(reflect.ValueOf(k).Convert(rv.Type().Key()))
			if err := assembleEntry(ma, k, val.Interface(), depth); err != nil {
				return err
			}
		}
		return ma.Finish()
	case reflect.Pointer:
		if rv.IsNil() {
			return na.AssignNull()
		}
		return assemble(na, rv.Elem().Interface(), depth+1)
	}
	return unsupported("%T", v)
}

func assignUint(na datamodel.NodeAssembler, x uint64) error {
	if x > math.MaxInt64 {
		return na.AssignNode(basicnode.NewUint(x))
	}
	return na.AssignInt(int64(x))
}

// assignNumber assigns a JavaScript number: integral values in the safe range become
// integers, everything else a 64-bit float.
func assignNumber(na datamodel.NodeAssembler, f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return unsupported("%v is not an IPLD number", f)
	}
	if i, ok := safeInteger(f); ok {
		return na.AssignInt(i)
	}
	return na.AssignFloat(f)
}

// safeInteger reports whether f is what JavaScript calls a safe integer, and returns it.
// -0 counts as 0, as in JavaScript.
func safeInteger(f float64) (int64, bool) {
	if f != math.Trunc(f) || math.Abs(f) > maxSafeInteger {
		return 0, false
	}
	return int64(f), true
}

// jsonNumber reads a JSON number the way JavaScript's JSON.parse does: as a float64.
func jsonNumber(n json.Number) (float64, error) {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return 0, unsupported("number %s: %v", truncate(string(n), 40), unwrapNumError(err))
	}
	return f, nil
}

func unwrapNumError(err error) error {
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		return ne.Err
	}
	return err
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// FromNode converts a go-ipld-prime node to plain Go values: map[string]any, []any,
// string, bool, nil, int64, float64, []byte and cid.Cid. Integers beyond the int64 range are
// refused.
func FromNode(n datamodel.Node) (any, error) {
	return fromNode(n, 0)
}

func fromNode(n datamodel.Node, depth int) (any, error) {
	if depth > maxDepth {
		return nil, unsupported("nested deeper than %d levels", maxDepth)
	}
	switch n.Kind() {
	case datamodel.Kind_Null:
		return nil, nil
	case datamodel.Kind_Bool:
		return n.AsBool()
	case datamodel.Kind_Int:
		if u, ok := n.(datamodel.UintNode); ok {
			v, err := u.AsUint()
			if err != nil {
				return nil, err
			}
			if v > math.MaxInt64 {
				return nil, unsupported("integer %d is out of range", v)
			}
			return int64(v), nil
		}
		return n.AsInt()
	case datamodel.Kind_Float:
		return n.AsFloat()
	case datamodel.Kind_String:
		return n.AsString()
	case datamodel.Kind_Bytes:
		b, err := n.AsBytes()
		if err != nil {
			return nil, err
		}
		if b == nil {
			b = []byte{}
		}
		return b, nil
	case datamodel.Kind_Link:
		l, err := n.AsLink()
		if err != nil {
			return nil, err
		}
		cl, ok := l.(cidlink.Link)
		if !ok {
			return nil, unsupported("link of type %T", l)
		}
		return cl.Cid, nil
	case datamodel.Kind_Map:
		m := make(map[string]any, n.Length())
		for it := n.MapIterator(); !it.Done(); {
			k, v, err := it.Next()
			if err != nil {
				return nil, err
			}
			ks, err := k.AsString()
			if err != nil {
				return nil, err
			}
			gv, err := fromNode(v, depth+1)
			if err != nil {
				return nil, atPath(err, ks)
			}
			m[ks] = gv
		}
		return m, nil
	case datamodel.Kind_List:
		l := make([]any, 0, n.Length())
		for it := n.ListIterator(); !it.Done(); {
			i, v, err := it.Next()
			if err != nil {
				return nil, err
			}
			gv, err := fromNode(v, depth+1)
			if err != nil {
				return nil, atPath(err, "["+strconv.Itoa(int(i))+"]")
			}
			l = append(l, gv)
		}
		return l, nil
	}
	return nil, unsupported("node of kind %s", n.Kind())
}

// Normalize returns v converted to the plain Go values [FromNode] produces, so that values
// from JSON (json.Number, float64), from Go code ([]string, int) and from blocks compare
// equal: integral safe numbers become int64, other numbers float64. It refuses what
// [ToNode] refuses.
func Normalize(v any) (any, error) {
	n, err := ToNode(v)
	if err != nil {
		return nil, err
	}
	return FromNode(n)
}

// EncodeDagCBOR encodes v (see [ToNode] for the accepted values) as canonical dag-cbor, byte
// for byte what JavaScript's @ipld/dag-cbor produces for the same value: map keys sorted
// shorter first then bytewise, minimal integers, 64-bit floats, CIDs as tag 42.
func EncodeDagCBOR(v any) ([]byte, error) {
	n, err := ToNode(v)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := dagcbor.Encode(n, &buf); err != nil {
		return nil, fmt.Errorf("codec: encoding dag-cbor: %w", err)
	}
	return buf.Bytes(), nil
}

// DecodeDagCBOR decodes strict dag-cbor into plain Go values (see [FromNode]). It refuses
// non-minimal integers and lengths, duplicate map keys, indefinite lengths, NaN and ±Inf,
// tags other than 42, and trailing bytes. Like JavaScript's decoder it accepts map keys in
// any order; re-encoding such a block gives different bytes.
func DecodeDagCBOR(data []byte) (any, error) {
	v, err := decodeDagCBOR(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidBlock, err)
	}
	return v, nil
}

// decodeDagCBOR is DecodeDagCBOR with an error that only states the reason.
func decodeDagCBOR(data []byte) (any, error) {
	nb := basicnode.Prototype.Any.NewBuilder()
	opts := dagcbor.DecodeOptions{AllowLinks: true}
	if err := opts.Decode(nb, bytes.NewReader(data)); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			err = errors.New("unexpected end of data")
		}
		return nil, fmt.Errorf("not valid dag-cbor: %v", err)
	}
	v, err := FromNode(nb.Build())
	if err != nil {
		return nil, fmt.Errorf("not usable dag-cbor: %s", reason(err))
	}
	return v, nil
}

// CIDFor returns the CIDv1 with the given codec and a sha2-256 multihash of data, the
// addressing Ceramic uses for every block it writes.
func CIDFor(codec uint64, data []byte) cid.Cid {
	mh, err := multihash.Sum(data, multihash.SHA2_256, -1)
	if err != nil {
		// sha2-256 is always available; Sum fails only for unknown hash functions.
		panic(err)
	}
	return cid.NewCidV1(codec, mh)
}

// DecodeJSON parses JSON the way a JavaScript server sees it after JSON.parse and converts
// it to normalised Go values (see [Normalize]): every number is read as a float64 first, so
// 3.0 and 3 both become int64(3) and 12345678901234567890 becomes a float64. Duplicate
// object keys keep the last value, as in JavaScript. Trailing data after the value is an
// error.
func DecodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("codec: invalid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("codec: invalid JSON: unexpected data after the value")
	}
	return Normalize(v)
}

// valueError is an [ErrUnsupportedValue] error with the path of the offending value.
type valueError struct {
	path string // such as data.list[2]
	msg  string
}

func unsupported(format string, args ...any) error {
	return &valueError{msg: fmt.Sprintf(format, args...)}
}

func (e *valueError) Error() string {
	if e.path == "" {
		return "codec: unsupported value: " + e.msg
	}
	return "codec: unsupported value at " + e.path + ": " + e.msg
}

func (e *valueError) Is(target error) bool { return target == ErrUnsupportedValue }

// atPath prefixes the path of a valueError with one more segment (a map key or "[i]").
func atPath(err error, seg string) error {
	var ve *valueError
	if !errors.As(err, &ve) {
		return err
	}
	switch {
	case ve.path == "":
		ve.path = seg
	case strings.HasPrefix(ve.path, "["):
		ve.path = seg + ve.path
	default:
		ve.path = seg + "." + ve.path
	}
	return ve
}

// reason returns the message of err without the package prefix, for wrapping it under
// another sentinel.
func reason(err error) string {
	return strings.TrimPrefix(err.Error(), "codec: ")
}

// wrapError wraps cause under sentinel without repeating the package prefix.
type wrapError struct {
	sentinel error
	cause    error
}

func wrap(sentinel, cause error) error { return &wrapError{sentinel: sentinel, cause: cause} }

func (e *wrapError) Error() string   { return e.sentinel.Error() + ": " + reason(e.cause) }
func (e *wrapError) Unwrap() []error { return []error{e.sentinel, e.cause} }

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
