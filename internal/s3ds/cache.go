package s3ds

import (
	"container/list"
	"sync"
	"time"
)

// cacheEntryOverhead estimates the memory one positive entry costs besides
// its key bytes: the map slot, the list element, the entry struct and the
// string header.
const cacheEntryOverhead = 128

// CacheStats reports how the existence cache is doing.
type CacheStats struct {
	// Entries and Bytes describe the positive (key exists) cache; Bytes is
	// the estimated memory use counted against Config.CacheBytes.
	Entries int
	Bytes   int64
	// NegativeEntries is the number of keys remembered as absent.
	NegativeEntries int
	// Hits counts Has/GetSize/Put calls answered from the positive cache,
	// NegativeHits the Has/GetSize/Get calls answered from the negative
	// cache, Misses the lookups that had to ask S3.
	Hits, NegativeHits, Misses int64
}

type posEntry struct {
	key  string
	size int
}

// existCache remembers which keys are known to exist (with their size) in a
// byte-bounded LRU, and which keys were recently seen to be absent in a
// short-TTL negative cache. It is the reason bitswap's frequent Has/GetSize
// calls do not each become an S3 HEAD request.
//
// Results learned from S3 are only inserted if no conflicting mutation
// completed while the request was in flight: delGen counts completed
// deletes (guarding positive inserts) and putGen counts completed puts
// (guarding negative inserts).
type existCache struct {
	mu sync.Mutex

	maxBytes int64 // <= 0: positive cache disabled
	bytes    int64
	lru      *list.List // of *posEntry, front = most recent
	pos      map[string]*list.Element

	negTTL time.Duration // <= 0: negative cache disabled
	negMax int
	neg    map[string]time.Time // key -> expiry

	delGen, putGen uint64

	hits, negHits, misses int64

	now func() time.Time
}

func newExistCache(maxBytes int64, negTTL time.Duration, negMax int) *existCache {
	return &existCache{
		maxBytes: maxBytes,
		lru:      list.New(),
		pos:      make(map[string]*list.Element),
		negTTL:   negTTL,
		negMax:   negMax,
		neg:      make(map[string]time.Time),
		now:      time.Now,
	}
}

// cacheState is the answer of a cache lookup.
type cacheState int

const (
	cacheUnknown cacheState = iota
	cacheExists
	cacheAbsent
)

// gen is a snapshot of the mutation counters taken before asking S3.
type gen struct{ del, put uint64 }

// lookup reports what the cache knows about key, the size if it exists, and
// a generation snapshot to pass to learnExists/learnAbsent afterwards.
func (c *existCache) lookup(key string) (cacheState, int, gen) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g := gen{del: c.delGen, put: c.putGen}
	if el, ok := c.pos[key]; ok {
		c.lru.MoveToFront(el)
		c.hits++
		return cacheExists, el.Value.(*posEntry).size, g
	}
	if exp, ok := c.neg[key]; ok {
		if c.now().Before(exp) {
			c.negHits++
			return cacheAbsent, -1, g
		}
		delete(c.neg, key)
	}
	c.misses++
	return cacheUnknown, -1, g
}

// learnExists records that S3 said key exists with size, unless a delete
// completed since g was taken.
func (c *existCache) learnExists(key string, size int, g gen) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.delGen != g.del {
		return
	}
	c.addLocked(key, size)
}

// learnAbsent records that S3 said key does not exist, unless a put
// completed since g was taken.
func (c *existCache) learnAbsent(key string, g gen) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.putGen != g.put {
		return
	}
	if _, ok := c.pos[key]; ok {
		return
	}
	c.addNegLocked(key)
}

// stored records a completed Put.
func (c *existCache) stored(key string, size int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putGen++
	delete(c.neg, key)
	c.addLocked(key, size)
}

// putFailed records a Put whose outcome is unknown: the key may or may not
// exist now, so it must not be remembered as absent.
func (c *existCache) putFailed(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putGen++
	delete(c.neg, key)
}

// deleted records a completed Delete: the key is now known to be absent.
func (c *existCache) deleted(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.delGen++
	c.removeLocked(key)
	c.addNegLocked(key)
}

// deleteFailed records a Delete whose outcome is unknown.
func (c *existCache) deleteFailed(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.delGen++
	c.removeLocked(key)
	delete(c.neg, key)
}

func (c *existCache) addLocked(key string, size int) {
	if c.maxBytes <= 0 {
		return
	}
	if el, ok := c.pos[key]; ok {
		el.Value.(*posEntry).size = size
		c.lru.MoveToFront(el)
		return
	}
	c.pos[key] = c.lru.PushFront(&posEntry{key: key, size: size})
	c.bytes += int64(len(key)) + cacheEntryOverhead
	for c.bytes > c.maxBytes && c.lru.Len() > 0 {
		c.removeLocked(c.lru.Back().Value.(*posEntry).key)
	}
}

func (c *existCache) removeLocked(key string) {
	el, ok := c.pos[key]
	if !ok {
		return
	}
	c.lru.Remove(el)
	delete(c.pos, key)
	c.bytes -= int64(len(key)) + cacheEntryOverhead
}

func (c *existCache) addNegLocked(key string) {
	if c.negTTL <= 0 || c.negMax <= 0 {
		return
	}
	now := c.now()
	if len(c.neg) >= c.negMax {
		for k, exp := range c.neg {
			if !now.Before(exp) {
				delete(c.neg, k)
			}
		}
		// Still full: forget an arbitrary quarter (map order is random).
		if len(c.neg) >= c.negMax {
			drop := len(c.neg)/4 + 1
			for k := range c.neg {
				delete(c.neg, k)
				if drop--; drop == 0 {
					break
				}
			}
		}
	}
	c.neg[key] = now.Add(c.negTTL)
}

func (c *existCache) stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{
		Entries:         len(c.pos),
		Bytes:           c.bytes,
		NegativeEntries: len(c.neg),
		Hits:            c.hits,
		NegativeHits:    c.negHits,
		Misses:          c.misses,
	}
}
