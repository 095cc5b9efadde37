package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

type obj = map[string]any
type arr = []any

func mustCompile(t *testing.T, doc any) *Schema {
	t.Helper()
	s, err := Compile(doc)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return s
}

// profileSchema is a typical TileDocument schema.
var profileSchema = obj{
	"$schema": "http://json-schema.org/draft-07/schema#",
	"title":   "Profile",
	"type":    "object",
	"properties": obj{
		"name":     obj{"type": "string", "maxLength": json.Number("20")},
		"age":      obj{"type": "integer", "minimum": json.Number("0")},
		"email":    obj{"type": "string", "format": "email"},
		"birthday": obj{"type": "string", "format": "date"},
		"website":  obj{"type": "string", "format": "uri"},
		"tags":     obj{"type": "array", "items": obj{"$ref": "#/definitions/tag"}, "uniqueItems": true},
	},
	"required":             arr{"name"},
	"additionalProperties": false,
	"definitions": obj{
		"tag": obj{"type": "string", "pattern": "^[a-z]+$"},
	},
}

// TestValidate checks typical content. Where several members fail, the expected messages
// list them in sorted member order (Ajv would follow the schema's member order).
func TestValidate(t *testing.T) {
	s := mustCompile(t, profileSchema)
	tests := []struct {
		name    string
		content any
		want    string // "" for valid
	}{
		{"valid", obj{"name": "alice", "age": int64(30), "email": "a@b.co", "birthday": "2000-02-29",
			"website": "https://example.com/x", "tags": arr{"a", "b"}}, ""},
		{"json.Number and float64 integers", obj{"name": "bob", "age": json.Number("3")}, ""},
		{"float with integral value is an integer", obj{"name": "bob", "age": 3.0}, ""},
		{"missing required", obj{}, "Validation Error: data must have required property 'name'"},
		{"wrong type", obj{"name": 5}, "Validation Error: data/name must be string"},
		{"not an object", "x", "Validation Error: data must be object"},
		{"several errors", obj{"name": strings.Repeat("x", 21), "age": -1.5, "extra": true},
			"Validation Error: data must NOT have additional properties, data/age must be integer, " +
				"data/age must be >= 0, data/name must NOT have more than 20 characters"},
		{"format", obj{"name": "x", "email": "nope", "birthday": "2001-02-29"},
			`Validation Error: data/birthday must match format "date", data/email must match format "email"`},
		{"ref and pattern", obj{"name": "x", "tags": arr{"ok", "NO"}},
			`Validation Error: data/tags/1 must match pattern "^[a-z]+$"`},
		{"unique items", obj{"name": "x", "tags": arr{"a", "b", "a"}},
			"Validation Error: data/tags must NOT have duplicate items (items ## 0 and 2 are identical)"},
		{"BigInt is not a number", obj{"name": "x", "age": int64(1) << 60}, "Validation Error: data/age must be integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Validate(tt.content)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got %v\nwant %s", err, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("errors.Is(err, ErrInvalid) = false")
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Details) == 0 {
				t.Fatalf("no details in %v", err)
			}
		})
	}
}

func TestInheritedMembers(t *testing.T) {
	// Ajv looks members up with obj[name], so Object.prototype members count as present.
	s := mustCompile(t, obj{"required": arr{"toString"}, "properties": obj{"valueOf": obj{"type": "string"}}})
	err := s.Validate(obj{})
	if err == nil || err.Error() != "Validation Error: data/valueOf must be string" {
		t.Fatalf("got %v", err)
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name    string
		schema  any
		want    string
		wantErr error
	}{
		{"not a schema", "x", "schema must be object or boolean", ErrInvalidSchema},
		{"metaschema", obj{"type": "strin"}, "schema is invalid: data/type must be equal to one of the allowed values, " +
			"data/type must be array, data/type must match a schema in anyOf", ErrInvalidSchema},
		{"unknown keyword", obj{"properties": obj{"a": obj{"maxlength": 3}}}, `strict mode: unknown keyword: "maxlength"`, ErrInvalidSchema},
		{"unknown format", obj{"format": "phone"}, `unknown format "phone" ignored in schema at path "#"`, ErrInvalidSchema},
		{"other draft", obj{"$schema": "https://json-schema.org/draft/2020-12/schema"},
			`no schema with key or ref "https://json-schema.org/draft/2020-12/schema"`, ErrInvalidSchema},
		{"bad pattern", obj{"pattern": "a**"}, "Invalid regular expression: /a**/u: Nothing to repeat", ErrInvalidSchema},
		{"remote ref", obj{"$ref": "https://example.com/schema.json"},
			"can't resolve reference https://example.com/schema.json from id #", ErrRemoteRef},
		{"relative remote ref", obj{"$id": "https://example.com/a.json", "properties": obj{"b": obj{"$ref": "b.json"}}},
			"can't resolve reference b.json from id https://example.com/a.json", ErrRemoteRef},
		{"missing local ref", obj{"$ref": "#/definitions/x"}, "can't resolve reference #/definitions/x from id #", ErrInvalidSchema},
		{"if without then", obj{"if": obj{"type": "string"}}, `strict mode: "if" without "then" and "else" is ignored`, ErrInvalidSchema},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(tt.schema)
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Fatalf("got  %q\nwant %q", err.Error(), tt.want)
			}
			if !errors.Is(err, tt.wantErr) || !errors.Is(err, ErrInvalidSchema) {
				t.Fatalf("errors.Is(%v) false", tt.wantErr)
			}
		})
	}
}

