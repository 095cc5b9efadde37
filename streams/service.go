package streams

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/statestore"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/schema"
	"github.com/goceramic/ceramic/streams/streamid"
)

// SyncOption is how a load consults the network (js-ceramic's SyncOptions numbers).
type SyncOption int

// The sync options.
const (
	PreferCache SyncOption = 0
	SyncAlways  SyncOption = 1
	NeverSync   SyncOption = 2
	SyncOnError SyncOption = 3
)

// DefaultSyncTimeout bounds how long a load looks for a stream this node does not know.
const DefaultSyncTimeout = 3 * time.Second

// catchUpRetry is how soon a stream whose catch-up query nobody answered may be asked for
// again, and catchUpAttempts how many times at most per run.
const (
	catchUpRetry    = 5 * time.Second
	catchUpAttempts = 4
)

// LoadOptions tune a load.
type LoadOptions struct {
	Sync SyncOption
	// SyncTimeout bounds the search for an unknown stream; 0 means DefaultSyncTimeout.
	SyncTimeout time.Duration
}

// WriteOptions tune a create or an update. Nil fields take their defaults.
type WriteOptions struct {
	// Pin keeps the stream in the state store (default true on create, unchanged on update).
	Pin *bool
	// Publish announces the new tip on the network (default true).
	Publish *bool
	// Anchor requests an anchor (default true; anchoring arrives with the anchor service).
	Anchor *bool
	LoadOptions
}

func (o WriteOptions) publish() bool { return o.Publish == nil || *o.Publish }

func (o WriteOptions) anchor() bool { return o.Anchor == nil || *o.Anchor }

// Config configures a Service. Blocks is required; the rest is optional.
type Config struct {
	Blocks BlockStore
	// Pins is the state store of pinned streams; nil disables pinning.
	Pins      statestore.Store
	Publisher Publisher
	Verifier  ProofVerifier
	// Anchors anchors tips; nil means this node cannot anchor (writes stay NOT_REQUESTED).
	Anchors AnchorService
	// Network asks peers for the tips of streams; nil means loads never look beyond this
	// node and its IPFS.
	Network TipQuerier
	// CacheLimit bounds the number of states in the in-memory cache (js-ceramic's
	// node.stream-cache-limit).
	CacheLimit int
	// CacheBytes bounds the memory of the cache (estimated from the states' serialized size);
	// 0 means DefaultCacheBytes.
	CacheBytes int64
	// ReadOnly refuses commits to existing streams with ErrReadOnly. Creating (loading) a
	// stream from its genesis stays allowed, as on a js-ceramic read-only node; the API
	// turns anchoring and publishing off for it.
	ReadOnly bool
	Now      func() time.Time
	Logger   *slog.Logger
}

// Service creates, updates, loads and pins streams. It is safe for concurrent use: writes to
// one stream are serialized, and nothing waits on writes to other streams.
type Service struct {
	cfg     Config
	log     *slog.Logger
	env     *applyEnv
	cache   *stateCache
	locks   keyedMutex
	schemas *schema.Cache

	// unpinned remembers streams the state store does not hold.
	unpinned unpinnedSet
	// synced holds the pinned streams asked from the network since the service started.
	synced sync.Map
	bg     context.Context
	stopBG context.CancelFunc
	wg     sync.WaitGroup
}

