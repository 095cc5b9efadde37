package anchor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/anchor/cas"
	"github.com/goceramic/ceramic/statestore"
	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
)

// Errors a [Backend] returns to steer the requester.
var (
	// ErrUnavailable: the anchor service could not be reached or failed for now; the
	// requester retries with backoff.
	ErrUnavailable = errors.New("anchor: anchor service unavailable")
	// ErrUnknownRequest: the anchor service does not know the request (it never got it, or
	// forgot it); the requester sends it again.
	ErrUnknownRequest = errors.New("anchor: the anchor service does not know the request")
)

// Submission is an anchor request as sent to an anchor service.
type Submission struct {
	StreamID  streamid.StreamID
	Tip       cid.Cid
	Timestamp time.Time
	// Blocks are the genesis and tip commits with their payloads and capability, which a
	// CAS needs to read the stream's metadata without fetching anything.
	Blocks []codec.Block
}

// Outcome is what the anchor service answered about a request.
type Outcome struct {
	Status  cas.Status
	Message string
	// AnchorCommit and Witness are set when Status is COMPLETED: the anchor commit and the
	// blocks it needs (itself, the proof and the Merkle nodes on its path).
	AnchorCommit cid.Cid
	Witness      []codec.Block
}

// Backend is an anchor service as the node uses it: a CAS over HTTP, or the built-in
// service in the same process. Errors wrapping [ErrUnavailable] are retried, errors
// wrapping [ErrUnknownRequest] make the requester submit again; any other error from
// Submit fails the request.
type Backend interface {
	Submit(ctx context.Context, s Submission) (Outcome, error)
	Status(ctx context.Context, id streamid.StreamID, tip cid.Cid) (Outcome, error)
}

// Sink is the stream engine, which learns what became of its requests.
type Sink interface {
	SetAnchorStatus(ctx context.Context, id streamid.StreamID, tip cid.Cid, status streams.AnchorStatus) error
	ApplyAnchor(ctx context.Context, id streamid.StreamID, anchorCommit cid.Cid) error
}

// RequesterConfig configures a [Requester]. Backend, Store, Blocks and Sink are required.
type RequesterConfig struct {
	Backend Backend
	// Store keeps pending requests across restarts (the anchor-request key space of the
	// state store, in js-ceramic's format).
	Store statestore.Store
	// Blocks reads commits and stores the witness blocks of completed anchors.
	Blocks interface {
		streams.BlockGetter
		Put(ctx context.Context, blocks ...codec.Block) error
	}
	Sink Sink
	// PollInterval is the first wait between status requests, doubled after every answer
	// that is not final up to MaxPollInterval; each wait is jittered by ±20%. Defaults 10 s
	// and 10 min.
	PollInterval, MaxPollInterval time.Duration
	// MaxAge is how long a request is followed before it is given up as FAILED; default 24 h.
	MaxAge time.Duration
	// Concurrency bounds the requests in flight to the anchor service; default 8.
	Concurrency int
	Now         func() time.Time
	Logger      *slog.Logger
}

