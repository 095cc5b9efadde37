package schema

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzCompileValidate checks that no schema or document makes Compile or Validate panic.
func FuzzCompileValidate(f *testing.F) {
	f.Add([]byte(`{"type":"object","properties":{"a":{"$ref":"#/definitions/x"}},"definitions":{"x":{"pattern":"^a+$"}}}`), []byte(`{"a":"aa"}`))
	f.Add([]byte(`{"$ref":"#/properties/x/enum/0","properties":{"x":{"enum":[{"enum":5,"required":3}]}}}`), []byte(`1`))
	f.Add([]byte(`{"items":[{"type":"string"}],"additionalItems":{"format":"date"},"uniqueItems":true}`), []byte(`["a","2020-01-01","x"]`))
	f.Add([]byte(`{"anyOf":[{"$ref":"#"},{"not":{}}],"dependencies":{"a":["b"],"c":{"required":["d"]}}}`), []byte(`{"a":1,"c":2}`))
	f.Add([]byte(`{"format":"date-time","formatMaximum":"2020-01-01T00:00:00Z","pattern":"[\\p{L}\\s]+"}`), []byte(`"2021-01-01t00:00:00z"`))
	f.Fuzz(func(t *testing.T, schemaJSON, dataJSON []byte) {
		var doc, data any
		if !decode(schemaJSON, &doc) || !decode(dataJSON, &data) {
			return
		}
		s, err := Compile(doc)
		if err != nil {
			return
		}
		_ = s.Validate(data)
	})
}

func decode(b []byte, v *any) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v) == nil
}
