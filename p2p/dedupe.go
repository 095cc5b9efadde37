package p2p

import (
	"container/list"
	"sync"

	"github.com/goceramic/ceramic/streams/streamid"
	"github.com/ipfs/go-cid"
)

// tipKey is a (stream, tip) pair as announced by the network.
type tipKey struct {
	stream streamid.StreamID
	tip    cid.Cid
}

// tipLRU is the bounded set of recently processed (stream, tip) pairs (§4.6 step 1). It is
// safe for concurrent use.
type tipLRU struct {
	mu    sync.Mutex
	size  int
	order *list.List // front = most recently added; values are tipKey
	items map[tipKey]*list.Element
}

func newTipLRU(size int) *tipLRU {
	return &tipLRU{size: max(size, 1), order: list.New(), items: map[tipKey]*list.Element{}}
}

// add records k and reports whether it was absent. A present key is refreshed.
func (l *tipLRU) add(k tipKey) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.items[k]; ok {
		l.order.MoveToFront(e)
		return false
	}
	l.items[k] = l.order.PushFront(k)
	for l.order.Len() > l.size {
		oldest := l.order.Back()
		l.order.Remove(oldest)
		delete(l.items, oldest.Value.(tipKey))
	}
	return true
}

// remove forgets k, so that the next announcement of the pair is processed again.
func (l *tipLRU) remove(k tipKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.items[k]; ok {
		l.order.Remove(e)
		delete(l.items, k)
	}
}

// len is the number of pairs held.
func (l *tipLRU) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.order.Len()
}
