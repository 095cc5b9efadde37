package jsonpatch

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzApply checks that no document/patch pair makes Apply panic, that the input is never
// modified and that results are plain JSON values.
func FuzzApply(f *testing.F) {
	f.Add([]byte(`{"a":[1,2,{"b":null}]}`), []byte(`[{"op":"add","path":"/a/-","value":3}]`))
	f.Add([]byte(`{"a":1}`), []byte(`[{"op":"move","from":"","path":"/x"}]`))
	f.Add([]byte(`[1,2]`), []byte(`[{"op":"add","path":"/length","value":"1"},{"op":"copy","from":"/length","path":"/-"}]`))
	f.Add([]byte(`{"s":"héllo"}`), []byte(`[{"op":"copy","from":"/s/1","path":"/t"},{"op":"remove","path":"/s/x"}]`))
	f.Add([]byte(`{}`), []byte(`{"length":2,"0":{"op":"valueOf","path":"/a","newDocument":[]},"1":{"op":"add","path":"/-"}}`))
	f.Add([]byte(`{"a":{"b":{}}}`), []byte(`[{"op":"test","path":"/a","value":{"b":{}}},{"op":"constructor","path":"/a/b"}]`))
	f.Fuzz(func(t *testing.T, docJSON, patchJSON []byte) {
		var doc, patch any
		if !decodeNumber(docJSON, &doc) || !decodeNumber(patchJSON, &patch) {
			return
		}
		before, _ := json.Marshal(doc)
		r, err := ApplyDetailed(doc, patch)
		after, _ := json.Marshal(doc)
		if !bytes.Equal(before, after) {
			t.Fatalf("input modified: %s -> %s", before, after)
		}
		if _, merr := json.Marshal(r.Mutated); merr != nil {
			t.Fatalf("Mutated is not JSON: %v", merr)
		}
		if err == nil && !r.Undefined {
			if _, merr := json.Marshal(r.Doc); merr != nil {
				t.Fatalf("Doc is not JSON: %v", merr)
			}
		}
		if ops, ok := patch.([]any); ok {
			_, _ = Apply(doc, ops)
		}
		if err == nil && !r.Undefined {
			_ = Diff(doc, r.Doc)
		}
	})
}

func decodeNumber(b []byte, v *any) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v) == nil
}