func TestRefs(t *testing.T) {
	// Member names sort in schema order, so the expected message is Ajv's verbatim.
	s := mustCompile(t, obj{
		"$id":  "https://example.com/root.json",
		"type": "object",
		"properties": obj{
			"a": obj{"$ref": "#"},
			"b": obj{"$ref": "#str"},
			"c": obj{"$ref": "other.json#/definitions/n"},
			"d": obj{"$ref": "http://json-schema.org/draft-07/schema#"},
		},
		"definitions": obj{
			"s": obj{"$id": "#str", "type": "string"},
			"o": obj{"$id": "other.json", "definitions": obj{"n": obj{"type": "number"}}},
		},
	})
	if err := s.Validate(obj{"a": obj{"b": "x", "c": 1.5}, "d": obj{"type": "string"}}); err != nil {
		t.Fatalf("valid content rejected: %v", err)
	}
	err := s.Validate(obj{"a": obj{"b": 1.0, "c": "x"}, "d": obj{"type": 1.0}})
	const want = "Validation Error: data/a/b must be string, data/a/c must be number, " +
		"data/d/type must be equal to one of the allowed values, data/d/type must be array, " +
		"data/d/type must match a schema in anyOf"
	if err == nil || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
}

func TestEvaluationErrors(t *testing.T) {
	tests := []struct {
		name   string
		schema any
		data   any
		want   string
	}{
		{"ref loop", obj{"$ref": "#"}, 1.0, "Maximum call stack size exceeded"},
		{"valueOf member", obj{"const": obj{"valueOf": 1.0}}, obj{"valueOf": 1.0}, "a.valueOf is not a function"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := mustCompile(t, tt.schema).Validate(tt.data)
			if err == nil || err.Error() != tt.want || !errors.Is(err, ErrEvaluation) {
				t.Fatalf("got %v, want %s (ErrEvaluation)", err, tt.want)
			}
		})
	}
}

func TestAsyncRootNeverFails(t *testing.T) {
	if err := mustCompile(t, obj{"$async": true, "type": "string"}).Validate(1.0); err != nil {
		t.Fatalf("got %v", err)
	}
}

func TestValidationErrorMessage(t *testing.T) {
	e := &ValidationError{Details: []Detail{{InstancePath: "/foo", Message: "must be string"}, {Message: "must have required property 'bar'"}}}
	if got, want := e.Error(), "Validation Error: data/foo must be string, data must have required property 'bar'"; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
	wrapped := fmt.Errorf("commit rejected: %w", e)
	if !errors.Is(wrapped, ErrInvalid) || errors.Is(wrapped, ErrInvalidSchema) {
		t.Fatal("sentinels do not match")
	}
}

