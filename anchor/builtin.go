package anchor

import (
	"context"
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/anchor/cas"
	"github.com/goceramic/ceramic/anchor/ethereum"
	"github.com/goceramic/ceramic/anchor/service"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
)

// This file connects the built-in anchor service (package service) to the rest: an EVM
// chain to anchor on, the node's requester in the same process, and the CAS HTTP API.

// EthereumChain anchors the built-in service's batches with an Ethereum transaction sender.
type EthereumChain struct {
	Sender *ethereum.Sender
}

// ChainID returns the sender's chain as CAIP-2 ("eip155:<id>").
func (c EthereumChain) ChainID() string { return fmt.Sprintf("eip155:%d", c.Sender.ChainID()) }

// Anchor sends one anchorDagCbor(root) transaction and waits until it is final.
func (c EthereumChain) Anchor(ctx context.Context, root cid.Cid) (service.Transaction, error) {
	tx, err := c.Sender.Anchor(ctx, root)
	if err != nil {
		return service.Transaction{}, err
	}
	return service.Transaction{TxHash: tx.CID, TxType: tx.TxType, BlockTime: tx.BlockTime}, nil
}

// ServiceBackend is the built-in anchor service used by a node in the same process, as a
// [Backend]. Requests are read and checked exactly as the CAS HTTP API checks them.
type ServiceBackend struct {
	Service *service.Service
}

// Submit records the request with the service.
func (b ServiceBackend) Submit(ctx context.Context, s Submission) (Outcome, error) {
	body, _, err := cas.EncodeRequest(cas.Request{StreamID: s.StreamID, Tip: s.Tip, Timestamp: s.Timestamp, Blocks: s.Blocks})
	if err != nil {
		return Outcome{}, err
	}
	sub, err := cas.DecodeRequest(cas.ContentTypeCAR, body)
	if err != nil {
		return Outcome{}, err
	}
	rec, _, err := b.Service.Submit(ctx, serviceRequest(sub))
	if err != nil {
		return Outcome{}, serviceError(err)
	}
	return recordOutcome(rec)
}

// Status reads the request's record.
func (b ServiceBackend) Status(ctx context.Context, _ streamid.StreamID, tip cid.Cid) (Outcome, error) {
	rec, err := b.Service.Get(ctx, tip)
	if err != nil {
		return Outcome{}, serviceError(err)
	}
	return recordOutcome(rec)
}

func serviceError(err error) error {
	switch {
	case errors.Is(err, service.ErrNotFound):
		return fmt.Errorf("%w: %w", ErrUnknownRequest, err)
	case errors.Is(err, service.ErrClosed):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}

func serviceRequest(s cas.Submission) service.Request {
	return service.Request{StreamID: s.StreamID, Tip: s.Tip, Timestamp: s.Timestamp, Model: s.Model, Controller: s.Controller}
}

func recordOutcome(rec service.Record) (Outcome, error) {
	out := Outcome{Status: rec.Status, Message: rec.Message}
	if rec.Status == service.StatusCompleted {
		var err error
		if out.AnchorCommit, out.Witness, err = witnessOf(rec); err != nil {
			return Outcome{}, err
		}
	}
	return out, nil
}

// witnessOf decodes a completed record's witness CAR: the anchor commit (its root) and its
// blocks.
func witnessOf(rec service.Record) (cid.Cid, []codec.Block, error) {
	roots, blocks, err := codec.DecodeCAR(rec.Witness)
	if err != nil || len(roots) == 0 {
		return cid.Undef, nil, fmt.Errorf("anchor: witness of %s is unreadable: %v", rec.Tip, err)
	}
	return roots[0], blocks, nil
}

// CASServer serves the built-in anchor service over the CAS HTTP API (see cas.NewHandler).
type CASServer struct {
	Service *service.Service
}

// Submit records a request received over HTTP.
func (s CASServer) Submit(ctx context.Context, sub cas.Submission) (*cas.Response, bool, error) {
	rec, created, err := s.Service.Submit(ctx, serviceRequest(sub))
	if err != nil {
		if errors.Is(err, service.ErrInvalidRequest) {
			return nil, false, fmt.Errorf("%w: %w", cas.ErrInvalidRequest, err)
		}
		return nil, false, err
	}
	resp, err := recordResponse(rec)
	return resp, created, err
}

// Get returns the record of a request.
func (s CASServer) Get(ctx context.Context, tip cid.Cid) (*cas.Response, error) {
	rec, err := s.Service.Get(ctx, tip)
	if err != nil {
		if errors.Is(err, service.ErrNotFound) {
			return nil, fmt.Errorf("%w: %w", cas.ErrNotFound, err)
		}
		return nil, err
	}
	return recordResponse(rec)
}

// SupportedChains lists the service's chain.
func (s CASServer) SupportedChains() []string { return s.Service.SupportedChains() }

func recordResponse(rec service.Record) (*cas.Response, error) {
	resp := &cas.Response{
		ID: rec.ID, Status: rec.Status, CID: rec.Tip.String(), StreamID: rec.StreamID.String(),
		Message: rec.Message, CreatedAt: rec.CreatedAt.UnixMilli(), UpdatedAt: rec.UpdatedAt.UnixMilli(),
	}
	if rec.Status == service.StatusCompleted {
		commit, blocks, err := witnessOf(rec)
		if err != nil {
			return nil, err
		}
		if err := resp.SetWitness(commit, blocks); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

var (
	_ Backend       = ServiceBackend{}
	_ cas.Backend   = CASServer{}
	_ service.Chain = EthereumChain{}
)
