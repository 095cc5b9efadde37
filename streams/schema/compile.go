package schema

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Schema is a compiled schema. It is immutable and safe for concurrent use.
type Schema struct {
	root  *node
	async bool // root "$async": js-ceramic treats every result as valid

	// rootID is the root $id under which Ajv registers the schema ("" when none). Ajv
	// refuses to register the same id twice in one instance; see [Cache].
	rootID string
}

// node is a compiled schema object or boolean schema. Keywords are grouped the way Ajv
// evaluates them: untyped keywords, then the number, string, array and object groups.
type node struct {
	boolean *bool
	meta    bool // the draft-07 metaschema (a $ref to it), checked with santhosh-tekuri

	metaFragment string // JSON pointer into the metaschema, "" for all of it

	refOnly bool // only $ref has rules: the other keywords are ignored
	ref     *node

	types     []string // allowed types, including "null" added by nullable
	typeText  string   // the "type" member as Ajv prints it
	typeFirst bool     // report a type mismatch before every keyword

	hasConst bool
	constVal any
	hasEnum  bool
	enum     []any
	not      *node
	anyOf    []*node
	oneOf    []*node
	allOf    []*node
	ifN      *node // nil when neither then nor else has rules
	thenN    *node
	elseN    *node

	hasNumber                          bool
	maximum, minimum, exclusiveMaximum *limit
	exclusiveMinimum, multipleOf       *limit
	format                             *format
	formatName                         string
	hasString                          bool
	maxLength, minLength               *limit
	pattern                            *jsRegexp
	formatLimits                       []formatLimit
	hasArray                           bool
	maxItems, minItems                 *limit
	additionalItems                    *node
	itemsList                          []*node
	hasItemsList                       bool
	items                              *node
	contains                           *node
	uniqueItems                        bool
	uniqueTypes                        []string
	hasObject                          bool
	maxProperties, minProperties       *limit
	required                           []string
	propertyNames                      *node
	additionalProperties               *node
	propDeps                           []propDep
	schemaDeps                         []namedNode
	properties                         []namedNode
	patternProperties                  []patternNode
	propNames                          map[string]bool
	protoDefined                       bool        // "__proto__" counts as defined for additionalProperties
	apPatterns                         []*jsRegexp // patternProperties patterns, for additionalProperties
}

type limit struct {
	v    float64
	text string
}

type formatLimit struct {
	op      string // "<=", ">=", "<", ">"
	limit   string
	compare func(a, b string) (int, bool)
}

type propDep struct {
	name string
	deps []string
}

type namedNode struct {
	name string
	n    *node
}

type patternNode struct {
	re *jsRegexp
	n  *node
}

// knownKeywords are the keywords Ajv 8 (draft-07 vocabularies) and ajv-formats define. In
// strict mode any other member of a schema makes it invalid.
var knownKeywords = map[string]bool{
	"$async": true, "$schema": true, "$id": true, "$defs": true, "$vocabulary": true,
	"$comment": true, "definitions": true, "id": true, "$ref": true, "maximum": true,
	"minimum": true, "exclusiveMaximum": true, "exclusiveMinimum": true, "multipleOf": true,
	"maxLength": true, "minLength": true, "pattern": true, "maxProperties": true,
	"minProperties": true, "required": true, "maxItems": true, "minItems": true,
	"uniqueItems": true, "type": true, "nullable": true, "const": true, "enum": true,
	"not": true, "anyOf": true, "oneOf": true, "allOf": true, "if": true, "then": true,
	"else": true, "propertyNames": true, "additionalProperties": true, "dependencies": true,
	"properties": true, "patternProperties": true, "additionalItems": true, "items": true,
	"contains": true, "format": true, "title": true, "description": true, "default": true,
	"deprecated": true, "readOnly": true, "writeOnly": true, "examples": true,
	"contentMediaType": true, "contentEncoding": true, "contentSchema": true,
	"formatMaximum": true, "formatMinimum": true, "formatExclusiveMaximum": true,
	"formatExclusiveMinimum": true,
}

