package node

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/goceramic/ceramic/streams/streamstest"
)

// BenchmarkCreateSignedTile measures POST /api/v0/streams of signed tiles on a node with an
// on-disk IPFS repository and state store, with parallel clients.
func BenchmarkCreateSignedTile(b *testing.B) {
	dir := b.TempDir()
	cfg := testConfig("/ceramic/local-bench")
	cfg.Network.Name = "inmemory"
	cfg.Network.PubsubTopic = ""
	cfg.IPFS.RepoPath = filepath.Join(dir, "ipfs")
	cfg.StateStore.Mode = "fs"
	cfg.StateStore.LocalDirectory = filepath.Join(dir, "statestore")
	n, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	if err := n.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
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
