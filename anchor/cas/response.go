package cas

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/streams/codec"
)

// Status is the status of an anchor request.
type Status string

// The statuses of an anchor request. A request starts PENDING, is picked for a batch
// (READY), is being anchored (PROCESSING), then ends COMPLETED or FAILED; a PENDING request is
// REPLACED when a newer request for the same stream arrives.
const (
	// StatusPending: received, waiting for a batch.
	StatusPending Status = "PENDING"
	// StatusProcessing: in the batch being anchored.
	StatusProcessing Status = "PROCESSING"
	// StatusCompleted: anchored; the response carries the anchor commit and witness.
	StatusCompleted Status = "COMPLETED"
	// StatusFailed: anchoring failed; the node gives up on the request.
	StatusFailed Status = "FAILED"
	// StatusReady: selected for the next batch.
	StatusReady Status = "READY"
	// StatusReplaced: superseded by a newer request for the same stream.
	StatusReplaced Status = "REPLACED"
)

// Valid reports whether s is one of the six statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusProcessing, StatusCompleted, StatusFailed, StatusReady, StatusReplaced:
		return true
	}
	return false
}

// Final reports whether a request with status s will not change any more: COMPLETED,
// FAILED or REPLACED. A node stops polling such a request.
func (s Status) Final() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusReplaced
}

// Response is the JSON body a CAS returns for an anchor request, from POST /api/v0/requests
// and GET /api/v0/requests/<cid>.
type Response struct {
	// ID is the CAS's identifier of the request (a UUID).
	ID string `json:"id"`
	// Status is the request's status.
	Status Status `json:"status"`
	// CID is the tip CID the request anchors.
	CID string `json:"cid"`
	// StreamID is the StreamID string of the stream.
	StreamID string `json:"streamId"`
	// Message describes the status, e.g. "CID successfully anchored.".
	Message string `json:"message"`
	// CreatedAt is when the CAS received the request, in Unix milliseconds.
	CreatedAt int64 `json:"createdAt,omitempty"`
	// UpdatedAt is when the request last changed, in Unix milliseconds.
	UpdatedAt int64 `json:"updatedAt,omitempty"`
	// AnchorCommit names the anchor commit of a COMPLETED request.
	AnchorCommit *AnchorCommitRef `json:"anchorCommit,omitempty"`
	// WitnessCAR is, for a COMPLETED request, a CARv1 in base64 (standard alphabet, no
	// padding) whose root is the anchor commit and whose blocks are the anchor commit, its
	// proof and the Merkle tree nodes from the root down to the anchored tip. See
	// [Response.Witness].
	WitnessCAR string `json:"witnessCar,omitempty"`
}

// AnchorCommitRef is the anchorCommit field of a [Response].
type AnchorCommitRef struct {
	// CID is the CID string of the anchor commit.
	CID string `json:"cid"`
}

// Witness decodes the witness CAR of a COMPLETED response: the anchor commit CID (the CAR's
// first root, which is what js-ceramic applies) and every block of the CAR. Each block is
// checked against its CID, and the root must be among the blocks. Both base64 alphabets,
// padded or not, are accepted.
func (r *Response) Witness() (anchorCommit cid.Cid, blocks []codec.Block, err error) {
	if r.WitnessCAR == "" {
		return cid.Undef, nil, errors.New("cas: the response has no witness CAR")
	}
	data, err := decodeBase64(r.WitnessCAR)
	if err != nil {
		return cid.Undef, nil, fmt.Errorf("cas: the witness CAR is not base64: %w", err)
	}
	roots, blocks, err := codec.DecodeCAR(data)
	if err != nil {
		return cid.Undef, nil, fmt.Errorf("cas: the witness CAR: %w", err)
	}
	if len(roots) == 0 {
		return cid.Undef, nil, errors.New("cas: the witness CAR has no root")
	}
	root := roots[0]
	for _, b := range blocks {
		if b.CID == root {
			return root, blocks, nil
		}
	}
	return cid.Undef, nil, fmt.Errorf("cas: the witness CAR lacks its root block, the anchor commit %s", root)
}

// SetWitness makes r name anchorCommit as its anchor commit and carry blocks (which must
// include the anchor commit block) as its witness CAR. A CAS implementation calls it when a
// request is COMPLETED.
func (r *Response) SetWitness(anchorCommit cid.Cid, blocks []codec.Block) error {
	found := false
	for _, b := range blocks {
		found = found || b.CID == anchorCommit
	}
	if !found {
		return fmt.Errorf("cas: the witness blocks lack the anchor commit %s", anchorCommit)
	}
	car, err := codec.EncodeCAR([]cid.Cid{anchorCommit}, blocks)
	if err != nil {
		return fmt.Errorf("cas: %w", err)
	}
	r.AnchorCommit = &AnchorCommitRef{CID: anchorCommit.String()}
	r.WitnessCAR = base64.RawStdEncoding.EncodeToString(car)
	return nil
}

// check reports why a decoded response body is not a response js-ceramic would accept: an
// unknown status, or a COMPLETED status without an anchor commit CID.
func (r *Response) check() error {
	if !r.Status.Valid() {
		return fmt.Errorf("unknown anchor request status %q", truncate(string(r.Status), 40))
	}
	if r.Status == StatusCompleted {
		if r.AnchorCommit == nil {
			return errors.New("a COMPLETED response has no anchorCommit")
		}
		if _, err := cid.Decode(r.AnchorCommit.CID); err != nil {
			return fmt.Errorf("anchorCommit.cid %q is not a CID", truncate(r.AnchorCommit.CID, 120))
		}
	}
	return nil
}

// decodeBase64 decodes standard or URL-safe base64, padded or not.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}