// ruleKeywords are the keywords that generate validation code in Ajv; a schema with none
// of them is always valid.
var ruleKeywords = map[string]bool{
	"$comment": true, "id": true, "$ref": true, "type": true, "nullable": true, "const": true,
	"enum": true, "not": true, "anyOf": true, "oneOf": true, "allOf": true, "if": true,
	"then": true, "else": true, "maximum": true, "minimum": true, "exclusiveMaximum": true,
	"exclusiveMinimum": true, "multipleOf": true, "format": true, "maxLength": true,
	"minLength": true, "pattern": true, "formatMaximum": true, "formatMinimum": true,
	"formatExclusiveMaximum": true, "formatExclusiveMinimum": true, "maxItems": true,
	"minItems": true, "additionalItems": true, "items": true, "contains": true,
	"uniqueItems": true, "maxProperties": true, "minProperties": true, "required": true,
	"propertyNames": true, "additionalProperties": true, "dependencies": true,
	"properties": true, "patternProperties": true,
}

var groupKeywords = map[string][]string{
	"number": {"maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf", "format"},
	"string": {"maxLength", "minLength", "pattern", "format", "formatMaximum", "formatMinimum",
		"formatExclusiveMaximum", "formatExclusiveMinimum"},
	"array": {"maxItems", "minItems", "additionalItems", "items", "contains", "uniqueItems"},
	"object": {"maxProperties", "minProperties", "required", "propertyNames",
		"additionalProperties", "dependencies", "properties", "patternProperties"},
}

var formatLimitOps = []struct{ keyword, op string }{
	{"formatMaximum", "<="}, {"formatMinimum", ">="},
	{"formatExclusiveMaximum", "<"}, {"formatExclusiveMinimum", ">"},
}

// Compile compiles a schema document (the content of the schema TileDocument) the way
// js-ceramic's Ajv instance does: draft-07, all errors, strict mode with strictTypes and
// strictTuples off, ajv-formats' formats. Errors match [ErrInvalidSchema] and carry Ajv's
// message. References to anything but the schema itself (and the draft-07 metaschema) are
// refused with [ErrRemoteRef]; nothing is fetched.
func Compile(schemaDoc any) (*Schema, error) {
	s, _, err := compileSchema(schemaDoc)
	return s, err
}

// compileSchema also returns the root id Ajv would have registered before failing, if any.
func compileSchema(doc any) (*Schema, string, error) {
	switch doc.(type) {
	case map[string]any, bool, []any:
	case nil:
		return nil, "", schemaError("Cannot read properties of null (reading '$id')")
	default:
		return nil, "", schemaError("schema must be object or boolean")
	}
	c := &compiler{
		doc:   doc,
		ids:   map[string]string{},
		bases: map[string]string{},
		nodes: map[string]*node{},
	}
	if err := c.collectIDs(); err != nil {
		return nil, "", err
	}
	registered := ""
	if c.rootBase != "" && !strings.HasPrefix(c.rootBase, "#") {
		registered = c.rootBase
	}
	if err := validateSchemaDoc(doc); err != nil {
		return nil, registered, err
	}
	root, err := c.compile(doc, "", "#")
	if err != nil {
		return nil, registered, err
	}
	s := &Schema{root: root, rootID: registered}
	if m, ok := doc.(map[string]any); ok {
		s.async = truthy(m["$async"])
	}
	return s, registered, nil
}

// validateSchemaDoc is Ajv's validateSchema: the $schema member and the metaschema.
func validateSchemaDoc(doc any) error {
	if _, ok := doc.(bool); ok {
		return nil // boolean schemas are not checked
	}
	m, _ := doc.(map[string]any)
	if v, has := m["$schema"]; has {
		s, isStr := v.(string)
		if !isStr {
			return schemaError("$schema must be a string")
		}
		switch normalizeID(s) {
		case "", draft07URL, draft07Alias:
		default:
			return schemaError(fmt.Sprintf("no schema with key or ref %q", s))
		}
	}
	details, err := metaValidate(doc, "", "")
	if err != nil {
		return err
	}
	if len(details) > 0 {
		return schemaError("schema is invalid: " + (&ValidationError{Details: details}).Error()[len("Validation Error: "):])
	}
	return nil
}