// NewService returns a Service.
func NewService(cfg Config) (*Service, error) {
	if cfg.Blocks == nil {
		return nil, errors.New("streams: a block store is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{cfg: cfg, log: cfg.Logger, cache: newStateCache(cfg.CacheLimit, cfg.CacheBytes), schemas: schema.NewCache(100)}
	s.env = &applyEnv{now: cfg.Now, schema: s.validateSchema}
	s.bg, s.stopBG = context.WithCancel(context.Background())
	return s, nil
}

// Close stops the background work of the service (catching up pinned streams from the
// network) and waits for it. Call it before closing the block store.
func (s *Service) Close() error {
	s.stopBG()
	s.wg.Wait()
	return nil
}

// validateSchema validates content against the schema tile at schemaID (a CommitID).
func (s *Service) validateSchema(ctx context.Context, schemaID string, content any) error {
	cid, err := streamid.ParseCommitID(schemaID)
	if err != nil {
		return invalid("metadata.schema %q is not a valid CommitID: %v", schemaID, err)
	}
	sch, err := s.schemas.Get(cid.String(), func() (any, error) {
		st, err := s.LoadAtCommit(ctx, cid, LoadOptions{})
		if err != nil {
			return nil, fmt.Errorf("load schema %s: %w", cid, err)
		}
		return st.CurrentContent(), nil
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalidCommit) {
			return &userError{kind: ErrInvalidCommit, msg: fmt.Sprintf("cannot use schema %s: %v", cid, err), err: err}
		}
		return &userError{kind: ErrSchema, msg: err.Error(), err: err}
	}
	if err := sch.Validate(content); err != nil {
		return &userError{kind: ErrSchema, msg: err.Error(), err: err}
	}
	return nil
}

// CreateFromGenesis stores a genesis commit and returns the stream's state. Creating a stream
// that already exists returns its current state (and pins it when asked).
func (s *Service) CreateFromGenesis(ctx context.Context, t streamid.Type, genesis *codec.WireCommit, opts WriteOptions) (*State, error) {
	if _, err := handlerFor(t); err != nil {
		return nil, err
	}
	if genesis.Form == codec.FormAnchor {
		return nil, invalid("an anchor commit cannot be a genesis commit")
	}
	if ct, ok := genesis.Type(); ok && ct != codec.CommitTypeGenesis {
		return nil, invalid("commit %s is not a genesis commit (it has a prev link)", genesis.CID())
	}
	if err := s.cfg.Blocks.Put(ctx, genesis.Blocks()...); err != nil {
		return nil, fmt.Errorf("store genesis commit: %w", err)
	}
	id := streamid.New(t, genesis.CID())
	unlock := s.locks.lock(id.String())
	defer unlock()

	st, pinned, err := s.known(ctx, id)
	if err != nil {
		return nil, err
	}
	changed := false
	local := withBlocks(s.cfg.Blocks, genesis.Blocks()...)
	if st == nil {
		cd, err := loadCommit(ctx, local, genesis.CID())
		if err != nil {
			return nil, err
		}
		if st, err = applyLog(ctx, s.env, id, []*commitData{cd}, strict); err != nil {
			return nil, err
		}
		changed = true
	}
	if opts.Pin == nil || *opts.Pin {
		if !pinned || changed {
			if err := s.persist(ctx, local, st, 0); err != nil {
				return nil, err
			}
		}
		pinned = true
	}
	if opts.anchor() {
		st = s.requestAnchor(ctx, st)
	}
	s.cache.put(id.String(), st, pinned)
	if changed && opts.publish() {
		s.publish(ctx, st)
	}
	if changed && opts.Sync != NeverSync && genesis.Form == codec.FormUnsigned {
		// Peers may know later commits of a deterministic genesis; ask them without making
		// the create wait. (A signed genesis carries a random unique: no one else has it.)
		s.catchUpLater(id)
	}
	return st, nil
}

// ApplyCommit applies a client's commit to a stream. The commit must build on the current
// tip; it is rejected when it is invalid, unauthorized or stale.
func (s *Service) ApplyCommit(ctx context.Context, id streamid.StreamID, commit *codec.WireCommit, opts WriteOptions) (*State, error) {
	if s.cfg.ReadOnly {
		return nil, ErrReadOnly
	}
	if ct, ok := commit.Type(); ok && ct == codec.CommitTypeGenesis {
		return nil, invalid("commit %s is a genesis commit; create streams with POST /api/v0/streams", commit.CID())
	}
	if err := s.cfg.Blocks.Put(ctx, commit.Blocks()...); err != nil {
		return nil, fmt.Errorf("store commit: %w", err)
	}
	unlock := s.locks.lock(id.String())
	defer unlock()
	st, pinned, err := s.loadLocked(ctx, id, opts.LoadOptions)
	if err != nil {
		return nil, err
	}
	for _, e := range st.Log {
		if e.CID.Equals(commit.CID()) {
			return st, nil // already applied
		}
	}
	local := withBlocks(s.cfg.Blocks, commit.Blocks()...)
	cd, err := loadCommit(ctx, local, commit.CID())
	if err != nil {
		return nil, err
	}
	if p, ok := cd.prev(); !ok || !p.Equals(st.Tip()) {
		return nil, &userError{kind: ErrConflict, msg: fmt.Sprintf("Commit %s rejected because it builds on stale state: its prev is not the current tip %s of stream %s", cd.CID, st.Tip(), id)}
	}
	if cd.Type == CommitAnchor {
		if err := verifyAnchors(ctx, s.cfg.Verifier, s.cfg.Blocks, []*commitData{cd}); err != nil {
			return nil, err
		}
	}
	h, err := handlerFor(id.Type())
	if err != nil {
		return nil, err
	}
	next, err := applyOne(ctx, s.env, h, st, cd)
	if err != nil {
		return nil, &CommitError{StreamID: id.String(), CID: cd.CID, Err: err}
	}
	if err := checkExpiry(next, s.cfg.Now()); err != nil {
		return nil, err
	}
	from := len(st.Log) // only the new commit's blocks need pinning
	if opts.Pin != nil && *opts.Pin && !pinned {
		from = 0
	}
	if opts.Pin != nil {
		pinned = *opts.Pin
	}
	if pinned {
		if err := s.persist(ctx, local, next, from); err != nil {
			return nil, err
		}
	}
	if opts.anchor() {
		next = s.requestAnchor(ctx, next)
	}
	s.cache.put(id.String(), next, pinned)
	if opts.publish() {
		s.publish(ctx, next)
	}
	return next, nil
}

// requestAnchor asks the anchor service to anchor the tip of st, unless it is anchored, and
// returns the state to show: PENDING once the request is accepted. The caller holds the
// stream's lock. The status change is not persisted (js-ceramic does not persist it either).
func (s *Service) requestAnchor(ctx context.Context, st *State) *State {
	if s.cfg.Anchors == nil || s.cfg.ReadOnly || st.AnchorStatus == Anchored {
		return st
	}
	if err := s.cfg.Anchors.RequestAnchor(ctx, st.ID(), st.Tip()); err != nil {
		s.log.Warn("Anchor request failed", "stream", st.ID().String(), "err", err)
		return st
	}
	if st.AnchorStatus == Pending {
		return st
	}
	pending := st.Clone()
	pending.AnchorStatus = Pending
	return pending
}

// RequestAnchor asks for an anchor of a stream's tip and returns its anchor status afterwards
// (ANCHORED streams are left alone).
func (s *Service) RequestAnchor(ctx context.Context, id streamid.StreamID, opts LoadOptions) (AnchorStatus, error) {
	if s.cfg.Anchors == nil {
		return 0, &userError{kind: ErrUnsupported, msg: "this node has no anchor service"}
	}
	if s.cfg.ReadOnly {
		return 0, ErrReadOnly
	}
	unlock := s.locks.lock(id.String())
	defer unlock()
	st, pinned, err := s.loadLocked(ctx, id, opts)
	if err != nil {
		return 0, err
	}
	st = s.requestAnchor(ctx, st)
	s.cache.put(id.String(), st, pinned)
	return st.AnchorStatus, nil
}

// SetAnchorStatus records what the anchor service said about a request for tip: PENDING,
// PROCESSING or FAILED. It changes the state only while tip is the stream's tip and the
// stream is not anchored, and only in memory: as on js-ceramic, a status change alone is not
// written to the state store (pending requests are kept by the anchor service's own store).
// A stream the node no longer holds in memory or in its state store is left alone.
func (s *Service) SetAnchorStatus(ctx context.Context, id streamid.StreamID, tip cid.Cid, status AnchorStatus) error {
	if status == Anchored {
		return errors.New("streams: ANCHORED comes from an anchor commit, not from a status")
	}
	unlock := s.locks.lock(id.String())
	defer unlock()
	st, pinned, err := s.known(ctx, id)
	if err != nil || st == nil {
		return err
	}
	if !st.Tip().Equals(tip) || st.AnchorStatus == Anchored || st.AnchorStatus == status {
		return nil
	}
	next := st.Clone()
	next.AnchorStatus = status
	s.cache.put(id.String(), next, pinned)
	return nil
}

// ApplyAnchor applies an anchor commit the anchor service produced for a stream. An anchor of
// a tip that is no longer the tip is dropped (and the current tip is anchored instead) rather
// than rolling newer writes back.
func (s *Service) ApplyAnchor(ctx context.Context, id streamid.StreamID, anchorCommit cid.Cid) error {
	unlock := s.locks.lock(id.String())
	defer unlock()
	st, pinned, err := s.loadLocked(ctx, id, LoadOptions{})
	if err != nil {
		return err
	}
	cd, err := loadCommit(ctx, s.cfg.Blocks, anchorCommit)
	if err != nil {
		return err
	}
	if cd.Type != CommitAnchor {
		return invalid("commit %s is not an anchor commit", anchorCommit)
	}
	if p, _ := cd.prev(); !p.Equals(st.Tip()) {
		if st.AnchorStatus != Anchored {
			s.cache.put(id.String(), s.requestAnchor(ctx, st), pinned)
		}
		return nil
	}
	if err := verifyAnchors(ctx, s.cfg.Verifier, s.cfg.Blocks, []*commitData{cd}); err != nil {
		return err
	}
	next, err := applyAnchor(st, cd)
	if err != nil {
		return &CommitError{StreamID: id.String(), CID: anchorCommit, Err: err}
	}
	if pinned {
		if err := s.persist(ctx, s.cfg.Blocks, next, len(st.Log)); err != nil {
			return err
		}
	}
	s.cache.put(id.String(), next, pinned)
	s.publish(ctx, next)
	return nil
}

// Load returns the current state of a stream. A stream this node has never seen is looked
// for until the sync timeout; then the load fails with ErrNotFound.
//
// Sync options: SYNC_ALWAYS rebuilds the state from its commits (re-validating every one and
// dropping those that are no longer valid, such as commits whose capability expired);
// SYNC_ON_ERROR does that only when the current state fails its checks. Asking the network for
// newer tips is the network layer's part.
func (s *Service) Load(ctx context.Context, id streamid.StreamID, opts LoadOptions) (*State, error) {
	if opts.Sync != SyncAlways {
		if e, ok := s.cache.get(id.String()); ok {
			if e.pinned && opts.Sync != NeverSync {
				s.catchUpLater(id) // a no-op once the stream was caught up in this run
			}
			if err := checkExpiry(e.state, s.cfg.Now()); err == nil || opts.Sync != SyncOnError {
				return e.state, err
			}
		}
	}
	unlock := s.locks.lock(id.String())
	defer unlock()
	st, pinned, err := s.loadLocked(ctx, id, opts)
	if err != nil {
		return nil, err
	}
	err = checkExpiry(st, s.cfg.Now())
	if opts.Sync == SyncAlways || (err != nil && opts.Sync == SyncOnError) {
		if st, err = s.resync(ctx, id, st, pinned, opts); err != nil {
			return nil, err
		}
		if opts.Sync == SyncAlways {
			timeout := opts.SyncTimeout
			if timeout <= 0 {
				timeout = DefaultSyncTimeout
			}
			if next := s.syncFromNetwork(ctx, id, st, timeout, false); next != st {
				if err := s.keep(ctx, st, next, pinned); err != nil {
					return nil, err
				}
				st = next
			}
		}
		err = checkExpiry(st, s.cfg.Now())
	}
	return st, err
}

// resync rebuilds a stream's state from its log, from genesis to the known tip, validating
// every commit again; the caller holds the stream's lock. When the commits cannot be read
// the known state is kept.
func (s *Service) resync(ctx context.Context, id streamid.StreamID, st *State, pinned bool, opts LoadOptions) (*State, error) {
	timeout := opts.SyncTimeout
	if timeout <= 0 {
		timeout = DefaultSyncTimeout
	}
	fctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	log, err := fetchLog(fctx, s.cfg.Blocks, st.Tip(), nil)
	if err != nil {
		s.log.Warn("Cannot re-read the commits of a stream; keeping its known state", "stream", id.String(), "err", err)
		return st, nil
	}
	// Anchor times already verified stay trusted.
	known := map[cid.Cid]*int64{}
	for _, e := range st.Log {
		known[e.CID] = e.Timestamp
	}
	if err := verifyAnchors(ctx, s.cfg.Verifier, s.cfg.Blocks, log); err != nil {
		return nil, err // the known state stays; the caller can retry later
	}
	for _, cd := range log {
		if cd.Timestamp == nil && known[cd.CID] != nil {
			cd.Timestamp = known[cd.CID]
		}
	}
	h, err := handlerFor(id.Type())
	if err != nil {
		return st, nil // a type this node cannot apply: keep the stored state
	}
	g := log[0]
	if !g.CID.Equals(id.Genesis()) {
		return nil, invalid("the log of stream %s does not start at its genesis", id)
	}
	rebuilt, err := h.applyGenesis(ctx, s.env, id, g)
	if err != nil {
		return nil, &CommitError{StreamID: id.String(), CID: g.CID, Err: err}
	}
	if rebuilt, err = applyCommits(ctx, s.env, h, rebuilt, log[1:], lenient); err != nil {
		return nil, err
	}
	if pinned {
		if err := s.persist(ctx, s.cfg.Blocks, rebuilt, len(rebuilt.Log)); err != nil {
			return nil, err
		}
	}
	s.cache.put(id.String(), rebuilt, pinned)
	return rebuilt, nil
}

// known returns the state of a stream in the cache or the state store, or nil; the caller
// holds the stream's lock.
func (s *Service) known(ctx context.Context, id streamid.StreamID) (*State, bool, error) {
	if e, ok := s.cache.get(id.String()); ok {
		return e.state, e.pinned, nil
	}
	st, err := s.readPinned(ctx, id, true)
	if err != nil || st == nil {
		return nil, false, err
	}
	s.cache.put(id.String(), st, true)
	return st, true, nil
}

// readPinned reads a stream's state from the state store; nil when it is not pinned. A
// caller holding the stream's lock passes locked, and a miss is then remembered (see
// unpinnedSet), so that the network's traffic about streams this node does not hold costs
// no state-store read; with an S3 store each would be a request.
func (s *Service) readPinned(ctx context.Context, id streamid.StreamID, locked bool) (*State, error) {
	if s.cfg.Pins == nil || s.unpinned.has(id.String()) {
		return nil, nil
	}
	raw, err := s.cfg.Pins.Get(ctx, id.String())
	if errors.Is(err, statestore.ErrNotFound) {
		if locked {
			s.unpinned.add(id.String())
		}
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read pinned state of %s: %w", id, err)
	}
	var st State
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, fmt.Errorf("pinned state of %s is unreadable: %w", id, err)
	}
	if st.Type != id.Type() || !st.Log[0].CID.Equals(id.Genesis()) {
		return nil, fmt.Errorf("pinned state under %s belongs to another stream", id)
	}
	return &st, nil
}

// loadLocked loads a stream; the caller holds its lock. A stream in memory is returned as
// it is. A pinned stream read from the state store is returned at once and, the first time
// since the service started, caught up from the network in the background. A stream this
// node does not hold is built from its genesis and then from the tips peers answer within
// the sync timeout (not with NEVER_SYNC).
func (s *Service) loadLocked(ctx context.Context, id streamid.StreamID, opts LoadOptions) (*State, bool, error) {
	if e, ok := s.cache.get(id.String()); ok {
		return e.state, e.pinned, nil
	}
	st, err := s.readPinned(ctx, id, true)
	if err != nil {
		return nil, false, err
	}
	if st != nil {
		s.cache.put(id.String(), st, true)
		if opts.Sync != NeverSync {
			s.catchUpLater(id)
		}
		return st, true, nil
	}
	if _, err := handlerFor(id.Type()); err != nil {
		return nil, false, err
	}
	timeout := opts.SyncTimeout
	if timeout <= 0 {
		timeout = DefaultSyncTimeout
	}
	gctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cd, err := loadCommit(gctx, s.cfg.Blocks, id.Genesis())
	if err != nil {
		if gctx.Err() != nil && ctx.Err() == nil {
			return nil, false, &userError{kind: ErrNotFound, msg: fmt.Sprintf("stream %s not found: its genesis commit is not available to this node or its peers", id)}
		}
		return nil, false, err
	}
	if st, err = applyLog(ctx, s.env, id, []*commitData{cd}, lenient); err != nil {
		return nil, false, err
	}
	if opts.Sync != NeverSync {
		st = s.syncFromNetwork(ctx, id, st, timeout, true)
	}
	s.cache.put(id.String(), st, false)
	return st, false, nil
}

// catchUpLater asks the network for a stream's tips in the background, once per run of the
// service: a pinned stream read from the state store (a node that was offline catches up) or
// a stream created here from a genesis peers may know, without making the load or the
// create wait.
func (s *Service) catchUpLater(id streamid.StreamID) {
	if s.cfg.Network == nil {
		return
	}
	now := s.cfg.Now()
	prev, _ := s.synced.Load(id.String())
	c, _ := prev.(catchUp)
	if c.done || c.attempts >= catchUpAttempts || now.Before(c.next) {
		return
	}
	// Until this query is over, no other.
	s.synced.Store(id.String(), catchUp{attempts: c.attempts + 1, next: now.Add(DefaultSyncTimeout + catchUpRetry)})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		qctx, cancel := context.WithTimeout(s.bg, DefaultSyncTimeout)
		defer cancel()
		tips, err := s.cfg.Network.QueryTips(qctx, id)
		if err != nil {
			s.log.Debug("Cannot query the network for a stream", "stream", id.String(), "err", err)
			return
		}
		// The stream's lock is taken per answer only: writes do not wait for the query.
		answered := false
		for tip := range tips {
			answered = true
			if _, err := s.ApplyRemoteTip(s.bg, id, tip); err != nil {
				s.log.Debug("Ignoring a tip from the network", "stream", id.String(), "tip", tip.String(), "err", err)
			}
		}
		// Answered: done for this run, as on js-ceramic. Not answered (the node may not have
		// found its peers yet): a later load asks again, a few times.
		s.synced.Store(id.String(), catchUp{done: answered, attempts: c.attempts + 1, next: s.cfg.Now().Add(catchUpRetry)})
	}()
}

