package streams

import (
	"fmt"
	"testing"

	"github.com/goceramic/ceramic/streams/streamid"
)

func cacheState(t *testing.T, i int, content string) *State {
	return &State{Type: streamid.Tile, Content: map[string]any{"v": content}, Metadata: map[string]any{},
		Log: []LogEntry{{CID: testCID(t, fmt.Sprint(i)), Type: CommitGenesis}}}
}

// TestStateCacheBounds: the cache evicts the least recently used states by count and by size.
func TestStateCacheBounds(t *testing.T) {
	t.Run("count", func(t *testing.T) {
		c := newStateCache(3, 1<<30)
		for i := range 5 {
			c.put(fmt.Sprint(i), cacheState(t, i, "x"), false)
		}
		if c.len() != 3 {
			t.Fatalf("len = %d, want 3", c.len())
		}
		if _, ok := c.get("0"); ok {
			t.Error("the oldest entry was kept")
		}
		if _, ok := c.get("4"); !ok {
			t.Error("the newest entry was evicted")
		}
	})
	t.Run("bytes", func(t *testing.T) {
		big := string(make([]byte, 10_000))
		one := sizeOf(cacheState(t, 0, big))
		c := newStateCache(1000, 3*one)
		for i := range 10 {
			c.put(fmt.Sprint(i), cacheState(t, i, big), false)
		}
		if c.len() != 3 || c.bytes > 3*one {
			t.Fatalf("len = %d, bytes = %d, want 3 entries within %d bytes", c.len(), c.bytes, 3*one)
		}
		// A state larger than the whole budget is still cached on its own.
		c.put("huge", cacheState(t, 99, string(make([]byte, 100_000))), false)
		if _, ok := c.get("huge"); !ok || c.len() != 1 {
			t.Fatalf("huge entry: len = %d", c.len())
		}
	})
	t.Run("frozen serialization is reused", func(t *testing.T) {
		st := cacheState(t, 1, "y").freeze()
		a, _ := st.MarshalJSON()
		b, _ := st.MarshalJSON()
		if &a[0] != &b[0] {
			t.Error("a frozen state was serialized twice")
		}
		if cl := st.Clone(); cl.frozen != nil {
			t.Error("a clone is frozen")
		}
	})
}