// compiler holds the state of one compilation.
type compiler struct {
	doc      any
	rootBase string            // normalised root $id, "" if none
	ids      map[string]string // normalised absolute ids and anchors → JSON pointer in doc
	bases    map[string]string // JSON pointer → base URI in effect there
	nodes    map[string]*node  // JSON pointer → compiled node
}

// collectIDs walks every subschema (and every object under an unknown member, as Ajv's
// getSchemaRefs does) and records $id values.
func (c *compiler) collectIDs() error {
	root, ok := c.doc.(map[string]any)
	if !ok {
		return nil
	}
	if id, has := root["$id"]; has && truthy(id) {
		s, isStr := id.(string)
		if !isStr {
			return schemaError("id.replace is not a function")
		}
		c.rootBase = normalizeID(s)
	}
	if c.rootBase != "" && !strings.HasPrefix(c.rootBase, "#") {
		c.ids[c.rootBase] = ""
	}
	c.bases[""] = c.rootBase
	return c.traverse(root, "", c.rootBase)
}

var (
	traverseArrayKeywords = map[string]bool{"items": true, "allOf": true, "anyOf": true, "oneOf": true}
	traversePropsKeywords = map[string]bool{"$defs": true, "definitions": true, "properties": true,
		"patternProperties": true, "dependencies": true}
	traverseSkipKeywords = map[string]bool{"default": true, "enum": true, "const": true,
		"required": true, "maximum": true, "minimum": true, "exclusiveMaximum": true,
		"exclusiveMinimum": true, "multipleOf": true, "maxLength": true, "minLength": true,
		"pattern": true, "format": true, "maxItems": true, "minItems": true, "uniqueItems": true,
		"maxProperties": true, "minProperties": true}
)

func (c *compiler) traverse(s map[string]any, loc, base string) error {
	visit := func(v any, childLoc string) error {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		childBase := base
		if id, ok := m["$id"].(string); ok {
			ref := id
			if base != "" {
				ref = resolveURI(base, id)
			}
			ref = normalizeID(ref)
			if _, dup := c.ids[ref]; dup && ref != c.rootBase {
				return schemaError(fmt.Sprintf("reference %q resolves to more than one schema", ref))
			}
			if ref == c.rootBase && ref != "" {
				return schemaError(fmt.Sprintf("schema with key or id %q already exists", ref))
			}
			c.ids[ref] = childLoc
			childBase = ref
		}
		c.bases[childLoc] = childBase
		return c.traverse(m, childLoc, childBase)
	}
	for _, k := range sortedKeys(s) {
		v := s[k]
		kloc := loc + "/" + escapePointer(k)
		switch {
		case traverseArrayKeywords[k] && isArray(v):
			for i, e := range v.([]any) {
				if err := visit(e, kloc+"/"+strconv.Itoa(i)); err != nil {
					return err
				}
			}
		case traversePropsKeywords[k]:
			if m, ok := v.(map[string]any); ok {
				for _, p := range sortedKeys(m) {
					if err := visit(m[p], kloc+"/"+escapePointer(p)); err != nil {
						return err
					}
				}
			}
		case !traverseSkipKeywords[k]:
			if err := visit(v, kloc); err != nil {
				return err
			}
		}
	}
	return nil
}

func isArray(v any) bool {
	_, ok := v.([]any)
	return ok
}

// normalizeID drops a trailing "#" or "#/".
func normalizeID(s string) string {
	if strings.HasSuffix(s, "#/") {
		return s[:len(s)-2]
	}
	return strings.TrimSuffix(s, "#")
}

// resolveURI resolves ref against base (RFC 3986).
func resolveURI(base, ref string) string {
	if base == "" {
		return ref
	}
	b, err1 := url.Parse(base)
	r, err2 := url.Parse(ref)
	if err1 != nil || err2 != nil {
		return ref
	}
	u := b.ResolveReference(r).String()
	if strings.HasSuffix(ref, "#") && !strings.Contains(u, "#") {
		u += "#"
	}
	return u
}