// catchUp is where the catching up of one stream stands.
type catchUp struct {
	done     bool
	attempts int
	next     time.Time // no attempt before
}

// LoadAtCommit returns the state of a stream as of one of its commits.
func (s *Service) LoadAtCommit(ctx context.Context, commit streamid.CommitID, opts LoadOptions) (*State, error) {
	id := commit.StreamID()
	current, err := s.Load(ctx, id, opts)
	if err != nil {
		return nil, err
	}
	target := commit.Commit()
	if target.Equals(current.Tip()) {
		return current, nil
	}
	known := map[cid.Cid]LogEntry{}
	for _, e := range current.Log {
		known[e.CID] = e
	}
	timeout := opts.SyncTimeout
	if timeout <= 0 {
		timeout = DefaultSyncTimeout
	}
	fctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	log, err := fetchLog(fctx, s.cfg.Blocks, target, nil)
	if err != nil {
		if fctx.Err() != nil && ctx.Err() == nil {
			return nil, &userError{kind: ErrNotFound, msg: fmt.Sprintf("commit %s of stream %s not found", target, id)}
		}
		return nil, err
	}
	// Timestamps the node already trusts (anchors it verified) are kept for historical commits.
	for _, cd := range log {
		if e, ok := known[cd.CID]; ok && e.Timestamp != nil {
			v := *e.Timestamp
			cd.Timestamp = &v
		}
	}
	if _, inLog := known[target]; !inLog {
		if err := verifyAnchors(ctx, s.cfg.Verifier, s.cfg.Blocks, log); err != nil {
			return nil, err
		}
	}
	st, err := applyLog(ctx, s.env, id, log, strict)
	if err != nil {
		return nil, err
	}
	return st, nil
}

