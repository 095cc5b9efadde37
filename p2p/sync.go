package p2p

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/goceramic/ceramic/streams/streamid"
	"github.com/ipfs/go-cid"
	"github.com/prometheus/client_golang/prometheus"
)

// Engine is the stream engine as the network sees it.
type Engine interface {
	// LocalTip returns the tip of a stream this node holds (in memory or pinned), without any
	// network access.
	LocalTip(ctx context.Context, id streamid.StreamID) (cid.Cid, bool)
	// ApplyRemoteTip hands a tip learned from the network to the engine (which validates,
	// fetches and applies it, or ignores streams it does not track).
	ApplyRemoteTip(ctx context.Context, id streamid.StreamID, tip cid.Cid) error
}

// ModelAwareEngine is an [Engine] that also wants the model an UPDATE announces: §4.6 loads a
// stream the node does not track when its model is indexed by the node. When the Syncer's
// engine implements it, an UPDATE that carries a model goes to ApplyRemoteUpdate instead of
// ApplyRemoteTip; everything else still goes to ApplyRemoteTip.
type ModelAwareEngine interface {
	Engine
	// ApplyRemoteUpdate is ApplyRemoteTip for an UPDATE naming the stream's model.
	ApplyRemoteUpdate(ctx context.Context, id streamid.StreamID, tip cid.Cid, model streamid.StreamID) error
}

// Errors returned by [Syncer.QueryTips].
var (
	// ErrQueryQueueFull: the outgoing QUERY rate limit is reached and its queue is full.
	ErrQueryQueueFull = errors.New("p2p: query queue full")
	// ErrSyncerClosed: the Syncer was closed.
	ErrSyncerClosed = errors.New("p2p: syncer closed")
	// ErrSyncerNotStarted: QueryTips was called before Start.
	ErrSyncerNotStarted = errors.New("p2p: syncer not started")
)

// SyncConfig configures a [Syncer]. Zero fields take their defaults.
type SyncConfig struct {
	// QueryRate is the number of outgoing QUERYs per second (§6.6). Up to one second's worth
	// (at least one) may go out at once. Default 10; the caller reads CERAMIC_PUBSUB_QPS_LIMIT.
	QueryRate float64
	// QueryQueue is how many QUERYs may wait for the rate limit; beyond it QueryTips fails with
	// [ErrQueryQueueFull]. Default 100.
	QueryQueue int
	// Workers is the number of concurrent Engine.ApplyRemoteTip calls. Default 8.
	Workers int
	// Backlog is the number of remote tips (and, separately, of QUERYs to answer) that may
	// wait for a worker; beyond it they are dropped and counted. Default 1000.
	Backlog int
	// DedupeSize is the size of the LRU of recently processed (stream, tip) pairs (§4.6).
	// Default 500.
	DedupeSize int
	// QueryTTL is how long a query stays outstanding: RESPONSEs to it are accepted for that
	// long after it was published, and a QueryTips channel is closed after it at the latest.
	// Default 2 minutes.
	QueryTTL time.Duration
	// MaxResponseInterval ends a QueryTips collection this long after the last response
	// (js-ceramic's MAX_RESPONSE_INTERVAL). Default 300ms.
	MaxResponseInterval time.Duration
	// AnswerInterval is the least time between two RESPONSEs this node publishes with the
	// same (stream, tip): QUERYs arriving within it are answered once, when it has passed, so
	// a QUERY flood cannot make the node flood RESPONSEs. Default 2s.
	AnswerInterval time.Duration
	// Logger receives debug and warning logs. Default: discarded.
	Logger *slog.Logger
	// Registerer, when set, receives the Syncer's metrics.
	Registerer prometheus.Registerer
}