// alwaysValid is Ajv's alwaysValidSchema after its unknown-keyword check.
func alwaysValid(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case map[string]any:
		for k := range x {
			if ruleKeywords[k] {
				return false
			}
		}
		return true
	}
	return false
}

// checkUnknown is Ajv's strict-mode check for members it does not know.
func checkUnknown(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	for _, k := range sortedKeys(m) {
		if !knownKeywords[k] {
			return schemaError(fmt.Sprintf("strict mode: unknown keyword: %q", k))
		}
	}
	return nil
}

// hasRef reports whether a $ref appears anywhere in v (Ajv then compiles a referenced
// schema on its own instead of inlining it, which changes error paths in messages).
func hasRef(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "$ref" || hasRef(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasRef(e) {
				return true
			}
		}
	}
	return false
}

// escapeFragment escapes a member name for an error schema path (encodeURIComponent of
// the JSON-pointer token).
func escapeFragment(s string) string {
	const keep = "-_.!~*'()"
	var sb strings.Builder
	for _, b := range []byte(escapePointer(s)) {
		if (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || strings.IndexByte(keep, b) >= 0 {
			sb.WriteByte(b)
		} else {
			fmt.Fprintf(&sb, "%%%02X", b)
		}
	}
	return sb.String()
}

// compile compiles the schema v found at JSON pointer loc; errPath is the schema path Ajv
// would print in messages.
func (c *compiler) compile(v any, loc, errPath string) (*node, error) {
	if n, ok := c.nodes[loc]; ok {
		return n, nil
	}
	n := &node{}
	c.nodes[loc] = n
	if b, ok := v.(bool); ok {
		n.boolean = &b
		return n, nil
	}
	s, ok := v.(map[string]any)
	if !ok {
		return nil, schemaError(fmt.Sprintf("schema at %s must be object or boolean", errPath))
	}
	if err := checkUnknown(s); err != nil {
		return nil, err
	}
	if loc != "" && truthy(s["$async"]) && c.compileRootNotAsync() {
		return nil, schemaError("async schema in sync schema")
	}
	if _, has := s["$ref"]; has {
		onlyRef := true
		for k := range s {
			if k != "$ref" && ruleKeywords[k] {
				onlyRef = false
			}
		}
		if onlyRef {
			n.refOnly = true
			r, err := c.compileRef(s, loc, errPath)
			n.ref = r
			return n, err
		}
	}
	if err := c.compileTypes(n, s); err != nil {
		return nil, err
	}
	sub := func(v any, kw string, prop string) (*node, error) {
		p := loc + "/" + kw
		e := errPath + "/" + kw
		if prop != "" {
			p += "/" + escapePointer(prop)
			e += "/" + escapeFragment(prop)
		}
		if err := checkUnknown(v); err != nil {
			return nil, err
		}
		return c.compile(v, p, e)
	}
	list := func(kw string) ([]*node, error) {
		arr, _ := s[kw].([]any)
		out := make([]*node, len(arr))
		for i, e := range arr {
			n, err := sub(e, kw, strconv.Itoa(i))
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	}
	var err error

	// Untyped keywords.
	if _, has := s["id"]; has {
		return nil, schemaError(`NOT SUPPORTED: keyword "id", use "$id" for schema ID`)
	}
	if _, has := s["$ref"]; has {
		if n.ref, err = c.compileRef(s, loc, errPath); err != nil {
			return nil, err
		}
	}
	if v, has := s["const"]; has {
		n.hasConst, n.constVal = true, v
	}
	if v, has := s["enum"]; has {
		l, ok := v.([]any)
		if !ok {
			return nil, malformed(errPath, "enum")
		}
		n.hasEnum, n.enum = true, l
	}
	if v, has := s["not"]; has {
		if n.not, err = sub(v, "not", ""); err != nil {
			return nil, err
		}
	}
	for _, kw := range []string{"anyOf", "oneOf", "allOf"} {
		if _, has := s[kw]; !has {
			continue
		}
		l, err := list(kw)
		if err != nil {
			return nil, err
		}
		switch kw {
		case "anyOf":
			n.anyOf = l
		case "oneOf":
			n.oneOf = l
		default:
			n.allOf = l
		}
	}
	if err := c.compileIf(n, s, sub); err != nil {
		return nil, err
	}

	// Number group.
	lim := func(kw string) *limit {
		v, has := s[kw]
		if !has {
			return nil
		}
		f, _ := numberOf(v)
		return &limit{v: f, text: numberText(v)}
	}
	n.maximum, n.minimum = lim("maximum"), lim("minimum")
	n.exclusiveMaximum, n.exclusiveMinimum = lim("exclusiveMaximum"), lim("exclusiveMinimum")
	n.multipleOf = lim("multipleOf")
	if v, has := s["format"]; has {
		name, _ := v.(string)
		f, known := formats[name]
		if !known {
			return nil, schemaError(fmt.Sprintf("unknown format %q ignored in schema at path %q", name, errPath))
		}
		n.format, n.formatName = f, name
	}

	// String group.
	n.maxLength, n.minLength = lim("maxLength"), lim("minLength")
	if v, has := s["pattern"]; has {
		src, _ := v.(string)
		if n.pattern, err = compilePattern(src); err != nil {
			return nil, err
		}
	}
	for _, fl := range formatLimitOps {
		v, has := s[fl.keyword]
		if !has {
			continue
		}
		limitStr, isStr := v.(string)
		if !isStr {
			return nil, schemaError(fmt.Sprintf(`%s value must be ["string"]`, fl.keyword))
		}
		if _, hasFormat := s["format"]; !hasFormat {
			return nil, schemaError(fmt.Sprintf("parent schema must have dependencies of %s: format", fl.keyword))
		}
		if n.format == nil || n.format.validate == nil {
			continue // password and binary: nothing to compare
		}
		if n.format.compare == nil {
			return nil, schemaError(fmt.Sprintf("%q: format %q does not define \"compare\" function", fl.keyword, n.formatName))
		}
		n.formatLimits = append(n.formatLimits, formatLimit{op: fl.op, limit: limitStr, compare: n.format.compare})
	}

	// Array group.
	n.maxItems, n.minItems = lim("maxItems"), lim("minItems")
	if v, has := s["additionalItems"]; has {
		if !isArray(s["items"]) {
			if err := checkUnknown(v); err != nil {
				return nil, err
			}
			return nil, schemaError(`strict mode: "additionalItems" is ignored when "items" is not an array of schemas`)
		}
		if n.additionalItems, err = sub(v, "additionalItems", ""); err != nil {
			return nil, err
		}
	}
	if v, has := s["items"]; has {
		if isArray(v) {
			n.hasItemsList = true
			if n.itemsList, err = list("items"); err != nil {
				return nil, err
			}
		} else if n.items, err = sub(v, "items", ""); err != nil {
			return nil, err
		}
	}
	if v, has := s["contains"]; has {
		if n.contains, err = sub(v, "contains", ""); err != nil {
			return nil, err
		}
	}
	if v, has := s["uniqueItems"]; has {
		n.uniqueItems = v == true
		if im, ok := s["items"].(map[string]any); ok {
			if n.uniqueTypes, err = schemaTypes(im); err != nil {
				return nil, err
			}
		}
	}

	// Object group.
	n.maxProperties, n.minProperties = lim("maxProperties"), lim("minProperties")
	if v, has := s["required"]; has {
		l, ok := v.([]any)
		if !ok {
			return nil, malformed(errPath, "required")
		}
		for _, r := range l {
			name, ok := r.(string)
			if !ok {
				return nil, malformed(errPath, "required")
			}
			n.required = append(n.required, name)
		}
	}
	if v, has := s["propertyNames"]; has {
		if n.propertyNames, err = sub(v, "propertyNames", ""); err != nil {
			return nil, err
		}
	}
	if v, has := s["additionalProperties"]; has {
		if err := checkUnknown(v); err != nil {
			return nil, err
		}
		if !alwaysValid(v) {
			// Names matching a patternProperties pattern are not additional; Ajv compiles
			// every pattern here.
			pats, _ := s["patternProperties"].(map[string]any)
			for _, p := range sortedKeys(pats) {
				if p == "__proto__" {
					continue
				}
				re, err := compilePattern(p)
				if err != nil {
					return nil, err
				}
				n.apPatterns = append(n.apPatterns, re)
			}
			props, _ := s["properties"].(map[string]any)
			_, hasProto := props["__proto__"]
			n.protoDefined = hasProto && len(props)-1 > 8
			if n.additionalProperties, err = sub(v, "additionalProperties", ""); err != nil {
				return nil, err
			}
		}
	}
	if v, has := s["dependencies"]; has {
		deps, ok := v.(map[string]any)
		if !ok {
			return nil, malformed(errPath, "dependencies")
		}
		for _, name := range sortedKeys(deps) {
			if name == "__proto__" {
				continue
			}
			switch d := deps[name].(type) {
			case []any:
				pd := propDep{name: name}
				for _, e := range d {
					dep, ok := e.(string)
					if !ok {
						return nil, malformed(errPath, "dependencies")
					}
					pd.deps = append(pd.deps, dep)
				}
				n.propDeps = append(n.propDeps, pd)
			default:
				sn, err := sub(d, "dependencies", name)
				if err != nil {
					return nil, err
				}
				n.schemaDeps = append(n.schemaDeps, namedNode{name: name, n: sn})
			}
		}
	}
	n.propNames = map[string]bool{}
	if v, has := s["properties"]; has {
		props, ok := v.(map[string]any)
		if !ok {
			return nil, malformed(errPath, "properties")
		}
		for _, name := range sortedKeys(props) {
			if name == "__proto__" {
				continue // Ajv ignores it entirely
			}
			n.propNames[name] = true
			pn, err := sub(props[name], "properties", name)
			if err != nil {
				return nil, err
			}
			n.properties = append(n.properties, namedNode{name: name, n: pn})
		}
	}
	if v, has := s["patternProperties"]; has {
		pats, ok := v.(map[string]any)
		if !ok {
			return nil, malformed(errPath, "patternProperties")
		}
		if err := c.compilePatternProperties(n, s, pats, sub); err != nil {
			return nil, err
		}
	}

	c.finishGroups(n, s)
	return n, nil
}

// malformed reports a keyword with a value of the wrong type. The metaschema rules this
// out everywhere except in parts of the document only reachable through a JSON-pointer
// $ref into non-schema members.
func malformed(errPath, keyword string) error {
	return schemaError(fmt.Sprintf("schema is invalid: %s/%s has the wrong type", errPath, keyword))
}

// compileRootNotAsync reports whether the root schema is synchronous.
func (c *compiler) compileRootNotAsync() bool {
	m, ok := c.doc.(map[string]any)
	return !ok || !truthy(m["$async"])
}

// compileTypes handles "type" and "nullable" (Ajv's getSchemaTypes).
func (c *compiler) compileTypes(n *node, s map[string]any) error {
	types, err := schemaTypes(s)
	if err != nil {
		return err
	}
	n.types = types
	switch t := s["type"].(type) {
	case string:
		n.typeText = t
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i], _ = e.(string)
		}
		n.typeText = strings.Join(parts, ",")
	}
	return nil
}