// Requester sends a node's anchor requests to an anchor service, follows them until they are
// anchored, failed or replaced, and hands the outcome to the stream engine. Requests are
// kept in a durable store (one per stream, the newest) and followed again after a restart.
//
// Polling backs off from PollInterval to MaxPollInterval. When one request completes, the
// others are polled again soon (with jitter): an anchor service anchors in batches, so they
// were probably in the same batch. A request for an anchor costs about log2(batch delay /
// PollInterval) status requests, and one for every other stream of the batch.
type Requester struct {
	cfg RequesterConfig
	log *slog.Logger
	sem chan struct{}

	mu      sync.Mutex
	workers map[string]*worker // by StreamID
	batch   chan struct{}      // closed (and replaced) when a request completes
	closed  bool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// worker follows one stream's request.
type worker struct {
	tip    cid.Cid
	cancel context.CancelFunc
	done   chan struct{}
}

// storedRequest is the value of the anchor-request store (before js-ceramic's second JSON
// encoding, see statestore.EncodeAnchorRequest): the tip, when it was requested (unix ms)
// and the serialized genesis commit.
type storedRequest struct {
	CID       string         `json:"cid"`
	Timestamp int64          `json:"timestamp"`
	Genesis   map[string]any `json:"genesis"`
}

// NewRequester returns a requester; Start resumes the stored requests.
func NewRequester(cfg RequesterConfig) (*Requester, error) {
	if cfg.Backend == nil || cfg.Store == nil || cfg.Blocks == nil || cfg.Sink == nil {
		return nil, errors.New("anchor: a requester needs a backend, a store, a block store and a sink")
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 10 * time.Second
	}
	if cfg.MaxPollInterval < cfg.PollInterval {
		cfg.MaxPollInterval = max(10*time.Minute, cfg.PollInterval)
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 24 * time.Hour
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Requester{
		cfg: cfg, log: cfg.Logger, sem: make(chan struct{}, cfg.Concurrency),
		workers: map[string]*worker{}, batch: make(chan struct{}), ctx: ctx, cancel: cancel,
	}, nil
}

// Start follows the requests left in the store by an earlier run. Unreadable entries are
// logged and left alone.
func (r *Requester) Start(ctx context.Context) error {
	type resumed struct {
		id  streamid.StreamID
		tip cid.Cid
		at  time.Time
	}
	var todo []resumed
	for e, err := range r.cfg.Store.List(ctx, statestore.ListOptions{}) {
		if err != nil {
			return fmt.Errorf("anchor: list pending anchor requests: %w", err)
		}
		id, err := streamid.Parse(e.Key)
		if err != nil {
			r.log.Warn("Ignoring an anchor request stored under a key that is not a StreamID", "key", e.Key, "err", err)
			continue
		}
		req, err := decodeStored(e.Value)
		if err != nil {
			r.log.Warn("Ignoring an unreadable anchor request", "stream", e.Key, "err", err)
			continue
		}
		tip, err := cid.Decode(req.CID)
		if err != nil {
			r.log.Warn("Ignoring an anchor request with an invalid tip", "stream", e.Key, "cid", req.CID, "err", err)
			continue
		}
		todo = append(todo, resumed{id, tip, time.UnixMilli(req.Timestamp)})
	}
	for _, t := range todo {
		r.follow(t.id, t.tip, t.at, false)
	}
	if len(todo) > 0 {
		r.log.Info("Resumed pending anchor requests", "count", len(todo))
	}
	return nil
}

func decodeStored(value []byte) (storedRequest, error) {
	var req storedRequest
	inner, err := statestore.DecodeAnchorRequest(value)
	if err != nil {
		return req, err
	}
	if err := json.Unmarshal(inner, &req); err != nil {
		return req, fmt.Errorf("anchor request is not {cid, timestamp, genesis}: %w", err)
	}
	return req, nil
}

// RequestAnchor records a request to anchor tip durably and sends it in the background. A
// newer request for the same stream replaces the one being followed.
func (r *Requester) RequestAnchor(ctx context.Context, id streamid.StreamID, tip cid.Cid) error {
	genesis, _, err := commitBlocks(ctx, r.cfg.Blocks, id.Genesis())
	if err != nil {
		return fmt.Errorf("anchor: request for %s: %w", id, err)
	}
	serialized, err := codec.SerializeCommit(genesis)
	if err != nil {
		return fmt.Errorf("anchor: request for %s: %w", id, err)
	}
	now := r.cfg.Now()
	inner, err := json.Marshal(storedRequest{CID: tip.String(), Timestamp: now.UnixMilli(), Genesis: serialized})
	if err != nil {
		return fmt.Errorf("anchor: request for %s: %w", id, err)
	}
	value, err := statestore.EncodeAnchorRequest(inner)
	if err != nil {
		return fmt.Errorf("anchor: request for %s: %w", id, err)
	}
	r.mu.Lock()
	closed := r.closed
	r.mu.Unlock()
	if closed {
		return errors.New("anchor: the requester is closed")
	}
	if err := r.cfg.Store.Put(ctx, id.String(), value); err != nil {
		return fmt.Errorf("anchor: store request for %s: %w", id, err)
	}
	r.follow(id, tip, now, true)
	return nil
}

// Pending returns the number of requests being followed.
func (r *Requester) Pending() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.workers)
}

