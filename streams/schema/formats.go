package schema

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// format is one entry of the format table js-ceramic installs with ajv-formats 2.1.1
// (addFormats(ajv): every format, "full" mode, formatMaximum & co enabled).
type format struct {
	numeric  bool                          // applies to numbers; otherwise to strings
	validate func(v any) bool              // nil: always valid
	compare  func(a, b string) (int, bool) // for formatMaximum & co; ok=false means "cannot compare"
}

// formats maps format names to their definitions. Unknown names make a schema invalid.
var formats = map[string]*format{
	"date":                      {validate: str(validDate), compare: compareDate},
	"time":                      {validate: str(func(s string) bool { return validTime(s) }), compare: compareTime},
	"date-time":                 {validate: str(validDateTime), compare: compareDateTime},
	"duration":                  {validate: str(validDuration)},
	"uri":                       {validate: str(validURI)},
	"uri-reference":             {validate: str(uriReferenceRe.MatchString)},
	"uri-template":              {validate: str(uriTemplateRe.MatchString)},
	"url":                       {validate: str(validURL)},
	"email":                     {validate: str(validEmail)},
	"hostname":                  {validate: str(validHostname)},
	"ipv4":                      {validate: str(validIPv4)},
	"ipv6":                      {validate: str(ipv6Re.MatchString)},
	"regex":                     {validate: str(validRegexFormat)},
	"uuid":                      {validate: str(validUUID)},
	"json-pointer":              {validate: str(validJSONPointer)},
	"json-pointer-uri-fragment": {validate: str(validJSONPointerFragment)},
	"relative-json-pointer":     {validate: str(validRelativeJSONPointer)},
	"byte":                      {validate: str(validByte)},
	"int32":                     {numeric: true, validate: validInt32},
	"int64":                     {numeric: true, validate: validInt64},
	"float":                     {numeric: true},
	"double":                    {numeric: true},
	"password":                  {},
	"binary":                    {},
}

func str(f func(string) bool) func(any) bool {
	return func(v any) bool { return f(v.(string)) }
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// ---------------------------------------------------------------------------------------
// Dates and times (RFC 3339 as ajv-formats checks it).

func isLeapYear(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// validDate: YYYY-MM-DD with a real calendar day.
func validDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' ||
		!allDigits(s[0:4]) || !allDigits(s[5:7]) || !allDigits(s[8:10]) {
		return false
	}
	year, month, day := atoi(s[0:4]), atoi(s[5:7]), atoi(s[8:10])
	if month < 1 || month > 12 || day < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month]
	if month == 2 && isLeapYear(year) {
		days = 29
	}
	return day <= days
}

// timeParts splits HH:MM:SS[.frac][zone] where zone is z, Z, +HH, +HHMM or +HH:MM (the
// offset itself is not range-checked).
func timeParts(s string) (hms string, frac string, ok bool) {
	if len(s) < 8 || s[2] != ':' || s[5] != ':' ||
		!allDigits(s[0:2]) || !allDigits(s[3:5]) || !allDigits(s[6:8]) {
		return "", "", false
	}
	hms, rest := s[:8], s[8:]
	if strings.HasPrefix(rest, ".") {
		i := 1
		for i < len(rest) && isDigit(rest[i]) {
			i++
		}
		if i == 1 {
			return "", "", false
		}
		frac, rest = rest[:i], rest[i:]
	}
	switch {
	case rest == "", rest == "z", rest == "Z":
	case rest[0] == '+' || rest[0] == '-':
		z := rest[1:]
		switch {
		case len(z) == 2 && allDigits(z):
		case len(z) == 4 && allDigits(z):
		case len(z) == 5 && z[2] == ':' && allDigits(z[:2]) && allDigits(z[3:]):
		default:
			return "", "", false
		}
	default:
		return "", "", false
	}
	return hms, frac, true
}

