package streams_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/anchor"
	"github.com/goceramic/ceramic/statestore"
	"github.com/goceramic/ceramic/statestore/mem"
	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/streamid"
	"github.com/goceramic/ceramic/streams/streamstest"
)

// peers are two stream engines over one block store, as two nodes whose IPFS exchange blocks:
// what one writes, the other can fetch. Proofs of the shared in-memory anchor service verify
// on both.
type peers struct {
	a, b    *streams.Service
	blocks  *streams.MemBlockStore
	anchors *anchor.InMemory
	signer  *streamstest.Signer
}

func newPeers(t *testing.T) *peers {
	t.Helper()
	blocks := streams.NewMemBlockStore()
	am := anchor.NewInMemory(blocks, nil)
	t.Cleanup(func() { am.Close() })
	verifier := anchor.NewVerifier(map[string]anchor.ChainValidator{"inmemory": am})
	p := &peers{blocks: blocks, anchors: am, signer: streamstest.NewSigner(nil)}
	for _, svc := range []**streams.Service{&p.a, &p.b} {
		s, err := streams.NewService(streams.Config{Blocks: blocks, Pins: mem.New(), Verifier: verifier})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		*svc = s
	}
	return p
}

// update writes a signed update of id on svc and returns the new state.
func (p *peers) update(t *testing.T, svc *streams.Service, id streamid.StreamID, content map[string]any) *streams.State {
	t.Helper()
	st, err := svc.Load(context.Background(), id, streams.LoadOptions{Sync: streams.NeverSync})
	if err != nil {
		t.Fatal(err)
	}
	u, err := p.signer.Update(st, content, nil)
	if err != nil {
		t.Fatal(err)
	}
	next, err := svc.ApplyCommit(context.Background(), id, u, streams.WriteOptions{Anchor: new(bool), Publish: new(bool)})
	if err != nil {
		t.Fatal(err)
	}
	return next
}

func tipOf(t *testing.T, svc *streams.Service, id streamid.StreamID) cid.Cid {
	t.Helper()
	st, err := svc.Load(context.Background(), id, streams.LoadOptions{Sync: streams.NeverSync})
	if err != nil {
		t.Fatal(err)
	}
	return st.Tip()
}

func apply(t *testing.T, svc *streams.Service, id streamid.StreamID, tip cid.Cid) bool {
	t.Helper()
	changed, err := svc.ApplyRemoteTip(context.Background(), id, tip)
	if err != nil {
		t.Fatal(err)
	}
	return changed
}

// TestApplyRemoteTip: a tip that extends the log is applied; known, foreign and invalid tips
// change nothing; a stream the node does not hold is ignored.
func TestApplyRemoteTip(t *testing.T) {
	p := newPeers(t)
	g, _ := p.signer.Genesis(map[string]any{"n": 0.0}, nil)
	id := mustCreate(t, p.a, g).ID()
	mustCreate(t, p.b, g)

	u1 := p.update(t, p.a, id, map[string]any{"n": 1.0})
	u2 := p.update(t, p.a, id, map[string]any{"n": 2.0})
	if !apply(t, p.b, id, u2.Tip()) {
		t.Fatal("a tip two commits ahead was not applied")
	}
	st, _ := p.b.Load(context.Background(), id, streams.LoadOptions{})
	if !st.Tip().Equals(u2.Tip()) || len(st.Log) != 3 || fmt.Sprint(st.CurrentContent().(map[string]any)["n"]) != "2" {
		t.Fatalf("state on B = %+v", st)
	}
	if apply(t, p.b, id, u1.Tip()) || apply(t, p.b, id, u2.Tip()) {
		t.Error("re-applying known commits changed the state")
	}

	// A tip of another stream, and an update signed by someone who does not control it.
	other, _ := p.signer.Genesis(map[string]any{"other": true}, nil)
	otherID := mustCreate(t, p.a, other).ID()
	if apply(t, p.b, id, otherID.Genesis()) {
		t.Error("a foreign tip changed the state")
	}
	intruder := streamstest.NewSigner(nil)
	forged, _ := intruder.Update(st, map[string]any{"n": "forged"}, nil)
	if err := p.blocks.Put(context.Background(), forged.Blocks()...); err != nil {
		t.Fatal(err)
	}
	if apply(t, p.b, id, forged.CID()) {
		t.Error("an update signed by a non-controller was applied")
	}
	if got := tipOf(t, p.b, id); !got.Equals(u2.Tip()) {
		t.Errorf("tip after the forged update = %s, want %s", got, u2.Tip())
	}
	// B does not hold otherID: announcements for it are ignored.
	if apply(t, p.b, otherID, otherID.Genesis()) {
		t.Error("a stream B does not hold was loaded from an announcement")
	}
	if tip, ok := p.b.LocalTip(context.Background(), otherID); ok {
		t.Errorf("B holds %s after an announcement (tip %s)", otherID, tip)
	}
}