// Poll makes every request be polled again soon: call it when the anchor service is known to
// have finished a batch.
func (r *Requester) Poll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	close(r.batch)
	r.batch = make(chan struct{})
}

// follow starts a worker for id's request, replacing the one following an older tip.
func (r *Requester) follow(id streamid.StreamID, tip cid.Cid, at time.Time, submit bool) {
	key := id.String()
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	old := r.workers[key]
	ctx, cancel := context.WithCancel(r.ctx)
	w := &worker{tip: tip, cancel: cancel, done: make(chan struct{})}
	r.workers[key] = w
	r.wg.Add(1)
	r.mu.Unlock()
	go func() {
		defer r.wg.Done()
		defer close(w.done)
		if old != nil {
			old.cancel()
			<-old.done
		}
		r.run(ctx, id, w, at, submit)
		r.mu.Lock()
		if r.workers[key] == w {
			delete(r.workers, key)
		}
		r.mu.Unlock()
	}()
}

// run follows one request until it is final, replaced by a newer request, or the requester
// closes.
func (r *Requester) run(ctx context.Context, id streamid.StreamID, w *worker, at time.Time, submit bool) {
	log := r.log.With("stream", id.String(), "tip", w.tip.String())
	wait := r.cfg.PollInterval
	retry := 0  // consecutive transient failures
	failed := 0 // failed attempts to apply a completed anchor
	for {
		if r.cfg.Now().Sub(at) > r.cfg.MaxAge {
			r.finish(ctx, id, w, streams.Failed, log, "anchor request given up: not anchored within "+r.cfg.MaxAge.String())
			return
		}
		var (
			out Outcome
			err error
		)
		if submit {
			out, err = r.submit(ctx, id, w.tip, at)
		} else {
			out, err = r.status(ctx, id, w.tip)
		}
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, ErrUnknownRequest) && !submit:
			submit = true
			continue
		case errors.Is(err, ErrUnavailable) || (errors.Is(err, ErrUnknownRequest) && submit):
			retry++
			log.Warn("Anchor service unavailable; will retry", "err", err, "attempt", retry)
			if !r.sleep(ctx, backoff(r.cfg.PollInterval, r.cfg.MaxPollInterval, retry), false) {
				return
			}
			continue
		case err != nil:
			r.finish(ctx, id, w, streams.Failed, log, "anchor request failed: "+err.Error())
			return
		}
		retry, submit = 0, false
		switch out.Status {
		case cas.StatusPending, cas.StatusReady:
			_ = r.cfg.Sink.SetAnchorStatus(ctx, id, w.tip, streams.Pending)
		case cas.StatusProcessing:
			_ = r.cfg.Sink.SetAnchorStatus(ctx, id, w.tip, streams.Processing)
		case cas.StatusCompleted:
			err := r.complete(ctx, id, out)
			switch {
			case err == nil:
				log.Info("Anchored", "anchorCommit", out.AnchorCommit.String())
				r.Poll()
				r.forget(ctx, id, w)
				return
			case ctx.Err() != nil:
				return
			case errors.Is(err, streams.ErrProofUnavailable):
				// The chain cannot be asked now: verify later, without counting it as a failure.
				log.Warn("Cannot verify the anchor yet; will retry", "err", err)
			default:
				failed++
				log.Warn("Cannot apply the anchor commit", "err", err, "attempt", failed)
				if failed >= 3 {
					r.finish(ctx, id, w, streams.Failed, log, "anchor commit could not be applied: "+err.Error())
					return
				}
			}
		case cas.StatusFailed:
			r.finish(ctx, id, w, streams.Failed, log, "anchor service failed the request: "+out.Message)
			return
		case cas.StatusReplaced:
			log.Debug("Anchor request replaced by a newer one")
			r.forget(ctx, id, w)
			return
		default:
			log.Warn("Anchor service answered an unknown status; will poll again", "status", out.Status, "message", out.Message)
		}
		if !r.sleep(ctx, jitter(wait), true) {
			return
		}
		wait = min(2*wait, r.cfg.MaxPollInterval)
	}
}

