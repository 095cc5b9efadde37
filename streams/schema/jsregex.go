package schema

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file parses ECMAScript regular expressions, the dialect of JSON Schema's "pattern"
// and "patternProperties" in Ajv (compiled with the "u" flag) and of the "regex" format
// (checked by compiling without flags). A pattern is checked for syntax errors the way V8
// reports them and, in unicode mode, translated to an equivalent Go (RE2) expression.
//
// Constructs RE2 cannot express (lookaround, backreferences) are recognised but not
// translated: such patterns fail with errUnsupportedRegexp.

// errUnsupportedRegexp marks valid JavaScript patterns that cannot be evaluated in Go.
var errUnsupportedRegexp = errors.New("unsupported regular expression feature")

// regexpSyntaxError is a SyntaxError as V8 words it.
type regexpSyntaxError struct{ msg string }

func (e *regexpSyntaxError) Error() string { return e.msg }

// jsWhitespaceClass is the body of a character class matching ECMAScript \s.
const jsWhitespaceClass = `\t\n\v\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}`

// jsNotWhitespaceClass is the body of a character class matching ECMAScript \S.
const jsNotWhitespaceClass = `\x00-\x08\x0e-\x1f!-\x{9f}\x{a1}-\x{167f}\x{1681}-\x{1fff}\x{200b}-\x{2027}\x{202a}-\x{202e}\x{2030}-\x{205e}\x{2060}-\x{2fff}\x{3001}-\x{fefe}\x{ff00}-\x{10ffff}`

// jsRegexp is a compiled pattern.
type jsRegexp struct {
	source string
	re     *regexp.Regexp // nil when the pattern uses a construct RE2 lacks
	err    error          // why re is nil
}

// MatchString reports whether the pattern matches anywhere in s (RegExp.prototype.test).
func (r *jsRegexp) MatchString(s string) bool { return r.re.MatchString(s) }

// compileJSRegexp compiles a pattern the way `new RegExp(source, "u")` does.
// A syntax error is returned as *regexpSyntaxError with V8's wording; a pattern that is
// valid JavaScript but cannot be translated yields a jsRegexp with re == nil.
func compileJSRegexp(source string) (*jsRegexp, error) {
	p := &reParser{src: []rune(source), unicode: true}
	goSrc, err := p.parse()
	if err != nil {
		var se *regexpSyntaxError
		if errors.As(err, &se) {
			return nil, &regexpSyntaxError{msg: fmt.Sprintf("Invalid regular expression: /%s/u: %s", source, se.msg)}
		}
		return &jsRegexp{source: source, err: err}, nil
	}
	re, err := regexp.Compile(goSrc)
	if err != nil {
		return &jsRegexp{source: source, err: fmt.Errorf("%w: %v", errUnsupportedRegexp, err)}, nil
	}
	return &jsRegexp{source: source, re: re}, nil
}

// checkJSRegexpSyntax reports whether `new RegExp(source)` (no flags, with the web
// compatibility grammar of Annex B) accepts the pattern.
func checkJSRegexpSyntax(source string) bool {
	p := &reParser{src: []rune(source), unicode: false}
	_, err := p.parse()
	var se *regexpSyntaxError
	return !errors.As(err, &se)
}

type reParser struct {
	src     []rune
	pos     int
	unicode bool

	out         strings.Builder
	groupNames  map[string]bool
	namedRefs   []string
	hasNamed    bool
	unsupported error
	groupCount  int
}

func (p *reParser) syntax(msg string) error { return &regexpSyntaxError{msg: msg} }

func (p *reParser) more() bool { return p.pos < len(p.src) }

func (p *reParser) peek() rune {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return -1
}

func (p *reParser) peekAt(i int) rune {
	if p.pos+i < len(p.src) {
		return p.src[p.pos+i]
	}
	return -1
}

func (p *reParser) parse() (string, error) {
	// Named groups are collected first: \k<name> may refer forward.
	p.groupNames = map[string]bool{}
	p.prescanNames()
	if err := p.disjunction(); err != nil {
		return "", err
	}
	if p.more() {
		if p.peek() == ')' {
			return "", p.syntax("Unmatched ')'")
		}
		return "", p.syntax("Unexpected character")
	}
	for _, n := range p.namedRefs {
		if !p.groupNames[n] {
			return "", p.syntax("Invalid named capture referenced")
		}
	}
	if p.unsupported != nil {
		return "", p.unsupported
	}
	return p.out.String(), nil
}

