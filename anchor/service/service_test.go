package service_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"

	"github.com/goceramic/ceramic/anchor/merkle"
	"github.com/goceramic/ceramic/anchor/service"
	"github.com/goceramic/ceramic/statestore"
	"github.com/goceramic/ceramic/statestore/fs"
	"github.com/goceramic/ceramic/statestore/mem"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
)

const testChainID = "eip155:1337"

// fakeChain is a TEST DOUBLE for service.Chain: it sends no transaction. It records the
// roots it is asked to anchor and returns a made-up eth-tx CID (codec 0x93, a keccak-256
// multihash whose digest is sha2-256 of the root). It can fail a number of calls, or block
// each call until released. The real Ethereum chain is tested with its own package.
type fakeChain struct {
	mu      sync.Mutex
	roots   []cid.Cid
	failN   int           // the next failN calls fail
	block   chan struct{} // if non-nil, each call waits for a receive on it (or ctx)
	entered chan cid.Cid  // if non-nil, each call sends its root here first
}

var errChainDown = errors.New("fake chain: node unreachable")

func (f *fakeChain) ChainID() string { return testChainID }

func (f *fakeChain) Anchor(ctx context.Context, root cid.Cid) (service.Transaction, error) {
	f.mu.Lock()
	block, entered := f.block, f.entered
	f.mu.Unlock()
	if entered != nil {
		entered <- root
	}
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return service.Transaction{}, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failN > 0 {
		f.failN--
		return service.Transaction{}, errChainDown
	}
	f.roots = append(f.roots, root)
	return service.Transaction{TxHash: fakeTxHash(root), TxType: "f(bytes32)", BlockTime: 1700000000}, nil
}

func (f *fakeChain) anchored() []cid.Cid {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]cid.Cid(nil), f.roots...)
}

func fakeTxHash(root cid.Cid) cid.Cid {
	d := sha256.Sum256(root.Bytes())
	mh, err := multihash.Encode(d[:], multihash.KECCAK_256)
	if err != nil {
		panic(err)
	}
	return cid.NewCidV1(0x93, mh)
}

// blockSink records the blocks the service stores.
type blockSink struct {
	mu     sync.Mutex
	blocks map[cid.Cid][]byte
}

func (b *blockSink) Put(_ context.Context, blocks ...codec.Block) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.blocks == nil {
		b.blocks = map[cid.Cid][]byte{}
	}
	for _, blk := range blocks {
		b.blocks[blk.CID] = blk.Data
	}
	return nil
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2024, 2, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// commit returns a distinct dag-cbor CID for a label.
func commit(label string) cid.Cid {
	data, err := codec.EncodeDagCBOR(map[string]any{"label": label})
	if err != nil {
		panic(err)
	}
	return codec.CIDFor(codec.DagCBOR, data)
}

// stream returns the StreamID of a MID stream whose genesis is commit(name).
func stream(name string) streamid.StreamID { return streamid.New(streamid.MID, commit(name)) }

