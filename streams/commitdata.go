package streams

import (
	"context"
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/verify"
)

// commitData is one commit with everything needed to apply it: the decoded commit, its
// signature envelope and capability, or its anchor proof.
type commitData struct {
	CID  cid.Cid
	Form codec.Form
	Type CommitType
	// Body is the commit value: the payload of a signed commit, the block value otherwise.
	Body any

	JWS      *codec.JWS
	CACAO    []byte
	CACAOCID cid.Cid

	Anchor *codec.AnchorCommit
	Proof  *codec.AnchorProof
	// AnchorErr is why an anchor commit failed verification; it is raised when the anchor is
	// applied, not when the log is fetched.
	AnchorErr error

	// Timestamp is the anchor time (unix seconds) of the first valid anchor at or after the
	// commit, if any.
	Timestamp *int64
	// Signer is filled in when a signed commit was verified.
	Signer *verify.Result
}

// prev returns the commit's prev link, if it has one.
func (c *commitData) prev() (cid.Cid, bool) {
	m, _ := c.Body.(map[string]any)
	p, ok := m["prev"].(cid.Cid)
	return p, ok
}

// overlay reads blocks from a small set in hand (those of a commit a client just sent)
// before asking the block store, saving a read-back of what was just written.
type overlay struct {
	blocks map[cid.Cid][]byte
	next   BlockGetter
}

func withBlocks(next BlockGetter, blocks ...codec.Block) BlockGetter {
	m := make(map[cid.Cid][]byte, len(blocks))
	for _, b := range blocks {
		m[b.CID] = b.Data
	}
	return overlay{blocks: m, next: next}
}

func (o overlay) Get(ctx context.Context, c cid.Cid) ([]byte, error) {
	if b, ok := o.blocks[c]; ok {
		return b, nil
	}
	return o.next.Get(ctx, c)
}

// getBlock fetches a block, checks it against the size limit and its CID.
func getBlock(ctx context.Context, bs BlockGetter, c cid.Cid) ([]byte, error) {
	data, err := bs.Get(ctx, c)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: block %s is not available: %w", ErrNotFound, c, ctx.Err())
		}
		return nil, fmt.Errorf("fetch block %s: %w", c, err)
	}
	if err := codec.CheckBlockSize(c, data); err != nil {
		return nil, &userError{kind: ErrInvalidCommit, msg: err.Error(), err: err}
	}
	return data, nil
}

// loadCommit fetches a commit and the blocks it refers to (payload, capability, proof), the
// way js-ceramic classifies commits: by the fields present.
func loadCommit(ctx context.Context, bs BlockGetter, c cid.Cid) (*commitData, error) {
	data, err := getBlock(ctx, bs, c)
	if err != nil {
		return nil, err
	}
	v, err := codec.DecodeBlock(c, data)
	if err != nil {
		return nil, &userError{kind: ErrInvalidCommit, msg: err.Error(), err: err}
	}
	cd := &commitData{CID: c, Form: codec.FormOf(c.Type(), v)}
	switch cd.Form {
	case codec.FormSigned:
		jws, err := codec.EnvelopeOf(codec.Block{CID: c, Data: data})
		if err != nil {
			return nil, &userError{kind: ErrInvalidCommit, msg: err.Error(), err: err}
		}
		cd.JWS = &jws
		link, err := jws.Link()
		if err != nil {
			return nil, invalid("commit %s: the signed commit's payload is not a CID: %v", c, err)
		}
		payload, err := getBlock(ctx, bs, link)
		if err != nil {
			return nil, err
		}
		if cd.Body, err = codec.DecodeBlock(link, payload); err != nil {
			return nil, &userError{kind: ErrInvalidCommit, msg: err.Error(), err: err}
		}
		capCID, ok, err := jws.Cap()
		if err != nil {
			return nil, invalid("commit %s: invalid cap in the protected header: %v", c, err)
		}
		if ok {
			if cd.CACAO, err = getBlock(ctx, bs, capCID); err != nil {
				return nil, err
			}
			cd.CACAOCID = capCID
		}
	case codec.FormAnchor:
		cd.Body = v
		if cd.Anchor, err = codec.DecodeAnchorCommit(v); err != nil {
			return nil, &userError{kind: ErrInvalidCommit, msg: err.Error(), err: err}
		}
		proofData, err := getBlock(ctx, bs, cd.Anchor.Proof)
		if err != nil {
			return nil, err
		}
		pv, err := codec.DecodeBlock(cd.Anchor.Proof, proofData)
		if err != nil {
			return nil, &userError{kind: ErrInvalidCommit, msg: err.Error(), err: err}
		}
		if cd.Proof, err = codec.DecodeAnchorProof(pv); err != nil {
			return nil, &userError{kind: ErrInvalidCommit, msg: err.Error(), err: err}
		}
	default:
		cd.Body = v
	}
	cd.Type = CommitType(codec.TypeOf(cd.Form, cd.Body))
	return cd, nil
}

// fetchLog walks prev links back from tip until stop returns true for a CID (that CID is not
// included) or a genesis commit is reached (included). The result is oldest first.
func fetchLog(ctx context.Context, bs BlockGetter, tip cid.Cid, stop func(cid.Cid) bool) ([]*commitData, error) {
	var out []*commitData
	seen := map[cid.Cid]bool{}
	for c := tip; ; {
		if stop != nil && stop(c) {
			break
		}
		if seen[c] {
			return nil, invalid("commit %s: the log has a cycle", c)
		}
		seen[c] = true
		cd, err := loadCommit(ctx, bs, c)
		if err != nil {
			return nil, err
		}
		out = append(out, cd)
		p, ok := cd.prev()
		if !ok {
			break
		}
		c = p
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// verifyAnchors checks the anchor commits of a log (newest first) and assigns every commit the
// time of the first valid anchor at or after it. A failed verification is kept on the commit
// and raised only if that anchor is applied. A proof that cannot be checked now (its chain is
// unreachable) is neither: the whole operation fails with an error wrapping
// ErrProofUnavailable, so that nothing is decided on a proof nobody checked.
func verifyAnchors(ctx context.Context, v ProofVerifier, bs BlockGetter, log []*commitData) error {
	var ts *int64
	for i := len(log) - 1; i >= 0; i-- {
		cd := log[i]
		if cd.Type == CommitAnchor && cd.Anchor != nil {
			if v == nil {
				cd.AnchorErr = errors.New("anchor proofs cannot be verified: this node has no anchor verifier")
			} else if t, err := v.VerifyAnchor(ctx, cd.Anchor, cd.Proof, bs); errors.Is(err, ErrProofUnavailable) {
				return &CommitError{CID: cd.CID, Err: err}
			} else if err != nil {
				cd.AnchorErr = err
			} else {
				ts = &t
			}
		}
		cd.Timestamp = ts
	}
	return nil
}
