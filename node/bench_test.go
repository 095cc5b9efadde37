package node

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/streamid"
	"github.com/goceramic/ceramic/streams/streamstest"
)

// BenchmarkCreateSignedTile measures POST /api/v0/streams of signed tiles on a node with an
// on-disk IPFS repository and state store, with parallel clients.
func BenchmarkCreateSignedTile(b *testing.B) {
	n := benchNode(b)
	url := "http://" + n.HTTPAddr() + "/api/v0/streams"
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		signer := streamstest.NewSigner(nil)
		for pb.Next() {
			g, err := signer.Genesis(map[string]any{"k": "v"}, nil)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := json.Marshal(map[string]any{"type": 0, "genesis": g, "opts": map[string]any{"anchor": false, "publish": false}})
			resp, err := http.Post(url, "application/json", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}

// BenchmarkInMemoryAnchor measures the in-memory anchoring latency: from a create with the
// default anchor: true to the state being ANCHORED (anchor commit applied, verified and
// persisted), on a node with an on-disk IPFS repository and state store.
func BenchmarkInMemoryAnchor(b *testing.B) {
	n := benchNode(b)
	ctx := context.Background()
	signer := streamstest.NewSigner(nil)
	b.ResetTimer()
	for i := range b.N {
		g, err := signer.Genesis(map[string]any{"i": float64(i)}, nil)
		if err != nil {
			b.Fatal(err)
		}
		st, err := n.Streams().CreateFromGenesis(ctx, streamid.Tile, g, streams.WriteOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for st.AnchorStatus != streams.Anchored {
			time.Sleep(100 * time.Microsecond)
			if st, err = n.Streams().Load(ctx, st.ID(), streams.LoadOptions{Sync: streams.NeverSync}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// benchNode starts an inmemory-network node with an on-disk IPFS repository and state store;
// it stops when the benchmark ends.
func benchNode(b *testing.B) *Node {
	b.Helper()
	dir := b.TempDir()
	cfg := testConfig("")
	cfg.Network.Name = "inmemory"
	cfg.IPFS.RepoPath = filepath.Join(dir, "ipfs")
	cfg.StateStore.Mode = "fs"
	cfg.StateStore.LocalDirectory = filepath.Join(dir, "statestore")
	n, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { n.Close() })
	if err := n.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	return n
}