func (c *SyncConfig) defaults() {
	if c.QueryRate <= 0 || math.IsNaN(c.QueryRate) || math.IsInf(c.QueryRate, 0) {
		c.QueryRate = 10
	}
	if c.QueryQueue <= 0 {
		c.QueryQueue = 100
	}
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.Backlog <= 0 {
		c.Backlog = 1000
	}
	if c.DedupeSize <= 0 {
		c.DedupeSize = 500
	}
	if c.QueryTTL <= 0 {
		c.QueryTTL = 2 * time.Minute
	}
	if c.MaxResponseInterval <= 0 {
		c.MaxResponseInterval = 300 * time.Millisecond
	}
	if c.AnswerInterval <= 0 {
		c.AnswerInterval = 2 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Reasons for ceramic_pubsub_sync_dropped_total.
const (
	dropInvalidStreamID   = "invalid-streamid"     // a stream (or tips key) that is not a StreamID
	dropInvalidTip        = "invalid-tip"          // a tip that is not a CID
	dropInvalidModel      = "invalid-model"        // an UPDATE model that is not a StreamID
	dropDuplicate         = "duplicate"            // (stream, tip) processed recently
	dropBacklog           = "backlog"              // remote tip backlog full
	dropQueryBacklog      = "query-backlog"        // too many QUERYs waiting to be answered
	dropUnsolicited       = "unsolicited-response" // RESPONSE to no outstanding query of ours
	dropResponseNoStream  = "response-without-stream"
	dropCollectorFull     = "collector-full"      // a QueryTips caller is not keeping up
	dropAnswerRateLimited = "answer-rate-limited" // QUERY not answered: answer guard full
)

// Limits that keep per-query state bounded.
const (
	answerWorkers    = 2     // goroutines answering QUERYs (LocalTip + publish)
	maxAnswerEntries = 10000 // (stream, tip) pairs remembered by the answer guard
	maxDeferredIDs   = 8     // distinct query ids one deferred answer serves
	collectorInbox   = 64    // tips buffered between the receive loop and one collector
	maxCollectedTips = 1024  // distinct tips one QueryTips call returns at most
	maxJanitorTick   = 250 * time.Millisecond
	minJanitorTick   = 10 * time.Millisecond
)

// Syncer runs the Ceramic sync protocol (§6.5) on a [Service]: it feeds UPDATE and RESPONSE
// tips to the [Engine] (deduplicated, on a bounded worker pool), answers QUERYs for streams
// the engine holds, and publishes rate-limited QUERYs for [Syncer.QueryTips].
//
// Content that does not parse is dropped and counted in ceramic_pubsub_sync_dropped_total by
// reason: invalid-streamid, invalid-tip, invalid-model, duplicate, backlog, query-backlog,
// unsolicited-response, response-without-stream, collector-full, answer-rate-limited.
// ceramic_pubsub_sync_applied_total counts engine calls by result (ok, error);
// ceramic_pubsub_sync_answers_total counts QUERYs by outcome (sent, deferred, unknown-stream);
// ceramic_pubsub_sync_queries_total counts QueryTips calls by outcome (published, queued,
// coalesced, queue-full, error).
//
// A Syncer is safe for concurrent use.
type Syncer struct {
	svc *Service
	eng Engine
	cfg SyncConfig
	log *slog.Logger

	dedupe  *tipLRU
	tips    chan tipJob
	queries chan queryJob
	wake    chan struct{} // a QUERY was queued

	mu          sync.Mutex
	started     bool
	closed      bool
	outstanding map[string]*outstandingQuery // by query id
	bucket      *tokenBucket
	queue       []string // query ids waiting for a token, oldest first
	answers     map[tipKey]*answerState

	runCtx    context.Context
	cancel    context.CancelFunc
	stopAfter func() bool
	wg        sync.WaitGroup
	closeOnce sync.Once

	dropped  *prometheus.CounterVec
	applied  *prometheus.CounterVec
	answered *prometheus.CounterVec
	queried  *prometheus.CounterVec
}

type tipJob struct {
	key   tipKey
	model streamid.StreamID // undefined unless an UPDATE named one
}

type queryJob struct {
	stream streamid.StreamID
	id     string
}

// outstandingQuery is an entry of the outstanding-query table.
type outstandingQuery struct {
	stream     streamid.StreamID
	expires    time.Time
	queued     bool // a QUERY for it waits in the rate-limit queue
	collectors map[*collector]struct{}
}

// collector gathers the tips answered to one QueryTips call.
type collector struct {
	in  chan cid.Cid // from the receive loop, never closed
	out chan cid.Cid // to the caller, closed by the collector goroutine
}

// answerState is the answer guard's record of one (stream, tip).
type answerState struct {
	last     time.Time           // when a RESPONSE was last published
	deferred map[string]struct{} // query ids to answer once the interval has passed
}

// NewSyncer returns a Syncer for svc and eng. Call Start to run it.
func NewSyncer(svc *Service, eng Engine, cfg SyncConfig) (*Syncer, error) {
	if svc == nil || eng == nil {
		return nil, errors.New("p2p: NewSyncer needs a service and an engine")
	}
	cfg.defaults()
	runCtx, cancel := context.WithCancel(context.Background())
	s := &Syncer{
		svc: svc, eng: eng, cfg: cfg,
		log:         cfg.Logger.With("component", "pubsub-sync", "topic", svc.Topic()),
		dedupe:      newTipLRU(cfg.DedupeSize),
		tips:        make(chan tipJob, cfg.Backlog),
		queries:     make(chan queryJob, cfg.Backlog),
		wake:        make(chan struct{}, 1),
		outstanding: map[string]*outstandingQuery{},
		bucket:      newTokenBucket(cfg.QueryRate, int(math.Ceil(cfg.QueryRate)), time.Now()),
		answers:     map[tipKey]*answerState{},
		runCtx:      runCtx,
		cancel:      cancel,
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ceramic_pubsub_sync_dropped_total", Help: "Pubsub sync messages or tips dropped, by reason.",
		}, []string{"reason"}),
		applied: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ceramic_pubsub_sync_applied_total", Help: "Remote tips handed to the stream engine, by result.",
		}, []string{"result"}),
		answered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ceramic_pubsub_sync_answers_total", Help: "QUERYs received for valid streams, by outcome.",
		}, []string{"outcome"}),
		queried: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ceramic_pubsub_sync_queries_total", Help: "Outgoing network queries, by outcome.",
		}, []string{"outcome"}),
	}
	if cfg.Registerer != nil {
		for _, c := range []prometheus.Collector{s.dropped, s.applied, s.answered, s.queried} {
			if err := cfg.Registerer.Register(c); err != nil {
				cancel()
				return nil, fmt.Errorf("p2p: register sync metrics: %w", err)
			}
		}
	}
	return s, nil
}