// LoadAtTime returns the state of a stream as of its last anchor at or before t (unix
// seconds), or its genesis state when there is none.
func (s *Service) LoadAtTime(ctx context.Context, id streamid.StreamID, t int64, opts LoadOptions) (*State, error) {
	st, err := s.Load(ctx, id, opts)
	if err != nil {
		return nil, err
	}
	target := st.Log[0].CID
	for _, e := range st.Log {
		if e.Type == CommitAnchor && e.Timestamp != nil && *e.Timestamp <= t {
			target = e.CID
		}
	}
	return s.LoadAtCommit(ctx, id.AtCommit(target), opts)
}

// CommitRecord is one commit of a stream's log in its serialized (HTTP) form.
type CommitRecord struct {
	CID   cid.Cid
	Value map[string]any
}

// Commits returns every commit of a stream's log, oldest first, serialized as the HTTP API
// sends them.
func (s *Service) Commits(ctx context.Context, id streamid.StreamID, opts LoadOptions) ([]CommitRecord, error) {
	st, err := s.Load(ctx, id, opts)
	if err != nil {
		return nil, err
	}
	out := make([]CommitRecord, 0, len(st.Log))
	for _, e := range st.Log {
		w, err := s.wireCommit(ctx, e.CID)
		if err != nil {
			return nil, err
		}
		v, err := codec.SerializeCommit(w)
		if err != nil {
			return nil, fmt.Errorf("serialize commit %s: %w", e.CID, err)
		}
		out = append(out, CommitRecord{CID: e.CID, Value: v})
	}
	return out, nil
}

