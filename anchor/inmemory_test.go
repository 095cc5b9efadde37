package anchor_test

import (
	"context"
	"testing"
	"time"

	"github.com/goceramic/ceramic/anchor"
	"github.com/goceramic/ceramic/statestore/mem"
	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
	"github.com/goceramic/ceramic/streams/streamstest"
)

// TestInMemoryAnchoring: a create is anchored by the in-memory service; the anchor commit is
// verified, timestamps the log, and another service's proofs are refused.
func TestInMemoryAnchoring(t *testing.T) {
	ctx := context.Background()
	blocks := streams.NewMemBlockStore()
	now := time.Unix(1_700_000_000, 0)
	am := anchor.NewInMemory(blocks, func() time.Time { return now })
	defer am.Close()
	verifier := anchor.NewVerifier(map[string]anchor.ChainValidator{"inmemory": am})
	svc, err := streams.NewService(streams.Config{Blocks: blocks, Pins: mem.New(), Anchors: am, Verifier: verifier})
	if err != nil {
		t.Fatal(err)
	}
	am.SetSink(svc.ApplyAnchor)

	g, _ := streamstest.NewSigner(nil).Genesis(map[string]any{"a": 1.0}, nil)
	st, err := svc.CreateFromGenesis(ctx, streamid.Tile, g, streams.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.AnchorStatus != streams.Pending {
		t.Fatalf("status after create = %v, want PENDING", st.AnchorStatus)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err = svc.Load(ctx, st.ID(), streams.LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if st.AnchorStatus == streams.Anchored {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never anchored: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(st.Log) != 2 || st.Log[1].Type != streams.CommitAnchor || st.AnchorProof.ChainID != anchor.InMemoryChainID {
		t.Fatalf("anchored state = %+v", st)
	}
	if st.Log[0].Timestamp == nil || *st.Log[0].Timestamp != now.Unix() || *st.Log[1].Timestamp != now.Unix() {
		t.Fatalf("log timestamps = %v, %v", st.Log[0].Timestamp, st.Log[1].Timestamp)
	}
	if status, err := svc.RequestAnchor(ctx, st.ID(), streams.LoadOptions{}); err != nil || status != streams.Anchored {
		t.Fatalf("RequestAnchor on an anchored stream = %v, %v", status, err)
	}

	// A proof another in-memory service made does not verify here.
	other := anchor.NewInMemory(blocks, nil)
	defer other.Close()
	data, _ := blocks.Get(ctx, st.Log[1].CID)
	v, _ := codec.DecodeBlock(st.Log[1].CID, data)
	ac, _ := codec.DecodeAnchorCommit(v)
	pd, _ := blocks.Get(ctx, ac.Proof)
	pv, _ := codec.DecodeBlock(ac.Proof, pd)
	proof, _ := codec.DecodeAnchorProof(pv)
	if _, err := verifier.VerifyAnchor(ctx, ac, proof, blocks); err != nil {
		t.Fatalf("own proof: %v", err)
	}
	if _, err := anchor.NewVerifier(map[string]anchor.ChainValidator{"inmemory": other}).VerifyAnchor(ctx, ac, proof, blocks); err == nil {
		t.Fatal("another service's proof verified")
	}
	// A Merkle path that does not lead to the anchored commit is refused.
	bad := *ac
	bad.Path = "0"
	if _, err := verifier.VerifyAnchor(ctx, &bad, proof, blocks); err == nil {
		t.Fatal("an anchor commit with a wrong path verified")
	}
}
