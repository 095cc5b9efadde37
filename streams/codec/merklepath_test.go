package codec

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ipfs/go-cid"
)

func TestWalkMerklePath(t *testing.T) {
	blocks := map[cid.Cid][]byte{}
	put := func(v any) cid.Cid {
		b := NewBlock(DagCBOR, mustCBOR(t, v))
		blocks[b.CID] = b.Data
		return b.CID
	}
	leaf := func(i int) cid.Cid { return NewBlock(DagCBOR, mustCBOR(t, map[string]any{"leaf": i})).CID }
	l0, l1, l2 := put(map[string]any{"leaf": 0}), leaf(1), leaf(2)
	left := put([]any{l0, l1})
	meta := put(map[string]any{"numEntries": 3})
	root := put([]any{left, l2, meta})
	get := func(_ context.Context, c cid.Cid) ([]byte, error) {
		if d, ok := blocks[c]; ok {
			return d, nil
		}
		return nil, fmt.Errorf("block %s not found", c)
	}
	ctx := context.Background()
	for path, want := range map[string]cid.Cid{"": root, "0/0": l0, "0/1": l1, "1": l2} {
		got, nodes, err := WalkMerklePath(ctx, get, root, path)
		if err != nil || !got.Equals(want) {
			t.Errorf("%q: got %s, %v; want %s", path, got, err, want)
		}
		if path == "0/1" && (len(nodes) != 2 || !nodes[0].Equals(root) || !nodes[1].Equals(left)) {
			t.Errorf("%q: nodes = %v", path, nodes)
		}
	}
	for _, bad := range []string{"2", "0/0/0", "0/", "/0", "x"} {
		if _, _, err := WalkMerklePath(ctx, get, root, bad); !errors.Is(err, ErrInvalidMerklePath) {
			t.Errorf("%q: err = %v, want ErrInvalidMerklePath", bad, err)
		}
	}
	single := put([]any{l0, nil})
	if _, _, err := WalkMerklePath(ctx, get, single, "1"); !errors.Is(err, ErrInvalidMerklePath) {
		t.Errorf("null element: err = %v", err)
	}
	missing := leaf(9)
	if _, _, err := WalkMerklePath(ctx, get, missing, "0"); err == nil || errors.Is(err, ErrInvalidMerklePath) {
		t.Errorf("missing node: err = %v, want a read error", err)
	}
}