func TestCache(t *testing.T) {
	c := NewCache(2)
	loads := map[string]int{}
	loader := func(id string, doc any) func() (any, error) {
		return func() (any, error) { loads[id]++; return doc, nil }
	}
	str := obj{"type": "string"}
	for i := 0; i < 3; i++ {
		s, err := c.Get("a", loader("a", str))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate("x"); err != nil {
			t.Fatal(err)
		}
	}
	if loads["a"] != 1 {
		t.Fatalf("a loaded %d times", loads["a"])
	}
	c.Get("b", loader("b", str))
	c.Get("c", loader("c", str)) // evicts a
	if c.Len() != 2 {
		t.Fatalf("Len = %d", c.Len())
	}
	c.Get("a", loader("a", str))
	if loads["a"] != 2 {
		t.Fatalf("a not evicted (loaded %d times)", loads["a"])
	}

	// Load errors are returned and not cached.
	boom := errors.New("stream not found")
	if _, err := c.Get("missing", func() (any, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	if _, err := c.Get("missing", loader("missing", str)); err != nil {
		t.Fatalf("load error was cached: %v", err)
	}

	// Compile errors are cached.
	for i := 0; i < 2; i++ {
		if _, err := c.Get("bad", loader("bad", obj{"type": 5.0})); !errors.Is(err, ErrInvalidSchema) {
			t.Fatalf("got %v", err)
		}
	}
	if loads["bad"] != 1 {
		t.Fatalf("bad loaded %d times", loads["bad"])
	}
}

func TestCacheDuplicateRootID(t *testing.T) {
	c := NewCache(0)
	withID := obj{"$id": "https://example.com/s.json#", "type": "string"}
	load := func() (any, error) { return withID, nil }
	s, err := c.Get("k1", load)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(1.0); err == nil || err.Error() != "Validation Error: data must be string" {
		t.Fatalf("first use: %v", err)
	}
	_, err = c.Get("k1", load)
	if err == nil || err.Error() != `schema with key or id "https://example.com/s.json" already exists` || !errors.Is(err, ErrInvalidSchema) {
		t.Fatalf("second use: %v", err)
	}
	// An anchor-only id is not registered, so it can be used again.
	anchor := func() (any, error) { return obj{"$id": "#a", "type": "string"}, nil }
	for i := 0; i < 2; i++ {
		if _, err := c.Get("k2", anchor); err != nil {
			t.Fatalf("use %d: %v", i, err)
		}
	}
	// The first compilation failing after registering the id counts too.
	bad := func() (any, error) { return obj{"$id": "https://example.com/bad.json", "type": "strin"}, nil }
	if _, err := c.Get("k3", bad); err == nil || !strings.HasPrefix(err.Error(), "schema is invalid") {
		t.Fatalf("first: %v", err)
	}
	if _, err := c.Get("k3", bad); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second: %v", err)
	}
}

func TestCacheConcurrent(t *testing.T) {
	c := NewCache(8)
	var loads atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			id := fmt.Sprintf("id%d", i%4)
			s, err := c.Get(id, func() (any, error) {
				loads.Add(1)
				return obj{"type": "object", "required": arr{"a"}}, nil
			})
			if err != nil {
				t.Error(err)
				return
			}
			if err := s.Validate(obj{"a": 1.0}); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	if n := loads.Load(); n != 4 {
		t.Fatalf("loaded %d times, want 4", n)
	}
}

func TestJSRegexp(t *testing.T) {
	tests := []struct {
		pattern string
		match   []string
		noMatch []string
	}{
		{`^.$`, []string{"a", "😀"}, []string{"\n", "\r", "\u2028", "ab"}},
		{`^\s+$`, []string{" \t\u00a0\ufeff\u3000"}, []string{"x"}},
		{`^[^\s]+$`, []string{"ab"}, []string{"a\u00a0b"}},
		{`^[\S\d]+$`, []string{"a1"}, []string{"a b"}},
		{`^\u0041\u{1F600}\x42$`, []string{"A😀B"}, nil},
		{`^\uD83D\uDE00$`, []string{"😀"}, nil},
		{`^[\u0041-\u0043]+$`, []string{"ABC"}, []string{"D"}},
		{`^(?<y>\d{4})-(?:\d\d)$`, []string{"2020-01"}, []string{"2020-1"}},
		{`^\p{Lu}\P{Lu}$`, []string{"Ab"}, []string{"AB"}},
		{`^\p{Script=Greek}$`, []string{"α"}, []string{"a"}},
		{`^[]$`, nil, []string{"", "a"}},
		{`^[^]$`, []string{"a", "\n"}, nil},
		{`^a{2,3}?$`, []string{"aa", "aaa"}, []string{"a"}},
		{`^[\b]$`, []string{"\b"}, nil},
		{`^\cJ\/\.$`, []string{"\n/."}, nil},
		{`^[a\-z]$`, []string{"-", "a"}, []string{"b"}},
		{`^\w\W\d\D$`, []string{"a-1x"}, []string{"é-1x"}},
	}
	for _, tt := range tests {
		re, err := compileJSRegexp(tt.pattern)
		if err != nil || re.re == nil {
			t.Errorf("%s: %v %v", tt.pattern, err, re)
			continue
		}
		for _, s := range tt.match {
			if !re.MatchString(s) {
				t.Errorf("%s should match %q", tt.pattern, s)
			}
		}
		for _, s := range tt.noMatch {
			if re.MatchString(s) {
				t.Errorf("%s should not match %q", tt.pattern, s)
			}
		}
	}
	syntax := map[string]string{
		"(":              "Unterminated group",
		")":              "Unmatched ')'",
		"[a":             "Unterminated character class",
		"a{":             "Incomplete quantifier",
		"}":              "Lone quantifier brackets",
		`\a`:             "Invalid escape",
		"a{3,2}":         "numbers out of order in {} quantifier",
		"[b-a]":          "Range out of order in character class",
		`\`:              `\ at end of pattern`,
		"(?<a>x)(?<a>y)": "Duplicate capture group name",
	}
	for p, msg := range syntax {
		_, err := compileJSRegexp(p)
		want := "Invalid regular expression: /" + p + "/u: " + msg
		if err == nil || err.Error() != want {
			t.Errorf("%s: got %v, want %s", p, err, want)
		}
	}
	for _, p := range []string{`(?=a)`, `(?<!a)b`, `(a)\1`, `(?<n>a)\k<n>`} {
		re, err := compileJSRegexp(p)
		if err != nil || re.re != nil || !errors.Is(re.err, errUnsupportedRegexp) {
			t.Errorf("%s: want unsupported, got %v %v", p, err, re)
		}
	}
}
