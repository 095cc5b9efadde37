package schema

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// maxDepth bounds nested schema evaluations. Reaching it means a $ref loop that consumes no
// data, which overflows the JavaScript stack in Ajv.
const maxDepth = 4000

// errStackOverflow is what JavaScript throws on a $ref loop.
var errStackOverflow = &Error{Message: "Maximum call stack size exceeded", Err: ErrEvaluation}

// Validate checks content against the schema. It returns nil, a [*ValidationError]
// (errors.Is(err, ErrInvalid)) listing every failure in Ajv's order and wording, or an
// [*Error] matching [ErrEvaluation] when Ajv would have thrown instead. content is plain
// decoded JSON and is not modified. Validate is safe for concurrent use.
//
// A schema whose root has "$async": true never fails: Ajv returns a promise, which
// js-ceramic takes as success.
func (s *Schema) Validate(content any) error {
	if s.async {
		return nil
	}
	ev := &evaluator{}
	if _, err := ev.eval(s.root, content, ""); err != nil {
		return err
	}
	if len(ev.errs) > 0 {
		return &ValidationError{Details: ev.errs}
	}
	return nil
}

type evaluator struct {
	errs  []Detail
	depth int
}

func (ev *evaluator) fail(path, msg string) {
	ev.errs = append(ev.errs, Detail{InstancePath: path, Message: msg})
}

// eval evaluates n against data at instance path; it reports whether n added no error.
func (ev *evaluator) eval(n *node, data any, path string) (bool, error) {
	ev.depth++
	defer func() { ev.depth-- }()
	if ev.depth > maxDepth {
		return false, errStackOverflow
	}
	if n.boolean != nil {
		if !*n.boolean {
			ev.fail(path, "boolean schema is false")
		}
		return *n.boolean, nil
	}
	if n.meta {
		return ev.evalMeta(n.metaFragment, data, path)
	}
	if n.refOnly {
		return ev.eval(n.ref, data, path)
	}
	start := len(ev.errs)
	typeError := func() { ev.fail(path, "must be "+n.typeText) }
	if n.typeFirst && !matchesTypes(n.types, data) {
		typeError()
	}
	if err := ev.untyped(n, data, path); err != nil {
		return false, err
	}
	groups := []struct {
		name string
		has  bool
		run  func() error
	}{
		{"number", n.hasNumber, func() error { ev.numberGroup(n, data, path); return nil }},
		{"string", n.hasString, func() error { ev.stringGroup(n, data.(string), path); return nil }},
		{"array", n.hasArray, func() error { return ev.arrayGroup(n, data.([]any), path) }},
		{"object", n.hasObject, func() error { return ev.objectGroup(n, data.(map[string]any), path) }},
	}
	for _, g := range groups {
		if !g.has {
			continue
		}
		if jsType(g.name, data) {
			if err := g.run(); err != nil {
				return false, err
			}
		} else if !n.typeFirst && len(n.types) == 1 && n.types[0] == g.name {
			typeError()
		}
	}
	return len(ev.errs) == start, nil
}

func matchesTypes(types []string, data any) bool {
	for _, t := range types {
		if jsType(t, data) {
			return true
		}
	}
	return false
}

// truncate drops errors recorded after mark (Ajv resets them when a branch succeeds).
func (ev *evaluator) truncate(mark int) { ev.errs = ev.errs[:mark] }

