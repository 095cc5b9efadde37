package p2p

import (
	"math"
	"time"
)

// tokenBucket is a token bucket: it holds at most burst tokens and gains rate tokens per
// second; each action takes one token. It starts full. It is not safe for concurrent use (the
// Syncer guards it with its mutex), and it reads no clock itself, so tests can drive it.
type tokenBucket struct {
	rate   float64 // tokens per second, > 0
	burst  float64 // capacity, >= 1
	tokens float64
	last   time.Time
}

// newTokenBucket returns a full bucket. A rate <= 0 is treated as 1 token per second and a
// burst < 1 as 1.
func newTokenBucket(rate float64, burst int, now time.Time) *tokenBucket {
	if rate <= 0 || math.IsNaN(rate) || math.IsInf(rate, 0) {
		rate = 1
	}
	b := float64(max(burst, 1))
	return &tokenBucket{rate: rate, burst: b, tokens: b, last: now}
}

// refill adds the tokens earned since the last call. A clock going backwards earns nothing.
func (b *tokenBucket) refill(now time.Time) {
	if now.After(b.last) {
		b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
		b.last = now
	}
}

// take removes one token if there is one.
func (b *tokenBucket) take(now time.Time) bool {
	b.refill(now)
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}

// wait is how long until a token is available (0 if one is available now). It takes nothing.
func (b *tokenBucket) wait(now time.Time) time.Duration {
	b.refill(now)
	if b.tokens >= 1 {
		return 0
	}
	d := time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
	return max(d, time.Millisecond)
}
