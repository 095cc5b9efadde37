package anchor

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/anchor/cas"
	"github.com/goceramic/ceramic/streams/streamid"
)

// CASBackend is a Ceramic Anchor Service reached over HTTP, as a [Backend].
type CASBackend struct {
	Client *cas.Client
}

// Submit sends the request (POST /api/v0/requests). A request the CAS refuses (4xx) fails.
func (b CASBackend) Submit(ctx context.Context, s Submission) (Outcome, error) {
	resp, err := b.Client.Create(ctx, cas.Request{StreamID: s.StreamID, Tip: s.Tip, Timestamp: s.Timestamp, Blocks: s.Blocks})
	if err != nil {
		return Outcome{}, casError(err)
	}
	return outcomeOf(resp)
}

// Status asks for the request's status (GET /api/v0/requests/<tip>). A CAS that does not
// know the request answers 404, which makes the requester send it again.
func (b CASBackend) Status(ctx context.Context, _ streamid.StreamID, tip cid.Cid) (Outcome, error) {
	resp, err := b.Client.Get(ctx, tip)
	if err != nil {
		return Outcome{}, casError(err)
	}
	return outcomeOf(resp)
}

func casError(err error) error {
	var httpErr *cas.HTTPError
	switch {
	case errors.Is(err, cas.ErrUnavailable):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	case errors.As(err, &httpErr) && httpErr.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%w: %w", ErrUnknownRequest, err)
	default:
		return err
	}
}

// outcomeOf reads a CAS response; a COMPLETED one must carry a readable witness.
func outcomeOf(resp *cas.Response) (Outcome, error) {
	out := Outcome{Status: resp.Status, Message: resp.Message}
	if resp.Status == cas.StatusCompleted {
		commit, blocks, err := resp.Witness()
		if err != nil {
			return Outcome{}, fmt.Errorf("the anchor service's witness for %s is unreadable: %w", resp.CID, err)
		}
		out.AnchorCommit, out.Witness = commit, blocks
	}
	return out, nil
}

var _ Backend = CASBackend{}
