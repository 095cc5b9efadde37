package streams

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
	"github.com/goceramic/ceramic/streams/verify"
)

// handler applies the commits of one stream type.
type handler interface {
	// applyGenesis builds the first state of stream id from its genesis commit.
	applyGenesis(ctx context.Context, env *applyEnv, id streamid.StreamID, cd *commitData) (*State, error)
	// applyData applies a data commit to a copy of st and returns the copy.
	applyData(ctx context.Context, env *applyEnv, st *State, cd *commitData) (*State, error)
}

// applyEnv is what handlers need besides the commit and the state.
type applyEnv struct {
	now func() time.Time
	// schema validates content against the schema tile named by a CommitID string.
	schema func(ctx context.Context, schemaCommitID string, content any) error
}

// handlers maps stream types to their handlers.
var handlers = map[streamid.Type]handler{
	streamid.Tile: tileHandler{},
}

func handlerFor(t streamid.Type) (handler, error) {
	h, ok := handlers[t]
	if !ok {
		if t.Registered() {
			return nil, &userError{kind: ErrUnsupported, msg: fmt.Sprintf("streams of type %s are not supported by this node yet", t.Name())}
		}
		return nil, invalid("%d is not a valid stream type", uint64(t))
	}
	return h, nil
}

// verifySigned checks a signed commit's signature against the controller the stream expects.
func verifySigned(env *applyEnv, cd *commitData, controller string, id streamid.StreamID, model string) (*verify.Result, error) {
	if cd.JWS == nil {
		return nil, invalid("commit %s is not signed", cd.CID)
	}
	req := verify.Request{
		JWS:        verify.JWS{Protected: cd.JWS.Protected, Payload: cd.JWS.Payload, Signature: cd.JWS.Signature},
		CACAO:      cd.CACAO,
		CACAOCID:   cd.CACAOCID,
		Controller: controller,
		StreamID:   id.String(),
		Model:      model,
		Now:        env.now(),
	}
	if cd.Timestamp != nil {
		at := time.Unix(*cd.Timestamp, 0)
		req.AtTime = &at
	}
	res, err := verify.Verify(req)
	if err != nil {
		// The first words are js-ceramic's, which clients match on.
		msg := fmt.Sprintf("Can not verify signature for commit %s to stream %s which has controller DID %s: %v", cd.CID, id, controller, err)
		return nil, &userError{kind: ErrUnauthorized, msg: msg, err: err}
	}
	cd.Signer = &res
	return &res, nil
}

// logEntryFor makes the log entry of an applied commit.
func logEntryFor(cd *commitData, t CommitType) LogEntry {
	e := LogEntry{CID: cd.CID, Type: t, Timestamp: cd.Timestamp}
	if cd.Signer != nil && cd.Signer.CapabilityExpires != nil {
		exp := verify.LogExpirationTime(*cd.Signer.CapabilityExpires)
		e.ExpirationTime = &exp
	}
	return e
}

// assertLinks checks that a commit's id (when present) is the stream's genesis and its prev
// is the current tip.
func assertLinks(st *State, id *cid.Cid, prev cid.Cid, c cid.Cid) error {
	if id != nil && !id.Equals(st.Log[0].CID) {
		return invalid("commit %s belongs to stream genesis %s, not %s", c, id, st.Log[0].CID)
	}
	if !prev.Equals(st.Tip()) {
		return &userError{kind: ErrConflict, msg: fmt.Sprintf("commit %s builds on %s, which is not the current tip %s of the stream", c, prev, st.Tip())}
	}
	return nil
}

// applyAnchor applies an anchor commit (the same for every stream type): the stream becomes
// ANCHORED, log timestamps are filled in and pending changes become the anchored content.
func applyAnchor(st *State, cd *commitData) (*State, error) {
	a := cd.Anchor
	if a == nil || cd.Proof == nil {
		return nil, invalid("commit %s is not a valid anchor commit", cd.CID)
	}
	if err := assertLinks(st, a.ID, a.Prev, cd.CID); err != nil {
		return nil, err
	}
	if cd.AnchorErr != nil {
		return nil, invalid("anchor commit %s failed verification: %v", cd.CID, cd.AnchorErr)
	}
	next := st.Clone()
	next.AnchorStatus = Anchored
	next.AnchorProof = &AnchorProof{ChainID: cd.Proof.ChainID, TxHash: cd.Proof.TxHash, Root: cd.Proof.Root, TxType: cd.Proof.TxType}
	next.Log = append(next.Log, LogEntry{CID: cd.CID, Type: CommitAnchor, Timestamp: cd.Timestamp})
	// Every earlier entry takes the time of the nearest anchor after it.
	var ts *int64
	for i := len(next.Log) - 1; i >= 0; i-- {
		if next.Log[i].Type == CommitAnchor {
			ts = next.Log[i].Timestamp
			continue
		}
		if ts != nil {
			v := *ts
			next.Log[i].Timestamp = &v
		}
	}
	if next.Next != nil {
		if next.Next.HasContent && truthy(next.Next.Content) {
			next.Content = next.Next.Content
		}
		if next.Next.Metadata != nil {
			next.Metadata = next.Next.Metadata
		}
		next.Next = nil
	}
	return next, nil
}

// checkExpiry fails when a commit's capability expired before the commit was anchored (or,
// for an unanchored commit, before now). There is no grace period here.
func checkExpiry(st *State, now time.Time) error {
	for _, e := range st.Log {
		if e.ExpirationTime == nil {
			continue
		}
		ts := int64(0)
		if e.Timestamp != nil {
			ts = *e.Timestamp
		}
		if err := verify.CheckLogExpiry(*e.ExpirationTime, ts, now); err != nil {
			return &userError{kind: ErrUnauthorized, msg: err.Error(), err: err}
		}
	}
	return nil
}

// truthy reports JavaScript truthiness for JSON-like values.
func truthy(v any) bool { return codec.Truthy(v) }

var errNoController = errors.New("Exactly one controller must be specified")

// singleController validates header.controllers: exactly one string starting with "did:".
func singleController(header map[string]any) (string, error) {
	cs, ok := header["controllers"].([]any)
	if !ok || len(cs) != 1 {
		return "", errNoController
	}
	c, ok := cs[0].(string)
	if !ok || len(c) < 4 || c[:4] != "did:" {
		return "", fmt.Errorf("Attempting to create a TileDocument with an invalid DID string: %v", cs[0])
	}
	return c, nil
}
