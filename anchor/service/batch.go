package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/anchor/merkle"
	"github.com/goceramic/ceramic/statestore"
	"github.com/goceramic/ceramic/streams/codec"
)

// finishTimeout bounds the work after a transaction is final (storing blocks and records),
// which must not be abandoned when the batch's context is cancelled.
const finishTimeout = time.Minute

// AnchorNow runs one batch now: it anchors the oldest pending requests (at most
// Config.MaxBatch) with one transaction and waits for it. With nothing pending it only
// prunes old records (when due). It returns the chain's error, wrapped, when the
// transaction failed (the records are then PENDING again, or FAILED after
// Config.MaxAttempts). Batches run one at a time; requests submitted while one runs wait
// for the next.
func (s *Service) AnchorNow(ctx context.Context) error {
	s.batchMu.Lock()
	defer s.batchMu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(s.life, cancel)()

	batch, err := s.take(ctx)
	if err != nil {
		return err
	}
	if len(batch) > 0 {
		err = s.anchor(ctx, batch)
	}
	s.maybePrune(ctx)
	return err
}

// take selects the batch, marks it PROCESSING and stores that.
func (s *Service) take(ctx context.Context) ([]*Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if len(s.pending) == 0 {
		return nil, nil
	}
	batch := make([]*Record, 0, len(s.pending))
	for _, r := range s.pending {
		batch = append(batch, r)
	}
	slices.SortFunc(batch, func(a, b *Record) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.Tip.KeyString(), b.Tip.KeyString()))
	})
	if len(batch) > s.cfg.MaxBatch {
		batch = batch[:s.cfg.MaxBatch]
	}
	now := millis(s.now())
	marked := make([]*Record, len(batch))
	for i, r := range batch {
		m := *r
		m.Status, m.Message, m.UpdatedAt = StatusProcessing, msgProcessing, now
		marked[i] = &m
	}
	if err := s.persist(ctx, marked...); err != nil {
		return nil, fmt.Errorf("service: marking a batch of %d PROCESSING: %w", len(batch), err)
	}
	for _, r := range marked {
		delete(s.pending, r.StreamID.String())
	}
	return marked, nil
}

// anchor anchors the batch taken by take and records the outcome.
func (s *Service) anchor(ctx context.Context, batch []*Record) error {
	start := time.Now()
	leaves := make([]merkle.Leaf, len(batch))
	byTip := make(map[cid.Cid]*Record, len(batch))
	for i, r := range batch {
		leaves[i] = merkle.Leaf{CID: r.Tip, StreamID: r.StreamID.String(), Model: r.Model, Controller: r.Controller}
		byTip[r.Tip] = r
	}
	tree, err := merkle.Build(leaves)
	if err != nil {
		return s.fail(ctx, batch, err)
	}
	tx, err := s.cfg.Chain.Anchor(ctx, tree.Root())
	if err == nil && !tx.TxHash.Defined() {
		err = errors.New("the chain returned a transaction without a hash")
	}
	if err != nil {
		return s.fail(ctx, batch, err)
	}

	// The transaction is final: from here on, finish even if ctx is cancelled.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	proof := codec.AnchorProof{ChainID: s.chainID, TxHash: tx.TxHash, Root: tree.Root(), TxType: tx.TxType}
	proofBlock, err := encodeBlock(proof.Value())
	if err != nil {
		return s.fail(fctx, batch, err)
	}
	blocks := append([]codec.Block{proofBlock}, tree.Blocks()...)
	now := millis(s.now())
	for _, leaf := range tree.Leaves() {
		r := byTip[leaf.CID]
		path, _ := tree.Path(leaf.CID)
		genesis := r.StreamID.Genesis()
		commit := codec.AnchorCommit{ID: &genesis, Prev: r.Tip, Proof: proofBlock.CID, Path: path}
		commitBlock, err := encodeBlock(commit.Value())
		if err != nil {
			return s.fail(fctx, batch, err)
		}
		witness := append([]codec.Block{commitBlock, proofBlock}, tree.Witness(leaf.CID)...)
		car, err := codec.EncodeCAR([]cid.Cid{commitBlock.CID}, witness)
		if err != nil {
			return s.fail(fctx, batch, err)
		}
		blocks = append(blocks, commitBlock)
		r.Status, r.Message, r.UpdatedAt = StatusCompleted, msgCompleted, now
		r.AnchorCommit, r.Witness = commitBlock.CID, car
	}
	if s.cfg.Blocks != nil {
		if err := s.cfg.Blocks.Put(fctx, blocks...); err != nil {
			s.log.Warn("anchor service: storing the anchor blocks failed; the witnesses hold them", "root", tree.Root(), "err", err)
		}
	}

	s.mu.Lock()
	err = s.persist(fctx, batch...)
	if err != nil {
		// Anchored, but not recorded: anchor the requests again in the next batch.
		var changed []*Record
		for _, r := range batch {
			r.Status, r.Message, r.UpdatedAt = StatusPending, msgInterrupted, now
			r.AnchorCommit, r.Witness = cid.Undef, nil
			changed = also(append(changed, r), s.admit(r, now, false))
		}
		_ = s.persist(fctx, changed...) // best effort: the store is failing; New recovers too
		s.mu.Unlock()
		return fmt.Errorf("service: batch anchored in %s but its records could not be stored (they will be anchored again): %w", tx.TxHash, err)
	}
	s.mu.Unlock()
	s.log.Info("anchor service: batch anchored", "count", len(batch), "root", tree.Root(),
		"chain", s.chainID, "tx", tx.TxHash, "blockTime", tx.BlockTime, "took", time.Since(start))
	if s.cfg.OnComplete != nil {
		for _, r := range batch {
			s.cfg.OnComplete(*r)
		}
	}
	return nil
}

