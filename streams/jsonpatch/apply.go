package jsonpatch

import (
	"strconv"
	"strings"
)

// Result is the complete outcome of applying a patch the way js-ceramic 3.4.1 does it
// (fast-json-patch 3.1.1 applyPatch, no validation, document mutated in place).
type Result struct {
	// Doc is the patched document. It is nil when Undefined is set.
	Doc any

	// Undefined reports that fast-json-patch returned JavaScript undefined as the new
	// document. This happens without an error for, among others, {"op":"add","path":""}
	// without a "value", a move or copy to "" from a missing member, and operation names
	// inherited from Object.prototype such as "toString". js-ceramic then stores undefined as
	// the pending content and, because it reads `next?.content ?? content`, shows the last
	// anchored content again.
	Undefined bool

	// Mutated is the input document as fast-json-patch leaves it after mutating it in place.
	// On success js-ceramic discards it. On failure it is observable: the tile and MID
	// handlers patch the pending content object directly, and when a commit fails to apply
	// the state built so far (with that partially patched object) is kept. Operations that
	// replace the root (path "") stop affecting Mutated from then on. The caller's value is
	// never modified; Mutated is a copy.
	Mutated any
}

// Apply applies a JSON patch to doc and returns the new document, with the semantics of
// fast-json-patch applyPatch(doc, ops) as js-ceramic calls it (no validation, prototype
// pollution banned). doc and the operations are plain JSON values: map[string]any, []any,
// string, bool, nil and numbers as float64, int64 or json.Number. doc is not modified.
//
// A patch that leaves the document undefined returns [ErrUndefinedResult]; use
// [ApplyDetailed] to handle that case and to see partial effects of a failed patch.
func Apply(doc any, ops []any) (any, error) {
	r, err := ApplyDetailed(doc, ops)
	if err != nil {
		return nil, err
	}
	if r.Undefined {
		return nil, ErrUndefinedResult
	}
	return r.Doc, nil
}

// ApplyDetailed applies patch, the "data" member of a commit exactly as decoded, to doc.
// patch is normally an array of operations, but any JSON value is accepted and treated like
// fast-json-patch treats it: an object with a numeric "length" member is an array-like
// patch, other objects, numbers and booleans are empty patches, null fails.
//
// On failure the error is an [*OpError] (or, for a malformed patch as a whole, an error
// matching [ErrInvalidOperation] or [ErrArrayLength]) and Result.Mutated still describes the
// partially patched input; Doc is nil.
func ApplyDetailed(doc, patch any) (Result, error) {
	input, err := toJS(doc)
	if err != nil {
		return Result{}, err
	}
	p, err := toJS(patch)
	if err != nil {
		return Result{}, err
	}
	ops, err := patchOperations(p)
	if err != nil {
		return Result{Mutated: fromJS(input)}, err
	}
	document := input
	ap := &applier{budget: workBudget}
	for i := 0; ; i++ {
		opv, ok, err := ops(i)
		if err != nil {
			return Result{Mutated: fromJS(input)}, &OpError{Index: i, Err: err}
		}
		if !ok {
			break
		}
		op, err := newOperation(opv)
		if err == nil {
			var res result
			res, err = ap.applyOperation(document, op)
			document = res.newDoc
		}
		if err != nil {
			return Result{Mutated: fromJS(input)}, &OpError{Index: i, Err: err}
		}
	}
	r := Result{Mutated: fromJS(input)}
	if isUndefinedOrFunction(document) {
		r.Undefined = true
	} else {
		r.Doc = fromJS(document)
	}
	return r, nil
}