// validTime checks the time of day. ajv-formats 2.1.1 never actually requires the zone
// (its check compares a missing capture with ""), so neither does this.
func validTime(s string) bool {
	hms, _, ok := timeParts(s)
	if !ok {
		return false
	}
	h, m, sec := atoi(hms[0:2]), atoi(hms[3:5]), atoi(hms[6:8])
	return (h <= 23 && m <= 59 && sec <= 59) || (h == 23 && m == 59 && sec == 60)
}

// splitDateTime splits at every "t", "T" or JavaScript whitespace character.
func splitDateTime(s string) []string {
	var parts []string
	start := 0
	for i, r := range s {
		if r == 't' || r == 'T' || isJSWhitespace(r) {
			parts = append(parts, s[start:i])
			start = i + utf8.RuneLen(r)
		}
	}
	return append(parts, s[start:])
}

func validDateTime(s string) bool {
	p := splitDateTime(s)
	return len(p) == 2 && validDate(p[0]) && validTime(p[1])
}

// compareDate compares the strings as they are (no parsing), like ajv-formats.
func compareDate(a, b string) (int, bool) {
	if a == "" || b == "" {
		return 0, false
	}
	return strings.Compare(a, b), true
}

// compareTime compares hour, minute, second and fraction as a string, ignoring the zone.
func compareTime(a, b string) (int, bool) {
	if a == "" || b == "" {
		return 0, false
	}
	ah, af, ok1 := timeParts(a)
	bh, bf, ok2 := timeParts(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	key := func(hms, frac string) string { return hms[0:2] + hms[3:5] + hms[6:8] + frac }
	return strings.Compare(key(ah, af), key(bh, bf)), true
}

func compareDateTime(a, b string) (int, bool) {
	if a == "" || b == "" {
		return 0, false
	}
	pa, pb := splitDateTime(a), splitDateTime(b)
	res, ok := compareDate(pa[0], pb[0])
	if !ok {
		return 0, false
	}
	if res != 0 {
		return res, true
	}
	if len(pa) < 2 || len(pb) < 2 {
		return 0, false
	}
	return compareTime(pa[1], pb[1])
}

// validDuration: P, then either [nY][nM][nD][T(digit…)[nH][nM][nS]] or nW, not empty.
func validDuration(s string) bool {
	if len(s) < 2 || s[0] != 'P' {
		return false
	}
	r := s[1:]
	if w, ok := strings.CutSuffix(r, "W"); ok && w != "" && allDigits(w) {
		return true
	}
	// component consumes digits followed by the unit letter, if present.
	component := func(unit byte) bool {
		i := 0
		for i < len(r) && isDigit(r[i]) {
			i++
		}
		if i > 0 && i < len(r) && r[i] == unit {
			r = r[i+1:]
			return true
		}
		return false
	}
	component('Y')
	component('M')
	component('D')
	if strings.HasPrefix(r, "T") {
		if len(r) < 2 || !isDigit(r[1]) {
			return false
		}
		r = r[1:]
		component('H')
		component('M')
		component('S')
	}
	return r == ""
}

// ---------------------------------------------------------------------------------------
// URIs. The expressions below follow the RFC 3986 grammar, with the character sets
// ajv-formats uses (its uri-reference also admits '"').

func decOctet(leadingZeros bool) string {
	if leadingZeros {
		return `(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)`
	}
	return `(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])`
}

func ipv4Pattern(leadingZeros bool) string {
	d := decOctet(leadingZeros)
	return `(?:` + d + `\.){3}` + d
}

// ipv6Pattern is RFC 3986's IPv6address production.
func ipv6Pattern(leadingZeros bool) string {
	h16 := `[0-9a-f]{1,4}`
	ls32 := `(?:` + h16 + `:` + h16 + `|` + ipv4Pattern(leadingZeros) + `)`
	rep := func(n int) string { return `(?:` + h16 + `:){` + strconv.Itoa(n) + `}` }
	upTo := func(n int) string { return `(?:(?:` + h16 + `:){0,` + strconv.Itoa(n) + `}` + h16 + `)?` }
	alts := []string{
		rep(6) + ls32,
		`::` + rep(5) + ls32,
		upTo(0) + `::` + rep(4) + ls32,
		upTo(1) + `::` + rep(3) + ls32,
		upTo(2) + `::` + rep(2) + ls32,
		upTo(3) + `::` + h16 + `:` + ls32,
		upTo(4) + `::` + ls32,
		upTo(5) + `::` + h16,
		upTo(6) + `::`,
	}
	return `(?:` + strings.Join(alts, "|") + `)`
}

// uriPattern builds the uri (absolute) or uri-reference expression.
func uriPattern(reference bool) string {
	const unreserved = `a-z0-9\-._~`
	const subDelims = `!$&'()*+,;=`
	quote := ""
	if reference {
		quote = `"`
	}
	pct := `%[0-9a-f]{2}`
	userinfo := `(?:[` + unreserved + subDelims + `:]|` + pct + `)*`
	regName := `(?:[` + unreserved + subDelims + quote + `]|` + pct + `)*`
	ipFuture := `v[0-9a-f]+\.[` + unreserved + subDelims + `:]+`
	host := `(?:\[(?:` + ipv6Pattern(true) + `|` + ipFuture + `)\]|` + ipv4Pattern(true) + `|` + regName + `)`
	pchar := `(?:[` + unreserved + subDelims + quote + `:@]|` + pct + `)`
	qchar := `(?:[` + unreserved + subDelims + quote + `:@/?]|` + pct + `)`
	path := `(?:/?/(?:` + userinfo + `@)?` + host + `(?::[0-9]*)?(?:/` + pchar + `*)*` +
		`|/(?:` + pchar + `+(?:/` + pchar + `*)*)?` +
		`|` + pchar + `+(?:/` + pchar + `*)*)`
	scheme := `[a-z][a-z0-9+\-.]*:`
	if reference {
		return `(?i)^(?:` + scheme + `)?` + path + `?(?:\?` + qchar + `*)?(?:#` + qchar + `*)?$`
	}
	return `(?i)^` + scheme + path + `(?:\?` + qchar + `*)?(?:#` + qchar + `*)?$`
}

var (
	uriRe          = regexp.MustCompile(uriPattern(false))
	uriReferenceRe = regexp.MustCompile(uriPattern(true))
	ipv6Re         = regexp.MustCompile(`(?i)^` + ipv6Pattern(false) + `$`)

	// RFC 6570 level-4 templates; variable names without dots, as ajv-formats has it.
	uriTemplateRe = regexp.MustCompile(`(?i)^(?:[^\x00-\x20"'<>%\\^` + "`" + `{|}]|%[0-9a-f]{2}|` +
		`\{[+#./;?&=,!@|]?` + varspec + `(?:,` + varspec + `)*\})*$`)
)

const varspec = `(?:[a-z0-9_]|%[0-9a-f]{2})+(?::[1-9][0-9]{0,3}|\*)?`

func validURI(s string) bool {
	return strings.ContainsAny(s, "/:") && uriRe.MatchString(s)
}

// privateIPv4Prefix matches the address ranges the url format rejects (a prefix test).
var privateIPv4Prefix = regexp.MustCompile(`^(?:(?:10|127)(?:\.[0-9]{1,3}){3}|(?:169\.254|192\.168)(?:\.[0-9]{1,3}){2}|172\.(?:1[6-9]|2[0-9]|3[01])(?:\.[0-9]{1,3}){2})`)

// validURL: http, https or ftp URL with a public IPv4 address or a domain name with a
// letters-only top-level label, an optional port of 2 to 5 digits and an optional path.
func validURL(s string) bool {
	lower := strings.ToLower(s)
	var rest string
	switch {
	case strings.HasPrefix(lower, "http://"):
		rest = s[7:]
	case strings.HasPrefix(lower, "https://"):
		rest = s[8:]
	case strings.HasPrefix(lower, "ftp://"):
		rest = s[6:]
	default:
		return false
	}
	if urlHostPart(rest) {
		return true
	}
	for i := 1; i < len(rest); i++ {
		if rest[i] == '@' && !strings.ContainsFunc(rest[:i], isJSWhitespace) && urlHostPart(rest[i+1:]) {
			return true
		}
	}
	return false
}

func urlHostPart(h string) bool {
	end := strings.IndexAny(h, ":/")
	if end < 0 {
		end = len(h)
	}
	host, tail := h[:end], h[end:]
	if strings.HasPrefix(tail, ":") {
		i := 1
		for i < len(tail) && isDigit(tail[i]) {
			i++
		}
		if i-1 < 2 || i-1 > 5 {
			return false
		}
		tail = tail[i:]
	}
	if tail != "" && (tail[0] != '/' || strings.ContainsFunc(tail, isJSWhitespace)) {
		return false
	}
	return publicIPv4(host) || urlDomain(host)
}

func publicIPv4(host string) bool {
	if privateIPv4Prefix.MatchString(host) {
		return false
	}
	p := strings.Split(host, ".")
	if len(p) != 4 {
		return false
	}
	for i, o := range p {
		if o == "" || len(o) > 3 || !allDigits(o) {
			return false
		}
		v := atoi(o)
		noLeadingZero := len(o) == 1 || o[0] != '0'
		switch i {
		case 0:
			if !noLeadingZero || v < 1 || v > 223 {
				return false
			}
		case 3:
			if !noLeadingZero || v < 1 || v > 254 {
				return false
			}
		default:
			// one or two digits, or three starting with 1, or 200-255
			if len(o) == 3 && o[0] != '1' && v > 255 {
				return false
			}
			if len(o) == 3 && o[0] == '0' {
				return false
			}
		}
	}
	return true
}

func urlLabelRune(r rune, digits bool) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (digits && r >= '0' && r <= '9') ||
		(r >= 0xa1 && r <= 0xffff)
}