// wireCommit rebuilds the blocks of a stored commit as GET /commits sends them: the commit
// and, for a signed commit, its payload (the capability block is not included, as in
// js-ceramic).
func (s *Service) wireCommit(ctx context.Context, c cid.Cid) (*codec.WireCommit, error) {
	data, err := getBlock(ctx, s.cfg.Blocks, c)
	if err != nil {
		return nil, err
	}
	commit := codec.Block{CID: c, Data: data}
	var payload *codec.Block
	if v, err := codec.DecodeBlock(c, data); err == nil && codec.FormOf(c.Type(), v) == codec.FormSigned {
		jws, err := codec.EnvelopeOf(commit)
		if err != nil {
			return nil, &userError{kind: ErrInvalidCommit, msg: err.Error(), err: err}
		}
		link, err := jws.Link()
		if err != nil {
			return nil, invalid("commit %s: %v", c, err)
		}
		pd, err := getBlock(ctx, s.cfg.Blocks, link)
		if err != nil {
			return nil, err
		}
		payload = &codec.Block{CID: link, Data: pd}
	}
	return codec.NewWireCommit(commit, payload, nil)
}

// Pin keeps a stream in the state store and pins every block of its log (pinning again
// blocks that already are, which is what js-ceramic's "force" asks for).
func (s *Service) Pin(ctx context.Context, id streamid.StreamID, opts LoadOptions) error {
	if s.cfg.Pins == nil {
		return &userError{kind: ErrUnsupported, msg: "this node has no state store"}
	}
	unlock := s.locks.lock(id.String())
	defer unlock()
	st, _, err := s.loadLocked(ctx, id, opts)
	if err != nil {
		return err
	}
	if err := s.persist(ctx, s.cfg.Blocks, st, 0); err != nil {
		return err
	}
	s.cache.put(id.String(), st, true)
	return nil
}

