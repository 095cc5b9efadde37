package verify

import "time"

// parseCapabilityTime reads a capability time field (iat, nbf, exp) the way
// the reference node does: as milliseconds since the epoch, or not at all.
//
// It accepts the ECMAScript date-time string format: a year (four digits,
// or six with a sign), optionally followed by -MM and -DD, optionally
// followed by "T", HH:mm, optional :ss, optional fraction, and an optional
// "Z" or ±HH:mm offset. Fractions are truncated to milliseconds. Date-only
// forms are UTC; date-time forms without an offset are also read as UTC.
//
// ok is false for anything else. A field that cannot be read never fails a
// time check: the reference node compares NaN, which is always false.
func parseCapabilityTime(s string) (ms int64, ok bool) {
	p := timeParser{s: s}
	year, ok := p.year()
	if !ok {
		return 0, false
	}
	month, day := 1, 1
	if p.accept('-') {
		if month, ok = p.digits(2); !ok || month < 1 || month > 12 {
			return 0, false
		}
		if p.accept('-') {
			if day, ok = p.digits(2); !ok || day < 1 || day > daysIn(year, month) {
				return 0, false
			}
		}
	}
	var hour, minute, sec, milli, offset int
	if p.accept('T') {
		if hour, ok = p.digits(2); !ok || hour > 24 {
			return 0, false
		}
		if !p.accept(':') {
			return 0, false
		}
		if minute, ok = p.digits(2); !ok || minute > 59 {
			return 0, false
		}
		if p.accept(':') {
			if sec, ok = p.digits(2); !ok || sec > 59 {
				return 0, false
			}
			if p.accept('.') {
				n := 0
				for ; p.more() && isDigit(p.peek()); n++ {
					d := int(p.next() - '0')
					if n < 3 {
						milli = milli*10 + d
					}
				}
				if n == 0 {
					return 0, false
				}
				for ; n < 3; n++ {
					milli *= 10
				}
			}
		}
		if hour == 24 && (minute != 0 || sec != 0 || milli != 0) {
			return 0, false
		}
		switch {
		case p.accept('Z'):
		case p.more() && (p.peek() == '+' || p.peek() == '-'):
			sign := 1
			if p.next() == '-' {
				sign = -1
			}
			oh, ok1 := p.digits(2)
			ok2 := p.accept(':')
			om, ok3 := p.digits(2)
			if !ok1 || !ok2 || !ok3 || oh > 23 || om > 59 {
				return 0, false
			}
			offset = sign * (oh*60 + om)
		}
	}
	if p.more() {
		return 0, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	return t.UnixMilli() + int64(milli) - int64(offset)*60_000, true
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

type timeParser struct {
	s string
	i int
}

func (p *timeParser) more() bool { return p.i < len(p.s) }
func (p *timeParser) peek() byte { return p.s[p.i] }

func (p *timeParser) next() byte {
	c := p.s[p.i]
	p.i++
	return c
}

func (p *timeParser) accept(c byte) bool {
	if p.more() && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *timeParser) digits(n int) (int, bool) {
	if p.i+n > len(p.s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(p.s[p.i : p.i+n]) {
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	p.i += n
	return v, true
}

// year reads YYYY or ±YYYYYY (minus zero is not a year).
func (p *timeParser) year() (int, bool) {
	if p.more() && (p.peek() == '+' || p.peek() == '-') {
		neg := p.next() == '-'
		y, ok := p.digits(6)
		if !ok || (neg && y == 0) {
			return 0, false
		}
		if neg {
			y = -y
		}
		return y, true
	}
	return p.digits(4)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// msTime converts milliseconds since the epoch to a UTC time.
func msTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
