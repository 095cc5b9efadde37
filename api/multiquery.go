package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
)

// defaultMultiQueryTimeout bounds each stream load of a multiquery whose request gives no
// timeout.
const defaultMultiQueryTimeout = 7 * time.Second

// maxParallelQueries is how many queries of one multiquery are loaded at the same time.
const maxParallelQueries = 16

// multiQueryRequest is the body of POST /multiqueries.
type multiQueryRequest struct {
	Queries []multiQuery `json:"queries"`
	// Timeout bounds each stream load, in milliseconds.
	Timeout any `json:"timeout"`
}

// multiQuery asks for one stream and the streams linked from it.
type multiQuery struct {
	StreamID string `json:"streamId"`
	DocID    string `json:"docId"` // 2.x name of streamId
	// Paths name links to follow: "/a/b" loads the stream whose StreamID is content.a, then
	// the one whose StreamID is content.b of that stream.
	Paths []string `json:"paths"`
	// Genesis, when given, is the stream's deterministic genesis commit, stored before the
	// load so that a stream nobody has created yet can be loaded.
	Genesis any            `json:"genesis"`
	Opts    map[string]any `json:"opts"`
}

// multiQuery serves POST /multiqueries: it loads every query's stream and the streams its
// paths link to, and answers one object mapping each loaded StreamID or CommitID (for a
// snapshot at a commit or a time: the CommitID of the state returned) to its state. A stream
// that fails to load, or takes longer than the timeout, is left out without an error; so is
// a whole query whose genesis does not match its StreamID.
func (h *handler) multiQuery(w http.ResponseWriter, r *http.Request) error {
	var req multiQueryRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Queries == nil {
		return BadRequest(errors.New("queries is required: a list of {streamId, paths}"))
	}
	timeout := defaultMultiQueryTimeout
	if ms, ok := finite(req.Timeout); ok && ms > 0 && ms < maxSyncTimeout.Seconds()*1000 {
		timeout = time.Duration(ms * float64(time.Millisecond))
	}
	ctx := r.Context()
	run := &multiQueryRun{h: h, timeout: timeout, results: map[string]*streams.State{}, live: map[string]streamid.StreamID{}}
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxParallelQueries)
	for _, q := range req.Queries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			run.query(ctx, q)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	// Streams loaded early may have changed while later ones loaded: bring every current
	// (non-snapshot) state up to date from the cache, so the answer is consistent.
	for key, id := range run.live {
		lctx, cancel := context.WithTimeout(ctx, timeout)
		st, err := h.streams.Load(lctx, id, streams.LoadOptions{Sync: streams.NeverSync})
		cancel()
		if err == nil {
			run.results[key] = st
		}
	}
	return writeJSON(w, http.StatusOK, run.results)
}

// multiQueryRun collects the results of one multiquery. Its methods are called concurrently.
type multiQueryRun struct {
	h       *handler
	timeout time.Duration

	mu      sync.Mutex
	results map[string]*streams.State
	live    map[string]streamid.StreamID // keys of current states (not snapshots)
}

// query runs one query, logging rather than returning failures.
func (m *multiQueryRun) query(ctx context.Context, q multiQuery) {
	defer m.recoverPanic(ctx)
	ref := q.StreamID
	if ref == "" {
		ref = q.DocID
	}
	id, commit, err := streamid.ParseAny(ref)
	if err != nil {
		m.skip(ctx, ref, err)
		return
	}
	o := m.h.parseOpts(q.Opts)
	if q.Genesis != nil {
		if err := m.storeGenesis(ctx, id, q.Genesis, o); err != nil {
			m.skip(ctx, ref, err)
			return
		}
	}
	m.load(ctx, id, commit, o, buildPathTree(q.Paths))
}

// errNotDeterministic rejects a multiquery genesis that is not a plain (unsigned) commit.
var errNotDeterministic = errors.New("Given genesis commit is not deterministic")