// Unpin removes a stream from the state store and unpins its commit and payload blocks in
// IPFS (capabilities and anchor proofs stay pinned: other streams may share them), then, with
// publish, announces the stream's tip so that peers that keep it can take over. Unpinning a
// stream that is not pinned does nothing.
func (s *Service) Unpin(ctx context.Context, id streamid.StreamID, publish bool) error {
	if s.cfg.Pins == nil {
		return &userError{kind: ErrUnsupported, msg: "this node has no state store"}
	}
	unlock := s.locks.lock(id.String())
	defer unlock()
	st, pinned, err := s.known(ctx, id)
	if err != nil {
		return err
	}
	if st == nil || !pinned {
		return nil
	}
	if err := s.cfg.Pins.Delete(ctx, id.String()); err != nil {
		return fmt.Errorf("unpin %s: %w", id, err)
	}
	var cids []cid.Cid
	for _, e := range st.Log {
		cids = append(cids, e.CID)
		if e.CID.Type() != codec.DagJOSE {
			continue
		}
		if data, err := s.cfg.Blocks.Get(ctx, e.CID); err == nil {
			if jws, err := codec.DecodeJWS(data); err == nil {
				if l, err := jws.Link(); err == nil {
					cids = append(cids, l)
				}
			}
		}
	}
	if err := s.cfg.Blocks.Unpin(ctx, cids...); err != nil {
		s.log.Warn("Could not unpin the blocks of an unpinned stream", "stream", id.String(), "err", err)
	}
	if publish {
		s.publish(ctx, st)
	}
	if e, ok := s.cache.get(id.String()); ok {
		s.cache.put(id.String(), e.state, false)
	}
	return nil
}

