package p2p

import (
	"testing"
	"time"
)

func TestTokenBucket(t *testing.T) {
	t0 := time.Unix(1000, 0)
	b := newTokenBucket(10, 3, t0)
	for i := range 3 {
		if !b.take(t0) {
			t.Fatalf("take %d of a full bucket failed", i)
		}
	}
	if b.take(t0) {
		t.Fatal("took from an empty bucket")
	}
	if w := b.wait(t0); w != 100*time.Millisecond {
		t.Fatalf("wait = %v, want 100ms", w)
	}
	if b.take(t0.Add(50 * time.Millisecond)) {
		t.Fatal("took half a token")
	}
	if !b.take(t0.Add(100 * time.Millisecond)) {
		t.Fatal("no token after 100ms")
	}
	// A long pause refills the bucket up to its burst only.
	later := t0.Add(time.Hour)
	n := 0
	for b.take(later) {
		n++
	}
	if n != 3 {
		t.Fatalf("took %d tokens after a pause, want the burst of 3", n)
	}
	// A clock going backwards earns nothing.
	if b.take(t0) {
		t.Fatal("took a token from a clock going backwards")
	}
}

func TestTokenBucketDefaults(t *testing.T) {
	t0 := time.Unix(0, 0)
	b := newTokenBucket(0, 0, t0)
	if !b.take(t0) || b.take(t0) {
		t.Fatal("rate 0, burst 0 should act as 1/s with a burst of 1")
	}
	if w := b.wait(t0); w != time.Second {
		t.Fatalf("wait = %v, want 1s", w)
	}
}
