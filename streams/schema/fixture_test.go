package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// ajvCase is one record of testdata/ajv-8.12.0.json: a schema and a document validated
// with a fresh Ajv 8.12.0 instance configured like js-ceramic's (allErrors, strictTypes and
// strictTuples off, ajv-formats 2.1.1), and the outcome: valid, ajv.errorsText(), or the
// message Ajv threw.
type ajvCase struct {
	Name         string `json:"name"`
	Schema       any    `json:"schema"`
	Data         any    `json:"data"`
	Valid        bool   `json:"valid"`
	Errors       string `json:"errors"`
	CompileError string `json:"compileError"`
}

// messageDivergences are cases whose outcome matches but whose message differs, with the
// message this package produces.
var messageDivergences = map[string]string{
	// Go maps do not keep member order; properties are visited sorted.
	"properties order": "Validation Error: data/a must be string, data/z must be string",
	"many errors": "Validation Error: data must have required property 'm', data/l must NOT have more than 2 items, " +
		"data/l/1 must be integer, data/l/2 must be integer, data/n must be >= 0, data/s must match format \"email\"",
	// Lookahead and backreferences cannot be evaluated with Go's regexp package.
	"pattern lookahead":     "pattern /^(?=a)ab$/ cannot be evaluated: unsupported regular expression feature: lookahead",
	"pattern backreference": "pattern /^(a)\\1$/ cannot be evaluated: unsupported regular expression feature: backreference",
	"pattern big repeat":    "pattern /^a{0,2000}$/ cannot be evaluated: unsupported regular expression feature: repetition count above 1000",
}

func decodeFile(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestAjvFixture(t *testing.T) {
	var cases []ajvCase
	decodeFile(t, "testdata/ajv-8.12.0.json", &cases)
	if len(cases) < 100 {
		t.Fatalf("fixture has only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			got := outcome(c.Schema, c.Data)
			want := "VALID"
			switch {
			case c.CompileError != "":
				want = "THROW " + c.CompileError
			case !c.Valid:
				want = "Validation Error: " + c.Errors
			}
			if msg, ok := messageDivergences[c.Name]; ok {
				if got != msg && got != "THROW "+msg {
					t.Fatalf("got %q, want the documented divergence %q (Ajv: %q)", got, msg, want)
				}
				return
			}
			if got != want {
				t.Fatalf("got  %q\nwant %q", got, want)
			}
		})
	}
}

// outcome runs Compile and Validate and describes the result like the fixture does.
func outcome(schemaDoc, data any) string {
	s, err := Compile(schemaDoc)
	if err != nil {
		return "THROW " + err.Error()
	}
	err = s.Validate(data)
	var ve *ValidationError
	switch {
	case err == nil:
		return "VALID"
	case errors.As(err, &ve):
		return err.Error()
	default:
		return "THROW " + err.Error()
	}
}

func TestFormatsFixture(t *testing.T) {
	var cases []struct {
		Format string `json:"format"`
		Value  any    `json:"value"`
		Valid  bool   `json:"valid"`
	}
	decodeFile(t, "testdata/ajv-formats-2.1.1.json", &cases)
	compiled := map[string]*Schema{}
	for _, c := range cases {
		s := compiled[c.Format]
		if s == nil {
			var err error
			if s, err = Compile(map[string]any{"format": c.Format}); err != nil {
				t.Fatalf("format %s: %v", c.Format, err)
			}
			compiled[c.Format] = s
		}
		err := s.Validate(c.Value)
		if (err == nil) != c.Valid {
			t.Errorf("format %s, value %q: valid = %v, want %v (%v)", c.Format, c.Value, err == nil, c.Valid, err)
		}
	}
}