// Pinned lists pinned StreamIDs in byte order; with only set, it reports whether that one
// stream is pinned.
func (s *Service) Pinned(ctx context.Context, only *streamid.StreamID) ([]string, error) {
	if s.cfg.Pins == nil {
		return nil, nil
	}
	if only != nil {
		_, err := s.cfg.Pins.Get(ctx, only.String())
		if errors.Is(err, statestore.ErrNotFound) {
			return []string{}, nil
		}
		if err != nil {
			return nil, err
		}
		return []string{only.String()}, nil
	}
	var out []string
	for e, err := range s.cfg.Pins.List(ctx, statestore.ListOptions{KeysOnly: true}) {
		if err != nil {
			return nil, fmt.Errorf("list pins: %w", err)
		}
		out = append(out, e.Key)
	}
	return out, nil
}

// persist pins the blocks of the log entries from index from on, then writes the stream's
// state durably. Blocks first: a stored state never names blocks that could be lost.
func (s *Service) persist(ctx context.Context, bg BlockGetter, st *State, from int) error {
	if s.cfg.Pins == nil {
		return nil
	}
	st.freeze() // final from here on: serialize once for the store, the cache and responses
	if err := s.pinBlocks(ctx, bg, st, from); err != nil {
		return err
	}
	raw, err := st.MarshalJSON()
	if err != nil {
		return fmt.Errorf("serialize state of %s: %w", st.ID(), err)
	}
	s.unpinned.remove(st.ID().String()) // before the write: a concurrent reader must not miss it
	if err := s.cfg.Pins.Put(ctx, st.ID().String(), raw); err != nil {
		return fmt.Errorf("persist state of %s: %w", st.ID(), err)
	}
	return nil
}

// unpinnedSet remembers streams found missing from the state store. Only this service pins
// (persist, under the stream's lock, forgets the stream first), so an entry stays true until
// then. It is bounded: when full it starts over.
type unpinnedSet struct {
	mu sync.Mutex
	m  map[string]struct{}
}

const maxUnpinned = 1 << 16

func (u *unpinnedSet) has(id string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	_, ok := u.m[id]
	return ok
}

func (u *unpinnedSet) add(id string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.m == nil || len(u.m) >= maxUnpinned {
		u.m = make(map[string]struct{})
	}
	u.m[id] = struct{}{}
}

func (u *unpinnedSet) remove(id string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.m, id)
}