// prescanNames notes whether the pattern has named groups, which changes how \k parses.
func (p *reParser) prescanNames() {
	inClass := false
	for i := 0; i < len(p.src); i++ {
		switch c := p.src[i]; {
		case c == '\\':
			i++
		case c == '[':
			inClass = true
		case c == ']':
			inClass = false
		case !inClass && c == '(' && i+2 < len(p.src) && p.src[i+1] == '?' && p.src[i+2] == '<' &&
			i+3 < len(p.src) && p.src[i+3] != '=' && p.src[i+3] != '!':
			p.hasNamed = true
		}
	}
}

func (p *reParser) unsupportedf(format string, args ...any) {
	if p.unsupported == nil {
		p.unsupported = fmt.Errorf("%w: "+format, append([]any{errUnsupportedRegexp}, args...)...)
	}
}

func (p *reParser) disjunction() error {
	if err := p.alternative(); err != nil {
		return err
	}
	for p.peek() == '|' {
		p.pos++
		p.out.WriteByte('|')
		if err := p.alternative(); err != nil {
			return err
		}
	}
	return nil
}

func (p *reParser) alternative() error {
	for p.more() && p.peek() != '|' && p.peek() != ')' {
		if err := p.term(); err != nil {
			return err
		}
	}
	return nil
}

