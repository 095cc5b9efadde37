package p2p

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goceramic/ceramic/streams/streamid"
	"github.com/ipfs/go-cid"
	"github.com/prometheus/client_golang/prometheus"
)

const testTopic = "/ceramic/sync-test"

// memHub is a test transport only, not a model of gossipsub: an in-memory PubSub that hands
// each publish, in order, to every other subscriber of the topic with From set to the
// publisher (delivery blocks while a subscriber's buffer is full). Real libp2p pubsub is
// exercised elsewhere; these tests are about the sync protocol on top of it.
type memHub struct {
	mu   sync.Mutex
	subs map[string]map[*memSub]struct{} // by topic
	log  []hubRecord
}

type hubRecord struct {
	at   time.Time
	from string
	msg  Message // zero when the payload does not decode
}

func newMemHub() *memHub { return &memHub{subs: map[string]map[*memSub]struct{}{}} }

// peer returns the PubSub a node with peer ID id uses.
func (h *memHub) peer(id string) *memPeer { return &memPeer{hub: h, id: id} }

// sent returns the messages of type typ that from published, in order.
func (h *memHub) sent(from string, typ MessageType) []hubRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []hubRecord
	for _, r := range h.log {
		if r.from == from && r.msg.Type == typ && (typ != TypeUpdate || r.msg.Stream != "") {
			out = append(out, r)
		}
	}
	return out
}

type memPeer struct {
	hub *memHub
	id  string
}

type memSub struct {
	peer string
	ch   chan Delivery
	done chan struct{}
	once sync.Once
}

func (p *memPeer) Publish(ctx context.Context, topic string, data []byte) error {
	h := p.hub
	m, _ := Decode(data)
	h.mu.Lock()
	h.log = append(h.log, hubRecord{at: time.Now(), from: p.id, msg: m})
	var targets []*memSub
	for s := range h.subs[topic] {
		if s.peer != p.id {
			targets = append(targets, s)
		}
	}
	h.mu.Unlock()
	d := Delivery{From: p.id, Data: slices.Clone(data)}
	for _, s := range targets {
		select {
		case s.ch <- d:
		case <-s.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (p *memPeer) Subscribe(_ context.Context, topic string) (Subscription, error) {
	s := &memSub{peer: p.id, ch: make(chan Delivery, 256), done: make(chan struct{})}
	p.hub.mu.Lock()
	if p.hub.subs[topic] == nil {
		p.hub.subs[topic] = map[*memSub]struct{}{}
	}
	p.hub.subs[topic][s] = struct{}{}
	p.hub.mu.Unlock()
	return &memSubscription{hub: p.hub, topic: topic, sub: s}, nil
}

func (p *memPeer) Peers(_ context.Context, topic string) ([]string, error) {
	p.hub.mu.Lock()
	defer p.hub.mu.Unlock()
	var out []string
	for s := range p.hub.subs[topic] {
		if s.peer != p.id {
			out = append(out, s.peer)
		}
	}
	return out, nil
}

type memSubscription struct {
	hub   *memHub
	topic string
	sub   *memSub
}

func (m *memSubscription) Next(ctx context.Context) (Delivery, error) {
	select {
	case d := <-m.sub.ch:
		return d, nil
	case <-m.sub.done:
		return Delivery{}, errors.New("subscription closed")
	case <-ctx.Done():
		return Delivery{}, ctx.Err()
	}
}

func (m *memSubscription) Close() error {
	m.sub.once.Do(func() {
		m.hub.mu.Lock()
		delete(m.hub.subs[m.topic], m.sub)
		m.hub.mu.Unlock()
		close(m.sub.done)
	})
	return nil
}

// fakeEngine holds local tips and records the remote tips handed to it.
type fakeEngine struct {
	mu      sync.Mutex
	local   map[streamid.StreamID]cid.Cid
	calls   map[tipKey]int
	models  map[tipKey]streamid.StreamID
	total   int
	active  int // concurrent ApplyRemoteTip calls now
	peak    int
	delay   time.Duration
	block   chan struct{} // when set, ApplyRemoteTip waits for it to close (or ctx)
	failErr error
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{local: map[streamid.StreamID]cid.Cid{}, calls: map[tipKey]int{}, models: map[tipKey]streamid.StreamID{}}
}

func (e *fakeEngine) setLocal(id streamid.StreamID, tip cid.Cid) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.local[id] = tip
}

func (e *fakeEngine) LocalTip(_ context.Context, id streamid.StreamID) (cid.Cid, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	tip, ok := e.local[id]
	return tip, ok
}

func (e *fakeEngine) ApplyRemoteTip(ctx context.Context, id streamid.StreamID, tip cid.Cid) error {
	e.mu.Lock()
	e.calls[tipKey{id, tip}]++
	e.total++
	e.active++
	e.peak = max(e.peak, e.active)
	block, delay, err := e.block, e.delay, e.failErr
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.active--
		e.mu.Unlock()
	}()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return err
}

func (e *fakeEngine) count(id streamid.StreamID, tip cid.Cid) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls[tipKey{id, tip}]
}

