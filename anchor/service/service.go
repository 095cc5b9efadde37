package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/statestore"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
)

// Defaults of [Config].
const (
	// DefaultInterval is the default batch period.
	DefaultInterval = time.Minute
	// DefaultMaxBatch is the default largest batch (and the number of pending requests
	// that starts a batch early).
	DefaultMaxBatch = 1024
	// DefaultMaxAttempts is the default number of chain failures after which a request
	// is FAILED.
	DefaultMaxAttempts = 3
	// DefaultRetention is the default time finished records are kept (the CAS keeps
	// anchor data 30 days).
	DefaultRetention = 30 * 24 * time.Hour
)

// pruneEvery is how often, at most, batches look for records to prune.
const pruneEvery = time.Hour

var (
	// ErrNotFound is returned by [Service.Get] for a tip nobody requested (or whose
	// record was pruned).
	ErrNotFound = errors.New("service: no anchor request for this CID")
	// ErrClosed is returned by Submit, Get, Pending and AnchorNow after [Service.Close].
	ErrClosed = errors.New("service: anchor service closed")
	// ErrInvalidRequest is wrapped by [Service.Submit] for a request without a StreamID
	// or tip.
	ErrInvalidRequest = errors.New("service: invalid anchor request")
)

// Chain sends anchor transactions: the blockchain side of the service (an Ethereum
// contract call in production).
type Chain interface {
	// ChainID returns the CAIP-2 chain the transactions go to, such as "eip155:1337".
	ChainID() string
	// Anchor sends a transaction that anchors root (the Merkle root of a batch) and
	// returns once it is final (confirmed). It must honour ctx.
	Anchor(ctx context.Context, root cid.Cid) (Transaction, error)
}

// Transaction is a final anchor transaction.
type Transaction struct {
	// TxHash is the transaction hash as a CID: codec eth-tx (0x93), keccak-256 multihash.
	TxHash cid.Cid
	// TxType is the proof's txType: "f(bytes32)" for a call of the anchor contract's
	// anchorDagCbor(bytes32); "" leaves it out of the proof (legacy raw transactions).
	TxType string
	// BlockTime is the time of the transaction's block, unix seconds.
	BlockTime int64
}

// BlockPutter stores blocks. The anchor package's BlockPutter and a node's IPFS adapter
// satisfy it.
type BlockPutter interface {
	// Put stores blocks.
	Put(ctx context.Context, blocks ...codec.Block) error
}

// Request is a request to anchor a stream's tip.
type Request struct {
	// StreamID is the stream; required.
	StreamID streamid.StreamID
	// Tip is the commit to anchor; required.
	Tip cid.Cid
	// Timestamp is when the requester made the request; zero means now. It decides which
	// of two requests for one stream is newer.
	Timestamp time.Time
	// Model is the StreamID string of the stream's model, "" if it has none (orders the
	// Merkle leaves).
	Model string
	// Controller is the stream's first controller (orders the Merkle leaves).
	Controller string
}

// Config configures a [Service]. Chain and Store are required.
type Config struct {
	// Chain sends the transactions.
	Chain Chain
	// Store keeps the records durably. It should be dedicated to the service; the
	// service does not close it.
	Store statestore.Store
	// Interval is the batch period; zero means [DefaultInterval].
	Interval time.Duration
	// MaxBatch is the most requests in a batch; a batch also starts early when this many
	// are pending. Zero means [DefaultMaxBatch].
	MaxBatch int
	// MaxAttempts is how many batches of a request may fail on the chain before it is
	// FAILED; zero means [DefaultMaxAttempts].
	MaxAttempts int
	// Retention is how long finished (COMPLETED, FAILED, REPLACED) records are kept after
	// their last change; zero means [DefaultRetention], negative keeps them forever.
	Retention time.Duration
	// Blocks, if set, also receives every block a batch writes: the proof, the tree
	// nodes and the anchor commits (the in-process node's IPFS). A failure to store them is
	// logged; the witnesses still hold every block a node needs.
	Blocks BlockPutter
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives the service's logs; nil discards them.
	Logger *slog.Logger
	// OnComplete, if set, is called with each record that became COMPLETED, after it was
	// stored, from the goroutine running the batch. It must not call AnchorNow or Close.
	OnComplete func(Record)
}