func (p *reParser) term() error {
	c := p.peek()
	start := p.out.Len()
	quantifiable := true
	switch c {
	case '^':
		p.pos++
		p.out.WriteByte('^')
		quantifiable = false
	case '$':
		p.pos++
		p.out.WriteByte('$')
		quantifiable = false
	case '\\':
		if p.peekAt(1) == 'b' || p.peekAt(1) == 'B' {
			p.out.WriteString(`\` + string(p.peekAt(1)))
			p.pos += 2
			quantifiable = false
			break
		}
		if err := p.atomEscape(); err != nil {
			return err
		}
	case '(':
		q, err := p.group()
		if err != nil {
			return err
		}
		quantifiable = q
	case '.':
		p.pos++
		p.out.WriteString(`[^\n\r\x{2028}\x{2029}]`)
	case '[':
		if err := p.class(); err != nil {
			return err
		}
	case '*', '+', '?':
		return p.syntax("Nothing to repeat")
	case '{':
		if p.unicode {
			if _, _, _, ok := p.scanBraceQuantifier(); ok {
				return p.syntax("Nothing to repeat")
			}
			return p.syntax("Lone quantifier brackets")
		}
		if _, _, _, ok := p.scanBraceQuantifier(); ok {
			return p.syntax("Nothing to repeat")
		}
		p.pos++
		p.literal('{')
	case '}', ']':
		if p.unicode {
			return p.syntax("Lone quantifier brackets")
		}
		p.pos++
		p.literal(c)
	default:
		p.pos++
		p.literal(c)
	}
	return p.quantifier(start, quantifiable)
}

// scanBraceQuantifier looks for {n}, {n,} or {n,m} at the current position.
func (p *reParser) scanBraceQuantifier() (minN, maxN int64, length int, ok bool) {
	i := p.pos
	if i >= len(p.src) || p.src[i] != '{' {
		return 0, 0, 0, false
	}
	i++
	readInt := func() (int64, bool) {
		s := i
		for i < len(p.src) && p.src[i] >= '0' && p.src[i] <= '9' {
			i++
		}
		if i == s {
			return 0, false
		}
		n, err := strconv.ParseInt(string(p.src[s:i]), 10, 64)
		if err != nil {
			n = 1<<63 - 1
		}
		return n, true
	}
	minN, ok = readInt()
	if !ok {
		return 0, 0, 0, false
	}
	maxN = minN
	if i < len(p.src) && p.src[i] == ',' {
		i++
		if m, ok2 := readInt(); ok2 {
			maxN = m
		} else {
			maxN = -1
		}
	}
	if i >= len(p.src) || p.src[i] != '}' {
		return 0, 0, 0, false
	}
	return minN, maxN, i + 1 - p.pos, true
}

func (p *reParser) quantifier(start int, quantifiable bool) error {
	c := p.peek()
	var q string
	switch c {
	case '*', '+', '?':
		p.pos++
		q = string(c)
	case '{':
		minN, maxN, n, ok := p.scanBraceQuantifier()
		if !ok {
			if p.unicode {
				return p.syntax("Incomplete quantifier")
			}
			return nil // a literal brace, handled by the next term
		}
		p.pos += n
		if maxN >= 0 && maxN < minN {
			return p.syntax("numbers out of order in {} quantifier")
		}
		if minN > 1000 || maxN > 1000 {
			p.unsupportedf("repetition count above 1000")
		}
		if maxN < 0 {
			q = fmt.Sprintf("{%d,}", minN)
		} else if maxN == minN {
			q = fmt.Sprintf("{%d}", minN)
		} else {
			q = fmt.Sprintf("{%d,%d}", minN, maxN)
		}
	default:
		return nil
	}
	if !quantifiable {
		return p.syntax("Nothing to repeat")
	}
	if p.peek() == '?' {
		p.pos++
		q += "?"
	}
	switch p.peek() {
	case '*', '+', '?':
		return p.syntax("Nothing to repeat")
	case '{':
		if _, _, _, ok := p.scanBraceQuantifier(); ok {
			return p.syntax("Nothing to repeat")
		}
	}
	// Wrap the atom so the quantifier applies to all of it.
	atom := p.out.String()[start:]
	rest := p.out.String()[:start]
	p.out.Reset()
	p.out.WriteString(rest)
	p.out.WriteString("(?:" + atom + ")" + q)
	return nil
}

// group parses a parenthesised construct. It reports whether a quantifier may follow.
func (p *reParser) group() (bool, error) {
	p.pos++ // (
	quantifiable := true
	if p.peek() == '?' {
		switch p.peekAt(1) {
		case ':':
			p.pos += 2
			p.out.WriteString("(?:")
		case '=', '!':
			p.pos += 2
			p.unsupportedf("lookahead")
			p.out.WriteString("(?:")
			quantifiable = !p.unicode // Annex B allows quantified lookaheads
		case '<':
			if p.peekAt(2) == '=' || p.peekAt(2) == '!' {
				p.pos += 3
				p.unsupportedf("lookbehind")
				p.out.WriteString("(?:")
				quantifiable = false
				break
			}
			p.pos += 2
			name, err := p.groupName()
			if err != nil {
				return false, err
			}
			if p.groupNames[name] {
				return false, p.syntax("Duplicate capture group name")
			}
			p.groupNames[name] = true
			p.groupCount++
			p.out.WriteString("(?P<" + goGroupName(name) + ">")
		default:
			return false, p.syntax("Invalid group")
		}
	} else {
		p.groupCount++
		p.out.WriteByte('(')
	}
	if err := p.disjunction(); err != nil {
		return false, err
	}
	if p.peek() != ')' {
		return false, p.syntax("Unterminated group")
	}
	p.pos++
	p.out.WriteByte(')')
	return quantifiable, nil
}

// groupName reads `name>` after `(?<` or `\k<`.
func (p *reParser) groupName() (string, error) {
	var sb strings.Builder
	first := true
	for {
		c := p.peek()
		if c == -1 {
			return "", p.syntax("Invalid capture group name")
		}
		p.pos++
		if c == '>' {
			break
		}
		if c == '\\' {
			r, err := p.unicodeEscapeInName()
			if err != nil {
				return "", err
			}
			c = r
		}
		if first && !(unicode.IsLetter(c) || c == '$' || c == '_' || unicode.Is(unicode.Nl, c)) {
			return "", p.syntax("Invalid capture group name")
		}
		if !first && !(unicode.IsLetter(c) || unicode.IsDigit(c) || c == '$' || c == '_' ||
			unicode.In(c, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Nl) || c == 0x200c || c == 0x200d) {
			return "", p.syntax("Invalid capture group name")
		}
		first = false
		sb.WriteRune(c)
	}
	if sb.Len() == 0 {
		return "", p.syntax("Invalid capture group name")
	}
	return sb.String(), nil
}

func (p *reParser) unicodeEscapeInName() (rune, error) {
	if p.peek() != 'u' {
		return 0, p.syntax("Invalid capture group name")
	}
	p.pos++
	r, ok := p.unicodeEscapeBody()
	if !ok {
		return 0, p.syntax("Invalid Unicode escape sequence")
	}
	return r, nil
}

// goGroupName makes a JavaScript group name acceptable to RE2, which allows only word
// characters. The name is irrelevant to matching.
func goGroupName(name string) string {
	var sb strings.Builder
	for _, r := range name {
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			sb.WriteRune(r)
		} else {
			fmt.Fprintf(&sb, "_%x", r)
		}
	}
	return sb.String()
}

// literal writes a rune that must match itself.
func (p *reParser) literal(r rune) {
	p.out.WriteString(regexp.QuoteMeta(string(r)))
}

// atomEscape handles a backslash outside a character class.
func (p *reParser) atomEscape() error {
	p.pos++ // backslash
	c := p.peek()
	if c == -1 {
		return p.syntax(`\ at end of pattern`)
	}
	switch {
	case c >= '1' && c <= '9':
		if p.unicode {
			// A backreference; it must name an existing group (checked loosely).
			start := p.pos
			for p.more() && p.peek() >= '0' && p.peek() <= '9' {
				p.pos++
			}
			if n, _ := strconv.Atoi(string(p.src[start:p.pos])); n > p.countGroups() {
				return p.syntax("Invalid escape")
			}
			p.unsupportedf("backreference")
			p.out.WriteString("(?:)")
			return nil
		}
		// Annex B: a backreference if such a group exists, else a legacy octal or literal.
		p.pos++
		p.unsupportedf("backreference or legacy octal escape")
		p.out.WriteString("(?:)")
		return nil
	case c == 'k':
		if p.unicode || p.hasNamed {
			p.pos++
			if p.peek() != '<' {
				return p.syntax("Invalid named reference")
			}
			p.pos++
			name, err := p.groupName()
			if err != nil {
				return p.syntax("Invalid named reference")
			}
			p.namedRefs = append(p.namedRefs, name)
			p.unsupportedf("named backreference")
			p.out.WriteString("(?:)")
			return nil
		}
		p.pos++
		p.literal('k')
		return nil
	}
	cls, err := p.classEscape(false)
	if err != nil {
		return err
	}
	if cls.set != "" {
		p.out.WriteString("[" + cls.set + "]")
	} else {
		p.literal(cls.r)
	}
	return nil
}

// countGroups counts capturing groups in the whole pattern.
func (p *reParser) countGroups() int {
	n := 0
	inClass := false
	for i := 0; i < len(p.src); i++ {
		switch c := p.src[i]; {
		case c == '\\':
			i++
		case c == '[':
			inClass = true
		case c == ']':
			inClass = false
		case !inClass && c == '(':
			if i+1 < len(p.src) && p.src[i+1] == '?' {
				if i+2 < len(p.src) && p.src[i+2] == '<' && i+3 < len(p.src) && p.src[i+3] != '=' && p.src[i+3] != '!' {
					n++
				}
				continue
			}
			n++
		}
	}
	return n
}

// classItem is one escape: a single rune or a set (class body in Go syntax).
type classItem struct {
	r   rune
	set string
}

// classEscape parses the escape after a backslash (the backslash is consumed).
func (p *reParser) classEscape(inClass bool) (classItem, error) {
	c := p.peek()
	p.pos++
	switch c {
	case 'd':
		return classItem{set: `0-9`}, nil
	case 'D':
		return classItem{set: `\x00-/:-\x{10ffff}`}, nil
	case 'w':
		return classItem{set: `0-9A-Za-z_`}, nil
	case 'W':
		return classItem{set: `\x00-/:-@\[-\^\x60\{-\x{10ffff}`}, nil
	case 's':
		return classItem{set: jsWhitespaceClass}, nil
	case 'S':
		return classItem{set: jsNotWhitespaceClass}, nil
	case 'p', 'P':
		if !p.unicode {
			return classItem{r: c}, nil
		}
		return p.propertyEscape(c == 'P')
	case 'f':
		return classItem{r: '\f'}, nil
	case 'n':
		return classItem{r: '\n'}, nil
	case 'r':
		return classItem{r: '\r'}, nil
	case 't':
		return classItem{r: '\t'}, nil
	case 'v':
		return classItem{r: '\v'}, nil
	case 'b':
		if inClass {
			return classItem{r: '\b'}, nil
		}
	case '-':
		if inClass {
			return classItem{r: '-'}, nil
		}
	case 'c':
		if l := p.peek(); (l >= 'a' && l <= 'z') || (l >= 'A' && l <= 'Z') {
			p.pos++
			return classItem{r: l % 32}, nil
		}
		if !p.unicode {
			p.pos-- // "\c" is a literal backslash followed by c
			return classItem{r: '\\'}, nil
		}
		return classItem{}, p.syntax("Invalid unicode escape")
	case '0':
		if d := p.peek(); d >= '0' && d <= '9' {
			if p.unicode {
				return classItem{}, p.syntax("Invalid decimal escape")
			}
			p.unsupportedf("legacy octal escape")
		}
		return classItem{r: 0}, nil
	case 'x':
		if h, ok := p.hexDigits(2); ok {
			return classItem{r: h}, nil
		}
		if p.unicode {
			return classItem{}, p.syntax("Invalid escape")
		}
		return classItem{r: 'x'}, nil
	case 'u':
		save := p.pos
		if r, ok := p.unicodeEscapeBody(); ok {
			return classItem{r: r}, nil
		}
		if p.unicode {
			return classItem{}, p.syntax("Invalid Unicode escape")
		}
		p.pos = save
		return classItem{r: 'u'}, nil
	}
	if c >= '1' && c <= '9' && inClass {
		if p.unicode {
			return classItem{}, p.syntax("Invalid class escape")
		}
		p.unsupportedf("legacy octal escape")
		return classItem{r: c}, nil
	}
	if p.unicode {
		if strings.ContainsRune(`^$\.*+?()[]{}|/`, c) {
			return classItem{r: c}, nil
		}
		if inClass {
			return classItem{}, p.syntax("Invalid class escape")
		}
		return classItem{}, p.syntax("Invalid escape")
	}
	return classItem{r: c}, nil
}

func (p *reParser) hexDigits(n int) (rune, bool) {
	if p.pos+n > len(p.src) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(p.src[p.pos:p.pos+n]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.pos += n
	return rune(v), true
}

// unicodeEscapeBody parses XXXX or {X…} after \u; in unicode mode a surrogate pair
// written as two escapes is one code point.
func (p *reParser) unicodeEscapeBody() (rune, bool) {
	if p.peek() == '{' && p.unicode {
		end := p.pos + 1
		for end < len(p.src) && p.src[end] != '}' {
			end++
		}
		if end >= len(p.src) || end == p.pos+1 {
			return 0, false
		}
		v, err := strconv.ParseUint(string(p.src[p.pos+1:end]), 16, 32)
		if err != nil || v > unicode.MaxRune {
			return 0, false
		}
		p.pos = end + 1
		return rune(v), true
	}
	r, ok := p.hexDigits(4)
	if !ok {
		return 0, false
	}
	if p.unicode && r >= 0xd800 && r <= 0xdbff && p.peek() == '\\' && p.peekAt(1) == 'u' {
		save := p.pos
		p.pos += 2
		if lo, ok := p.hexDigits(4); ok && lo >= 0xdc00 && lo <= 0xdfff {
			return (r-0xd800)<<10 + (lo - 0xdc00) + 0x10000, true
		}
		p.pos = save
	}
	return r, true
}

// Long General_Category names accepted by \p{…}, mapped to RE2's short names.
var generalCategories = map[string]string{
	"Letter": "L", "Cased_Letter": "LC", "Uppercase_Letter": "Lu", "Lowercase_Letter": "Ll",
	"Titlecase_Letter": "Lt", "Modifier_Letter": "Lm", "Other_Letter": "Lo", "Mark": "M",
	"Combining_Mark": "M", "Nonspacing_Mark": "Mn", "Spacing_Mark": "Mc", "Enclosing_Mark": "Me",
	"Number": "N", "Decimal_Number": "Nd", "digit": "Nd", "Letter_Number": "Nl", "Other_Number": "No",
	"Punctuation": "P", "punct": "P", "Connector_Punctuation": "Pc", "Dash_Punctuation": "Pd",
	"Open_Punctuation": "Ps", "Close_Punctuation": "Pe", "Initial_Punctuation": "Pi",
	"Final_Punctuation": "Pf", "Other_Punctuation": "Po", "Symbol": "S", "Math_Symbol": "Sm",
	"Currency_Symbol": "Sc", "Modifier_Symbol": "Sk", "Other_Symbol": "So", "Separator": "Z",
	"Space_Separator": "Zs", "Line_Separator": "Zl", "Paragraph_Separator": "Zp", "Other": "C",
	"Control": "Cc", "cntrl": "Cc", "Format": "Cf", "Surrogate": "Cs", "Private_Use": "Co",
	"Unassigned": "Cn",
}

// propertyEscape parses {Name} or {Key=Value} after \p or \P.
func (p *reParser) propertyEscape(negated bool) (classItem, error) {
	if p.peek() != '{' {
		return classItem{}, p.syntax("Invalid property name")
	}
	end := p.pos + 1
	for end < len(p.src) && p.src[end] != '}' {
		end++
	}
	if end >= len(p.src) {
		return classItem{}, p.syntax("Invalid property name")
	}
	body := string(p.src[p.pos+1 : end])
	p.pos = end + 1
	key, value, hasKey := strings.Cut(body, "=")
	name := ""
	switch {
	case !hasKey:
		if short, ok := generalCategories[body]; ok {
			name = short
		} else if _, ok := unicode.Categories[body]; ok {
			name = body
		} else if _, ok := unicode.Scripts[body]; ok {
			// A bare script name is not valid in JavaScript.
			return classItem{}, p.syntax("Invalid property name")
		} else if body == "Any" || body == "ASCII" || body == "Alphabetic" || body == "White_Space" {
			p.unsupportedf("property %s", body)
			return classItem{set: `\x00-\x{10ffff}`}, nil
		} else {
			return classItem{}, p.syntax("Invalid property name")
		}
	case key == "General_Category" || key == "gc":
		if short, ok := generalCategories[value]; ok {
			name = short
		} else if _, ok := unicode.Categories[value]; ok {
			name = value
		} else {
			return classItem{}, p.syntax("Invalid property name")
		}
	case key == "Script" || key == "sc" || key == "Script_Extensions" || key == "scx":
		if _, ok := unicode.Scripts[value]; !ok {
			return classItem{}, p.syntax("Invalid property name")
		}
		if key == "Script_Extensions" || key == "scx" {
			p.unsupportedf("Script_Extensions")
		}
		name = value
	default:
		return classItem{}, p.syntax("Invalid property name")
	}
	if negated {
		return classItem{set: `\P{` + name + `}`}, nil
	}
	return classItem{set: `\p{` + name + `}`}, nil
}

// class parses [...] into a Go class.
func (p *reParser) class() error {
	p.pos++ // [
	negated := false
	if p.peek() == '^' {
		negated = true
		p.pos++
	}
	var body strings.Builder
	empty := true
	for {
		if !p.more() {
			return p.syntax("Unterminated character class")
		}
		if p.peek() == ']' {
			p.pos++
			break
		}
		lo, err := p.classAtom()
		if err != nil {
			return err
		}
		if p.peek() == '-' && p.peekAt(1) != ']' && p.peekAt(1) != -1 {
			p.pos++ // -
			hi, err := p.classAtom()
			if err != nil {
				return err
			}
			if lo.set != "" || hi.set != "" {
				if p.unicode {
					return p.syntax("Invalid character class")
				}
				// Annex B: the dash is a literal.
				body.WriteString(classBody(lo) + `\-` + classBody(hi))
				empty = false
				continue
			}
			if hi.r < lo.r {
				return p.syntax("Range out of order in character class")
			}
			body.WriteString(classRune(lo.r) + "-" + classRune(hi.r))
			empty = false
			continue
		}
		body.WriteString(classBody(lo))
		empty = false
	}
	switch {
	case empty && negated:
		p.out.WriteString(`[\x00-\x{10ffff}]`)
	case empty:
		p.out.WriteString(`[^\x00-\x{10ffff}]`)
	case negated:
		p.out.WriteString("[^" + body.String() + "]")
	default:
		p.out.WriteString("[" + body.String() + "]")
	}
	return nil
}

func (p *reParser) classAtom() (classItem, error) {
	c := p.peek()
	p.pos++
	if c != '\\' {
		return classItem{r: c}, nil
	}
	if !p.more() {
		return classItem{}, p.syntax(`\ at end of pattern`)
	}
	return p.classEscape(true)
}

func classBody(it classItem) string {
	if it.set != "" {
		return it.set
	}
	return classRune(it.r)
}

// classRune writes a rune inside a Go character class.
func classRune(r rune) string {
	if r < 0x20 || r > 0x7e {
		return fmt.Sprintf(`\x{%x}`, r)
	}
	if strings.ContainsRune(`\]^-[`, r) {
		return `\` + string(r)
	}
	return string(r)
}