func newService(t *testing.T, cfg service.Config) *service.Service {
	t.Helper()
	if cfg.Store == nil {
		cfg.Store = mem.New()
	}
	s, err := service.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func submit(t *testing.T, s *service.Service, req service.Request) service.Record {
	t.Helper()
	r, created, err := s.Submit(t.Context(), req)
	if err != nil {
		t.Fatalf("Submit(%s): %v", req.Tip, err)
	}
	if !created {
		t.Fatalf("Submit(%s): not created", req.Tip)
	}
	return r
}

func get(t *testing.T, s *service.Service, tip cid.Cid) service.Record {
	t.Helper()
	r, err := s.Get(t.Context(), tip)
	if err != nil {
		t.Fatalf("Get(%s): %v", tip, err)
	}
	return r
}

func pending(t *testing.T, s *service.Service) int {
	t.Helper()
	n, err := s.Pending(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// checkCompleted checks a COMPLETED record's witness: a CAR rooted at the anchor commit,
// whose commit has the stream's genesis as id and the tip as prev, whose proof names the
// chain, the transaction and one of roots, and whose path walks, over the witness blocks alone,
// from the root to the tip. It returns the commit and proof.
func checkCompleted(t *testing.T, r service.Record, roots ...cid.Cid) (*codec.AnchorCommit, *codec.AnchorProof) {
	t.Helper()
	if r.Status != service.StatusCompleted {
		t.Fatalf("%s: status %s (%s), want COMPLETED", r.Tip, r.Status, r.Message)
	}
	carRoots, blocks, err := codec.DecodeCAR(r.Witness)
	if err != nil {
		t.Fatalf("%s: witness: %v", r.Tip, err)
	}
	if len(carRoots) != 1 || carRoots[0] != r.AnchorCommit || blocks[0].CID != r.AnchorCommit {
		t.Fatalf("%s: witness roots %v, first block %s; want the anchor commit %s", r.Tip, carRoots, blocks[0].CID, r.AnchorCommit)
	}
	v, err := codec.DecodeBlock(blocks[0].CID, blocks[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	ac, err := codec.DecodeAnchorCommit(v)
	if err != nil {
		t.Fatal(err)
	}
	if ac.ID == nil || *ac.ID != r.StreamID.Genesis() || ac.Prev != r.Tip {
		t.Fatalf("%s: anchor commit %+v: want id %s and prev %s", r.Tip, ac, r.StreamID.Genesis(), r.Tip)
	}
	if blocks[1].CID != ac.Proof {
		t.Fatalf("%s: second witness block %s, want the proof %s", r.Tip, blocks[1].CID, ac.Proof)
	}
	v, err = codec.DecodeBlock(blocks[1].CID, blocks[1].Data)
	if err != nil {
		t.Fatal(err)
	}
	proof, err := codec.DecodeAnchorProof(v)
	if err != nil {
		t.Fatal(err)
	}
	root := proof.Root
	if !slices.Contains(roots, root) || proof.ChainID != testChainID || proof.TxHash != fakeTxHash(root) || proof.TxType != "f(bytes32)" {
		t.Fatalf("%s: proof %+v, want chain %s, a root among %v, tx %s", r.Tip, proof, testChainID, roots, fakeTxHash(root))
	}
	if len(blocks) != 2+strings.Count(ac.Path, "/")+1 || blocks[2].CID != root {
		t.Fatalf("%s: %d witness blocks for path %q (third %s)", r.Tip, len(blocks), ac.Path, blocks[2].CID)
	}
	got, err := merkle.Walk(t.Context(), merkle.FromBlocks(blocks), proof.Root, ac.Path)
	if err != nil || got != r.Tip {
		t.Fatalf("%s: Walk(%q) = %s, %v", r.Tip, ac.Path, got, err)
	}
	return ac, proof
}

func TestBatch(t *testing.T) {
	chain := &fakeChain{}
	sink := &blockSink{}
	var completed []service.Record
	s := newService(t, service.Config{
		Chain: chain, Blocks: sink,
		OnComplete: func(r service.Record) { completed = append(completed, r) },
	})
	if got := s.SupportedChains(); !reflect.DeepEqual(got, []string{testChainID}) {
		t.Errorf("SupportedChains = %v", got)
	}
	var recs []service.Record
	for i, name := range []string{"a", "b", "c"} {
		r := submit(t, s, service.Request{
			StreamID: stream(name), Tip: commit(name + "-tip"),
			Model: "kh4q0ozorrgaq2mezktnrmdwleo1d", Controller: fmt.Sprintf("did:key:z6Mk%d", i),
		})
		if r.Status != service.StatusPending || len(r.ID) != 36 || r.ID[14] != '4' || r.Timestamp.IsZero() {
			t.Fatalf("new record %+v", r)
		}
		if got := get(t, s, r.Tip); !reflect.DeepEqual(got, r) {
			t.Fatalf("Get = %+v, want %+v", got, r)
		}
		recs = append(recs, r)
	}
	if n := pending(t, s); n != 3 {
		t.Fatalf("Pending = %d, want 3", n)
	}
	if err := s.AnchorNow(t.Context()); err != nil {
		t.Fatal(err)
	}
	roots := chain.anchored()
	if len(roots) != 1 {
		t.Fatalf("%d transactions, want 1", len(roots))
	}
	paths := map[string]bool{}
	for _, want := range recs {
		r := get(t, s, want.Tip)
		if r.ID != want.ID || !r.CreatedAt.Equal(want.CreatedAt) || r.Message != "CID successfully anchored." {
			t.Errorf("completed record %+v, from %+v", r, want)
		}
		ac, _ := checkCompleted(t, r, roots[0])
		paths[ac.Path] = true
		if _, ok := sink.blocks[r.AnchorCommit]; !ok {
			t.Errorf("anchor commit %s not stored in Blocks", r.AnchorCommit)
		}
	}
	if !paths["0"] || !paths["1/0"] || !paths["1/1"] {
		t.Errorf("paths %v, want 0, 1/0, 1/1", paths)
	}
	if _, ok := sink.blocks[roots[0]]; !ok || len(sink.blocks) != 1+2+3 {
		t.Errorf("Blocks holds %d blocks (root stored: %v), want proof + 2 nodes + 3 commits", len(sink.blocks), ok)
	}
	if len(completed) != 3 {
		t.Errorf("OnComplete called %d times, want 3", len(completed))
	}
	if n := pending(t, s); n != 0 {
		t.Errorf("Pending = %d after the batch", n)
	}
	// Nothing pending: no transaction.
	if err := s.AnchorNow(t.Context()); err != nil || len(chain.anchored()) != 1 {
		t.Errorf("empty batch: %v, %d transactions", err, len(chain.anchored()))
	}
}

func TestSingleRequest(t *testing.T) {
	chain := &fakeChain{}
	s := newService(t, service.Config{Chain: chain})
	r := submit(t, s, service.Request{StreamID: stream("solo"), Tip: commit("solo-tip")})
	if err := s.AnchorNow(t.Context()); err != nil {
		t.Fatal(err)
	}
	ac, _ := checkCompleted(t, get(t, s, r.Tip), chain.anchored()[0])
	if ac.Path != "0" {
		t.Errorf("path %q, want 0 (the root is [tip, null])", ac.Path)
	}
}

func TestReplaced(t *testing.T) {
	chain := &fakeChain{}
	s := newService(t, service.Config{Chain: chain})
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	req := func(name string, sec int) service.Request {
		return service.Request{StreamID: stream("s"), Tip: commit(name), Timestamp: base.Add(time.Duration(sec) * time.Second)}
	}
	other := submit(t, s, service.Request{StreamID: stream("other"), Tip: commit("other")})

	t1 := submit(t, s, req("t1", 10))
	t2 := submit(t, s, req("t2", 20))
	if r := get(t, s, t1.Tip); r.Status != service.StatusReplaced || !strings.Contains(r.Message, t2.Tip.String()) {
		t.Errorf("t1 after t2: %s %q, want REPLACED naming t2", r.Status, r.Message)
	}
	// An older request arriving late is replaced at once.
	t3 := submit(t, s, req("t3", 15))
	if t3.Status != service.StatusReplaced || !strings.Contains(t3.Message, t2.Tip.String()) {
		t.Errorf("t3: %s %q, want REPLACED by t2", t3.Status, t3.Message)
	}
	if r := get(t, s, t2.Tip); r.Status != service.StatusPending {
		t.Errorf("t2: %s, want PENDING", r.Status)
	}
	// On equal timestamps the later request wins.
	t4 := submit(t, s, req("t4", 20))
	if t4.Status != service.StatusPending || get(t, s, t2.Tip).Status != service.StatusReplaced {
		t.Errorf("t4 %s, t2 %s; want PENDING, REPLACED", t4.Status, get(t, s, t2.Tip).Status)
	}
	if n := pending(t, s); n != 2 {
		t.Errorf("Pending = %d, want 2 (t4 and other)", n)
	}
	if err := s.AnchorNow(t.Context()); err != nil {
		t.Fatal(err)
	}
	root := chain.anchored()[0]
	checkCompleted(t, get(t, s, t4.Tip), root)
	checkCompleted(t, get(t, s, other.Tip), root)
	for _, tip := range []cid.Cid{t1.Tip, t2.Tip, t3.Tip} {
		if r := get(t, s, tip); r.Status != service.StatusReplaced {
			t.Errorf("%s: %s after the batch, want REPLACED", tip, r.Status)
		}
	}
}

func TestDuplicateSubmit(t *testing.T) {
	s := newService(t, service.Config{Chain: &fakeChain{}})
	req := service.Request{StreamID: stream("d"), Tip: commit("d-tip")}
	first := submit(t, s, req)
	again, created, err := s.Submit(t.Context(), req)
	if err != nil || created || !reflect.DeepEqual(again, first) {
		t.Fatalf("second Submit = %+v, %v, %v; want the first record, not created", again, created, err)
	}
	if n := pending(t, s); n != 1 {
		t.Errorf("Pending = %d", n)
	}
	if err := s.AnchorNow(t.Context()); err != nil {
		t.Fatal(err)
	}
	done, created, err := s.Submit(t.Context(), req)
	if err != nil || created || done.Status != service.StatusCompleted || done.ID != first.ID {
		t.Errorf("Submit after anchoring = %s %v %v, want the COMPLETED record", done.Status, created, err)
	}
}

func TestInvalid(t *testing.T) {
	if _, err := service.New(service.Config{Store: mem.New()}); err == nil {
		t.Error("New without a chain succeeded")
	}
	if _, err := service.New(service.Config{Chain: &fakeChain{}}); err == nil {
		t.Error("New without a store succeeded")
	}
	s := newService(t, service.Config{Chain: &fakeChain{}})
	for _, req := range []service.Request{{Tip: commit("x")}, {StreamID: stream("x")}} {
		if _, _, err := s.Submit(t.Context(), req); !errors.Is(err, service.ErrInvalidRequest) {
			t.Errorf("Submit(%+v) error = %v, want ErrInvalidRequest", req, err)
		}
	}
	if _, err := s.Get(t.Context(), commit("nobody")); !errors.Is(err, service.ErrNotFound) {
		t.Errorf("Get of an unknown tip: %v, want ErrNotFound", err)
	}
}

func TestChainFailure(t *testing.T) {
	chain := &fakeChain{failN: 3}
	s := newService(t, service.Config{Chain: chain, MaxAttempts: 3})
	r := submit(t, s, service.Request{StreamID: stream("f"), Tip: commit("f-tip")})
	for i := 1; i <= 3; i++ {
		err := s.AnchorNow(t.Context())
		if !errors.Is(err, errChainDown) {
			t.Fatalf("attempt %d: %v, want the chain's error", i, err)
		}
		got := get(t, s, r.Tip)
		if got.Attempts != i {
			t.Errorf("attempt %d: Attempts = %d", i, got.Attempts)
		}
		want := service.StatusPending
		if i == 3 {
			want = service.StatusFailed
		}
		if got.Status != want || !strings.Contains(got.Message, errChainDown.Error()) {
			t.Errorf("attempt %d: %s %q, want %s with the chain's error", i, got.Status, got.Message, want)
		}
	}
	if n := pending(t, s); n != 0 {
		t.Errorf("Pending = %d after FAILED", n)
	}
	if err := s.AnchorNow(t.Context()); err != nil || len(chain.anchored()) != 0 {
		t.Errorf("after FAILED: %v, %d transactions", err, len(chain.anchored()))
	}

	// One failure, then success.
	chain.failN = 1
	r2 := submit(t, s, service.Request{StreamID: stream("g"), Tip: commit("g-tip")})
	if err := s.AnchorNow(t.Context()); !errors.Is(err, errChainDown) {
		t.Fatal(err)
	}
	if err := s.AnchorNow(t.Context()); err != nil {
		t.Fatal(err)
	}
	got := get(t, s, r2.Tip)
	checkCompleted(t, got, chain.anchored()[0])
	if got.Attempts != 1 {
		t.Errorf("Attempts = %d, want 1", got.Attempts)
	}
}

func TestMaxBatch(t *testing.T) {
	chain := &fakeChain{}
	clk := newClock()
	s := newService(t, service.Config{Chain: chain, MaxBatch: 2, Now: clk.Now})
	var tips []cid.Cid
	for i := range 5 {
		tips = append(tips, submit(t, s, service.Request{StreamID: stream(fmt.Sprint(i)), Tip: commit(fmt.Sprint("tip", i))}).Tip)
		clk.Add(time.Second)
	}
	if err := s.AnchorNow(t.Context()); err != nil {
		t.Fatal(err)
	}
	for i, tip := range tips {
		want := service.StatusPending
		if i < 2 {
			want = service.StatusCompleted // the oldest first
		}
		if r := get(t, s, tip); r.Status != want {
			t.Errorf("request %d: %s, want %s", i, r.Status, want)
		}
	}
	if n := pending(t, s); n != 3 {
		t.Errorf("Pending = %d, want 3", n)
	}
}

func openFS(t *testing.T, dir string) *fs.Store {
	t.Helper()
	st, err := fs.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestRestart(t *testing.T) {
	dir := t.TempDir()
	st := openFS(t, dir)
	chain := &fakeChain{}
	s, err := service.New(service.Config{Chain: chain, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	done := submit(t, s, service.Request{StreamID: stream("a"), Tip: commit("a1")})
	if err := s.AnchorNow(t.Context()); err != nil {
		t.Fatal(err)
	}
	old := submit(t, s, service.Request{StreamID: stream("b"), Tip: commit("b1"), Timestamp: time.Unix(100, 0)})
	newer := submit(t, s, service.Request{StreamID: stream("b"), Tip: commit("b2"), Timestamp: time.Unix(200, 0)})
	waiting := submit(t, s, service.Request{StreamID: stream("c"), Tip: commit("c1"), Model: "kh4q", Controller: "did:key:z"})
	before := map[cid.Cid]service.Record{}
	for _, tip := range []cid.Cid{done.Tip, old.Tip, newer.Tip, waiting.Tip} {
		before[tip] = get(t, s, tip)
	}
	s.Close()
	st.Close()

	st = openFS(t, dir)
	s = newService(t, service.Config{Chain: chain, Store: st})
	for tip, want := range before {
		if got := get(t, s, tip); !reflect.DeepEqual(got, want) {
			t.Errorf("after restart: %+v\nwant %+v", got, want)
		}
	}
	if n := pending(t, s); n != 2 {
		t.Errorf("Pending = %d after restart, want 2", n)
	}
	// The rebuilt index still replaces.
	newest := submit(t, s, service.Request{StreamID: stream("b"), Tip: commit("b3"), Timestamp: time.Unix(300, 0)})
	if r := get(t, s, newer.Tip); r.Status != service.StatusReplaced {
		t.Errorf("b2 after b3: %s, want REPLACED", r.Status)
	}
	if err := s.AnchorNow(t.Context()); err != nil {
		t.Fatal(err)
	}
	root := chain.anchored()[1]
	checkCompleted(t, get(t, s, newest.Tip), root)
	checkCompleted(t, get(t, s, waiting.Tip), root)
}

// TestCrashWhileProcessing stops the store while a batch waits for its transaction, as if
// the process died, and checks that the next service finds the requests PENDING.
func TestCrashWhileProcessing(t *testing.T) {
	dir := t.TempDir()
	st := openFS(t, dir)
	chain := &fakeChain{block: make(chan struct{}), entered: make(chan cid.Cid, 1)}
	s, err := service.New(service.Config{Chain: chain, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	a := submit(t, s, service.Request{StreamID: stream("a"), Tip: commit("a1")})
	b := submit(t, s, service.Request{StreamID: stream("b"), Tip: commit("b1")})
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- s.AnchorNow(ctx) }()
	<-chain.entered
	if r := get(t, s, a.Tip); r.Status != service.StatusProcessing {
		t.Fatalf("during the batch: %s, want PROCESSING", r.Status)
	}
	// Submitting during the batch is safe; the new request waits for the next batch.
	c := submit(t, s, service.Request{StreamID: stream("c"), Tip: commit("c1")})
	if err := st.Close(); err != nil { // the crash: nothing more reaches the disk
		t.Fatal(err)
	}
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("the interrupted batch reported success")
	}
	s.Close()

	st = openFS(t, dir)
	good := &fakeChain{}
	s = newService(t, service.Config{Chain: good, Store: st})
	for _, tip := range []cid.Cid{a.Tip, b.Tip} {
		r := get(t, s, tip)
		if r.Status != service.StatusPending || r.Attempts != 0 {
			t.Errorf("after the crash: %s attempts %d (%s), want PENDING with no attempt", r.Status, r.Attempts, r.Message)
		}
	}
	if n := pending(t, s); n != 3 {
		t.Errorf("Pending = %d, want 3", n)
	}
	if err := s.AnchorNow(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, tip := range []cid.Cid{a.Tip, b.Tip, c.Tip} {
		checkCompleted(t, get(t, s, tip), good.anchored()[0])
	}
}

// TestSubmitDuringBatch checks that a request for a stream being anchored does not replace
// the PROCESSING record, and wins over it if the batch fails.
func TestSubmitDuringBatch(t *testing.T) {
	chain := &fakeChain{block: make(chan struct{}), entered: make(chan cid.Cid, 1), failN: 1}
	s := newService(t, service.Config{Chain: chain})
	t1 := submit(t, s, service.Request{StreamID: stream("s"), Tip: commit("t1"), Timestamp: time.Unix(10, 0)})
	errc := make(chan error, 1)
	go func() { errc <- s.AnchorNow(t.Context()) }()
	<-chain.entered
	t2 := submit(t, s, service.Request{StreamID: stream("s"), Tip: commit("t2"), Timestamp: time.Unix(20, 0)})
	if t2.Status != service.StatusPending || get(t, s, t1.Tip).Status != service.StatusProcessing {
		t.Fatalf("t2 %s, t1 %s; want PENDING, PROCESSING", t2.Status, get(t, s, t1.Tip).Status)
	}
	chain.block <- struct{}{} // this call fails (failN)
	if err := <-errc; !errors.Is(err, errChainDown) {
		t.Fatal(err)
	}
	if r := get(t, s, t1.Tip); r.Status != service.StatusReplaced || !strings.Contains(r.Message, t2.Tip.String()) {
		t.Errorf("t1 after the failed batch: %s %q, want REPLACED by t2", r.Status, r.Message)
	}
	chain.mu.Lock()
	chain.block, chain.entered = nil, nil
	chain.mu.Unlock()
	if err := s.AnchorNow(t.Context()); err != nil {
		t.Fatal(err)
	}
	checkCompleted(t, get(t, s, t2.Tip), chain.anchored()[0])
}

func TestClose(t *testing.T) {
	chain := &fakeChain{block: make(chan struct{}), entered: make(chan cid.Cid, 1)}
	st := mem.New()
	s, err := service.New(service.Config{Chain: chain, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	r := submit(t, s, service.Request{StreamID: stream("a"), Tip: commit("a1")})
	errc := make(chan error, 1)
	go func() { errc <- s.AnchorNow(context.Background()) }()
	<-chain.entered
	if err := s.Close(); err != nil { // cancels the batch waiting for the chain
		t.Fatal(err)
	}
	if err := <-errc; err == nil {
		t.Error("the cancelled batch reported success")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, _, err := s.Submit(t.Context(), service.Request{StreamID: stream("b"), Tip: commit("b1")}); !errors.Is(err, service.ErrClosed) {
		t.Errorf("Submit after Close: %v", err)
	}
	if err := s.AnchorNow(t.Context()); !errors.Is(err, service.ErrClosed) {
		t.Errorf("AnchorNow after Close: %v", err)
	}
	s2 := newService(t, service.Config{Chain: &fakeChain{}, Store: st})
	if got := get(t, s2, r.Tip); got.Status != service.StatusPending || got.Attempts != 0 {
		t.Errorf("after Close: %s, %d attempts; want PENDING, none counted", got.Status, got.Attempts)
	}
}

func TestPrune(t *testing.T) {
	clk := newClock()
	st := mem.New()
	chain := &fakeChain{failN: 1}
	cfg := service.Config{Chain: chain, Store: st, Now: clk.Now, Retention: time.Hour, MaxAttempts: 1}
	s := newService(t, cfg)
	failed := submit(t, s, service.Request{StreamID: stream("f"), Tip: commit("f1")})
	if err := s.AnchorNow(t.Context()); err == nil {
		t.Fatal("the failing batch succeeded")
	}
	replaced := submit(t, s, service.Request{StreamID: stream("a"), Tip: commit("a1"), Timestamp: time.Unix(1, 0)})
	completed := submit(t, s, service.Request{StreamID: stream("a"), Tip: commit("a2"), Timestamp: time.Unix(2, 0)})
	if err := s.AnchorNow(t.Context()); err != nil {
		t.Fatal(err)
	}
	clk.Add(30 * time.Minute)
	waiting := submit(t, s, service.Request{StreamID: stream("w"), Tip: commit("w1")})
	s.Close()

	clk.Add(31 * time.Minute) // the finished records are now older than an hour
	s = newService(t, cfg)
	for _, tip := range []cid.Cid{failed.Tip, replaced.Tip, completed.Tip} {
		if _, err := s.Get(t.Context(), tip); !errors.Is(err, service.ErrNotFound) {
			t.Errorf("%s after the retention: %v, want ErrNotFound", tip, err)
		}
	}
	if r := get(t, s, waiting.Tip); r.Status != service.StatusPending {
		t.Errorf("pending record: %s", r.Status)
	}
	// Batches prune too.
	if err := s.AnchorNow(t.Context()); err != nil {
		t.Fatal(err)
	}
	clk.Add(2 * time.Hour)
	if err := s.AnchorNow(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(t.Context(), waiting.Tip); !errors.Is(err, service.ErrNotFound) {
		t.Errorf("completed record after the retention: %v, want ErrNotFound", err)
	}
	n := 0
	for _, err := range st.List(t.Context(), statestore.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 0 {
		t.Errorf("%d records left in the store", n)
	}
}

// TestStartMaxBatch checks that the loop anchors as soon as MaxBatch requests are pending,
// without waiting for the interval.
func TestStartMaxBatch(t *testing.T) {
	chain := &fakeChain{}
	completed := make(chan service.Record, 10)
	s := newService(t, service.Config{Chain: chain, Interval: time.Hour, MaxBatch: 3,
		OnComplete: func(r service.Record) { completed <- r }})
	s.Start(t.Context())
	s.Start(t.Context()) // no effect
	for i := range 3 {
		submit(t, s, service.Request{StreamID: stream(fmt.Sprint(i)), Tip: commit(fmt.Sprint("k", i))})
	}
	for range 3 {
		select {
		case r := <-completed:
			checkCompleted(t, r, chain.anchored()[0])
		case <-time.After(10 * time.Second):
			t.Fatal("no batch after MaxBatch requests")
		}
	}
}

// TestConcurrent submits from many goroutines while the loop anchors small batches and
// the test runs extra batches, then checks every record.
func TestConcurrent(t *testing.T) {
	chain := &fakeChain{}
	var completedN atomic.Int64
	s := newService(t, service.Config{Chain: chain, Interval: 5 * time.Millisecond, MaxBatch: 7,
		OnComplete: func(service.Record) { completedN.Add(1) }})
	s.Start(t.Context())

	const workers, perWorker = 8, 20
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				req := service.Request{
					StreamID:  stream(fmt.Sprintf("w%d-%d", w, i%5)), // 5 streams per worker, several tips each
					Tip:       commit(fmt.Sprintf("w%d-tip%d", w, i)),
					Timestamp: time.Unix(int64(1000+i), 0),
				}
				if _, _, err := s.Submit(context.Background(), req); err != nil {
					t.Error(err)
					return
				}
				if i%7 == 0 {
					if err := s.AnchorNow(context.Background()); err != nil {
						t.Error(err)
					}
				}
				if _, _, err := s.Submit(context.Background(), req); err != nil { // duplicate
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	// Wait until every record is final (COMPLETED or REPLACED).
	deadline := time.Now().Add(20 * time.Second)
	for {
		final := 0
		for w := range workers {
			for i := range perWorker {
				if get(t, s, commit(fmt.Sprintf("w%d-tip%d", w, i))).Status.Final() {
					final++
				}
			}
		}
		if final == workers*perWorker {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d records final", final, workers*perWorker)
		}
		time.Sleep(5 * time.Millisecond)
	}
	roots := chain.anchored()
	completed := 0
	for w := range workers {
		for i := range perWorker {
			r := get(t, s, commit(fmt.Sprintf("w%d-tip%d", w, i)))
			last := i >= perWorker-5 // the newest tip of its stream can only complete
			switch {
			case r.Status == service.StatusCompleted:
				completed++
				checkCompleted(t, r, roots...)
			case last || r.Status != service.StatusReplaced:
				t.Errorf("w%d tip %d: %s (%s)", w, i, r.Status, r.Message)
			}
		}
	}
	t.Logf("%d batches, %d of %d requests completed, the others replaced", len(roots), completed, workers*perWorker)
	if n := pending(t, s); n != 0 {
		t.Errorf("Pending = %d", n)
	}
	if int(completedN.Load()) != completed {
		t.Errorf("OnComplete called %d times for %d completed records", completedN.Load(), completed)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(t.Context(), commit("w0-tip0")); !errors.Is(err, service.ErrClosed) {
		t.Errorf("Get after Close: %v", err)
	}
}
