package streams_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/statestore/mem"
	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
	"github.com/goceramic/ceramic/streams/streamstest"
)

func newService(t *testing.T) (*streams.Service, *streams.MemBlockStore) {
	t.Helper()
	blocks := streams.NewMemBlockStore()
	svc, err := streams.NewService(streams.Config{Blocks: blocks, Pins: mem.New()})
	if err != nil {
		t.Fatal(err)
	}
	return svc, blocks
}

func mustCreate(t *testing.T, svc *streams.Service, g *codec.WireCommit) *streams.State {
	t.Helper()
	st, err := svc.CreateFromGenesis(context.Background(), streamid.Tile, g, streams.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestCreateUpdateLoad(t *testing.T) {
	ctx := context.Background()
	svc, blocks := newService(t)
	alice := streamstest.NewSigner(nil)
	g, err := alice.Genesis(map[string]any{"title": "first"}, map[string]any{"family": "notes"})
	if err != nil {
		t.Fatal(err)
	}
	st := mustCreate(t, svc, g)
	if st.Signature != streams.SignatureSigned || st.Controller() != alice.DID || len(st.Log) != 1 {
		t.Fatalf("genesis state = %+v", st)
	}
	id := st.ID()

	u, err := alice.Update(st, map[string]any{"title": "second", "n": 2.0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st2, err := svc.ApplyCommit(ctx, id, u, streams.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"title": "second", "n": 2.0}
	if got := st2.CurrentContent(); !reflect.DeepEqual(normalize(got), want) {
		t.Fatalf("content = %#v, want %#v", got, want)
	}
	if len(st2.Log) != 2 || st2.Log[1].Type != streams.CommitSigned {
		t.Fatalf("log = %+v", st2.Log)
	}
	// Pinned: every block of the log is pinned.
	for _, e := range st2.Log {
		if !blocks.Pinned(e.CID) {
			t.Errorf("commit %s is not pinned", e.CID)
		}
	}
	// Load by CommitID of the genesis gives the old content.
	old, err := svc.LoadAtCommit(ctx, id.AtCommit(st.Tip()), streams.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := old.CurrentContent(); !reflect.DeepEqual(normalize(got), map[string]any{"title": "first"}) {
		t.Fatalf("content at genesis = %#v", got)
	}
	// A fresh service on the same stores reads the pinned state.
	commits, err := svc.Commits(ctx, id, streams.LoadOptions{})
	if err != nil || len(commits) != 2 {
		t.Fatalf("Commits = %v, %v", commits, err)
	}
	if _, ok := commits[1].Value["jws"]; !ok {
		t.Errorf("signed commit serialized without jws: %v", commits[1].Value)
	}
}

func TestRejections(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	alice, mallory := streamstest.NewSigner(nil), streamstest.NewSigner(nil)
	g, _ := alice.Genesis(map[string]any{"a": 1.0}, nil)
	st := mustCreate(t, svc, g)

	t.Run("wrong signer", func(t *testing.T) {
		u, _ := mallory.Update(st, map[string]any{"a": 2.0}, nil)
		_, err := svc.ApplyCommit(ctx, st.ID(), u, streams.WriteOptions{})
		if !errors.Is(err, streams.ErrUnauthorized) {
			t.Fatalf("err = %v, want ErrUnauthorized", err)
		}
	})
	t.Run("stale update", func(t *testing.T) {
		u1, _ := alice.Update(st, map[string]any{"a": 2.0}, nil)
		u2, _ := alice.Update(st, map[string]any{"a": 3.0}, nil) // also builds on the genesis
		if _, err := svc.ApplyCommit(ctx, st.ID(), u1, streams.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		_, err := svc.ApplyCommit(ctx, st.ID(), u2, streams.WriteOptions{})
		if !errors.Is(err, streams.ErrConflict) {
			t.Fatalf("err = %v, want ErrConflict", err)
		}
	})
	t.Run("unsigned genesis with content", func(t *testing.T) {
		data, _ := codec.EncodeDagCBOR(map[string]any{"header": map[string]any{"controllers": []any{alice.DID}}, "data": map[string]any{"x": 1.0}})
		w, _ := codec.NewWireCommit(codec.NewBlock(codec.DagCBOR, data), nil, nil)
		_, err := svc.CreateFromGenesis(ctx, streamid.Tile, w, streams.WriteOptions{})
		if !errors.Is(err, streams.ErrInvalidCommit) {
			t.Fatalf("err = %v, want ErrInvalidCommit", err)
		}
	})
	t.Run("controller change forbidden", func(t *testing.T) {
		g, _ := alice.Genesis(map[string]any{}, map[string]any{"forbidControllerChange": true})
		st := mustCreate(t, svc, g)
		u, _ := alice.Update(st, map[string]any{}, map[string]any{"controllers": []any{mallory.DID}})
		_, err := svc.ApplyCommit(ctx, st.ID(), u, streams.WriteOptions{})
		if !errors.Is(err, streams.ErrInvalidCommit) {
			t.Fatalf("err = %v, want ErrInvalidCommit", err)
		}
	})
	t.Run("unknown stream", func(t *testing.T) {
		other, _ := alice.Genesis(map[string]any{}, nil) // never stored
		id := streamid.New(streamid.Tile, other.CID())
		start := time.Now()
		_, err := svc.Load(ctx, id, streams.LoadOptions{SyncTimeout: 200 * time.Millisecond})
		if !errors.Is(err, streams.ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("unknown stream took %s", time.Since(start))
		}
	})
}

func TestControllerChange(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	alice, bob := streamstest.NewSigner(nil), streamstest.NewSigner(nil)
	g, _ := alice.Genesis(map[string]any{"v": 1.0}, nil)
	st := mustCreate(t, svc, g)
	u, _ := alice.Update(st, map[string]any{"v": 1.0}, map[string]any{"controllers": []any{bob.DID}})
	st, err := svc.ApplyCommit(ctx, st.ID(), u, streams.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Controller() != bob.DID {
		t.Fatalf("controller = %s, want %s", st.Controller(), bob.DID)
	}
	// Now only bob may write.
	if u, _ := alice.Update(st, map[string]any{"v": 2.0}, nil); true {
		if _, err := svc.ApplyCommit(ctx, st.ID(), u, streams.WriteOptions{}); !errors.Is(err, streams.ErrUnauthorized) {
			t.Fatalf("old controller's update: err = %v", err)
		}
	}
	u, _ = bob.Update(st, map[string]any{"v": 2.0}, nil)
	if _, err := svc.ApplyCommit(ctx, st.ID(), u, streams.WriteOptions{}); err != nil {
		t.Fatalf("new controller's update: %v", err)
	}
}

func TestDeterministicGenesis(t *testing.T) {
	svc, _ := newService(t)
	g1, _ := streamstest.Deterministic("did:key:z6MkexampleController", "family-a", "t1")
	g2, _ := streamstest.Deterministic("did:key:z6MkexampleController", "family-a", "t1")
	st1, st2 := mustCreate(t, svc, g1), mustCreate(t, svc, g2)
	if st1.ID() != st2.ID() {
		t.Fatalf("deterministic genesis gave %s and %s", st1.ID(), st2.ID())
	}
	if st1.Signature != streams.SignatureGenesis {
		t.Fatalf("signature = %v", st1.Signature)
	}
}

// normalize turns int64 numbers into float64 so contents compare regardless of codec.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, y := range x {
			out[k] = normalize(y)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, y := range x {
			out[i] = normalize(y)
		}
		return out
	case int64:
		return float64(x)
	}
	return v
}

// TestCheckPins: lost block pins are restored, and states whose commits are missing from the
// block store are reported without being changed.
func TestCheckPins(t *testing.T) {
	ctx := context.Background()
	pins := mem.New()
	blocks := streams.NewMemBlockStore()
	svc, err := streams.NewService(streams.Config{Blocks: blocks, Pins: pins})
	if err != nil {
		t.Fatal(err)
	}
	alice := streamstest.NewSigner(nil)
	g, _ := alice.Genesis(map[string]any{"a": 1.0}, nil)
	st := mustCreate(t, svc, g)
	if err := blocks.Unpin(ctx, st.Tip()); err != nil {
		t.Fatal(err)
	}
	has := func(_ context.Context, c cid.Cid) (bool, error) {
		_, err := blocks.Get(canceled(), c)
		return err == nil, nil
	}
	isPinned := func(_ context.Context, c cid.Cid) (bool, error) { return blocks.Pinned(c), nil }
	res, err := svc.CheckPins(ctx, has, isPinned)
	if err != nil {
		t.Fatal(err)
	}
	if res.Streams != 1 || res.Repinned != 1 || len(res.Missing) != 0 || !blocks.Pinned(st.Tip()) {
		t.Fatalf("CheckPins = %+v, pinned=%v", res, blocks.Pinned(st.Tip()))
	}
	// Nothing to repair the second time.
	if res, err := svc.CheckPins(ctx, has, isPinned); err != nil || res.Repinned != 0 {
		t.Fatalf("second CheckPins = %+v, %v", res, err)
	}

	// The same state store over an empty block store: every stream is reported.
	empty := streams.NewMemBlockStore()
	svc2, _ := streams.NewService(streams.Config{Blocks: empty, Pins: pins})
	res, err = svc2.CheckPins(ctx, func(_ context.Context, c cid.Cid) (bool, error) {
		_, err := empty.Get(canceled(), c)
		return err == nil, nil
	}, func(_ context.Context, c cid.Cid) (bool, error) { return empty.Pinned(c), nil })
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Missing[st.ID().String()]; len(got) != 1 || !got[0].Equals(st.Tip()) {
		t.Fatalf("Missing = %v", res.Missing)
	}
	// The stored state is still served.
	if loaded, err := svc2.Load(ctx, st.ID(), streams.LoadOptions{}); err != nil || loaded.Tip() != st.Tip() {
		t.Fatalf("Load after the check = %v, %v", loaded, err)
	}
}

// canceled returns a context that is already done, so a missing block fails at once.
func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func TestUnpin(t *testing.T) {
	ctx := context.Background()
	svc, blocks := newService(t)
	alice := streamstest.NewSigner(nil)
	g, _ := alice.Genesis(map[string]any{"a": 1.0}, nil)
	st := mustCreate(t, svc, g)
	if !blocks.Pinned(st.Tip()) {
		t.Fatal("a created stream's genesis is not pinned")
	}
	if err := svc.Unpin(ctx, st.ID(), false); err != nil {
		t.Fatal(err)
	}
	if blocks.Pinned(st.Tip()) {
		t.Error("the genesis block stayed pinned after unpin")
	}
	ids, err := svc.Pinned(ctx, nil)
	if err != nil || len(ids) != 0 {
		t.Fatalf("Pinned after unpin = %v, %v", ids, err)
	}
	// The stream still loads from the cache, and unpinning twice is fine.
	if _, err := svc.Load(ctx, st.ID(), streams.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Unpin(ctx, st.ID(), false); err != nil {
		t.Fatal(err)
	}
}

// TestSyncAlwaysRebuilds: SYNC_ALWAYS rebuilds a state from its commits, so a stored state
// that does not match its log is corrected (in the cache and in the state store).
func TestSyncAlwaysRebuilds(t *testing.T) {
	ctx := context.Background()
	pins := mem.New()
	blocks := streams.NewMemBlockStore()
	svc, _ := streams.NewService(streams.Config{Blocks: blocks, Pins: pins})
	alice := streamstest.NewSigner(nil)
	g, _ := alice.Genesis(map[string]any{"v": "genesis"}, nil)
	st := mustCreate(t, svc, g)
	u, _ := alice.Update(st, map[string]any{"v": "updated"}, nil)
	if _, err := svc.ApplyCommit(ctx, st.ID(), u, streams.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	// Damage the stored state: same log, wrong content.
	raw, _ := pins.Get(ctx, st.ID().String())
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	m["next"] = map[string]any{"content": map[string]any{"v": "forged"}}
	forged, _ := json.Marshal(m)
	if err := pins.Put(ctx, st.ID().String(), forged); err != nil {
		t.Fatal(err)
	}
	fresh, _ := streams.NewService(streams.Config{Blocks: blocks, Pins: pins})
	got, err := fresh.Load(ctx, st.ID(), streams.LoadOptions{})
	if err != nil || !reflect.DeepEqual(got.CurrentContent(), map[string]any{"v": "forged"}) {
		t.Fatalf("PREFER_CACHE load = %v, %v; want the stored (forged) state", got.CurrentContent(), err)
	}
	got, err = fresh.Load(ctx, st.ID(), streams.LoadOptions{Sync: streams.SyncAlways})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"v": "updated"}; !reflect.DeepEqual(normalize(got.CurrentContent()), want) {
		t.Fatalf("SYNC_ALWAYS content = %v, want %v", got.CurrentContent(), want)
	}
	raw, _ = pins.Get(ctx, st.ID().String())
	var stored streams.State
	if err := json.Unmarshal(raw, &stored); err != nil || !reflect.DeepEqual(normalize(stored.CurrentContent()), map[string]any{"v": "updated"}) {
		t.Fatalf("state store after SYNC_ALWAYS = %v, %v", stored.CurrentContent(), err)
	}
}

// recordingPublisher records the tips the engine announces (the network side is tested with
// real nodes in the node and integration packages).
type recordingPublisher struct{ tips []string }

func (p *recordingPublisher) PublishUpdate(_ context.Context, id streamid.StreamID, tip cid.Cid, _ string) error {
	p.tips = append(p.tips, id.String()+"@"+tip.String())
	return nil
}

func TestUnpinPublishes(t *testing.T) {
	ctx := context.Background()
	pub := &recordingPublisher{}
	svc, _ := streams.NewService(streams.Config{Blocks: streams.NewMemBlockStore(), Pins: mem.New(), Publisher: pub})
	g, _ := streamstest.NewSigner(nil).Genesis(map[string]any{}, nil)
	st, err := svc.CreateFromGenesis(ctx, streamid.Tile, g, streams.WriteOptions{Publish: new(bool)})
	if err != nil {
		t.Fatal(err)
	}
	if len(pub.tips) != 0 {
		t.Fatalf("published with publish:false: %v", pub.tips)
	}
	if err := svc.Unpin(ctx, st.ID(), true); err != nil {
		t.Fatal(err)
	}
	if want := st.ID().String() + "@" + st.Tip().String(); len(pub.tips) != 1 || pub.tips[0] != want {
		t.Fatalf("published %v, want [%s]", pub.tips, want)
	}
}