// patchOperations returns an iterator over the operations of a patch, following the loop
// `for (i = 0; i < patch.length; i++) patch[i]` after `new Array(patch.length)`.
func patchOperations(p any) (func(int) (any, bool, error), error) {
	switch x := p.(type) {
	case *jsArray:
		return func(i int) (any, bool, error) {
			if i >= len(x.elems) {
				return nil, false, nil
			}
			return x.elems[i], true, nil
		}, nil
	case map[string]any:
		// An array-like object: its "length" decides how many numbered members are read.
		length, ok := x["length"]
		if !ok {
			return func(int) (any, bool, error) { return nil, false, nil }, nil
		}
		var n float64
		if isNumber(length) {
			// new Array(length) throws unless length is a valid array length.
			if b, big := bigIntValue(length); big {
				n = float64(b)
			} else {
				n, _ = numberValue(length)
				if n < 0 || n > 1<<32-1 || n != float64(int64(n)) {
					return nil, typeErrorf(ErrArrayLength, "Invalid array length")
				}
			}
		} else {
			var err error
			if n, err = toNumber(length); err != nil {
				return nil, err
			}
		}
		return func(i int) (any, bool, error) {
			if !(float64(i) < n) {
				return nil, false, nil
			}
			v, ok := x[strconv.Itoa(i)]
			if !ok {
				return nil, false, typeErrorf(ErrInvalidOperation,
					"Cannot read properties of undefined (reading 'path')")
			}
			return v, true, nil
		}, nil
	case string:
		// Each UTF-16 code unit would be an operation; none of them can succeed.
		n := utf16Len(x)
		return func(i int) (any, bool, error) {
			if i >= n {
				return nil, false, nil
			}
			c, _ := utf16At(x, i)
			return c, true, nil
		}, nil
	case nil:
		return nil, typeErrorf(ErrInvalidOperation, "patch is null: Cannot read properties of null (reading 'length')")
	default:
		// Numbers and booleans have no length: nothing to apply.
		return func(int) (any, bool, error) { return nil, false, nil }, nil
	}
}

// workBudget bounds the values one patch may create by copying or by growing arrays. Each
// copy duplicates a subtree, so a patch of a few kilobytes could otherwise double the
// document thousands of times; js-ceramic runs out of memory on such a patch, this package
// returns [ErrTooLarge].
const workBudget = 1 << 22

// applier applies the operations of one patch.
type applier struct {
	budget int // values that may still be created
}

// charge spends n units of the budget.
func (ap *applier) charge(n int) error {
	ap.budget -= n
	if ap.budget < 0 {
		return typeErrorf(ErrTooLarge, "patch creates more than %d values", workBudget)
	}
	return nil
}

// operation is one patch operation, with JavaScript's view of its members: undefined when
// absent. value and from are internal values.
type operation struct {
	raw   map[string]any // the operation object; nil for operations built internally
	op    any
	path  any
	from  any
	value any
}

func member(m map[string]any, name string) any {
	if v, ok := m[name]; ok {
		return v
	}
	return undefined
}

func newOperation(v any) (*operation, error) {
	switch x := v.(type) {
	case map[string]any:
		return &operation{
			raw:   x,
			op:    member(x, "op"),
			path:  member(x, "path"),
			from:  member(x, "from"),
			value: member(x, "value"),
		}, nil
	case nil:
		return nil, typeErrorf(ErrInvalidOperation, "operation is null: Cannot read properties of null (reading 'path')")
	default:
		// Strings, numbers, booleans and arrays have none of the members.
		return &operation{op: undefined, path: undefined, from: undefined, value: undefined}, nil
	}
}

// result is what one operation returns: the (possibly new) document and the removed value.
type result struct {
	newDoc  any
	removed any
}

// applyOperation is fast-json-patch's applyOperation(document, operation) with
// validateOperation=false, mutateDocument=true, banPrototypeModifications=true.
func (ap *applier) applyOperation(document any, op *operation) (result, error) {
	if p, ok := op.path.(string); ok && p == "" {
		return ap.applyRoot(document, op)
	}

	var path string
	switch p := op.path.(type) {
	case string:
		path = p
	default:
		// `operation.path || ""`: falsy paths become "", anything else has no split method.
		if truthy(p) {
			return result{newDoc: document}, typeErrorf(ErrInvalidOperation, "path.split is not a function (path is not a string)")
		}
	}
	// A path without a leading slash loses its first segment; one without any slash is
	// walked with an undefined key. Kept for compatibility.
	keys := strings.Split(path, "/")
	obj := document
	for t := 1; ; {
		var key propKey
		if t < len(keys) {
			key = strKey(keys[t])
			if strings.Contains(key.str, "~") {
				key.str = strings.ReplaceAll(strings.ReplaceAll(key.str, "~1", "/"), "~0", "~")
			}
			if key.str == "__proto__" || (key.str == "prototype" && keys[t-1] == "constructor") {
				return result{newDoc: document}, typeErrorf(ErrPrototype, "path %q goes through __proto__ or constructor/prototype", path)
			}
		} else {
			key = propKey{undefined: true}
		}
		t++
		if arr, ok := obj.(*jsArray); ok {
			switch {
			case key.undefined:
				return result{newDoc: document}, typeErrorf(ErrInvalidOperation,
					"Cannot read properties of undefined (reading 'length') (array member without a key)")
			case key.str == "-":
				key = numKey(int64(len(arr.elems)))
			case isDigits(key.str):
				// ~~key: leading zeros are accepted, "" is 0, large indices wrap around
				// through a signed 32-bit conversion. Kept for compatibility.
				key = numKey(toInt32(stringToNumber(key.str)))
			}
			if t >= len(keys) {
				return ap.dispatch(document, op, obj, key, true)
			}
		} else if t >= len(keys) {
			return ap.dispatch(document, op, obj, key, false)
		}
		v, err := getProp(obj, key)
		if err != nil {
			return result{newDoc: document}, err
		}
		obj = v
	}
}

