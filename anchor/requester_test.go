package anchor_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/anchor"
	"github.com/goceramic/ceramic/anchor/cas"
	"github.com/goceramic/ceramic/anchor/ethereum"
	"github.com/goceramic/ceramic/anchor/ethereum/ethtest"
	"github.com/goceramic/ceramic/anchor/service"
	"github.com/goceramic/ceramic/internal/didjws"
	"github.com/goceramic/ceramic/statestore"
	"github.com/goceramic/ceramic/statestore/mem"
	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/streamid"
	"github.com/goceramic/ceramic/streams/streamstest"
)

// stack is a node's anchoring, end to end, on go-ethereum's simulated chain: the built-in
// anchor service sending real transactions, served over the CAS HTTP API with DID
// authentication, a node's requester talking to it, and a stream engine verifying the proofs
// through the chain's JSON-RPC endpoint.
type stack struct {
	chain     *ethtest.Chain
	svc       *service.Service
	casURL    string
	failing   atomic.Int32 // the next n requests to the CAS answer 503
	rpcDown   atomic.Bool  // the verifier's JSON-RPC endpoint answers 503
	blocks    *streams.MemBlockStore
	requests  statestore.Store
	engine    *streams.Service
	requester *anchor.Requester
	signer    *didjws.Signer
}

// sink lets the requester reach the engine made after it.
type sink struct{ s **streams.Service }

func (k sink) SetAnchorStatus(ctx context.Context, id streamid.StreamID, tip cid.Cid, st streams.AnchorStatus) error {
	return (*k.s).SetAnchorStatus(ctx, id, tip, st)
}

func (k sink) ApplyAnchor(ctx context.Context, id streamid.StreamID, c cid.Cid) error {
	return (*k.s).ApplyAnchor(ctx, id, c)
}

func newStack(t *testing.T, interval time.Duration) *stack {
	t.Helper()
	return newStackWithContract(t, interval, common.Address{})
}

