package streams

import (
	"container/list"
	"sync"
)

// stateCache keeps the most recently used stream states. States in it are never mutated: a
// change replaces the entry.
type stateCache struct {
	mu    sync.Mutex
	limit int
	ll    *list.List
	items map[string]*list.Element
}

type cacheEntry struct {
	key    string
	state  *State
	pinned bool
}

func newStateCache(limit int) *stateCache {
	if limit <= 0 {
		limit = 500
	}
	return &stateCache{limit: limit, ll: list.New(), items: map[string]*list.Element{}}
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
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		e := el.Value.(*cacheEntry)
		e.state, e.pinned = st, pinned
		c.ll.MoveToFront(el)
		return
	}
	c.items[key] = c.ll.PushFront(&cacheEntry{key: key, state: st, pinned: pinned})
	for c.ll.Len() > c.limit {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*cacheEntry).key)
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