// Start consumes the service's messages and starts the workers. The Syncer runs until ctx
// ends, Close is called, or the service's message channel is closed (Service.Close); Close
// must still be called to wait for its goroutines. Calling Start again, or after Close, does
// nothing.
func (s *Syncer) Start(ctx context.Context) {
	s.mu.Lock()
	if s.started || s.closed {
		s.mu.Unlock()
		return
	}
	s.started = true
	n := 3 + s.cfg.Workers + answerWorkers
	s.wg.Add(n)
	s.stopAfter = context.AfterFunc(ctx, s.cancel)
	s.mu.Unlock()

	go func() { defer s.wg.Done(); s.receiveLoop() }()
	go func() { defer s.wg.Done(); s.publishLoop() }()
	go func() { defer s.wg.Done(); s.janitorLoop() }()
	for range s.cfg.Workers {
		go func() { defer s.wg.Done(); s.applyLoop() }()
	}
	for range answerWorkers {
		go func() { defer s.wg.Done(); s.answerLoop() }()
	}
}

// Close stops the Syncer and waits for its goroutines, including those delivering QueryTips
// results (whose channels are closed). It does not close the Service. It is idempotent.
func (s *Syncer) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		stop := s.stopAfter
		s.mu.Unlock()
		s.cancel()
		if stop != nil {
			stop()
		}
		s.wg.Wait()
	})
	return nil
}

