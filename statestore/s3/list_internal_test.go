package s3

import (
	"math/rand/v2"
	"testing"
	"unicode/utf8"
)

func TestBefore(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"p/k2\x00", "p/k2"},
		{"p/b", "p/a"},
		{"p/a", "p/`"},
		{"p/é", "p/è"},
		{"p/\ue000", "p/\ud7ff"},
		{"p/\xc3", "p/"},
		{"p/a\xffb", "p/a"},
		{"\x00", ""},
	} {
		if got := before(tc.in); got != tc.want {
			t.Errorf("before(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// before(s) is valid UTF-8 and below s, so S3 lists every key ≥ s after it.
func TestBeforeProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	alphabet := []string{"a", "b", "\x00", "\x01", "é", "\u00ff", "\ud7ff", "\ue000", "🚀", "\xc3", "\xff", "z", "~"}
	randStr := func() string {
		s := ""
		for range 1 + r.IntN(4) {
			s += alphabet[r.IntN(len(alphabet))]
		}
		return s
	}
	for range 2000 {
		s := randStr()
		b := before(s)
		if !utf8.ValidString(b) || b >= s {
			t.Fatalf("before(%q) = %q: not valid UTF-8 below it", s, b)
		}
	}
}

func TestValidPrefix(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""}, {"abc", "abc"}, {"a\xc3", "a"}, {"é\xffé", "é"}, {"\ufffd", "\ufffd"},
	} {
		if got := validPrefix(tc.in); got != tc.want {
			t.Errorf("validPrefix(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
