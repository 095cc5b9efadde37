package schema

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

var englishPrinter = message.NewPrinter(language.English)

// The draft-07 metaschema is checked with santhosh-tekuri/jsonschema, which embeds it.
// Formats are not asserted there: Ajv does not check formats while validating schemas.

// draft07URL is the metaschema's id; Ajv also registers it under draft07Alias.
const (
	draft07URL   = "http://json-schema.org/draft-07/schema"
	draft07Alias = "http://json-schema.org/schema"
)

var (
	metaMu       sync.Mutex
	metaCompiler *jsonschema.Compiler
	metaSchemas  = map[string]*jsonschema.Schema{}
)

// metaschemaFormats are the formats the draft-07 metaschema mentions; they are replaced by
// ones that accept everything.
var metaschemaFormats = []string{"regex", "uri", "uri-reference"}

// draft07 returns the draft-07 metaschema, or the subschema a JSON-pointer fragment of it
// names ("" for the whole metaschema).
func draft07(fragment string) (*jsonschema.Schema, error) {
	metaMu.Lock()
	defer metaMu.Unlock()
	if s, ok := metaSchemas[fragment]; ok {
		return s, nil
	}
	if metaCompiler == nil {
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft7)
		for _, name := range metaschemaFormats {
			c.RegisterFormat(&jsonschema.Format{Name: name, Validate: func(any) error { return nil }})
		}
		c.UseRegexpEngine(acceptRegexp)
		c.UseLoader(refuseLoader{})
		metaCompiler = c
	}
	loc := draft07URL
	if fragment != "" {
		loc += "#" + fragment
	}
	s, err := metaCompiler.Compile(loc)
	if err != nil {
		return nil, err
	}
	metaSchemas[fragment] = s
	return s, nil
}

// acceptRegexp is a regular-expression engine that accepts every pattern: the metaschema's
// "format": "regex" must not be asserted, and the metaschema has no "pattern" of its own.
func acceptRegexp(s string) (jsonschema.Regexp, error) { return anyRegexp(s), nil }

type anyRegexp string

func (r anyRegexp) String() string          { return string(r) }
func (r anyRegexp) MatchString(string) bool { return true }

// refuseLoader refuses every remote document.
type refuseLoader struct{}

func (refuseLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("%w: %s", ErrRemoteRef, url)
}

// metaValidate validates v against the draft-07 metaschema (or the part of it fragment
// names) and returns Ajv-style errors with instance paths relative to prefix.
func metaValidate(v any, fragment, prefix string) ([]Detail, error) {
	meta, err := draft07(fragment)
	if err != nil {
		return nil, fmt.Errorf("schema: loading the draft-07 metaschema: %w", err)
	}
	err = meta.Validate(v)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, err
	}
	var out []Detail
	flattenMeta(ve, v, prefix, &out)
	return out, nil
}

// metaPropertyOrder is the order of the draft-07 metaschema's "properties", which is the
// order Ajv reports errors for a schema's members in.
var metaPropertyOrder = []string{"$id", "$schema", "$ref", "$comment", "title", "description",
	"default", "readOnly", "examples", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
	"exclusiveMinimum", "maxLength", "minLength", "pattern", "additionalItems", "items",
	"maxItems", "minItems", "uniqueItems", "contains", "maxProperties", "minProperties",
	"required", "additionalProperties", "definitions", "properties", "patternProperties",
	"dependencies", "propertyNames", "const", "enum", "type", "format", "contentMediaType",
	"contentEncoding", "if", "then", "else", "allOf", "anyOf", "oneOf", "not"}

func metaRank(e *jsonschema.ValidationError, depth int) (int, string) {
	if len(e.InstanceLocation) > depth {
		tok := e.InstanceLocation[depth]
		if i := slices.Index(metaPropertyOrder, tok); i >= 0 {
			return i, tok
		}
		return len(metaPropertyOrder), tok
	}
	return -1, ""
}