func urlDomain(host string) bool {
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return false
	}
	tld := labels[len(labels)-1]
	if utf8.RuneCountInString(tld) < 2 {
		return false
	}
	for _, r := range tld {
		if !urlLabelRune(r, false) {
			return false
		}
	}
	for _, l := range labels[:len(labels)-1] {
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' || strings.Contains(l, "--") {
			return false
		}
		for _, r := range l {
			if r != '-' && !urlLabelRune(r, true) {
				return false
			}
		}
	}
	return true
}

// ---------------------------------------------------------------------------------------
// Hosts and addresses.

func isAlnum(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

const emailLocalChars = "!#$%&'*+/=?^_`{|}~-"

// validEmail: dot-separated atoms, "@", then at least two dot-separated labels of letters,
// digits and inner hyphens.
func validEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || strings.Contains(domain, "@") {
		return false
	}
	for _, atom := range strings.Split(local, ".") {
		if atom == "" {
			return false
		}
		for i := 0; i < len(atom); i++ {
			if !isAlnum(atom[i]) && !strings.ContainsRune(emailLocalChars, rune(atom[i])) {
				return false
			}
		}
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !hostLabel(l, 1<<30) {
			return false
		}
	}
	return true
}

// hostLabel: letters, digits and hyphens, starting and ending with a letter or digit.
func hostLabel(l string, maxLen int) bool {
	if l == "" || len(l) > maxLen || !isAlnum(l[0]) || !isAlnum(l[len(l)-1]) {
		return false
	}
	for i := 0; i < len(l); i++ {
		if !isAlnum(l[i]) && l[i] != '-' {
			return false
		}
	}
	return true
}

