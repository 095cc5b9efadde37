package jsonpatch

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"sort"
	"testing"
)

// TestDiffMatchesCompare checks Diff against patches recorded from fast-json-patch
// compare(a, b): the same operations (possibly in another order where object members are
// involved) that lead to the same document.
func TestDiffMatchesCompare(t *testing.T) {
	b, err := os.ReadFile("testdata/fast-json-patch-3.1.1-compare.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var cases []struct {
		Name  string `json:"name"`
		A     any    `json:"a"`
		B     any    `json:"b"`
		Patch []any  `json:"patch"`
	}
	if err := dec.Decode(&cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			got := Diff(c.A, c.B)
			if g, w := sortedJSON(t, got), sortedJSON(t, c.Patch); !reflect.DeepEqual(g, w) {
				t.Fatalf("Diff = %v, compare gave %v", g, w)
			}
			fromGo, err1 := Apply(c.A, got)
			fromJS, err2 := Apply(c.A, c.Patch)
			if err1 != nil || err2 != nil {
				t.Fatalf("applying: %v / %v", err1, err2)
			}
			if !jsonEqual(t, fromGo, fromJS) {
				t.Fatalf("applied Diff gives %s, applied compare gives %s", mustJSON(t, fromGo), mustJSON(t, fromJS))
			}
		})
	}
}

func sortedJSON(t *testing.T, ops []any) []string {
	t.Helper()
	s := make([]string, len(ops))
	for i, o := range ops {
		var v any
		if err := json.Unmarshal([]byte(mustJSON(t, o)), &v); err != nil {
			t.Fatal(err)
		}
		s[i] = mustJSON(t, v)
	}
	sort.Strings(s)
	return s
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name string
		a, b any
		want []any
	}{
		{"equal", obj{"a": 1.0}, obj{"a": int64(1)}, arr{}},
		{"array elements removed from the end", arr{1.0, 2.0, 3.0}, arr{1.0}, arr{
			obj{"op": "remove", "path": "/2"},
			obj{"op": "remove", "path": "/1"},
		}},
		{"nested replace", obj{"a": obj{"b": "x"}}, obj{"a": obj{"b": "y"}}, arr{
			obj{"op": "replace", "path": "/a/b", "value": "y"},
		}},
		{"escaping", obj{}, obj{"a/b": 1.0}, arr{obj{"op": "add", "path": "/a~1b", "value": 1.0}}},
		{"scalar roots", "a", "b", arr{obj{"op": "replace", "path": "", "value": "b"}}},
		{"equal scalar roots", nil, nil, arr{}},
		{"object to array at root", obj{"a": 1.0}, arr{}, arr{obj{"op": "replace", "path": "", "value": arr{}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff(tt.a, tt.b)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Diff = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestDiffRoundTrip(t *testing.T) {
	a := obj{"title": "x", "tags": arr{"a", "b", "c"}, "meta": obj{"n": 1.0, "deep": obj{"k": arr{1.0}}}}
	b := obj{"title": "y", "tags": arr{"a", "c"}, "meta": obj{"deep": obj{"k": arr{1.0, 2.0}}, "m": true}, "new": nil}
	got, err := Apply(a, Diff(a, b))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, b) {
		t.Fatalf("round trip gave %#v", got)
	}
	// The patch must not share structure with b.
	p := Diff(obj{}, b)
	p[0].(map[string]any)["value"] = "changed"
	if b["meta"] == nil {
		t.Fatal("Diff output aliases its input")
	}
}
