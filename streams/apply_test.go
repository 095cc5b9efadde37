package streams

import (
	"testing"

	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
)

func testCID(t *testing.T, s string) cid.Cid {
	t.Helper()
	h, err := mh.Sum([]byte(s), mh.SHA2_256, -1)
	if err != nil {
		t.Fatal(err)
	}
	return cid.NewCidV1(cid.DagCBOR, h)
}

func ts(v int64) *int64 { return &v }

// TestPickLog runs the fork-choice cases js-ceramic's conflict resolution is tested with.
func TestPickLog(t *testing.T) {
	a, b, c, d := testCID(t, "a"), testCID(t, "b"), testCID(t, "c"), testCID(t, "d")
	signed := func(c cid.Cid) LogEntry { return LogEntry{CID: c, Type: CommitSigned} }
	anchor := func(c cid.Cid, at *int64) LogEntry { return LogEntry{CID: c, Type: CommitAnchor, Timestamp: at} }
	// Which of a and b is "smaller" under JavaScript's byte-array comparison.
	smaller, larger := a, b
	if !(jsByteString(a.Bytes()) < jsByteString(b.Bytes())) {
		smaller, larger = b, a
	}
	cases := []struct {
		name          string
		local, remote []LogEntry
		remoteWins    bool
	}{
		{"neither anchored, same length: the smaller last CID wins (local smaller)", []LogEntry{signed(smaller)}, []LogEntry{signed(larger)}, false},
		{"neither anchored, same length: the smaller last CID wins (remote smaller)", []LogEntry{signed(larger)}, []LogEntry{signed(smaller)}, true},
		{"neither anchored: the longer log wins", []LogEntry{signed(a)}, []LogEntry{signed(b), signed(c)}, true},
		{"neither anchored: the longer local log wins", []LogEntry{signed(a), signed(c)}, []LogEntry{signed(b)}, false},
		{"only the remote is anchored", []LogEntry{signed(a), signed(c)}, []LogEntry{anchor(b, ts(10))}, true},
		{"only the local is anchored", []LogEntry{anchor(a, ts(10))}, []LogEntry{signed(b), signed(c)}, false},
		{"both anchored: the earlier anchor wins", []LogEntry{anchor(a, ts(20))}, []LogEntry{anchor(b, ts(10))}, true},
		{"both anchored: the earlier local anchor wins", []LogEntry{anchor(a, ts(10))}, []LogEntry{signed(c), anchor(b, ts(20))}, false},
		{"same anchor time: more commits up to the first anchor wins", []LogEntry{anchor(a, ts(10)), signed(d), signed(c)}, []LogEntry{signed(c), anchor(b, ts(10))}, true},
		{"an anchor without timestamp counts as time 0 and wins", []LogEntry{anchor(a, ts(10))}, []LogEntry{anchor(b, nil)}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := pickLog(tc.local, tc.remote); got != tc.remoteWins {
				t.Errorf("pickLog remote wins = %v, want %v", got, tc.remoteWins)
			}
		})
	}
}

// TestJSByteString checks the JavaScript comparison the tie-break relies on.
func TestJSByteString(t *testing.T) {
	cases := []struct {
		a, b []byte
		less bool
	}{
		{[]byte{1, 113, 18, 32, 9}, []byte{1, 113, 18, 32, 10}, false}, // "9" > "1"
		{[]byte{1, 133, 1}, []byte{1, 113, 18}, false},
		{[]byte{1, 2}, []byte{1, 3}, true},
	}
	for _, c := range cases {
		if got := jsByteString(c.a) < jsByteString(c.b); got != c.less {
			t.Errorf("%v < %v = %v, want %v", c.a, c.b, got, c.less)
		}
	}
}