// Service is the anchor service. Its methods are safe for concurrent use.
type Service struct {
	cfg       Config
	chainID   string
	now       func() time.Time
	log       *slog.Logger
	retention time.Duration

	batchMu sync.Mutex // held by the batch in progress: one at a time

	mu        sync.Mutex         // guards the fields below and orders record changes
	pending   map[string]*Record // StreamID string → the stream's PENDING record
	closed    bool
	started   bool
	lastPrune time.Time
	stop      context.CancelFunc // stops the loop of Start
	done      chan struct{}      // closed when the loop of Start has returned

	life     context.Context // cancelled by Close; batches end with it
	lifeStop context.CancelFunc
	kick     chan struct{} // wakes the loop when MaxBatch requests are pending
}

// New returns a service over cfg.Store. It reads every record: records a crash left
// PROCESSING become PENDING again, the index of pending records is rebuilt (of two pending
// records of one stream the newer wins, as in Submit) and records older than the retention
// are deleted. Batches only run after [Service.Start] or on [Service.AnchorNow].
func New(cfg Config) (*Service, error) {
	if cfg.Chain == nil {
		return nil, errors.New("service: Config.Chain is required")
	}
	if cfg.Store == nil {
		return nil, errors.New("service: Config.Store is required")
	}
	chainID := cfg.Chain.ChainID()
	if chainID == "" {
		return nil, errors.New("service: the chain has no chain ID")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = DefaultMaxBatch
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	s := &Service{
		cfg:       cfg,
		chainID:   chainID,
		now:       cfg.Now,
		log:       cfg.Logger,
		retention: cfg.Retention,
		pending:   map[string]*Record{},
		kick:      make(chan struct{}, 1),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.retention == 0 {
		s.retention = DefaultRetention
	}
	s.life, s.lifeStop = context.WithCancel(context.Background())
	if err := s.load(s.life); err != nil {
		s.lifeStop()
		return nil, err
	}
	return s, nil
}

// load rebuilds the pending index from the store (see New).
func (s *Service) load(ctx context.Context) error {
	now := millis(s.now())
	var pending []*Record
	var changed []*Record
	var prune []string
	for e, err := range s.cfg.Store.List(ctx, statestore.ListOptions{}) {
		if err != nil {
			return fmt.Errorf("service: reading the records: %w", err)
		}
		r, err := decodeRecord(e.Value)
		if err != nil {
			s.log.Warn("anchor service: skipping an unreadable record", "key", e.Key, "err", err)
			continue
		}
		switch {
		case r.Status == StatusProcessing:
			r.Status, r.Message, r.UpdatedAt = StatusPending, msgInterrupted, now
			changed = append(changed, r)
			pending = append(pending, r)
		case r.Status == StatusPending:
			pending = append(pending, r)
		case s.expired(r, now):
			prune = append(prune, e.Key)
		}
	}
	// Admit in the order of arrival, so that on equal timestamps the later request wins.
	slices.SortFunc(pending, func(a, b *Record) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.Tip.KeyString(), b.Tip.KeyString()))
	})
	seen := make(map[*Record]bool, len(changed))
	for _, r := range changed {
		seen[r] = true
	}
	for _, r := range pending {
		if c := s.admit(r, now, true); c != nil && !seen[c] {
			seen[c] = true
			changed = append(changed, c)
		}
	}
	if err := s.persist(ctx, changed...); err != nil {
		return fmt.Errorf("service: recovering the records: %w", err)
	}
	if n := countStatus(changed, StatusPending); n > 0 {
		s.log.Info("anchor service: requests interrupted by a restart are pending again", "count", n)
	}
	if err := s.delete(ctx, prune); err != nil {
		return fmt.Errorf("service: pruning old records: %w", err)
	}
	s.lastPrune = now
	s.log.Info("anchor service: loaded", "chain", s.chainID, "pending", len(s.pending), "pruned", len(prune))
	return nil
}

