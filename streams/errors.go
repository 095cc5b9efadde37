package streams

import (
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"
)

// Sentinel errors of the stream engine. The HTTP layer maps them to status codes.
var (
	// ErrNotFound: the stream (or commit) is not known to this node or its peers.
	ErrNotFound = errors.New("streams: not found")
	// ErrInvalidCommit: a commit is malformed or breaks the rules of its stream type.
	ErrInvalidCommit = errors.New("streams: invalid commit")
	// ErrUnauthorized: a commit's signature or capability does not authorize it.
	ErrUnauthorized = errors.New("streams: unauthorized")
	// ErrSchema: content does not validate against the stream's schema.
	ErrSchema = errors.New("streams: schema validation failed")
	// ErrConflict: a write builds on a stale tip or loses conflict resolution.
	ErrConflict = errors.New("streams: conflict")
	// ErrReadOnly: the node serves reads only.
	ErrReadOnly = errors.New("streams: read-only node")
	// ErrUnsupported: the stream type or operation is not supported by this node.
	ErrUnsupported = errors.New("streams: not supported")
	// ErrProofUnavailable: an anchor proof could not be checked for now (its chain's RPC
	// endpoint is unreachable or failing). The proof is neither valid nor invalid; the
	// operation that needed it should be retried later.
	ErrProofUnavailable = errors.New("streams: anchor proof cannot be checked now")
)

// CommitError says which commit of which stream failed and why.
type CommitError struct {
	StreamID string
	CID      cid.Cid
	Err      error
}

func (e *CommitError) Error() string {
	if e.StreamID == "" {
		return fmt.Sprintf("commit %s: %v", e.CID, e.Err)
	}
	return fmt.Sprintf("commit %s of stream %s: %v", e.CID, e.StreamID, e.Err)
}

func (e *CommitError) Unwrap() error { return e.Err }

// invalid returns an error wrapping ErrInvalidCommit with a message for users.
func invalid(format string, args ...any) error {
	return &userError{kind: ErrInvalidCommit, msg: fmt.Sprintf(format, args...)}
}

// userError carries a message written for users and the sentinel it belongs to.
type userError struct {
	kind error
	msg  string
	err  error
}

func (e *userError) Error() string { return e.msg }

func (e *userError) Unwrap() []error {
	if e.err != nil {
		return []error{e.kind, e.err}
	}
	return []error{e.kind}
}