// schemaTypes is Ajv's getSchemaTypes: the "type" member plus "null" for nullable: true.
func schemaTypes(s map[string]any) ([]string, error) {
	var types []string
	switch t := s["type"].(type) {
	case string:
		types = []string{t}
	case []any:
		for _, e := range t {
			if str, ok := e.(string); ok {
				types = append(types, str)
			}
		}
	}
	nullable, hasNullable := s["nullable"]
	if slices.Contains(types, "null") {
		if nullable == false {
			return nil, schemaError("type: null contradicts nullable: false")
		}
		return types, nil
	}
	if len(types) == 0 && hasNullable {
		return nil, schemaError(`"nullable" cannot be used without "type"`)
	}
	if nullable == true {
		types = append(types, "null")
	}
	return types, nil
}

// compileIf handles if/then/else with Ajv's strict-mode checks. A then or else without
// rules counts as absent; when both are absent the "if" schema is not compiled at all.
func (c *compiler) compileIf(n *node, s map[string]any, sub func(any, string, string) (*node, error)) error {
	ifV, hasIf := s["if"]
	thenV, hasThen := s["then"]
	elseV, hasElse := s["else"]
	if hasIf {
		if !hasThen && !hasElse {
			return schemaError(`strict mode: "if" without "then" and "else" is ignored`)
		}
		rules := func(v any, has bool) (bool, error) {
			if !has {
				return false, nil
			}
			if err := checkUnknown(v); err != nil {
				return false, err
			}
			return !alwaysValid(v), nil
		}
		thenRules, err := rules(thenV, hasThen)
		if err != nil {
			return err
		}
		elseRules, err := rules(elseV, hasElse)
		if err != nil {
			return err
		}
		if thenRules || elseRules {
			if n.ifN, err = sub(ifV, "if", ""); err != nil {
				return err
			}
			if thenRules {
				if n.thenN, err = sub(thenV, "then", ""); err != nil {
					return err
				}
			}
			if elseRules {
				if n.elseN, err = sub(elseV, "else", ""); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if hasThen {
		return schemaError(`strict mode: "then" without "if" is ignored`)
	}
	if hasElse {
		return schemaError(`strict mode: "else" without "if" is ignored`)
	}
	return nil
}

// compilePatternProperties compiles the patterns (unicode mode) and applies Ajv's strict
// check that no "properties" member name matches a pattern.
func (c *compiler) compilePatternProperties(n *node, s, pats map[string]any, sub func(any, string, string) (*node, error)) error {
	names := sortedKeys(pats)
	names = slices.DeleteFunc(names, func(p string) bool { return p == "__proto__" })
	allValid := true
	for _, p := range names {
		if err := checkUnknown(pats[p]); err != nil {
			return err
		}
		if !alwaysValid(pats[p]) {
			allValid = false
		}
	}
	if len(names) == 0 || allValid {
		return nil
	}
	props, _ := s["properties"].(map[string]any)
	for _, p := range names {
		for _, prop := range sortedKeys(props) {
			if matchesLoosely(p, prop) {
				return schemaError(fmt.Sprintf("strict mode: property %s matches pattern %s (use allowMatchingProperties)", prop, p))
			}
		}
		re, err := compilePattern(p)
		if err != nil {
			return err
		}
		pn, err := sub(pats[p], "patternProperties", p)
		if err != nil {
			return err
		}
		n.patternProperties = append(n.patternProperties, patternNode{re: re, n: pn})
	}
	return nil
}

// matchesLoosely tests a pattern compiled without flags against a name; patterns this
// package cannot evaluate are taken as not matching.
func matchesLoosely(pattern, name string) bool {
	re, err := compileJSRegexp(pattern)
	if err != nil || re.re == nil {
		return false
	}
	return re.MatchString(name)
}

// compilePattern compiles a "pattern" or "patternProperties" expression.
func compilePattern(src string) (*jsRegexp, error) {
	re, err := compileJSRegexp(src)
	if err != nil {
		return nil, schemaError(err.Error())
	}
	if re.re == nil {
		return nil, schemaError(fmt.Sprintf("pattern /%s/ cannot be evaluated: %v", src, re.err))
	}
	return re, nil
}

// finishGroups records which keyword groups the schema uses and where a type mismatch is
// reported.
func (c *compiler) finishGroups(n *node, s map[string]any) {
	has := func(group string) bool {
		for _, kw := range groupKeywords[group] {
			if _, ok := s[kw]; ok {
				return true
			}
		}
		return false
	}
	n.hasNumber, n.hasString, n.hasArray, n.hasObject = has("number"), has("string"), has("array"), has("object")
	n.typeFirst = len(n.types) > 0
	if len(n.types) == 1 {
		if g, ok := groupKeywords[n.types[0]]; ok && g != nil && has(n.types[0]) {
			n.typeFirst = false
		}
	}
}

// compileRef resolves and compiles the $ref of schema s at loc. Only the schema itself
// (including subschemas with their own $id) and the draft-07 metaschema can be referred to.
func (c *compiler) compileRef(s map[string]any, loc, errPath string) (*node, error) {
	ref, _ := s["$ref"].(string)
	base := c.baseAt(loc)
	if (ref == "#" || ref == "#/" || ref == "") && base == c.rootBase {
		return c.compile(c.doc, "", "#")
	}
	resolved := resolveURI(base, ref)
	docPart, frag, _ := strings.Cut(resolved, "#")
	target, tloc, found := c.lookup(normalizeID(resolved))
	local := found
	if !found {
		resLoc, ok := c.resourceLoc(docPart)
		local = ok
		switch {
		case ok && strings.HasPrefix(frag, "/"):
			target, tloc, found = c.pointer(resLoc, frag)
		case !ok && (normalizeID(docPart) == draft07URL || normalizeID(docPart) == draft07Alias):
			if frag == "/" {
				frag = ""
			}
			if _, err := draft07(frag); err == nil {
				return &node{meta: true, metaFragment: frag}, nil
			}
		}
	}
	if !found {
		msgBase := base
		if msgBase == "" {
			msgBase = "#"
		}
		sentinel := ErrRemoteRef
		if local {
			sentinel = ErrInvalidSchema
		}
		return nil, &Error{Message: fmt.Sprintf("can't resolve reference %s from id %s", ref, msgBase), Err: sentinel}
	}
	if err := checkUnknown(target); err != nil {
		return nil, err
	}
	childErrPath := ref
	if hasRef(target) {
		childErrPath = "#"
	}
	return c.compile(target, tloc, childErrPath)
}

// baseAt returns the base URI in effect at a JSON pointer (the nearest $id above it).
func (c *compiler) baseAt(loc string) string {
	for {
		if b, ok := c.bases[loc]; ok {
			return b
		}
		i := strings.LastIndex(loc, "/")
		if i < 0 {
			return c.rootBase
		}
		loc = loc[:i]
	}
}

// lookup finds a schema by normalised id or anchor.
func (c *compiler) lookup(full string) (any, string, bool) {
	loc, ok := c.ids[full]
	if !ok {
		return nil, "", false
	}
	v, found := c.at(loc)
	return v, loc, found
}

// resourceLoc finds the location of the resource a URI without fragment names.
func (c *compiler) resourceLoc(docPart string) (string, bool) {
	d := normalizeID(docPart)
	if d == c.rootBase {
		return "", true
	}
	loc, ok := c.ids[d]
	return loc, ok
}

// pointer follows a JSON-pointer fragment from the schema at loc.
func (c *compiler) pointer(loc, frag string) (any, string, bool) {
	v, ok := c.at(loc)
	if !ok {
		return nil, "", false
	}
	for _, part := range strings.Split(frag[1:], "/") {
		dec, err := url.PathUnescape(part)
		if err != nil {
			return nil, "", false
		}
		dec = strings.ReplaceAll(strings.ReplaceAll(dec, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case map[string]any:
			e, has := x[dec]
			if !has {
				return nil, "", false
			}
			v = e
		case []any:
			i, err := strconv.Atoi(dec)
			if err != nil || i < 0 || i >= len(x) {
				return nil, "", false
			}
			v = x[i]
		default:
			return nil, "", false
		}
		loc += "/" + escapePointer(dec)
	}
	switch v.(type) {
	case map[string]any, bool:
		return v, loc, true
	}
	return nil, "", false
}

// at returns the value at a JSON pointer of the document.
func (c *compiler) at(loc string) (any, bool) {
	v := c.doc
	if loc == "" {
		return v, true
	}
	for _, part := range strings.Split(loc[1:], "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case map[string]any:
			e, ok := x[part]
			if !ok {
				return nil, false
			}
			v = e
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// truthy is JavaScript ToBoolean for JSON values.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	}
	if _, big := bigIntOf(v); big {
		return true
	}
	if f, ok := numberOf(v); ok {
		return f != 0 && f == f
	}
	return true
}