func countStatus(rs []*Record, st Status) int {
	n := 0
	for _, r := range rs {
		if r.Status == st {
			n++
		}
	}
	return n
}

// expired reports whether r is finished and older than the retention.
func (s *Service) expired(r *Record, now time.Time) bool {
	return s.retention > 0 && r.Status.Final() && now.Sub(r.UpdatedAt) > s.retention
}

// admit makes r, which wants to be PENDING, and the PENDING record of its stream (if any)
// compete: the one with the later Timestamp stays PENDING, the other becomes REPLACED. On
// equal timestamps r wins if rWinsTies. It updates the index and returns the record that
// became REPLACED (r itself, or the stream's former PENDING record), or nil. The caller
// holds s.mu (or is New) and persists the changes.
func (s *Service) admit(r *Record, now time.Time, rWinsTies bool) (replaced *Record) {
	k := r.StreamID.String()
	cur := s.pending[k]
	if cur == nil || cur == r {
		s.pending[k] = r
		return nil
	}
	c := r.Timestamp.Compare(cur.Timestamp)
	if c > 0 || (c == 0 && rWinsTies) {
		replace(cur, r.Tip, now)
		s.pending[k] = r
		return cur
	}
	replace(r, cur.Tip, now)
	return r
}

// also returns records plus rep when rep is neither nil nor already the last of them.
func also(records []*Record, rep *Record) []*Record {
	if rep == nil || (len(records) > 0 && records[len(records)-1] == rep) {
		return records
	}
	return append(records, rep)
}

// replace marks r REPLACED by the request for tip.
func replace(r *Record, by cid.Cid, now time.Time) {
	r.Status = StatusReplaced
	r.Message = fmt.Sprintf("Replaced by a newer request for the same stream (tip %s).", by)
	r.UpdatedAt = now
}

// persist writes records to the store, in one atomic batch if the store supports it.
func (s *Service) persist(ctx context.Context, records ...*Record) error {
	if len(records) == 0 {
		return nil
	}
	ops := make([]statestore.Op, len(records))
	for i, r := range records {
		v, err := encodeRecord(r)
		if err != nil {
			return fmt.Errorf("service: encoding the record of %s: %w", r.Tip, err)
		}
		ops[i] = statestore.Op{Key: key(r.Tip), Value: v}
	}
	return statestore.WriteBatch(ctx, s.cfg.Store, ops)
}

// delete removes keys from the store.
func (s *Service) delete(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	ops := make([]statestore.Op, len(keys))
	for i, k := range keys {
		ops[i] = statestore.Op{Key: k, Delete: true}
	}
	return statestore.WriteBatch(ctx, s.cfg.Store, ops)
}

// get reads the record of tip from the store.
func (s *Service) get(ctx context.Context, tip cid.Cid) (*Record, error) {
	data, err := s.cfg.Store.Get(ctx, key(tip))
	if errors.Is(err, statestore.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, tip)
	}
	if err != nil {
		return nil, fmt.Errorf("service: reading the record of %s: %w", tip, err)
	}
	r, err := decodeRecord(data)
	if err != nil {
		return nil, fmt.Errorf("service: the record of %s is unreadable: %w", tip, err)
	}
	return r, nil
}

