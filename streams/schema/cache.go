package schema

import (
	"container/list"
	"fmt"
	"sync"
)

// DefaultCacheSize is the number of compiled schemas js-ceramic keeps (AJV_CACHE_SIZE).
const DefaultCacheSize = 500

// Cache keeps compiled schemas, keyed by a string id (the schema's CommitID), with least
// recently used eviction. It is safe for concurrent use; concurrent lookups of an id that
// is not cached load and compile it once.
//
// Each call to Get stands for one validation in js-ceramic, which keeps one Ajv instance
// per schema id and compiles the freshly loaded schema document into it on every
// validation. Ajv registers a schema under its root "$id", and refuses to register the same
// id twice, so in js-ceramic a schema with a root "$id" (other than a "#…" fragment) is
// usable for one validation per instance: every later one fails with `schema with key or id
// "<id>" already exists`, until the instance is evicted. Get reproduces this: from the
// second call on for such a schema it returns that error (matching [ErrInvalidSchema]).
// Use [Compile] directly to validate without it.
type Cache struct {
	mu    sync.Mutex
	size  int
	ll    *list.List               // front = most recently used; values are *cacheEntry
	items map[string]*list.Element // id → element
}

type cacheEntry struct {
	id     string
	ready  chan struct{} // closed once schema/err are set
	schema *Schema
	err    error
	rootID string // root $id Ajv registered during the first compilation
	uses   int
	failed bool // the document could not be loaded; the entry is dropped
}

// NewCache returns a cache holding up to size compiled schemas (DefaultCacheSize if
// size <= 0).
func NewCache(size int) *Cache {
	if size <= 0 {
		size = DefaultCacheSize
	}
	return &Cache{size: size, ll: list.New(), items: map[string]*list.Element{}}
}

// Get returns the compiled schema for id, calling load to obtain the schema document when
// id is not cached. Errors from load are returned as they are and not cached; compilation
// errors are cached with the schema. See the type documentation for the error Get returns
// on repeated use of a schema with a root "$id".
func (c *Cache) Get(id string, load func() (any, error)) (*Schema, error) {
	c.mu.Lock()
	el, ok := c.items[id]
	var e *cacheEntry
	if ok {
		e = el.Value.(*cacheEntry)
		c.ll.MoveToFront(el)
		c.mu.Unlock()
		<-e.ready
	} else {
		e = &cacheEntry{id: id, ready: make(chan struct{})}
		c.items[id] = c.ll.PushFront(e)
		c.evictLocked()
		c.mu.Unlock()
		c.fill(e, load)
	}
	if e.failed {
		return nil, e.err
	}
	c.mu.Lock()
	e.uses++
	uses := e.uses
	c.mu.Unlock()
	if uses > 1 && e.rootID != "" {
		return nil, schemaError(fmt.Sprintf("schema with key or id %q already exists", e.rootID))
	}
	return e.schema, e.err
}

// fill loads and compiles the document of a new entry.
func (c *Cache) fill(e *cacheEntry, load func() (any, error)) {
	defer close(e.ready)
	doc, err := load()
	if err != nil {
		e.failed, e.err = true, err
		c.mu.Lock()
		if el, ok := c.items[e.id]; ok && el.Value == e {
			c.ll.Remove(el)
			delete(c.items, e.id)
		}
		c.mu.Unlock()
		return
	}
	e.schema, e.rootID, e.err = compileSchema(doc)
}

func (c *Cache) evictLocked() {
	for c.ll.Len() > c.size {
		el := c.ll.Back()
		c.ll.Remove(el)
		delete(c.items, el.Value.(*cacheEntry).id)
	}
}

// Len returns the number of cached schemas.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
