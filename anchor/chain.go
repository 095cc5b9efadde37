package anchor

import (
	"context"

	"github.com/goceramic/ceramic/streams/codec"
)

// ChainValidator checks that an anchor proof's transaction is on its chain and anchors the
// proof's Merkle root, and returns the anchor time (unix seconds, from the chain). An error
// wrapping streams.ErrProofUnavailable means the chain could not be asked (retry later); any
// other error means the proof is invalid, and says why.
type ChainValidator interface {
	ValidateChainInclusion(ctx context.Context, proof *codec.AnchorProof) (int64, error)
}