// Submit records a request. If a record for req.Tip exists it is returned as it is, with
// created false. Otherwise a new record is stored PENDING, durably, before Submit returns
// (created true); a PENDING record of the same stream with an earlier (or equal) Timestamp
// becomes REPLACED, and if the stream's PENDING record is newer than req the new record is
// stored REPLACED at once.
func (s *Service) Submit(ctx context.Context, req Request) (Record, bool, error) {
	if !req.StreamID.Defined() {
		return Record{}, false, fmt.Errorf("%w: no StreamID", ErrInvalidRequest)
	}
	if !req.Tip.Defined() {
		return Record{}, false, fmt.Errorf("%w: no tip CID", ErrInvalidRequest)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return Record{}, false, ErrClosed
	}
	old, err := s.get(ctx, req.Tip)
	if err == nil {
		return *old, false, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return Record{}, false, err
	}
	now := millis(s.now())
	ts := now
	if !req.Timestamp.IsZero() {
		ts = millis(req.Timestamp)
	}
	r := &Record{
		ID:         newID(),
		StreamID:   req.StreamID,
		Tip:        req.Tip,
		Status:     StatusPending,
		Message:    msgPending,
		CreatedAt:  now,
		UpdatedAt:  now,
		Timestamp:  ts,
		Model:      req.Model,
		Controller: req.Controller,
	}
	k := req.StreamID.String()
	prev := s.pending[k]
	var prevCopy Record
	if prev != nil {
		prevCopy = *prev
	}
	changed := also([]*Record{r}, s.admit(r, now, true))
	if err := s.persist(ctx, changed...); err != nil {
		// Undo the in-memory change: nothing (or not all) was stored.
		if prev != nil {
			*prev = prevCopy
			s.pending[k] = prev
		} else {
			delete(s.pending, k)
		}
		return Record{}, false, fmt.Errorf("service: storing the request for %s: %w", req.Tip, err)
	}
	if len(s.pending) >= s.cfg.MaxBatch {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
	return *r, true, nil
}

// Get returns the record of tip, or an error wrapping [ErrNotFound].
func (s *Service) Get(ctx context.Context, tip cid.Cid) (Record, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return Record{}, ErrClosed
	}
	r, err := s.get(ctx, tip)
	if err != nil {
		return Record{}, err
	}
	return *r, nil
}

// Pending returns the number of PENDING requests.
func (s *Service) Pending(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, ErrClosed
	}
	return len(s.pending), nil
}

// SupportedChains returns the chains the service anchors on: the chain's ID alone (the
// CAS API's supported_chains).
func (s *Service) SupportedChains() []string { return []string{s.chainID} }

// Start runs batches in a goroutine until ctx is done or [Service.Close] is called: every
// Config.Interval, and as soon as Config.MaxBatch requests are pending. Calling it again,
// or after Close, does nothing.
func (s *Service) Start(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.closed {
		return
	}
	s.started = true
	ctx, s.stop = context.WithCancel(ctx)
	s.done = make(chan struct{})
	go s.loop(ctx)
}

// loop is the goroutine of Start.
func (s *Service) loop(ctx context.Context) {
	defer close(s.done)
	ticker := time.NewTicker(s.cfg.Interval)
	defer ticker.Stop()
	var failedAt time.Time // when a batch last failed; kicks wait for the next tick after one
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		case <-s.kick:
			if !failedAt.IsZero() && time.Since(failedAt) < s.cfg.Interval {
				continue
			}
		}
		failedAt = time.Time{}
		for {
			err := s.AnchorNow(ctx)
			if ctx.Err() != nil || errors.Is(err, ErrClosed) {
				return
			}
			if err != nil {
				s.log.Error("anchor service: batch failed", "err", err)
				failedAt = time.Now()
				break
			}
			s.mu.Lock()
			more := len(s.pending) >= s.cfg.MaxBatch
			s.mu.Unlock()
			if !more {
				break
			}
		}
	}
}

// Close stops the loop of Start, cancels a batch waiting for the chain (its records return
// to PENDING without counting an attempt) and waits for it. It does not close the store.
// Further calls return nil.
func (s *Service) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	stop, done := s.stop, s.done
	s.mu.Unlock()

	s.lifeStop()
	if stop != nil {
		stop()
		<-done
	}
	s.batchMu.Lock() // wait for a batch started by AnchorNow
	s.batchMu.Unlock()
	return nil
}