// applyRoot handles operations whose path is exactly "".
func (ap *applier) applyRoot(document any, op *operation) (result, error) {
	name, _ := op.op.(string) // compared with ===, so only real strings match
	switch name {
	case "add":
		return result{newDoc: op.value}, nil
	case "replace":
		return result{newDoc: op.value, removed: document}, nil
	case "move", "copy":
		// The value is taken by reference and nothing is removed, even for move.
		v, err := ap.getValueByPointer(document, op.from)
		if err != nil {
			return result{newDoc: document}, err
		}
		r := result{newDoc: v}
		if name == "move" {
			r.removed = document
		}
		return r, nil
	case "test":
		if !deepEquals(document, op.value) {
			return result{newDoc: document}, ErrTestFailed
		}
		return result{newDoc: document}, nil
	case "remove":
		// Removing the root leaves null. Kept for compatibility.
		return result{newDoc: nil, removed: document}, nil
	case "_get":
		op.value = document
		return result{newDoc: document}, nil
	default:
		// Without validation an unknown operation on the root is silently ignored.
		// Kept for compatibility.
		return result{newDoc: document}, nil
	}
}

// getValueByPointer is fast-json-patch's getValueByPointer, including its loose equality
// test against the empty string: "", 0, false and arrays that stringify to "" all mean the
// whole document.
func (ap *applier) getValueByPointer(document, pointer any) (any, error) {
	eq, err := looseEqualsEmptyString(pointer)
	if err != nil {
		return nil, err
	}
	if eq {
		return document, nil
	}
	g := &operation{op: "_get", path: pointer, from: undefined, value: undefined}
	if _, err := ap.applyOperation(document, g); err != nil {
		return nil, err
	}
	return g.value, nil
}