// QueryTips publishes a QUERY for id (rate limited, §6.6) and returns the distinct tips
// peers answer, until ctx ends or MaxResponseInterval passes after the last response (the
// collector rule of §4.5); the channel is closed then, and at the latest after QueryTTL or
// when the Syncer closes. Give ctx a deadline (js-ceramic: syncTimeoutSeconds, 3s): with no
// answer the channel stays open until then. Tips already collected are still delivered after
// the response interval has passed, but not after ctx ends.
//
// Concurrent calls for the same stream share the query id (§6.4) and all receive the
// answers; a call made while a QUERY for the stream is still waiting for the rate limit does
// not queue another. When the rate limit's queue is full it returns [ErrQueryQueueFull].
// Every answered tip also goes through the dedupe + Engine.ApplyRemoteTip path.
func (s *Syncer) QueryTips(ctx context.Context, id streamid.StreamID) (<-chan cid.Cid, error) {
	if !id.Defined() {
		return nil, errors.New("p2p: QueryTips: undefined StreamID")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	qid := QueryID(id.String())
	c := &collector{in: make(chan cid.Cid, collectorInbox), out: make(chan cid.Cid)}

	s.mu.Lock()
	if s.closed || s.runCtx.Err() != nil {
		s.mu.Unlock()
		return nil, ErrSyncerClosed
	}
	if !s.started {
		s.mu.Unlock()
		return nil, ErrSyncerNotStarted
	}
	now := time.Now()
	q := s.outstanding[qid]
	if q == nil || now.After(q.expires) {
		q = &outstandingQuery{stream: id, collectors: map[*collector]struct{}{}}
		s.outstanding[qid] = q
	}
	q.collectors[c] = struct{}{}
	publishNow := false
	switch {
	case q.queued:
		s.queried.WithLabelValues("coalesced").Inc()
	case len(s.queue) == 0 && s.bucket.take(now):
		publishNow = true
	case len(s.queue) >= s.cfg.QueryQueue:
		delete(q.collectors, c)
		s.queried.WithLabelValues("queue-full").Inc()
		s.mu.Unlock()
		return nil, ErrQueryQueueFull
	default:
		q.queued = true
		s.queue = append(s.queue, qid)
		s.queried.WithLabelValues("queued").Inc()
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	q.expires = now.Add(s.cfg.QueryTTL)
	s.wg.Add(1)
	s.mu.Unlock()

	if publishNow {
		if err := s.svc.Publish(ctx, Message{Type: TypeQuery, Stream: id.String(), ID: qid}); err != nil {
			s.queried.WithLabelValues("error").Inc()
			s.unregister(qid, c)
			s.wg.Done()
			return nil, err
		}
		s.queried.WithLabelValues("published").Inc()
	}
	go func() { defer s.wg.Done(); s.collect(ctx, qid, c) }()
	return c.out, nil
}

// unregister removes c from the query's waiters.
func (s *Syncer) unregister(qid string, c *collector) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.outstanding[qid]; q != nil {
		delete(q.collectors, c)
	}
}

// collect forwards the tips routed to c to the caller, applying the collector rule.
func (s *Syncer) collect(ctx context.Context, qid string, c *collector) {
	defer close(c.out)
	defer s.unregister(qid, c)
	ttl := time.NewTimer(s.cfg.QueryTTL)
	defer ttl.Stop()
	idle := time.NewTimer(time.Hour)
	idle.Stop()
	defer idle.Stop()

	in := c.in // nil once collection has ended
	seen := map[cid.Cid]struct{}{}
	var pending []cid.Cid
	for {
		var out chan<- cid.Cid
		var next cid.Cid
		if len(pending) > 0 {
			out, next = c.out, pending[0]
		} else if in == nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-s.runCtx.Done():
			return
		case <-ttl.C:
			return
		case tip := <-in:
			idle.Reset(s.cfg.MaxResponseInterval)
			if _, dup := seen[tip]; !dup && len(seen) < maxCollectedTips {
				seen[tip] = struct{}{}
				pending = append(pending, tip)
			}
		case <-idle.C:
			in = nil
			s.unregister(qid, c)
		case out <- next:
			pending[0] = cid.Undef
			pending = pending[1:]
		}
	}
}

// publishLoop publishes the queued QUERYs as the token bucket allows.
func (s *Syncer) publishLoop() {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		var wait time.Duration
		var msg *Message
		s.mu.Lock()
		now := time.Now()
		for len(s.queue) > 0 && msg == nil {
			q := s.outstanding[s.queue[0]]
			if q != nil && len(q.collectors) > 0 {
				if wait = s.bucket.wait(now); wait > 0 {
					break
				}
				s.bucket.take(now)
				q.expires = now.Add(s.cfg.QueryTTL)
				msg = &Message{Type: TypeQuery, Stream: q.stream.String(), ID: s.queue[0]}
			}
			// Published now, or nobody waits any more (every caller gave up): dequeue.
			if q != nil {
				q.queued = false
			}
			s.queue[0] = ""
			s.queue = s.queue[1:]
		}
		queued := len(s.queue) > 0
		s.mu.Unlock()

		if msg != nil {
			if err := s.svc.Publish(s.runCtx, *msg); err != nil {
				if s.runCtx.Err() != nil {
					return
				}
				s.queried.WithLabelValues("error").Inc()
				s.log.Warn("QUERY not published", "stream", msg.Stream, "err", err)
			} else {
				s.queried.WithLabelValues("published").Inc()
			}
			continue
		}
		var tc <-chan time.Time
		if queued {
			timer.Reset(wait)
			tc = timer.C
		}
		select {
		case <-s.runCtx.Done():
			return
		case <-s.wake:
		case <-tc:
		}
		timer.Stop()
	}
}

