package service

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/anchor/cas"
	"github.com/goceramic/ceramic/streams/streamid"
)

// Status is the status of an anchor request: the CAS protocol's (cas.Status).
type Status = cas.Status

// The statuses of a [Record]. The CAS's READY (selected for the next batch) is not used:
// a batch takes PENDING records directly. PENDING waits for a batch, PROCESSING is in the
// batch being anchored, COMPLETED has its anchor commit and witness, FAILED means the chain
// failed Config.MaxAttempts times (the message says why), and REPLACED means a request for a
// newer tip of the same stream superseded this one.
const (
	StatusPending    = cas.StatusPending
	StatusProcessing = cas.StatusProcessing
	StatusCompleted  = cas.StatusCompleted
	StatusFailed     = cas.StatusFailed
	StatusReplaced   = cas.StatusReplaced
)

// Messages of the records. The message of COMPLETED is the CAS's, which clients may show.
const (
	msgPending     = "Waiting for the next anchor batch."
	msgProcessing  = "Request is being anchored."
	msgCompleted   = "CID successfully anchored."
	msgInterrupted = "Anchoring was interrupted; the request is pending again."
)

// Record is what the service knows about one anchor request. Its times are kept to the
// millisecond, in UTC.
type Record struct {
	// ID is a random UUID (version 4) naming the request.
	ID string
	// StreamID is the stream whose tip is anchored.
	StreamID streamid.StreamID
	// Tip is the commit to anchor; records are keyed by it.
	Tip cid.Cid
	// Status is the request's status.
	Status Status
	// Message explains the status, for people.
	Message string
	// CreatedAt is when the request was first received.
	CreatedAt time.Time
	// UpdatedAt is when the record last changed.
	UpdatedAt time.Time
	// Timestamp is the request's own time (when the node made the request); of two
	// requests for one stream the later Timestamp wins.
	Timestamp time.Time
	// Model is the StreamID string of the stream's model, "" if it has none.
	Model string
	// Controller is the stream's first controller.
	Controller string
	// Attempts counts the batches of this request that failed on the chain.
	Attempts int
	// AnchorCommit is the CID of the anchor commit (COMPLETED only).
	AnchorCommit cid.Cid
	// Witness is a CARv1 with root AnchorCommit and the blocks a node needs to verify it:
	// the anchor commit, the proof, the Merkle root and the nodes on the path (COMPLETED
	// only).
	Witness []byte
}

// storedRecord is the JSON form of a Record in the store. Times are unix milliseconds.
type storedRecord struct {
	ID           string `json:"id"`
	StreamID     string `json:"streamId"`
	CID          string `json:"cid"`
	Status       string `json:"status"`
	Message      string `json:"message"`
	CreatedAt    int64  `json:"createdAt"`
	UpdatedAt    int64  `json:"updatedAt"`
	Timestamp    int64  `json:"timestamp"`
	Model        string `json:"model,omitempty"`
	Controller   string `json:"controller,omitempty"`
	Attempts     int    `json:"attempts,omitempty"`
	AnchorCommit string `json:"anchorCommit,omitempty"`
	Witness      []byte `json:"witness,omitempty"`
}

// key is the store key of the record of tip.
func key(tip cid.Cid) string { return tip.String() }

func encodeRecord(r *Record) ([]byte, error) {
	s := storedRecord{
		ID:         r.ID,
		StreamID:   r.StreamID.String(),
		CID:        r.Tip.String(),
		Status:     string(r.Status),
		Message:    r.Message,
		CreatedAt:  r.CreatedAt.UnixMilli(),
		UpdatedAt:  r.UpdatedAt.UnixMilli(),
		Timestamp:  r.Timestamp.UnixMilli(),
		Model:      r.Model,
		Controller: r.Controller,
		Attempts:   r.Attempts,
		Witness:    r.Witness,
	}
	if r.AnchorCommit.Defined() {
		s.AnchorCommit = r.AnchorCommit.String()
	}
	return json.Marshal(s)
}

func decodeRecord(data []byte) (*Record, error) {
	var s storedRecord
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	id, err := streamid.Parse(s.StreamID)
	if err != nil {
		return nil, fmt.Errorf("streamId: %w", err)
	}
	tip, err := cid.Decode(s.CID)
	if err != nil {
		return nil, fmt.Errorf("cid: %w", err)
	}
	r := &Record{
		ID:         s.ID,
		StreamID:   id,
		Tip:        tip,
		Status:     Status(s.Status),
		Message:    s.Message,
		CreatedAt:  fromMillis(s.CreatedAt),
		UpdatedAt:  fromMillis(s.UpdatedAt),
		Timestamp:  fromMillis(s.Timestamp),
		Model:      s.Model,
		Controller: s.Controller,
		Attempts:   s.Attempts,
		Witness:    s.Witness,
	}
	switch r.Status {
	case StatusPending, StatusProcessing, StatusCompleted, StatusFailed, StatusReplaced:
	default:
		return nil, fmt.Errorf("unknown status %q", s.Status)
	}
	if s.AnchorCommit != "" {
		if r.AnchorCommit, err = cid.Decode(s.AnchorCommit); err != nil {
			return nil, fmt.Errorf("anchorCommit: %w", err)
		}
	}
	return r, nil
}

// millis returns t rounded down to the millisecond, in UTC: the precision records keep.
func millis(t time.Time) time.Time { return fromMillis(t.UnixMilli()) }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// newID returns a random version 4 UUID.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand.Read panics rather than return an error)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
