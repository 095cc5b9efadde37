package streams

import (
	"context"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
)

// BlockStore is the IPFS block storage the engine reads commits from and writes them to.
type BlockStore interface {
	// Get returns a block's bytes. It honours ctx: a block that is not available locally is
	// fetched from the network until ctx ends.
	Get(ctx context.Context, c cid.Cid) ([]byte, error)
	// Put stores blocks durably (on disk when Put returns).
	Put(ctx context.Context, blocks ...codec.Block) error
	// Pin protects blocks from garbage collection (direct, non-recursive pins).
	Pin(ctx context.Context, cids ...cid.Cid) error
	// Unpin removes such pins.
	Unpin(ctx context.Context, cids ...cid.Cid) error
}

// Publisher announces new stream tips to the network.
type Publisher interface {
	PublishUpdate(ctx context.Context, id streamid.StreamID, tip cid.Cid, model string) error
}

// ProofVerifier checks an anchor commit's proof and returns the anchor time (unix seconds).
type ProofVerifier interface {
	VerifyAnchor(ctx context.Context, commit *codec.AnchorCommit, proof *codec.AnchorProof, blocks BlockGetter) (int64, error)
}

// BlockGetter reads blocks; it is the read half of BlockStore.
type BlockGetter interface {
	Get(ctx context.Context, c cid.Cid) ([]byte, error)
}

// AnchorService anchors stream tips. RequestAnchor returns once the request is accepted; the
// anchor commit arrives later through Service.ApplyAnchor.
type AnchorService interface {
	RequestAnchor(ctx context.Context, id streamid.StreamID, tip cid.Cid) error
}
