package streams

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/goceramic/ceramic/streams/streamid"
)

// applyMode says how strictly commits are applied.
type applyMode int

const (
	// lenient applies as many commits as are valid and keeps the valid prefix (loads, network
	// updates).
	lenient applyMode = iota
	// strict fails on the first invalid commit (client writes).
	strict
)

// applyLog builds a state from a full log (genesis first). In lenient mode it stops at the
// first invalid commit after genesis and keeps what it built; an invalid genesis always fails.
func applyLog(ctx context.Context, env *applyEnv, id streamid.StreamID, log []*commitData, mode applyMode) (*State, error) {
	if len(log) == 0 {
		return nil, fmt.Errorf("%w: empty log", ErrNotFound)
	}
	h, err := handlerFor(id.Type())
	if err != nil {
		return nil, err
	}
	g := log[0]
	if g.Type != CommitGenesis {
		return nil, invalid("commit %s is not a genesis commit", g.CID)
	}
	if !g.CID.Equals(id.Genesis()) {
		return nil, invalid("the log of stream %s starts at %s, not at its genesis", id, g.CID)
	}
	st, err := h.applyGenesis(ctx, env, id, g)
	if err != nil {
		return nil, &CommitError{StreamID: id.String(), CID: g.CID, Err: err}
	}
	st, err = applyCommits(ctx, env, h, st, log[1:], mode)
	if err != nil {
		return nil, err
	}
	if err := checkExpiry(st, env.now()); err != nil {
		return nil, err
	}
	return st, nil
}

// applyCommits applies commits in order on top of st.
func applyCommits(ctx context.Context, env *applyEnv, h handler, st *State, commits []*commitData, mode applyMode) (*State, error) {
	for _, cd := range commits {
		next, err := applyOne(ctx, env, h, st, cd)
		if err != nil {
			if mode == strict {
				return nil, &CommitError{StreamID: st.ID().String(), CID: cd.CID, Err: err}
			}
			break
		}
		st = next
	}
	return st, nil
}

func applyOne(ctx context.Context, env *applyEnv, h handler, st *State, cd *commitData) (*State, error) {
	switch cd.Type {
	case CommitAnchor:
		return applyAnchor(st, cd)
	case CommitGenesis:
		return nil, invalid("commit %s is a genesis commit and cannot follow %s", cd.CID, st.Tip())
	default:
		return h.applyData(ctx, env, st, cd)
	}
}

// pickLog decides which of two divergent log suffixes (they share no commit) wins, exactly as
// js-ceramic's conflict resolution does. It returns true when remote wins.
//
// Kept quirks, for parity with js-ceramic nodes on the same network:
//   - the first anchor of a log counts even if it failed verification;
//   - an anchor without a timestamp compares as time 0 (JavaScript's null < t), so it wins
//     against any timestamped anchor;
//   - the final tie-break compares the last CIDs' bytes as JavaScript compares two byte
//     arrays with "<": as strings of comma-separated decimal numbers.
func pickLog(local, remote []LogEntry) bool {
	li, ri := firstAnchor(local), firstAnchor(remote)
	switch {
	case li >= 0 && ri < 0:
		return false
	case ri >= 0 && li < 0:
		return true
	case li >= 0 && ri >= 0:
		lt, rt := tsOrZero(local[li]), tsOrZero(remote[ri])
		if lt < rt {
			return false
		}
		if rt < lt {
			return true
		}
	}
	ll, rl := len(local), len(remote)
	if li >= 0 {
		ll = li + 1
	}
	if ri >= 0 {
		rl = ri + 1
	}
	if ll != rl {
		return rl > ll
	}
	a, b := jsByteString(local[len(local)-1].CID.Bytes()), jsByteString(remote[len(remote)-1].CID.Bytes())
	// js: if (log1.last < log2.last) pick log1 else pick log2, with log1 = local.
	return !(a < b)
}

func firstAnchor(log []LogEntry) int {
	for i, e := range log {
		if e.Type == CommitAnchor {
			return i
		}
	}
	return -1
}

func tsOrZero(e LogEntry) int64 {
	if e.Timestamp == nil {
		return 0
	}
	return *e.Timestamp
}

// jsByteString renders bytes as JavaScript's String(Uint8Array) does: "1,113,18".
func jsByteString(b []byte) string {
	var sb strings.Builder
	for i, x := range b {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.Itoa(int(x)))
	}
	return sb.String()
}