// pinBlocks pins the blocks of a stream's log entries from index from on: commits, payloads,
// capabilities, proofs.
func (s *Service) pinBlocks(ctx context.Context, bg BlockGetter, st *State, from int) error {
	var cids []cid.Cid
	for _, e := range st.Log[from:] {
		cids = append(cids, e.CID)
		data, err := bg.Get(ctx, e.CID)
		if err != nil {
			return fmt.Errorf("pin commit %s: %w", e.CID, err)
		}
		switch e.CID.Type() {
		case codec.DagJOSE:
			if jws, err := codec.DecodeJWS(data); err == nil {
				if l, err := jws.Link(); err == nil {
					cids = append(cids, l)
				}
				if c, ok, _ := jws.Cap(); ok {
					cids = append(cids, c)
				}
			}
		case codec.DagCBOR:
			if e.Type == CommitAnchor {
				cids = append(cids, anchorBlocks(ctx, bg, e.CID, data)...)
			}
		}
	}
	if err := s.cfg.Blocks.Pin(ctx, cids...); err != nil {
		return fmt.Errorf("pin blocks of %s: %w", st.ID(), err)
	}
	return nil
}

// anchorBlocks returns the blocks an anchor commit depends on: its proof, the proof's Merkle
// root and the tree nodes on the commit's path, so that the anchor can be verified (and served
// to peers) as long as the stream is pinned. Blocks that cannot be read are skipped: the
// commit itself was verified when it was applied.
func anchorBlocks(ctx context.Context, bg BlockGetter, c cid.Cid, data []byte) []cid.Cid {
	v, err := codec.DecodeBlock(c, data)
	if err != nil {
		return nil
	}
	a, err := codec.DecodeAnchorCommit(v)
	if err != nil {
		return nil
	}
	out := []cid.Cid{a.Proof}
	pdata, err := bg.Get(ctx, a.Proof)
	if err != nil {
		return out
	}
	pv, err := codec.DecodeBlock(a.Proof, pdata)
	if err != nil {
		return out
	}
	proof, err := codec.DecodeAnchorProof(pv)
	if err != nil || a.Path == "" {
		return out // with an empty path the root is the anchored commit itself
	}
	if _, nodes, err := codec.WalkMerklePath(ctx, bg.Get, proof.Root, a.Path); err == nil {
		out = append(out, nodes...)
	}
	return out
}

func (s *Service) publish(ctx context.Context, st *State) {
	if s.cfg.Publisher == nil {
		return
	}
	model, _ := st.Metadata["model"].(string)
	if err := s.cfg.Publisher.PublishUpdate(ctx, st.ID(), st.Tip(), model); err != nil {
		s.log.Warn("Could not publish stream update", "stream", st.ID().String(), "err", err)
	}
}

// PinCheck is the result of CheckPins.
type PinCheck struct {
	// Streams is the number of pinned streams checked.
	Streams int
	// Unreadable lists pinned entries whose state could not be decoded.
	Unreadable []string
	// Missing maps StreamIDs to the commits of their log that the block store lacks.
	Missing map[string][]cid.Cid
	// Repinned counts streams whose commits were present but not all pinned, and have been
	// pinned again.
	Repinned int
}

// CheckPins compares the state store with the block store: every commit named by a pinned
// state should be a local block. Streams whose blocks are all present are pinned again
// (repairing lost pins); those with missing blocks are reported. has tells whether a block
// is stored locally, without asking the network; pinned whether it is pinned. It never
// changes a stored state.
func (s *Service) CheckPins(ctx context.Context, has, pinned func(context.Context, cid.Cid) (bool, error)) (PinCheck, error) {
	res := PinCheck{Missing: map[string][]cid.Cid{}}
	if s.cfg.Pins == nil {
		return res, nil
	}
	for e, err := range s.cfg.Pins.List(ctx, statestore.ListOptions{}) {
		if err != nil {
			return res, fmt.Errorf("list pinned streams: %w", err)
		}
		res.Streams++
		var st State
		if err := json.Unmarshal(e.Value, &st); err != nil {
			res.Unreadable = append(res.Unreadable, e.Key)
			continue
		}
		var missing []cid.Cid
		allPinned := true
		for _, l := range st.Log {
			ok, err := has(ctx, l.CID)
			if err != nil {
				return res, fmt.Errorf("check block %s: %w", l.CID, err)
			}
			if !ok {
				missing = append(missing, l.CID)
				continue
			}
			if allPinned {
				p, err := pinned(ctx, l.CID)
				if err != nil {
					return res, fmt.Errorf("check pin %s: %w", l.CID, err)
				}
				allPinned = p
			}
		}
		if len(missing) > 0 {
			res.Missing[e.Key] = missing
			continue
		}
		if allPinned {
			continue
		}
		if err := s.pinBlocks(ctx, s.cfg.Blocks, &st, 0); err != nil {
			return res, err
		}
		res.Repinned++
	}
	return res, nil
}