// storeGenesis stores the genesis a query gives for stream id, after checking that it is
// the stream's genesis. The genesis is encoded as it was received: only a plain JSON genesis
// (an unsigned TileDocument genesis, typically) hashes to a StreamID that way.
func (m *multiQueryRun) storeGenesis(ctx context.Context, id streamid.StreamID, genesis any, o requestOpts) error {
	if g, ok := genesis.(map[string]any); ok && (g["jws"] != nil || g["signatures"] != nil) {
		return errNotDeterministic
	}
	data, err := codec.EncodeDagCBOR(genesis)
	if err != nil {
		return fmt.Errorf("%w: %w", errNotDeterministic, err)
	}
	block := codec.NewBlock(codec.DagCBOR, data)
	if !block.CID.Equals(id.Genesis()) {
		return fmt.Errorf("%w: it hashes to %s, not to the genesis %s of stream %s", errNotDeterministic, block.CID, id.Genesis(), id)
	}
	if err := block.CheckSize(); err != nil {
		return err
	}
	wc, err := codec.NewWireCommit(block, nil, nil)
	if err != nil {
		return err
	}
	off := false
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	_, err = m.h.streams.CreateFromGenesis(ctx, id.Type(), wc, streams.WriteOptions{Pin: &off, Publish: &off, Anchor: &off, LoadOptions: o.load})
	if errors.Is(err, streams.ErrReadOnly) {
		return nil // a read-only node stores nothing; the load may still find the stream
	}
	return err
}

// load loads one stream (within the timeout), records it, and follows the links of tree in
// its content, concurrently.
func (m *multiQueryRun) load(ctx context.Context, id streamid.StreamID, commit *streamid.CommitID, o requestOpts, tree pathTree) {
	lctx, cancel := context.WithTimeout(ctx, m.timeout)
	st, err := m.h.load(lctx, id, commit, o)
	cancel()
	if err != nil {
		ref := id.String()
		if commit != nil {
			ref = commit.String()
		}
		m.skip(ctx, ref, err)
		return
	}
	m.add(id, commit, o, st)
	content, _ := st.CurrentContent().(map[string]any)
	if len(tree) == 0 || content == nil {
		return
	}
	var wg sync.WaitGroup
	for field, sub := range tree {
		s, ok := content[field].(string)
		if !ok {
			continue
		}
		child, err := streamid.Parse(s)
		if err != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer m.recoverPanic(ctx)
			m.load(ctx, child, nil, o, sub)
		}()
	}
	wg.Wait()
}

// add records a loaded state under its key: the CommitID for a snapshot at a commit, the
// CommitID of the returned tip for a snapshot at a time, else the StreamID.
func (m *multiQueryRun) add(id streamid.StreamID, commit *streamid.CommitID, o requestOpts, st *streams.State) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case commit != nil:
		m.results[commit.String()] = st
	case o.atTime != nil:
		m.results[st.CommitID().String()] = st
	default:
		m.results[id.String()] = st
		m.live[id.String()] = id
	}
}

func (m *multiQueryRun) skip(ctx context.Context, ref string, err error) {
	m.h.log.Debug("multiquery entry left out", "request_id", requestID(ctx), "stream", ref, "err", err)
}

// recoverPanic keeps a panic in a query goroutine from taking the process down; the query
// is left out of the answer.
func (m *multiQueryRun) recoverPanic(ctx context.Context) {
	if v := recover(); v != nil {
		m.h.log.Error("panic in multiquery", "request_id", requestID(ctx), "panic", v, "stack", string(debug.Stack()))
	}
}

// pathTree is the set of multiquery paths as a tree of content fields.
type pathTree map[string]pathTree

// buildPathTree splits paths on "/" into a tree; empty segments are skipped.
func buildPathTree(paths []string) pathTree {
	root := pathTree{}
	for _, p := range paths {
		cur := root
		for _, seg := range strings.Split(p, "/") {
			if seg == "" {
				continue
			}
			next, ok := cur[seg]
			if !ok {
				next = pathTree{}
				cur[seg] = next
			}
			cur = next
		}
	}
	return root
}