// fail records a failed batch: its records are PENDING again with one more attempt, or
// FAILED after MaxAttempts. An attempt is not counted when ctx was cancelled (the service is
// closing, or the caller gave up): the chain did not fail.
func (s *Service) fail(ctx context.Context, batch []*Record, cause error) error {
	counted := ctx.Err() == nil
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	now := millis(s.now())
	var changed []*Record
	failed := 0
	for _, r := range batch {
		r.UpdatedAt = now
		if counted {
			r.Attempts++
		}
		if r.Attempts >= s.cfg.MaxAttempts {
			r.Status = StatusFailed
			r.Message = fmt.Sprintf("Anchoring failed after %d attempts: %v", r.Attempts, cause)
			changed = append(changed, r)
			failed++
			continue
		}
		r.Status = StatusPending
		if counted {
			r.Message = fmt.Sprintf("Anchor attempt %d of %d failed, will retry: %v", r.Attempts, s.cfg.MaxAttempts, cause)
		} else {
			r.Message = msgInterrupted
		}
		// A request submitted for the stream during the batch may be newer.
		changed = also(append(changed, r), s.admit(r, now, false))
	}
	if err := s.persist(pctx, changed...); err != nil {
		s.log.Error("anchor service: storing the outcome of a failed batch", "err", err)
	}
	if !counted {
		return fmt.Errorf("service: batch of %d interrupted: %w", len(batch), cause)
	}
	return fmt.Errorf("service: anchoring a batch of %d failed (%d now FAILED): %w", len(batch), failed, cause)
}

// encodeBlock encodes v as a dag-cbor block.
func encodeBlock(v map[string]any) (codec.Block, error) {
	data, err := codec.EncodeDagCBOR(v)
	if err != nil {
		return codec.Block{}, err
	}
	return codec.NewBlock(codec.DagCBOR, data), nil
}

// maybePrune deletes finished records older than the retention, at most every pruneEvery
// (or every retention, if shorter).
func (s *Service) maybePrune(ctx context.Context) {
	if s.retention < 0 {
		return
	}
	now := millis(s.now())
	s.mu.Lock()
	due := now.Sub(s.lastPrune) >= min(pruneEvery, s.retention)
	s.mu.Unlock()
	if !due {
		return
	}
	n, err := s.prune(ctx, now)
	if err != nil {
		s.log.Warn("anchor service: pruning old records", "err", err)
		return
	}
	if n > 0 {
		s.log.Info("anchor service: pruned old records", "count", n)
	}
}

// prune deletes the finished records older than the retention and returns how many.
func (s *Service) prune(ctx context.Context, now time.Time) (int, error) {
	var keys []string
	for e, err := range s.cfg.Store.List(ctx, statestore.ListOptions{}) {
		if err != nil {
			return 0, err
		}
		if r, err := decodeRecord(e.Value); err == nil && s.expired(r, now) {
			keys = append(keys, e.Key)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastPrune = now
	// A finished record never changes, so the ones found are still expired.
	return len(keys), s.delete(ctx, keys)
}
