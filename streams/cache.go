package streams

import (
	"container/list"
	"sync"
)

// stateCache keeps the most recently used stream states, bounded both by count and by the
// total size of their serialized forms. States in it are frozen and never mutated: a change
// replaces the entry.
type stateCache struct {
	mu       sync.Mutex
	limit    int
	maxBytes int64
	bytes    int64
	ll       *list.List
	items    map[string]*list.Element
}

type cacheEntry struct {
	key    string
	state  *State
	pinned bool
	size   int64
}

// DefaultCacheBytes bounds the memory of the state cache when Config.CacheBytes is unset.
const DefaultCacheBytes = 256 << 20

func newStateCache(limit int, maxBytes int64) *stateCache {
	if limit <= 0 {
		limit = 500
	}
	if maxBytes <= 0 {
		maxBytes = DefaultCacheBytes
	}
	return &stateCache{limit: limit, maxBytes: maxBytes, ll: list.New(), items: map[string]*list.Element{}}
}

// sizeOf estimates the memory a state holds: its serialized size (computed once, and reused
// for every response) plus a fixed overhead.
func sizeOf(st *State) int64 {
	b, err := st.MarshalJSON()
	if err != nil {
		return 4096
	}
	return int64(len(b))*2 + 512
}

func (c *stateCache) get(key string) (cacheEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return cacheEntry{}, false
	}
	c.ll.MoveToFront(el)
	return *el.Value.(*cacheEntry), true
}

func (c *stateCache) put(key string, st *State, pinned bool) {
	st.freeze()
	size := sizeOf(st)
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		e := el.Value.(*cacheEntry)
		c.bytes += size - e.size
		e.state, e.pinned, e.size = st, pinned, size
		c.ll.MoveToFront(el)
	} else {
		c.items[key] = c.ll.PushFront(&cacheEntry{key: key, state: st, pinned: pinned, size: size})
		c.bytes += size
	}
	// Evict least recently used entries, but always keep the one just added.
	for c.ll.Len() > 1 && (c.ll.Len() > c.limit || c.bytes > c.maxBytes) {
		last := c.ll.Back()
		e := last.Value.(*cacheEntry)
		c.ll.Remove(last)
		delete(c.items, e.key)
		c.bytes -= e.size
	}
}

func (c *stateCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}

// keyedMutex serializes work per key; different keys never wait on each other.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*refMutex
}

type refMutex struct {
	sync.Mutex
	refs int
}

func (k *keyedMutex) lock(key string) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*refMutex{}
	}
	m, ok := k.locks[key]
	if !ok {
		m = &refMutex{}
		k.locks[key] = m
	}
	m.refs++
	k.mu.Unlock()
	m.Lock()
	return func() {
		m.Unlock()
		k.mu.Lock()
		m.refs--
		if m.refs == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}