// submit sends the request with the blocks of its genesis and tip.
func (r *Requester) submit(ctx context.Context, id streamid.StreamID, tip cid.Cid, at time.Time) (Outcome, error) {
	_, genesis, err := commitBlocks(ctx, r.cfg.Blocks, id.Genesis())
	if err != nil {
		return Outcome{}, err
	}
	blocks := genesis
	if !tip.Equals(id.Genesis()) {
		_, tipBlocks, err := commitBlocks(ctx, r.cfg.Blocks, tip)
		if err != nil {
			return Outcome{}, err
		}
		blocks = append(blocks, tipBlocks...)
	}
	if err := r.acquire(ctx); err != nil {
		return Outcome{}, err
	}
	defer r.release()
	return r.cfg.Backend.Submit(ctx, Submission{StreamID: id, Tip: tip, Timestamp: at, Blocks: blocks})
}

func (r *Requester) status(ctx context.Context, id streamid.StreamID, tip cid.Cid) (Outcome, error) {
	if err := r.acquire(ctx); err != nil {
		return Outcome{}, err
	}
	defer r.release()
	return r.cfg.Backend.Status(ctx, id, tip)
}

func (r *Requester) acquire(ctx context.Context) error {
	select {
	case r.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *Requester) release() { <-r.sem }

// complete stores the witness blocks and applies the anchor commit.
func (r *Requester) complete(ctx context.Context, id streamid.StreamID, out Outcome) error {
	if !out.AnchorCommit.Defined() {
		return errors.New("the anchor service reported COMPLETED without an anchor commit")
	}
	if len(out.Witness) > 0 {
		if err := r.cfg.Blocks.Put(ctx, out.Witness...); err != nil {
			return fmt.Errorf("store witness blocks: %w", err)
		}
	}
	return r.cfg.Sink.ApplyAnchor(ctx, id, out.AnchorCommit)
}

// finish marks the request's tip with a final status and forgets the request.
func (r *Requester) finish(ctx context.Context, id streamid.StreamID, w *worker, status streams.AnchorStatus, log *slog.Logger, msg string) {
	log.Warn("Anchor request ended without an anchor", "reason", msg)
	_ = r.cfg.Sink.SetAnchorStatus(ctx, id, w.tip, status)
	r.forget(ctx, id, w)
}

// forget deletes the stored request, unless a newer request for the stream replaced it.
func (r *Requester) forget(ctx context.Context, id streamid.StreamID, w *worker) {
	r.mu.Lock()
	current := r.workers[id.String()] == w
	r.mu.Unlock()
	if !current {
		return
	}
	if err := r.cfg.Store.Delete(ctx, id.String()); err != nil && ctx.Err() == nil {
		r.log.Warn("Cannot delete a finished anchor request; it will be polled again after a restart", "stream", id.String(), "err", err)
	}
}

// sleep waits d, or less when another request completes and early is set. It reports false
// when the worker must stop.
func (r *Requester) sleep(ctx context.Context, d time.Duration, early bool) bool {
	r.mu.Lock()
	batch := r.batch
	r.mu.Unlock()
	if !early {
		batch = nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-batch:
		// Spread the burst of status requests over a little time.
		return r.sleep(ctx, time.Duration(rand.Int64N(int64(min(d, 2*time.Second))+1)), false)
	case <-ctx.Done():
		return false
	}
}

// backoff is the wait before retry n (1, 2, …): base doubled each time up to limit, jittered.
func backoff(base, limit time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	return jitter(min(d, limit))
}

// jitter spreads d by ±20%.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	return d - d/5 + time.Duration(rand.Int64N(int64(d)*2/5+1))
}

// Close stops following requests (they stay stored and resume with the next Start) and
// waits for the workers.
func (r *Requester) Close() error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.cancel()
	r.wg.Wait()
	return nil
}

var _ streams.AnchorService = (*Requester)(nil)