// validHostname: labels of up to 63 characters, at most 253 characters in all not counting
// one trailing dot.
func validHostname(s string) bool {
	n := len(s)
	if strings.HasSuffix(s, ".") {
		n--
	}
	if n < 1 || n > 253 {
		return false
	}
	name := strings.TrimSuffix(s, ".")
	for _, l := range strings.Split(name, ".") {
		if !hostLabel(l, 63) {
			return false
		}
	}
	return true
}

// validIPv4: four decimal numbers up to 255, each of one to three digits.
func validIPv4(s string) bool {
	p := strings.Split(s, ".")
	if len(p) != 4 {
		return false
	}
	for _, o := range p {
		if o == "" || len(o) > 3 || !allDigits(o) || atoi(o) > 255 {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func validUUID(s string) bool {
	if len(s) > 9 && strings.EqualFold(s[:9], "urn:uuid:") {
		s = s[9:]
	}
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !isHex(s[i]) {
				return false
			}
		}
	}
	return true
}

// ---------------------------------------------------------------------------------------
// JSON pointers.

// pointerTokens checks "/"-separated tokens in which "~" only appears as ~0 or ~1.
func pointerTokens(s string, char func(r rune) bool) bool {
	for _, tok := range strings.Split(s, "/")[1:] {
		for i := 0; i < len(tok); {
			if tok[i] == '~' {
				if i+1 >= len(tok) || (tok[i+1] != '0' && tok[i+1] != '1') {
					return false
				}
				i += 2
				continue
			}
			r, w := utf8.DecodeRuneInString(tok[i:])
			if !char(r) {
				return false
			}
			i += w
		}
	}
	return true
}

func validJSONPointer(s string) bool {
	return (s == "" || s[0] == '/') && pointerTokens(s, func(rune) bool { return true })
}

func validJSONPointerFragment(s string) bool {
	if !strings.HasPrefix(s, "#") {
		return false
	}
	s = s[1:]
	if s != "" && s[0] != '/' {
		return false
	}
	// Percent escapes are single tokens; replace them before checking characters.
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			b.WriteByte('a')
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return pointerTokens(b.String(), func(r rune) bool {
		return r < utf8.RuneSelf && (isAlnum(byte(r)) || strings.ContainsRune("_-.!$&'()*+,;:=@", r))
	})
}

func validRelativeJSONPointer(s string) bool {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 || (i > 1 && s[0] == '0') {
		return false
	}
	rest := s[i:]
	return rest == "#" || validJSONPointer(rest)
}

// ---------------------------------------------------------------------------------------
// Others.

// validByte accepts a string in which some line (the check is a multiline expression) is
// padded base64, an empty line included.
func validByte(s string) bool {
	start := 0
	for i, r := range s {
		if r == '\n' || r == '\r' || r == 0x2028 || r == 0x2029 {
			if base64Line(s[start:i]) {
				return true
			}
			start = i + utf8.RuneLen(r)
		}
	}
	return base64Line(s[start:])
}

func base64Line(l string) bool {
	if len(l)%4 != 0 {
		return false
	}
	body := l
	if strings.HasSuffix(l, "==") {
		body = l[:len(l)-2]
		if len(body)%4 != 2 {
			return false
		}
	} else if strings.HasSuffix(l, "=") {
		body = l[:len(l)-1]
		if len(body)%4 != 3 {
			return false
		}
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !isAlnum(c) && c != '+' && c != '/' {
			return false
		}
	}
	return true
}

// validRegexFormat: compiles as a JavaScript regular expression without flags and does not
// use \Z after some other character.
func validRegexFormat(s string) bool {
	for i := 1; i+1 < len(s); i++ {
		if s[i] == '\\' && s[i+1] == 'Z' && s[i-1] != '\\' {
			return false
		}
	}
	return checkJSRegexpSyntax(s)
}

func validInt32(v any) bool {
	f, ok := numberOf(v)
	return ok && f == math.Trunc(f) && f <= math.MaxInt32 && f >= math.MinInt32
}

func validInt64(v any) bool {
	f, ok := numberOf(v)
	return ok && f == math.Trunc(f) && !math.IsInf(f, 0)
}