// flattenMeta turns santhosh's error tree into Ajv's flat list.
func flattenMeta(e *jsonschema.ValidationError, root any, prefix string, out *[]Detail) {
	path := prefix + pointerOf(e.InstanceLocation)
	add := func(msg string) { *out = append(*out, Detail{InstancePath: path, Message: msg}) }
	sortedCauses := func() []*jsonschema.ValidationError {
		causes := slices.Clone(e.Causes)
		depth := len(e.InstanceLocation)
		slices.SortStableFunc(causes, func(a, b *jsonschema.ValidationError) int {
			ra, ka := metaRank(a, depth)
			rb, kb := metaRank(b, depth)
			if ra != rb {
				return ra - rb
			}
			return strings.Compare(ka, kb)
		})
		return causes
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Schema, *kind.Group, *kind.AllOf, *kind.Reference:
		for _, c := range sortedCauses() {
			flattenMeta(c, root, prefix, out)
		}
	case *kind.AnyOf:
		for _, c := range e.Causes {
			flattenMeta(c, root, prefix, out)
		}
		add("must match a schema in anyOf")
	case *kind.OneOf:
		if len(k.Subschemas) < 2 {
			for _, c := range e.Causes {
				flattenMeta(c, root, prefix, out)
			}
		}
		add("must match exactly one schema in oneOf")
	case *kind.Type:
		add("must be " + metaTypeText(k.Want))
	case *kind.Enum:
		add("must be equal to one of the allowed values")
	case *kind.Const:
		add("must be equal to constant")
	case *kind.Minimum:
		add("must be >= " + ratText(k.Want))
	case *kind.Maximum:
		add("must be <= " + ratText(k.Want))
	case *kind.ExclusiveMinimum:
		add("must be > " + ratText(k.Want))
	case *kind.ExclusiveMaximum:
		add("must be < " + ratText(k.Want))
	case *kind.MinItems:
		add(fmt.Sprintf("must NOT have fewer than %d items", k.Want))
	case *kind.MaxItems:
		add(fmt.Sprintf("must NOT have more than %d items", k.Want))
	case *kind.MinLength:
		add(fmt.Sprintf("must NOT have fewer than %d characters", k.Want))
	case *kind.MaxLength:
		add(fmt.Sprintf("must NOT have more than %d characters", k.Want))
	case *kind.Required:
		for _, m := range k.Missing {
			add("must have required property '" + m + "'")
		}
	case *kind.AdditionalProperties:
		for range k.Properties {
			add("must NOT have additional properties")
		}
	case *kind.FalseSchema:
		add("boolean schema is false")
	case *kind.Not:
		add("must NOT be valid")
	case *kind.UniqueItems:
		add(metaUniqueMessage(root, e.InstanceLocation, k))
	default:
		add(e.ErrorKind.LocalizedString(englishPrinter))
	}
}

// metaTypeText writes the metaschema's type lists in the order the metaschema spells them.
func metaTypeText(want []string) string {
	if len(want) == 2 && slices.Contains(want, "object") && slices.Contains(want, "boolean") {
		return "object,boolean"
	}
	return strings.Join(want, ",")
}

func ratText(r *big.Rat) string {
	f, _ := r.Float64()
	return numberText(f)
}

// metaUniqueMessage recomputes the duplicate pair the way Ajv reports it: for string arrays
// ("required" and property dependencies) Ajv remembers the last index of each value while
// scanning backwards, elsewhere it compares pairs from the end.
func metaUniqueMessage(root any, loc []string, k *kind.UniqueItems) string {
	arr, _ := valueAt(root, loc).([]any)
	i, j := k.Duplicates[0], k.Duplicates[1]
	if arr != nil {
		typed := len(loc) > 0 && (loc[len(loc)-1] == "required" ||
			(len(loc) > 1 && loc[len(loc)-2] == "dependencies"))
		if a, b, ok := ajvDuplicate(arr, typed, []string{"string"}); ok {
			j, i = a, b
		}
	}
	return fmt.Sprintf("must NOT have duplicate items (items ## %d and %d are identical)", j, i)
}

func valueAt(v any, loc []string) any {
	for _, tok := range loc {
		switch x := v.(type) {
		case map[string]any:
			v = x[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func pointerOf(loc []string) string {
	var sb strings.Builder
	for _, tok := range loc {
		sb.WriteByte('/')
		sb.WriteString(escapePointer(tok))
	}
	return sb.String()
}