// receiveLoop dispatches the service's messages. It never blocks on the engine.
func (s *Syncer) receiveLoop() {
	msgs := s.svc.Messages()
	for {
		select {
		case <-s.runCtx.Done():
			return
		case r, ok := <-msgs:
			if !ok {
				s.cancel() // the service is closed: nothing more will arrive or be answered
				return
			}
			s.handle(r)
		}
	}
}

func (s *Syncer) drop(reason string, r Received, err error) {
	s.dropped.WithLabelValues(reason).Inc()
	if reason != dropDuplicate && reason != dropUnsolicited {
		s.log.Debug("Dropped pubsub sync message", "reason", reason, "from", r.From, "type", r.Message.Type, "err", err)
	}
}

// handle processes one message; it must stay cheap (parsing and channel sends only).
func (s *Syncer) handle(r Received) {
	m := r.Message
	switch m.Type {
	case TypeUpdate:
		id, err := streamid.Parse(m.Stream)
		if err != nil {
			s.drop(dropInvalidStreamID, r, err)
			return
		}
		tip, err := cid.Decode(m.Tip)
		if err != nil {
			s.drop(dropInvalidTip, r, err)
			return
		}
		var model streamid.StreamID
		if m.Model != "" {
			if model, err = streamid.Parse(m.Model); err != nil {
				s.drop(dropInvalidModel, r, err)
				return
			}
		}
		s.submitTip(tipJob{key: tipKey{stream: id, tip: tip}, model: model}, r)
	case TypeQuery:
		id, err := streamid.Parse(m.Stream)
		if err != nil {
			s.drop(dropInvalidStreamID, r, err)
			return
		}
		select {
		case s.queries <- queryJob{stream: id, id: m.ID}:
		default:
			s.drop(dropQueryBacklog, r, nil)
		}
	case TypeResponse:
		s.handleResponse(r)
	case TypeKeepalive:
	}
}

func (s *Syncer) handleResponse(r Received) {
	m := r.Message
	s.mu.Lock()
	q := s.outstanding[m.ID]
	if q != nil && time.Now().After(q.expires) {
		delete(s.outstanding, m.ID)
		q = nil
	}
	var expected streamid.StreamID
	if q != nil {
		expected = q.stream
	}
	s.mu.Unlock()
	if q == nil {
		s.drop(dropUnsolicited, r, nil)
		return
	}
	// Like js-ceramic's decoder, a tips entry that does not parse spoils the whole message.
	var tip cid.Cid
	for k, v := range m.Tips {
		id, err := streamid.Parse(k)
		if err != nil {
			s.drop(dropInvalidStreamID, r, err)
			return
		}
		c, err := cid.Decode(v)
		if err != nil {
			s.drop(dropInvalidTip, r, err)
			return
		}
		if id.Equal(expected) {
			tip = c
		}
	}
	if !tip.Defined() {
		s.drop(dropResponseNoStream, r, fmt.Errorf("no tip for the queried stream %s", expected))
		return
	}
	s.mu.Lock()
	if q := s.outstanding[m.ID]; q != nil {
		for c := range q.collectors {
			select {
			case c.in <- tip:
			default:
				s.dropped.WithLabelValues(dropCollectorFull).Inc()
			}
		}
	}
	s.mu.Unlock()
	s.submitTip(tipJob{key: tipKey{stream: expected, tip: tip}}, r)
}

// submitTip dedupes a remote tip and queues it for the workers, without blocking.
func (s *Syncer) submitTip(j tipJob, r Received) {
	if !s.dedupe.add(j.key) {
		s.drop(dropDuplicate, r, nil)
		return
	}
	select {
	case s.tips <- j:
	default:
		s.dedupe.remove(j.key)
		s.drop(dropBacklog, r, nil)
	}
}

