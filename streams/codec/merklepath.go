package codec

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ipfs/go-cid"
)

// MaxMerklePathLength is the most segments [WalkMerklePath] follows. A tree this deep would
// hold 2^128 leaves; a longer path can only come from a broken or hostile anchor commit.
const MaxMerklePathLength = 128

// ErrInvalidMerklePath is wrapped by every error of [WalkMerklePath] that says the path does
// not lead from the root to a CID: a malformed path, a node that is not a dag-cbor array, or
// an element that is missing, null or not a CID.
var ErrInvalidMerklePath = errors.New("invalid Merkle path")

// WalkMerklePath follows an anchor commit's path from its proof's Merkle root, reading nodes
// with get, and returns the CID it arrives at (which must be the anchored commit) and the
// CIDs of the tree nodes it went through, root first. This is the Merkle check of anchor
// verification, as js-ceramic does it: the path "" names the root itself; otherwise each
// "/"-separated segment, "0" or "1", selects that element of the current node, which must be
// a dag-cbor array (a root may carry a third element, which no path selects); every element
// followed must be a CID, and the last one is the result (it is not fetched).
//
// Errors about the path or the nodes wrap [ErrInvalidMerklePath]. An error of get is
// returned wrapped as it is, so callers can tell a block they could not fetch (retry later)
// from a path that is wrong. A block whose bytes do not hash to its CID gives an error
// wrapping [ErrHashMismatch]: the block source is broken, not the path.
func WalkMerklePath(ctx context.Context, get func(context.Context, cid.Cid) ([]byte, error), root cid.Cid, path string) (cid.Cid, []cid.Cid, error) {
	if !root.Defined() {
		return cid.Undef, nil, fmt.Errorf("%w: undefined root", ErrInvalidMerklePath)
	}
	if path == "" {
		return root, nil, nil
	}
	if get == nil {
		return cid.Undef, nil, errors.New("codec: WalkMerklePath needs a block getter")
	}
	segs := strings.Split(path, "/")
	if len(segs) > MaxMerklePathLength {
		return cid.Undef, nil, fmt.Errorf("%w: %d segments, more than %d", ErrInvalidMerklePath, len(segs), MaxMerklePathLength)
	}
	for i, seg := range segs {
		if seg != "0" && seg != "1" {
			return cid.Undef, nil, fmt.Errorf("%w %q: segment %d is %q, not 0 or 1", ErrInvalidMerklePath, path, i+1, seg)
		}
	}
	nodes := make([]cid.Cid, 0, len(segs))
	cur := root
	for i, seg := range segs {
		if err := ctx.Err(); err != nil {
			return cid.Undef, nil, err
		}
		at := "the root"
		if i > 0 {
			at = "path " + strconv.Quote(strings.Join(segs[:i], "/"))
		}
		data, err := get(ctx, cur)
		if err != nil {
			return cid.Undef, nil, fmt.Errorf("fetching Merkle node %s at %s: %w", cur, at, err)
		}
		if err := VerifyBlock(cur, data); err != nil {
			return cid.Undef, nil, fmt.Errorf("Merkle node %s at %s: %w", cur, at, err)
		}
		if cur.Type() != DagCBOR {
			return cid.Undef, nil, fmt.Errorf("%w %q: the node at %s (%s) is not dag-cbor (codec 0x%x)", ErrInvalidMerklePath, path, at, cur, cur.Type())
		}
		v, err := DecodeDagCBOR(data)
		if err != nil {
			return cid.Undef, nil, fmt.Errorf("%w %q: the node at %s (%s) cannot be decoded: %v", ErrInvalidMerklePath, path, at, cur, err)
		}
		arr, ok := v.([]any)
		if !ok {
			return cid.Undef, nil, fmt.Errorf("%w %q: the node at %s (%s) is %s, not an array", ErrInvalidMerklePath, path, at, cur, kindOf(v))
		}
		idx := int(seg[0] - '0')
		if idx >= len(arr) {
			return cid.Undef, nil, fmt.Errorf("%w %q: the node at %s (%s) has no element %d", ErrInvalidMerklePath, path, at, cur, idx)
		}
		next, ok := arr[idx].(cid.Cid)
		if !ok {
			if arr[idx] == nil {
				return cid.Undef, nil, fmt.Errorf("%w %q: element %d of the node at %s (%s) is null", ErrInvalidMerklePath, path, idx, at, cur)
			}
			return cid.Undef, nil, fmt.Errorf("%w %q: element %d of the node at %s (%s) is %s, not a CID", ErrInvalidMerklePath, path, idx, at, cur, kindOf(arr[idx]))
		}
		nodes = append(nodes, cur)
		cur = next
	}
	return cur, nodes, nil
}
