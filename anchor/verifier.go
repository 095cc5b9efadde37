package anchor

import (
	"context"
	"fmt"
	"strings"

	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/codec"
)

// Verifier checks anchor commits as js-ceramic does: the commit's Merkle path must lead from
// the proof's root to the anchored commit, and the proof's transaction must put that root on
// its chain. The chain part is delegated by the proof's CAIP-2 namespace ("eip155",
// "inmemory") to a [ChainValidator].
type Verifier struct {
	chains map[string]ChainValidator
}

// NewVerifier returns a Verifier with a validator per chain namespace.
func NewVerifier(byNamespace map[string]ChainValidator) *Verifier {
	chains := make(map[string]ChainValidator, len(byNamespace))
	for ns, v := range byNamespace {
		if v != nil {
			chains[ns] = v
		}
	}
	return &Verifier{chains: chains}
}

// VerifyAnchor returns the anchor time of a valid anchor commit. Errors say why the anchor
// is invalid, or wrap streams.ErrProofUnavailable when its chain cannot be asked now.
func (v *Verifier) VerifyAnchor(ctx context.Context, commit *codec.AnchorCommit, proof *codec.AnchorProof, blocks streams.BlockGetter) (int64, error) {
	ns, _, ok := strings.Cut(proof.ChainID, ":")
	if !ok {
		return 0, fmt.Errorf("anchor proof chain %q is not a CAIP-2 chain id", proof.ChainID)
	}
	chain, ok := v.chains[ns]
	if !ok {
		return 0, fmt.Errorf("anchor proof is for chain %s, which this node cannot verify", proof.ChainID)
	}
	target, _, err := codec.WalkMerklePath(ctx, blocks.Get, proof.Root, commit.Path)
	if err != nil {
		return 0, fmt.Errorf("anchor proof's Merkle path %q: %w", commit.Path, err)
	}
	if !target.Equals(commit.Prev) {
		return 0, fmt.Errorf("anchor proof's Merkle path %q leads to %s, not to the anchored commit %s", commit.Path, target, commit.Prev)
	}
	return chain.ValidateChainInclusion(ctx, proof)
}

var _ streams.ProofVerifier = (*Verifier)(nil)