// untyped evaluates $ref, const, enum, not, anyOf, oneOf, allOf and if/then/else.
func (ev *evaluator) untyped(n *node, data any, path string) error {
	if n.ref != nil {
		if _, err := ev.eval(n.ref, data, path); err != nil {
			return err
		}
	}
	if n.hasConst {
		eq, err := deepEqual(data, n.constVal)
		if err != nil {
			return &Error{Message: err.Error(), Err: ErrEvaluation}
		}
		if !eq {
			ev.fail(path, "must be equal to constant")
		}
	}
	if n.hasEnum {
		found := false
		for _, v := range n.enum {
			var eq bool
			switch v.(type) {
			case map[string]any, []any:
				var err error
				if eq, err = deepEqual(data, v); err != nil {
					return &Error{Message: err.Error(), Err: ErrEvaluation}
				}
			default:
				eq = strictEqual(data, v)
			}
			if eq {
				found = true
				break
			}
		}
		if !found {
			ev.fail(path, "must be equal to one of the allowed values")
		}
	}
	if n.not != nil {
		mark := len(ev.errs)
		ok, err := ev.eval(n.not, data, path)
		if err != nil {
			return err
		}
		ev.truncate(mark)
		if ok {
			ev.fail(path, "must NOT be valid")
		}
	}
	if n.anyOf != nil {
		mark := len(ev.errs)
		matched := false
		for _, sub := range n.anyOf {
			ok, err := ev.eval(sub, data, path)
			if err != nil {
				return err
			}
			if ok {
				matched = true
				break
			}
		}
		if matched {
			ev.truncate(mark)
		} else {
			ev.fail(path, "must match a schema in anyOf")
		}
	}
	if n.oneOf != nil {
		mark := len(ev.errs)
		passing := 0
		for _, sub := range n.oneOf {
			ok, err := ev.eval(sub, data, path)
			if err != nil {
				return err
			}
			if ok {
				passing++
			}
		}
		if passing == 1 {
			ev.truncate(mark)
		} else {
			ev.fail(path, "must match exactly one schema in oneOf")
		}
	}
	for _, sub := range n.allOf {
		if _, err := ev.eval(sub, data, path); err != nil {
			return err
		}
	}
	if n.ifN != nil {
		mark := len(ev.errs)
		cond, err := ev.eval(n.ifN, data, path)
		if err != nil {
			return err
		}
		ev.truncate(mark)
		branch, name := n.elseN, "else"
		if cond {
			branch, name = n.thenN, "then"
		}
		if branch != nil {
			ok, err := ev.eval(branch, data, path)
			if err != nil {
				return err
			}
			if !ok {
				ev.fail(path, `must match "`+name+`" schema`)
			}
		}
	}
	return nil
}

func (ev *evaluator) numberGroup(n *node, data any, path string) {
	f, _ := numberOf(data)
	if n.maximum != nil && f > n.maximum.v {
		ev.fail(path, "must be <= "+n.maximum.text)
	}
	if n.minimum != nil && f < n.minimum.v {
		ev.fail(path, "must be >= "+n.minimum.text)
	}
	if n.exclusiveMaximum != nil && f >= n.exclusiveMaximum.v {
		ev.fail(path, "must be < "+n.exclusiveMaximum.text)
	}
	if n.exclusiveMinimum != nil && f <= n.exclusiveMinimum.v {
		ev.fail(path, "must be > "+n.exclusiveMinimum.text)
	}
	if n.multipleOf != nil {
		// Ajv divides in floating point and compares with parseInt of the quotient, so
		// 0.3 is not a multiple of 0.1 and 1e21 is not a multiple of 1.
		q := f / n.multipleOf.v
		if q != parseIntOfNumber(q) {
			ev.fail(path, "must be multiple of "+n.multipleOf.text)
		}
	}
	if n.format != nil && n.format.numeric && n.format.validate != nil && !n.format.validate(data) {
		ev.fail(path, `must match format "`+n.formatName+`"`)
	}
}

func (ev *evaluator) stringGroup(n *node, s string, path string) {
	if n.maxLength != nil && float64(ucs2Length(s)) > n.maxLength.v {
		ev.fail(path, "must NOT have more than "+n.maxLength.text+" characters")
	}
	if n.minLength != nil && float64(ucs2Length(s)) < n.minLength.v {
		ev.fail(path, "must NOT have fewer than "+n.minLength.text+" characters")
	}
	if n.pattern != nil && !n.pattern.MatchString(s) {
		ev.fail(path, `must match pattern "`+n.pattern.source+`"`)
	}
	if n.format != nil && !n.format.numeric && n.format.validate != nil && !n.format.validate(s) {
		ev.fail(path, `must match format "`+n.formatName+`"`)
	}
	for _, fl := range n.formatLimits {
		cmp, ok := fl.compare(s, fl.limit)
		if !ok {
			continue
		}
		var bad bool
		switch fl.op {
		case "<=":
			bad = cmp > 0
		case ">=":
			bad = cmp < 0
		case "<":
			bad = cmp >= 0
		case ">":
			bad = cmp <= 0
		}
		if bad {
			ev.fail(path, "should be "+fl.op+" "+fl.limit)
		}
	}
}