// dispatch runs the operation named by op.op on obj[key]. Like fast-json-patch it looks the
// name up as a property of its operation table, so names inherited from Object.prototype
// resolve to those built-in functions.
func (ap *applier) dispatch(document any, op *operation, obj any, key propKey, isArray bool) (result, error) {
	keep := result{newDoc: document}
	name, err := toString(op.op)
	if err != nil {
		return keep, err
	}
	switch name {
	case "add":
		if isContainer(obj) && sameContainer(op.value, document) {
			return keep, ErrCycle
		}
		if isArray && key.isNum {
			// splice: negative indices count from the end, indices past the end append.
			obj.(*jsArray).splice(float64(key.num), 0, op.value, true)
			return keep, nil
		}
		// Objects: a missing member is simply set. Arrays with a non-numeric key: a hidden
		// property, or the length setter for "length". Primitives: ignored.
		return keep, ap.setProp(obj, key, op.value)

	case "remove":
		if isArray {
			// splice(key, 1): a non-numeric key converts with ToNumber, so "foo" removes the
			// first element and "-1" the last. Kept for compatibility.
			keep.removed = obj.(*jsArray).splice(key.number(), 1, nil, false)
			return keep, nil
		}
		v, err := getProp(obj, key)
		if err != nil {
			return keep, err
		}
		deleteProp(obj, key) // a missing member is not an error
		keep.removed = v
		return keep, nil

	case "replace":
		v, err := getProp(obj, key)
		if err != nil {
			return keep, err
		}
		if isContainer(obj) && sameContainer(op.value, document) {
			return keep, ErrCycle
		}
		// A missing object member is set; an array index past the end grows the array with
		// holes (null in JSON). Kept for compatibility.
		keep.removed = v
		return keep, ap.setProp(obj, key, op.value)

	case "move":
		removed, err := ap.getValueByPointer(document, op.path)
		if err != nil {
			return keep, err
		}
		if truthy(removed) {
			if _, err := ap.jsonClone(removed); err != nil {
				return keep, err
			}
		}
		r, err := ap.applyOperation(document, &operation{op: "remove", path: op.from, from: undefined, value: undefined})
		if err != nil {
			return keep, err
		}
		// Moving a missing member adds undefined. Kept for compatibility.
		if _, err := ap.applyOperation(document, &operation{op: "add", path: op.path, from: undefined, value: r.removed}); err != nil {
			return keep, err
		}
		keep.removed = removed
		return keep, nil

	case "copy":
		v, err := ap.getValueByPointer(document, op.from)
		if err != nil {
			return keep, err
		}
		// The copy goes through JSON: undefined becomes null, so copying a missing member
		// adds null. Kept for compatibility.
		c, err := ap.jsonClone(v)
		if err != nil {
			return keep, err
		}
		_, err = ap.applyOperation(document, &operation{op: "add", path: op.path, from: undefined, value: c})
		return keep, err

	case "test":
		v, err := getProp(obj, key)
		if err != nil {
			return keep, err
		}
		if !deepEquals(v, op.value) {
			return keep, ErrTestFailed
		}
		return keep, nil

	case "_get":
		v, err := getProp(obj, key)
		if err != nil {
			return keep, err
		}
		op.value = v
		return keep, nil
	}
	return dispatchInherited(document, op, obj, name)
}

// dispatchInherited handles operation names that resolve to Object.prototype methods. They
// are called with the operation as `this` and (obj, key, document) as arguments, and their
// return value stands in for {newDocument}. Kept for compatibility.
func dispatchInherited(document any, op *operation, obj any, name string) (result, error) {
	keep := result{newDoc: document}
	switch name {
	case "constructor":
		// Object(obj) returns the container itself: its "test" and "newDocument" members
		// become the operation's result.
		test, nd := any(undefined), any(undefined)
		if isContainer(obj) {
			test, _ = getProp(obj, strKey("test"))
			nd, _ = getProp(obj, strKey("newDocument"))
		}
		if b, ok := test.(bool); ok && !b {
			return keep, ErrTestFailed
		}
		return result{newDoc: nd}, nil
	case "valueOf":
		// Returns the operation object itself.
		test, nd := member(op.raw, "test"), member(op.raw, "newDocument")
		if b, ok := test.(bool); ok && !b {
			return keep, ErrTestFailed
		}
		return result{newDoc: nd}, nil
	case "toString", "isPrototypeOf":
		return result{newDoc: undefined}, nil
	case "toLocaleString":
		if _, own := op.raw["toString"]; own {
			return keep, typeErrorf(ErrInvalidOperation, "operation member toString is not a function")
		}
		return result{newDoc: undefined}, nil
	case "hasOwnProperty", "propertyIsEnumerable":
		if _, err := toString(obj); err != nil {
			return keep, err
		}
		return result{newDoc: undefined}, nil
	case "__lookupGetter__", "__lookupSetter__":
		if _, err := toString(obj); err != nil {
			return keep, err
		}
		return keep, typeErrorf(ErrInvalidOperation, "Cannot read properties of undefined (reading 'test') (operation %q)", name)
	case "__defineGetter__", "__defineSetter__":
		return keep, typeErrorf(ErrInvalidOperation, "Object.prototype.%s: Expecting function", name)
	case "__proto__":
		return keep, typeErrorf(ErrUnknownOp, "objOps[operation.op].call is not a function (operation %q)", name)
	}
	return keep, typeErrorf(ErrUnknownOp, "op %q", name)
}

func isContainer(v any) bool {
	switch v.(type) {
	case map[string]any, *jsArray:
		return true
	}
	return false
}
