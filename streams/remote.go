package streams

import (
	"context"
	"fmt"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/streams/streamid"
)

// RemoteFetchTimeout bounds fetching the commits of a tip learned from the network (its log
// back to a commit this node knows), block by block from peers.
const RemoteFetchTimeout = 30 * time.Second

// TipQuerier asks the network which tips its peers know for a stream. The channel yields
// the tips as answers arrive and is closed when the query is over (ctx done, or no more
// answers are expected).
type TipQuerier interface {
	QueryTips(ctx context.Context, id streamid.StreamID) (<-chan cid.Cid, error)
}

// LocalTip returns the tip of a stream this node holds, in memory or in its state store,
// without asking the network and without waiting for operations on the stream. It answers
// peers' queries.
func (s *Service) LocalTip(ctx context.Context, id streamid.StreamID) (cid.Cid, bool) {
	if e, ok := s.cache.get(id.String()); ok {
		return e.state.Tip(), true
	}
	// No lock: a stream being loaded or written must not hold up the answer to a peer.
	st, err := s.readPinned(ctx, id, false)
	if err != nil || st == nil {
		return cid.Undef, false
	}
	return st.Tip(), true
}

// ApplyRemoteTip applies a tip a peer announced for a stream this node holds (in memory or
// pinned); tips of other streams are ignored. The tip's commits are fetched back to a commit
// the node knows, verified, and applied leniently through the same fork choice as
// js-ceramic: a tip that extends the log is applied as far as its commits are valid; a tip
// on a fork replaces the local branch only if it wins conflict resolution. It reports
// whether the state changed; a pinned stream's new state is persisted.
func (s *Service) ApplyRemoteTip(ctx context.Context, id streamid.StreamID, tip cid.Cid) (bool, error) {
	unlock := s.locks.lock(id.String())
	defer unlock()
	st, pinned, err := s.known(ctx, id)
	if err != nil || st == nil {
		return false, err
	}
	next, err := s.applyTip(ctx, id, st, tip)
	if err != nil || next == st {
		return false, err
	}
	if err := s.keep(ctx, st, next, pinned); err != nil {
		return false, err
	}
	return true, nil
}

// keep stores a state that replaced old: pinned streams are persisted (the blocks of the
// entries old did not have are pinned) and the cache is updated.
func (s *Service) keep(ctx context.Context, old, next *State, pinned bool) error {
	if pinned {
		from := 0
		for from < len(old.Log) && from < len(next.Log) && old.Log[from].CID.Equals(next.Log[from].CID) {
			from++
		}
		if err := s.persist(ctx, s.cfg.Blocks, next, from); err != nil {
			return err
		}
	}
	s.cache.put(old.ID().String(), next, pinned)
	return nil
}

// applyTip returns st with tip applied, or st itself when tip changes nothing (already known,
// a foreign log, or the losing side of a fork). The caller holds the stream's lock.
func (s *Service) applyTip(ctx context.Context, id streamid.StreamID, st *State, tip cid.Cid) (*State, error) {
	index := make(map[cid.Cid]int, len(st.Log))
	for i, e := range st.Log {
		index[e.CID] = i
	}
	if _, ok := index[tip]; ok {
		return st, nil
	}
	fctx, cancel := context.WithTimeout(ctx, RemoteFetchTimeout)
	defer cancel()
	newLog, err := fetchLog(fctx, s.cfg.Blocks, tip, func(c cid.Cid) bool { _, ok := index[c]; return ok })
	if err != nil {
		return nil, fmt.Errorf("fetch the log of tip %s of %s: %w", tip, id, err)
	}
	if len(newLog) == 0 {
		return st, nil
	}
	prev, ok := newLog[0].prev()
	if !ok {
		return st, nil // the log does not join this stream's: a foreign or fake tip
	}
	d := index[prev]
	if err := verifyAnchors(ctx, s.cfg.Verifier, s.cfg.Blocks, newLog); err != nil {
		return nil, err
	}
	h, err := handlerFor(id.Type())
	if err != nil {
		return nil, err
	}
	base := st
	if d != len(st.Log)-1 {
		remote := make([]LogEntry, len(newLog))
		for i, cd := range newLog {
			remote[i] = LogEntry{CID: cd.CID, Type: cd.Type, Timestamp: cd.Timestamp}
		}
		if !pickLog(st.Log[d+1:], remote) {
			return st, nil
		}
		if base, err = s.stateAt(ctx, id, st, d); err != nil {
			return nil, err
		}
	}
	next, err := applyCommits(ctx, s.env, h, base, newLog, lenient)
	if err != nil {
		return nil, err
	}
	if next.Tip().Equals(st.Tip()) || len(next.Log) == len(base.Log) {
		return st, nil // nothing of the remote log was valid
	}
	if err := checkExpiry(next, s.cfg.Now()); err != nil {
		return nil, err
	}
	return next, nil
}

// stateAt rebuilds the state of a stream as of entry d of its log, re-reading and
// re-applying its commits. Timestamps are those of the anchors up to d: anchors of the
// dropped branch no longer vouch for anything.
func (s *Service) stateAt(ctx context.Context, id streamid.StreamID, st *State, d int) (*State, error) {
	fctx, cancel := context.WithTimeout(ctx, RemoteFetchTimeout)
	defer cancel()
	log, err := fetchLog(fctx, s.cfg.Blocks, st.Log[d].CID, nil)
	if err != nil {
		return nil, fmt.Errorf("re-read the log of %s: %w", id, err)
	}
	if len(log) != d+1 {
		return nil, fmt.Errorf("re-read the log of %s: %d commits up to %s, the state has %d", id, len(log), st.Log[d].CID, d+1)
	}
	var ts *int64
	for i := d; i >= 0; i-- {
		if st.Log[i].Type == CommitAnchor {
			ts = st.Log[i].Timestamp
		}
		log[i].Timestamp = ts
	}
	return applyLog(ctx, s.env, id, log, lenient)
}

// syncFromNetwork asks peers for the tips of a stream and applies each (the caller holds
// the stream's lock); wait bounds how long answers are awaited. With firstOnly it returns
// as soon as one answer changed the state: a stream this node did not know is served at the
// first tip a peer gave, and tips arriving later reach it through ApplyRemoteTip. Failures
// are logged: the state built so far is kept.
func (s *Service) syncFromNetwork(ctx context.Context, id streamid.StreamID, st *State, wait time.Duration, firstOnly bool) *State {
	if s.cfg.Network == nil {
		return st
	}
	qctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	tips, err := s.cfg.Network.QueryTips(qctx, id)
	if err != nil {
		s.log.Warn("Cannot query the network for a stream", "stream", id.String(), "err", err)
		return st
	}
	for tip := range tips {
		next, err := s.applyTip(ctx, id, st, tip)
		if err != nil {
			s.log.Debug("Ignoring a tip from the network", "stream", id.String(), "tip", tip.String(), "err", err)
			continue
		}
		changed := next != st
		st = next
		if changed && firstOnly {
			break
		}
	}
	return st
}