// TestConcurrentWritersConverge: two nodes write on the same tip; after each applies the
// other's tip, both hold the same state (js-ceramic's fork choice). An anchored branch then
// wins over a longer unanchored one.
func TestConcurrentWritersConverge(t *testing.T) {
	p := newPeers(t)
	ctx := context.Background()
	g, _ := p.signer.Genesis(map[string]any{"n": 0.0}, nil)
	id := mustCreate(t, p.a, g).ID()
	mustCreate(t, p.b, g)

	ua := p.update(t, p.a, id, map[string]any{"by": "a"})
	ub := p.update(t, p.b, id, map[string]any{"by": "b"})
	apply(t, p.a, id, ub.Tip())
	apply(t, p.b, id, ua.Tip())
	ta, tb := tipOf(t, p.a, id), tipOf(t, p.b, id)
	if !ta.Equals(tb) {
		t.Fatalf("the nodes diverge: A %s, B %s", ta, tb)
	}

	// B adds two more unanchored commits; A anchors its (shorter) branch.
	base, _ := p.a.Load(ctx, id, streams.LoadOptions{})
	winner := p.update(t, p.a, id, map[string]any{"by": "a", "anchored": true})
	p.update(t, p.b, id, map[string]any{"by": "b", "n": 1.0})
	longer := p.update(t, p.b, id, map[string]any{"by": "b", "n": 2.0})
	if len(longer.Log) <= len(winner.Log) {
		t.Fatalf("B's branch (%d) is not longer than A's (%d)", len(longer.Log), len(winner.Log))
	}
	sink := make(chan cid.Cid, 1)
	p.anchors.SetSink(func(_ context.Context, _ streamid.StreamID, c cid.Cid) error { sink <- c; return nil })
	if err := p.anchors.RequestAnchor(ctx, id, winner.Tip()); err != nil {
		t.Fatal(err)
	}
	var anchorCommit cid.Cid
	select {
	case anchorCommit = <-sink:
	case <-time.After(5 * time.Second):
		t.Fatal("no anchor")
	}
	for _, svc := range []*streams.Service{p.a, p.b} {
		apply(t, svc, id, anchorCommit)
		st, _ := svc.Load(ctx, id, streams.LoadOptions{})
		if !st.Tip().Equals(anchorCommit) || st.AnchorStatus != streams.Anchored || len(st.Log) != len(base.Log)+2 {
			t.Errorf("after the anchor: tip %s (%v, %d commits), want the anchor commit %s", st.Tip(), st.AnchorStatus, len(st.Log), anchorCommit)
		}
	}
	// B's dropped branch does not come back.
	if apply(t, p.b, id, longer.Tip()) {
		t.Error("the unanchored branch won against the anchored one")
	}
}

// tipsOf answers network queries with what another engine holds (the network layer itself is
// tested in p2p and integration).
type tipsOf struct{ peer *streams.Service }

func (q tipsOf) QueryTips(ctx context.Context, id streamid.StreamID) (<-chan cid.Cid, error) {
	ch := make(chan cid.Cid, 1)
	if tip, ok := q.peer.LocalTip(ctx, id); ok {
		ch <- tip
	}
	close(ch)
	return ch, nil
}

// TestLoadFromNetwork: a node that never saw a stream loads it at the tip a peer answers.
func TestLoadFromNetwork(t *testing.T) {
	p := newPeers(t)
	g, _ := p.signer.Genesis(map[string]any{"n": 0.0}, nil)
	id := mustCreate(t, p.a, g).ID()
	last := p.update(t, p.a, id, map[string]any{"n": 1.0})
	c, err := streams.NewService(streams.Config{Blocks: p.blocks, Pins: mem.New(), Network: tipsOf{p.a}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	st, err := c.Load(context.Background(), id, streams.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !st.Tip().Equals(last.Tip()) {
		t.Fatalf("loaded tip %s, want %s", st.Tip(), last.Tip())
	}
	never, err := streams.NewService(streams.Config{Blocks: p.blocks, Network: tipsOf{p.a}})
	if err != nil {
		t.Fatal(err)
	}
	defer never.Close()
	if st, _ := never.Load(context.Background(), id, streams.LoadOptions{Sync: streams.NeverSync}); len(st.Log) != 1 {
		t.Errorf("NEVER_SYNC loaded %d commits, want the genesis only", len(st.Log))
	}
}

// countingStore counts the reads of a state store.
type countingStore struct {
	statestore.Store
	gets int
}

func (c *countingStore) Get(ctx context.Context, key string) ([]byte, error) {
	c.gets++
	return c.Store.Get(ctx, key)
}

// TestNetworkTrafficForUnheldStreams: announcements and queries for a stream this node does
// not hold read the state store once, not once per message; once the node pins the stream it
// is found again.
func TestNetworkTrafficForUnheldStreams(t *testing.T) {
	store := &countingStore{Store: mem.New()}
	svc, err := streams.NewService(streams.Config{Blocks: streams.NewMemBlockStore(), Pins: store, CacheLimit: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	signer := streamstest.NewSigner(nil)
	g, _ := signer.Genesis(map[string]any{"n": 0.0}, nil)
	id := streamid.New(streamid.Tile, g.CID())
	ctx := context.Background()
	for range 100 {
		if changed, err := svc.ApplyRemoteTip(ctx, id, g.CID()); err != nil || changed {
			t.Fatalf("ApplyRemoteTip of a stream the node does not hold = %v, %v", changed, err)
		}
		if _, ok := svc.LocalTip(ctx, id); ok {
			t.Fatal("LocalTip found a stream the node does not hold")
		}
	}
	if store.gets != 1 {
		t.Errorf("100 announcements and queries read the state store %d times, want 1", store.gets)
	}
	mustCreate(t, svc, g)
	other, _ := signer.Genesis(map[string]any{"other": true}, nil)
	mustCreate(t, svc, other) // the cache holds one state: this one evicts the first
	if tip, ok := svc.LocalTip(ctx, id); !ok || !tip.Equals(g.CID()) {
		t.Errorf("LocalTip after the create, from the state store = %s, %v", tip, ok)
	}
}
