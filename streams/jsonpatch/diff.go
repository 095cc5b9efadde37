package jsonpatch

import (
	"sort"
	"strconv"
	"strings"
)

// Diff returns a patch that turns a into b, built the way fast-json-patch compare(a, b)
// builds it (the function js-ceramic's TileDocument.update and ModelInstanceDocument.replace
// use): removals and replacements are emitted while walking a's members from last to first,
// then additions in b's member order; array elements are compared index by index, never
// moved. The values in the patch are copies.
//
// Differences from compare that remain:
//
//   - Go maps have no member order, so object members are visited in the order
//     JavaScript's Object.keys would use for integer-like names (ascending) followed by the
//     other names sorted, instead of insertion order. The operations are the same; their
//     order can differ.
//   - When a or b is not an object or array, compare throws (null) or produces nonsense
//     (strings, numbers); Diff returns a single replace of the root, or no operation when the
//     two values are equal.
//
// Like compare, Diff turns {} into [5] with [{"op":"add","path":"/0","value":5}], which
// applied to {} gives {"0":5}: when the root changes between object and array with no member
// in common, compare does not notice. Kept for compatibility.
func Diff(a, b any) []any {
	patch := []any{}
	if !isPlainContainer(a) || !isPlainContainer(b) {
		if plainEqual(a, b) {
			return patch
		}
		return append(patch, patchOp("replace", "", clonePlain(b)))
	}
	generate(a, b, &patch, "")
	return patch
}

func patchOp(op, path string, value any) map[string]any {
	m := map[string]any{"op": op, "path": path}
	if op != "remove" {
		m["value"] = value
	}
	return m
}

// generate is compare's recursive walk over mirror (old) and obj (new).
func generate(mirror, obj any, patch *[]any, path string) {
	oldKeys := plainKeys(mirror)
	newKeys := plainKeys(obj)
	_, mirrorIsArray := mirror.([]any)
	_, objIsArray := obj.([]any)
	deleted := false
	for t := len(oldKeys) - 1; t >= 0; t-- {
		key := oldKeys[t]
		oldVal, _ := plainGet(mirror, key)
		newVal, has := plainGet(obj, key)
		switch {
		case has:
			_, oldArr := oldVal.([]any)
			_, newArr := newVal.([]any)
			if isPlainContainer(oldVal) && isPlainContainer(newVal) && oldArr == newArr {
				generate(oldVal, newVal, patch, path+"/"+escapeKey(key))
			} else if !plainStrictEqual(oldVal, newVal) {
				*patch = append(*patch, patchOp("replace", path+"/"+escapeKey(key), clonePlain(newVal)))
			}
		case mirrorIsArray == objIsArray:
			*patch = append(*patch, patchOp("remove", path+"/"+escapeKey(key), nil))
			deleted = true
		default:
			// Only reachable at the root, where an object became an array or the other way
			// round; compare repeats this operation once per vanished member.
			*patch = append(*patch, patchOp("replace", path, clonePlain(obj)))
		}
	}
	if !deleted && len(newKeys) == len(oldKeys) {
		return
	}
	for _, key := range newKeys {
		if _, has := plainGet(mirror, key); !has {
			v, _ := plainGet(obj, key)
			*patch = append(*patch, patchOp("add", path+"/"+escapeKey(key), clonePlain(v)))
		}
	}
}

// escapeKey is JSON-pointer escaping of one member name.
func escapeKey(k string) string {
	if !strings.ContainsAny(k, "/~") {
		return k
	}
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

func isPlainContainer(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// plainKeys lists member names like Object.keys: array indices, or for objects the
// integer-like names in ascending numeric order followed by the rest, sorted.
func plainKeys(v any) []string {
	switch x := v.(type) {
	case []any:
		keys := make([]string, len(x))
		for i := range x {
			keys[i] = strconv.Itoa(i)
		}
		return keys
	case map[string]any:
		var ints []string
		var rest []string
		for k := range x {
			if _, ok := canonicalIndex(k); ok {
				ints = append(ints, k)
			} else {
				rest = append(rest, k)
			}
		}
		sort.Slice(ints, func(i, j int) bool {
			a, _ := canonicalIndex(ints[i])
			b, _ := canonicalIndex(ints[j])
			return a < b
		})
		sort.Strings(rest)
		return append(ints, rest...)
	}
	return nil
}

// plainGet is an own-member lookup (hasOwnProperty followed by a read).
func plainGet(v any, key string) (any, bool) {
	switch x := v.(type) {
	case []any:
		i, ok := canonicalIndex(key)
		if !ok || i >= len(x) {
			return nil, false
		}
		return x[i], true
	case map[string]any:
		e, ok := x[key]
		return e, ok
	}
	return nil, false
}

// plainStrictEqual is === on plain JSON values: primitives by value (1 and 1.0 are equal),
// objects and arrays never (they are distinct objects in JavaScript).
func plainStrictEqual(a, b any) bool {
	if isPlainContainer(a) || isPlainContainer(b) {
		return false
	}
	ja, err1 := toJS(a)
	jb, err2 := toJS(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return strictEquals(ja, jb)
}

// plainEqual is deep equality on plain JSON values with JavaScript number semantics.
func plainEqual(a, b any) bool {
	ja, err1 := toJS(a)
	jb, err2 := toJS(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return deepEquals(ja, jb)
}

// clonePlain deep-copies a plain JSON value.
func clonePlain(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = clonePlain(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = clonePlain(e)
		}
		return s
	}
	return v
}
