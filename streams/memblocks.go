package streams

import (
	"context"
	"fmt"
	"sync"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/streams/codec"
)

// MemBlockStore is a BlockStore in memory, for tests and for programs that embed the engine
// without IPFS. Get of a missing block waits until ctx ends, as an IPFS fetch from peers that
// do not have the block would.
type MemBlockStore struct {
	mu     sync.RWMutex
	blocks map[cid.Cid][]byte
	pins   map[cid.Cid]bool
}

// NewMemBlockStore returns an empty MemBlockStore.
func NewMemBlockStore() *MemBlockStore {
	return &MemBlockStore{blocks: map[cid.Cid][]byte{}, pins: map[cid.Cid]bool{}}
}

// Get returns a block, waiting for ctx when it is missing.
func (m *MemBlockStore) Get(ctx context.Context, c cid.Cid) ([]byte, error) {
	m.mu.RLock()
	b, ok := m.blocks[c]
	m.mu.RUnlock()
	if ok {
		return append([]byte(nil), b...), nil
	}
	<-ctx.Done()
	return nil, fmt.Errorf("block %s: %w", c, ctx.Err())
}

// Put stores blocks after checking that each hashes to its CID.
func (m *MemBlockStore) Put(_ context.Context, blocks ...codec.Block) error {
	for _, b := range blocks {
		if err := b.Verify(); err != nil {
			return err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, b := range blocks {
		m.blocks[b.CID] = append([]byte(nil), b.Data...)
	}
	return nil
}

// Pin marks blocks as pinned.
func (m *MemBlockStore) Pin(_ context.Context, cids ...cid.Cid) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range cids {
		if _, ok := m.blocks[c]; !ok {
			return fmt.Errorf("pin %s: block not found", c)
		}
		m.pins[c] = true
	}
	return nil
}

// Unpin removes pins.
func (m *MemBlockStore) Unpin(_ context.Context, cids ...cid.Cid) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range cids {
		delete(m.pins, c)
	}
	return nil
}

// Pinned reports whether a block is pinned.
func (m *MemBlockStore) Pinned(c cid.Cid) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.pins[c]
}

var _ BlockStore = (*MemBlockStore)(nil)