// applyLoop hands queued remote tips to the engine. A failed tip is forgotten by the dedupe
// cache, so that the next announcement of it is tried again.
func (s *Syncer) applyLoop() {
	ma, modelAware := s.eng.(ModelAwareEngine)
	for {
		select {
		case <-s.runCtx.Done():
			return
		case j := <-s.tips:
			var err error
			if modelAware && j.model.Defined() {
				err = ma.ApplyRemoteUpdate(s.runCtx, j.key.stream, j.key.tip, j.model)
			} else {
				err = s.eng.ApplyRemoteTip(s.runCtx, j.key.stream, j.key.tip)
			}
			if err != nil {
				s.dedupe.remove(j.key)
				s.applied.WithLabelValues("error").Inc()
				if s.runCtx.Err() == nil {
					s.log.Debug("Remote tip not applied", "stream", j.key.stream.String(), "tip", j.key.tip.String(), "err", err)
				}
				continue
			}
			s.applied.WithLabelValues("ok").Inc()
		}
	}
}

// answerLoop answers QUERYs for streams the engine holds.
func (s *Syncer) answerLoop() {
	for {
		select {
		case <-s.runCtx.Done():
			return
		case j := <-s.queries:
			tip, ok := s.eng.LocalTip(s.runCtx, j.stream)
			if !ok || !tip.Defined() {
				s.answered.WithLabelValues("unknown-stream").Inc()
				continue
			}
			if s.admitAnswer(j, tip) {
				s.publishAnswer(j.stream, tip, j.id)
			}
		}
	}
}

// admitAnswer applies the answer guard: it reports whether to answer now; otherwise the
// query id is remembered for a deferred answer (or dropped when too many are).
func (s *Syncer) admitAnswer(j queryJob, tip cid.Cid) bool {
	k := tipKey{stream: j.stream, tip: tip}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.answers[k]
	if a == nil {
		if len(s.answers) >= maxAnswerEntries {
			s.dropped.WithLabelValues(dropAnswerRateLimited).Inc()
			return false
		}
		s.answers[k] = &answerState{last: now}
		return true
	}
	if now.Sub(a.last) >= s.cfg.AnswerInterval && len(a.deferred) == 0 {
		a.last = now
		return true
	}
	if _, ok := a.deferred[j.id]; ok {
		s.answered.WithLabelValues("deferred").Inc()
		return false
	}
	if len(a.deferred) >= maxDeferredIDs {
		s.dropped.WithLabelValues(dropAnswerRateLimited).Inc()
		return false
	}
	if a.deferred == nil {
		a.deferred = map[string]struct{}{}
	}
	a.deferred[j.id] = struct{}{}
	s.answered.WithLabelValues("deferred").Inc()
	return false
}

func (s *Syncer) publishAnswer(stream streamid.StreamID, tip cid.Cid, qid string) {
	sid := stream.String()
	msg := Message{Type: TypeResponse, ID: qid, Tips: map[string]string{sid: tip.String()}}
	if err := s.svc.Publish(s.runCtx, msg); err != nil {
		if s.runCtx.Err() == nil {
			s.log.Warn("RESPONSE not published", "stream", sid, "err", err)
		}
		return
	}
	s.answered.WithLabelValues("sent").Inc()
}

// janitorLoop sends deferred answers and purges expired state.
func (s *Syncer) janitorLoop() {
	tick := min(max(s.cfg.AnswerInterval/4, minJanitorTick), maxJanitorTick)
	t := time.NewTicker(tick)
	defer t.Stop()
	type answer struct {
		k  tipKey
		id string
	}
	for {
		select {
		case <-s.runCtx.Done():
			return
		case <-t.C:
		}
		now := time.Now()
		var due []answer
		s.mu.Lock()
		for id, q := range s.outstanding {
			if now.After(q.expires) {
				delete(s.outstanding, id)
			}
		}
		for k, a := range s.answers {
			if now.Sub(a.last) < s.cfg.AnswerInterval {
				continue
			}
			if len(a.deferred) == 0 {
				delete(s.answers, k)
				continue
			}
			for id := range a.deferred {
				due = append(due, answer{k, id})
			}
			a.deferred, a.last = nil, now
		}
		s.mu.Unlock()
		for _, d := range due {
			s.publishAnswer(d.k.stream, d.k.tip, d.id)
		}
	}
}