// newStackWithContract is newStack with the anchor service sending to contract (zero: the
// Ceramic anchor contract).
func newStackWithContract(t *testing.T, interval time.Duration, contract common.Address) *stack {
	t.Helper()
	s := &stack{chain: ethtest.NewChain(t), blocks: streams.NewMemBlockStore(), requests: mem.New()}
	s.chain.AutoMine(50 * time.Millisecond)
	sender, err := ethereum.NewSender(t.Context(), ethereum.SenderConfig{RPCURL: s.chain.URL, Key: s.chain.Key, Contract: contract, PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sender.Close() })
	s.svc, err = service.New(service.Config{Chain: anchor.EthereumChain{Sender: sender}, Store: mem.New(), Interval: interval})
	if err != nil {
		t.Fatal(err)
	}
	s.svc.Start(context.Background())
	t.Cleanup(func() { s.svc.Close() })

	seed := make([]byte, 32)
	seed[0] = 7
	if s.signer, err = didjws.NewSigner(seed); err != nil {
		t.Fatal(err)
	}
	h := cas.NewHandler(anchor.CASServer{Service: s.svc}, cas.HandlerOptions{AllowedDIDs: []string{s.signer.DID()}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.failing.Load() > 0 {
			s.failing.Add(-1)
			http.Error(w, `{"error":"overloaded"}`, http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.casURL = srv.URL

	// The verifier reaches the chain through a switch that can take its endpoint down.
	target, _ := url.Parse(s.chain.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	rpc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.rpcDown.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(rpc.Close)
	validator, err := ethereum.NewValidator(ethereum.ValidatorConfig{Chain: ethtest.CAIP2, Endpoints: map[string]string{ethtest.CAIP2: rpc.URL}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { validator.Close() })
	s.requester = s.newRequester(t)
	s.engine, err = streams.NewService(streams.Config{
		Blocks:   s.blocks,
		Pins:     mem.New(),
		Anchors:  s.requester,
		Verifier: anchor.NewVerifier(map[string]anchor.ChainValidator{"eip155": validator}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *stack) newRequester(t *testing.T) *anchor.Requester {
	t.Helper()
	client, err := cas.NewClient(s.casURL, cas.WithAuthenticator(cas.DIDAuth{Signer: s.signer}))
	if err != nil {
		t.Fatal(err)
	}
	r, err := anchor.NewRequester(anchor.RequesterConfig{
		Backend:      anchor.CASBackend{Client: client},
		Store:        s.requests,
		Blocks:       s.blocks,
		Sink:         sink{&s.engine},
		PollInterval: 20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// create makes a signed tile with the default anchor: true.
func (s *stack) create(t *testing.T, content map[string]any) *streams.State {
	t.Helper()
	g, err := streamstest.NewSigner(nil).Genesis(content, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.engine.CreateFromGenesis(t.Context(), streamid.Tile, g, streams.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// waitAnchored loads id until it is ANCHORED.
func (s *stack) waitAnchored(t *testing.T, id streamid.StreamID) *streams.State {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, err := s.engine.Load(t.Context(), id, streams.LoadOptions{Sync: streams.NeverSync})
		if err != nil {
			t.Fatal(err)
		}
		if st.AnchorStatus == streams.Anchored {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream %s is %v, not ANCHORED", id, st.AnchorStatus)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRequesterAnchorsOnChain: creates are anchored through the CAS API on the chain and the
// proofs are verified; once done, no request is left in the store.
func TestRequesterAnchorsOnChain(t *testing.T) {
	s := newStack(t, 200*time.Millisecond)
	a := s.create(t, map[string]any{"n": 1.0})
	b := s.create(t, map[string]any{"n": 2.0})
	if a.AnchorStatus != streams.Pending {
		t.Fatalf("status after create = %v, want PENDING", a.AnchorStatus)
	}
	for _, st := range []*streams.State{a, b} {
		done := s.waitAnchored(t, st.ID())
		if done.AnchorProof == nil || done.AnchorProof.ChainID != ethtest.CAIP2 || len(done.Log) != 2 {
			t.Fatalf("anchored state = %+v", done)
		}
		if ts := done.Log[0].Timestamp; ts == nil || *ts <= 0 {
			t.Fatalf("genesis timestamp = %v", ts)
		}
		if !s.blocks.Pinned(done.AnchorProof.Root) {
			t.Errorf("the Merkle root %s of the proof is not pinned", done.AnchorProof.Root)
		}
	}
	waitEmpty(t, s.requests)
	if n := s.requester.Pending(); n != 0 {
		t.Errorf("Pending() = %d after both anchors", n)
	}
}

// TestRequesterRetriesAnUnavailableService: 503s from the CAS are retried.
func TestRequesterRetriesAnUnavailableService(t *testing.T) {
	s := newStack(t, 200*time.Millisecond)
	s.failing.Store(3)
	st := s.create(t, map[string]any{"retry": true})
	s.waitAnchored(t, st.ID())
	if s.failing.Load() != 0 {
		t.Fatal("the CAS was never asked")
	}
}

// TestRequesterWaitsForTheChain: while the Ethereum endpoint is down, a completed anchor is
// not applied (and not failed): the stream stays PENDING or PROCESSING; once the endpoint is back, the
// proof is verified and the stream is anchored.
func TestRequesterWaitsForTheChain(t *testing.T) {
	s := newStack(t, 100*time.Millisecond)
	s.rpcDown.Store(true)
	st := s.create(t, map[string]any{"rpc": "down"})
	deadline := time.Now().Add(10 * time.Second)
	for {
		rec, err := s.svc.Get(t.Context(), st.Tip())
		if err == nil && rec.Status == service.StatusCompleted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the anchor service did not complete the request")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // several attempts to apply the anchor, all unverifiable
	got, err := s.engine.Load(t.Context(), st.ID(), streams.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if (got.AnchorStatus != streams.Pending && got.AnchorStatus != streams.Processing) || len(got.Log) != 1 {
		t.Fatalf("with the chain unreachable the stream is %v with %d commits, want PENDING or PROCESSING with 1", got.AnchorStatus, len(got.Log))
	}
	s.rpcDown.Store(false)
	s.waitAnchored(t, st.ID())
}

// TestRequesterReportsAFailedAnchor: when the anchor service cannot anchor (its contract
// reverts every transaction), the request ends FAILED and the stream says so.
func TestRequesterReportsAFailedAnchor(t *testing.T) {
	s := newStackWithContract(t, 50*time.Millisecond, ethtest.RevertingContract)
	st := s.create(t, map[string]any{"will": "fail"})
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := s.engine.Load(t.Context(), st.ID(), streams.LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got.AnchorStatus == streams.Failed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream is %v, want FAILED", got.AnchorStatus)
		}
		time.Sleep(10 * time.Millisecond)
	}
	waitEmpty(t, s.requests)
}

// TestRequesterResumesAfterRestart: a request pending when the requester stops is followed
// again by a new requester over the same store, and completes.
func TestRequesterResumesAfterRestart(t *testing.T) {
	s := newStack(t, time.Hour) // batches only when the test says
	st := s.create(t, map[string]any{"restart": true})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if n, _ := s.svc.Pending(t.Context()); n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the anchor service never received the request")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := s.requester.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.svc.AnchorNow(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.engine.Load(t.Context(), st.ID(), streams.LoadOptions{}); got.AnchorStatus == streams.Anchored {
		t.Fatal("anchored while no requester was running")
	}
	r := s.newRequester(t)
	s.requester = r
	if err := r.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	s.waitAnchored(t, st.ID())
	waitEmpty(t, s.requests)
}

func waitEmpty(t *testing.T, store statestore.Store) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := 0
		for _, err := range store.List(t.Context(), statestore.ListOptions{}) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d anchor requests left in the store", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