func (e *fakeEngine) stats() (total, peak int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.total, e.peak
}

// modelEngine is a fakeEngine that implements ModelAwareEngine.
type modelEngine struct{ *fakeEngine }

func (e modelEngine) ApplyRemoteUpdate(ctx context.Context, id streamid.StreamID, tip cid.Cid, model streamid.StreamID) error {
	e.mu.Lock()
	e.models[tipKey{id, tip}] = model
	e.mu.Unlock()
	return e.ApplyRemoteTip(ctx, id, tip)
}

type testNode struct {
	id     string
	svc    *Service
	syncer *Syncer
	eng    *fakeEngine
	reg    *prometheus.Registry
}

func newTestNode(t *testing.T, hub *memHub, id string, eng Engine, cfg SyncConfig) *testNode {
	t.Helper()
	reg := prometheus.NewRegistry()
	svc, err := New(hub.peer(id), Config{
		Topic: testTopic, SelfID: id, Version: "test", IPFSVersion: "test",
		KeepaliveInterval: time.Hour, PeerPollInterval: time.Hour, Registerer: reg,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	cfg.Registerer = reg
	s, err := NewSyncer(svc, eng, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	t.Cleanup(func() {
		_ = s.Close()
		_ = svc.Close()
	})
	n := &testNode{id: id, svc: svc, syncer: s, reg: reg}
	switch e := eng.(type) {
	case *fakeEngine:
		n.eng = e
	case modelEngine:
		n.eng = e.fakeEngine
	}
	return n
}

// counter reads one labelled counter of the node's registry (0 when absent).
func (n *testNode) counter(t *testing.T, name, label, value string) float64 {
	t.Helper()
	mfs, err := n.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == label && lp.GetValue() == value {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

func (n *testNode) syncDropped(t *testing.T, reason string) float64 {
	return n.counter(t, "ceramic_pubsub_sync_dropped_total", "reason", reason)
}

func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func testCID(s string) cid.Cid {
	c, err := cid.Prefix{Version: 1, Codec: cid.DagCBOR, MhType: 0x12, MhLength: -1}.Sum([]byte(s))
	if err != nil {
		panic(err)
	}
	return c
}

func testStream(name string) streamid.StreamID {
	return streamid.New(streamid.Tile, testCID("genesis "+name))
}

// drain reads ch until it is closed, failing after timeout.
func drain(t *testing.T, ch <-chan cid.Cid, timeout time.Duration) []cid.Cid {
	t.Helper()
	var out []cid.Cid
	deadline := time.After(timeout)
	for {
		select {
		case c, ok := <-ch:
			if !ok {
				return out
			}
			out = append(out, c)
		case <-deadline:
			t.Fatalf("channel not closed after %v (got %v)", timeout, out)
		}
	}
}

func TestSyncQueryAnsweredOnlyByNodeThatKnowsStream(t *testing.T) {
	hub := newMemHub()
	stream, tip := testStream("x"), testCID("tip x")
	knower := newFakeEngine()
	knower.setLocal(stream, tip)
	a := newTestNode(t, hub, "A", newFakeEngine(), SyncConfig{MaxResponseInterval: 100 * time.Millisecond})
	b := newTestNode(t, hub, "B", knower, SyncConfig{})
	c := newTestNode(t, hub, "C", newFakeEngine(), SyncConfig{})

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	ch, err := a.syncer.QueryTips(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	got := drain(t, ch, 5*time.Second)
	if len(got) != 1 || got[0] != tip {
		t.Fatalf("QueryTips = %v, want [%s]", got, tip)
	}

	queries := hub.sent("A", TypeQuery)
	if len(queries) != 1 || queries[0].msg.Stream != stream.String() || queries[0].msg.ID != QueryID(stream.String()) {
		t.Fatalf("A published QUERYs %+v", queries)
	}
	resp := hub.sent("B", TypeResponse)
	if len(resp) != 1 {
		t.Fatalf("B published %d RESPONSEs, want 1", len(resp))
	}
	want := Message{Type: TypeResponse, ID: QueryID(stream.String()), Tips: map[string]string{stream.String(): tip.String()}}
	if r := resp[0].msg; r.ID != want.ID || len(r.Tips) != 1 || r.Tips[stream.String()] != tip.String() {
		t.Fatalf("RESPONSE = %+v, want %+v", r, want)
	}
	waitFor(t, 2*time.Second, "C to look the stream up", func() bool {
		return c.counter(t, "ceramic_pubsub_sync_answers_total", "outcome", "unknown-stream") == 1
	})
	if n := len(hub.sent("C", TypeResponse)); n != 0 {
		t.Fatalf("C, which does not know the stream, published %d RESPONSEs", n)
	}
	// The answer also went through the engine path on the asking node.
	waitFor(t, 2*time.Second, "A to apply the answered tip", func() bool { return a.eng.count(stream, tip) == 1 })
	if b.eng.count(stream, tip) != 0 {
		t.Fatal("the answering node applied its own tip")
	}
}

func TestSyncQueryTipsCollectsTwoPeersAndCloses(t *testing.T) {
	hub := newMemHub()
	stream := testStream("y")
	tip1, tip2, late := testCID("tip 1"), testCID("tip 2"), testCID("late tip")
	e1, e2 := newFakeEngine(), newFakeEngine()
	e1.setLocal(stream, tip1)
	e2.setLocal(stream, tip2)
	const interval = 150 * time.Millisecond
	a := newTestNode(t, hub, "A", newFakeEngine(), SyncConfig{MaxResponseInterval: interval})
	newTestNode(t, hub, "B", e1, SyncConfig{})
	newTestNode(t, hub, "C", e2, SyncConfig{})

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	ch, err := a.syncer.QueryTips(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	var got []cid.Cid
	var lastAt time.Time
	for c := range ch {
		got = append(got, c)
		lastAt = time.Now()
	}
	closedAt := time.Now()
	if len(got) != 2 || !slices.Contains(got, tip1) || !slices.Contains(got, tip2) {
		t.Fatalf("QueryTips = %v, want %s and %s", got, tip1, tip2)
	}
	if closedAt.Sub(start) > 5*time.Second {
		t.Fatalf("channel closed after %v: the response interval did not end the collection", closedAt.Sub(start))
	}
	if gap := closedAt.Sub(lastAt); gap < interval*2/3 {
		t.Fatalf("channel closed %v after the last tip, want about %v", gap, interval)
	}

	// A response arriving after the collection ended still reaches the engine while the query
	// is outstanding (QueryTTL), just not the finished caller.
	if err := hub.peer("C").Publish(ctx, testTopic, mustEncode(t, Message{Type: TypeResponse, ID: QueryID(stream.String()),
		Tips: map[string]string{stream.String(): late.String()}})); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "the late tip to be applied", func() bool { return a.eng.count(stream, late) == 1 })
	for _, tip := range []cid.Cid{tip1, tip2} {
		if n := a.eng.count(stream, tip); n != 1 {
			t.Errorf("ApplyRemoteTip(%s) called %d times, want 1", tip, n)
		}
	}
}

func TestSyncQueryTipsWithoutAnswerEndsWithContext(t *testing.T) {
	hub := newMemHub()
	a := newTestNode(t, hub, "A", newFakeEngine(), SyncConfig{})
	newTestNode(t, hub, "B", newFakeEngine(), SyncConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	ch, err := a.syncer.QueryTips(ctx, testStream("nobody"))
	if err != nil {
		t.Fatal(err)
	}
	if got := drain(t, ch, 3*time.Second); len(got) != 0 {
		t.Fatalf("got tips %v from nobody", got)
	}
	if _, err := a.syncer.QueryTips(ctx, testStream("z")); err == nil {
		t.Fatal("QueryTips with an ended context succeeded")
	}
}

func mustEncode(t *testing.T, m Message) []byte {
	t.Helper()
	b, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSyncUpdateDeduplicated(t *testing.T) {
	hub := newMemHub()
	a := newTestNode(t, hub, "A", newFakeEngine(), SyncConfig{})
	b := newTestNode(t, hub, "B", newFakeEngine(), SyncConfig{})
	stream, tip := testStream("u"), testCID("tip u")
	upd := Message{Type: TypeUpdate, Stream: stream.String(), Tip: tip.String()}
	for range 100 {
		if err := b.svc.Publish(context.Background(), upd); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 3*time.Second, "99 duplicates", func() bool { return a.syncDropped(t, dropDuplicate) == 99 })
	waitFor(t, 3*time.Second, "the tip to be applied", func() bool {
		return a.counter(t, "ceramic_pubsub_sync_applied_total", "result", "ok") == 1
	})
	if n := a.eng.count(stream, tip); n != 1 {
		t.Fatalf("ApplyRemoteTip called %d times, want 1", n)
	}
	// A new tip of the same stream is not a duplicate.
	tip2 := testCID("tip u2")
	if err := b.svc.Publish(context.Background(), Message{Type: TypeUpdate, Stream: stream.String(), Tip: tip2.String()}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 3*time.Second, "the second tip", func() bool { return a.eng.count(stream, tip2) == 1 })
}

func TestSyncFailedTipIsRetried(t *testing.T) {
	hub := newMemHub()
	eng := newFakeEngine()
	eng.failErr = errors.New("fetch failed")
	a := newTestNode(t, hub, "A", eng, SyncConfig{})
	stream, tip := testStream("f"), testCID("tip f")
	data := mustEncode(t, Message{Type: TypeUpdate, Stream: stream.String(), Tip: tip.String()})
	pub := hub.peer("B")
	if err := pub.Publish(context.Background(), testTopic, data); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "the failed attempt", func() bool {
		return a.counter(t, "ceramic_pubsub_sync_applied_total", "result", "error") == 1
	})
	eng.mu.Lock()
	eng.failErr = nil
	eng.mu.Unlock()
	if err := pub.Publish(context.Background(), testTopic, data); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "the retry", func() bool { return eng.count(stream, tip) == 2 })
}

func TestSyncUpdateModelReachesModelAwareEngine(t *testing.T) {
	hub := newMemHub()
	eng := modelEngine{newFakeEngine()}
	a := newTestNode(t, hub, "A", eng, SyncConfig{})
	stream, tip, model := testStream("mid"), testCID("tip mid"), testStream("model")
	if err := hub.peer("B").Publish(context.Background(), testTopic,
		mustEncode(t, Message{Type: TypeUpdate, Stream: stream.String(), Tip: tip.String(), Model: model.String()})); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "the update", func() bool { return a.eng.count(stream, tip) == 1 })
	eng.mu.Lock()
	got := eng.models[tipKey{stream, tip}]
	eng.mu.Unlock()
	if !got.Equal(model) {
		t.Fatalf("model = %v, want %v", got, model)
	}
}

func TestSyncResponseWithUnknownIDIgnored(t *testing.T) {
	hub := newMemHub()
	a := newTestNode(t, hub, "A", newFakeEngine(), SyncConfig{})
	stream, tip := testStream("r"), testCID("tip r")
	pub := hub.peer("B")
	for _, id := range []string{"not-a-query-of-ours", QueryID(stream.String())} {
		if err := pub.Publish(context.Background(), testTopic, mustEncode(t, Message{Type: TypeResponse, ID: id,
			Tips: map[string]string{stream.String(): tip.String()}})); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 2*time.Second, "2 unsolicited responses", func() bool { return a.syncDropped(t, dropUnsolicited) == 2 })
	if total, _ := a.eng.stats(); total != 0 {
		t.Fatalf("ApplyRemoteTip called %d times for unsolicited responses", total)
	}
}

func TestSyncMalformedAndOversizedDropped(t *testing.T) {
	hub := newMemHub()
	a := newTestNode(t, hub, "A", newFakeEngine(), SyncConfig{})
	stream, tip := testStream("m"), testCID("tip m")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch, err := a.syncer.QueryTips(ctx, stream) // makes RESPONSEs to this id solicited
	if err != nil {
		t.Fatal(err)
	}
	qid := QueryID(stream.String())
	commitID := stream.AtCommit(tip).String()
	raw := [][]byte{
		[]byte("hello"),
		[]byte(`{"typ":0,"stream":`),
		[]byte(`{"typ":0,"stream":"` + strings.Repeat("k", DefaultMaxMessageSize) + `","tip":"x"}`),
		mustEncode(t, Message{Type: TypeUpdate, Stream: "not-a-stream", Tip: tip.String()}),
		mustEncode(t, Message{Type: TypeUpdate, Stream: commitID, Tip: tip.String()}),
		mustEncode(t, Message{Type: TypeUpdate, Stream: stream.String(), Tip: "not-a-cid"}),
		mustEncode(t, Message{Type: TypeUpdate, Stream: stream.String(), Tip: tip.String(), Model: "not-a-model"}),
		mustEncode(t, Message{Type: TypeQuery, Stream: "kjzl-nonsense", ID: "x"}),
		mustEncode(t, Message{Type: TypeResponse, ID: qid, Tips: map[string]string{stream.String(): "not-a-cid"}}),
		mustEncode(t, Message{Type: TypeResponse, ID: qid, Tips: map[string]string{"bogus": tip.String()}}),
		mustEncode(t, Message{Type: TypeResponse, ID: qid, Tips: map[string]string{testStream("other").String(): tip.String()}}),
		mustEncode(t, Message{Type: TypeResponse, ID: qid, Tips: map[string]string{}}),
	}
	pub := hub.peer("B")
	for _, d := range raw {
		if err := pub.Publish(ctx, testTopic, d); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]float64{dropInvalidStreamID: 4, dropInvalidTip: 2, dropInvalidModel: 1, dropResponseNoStream: 2}
	waitFor(t, 3*time.Second, "the drop counters", func() bool {
		for reason, n := range want {
			if a.syncDropped(t, reason) != n {
				return false
			}
		}
		return true
	})
	if n := a.counter(t, "ceramic_pubsub_messages_dropped_total", "reason", "malformed"); n != 2 {
		t.Errorf("malformed drops = %v, want 2", n)
	}
	if n := a.counter(t, "ceramic_pubsub_messages_dropped_total", "reason", "oversized"); n != 1 {
		t.Errorf("oversized drops = %v, want 1", n)
	}
	if total, _ := a.eng.stats(); total != 0 {
		t.Fatalf("ApplyRemoteTip called %d times for invalid content", total)
	}
	// The node still works: a valid answer reaches the waiting caller.
	if err := pub.Publish(ctx, testTopic, mustEncode(t, Message{Type: TypeResponse, ID: qid,
		Tips: map[string]string{stream.URL(): tip.String(), testStream("other").String(): testCID("o").String()}})); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-ch:
		if got != tip {
			t.Fatalf("got %s, want %s", got, tip)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("valid RESPONSE not delivered")
	}
}

func TestSyncUpdateFloodBoundedGoroutines(t *testing.T) {
	hub := newMemHub()
	eng := newFakeEngine()
	eng.delay = 20 * time.Millisecond
	a := newTestNode(t, hub, "A", eng, SyncConfig{})
	stream, tip := testStream("flood"), testCID("tip flood")
	data := mustEncode(t, Message{Type: TypeUpdate, Stream: stream.String(), Tip: tip.String()})

	base := runtime.NumGoroutine()
	peak := base
	done := make(chan error, 1)
	go func() {
		pub := hub.peer("B")
		for range 10000 {
			if err := pub.Publish(context.Background(), testTopic, data); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	// The service counts every valid message it receives, including those it then drops
	// because its consumer lags (reason "backlog").
	accounted := func() bool {
		return a.counter(t, "ceramic_pubsub_messages_received_total", "type", "UPDATE") == 10000
	}
	finished := false
	deadline := time.Now().Add(20 * time.Second)
	for !finished || !accounted() {
		if time.Now().After(deadline) {
			t.Fatal("flood not processed in time")
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			finished = true
		case <-time.After(2 * time.Millisecond):
		}
		peak = max(peak, runtime.NumGoroutine())
	}
	if peak > base+5 { // the publisher goroutine, plus slack for runtime helpers
		t.Fatalf("goroutines rose from %d to %d during the flood", base, peak)
	}
	waitFor(t, 2*time.Second, "the single apply", func() bool {
		return a.counter(t, "ceramic_pubsub_sync_applied_total", "result", "ok") == 1
	})
	if n := eng.count(stream, tip); n != 1 {
		t.Fatalf("ApplyRemoteTip called %d times, want 1", n)
	}
	handed := 10000 - a.counter(t, "ceramic_pubsub_messages_dropped_total", "reason", "backlog")
	waitFor(t, 2*time.Second, fmt.Sprintf("%v duplicates", handed-1), func() bool { return a.syncDropped(t, dropDuplicate) == handed-1 })
}

func TestSyncDistinctTipFloodBoundedBacklog(t *testing.T) {
	hub := newMemHub()
	eng := newFakeEngine()
	eng.block = make(chan struct{})
	const workers, backlog, n = 3, 20, 2000
	a := newTestNode(t, hub, "A", eng, SyncConfig{Workers: workers, Backlog: backlog})
	base := runtime.NumGoroutine()
	pub := hub.peer("B")
	for i := range n {
		m := Message{Type: TypeUpdate, Stream: testStream(fmt.Sprint("s", i)).String(), Tip: testCID(fmt.Sprint("t", i)).String()}
		if err := pub.Publish(context.Background(), testTopic, mustEncode(t, m)); err != nil {
			t.Fatal(err)
		}
	}
	// With the engine stuck, the receive loop still consumes everything: the backlog fills up
	// and the rest is dropped, not queued in goroutines.
	waitFor(t, 5*time.Second, "the flood to be received", func() bool {
		return a.counter(t, "ceramic_pubsub_messages_received_total", "type", "UPDATE") == n
	})
	// Every UPDATE the service handed over was either queued (and so remembered by the dedupe
	// cache) or dropped.
	handed := n - a.counter(t, "ceramic_pubsub_messages_dropped_total", "reason", "backlog")
	waitFor(t, 2*time.Second, "the sync drops", func() bool {
		return handed == a.syncDropped(t, dropBacklog)+float64(a.syncer.dedupe.len())
	})
	accepted := a.syncer.dedupe.len()
	if accepted < backlog || accepted > workers+backlog {
		t.Fatalf("%d tips accepted, want %d to %d", accepted, backlog, workers+backlog)
	}
	if g := runtime.NumGoroutine(); g > base+2 {
		t.Fatalf("goroutines rose from %d to %d", base, g)
	}
	close(eng.block)
	waitFor(t, 5*time.Second, "the backlog to drain", func() bool {
		total, _ := eng.stats()
		return total == accepted
	})
	if _, peak := eng.stats(); peak > workers {
		t.Fatalf("%d concurrent ApplyRemoteTip calls, want at most %d", peak, workers)
	}
}

func TestSyncQueryRateLimit(t *testing.T) {
	hub := newMemHub()
	a := newTestNode(t, hub, "A", newFakeEngine(), SyncConfig{QueryRate: 10, QueryQueue: 5})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	accepted, full := 0, 0
	for i := range 30 {
		_, err := a.syncer.QueryTips(ctx, testStream(fmt.Sprint("q", i)))
		switch {
		case err == nil:
			accepted++
		case errors.Is(err, ErrQueryQueueFull):
			full++
		default:
			t.Fatalf("query %d: %v", i, err)
		}
	}
	// A full bucket (10) passes at once, 5 wait in the queue, the rest is refused; a token or
	// two may be earned while the loop runs.
	if full < 12 || accepted != 30-full {
		t.Fatalf("accepted %d, refused %d; want about 15 and 15", accepted, full)
	}
	waitFor(t, 5*time.Second, "the queued QUERYs", func() bool { return len(hub.sent("A", TypeQuery)) == accepted })
	qs := hub.sent("A", TypeQuery)
	// After the burst, QUERYs go out at most 10 per second.
	burstEnd := qs[9].at
	for i, q := range qs[10:] {
		if want := time.Duration(i+1) * 100 * time.Millisecond * 8 / 10; q.at.Sub(burstEnd) < want {
			t.Fatalf("QUERY %d went out %v after the burst, want at least %v", 10+i, q.at.Sub(burstEnd), want)
		}
	}
	if n := a.counter(t, "ceramic_pubsub_sync_queries_total", "outcome", "queue-full"); int(n) != full {
		t.Fatalf("queue-full counter = %v, want %d", n, full)
	}
}

func TestSyncQueuedQueriesCoalesce(t *testing.T) {
	hub := newMemHub()
	stream, tip := testStream("co"), testCID("tip co")
	eng := newFakeEngine()
	eng.setLocal(stream, tip)
	a := newTestNode(t, hub, "A", newFakeEngine(), SyncConfig{QueryRate: 20, MaxResponseInterval: 100 * time.Millisecond})
	newTestNode(t, hub, "B", eng, SyncConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range 20 { // use up the burst
		if _, err := a.syncer.QueryTips(ctx, testStream(fmt.Sprint("burst", i))); err != nil {
			t.Fatal(err)
		}
	}
	ch1, err := a.syncer.QueryTips(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	ch2, err := a.syncer.QueryTips(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	for i, ch := range []<-chan cid.Cid{ch1, ch2} {
		if got := drain(t, ch, 5*time.Second); len(got) != 1 || got[0] != tip {
			t.Fatalf("caller %d got %v, want [%s]", i, got, tip)
		}
	}
	n := 0
	for _, q := range hub.sent("A", TypeQuery) {
		if q.msg.Stream == stream.String() {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d QUERYs published for the coalesced stream, want 1", n)
	}
}

func TestSyncQueryFloodAnsweredSparingly(t *testing.T) {
	hub := newMemHub()
	stream, tip := testStream("qf"), testCID("tip qf")
	eng := newFakeEngine()
	eng.setLocal(stream, tip)
	const interval = 300 * time.Millisecond
	b := newTestNode(t, hub, "B", eng, SyncConfig{AnswerInterval: interval})
	pub := hub.peer("A")
	q := mustEncode(t, Message{Type: TypeQuery, Stream: stream.String(), ID: QueryID(stream.String())})
	start := time.Now()
	for range 500 {
		if err := pub.Publish(context.Background(), testTopic, q); err != nil {
			t.Fatal(err)
		}
	}
	if time.Since(start) > interval/2 {
		t.Skip("machine too slow to send the flood within one answer interval")
	}
	waitFor(t, 3*time.Second, "the deferred answer", func() bool { return len(hub.sent("B", TypeResponse)) == 2 })
	time.Sleep(2 * interval)
	rs := hub.sent("B", TypeResponse)
	if len(rs) != 2 {
		t.Fatalf("B published %d RESPONSEs to 500 QUERYs, want 2 (one at once, one deferred)", len(rs))
	}
	if gap := rs[1].at.Sub(rs[0].at); gap < interval*9/10 {
		t.Fatalf("deferred RESPONSE %v after the first, want at least %v", gap, interval)
	}
	if n := b.counter(t, "ceramic_pubsub_sync_answers_total", "outcome", "sent"); n != 2 {
		t.Fatalf("sent counter = %v", n)
	}
	// Once the interval has passed, a new QUERY is answered at once.
	time.Sleep(interval)
	if err := pub.Publish(context.Background(), testTopic, q); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Second, "a fresh answer", func() bool { return len(hub.sent("B", TypeResponse)) == 3 })
}

func TestSyncCloseWaitsAndClosesChannels(t *testing.T) {
	base := runtime.NumGoroutine()
	hub := newMemHub()
	eng := newFakeEngine()
	eng.block = make(chan struct{}) // engine calls end only through ctx
	reg := prometheus.NewRegistry()
	svc, err := New(hub.peer("A"), Config{Topic: testTopic, SelfID: "A", KeepaliveInterval: time.Hour, PeerPollInterval: time.Hour, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	s, err := NewSyncer(svc, eng, SyncConfig{Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.QueryTips(context.Background(), testStream("early")); !errors.Is(err, ErrSyncerNotStarted) {
		t.Fatalf("QueryTips before Start: %v", err)
	}
	s.Start(context.Background())
	ch, err := s.QueryTips(context.Background(), testStream("open")) // no deadline
	if err != nil {
		t.Fatal(err)
	}
	stream, tip := testStream("c"), testCID("tip c")
	if err := hub.peer("B").Publish(context.Background(), testTopic,
		mustEncode(t, Message{Type: TypeUpdate, Stream: stream.String(), Tip: tip.String()})); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "the engine call", func() bool { return eng.count(stream, tip) == 1 })

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-ch; ok {
		t.Fatal("QueryTips channel open after Close")
	}
	if _, err := s.QueryTips(context.Background(), stream); !errors.Is(err, ErrSyncerClosed) {
		t.Fatalf("QueryTips after Close: %v", err)
	}
	_ = s.Close()
	_ = svc.Close()
	waitFor(t, 2*time.Second, "goroutines to end", func() bool { return runtime.NumGoroutine() <= base })
}

func TestSyncStopsWhenServiceCloses(t *testing.T) {
	hub := newMemHub()
	a := newTestNode(t, hub, "A", newFakeEngine(), SyncConfig{})
	_ = a.svc.Close()
	waitFor(t, 2*time.Second, "the syncer to stop", func() bool {
		_, err := a.syncer.QueryTips(context.Background(), testStream("s"))
		return errors.Is(err, ErrSyncerClosed)
	})
}

func TestNewSyncerDuplicateRegistration(t *testing.T) {
	reg := prometheus.NewRegistry()
	svc, err := New(newMemHub().peer("A"), Config{Topic: testTopic})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSyncer(svc, newFakeEngine(), SyncConfig{Registerer: reg}); err != nil {
		t.Fatal(err)
	}
	if _, err := NewSyncer(svc, newFakeEngine(), SyncConfig{Registerer: reg}); err == nil {
		t.Fatal("second registration on one registry succeeded")
	}
	if _, err := NewSyncer(nil, newFakeEngine(), SyncConfig{}); err == nil {
		t.Fatal("NewSyncer without a service succeeded")
	}
}

func TestTipLRU(t *testing.T) {
	l := newTipLRU(2)
	k := func(i int) tipKey { return tipKey{testStream("l"), testCID(fmt.Sprint(i))} }
	if !l.add(k(1)) || !l.add(k(2)) || l.add(k(1)) {
		t.Fatal("add")
	}
	l.add(k(3)) // evicts 2, the least recently used
	if l.len() != 2 || !l.add(k(2)) || l.add(k(3)) {
		t.Fatal("eviction")
	}
	l.remove(k(3))
	if !l.add(k(3)) {
		t.Fatal("remove")
	}
	// The same tip for another stream is a different pair.
	if !l.add(tipKey{testStream("other"), testCID("3")}) {
		t.Fatal("pair key")
	}
}
