package node

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/goceramic/ceramic/statestore"
	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/streamid"
	"github.com/goceramic/ceramic/streams/streamstest"
)

// TestS3Blockstore: with ipfs.s3-bucket the embedded IPFS keeps its blocks in S3 (here an
// in-process S3 server; MinIO is used in integration/). A node whose local IPFS repository
// is wiped finds the commits again in the bucket and loads its pinned streams.
func TestS3Blockstore(t *testing.T) {
	backend := s3mem.New()
	if err := backend.CreateBucket("blocks"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	defer srv.Close()
	t.Setenv("AWS_REGION", "us-east-1")

	dir := t.TempDir()
	cfg := testConfig("/ceramic/local-s3-blocks")
	cfg.Network.Name = "inmemory"
	cfg.Network.PubsubTopic = ""
	cfg.StateStore.Mode = "fs"
	cfg.StateStore.LocalDirectory = filepath.Join(dir, "statestore")
	cfg.IPFS.RepoPath = filepath.Join(dir, "ipfs-1")
	cfg.IPFS.S3Bucket, cfg.IPFS.S3Endpoint, cfg.IPFS.S3RootDirectory, cfg.IPFS.S3KeyTransform = "blocks", srv.URL, "ipfs", "next-to-last/2"
	cfg.IPFS.S3AccessKeyID, cfg.IPFS.S3SecretAccessKey = "test", "test"

	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	signer := streamstest.NewSigner(nil)
	g, _ := signer.Genesis(map[string]any{"in": "s3"}, nil)
	st, err := a.Streams().CreateFromGenesis(context.Background(), streamid.Tile, g, streams.WriteOptions{Anchor: new(bool)})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := signer.Update(st, map[string]any{"in": "s3", "n": 1.0}, nil)
	if st, err = a.Streams().ApplyCommit(context.Background(), st.ID(), u, streams.WriteOptions{Anchor: new(bool)}); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	objects, err := backend.ListBucket("blocks", nil, gofakes3.ListBucketPage{})
	if err != nil || len(objects.Contents) == 0 {
		t.Fatalf("no blocks in the bucket: %v", err)
	}

	// A new, empty local repository on the same bucket (and state store).
	cfg.IPFS.RepoPath = filepath.Join(dir, "ipfs-2")
	b := startNode(t, cfg)
	for _, e := range st.Log {
		if ok, err := b.ipfs.hasLocal(context.Background(), e.CID); err != nil || !ok {
			t.Fatalf("commit %s is not in the new repository's blockstore: %v, %v", e.CID, ok, err)
		}
	}
	// Rebuilding the state re-reads and re-verifies every commit from the blockstore.
	got, err := b.Streams().Load(context.Background(), st.ID(), streams.LoadOptions{Sync: streams.SyncAlways})
	if err != nil {
		t.Fatalf("rebuild from the commits in S3: %v", err)
	}
	if !got.Tip().Equals(st.Tip()) || len(got.Log) != 2 {
		t.Fatalf("state rebuilt from S3 blocks = %+v", got)
	}

	// S3 gone: a write fails as "storage unavailable" (503 on the API), and nothing is stored.
	srv.Close()
	g2, _ := signer.Genesis(map[string]any{"while": "down"}, nil)
	_, err = b.Streams().CreateFromGenesis(context.Background(), streamid.Tile, g2, streams.WriteOptions{Anchor: new(bool)})
	if !errors.Is(err, statestore.ErrUnavailable) {
		t.Fatalf("create with S3 down: %v, want an error wrapping statestore.ErrUnavailable", err)
	}
	if _, ok := b.Streams().LocalTip(context.Background(), streamid.New(streamid.Tile, g2.CID())); ok {
		t.Error("a stream whose blocks could not be stored is held by the node")
	}
}
