package anchor

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
)

// InMemoryChainID is the chain of in-memory anchors.
const InMemoryChainID = "inmemory:12345"

// BlockPutter stores blocks.
type BlockPutter interface {
	Put(ctx context.Context, blocks ...codec.Block) error
}

// InMemory anchors tips immediately, without a blockchain: for each request it writes a proof
// {chainId: "inmemory:12345", txHash: <random CID>, root: <tip>, txType: "f(bytes32)"} and an
// anchor commit {id, prev: tip, proof, path: ""}, remembers the time of the "transaction", and
// hands the anchor commit to the sink. Only this InMemory can validate its transactions.
type InMemory struct {
	blocks BlockPutter
	now    func() time.Time

	mu    sync.Mutex
	times map[cid.Cid]int64 // txHash → anchor time (unix seconds)
	sink  func(ctx context.Context, id streamid.StreamID, anchorCommit cid.Cid) error

	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc
}

// NewInMemory returns an in-memory anchor service that stores its blocks in blocks. now nil
// means time.Now.
func NewInMemory(blocks BlockPutter, now func() time.Time) *InMemory {
	if now == nil {
		now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &InMemory{blocks: blocks, now: now, times: map[cid.Cid]int64{}, ctx: ctx, cancel: cancel}
}

// SetSink sets where anchor commits go: the stream engine's ApplyAnchor.
func (a *InMemory) SetSink(sink func(ctx context.Context, id streamid.StreamID, anchorCommit cid.Cid) error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sink = sink
}

// RequestAnchor anchors tip in the background and returns at once.
func (a *InMemory) RequestAnchor(_ context.Context, id streamid.StreamID, tip cid.Cid) error {
	a.mu.Lock()
	sink := a.sink
	a.mu.Unlock()
	if sink == nil {
		return errors.New("anchor: the in-memory anchor service has no sink")
	}
	if a.ctx.Err() != nil {
		return errors.New("anchor: the in-memory anchor service is closed")
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		c, err := a.anchor(a.ctx, id, tip)
		if err == nil {
			err = sink(a.ctx, id, c)
		}
		_ = err // an anchor that cannot be applied is dropped, as a failed CAS request is
	}()
	return nil
}

// anchor writes the proof and the anchor commit for tip and returns the commit's CID.
func (a *InMemory) anchor(ctx context.Context, id streamid.StreamID, tip cid.Cid) (cid.Cid, error) {
	var nonce [32]byte
	_, _ = rand.Read(nonce[:])
	txData, err := codec.EncodeDagCBOR(map[string]any{"inmemory": nonce[:]})
	if err != nil {
		return cid.Undef, err
	}
	txHash := codec.CIDFor(codec.DagCBOR, txData)
	proofData, err := codec.EncodeDagCBOR(map[string]any{"chainId": InMemoryChainID, "txHash": txHash, "root": tip, "txType": "f(bytes32)"})
	if err != nil {
		return cid.Undef, err
	}
	proof := codec.NewBlock(codec.DagCBOR, proofData)
	commitData, err := codec.EncodeDagCBOR(map[string]any{"id": id.Genesis(), "prev": tip, "proof": proof.CID, "path": ""})
	if err != nil {
		return cid.Undef, err
	}
	commit := codec.NewBlock(codec.DagCBOR, commitData)
	if err := a.blocks.Put(ctx, proof, commit); err != nil {
		return cid.Undef, fmt.Errorf("anchor: store in-memory anchor: %w", err)
	}
	a.mu.Lock()
	a.times[txHash] = a.now().Unix()
	a.mu.Unlock()
	return commit.CID, nil
}

// ValidateChainInclusion accepts the proofs this service made: the chain is inmemory:12345
// and the transaction is one it recorded. (The Merkle path is checked by [Verifier].)
func (a *InMemory) ValidateChainInclusion(_ context.Context, proof *codec.AnchorProof) (int64, error) {
	if proof.ChainID != InMemoryChainID {
		return 0, fmt.Errorf("anchor: chain %s is not the in-memory chain %s", proof.ChainID, InMemoryChainID)
	}
	a.mu.Lock()
	ts, ok := a.times[proof.TxHash]
	a.mu.Unlock()
	if !ok {
		return 0, fmt.Errorf("anchor: in-memory transaction %s is unknown to this node", proof.TxHash)
	}
	return ts, nil
}

// Close stops anchoring and waits for anchors in progress.
func (a *InMemory) Close() error {
	a.cancel()
	a.wg.Wait()
	return nil
}

var (
	_ streams.AnchorService = (*InMemory)(nil)
	_ ChainValidator        = (*InMemory)(nil)
)
