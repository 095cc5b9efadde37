package merkle

import (
	"context"
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/streams/codec"
)

// MaxPathLength is the most segments [Walk] follows (see codec.MaxMerklePathLength).
const MaxPathLength = codec.MaxMerklePathLength

var (
	// ErrInvalidPath is wrapped by every error of [Walk] that says the path does not lead
	// from the root to a CID (it is codec.ErrInvalidMerklePath).
	ErrInvalidPath = codec.ErrInvalidMerklePath
	// ErrMissingBlock is wrapped by the block getter of [FromBlocks] for a CID it does not hold.
	ErrMissingBlock = errors.New("merkle: block not available")
)

// Walk follows path from the node root, reading nodes with get, and returns the CID it
// arrives at: what an anchor commit's path must lead to from its proof's root. It is
// codec.WalkMerklePath, which the stream engine also uses to pin a tree's nodes; see there
// for the rules and the errors.
func Walk(ctx context.Context, get func(context.Context, cid.Cid) ([]byte, error), root cid.Cid, path string) (cid.Cid, error) {
	c, _, err := codec.WalkMerklePath(ctx, get, root, path)
	return c, err
}

// FromBlocks returns a block getter for [Walk] over blocks, for walking a witness CAR or a tree's
// [Tree.Blocks]. A CID it does not hold gives an error wrapping [ErrMissingBlock].
func FromBlocks(blocks []codec.Block) func(context.Context, cid.Cid) ([]byte, error) {
	m := make(map[cid.Cid][]byte, len(blocks))
	for _, b := range blocks {
		m[b.CID] = b.Data
	}
	return func(ctx context.Context, c cid.Cid) ([]byte, error) {
		if d, ok := m[c]; ok {
			return d, nil
		}
		return nil, fmt.Errorf("%w: %s", ErrMissingBlock, c)
	}
}
