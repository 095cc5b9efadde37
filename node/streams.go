package node

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ipfs/boxo/path"
	"github.com/ipfs/go-cid"
	coreiface "github.com/ipfs/kubo/core/coreiface"
	coreopts "github.com/ipfs/kubo/core/coreiface/options"
	mh "github.com/multiformats/go-multihash"

	"github.com/goceramic/ceramic/internal/s3ds"
	"github.com/goceramic/ceramic/p2p"
	"github.com/goceramic/ceramic/statestore"
	_ "github.com/goceramic/ceramic/statestore/fs" // the default state store
	_ "github.com/goceramic/ceramic/statestore/mem"
	_ "github.com/goceramic/ceramic/statestore/s3" // state-store.mode s3
	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
)

// errIPFSNotStarted is returned by block operations before Start has brought IPFS online.
var errIPFSNotStarted = errors.New("node: IPFS is not started")

// ipfsBlocks stores and reads commit blocks through the node's IPFS API (embedded or remote).
type ipfsBlocks struct{ n *Node }

func (b ipfsBlocks) api() (coreiface.CoreAPI, error) {
	if !b.n.isStarted() {
		return nil, errIPFSNotStarted
	}
	return b.n.ipfs.api(), nil
}

// Get reads a block, from the local store or from peers until ctx ends.
func (b ipfsBlocks) Get(ctx context.Context, c cid.Cid) ([]byte, error) {
	api, err := b.api()
	if err != nil {
		return nil, err
	}
	r, err := api.Block().Get(ctx, path.FromCid(c))
	if err != nil {
		return nil, storageError(err)
	}
	return io.ReadAll(r)
}

// storageError marks a failure of the S3 blockstore as the storage being unavailable, which
// the API answers with 503 (the operation may succeed once S3 is back).
func storageError(err error) error {
	if errors.Is(err, s3ds.ErrUnavailable) && !errors.Is(err, statestore.ErrUnavailable) {
		return fmt.Errorf("%w: %w", statestore.ErrUnavailable, err)
	}
	return err
}

var codecNames = map[uint64]string{codec.DagCBOR: "dag-cbor", codec.DagJOSE: "dag-jose", cid.DagProtobuf: "dag-pb", cid.Raw: "raw"}

// Put writes blocks. They become durable with the next Pin (the node pins every block of a
// stream it keeps before it acknowledges the write), so one flush covers both.
func (b ipfsBlocks) Put(ctx context.Context, blocks ...codec.Block) error {
	api, err := b.api()
	if err != nil {
		return err
	}
	for _, blk := range blocks {
		name, ok := codecNames[blk.CID.Type()]
		if !ok {
			return fmt.Errorf("store block %s: unsupported codec 0x%x", blk.CID, blk.CID.Type())
		}
		if blk.CID.Prefix().MhType != mh.SHA2_256 {
			return fmt.Errorf("store block %s: only sha2-256 blocks are stored", blk.CID)
		}
		st, err := api.Block().Put(ctx, bytes.NewReader(blk.Data), coreopts.Block.CidCodec(name), coreopts.Block.Hash(mh.SHA2_256, -1))
		if err != nil {
			return fmt.Errorf("store block %s: %w", blk.CID, storageError(err))
		}
		if got := st.Path().RootCid(); !got.Equals(blk.CID) {
			return fmt.Errorf("store block %s: IPFS stored it as %s", blk.CID, got)
		}
	}
	return nil
}

// Pin pins blocks directly (not recursively: a recursive pin of a commit would pull in the
// whole Merkle tree of its anchor).
func (b ipfsBlocks) Pin(ctx context.Context, cids ...cid.Cid) error {
	if !b.n.isStarted() {
		return errIPFSNotStarted
	}
	return b.n.ipfs.pinDirect(ctx, cids)
}

// Unpin removes direct pins; blocks that were not pinned are skipped.
func (b ipfsBlocks) Unpin(ctx context.Context, cids ...cid.Cid) error {
	api, err := b.api()
	if err != nil {
		return err
	}
	for _, c := range cids {
		if err := api.Pin().Rm(ctx, path.FromCid(c), coreopts.Pin.RmRecursive(false)); err != nil && !isNotPinned(err) {
			return fmt.Errorf("unpin %s: %w", c, err)
		}
	}
	return nil
}

func isNotPinned(err error) bool {
	return err != nil && bytes.Contains([]byte(err.Error()), []byte("not pinned"))
}

var _ streams.BlockStore = ipfsBlocks{}

// updatePublisher announces new tips on the Ceramic topic.
type updatePublisher struct {
	n        *Node
	disabled bool
}

func (p updatePublisher) PublishUpdate(ctx context.Context, id streamid.StreamID, tip cid.Cid, model string) error {
	if p.disabled || p.n.pubsub == nil {
		return nil
	}
	return p.n.pubsub.Publish(ctx, p2p.Message{Type: p2p.TypeUpdate, Stream: id.String(), Tip: tip.String(), Model: model})
}

// openStateStore opens the configured state store: LevelDB under state-store.local-directory,
// or memory when no directory is set (programs that embed the node).
func (n *Node) openStateStore(ctx context.Context) (statestore.Stores, error) {
	sc := n.cfg.StateStore
	cfg := statestore.Config{Type: "fs", Network: n.cfg.Network.Name, Dir: sc.LocalDirectory, Bucket: sc.S3Bucket, Endpoint: sc.S3Endpoint}
	switch {
	case sc.Mode == "s3":
		cfg.Type = "s3"
	case sc.LocalDirectory == "":
		cfg.Type = "mem"
	}
	st, err := statestore.Open(ctx, cfg, statestore.WithLogger(n.log.With("component", "statestore")))
	if err != nil {
		return st, err
	}
	return st, nil
}