func (ev *evaluator) arrayGroup(n *node, a []any, path string) error {
	if n.maxItems != nil && float64(len(a)) > n.maxItems.v {
		ev.fail(path, "must NOT have more than "+n.maxItems.text+" items")
	}
	if n.minItems != nil && float64(len(a)) < n.minItems.v {
		ev.fail(path, "must NOT have fewer than "+n.minItems.text+" items")
	}
	if n.hasItemsList && n.additionalItems != nil && len(a) > len(n.itemsList) {
		if b := n.additionalItems.boolean; b != nil && !*b {
			ev.fail(path, "must NOT have more than "+strconv.Itoa(len(n.itemsList))+" items")
		} else {
			for i := len(n.itemsList); i < len(a); i++ {
				if _, err := ev.eval(n.additionalItems, a[i], path+"/"+strconv.Itoa(i)); err != nil {
					return err
				}
			}
		}
	}
	if n.hasItemsList {
		for i := 0; i < len(a) && i < len(n.itemsList); i++ {
			if _, err := ev.eval(n.itemsList[i], a[i], path+"/"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
	} else if n.items != nil {
		for i, e := range a {
			if _, err := ev.eval(n.items, e, path+"/"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
	}
	if n.contains != nil {
		mark := len(ev.errs)
		found := false
		for i, e := range a {
			ok, err := ev.eval(n.contains, e, path+"/"+strconv.Itoa(i))
			if err != nil {
				return err
			}
			if ok {
				found = true
				break
			}
		}
		if found {
			ev.truncate(mark)
		} else {
			ev.fail(path, "must contain at least 1 valid item(s)")
		}
	}
	if n.uniqueItems && len(a) > 1 {
		typed := len(n.uniqueTypes) > 0
		for _, t := range n.uniqueTypes {
			if t == "object" || t == "array" {
				typed = false
			}
		}
		j, i, dup, err := ajvDuplicateChecked(a, typed, n.uniqueTypes)
		if err != nil {
			return &Error{Message: err.Error(), Err: ErrEvaluation}
		}
		if dup {
			ev.fail(path, fmt.Sprintf("must NOT have duplicate items (items ## %d and %d are identical)", j, i))
		}
	}
	return nil
}

// ajvDuplicate finds the duplicate pair Ajv reports (see ajvDuplicateChecked), ignoring
// exceptions.
func ajvDuplicate(a []any, typed bool, types []string) (j, i int, ok bool) {
	j, i, ok, _ = ajvDuplicateChecked(a, typed, types)
	return j, i, ok
}

// ajvDuplicateChecked is Ajv's uniqueItems search. When the item schema fixes scalar
// types, Ajv scans backwards remembering each value's index in an object keyed by the
// value's string form, skipping items of other types (and never noticing a repeated
// "__proto__"); it then reports the later index first. Otherwise it compares pairs from the
// end with deep equality. j and i are the two indices in the order of Ajv's message.
func ajvDuplicateChecked(a []any, typed bool, types []string) (j, i int, ok bool, err error) {
	if typed {
		seen := map[string]int{}
		for i := len(a) - 1; i >= 0; i-- {
			item := a[i]
			if !matchesTypes(types, item) {
				continue
			}
			key := scalarKey(item)
			if s, isStr := item.(string); isStr {
				if len(types) > 1 {
					key = s + "_"
				} else if s == "__proto__" {
					continue
				}
			}
			if prev, found := seen[key]; found {
				return prev, i, true, nil
			}
			seen[key] = i
		}
		return 0, 0, false, nil
	}
	for i := len(a) - 1; i > 0; i-- {
		for j := i - 1; j >= 0; j-- {
			eq, err := deepEqual(a[i], a[j])
			if err != nil {
				return 0, 0, false, err
			}
			if eq {
				return j, i, true, nil
			}
		}
	}
	return 0, 0, false, nil
}

// scalarKey is String(v) for the scalars uniqueItems keys its index by.
func scalarKey(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case string:
		return x
	}
	return numberText(v)
}

// present is `data[name] !== undefined`: own members, and the members every object
// inherits from Object.prototype.
func present(m map[string]any, name string) bool {
	_, own := m[name]
	return own || objectProtoNames[name]
}

func (ev *evaluator) objectGroup(n *node, m map[string]any, path string) error {
	keys := objectKeys(m)
	if n.maxProperties != nil && float64(len(m)) > n.maxProperties.v {
		ev.fail(path, "must NOT have more than "+n.maxProperties.text+" properties")
	}
	if n.minProperties != nil && float64(len(m)) < n.minProperties.v {
		ev.fail(path, "must NOT have fewer than "+n.minProperties.text+" properties")
	}
	for _, r := range n.required {
		if !present(m, r) {
			ev.fail(path, "must have required property '"+r+"'")
		}
	}
	if n.propertyNames != nil {
		for _, k := range keys {
			ok, err := ev.eval(n.propertyNames, k, path)
			if err != nil {
				return err
			}
			if !ok {
				ev.fail(path, "property name must be valid")
			}
		}
	}
	if n.additionalProperties != nil && !isTrueNode(n.additionalProperties) {
		for _, k := range keys {
			if n.propNames[k] || (k == "__proto__" && n.protoDefined) || n.matchesPattern(k) {
				continue
			}
			if b := n.additionalProperties.boolean; b != nil && !*b {
				ev.fail(path, "must NOT have additional properties")
				continue
			}
			if _, err := ev.eval(n.additionalProperties, m[k], path+"/"+escapePointer(k)); err != nil {
				return err
			}
		}
	}
	for _, d := range n.propDeps {
		if len(d.deps) == 0 || !present(m, d.name) {
			continue
		}
		word := "properties"
		if len(d.deps) == 1 {
			word = "property"
		}
		for _, dep := range d.deps {
			if !present(m, dep) {
				ev.fail(path, fmt.Sprintf("must have %s %s when property %s is present", word, strings.Join(d.deps, ", "), d.name))
			}
		}
	}
	for _, d := range n.schemaDeps {
		if present(m, d.name) {
			if _, err := ev.eval(d.n, m, path); err != nil {
				return err
			}
		}
	}
	for _, p := range n.properties {
		v, own := m[p.name]
		if !own {
			if !objectProtoNames[p.name] {
				continue
			}
			v = inheritedMethod{name: p.name} // Ajv validates the inherited function
		}
		if _, err := ev.eval(p.n, v, path+"/"+escapePointer(p.name)); err != nil {
			return err
		}
	}
	for _, pp := range n.patternProperties {
		for _, k := range keys {
			if pp.re.MatchString(k) {
				if _, err := ev.eval(pp.n, m[k], path+"/"+escapePointer(k)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func isTrueNode(n *node) bool { return n.boolean != nil && *n.boolean }

func (n *node) matchesPattern(k string) bool {
	for _, re := range n.apPatterns {
		if re.MatchString(k) {
			return true
		}
	}
	return false
}

// evalMeta validates data against the draft-07 metaschema.
func (ev *evaluator) evalMeta(fragment string, data any, path string) (bool, error) {
	if _, isFn := data.(inheritedMethod); isFn {
		ev.fail(path, "must be object,boolean")
		return false, nil
	}
	details, err := metaValidate(data, fragment, path)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return false, err
		}
		return false, &Error{Message: err.Error(), Err: ErrEvaluation}
	}
	ev.errs = append(ev.errs, details...)
	return len(details) == 0, nil
}
