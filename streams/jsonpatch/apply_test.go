package jsonpatch

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// obj and arr shorten literals in the tables below.
type obj = map[string]any
type arr = []any

func op(kv ...any) map[string]any {
	m := obj{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func TestApply(t *testing.T) {
	tests := []struct {
		name    string
		doc     any
		ops     []any
		want    any
		wantErr error
	}{
		// add
		{"add member", obj{"a": 1.0}, arr{op("op", "add", "path", "/b", "value", 2.0)}, obj{"a": 1.0, "b": 2.0}, nil},
		{"add replaces existing member", obj{"a": 1.0}, arr{op("op", "add", "path", "/a", "value", "x")}, obj{"a": "x"}, nil},
		{"add inserts into array", obj{"a": arr{1.0, 2.0}}, arr{op("op", "add", "path", "/a/1", "value", 9.0)}, obj{"a": arr{1.0, 9.0, 2.0}}, nil},
		{"add dash appends", obj{"a": arr{1.0}}, arr{op("op", "add", "path", "/a/-", "value", 9.0)}, obj{"a": arr{1.0, 9.0}}, nil},
		{"add index past end appends", obj{"a": arr{1.0}}, arr{op("op", "add", "path", "/a/7", "value", 9.0)}, obj{"a": arr{1.0, 9.0}}, nil},
		{"add index with leading zero", obj{"a": arr{1.0, 2.0}}, arr{op("op", "add", "path", "/a/01", "value", 9.0)}, obj{"a": arr{1.0, 9.0, 2.0}}, nil},
		{"add empty index is zero", obj{"a": arr{1.0}}, arr{op("op", "add", "path", "/a/", "value", 9.0)}, obj{"a": arr{9.0, 1.0}}, nil},
		{"add index wraps through int32", obj{"a": arr{1.0, 2.0}}, arr{op("op", "add", "path", "/a/4294967295", "value", 9.0)}, obj{"a": arr{1.0, 9.0, 2.0}}, nil},
		{"add negative index is invisible", obj{"a": arr{1.0}}, arr{op("op", "add", "path", "/a/-1", "value", 9.0)}, obj{"a": arr{1.0}}, nil},
		{"add array length truncates", obj{"a": arr{1.0, 2.0, 3.0}}, arr{op("op", "add", "path", "/a/length", "value", 1.0)}, obj{"a": arr{1.0}}, nil},
		{"add array length grows with nulls", obj{"a": arr{}}, arr{op("op", "add", "path", "/a/length", "value", "2")}, obj{"a": arr{nil, nil}}, nil},
		{"add invalid array length", obj{"a": arr{}}, arr{op("op", "add", "path", "/a/length", "value", -1.0)}, nil, ErrArrayLength},
		{"add huge array length refused", obj{"a": arr{}}, arr{op("op", "add", "path", "/a/length", "value", 4e9)}, nil, ErrArrayLength},
		{"add escaped member names", obj{}, arr{op("op", "add", "path", "/a~1b~0c", "value", 1.0)}, obj{"a/b~c": 1.0}, nil},
		{"add without value drops the member", obj{"a": 1.0}, arr{op("op", "add", "path", "/b")}, obj{"a": 1.0}, nil},
		{"add without value in array is null", obj{"a": arr{}}, arr{op("op", "add", "path", "/a/0")}, obj{"a": arr{nil}}, nil},
		{"add root", obj{"a": 1.0}, arr{op("op", "add", "path", "", "value", arr{1.0})}, arr{1.0}, nil},
		{"add root without value", obj{}, arr{op("op", "add", "path", "")}, nil, ErrUndefinedResult},
		{"add through missing member", obj{}, arr{op("op", "add", "path", "/x/y", "value", 1.0)}, nil, ErrUnresolvable},
		{"add through null", obj{"x": nil}, arr{op("op", "add", "path", "/x/y", "value", 1.0)}, nil, ErrUnresolvable},
		{"add into a string is ignored", obj{"s": "ab"}, arr{op("op", "add", "path", "/s/0", "value", 1.0)}, obj{"s": "ab"}, nil},
		{"add into null document", nil, arr{op("op", "add", "path", "/a", "value", 1.0)}, nil, ErrUnresolvable},
		{"path without slash uses undefined key", obj{}, arr{op("op", "add", "path", "a", "value", 1.0)}, obj{"undefined": 1.0}, nil},
		{"path without leading slash drops first segment", obj{}, arr{op("op", "add", "path", "a/b", "value", 1.0)}, obj{"b": 1.0}, nil},
		{"missing path on object", obj{}, arr{op("op", "add", "value", 1.0)}, obj{"undefined": 1.0}, nil},
		{"missing path on array", arr{}, arr{op("op", "add", "value", 1.0)}, nil, ErrInvalidOperation},
		{"numeric path", obj{}, arr{op("op", "add", "path", 1.0, "value", 1.0)}, nil, ErrInvalidOperation},

		// prototype ban
		{"__proto__ banned", obj{}, arr{op("op", "add", "path", "/__proto__/x", "value", 1.0)}, nil, ErrPrototype},
		{"constructor/prototype banned", obj{}, arr{op("op", "add", "path", "/constructor/prototype", "value", 1.0)}, nil, ErrPrototype},
		{"__proto__ banned in from", obj{}, arr{op("op", "copy", "from", "/__proto__", "path", "/x")}, nil, ErrPrototype},
		{"constructor alone allowed", obj{}, arr{op("op", "add", "path", "/constructor", "value", 1.0)}, obj{"constructor": 1.0}, nil},

		// remove
		{"remove member", obj{"a": 1.0, "b": 2.0}, arr{op("op", "remove", "path", "/a")}, obj{"b": 2.0}, nil},
		{"remove missing member is a no-op", obj{"a": 1.0}, arr{op("op", "remove", "path", "/b")}, obj{"a": 1.0}, nil},
		{"remove element", obj{"a": arr{1.0, 2.0, 3.0}}, arr{op("op", "remove", "path", "/a/1")}, obj{"a": arr{1.0, 3.0}}, nil},
		{"remove index past end is a no-op", obj{"a": arr{1.0}}, arr{op("op", "remove", "path", "/a/5")}, obj{"a": arr{1.0}}, nil},
		{"remove non-numeric key removes first", obj{"a": arr{1.0, 2.0}}, arr{op("op", "remove", "path", "/a/x")}, obj{"a": arr{2.0}}, nil},
		{"remove -1 removes last", obj{"a": arr{1.0, 2.0}}, arr{op("op", "remove", "path", "/a/-1")}, obj{"a": arr{1.0}}, nil},
		{"remove root gives null", obj{"a": 1.0}, arr{op("op", "remove", "path", "")}, nil, nil},
		{"remove through missing member", obj{}, arr{op("op", "remove", "path", "/x/y")}, nil, ErrUnresolvable},

		// replace
		{"replace member", obj{"a": 1.0}, arr{op("op", "replace", "path", "/a", "value", 2.0)}, obj{"a": 2.0}, nil},
		{"replace missing member sets it", obj{}, arr{op("op", "replace", "path", "/a", "value", 2.0)}, obj{"a": 2.0}, nil},
		{"replace past end leaves holes", obj{"a": arr{1.0}}, arr{op("op", "replace", "path", "/a/2", "value", 3.0)}, obj{"a": arr{1.0, nil, 3.0}}, nil},
		{"replace far past end refused", obj{"a": arr{}}, arr{op("op", "replace", "path", "/a/2147483647", "value", 3.0)}, nil, ErrArrayLength},
		{"replace root", obj{"a": 1.0}, arr{op("op", "replace", "path", "", "value", "s")}, "s", nil},

		// move
		{"move member", obj{"a": 1.0, "b": obj{}}, arr{op("op", "move", "from", "/a", "path", "/b/c")}, obj{"b": obj{"c": 1.0}}, nil},
		{"move within array", obj{"a": arr{1.0, 2.0, 3.0}}, arr{op("op", "move", "from", "/a/0", "path", "/a/2")}, obj{"a": arr{2.0, 3.0, 1.0}}, nil},
		{"move missing member adds nothing visible", obj{"a": 1.0}, arr{op("op", "move", "from", "/x", "path", "/b")}, obj{"a": 1.0}, nil},
		{"move to root does not remove", obj{"a": obj{"x": 1.0}}, arr{op("op", "move", "from", "/a", "path", "")}, obj{"x": 1.0}, nil},
		{"move from root into itself", obj{}, arr{op("op", "move", "from", "", "path", "/a")}, nil, ErrCycle},
		{"move into own child", obj{"a": obj{}}, arr{op("op", "move", "from", "/a", "path", "/a/b")}, nil, ErrUnresolvable},
		{"move from inherited method", obj{"a": obj{}}, arr{op("op", "move", "from", "/a/toString", "path", "/b")}, obj{"a": obj{}}, nil},

		// copy
		{"copy member", obj{"a": obj{"x": arr{1.0}}}, arr{op("op", "copy", "from", "/a", "path", "/b")}, obj{"a": obj{"x": arr{1.0}}, "b": obj{"x": arr{1.0}}}, nil},
		{"copy is deep", obj{"a": arr{1.0}}, arr{op("op", "copy", "from", "/a", "path", "/b"), op("op", "add", "path", "/b/-", "value", 2.0)}, obj{"a": arr{1.0}, "b": arr{1.0, 2.0}}, nil},
		{"copy missing member adds null", obj{}, arr{op("op", "copy", "from", "/x", "path", "/b")}, obj{"b": nil}, nil},
		{"copy from false copies the root", obj{"a": 1.0}, arr{op("op", "copy", "from", false, "path", "/b")}, obj{"a": 1.0, "b": obj{"a": 1.0}}, nil},
		{"copy array length", obj{"a": arr{1.0, 2.0}}, arr{op("op", "copy", "from", "/a/length", "path", "/n")}, obj{"a": arr{1.0, 2.0}, "n": int64(2)}, nil},
		{"copy UTF-16 string length", obj{"s": "😀"}, arr{op("op", "copy", "from", "/s/length", "path", "/n")}, obj{"s": "😀", "n": int64(2)}, nil},
		{"copy to root from missing member", obj{}, arr{op("op", "copy", "from", "/x", "path", "")}, nil, ErrUndefinedResult},

		// test
		{"test equal", obj{"a": arr{1.0, obj{"b": nil}}}, arr{op("op", "test", "path", "/a", "value", arr{1.0, obj{"b": nil}})}, obj{"a": arr{1.0, obj{"b": nil}}}, nil},
		{"test int64 equals float64", obj{"a": int64(1)}, arr{op("op", "test", "path", "/a", "value", 1.0)}, obj{"a": int64(1)}, nil},
		{"test json.Number equals float64", obj{"a": json.Number("1.50")}, arr{op("op", "test", "path", "/a", "value", 1.5)}, obj{"a": json.Number("1.50")}, nil},
		{"test BigInt is not a Number", obj{"a": int64(1 << 60)}, arr{op("op", "test", "path", "/a", "value", float64(1<<60))}, nil, ErrTestFailed},
		{"test BigInt equals BigInt", obj{"a": int64(1 << 60)}, arr{op("op", "test", "path", "/a", "value", json.Number("1152921504606846976"))}, obj{"a": int64(1 << 60)}, nil},
		{"test unequal", obj{"a": 1.0}, arr{op("op", "test", "path", "/a", "value", 2.0)}, nil, ErrTestFailed},
		{"test missing member without value passes", obj{}, arr{op("op", "test", "path", "/a")}, obj{}, nil},
		{"test missing member against null fails", obj{}, arr{op("op", "test", "path", "/a", "value", nil)}, nil, ErrTestFailed},
		{"test array against object", obj{"a": arr{}}, arr{op("op", "test", "path", "/a", "value", obj{})}, nil, ErrTestFailed},
		{"test root", obj{"a": 1.0}, arr{op("op", "test", "path", "", "value", obj{"a": 1.0})}, obj{"a": 1.0}, nil},
		{"failed test stops the patch", obj{}, arr{op("op", "add", "path", "/a", "value", 1.0), op("op", "test", "path", "/a", "value", 2.0)}, nil, ErrTestFailed},

		// unknown and odd operations
		{"unknown op", obj{"a": 1.0}, arr{op("op", "frobnicate", "path", "/a")}, nil, ErrUnknownOp},
		{"missing op", obj{"a": 1.0}, arr{op("path", "/a")}, nil, ErrUnknownOp},
		{"unknown op on root is ignored", obj{"a": 1.0}, arr{op("op", "frobnicate", "path", "")}, obj{"a": 1.0}, nil},
		{"_get is a no-op", obj{"a": 1.0}, arr{op("op", "_get", "path", "/a")}, obj{"a": 1.0}, nil},
		{"op in an array", obj{}, arr{op("op", arr{"add"}, "path", "/a", "value", 1.0)}, obj{"a": 1.0}, nil},
		{"op toString leaves undefined", obj{"a": 1.0}, arr{op("op", "toString", "path", "/a")}, nil, ErrUndefinedResult},
		{"op valueOf returns newDocument", obj{"a": 1.0}, arr{op("op", "valueOf", "path", "/a", "newDocument", obj{"q": 1.0})}, obj{"q": 1.0}, nil},
		{"op constructor reads container", obj{"a": 1.0, "newDocument": arr{}}, arr{op("op", "constructor", "path", "/a")}, arr{}, nil},
		{"op __proto__", obj{"a": 1.0}, arr{op("op", "__proto__", "path", "/a")}, nil, ErrUnknownOp},
		{"null operation", obj{}, arr{nil}, nil, ErrInvalidOperation},
		{"string operation", obj{}, arr{"add"}, nil, ErrUnknownOp},
		{"empty patch", obj{"a": 1.0}, arr{}, obj{"a": 1.0}, nil},
		{"nil patch", obj{"a": 1.0}, nil, obj{"a": 1.0}, nil},

		// value types
		{"int64 values kept", obj{"a": int64(1)}, arr{op("op", "add", "path", "/b", "value", int64(2))}, obj{"a": int64(1), "b": int64(2)}, nil},
		{"copy of BigInt inside object fails", obj{"a": obj{"n": int64(1 << 60)}}, arr{op("op", "copy", "from", "/a", "path", "/b")}, nil, ErrUnsupportedValue},
		{"copy of bare BigInt works", obj{"n": int64(1 << 60)}, arr{op("op", "copy", "from", "/n", "path", "/m")}, obj{"n": int64(1 << 60), "m": int64(1 << 60)}, nil},
		{"unsupported Go value", obj{"a": struct{}{}}, arr{}, nil, ErrUnsupportedValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := mustJSONIfPossible(tt.doc)
			got, err := Apply(tt.doc, tt.ops)
			if after := mustJSONIfPossible(tt.doc); after != before {
				t.Fatalf("input modified: %s -> %s", before, after)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func mustJSONIfPossible(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "<unencodable>"
	}
	return string(b)
}

func TestApplyDetailed(t *testing.T) {
	tests := []struct {
		name          string
		doc           any
		patch         any
		wantDoc       any
		wantUndefined bool
		wantMutated   any
		wantErr       error
	}{
		{
			name:        "success leaves the mutated input equal to the result",
			doc:         obj{"a": 1.0},
			patch:       arr{op("op", "add", "path", "/b", "value", 2.0)},
			wantDoc:     obj{"a": 1.0, "b": 2.0},
			wantMutated: obj{"a": 1.0, "b": 2.0},
		},
		{
			name:        "root replacement detaches the input",
			doc:         obj{"a": 1.0},
			patch:       arr{op("op", "add", "path", "/b", "value", 2.0), op("op", "replace", "path", "", "value", obj{}), op("op", "add", "path", "/c", "value", 3.0)},
			wantDoc:     obj{"c": 3.0},
			wantMutated: obj{"a": 1.0, "b": 2.0},
		},
		{
			name:        "failure keeps earlier operations in the mutated input",
			doc:         obj{"a": obj{"b": 1.0}},
			patch:       arr{op("op", "add", "path", "/a/c", "value", 2.0), op("op", "remove", "path", "/a/b"), op("op", "test", "path", "/a/c", "value", 3.0)},
			wantMutated: obj{"a": obj{"c": 2.0}},
			wantErr:     ErrTestFailed,
		},
		{
			name:        "failed move keeps its removal",
			doc:         obj{"a": obj{}},
			patch:       arr{op("op", "move", "from", "/a", "path", "/a/b")},
			wantMutated: obj{},
			wantErr:     ErrUnresolvable,
		},
		{
			name:          "undefined result",
			doc:           obj{"a": 1.0},
			patch:         arr{op("op", "move", "from", "/zz", "path", "")},
			wantUndefined: true,
			wantMutated:   obj{"a": 1.0},
		},
		{
			name:        "array-like object patch",
			doc:         obj{},
			patch:       obj{"length": 1.0, "0": op("op", "add", "path", "/a", "value", 1.0)},
			wantDoc:     obj{"a": 1.0},
			wantMutated: obj{"a": 1.0},
		},
		{
			name:        "object patch without length does nothing",
			doc:         obj{},
			patch:       obj{"0": op("op", "add", "path", "/a", "value", 1.0)},
			wantDoc:     obj{},
			wantMutated: obj{},
		},
		{
			name:        "numeric patch does nothing",
			doc:         obj{},
			patch:       5.0,
			wantDoc:     obj{},
			wantMutated: obj{},
		},
		{
			name:        "null patch fails",
			doc:         obj{},
			patch:       nil,
			wantMutated: obj{},
			wantErr:     ErrInvalidOperation,
		},
		{
			name:        "negative length fails",
			doc:         obj{},
			patch:       obj{"length": -1.0},
			wantMutated: obj{},
			wantErr:     ErrArrayLength,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ApplyDetailed(tt.doc, tt.patch)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if err == nil {
				if r.Undefined != tt.wantUndefined {
					t.Fatalf("Undefined = %v, want %v", r.Undefined, tt.wantUndefined)
				}
				if !reflect.DeepEqual(r.Doc, tt.wantDoc) {
					t.Fatalf("Doc = %#v, want %#v", r.Doc, tt.wantDoc)
				}
			}
			if !reflect.DeepEqual(r.Mutated, tt.wantMutated) {
				t.Fatalf("Mutated = %#v, want %#v", r.Mutated, tt.wantMutated)
			}
		})
	}
}

func TestOpErrorMessage(t *testing.T) {
	_, err := Apply(obj{}, arr{op("op", "add", "path", "/a", "value", 1.0), op("op", "add", "path", "/x/y", "value", 1.0)})
	var oe *OpError
	if !errors.As(err, &oe) || oe.Index != 1 {
		t.Fatalf("err = %v, want *OpError at index 1", err)
	}
	const want = "jsonpatch: path cannot be resolved (operation 1: Cannot set properties of undefined (setting 'y'))"
	if err.Error() != want {
		t.Fatalf("message %q, want %q", err.Error(), want)
	}
	_, err = Apply(obj{}, arr{op("op", "test", "path", "/a", "value", 1.0)})
	if got, want := err.Error(), "jsonpatch: test operation failed (operation 0)"; got != want {
		t.Fatalf("message %q, want %q", got, want)
	}
}
