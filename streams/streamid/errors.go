package streamid

import (
	"encoding/hex"
	"errors"
	"fmt"
)

var (
	// ErrInvalid is wrapped by every error about malformed StreamID or CommitID input.
	ErrInvalid = errors.New("streamid: invalid")

	// ErrUnexpectedCommit is wrapped (together with [ErrInvalid]) when a StreamID was
	// expected but the input names a commit, i.e. it is a CommitID.
	ErrUnexpectedCommit = errors.New("streamid: input is a CommitID, not a StreamID")

	// ErrMissingCommit is wrapped (together with [ErrInvalid]) when a CommitID was
	// expected but the input is a plain StreamID.
	ErrMissingCommit = errors.New("streamid: input is a StreamID without commit information")

	// ErrUnknownType is wrapped by [TypeByName] for a name that is not registered.
	ErrUnknownType = errors.New("streamid: unknown stream type")
)

// maxQuoted bounds how much of a malformed input is repeated in an error message.
const maxQuoted = 160

// invalidError describes malformed input. Its message has the form
// `streamid: invalid StreamID "xyz": <reason>`.
type invalidError struct {
	what   string // "StreamID", "CommitID", "StreamID or CommitID"
	input  string // already quoted or hex-encoded
	reason string
	kind   error // ErrUnexpectedCommit, ErrMissingCommit or nil
	cause  error // underlying library error, or nil
}

func (e *invalidError) Error() string {
	msg := "streamid: invalid " + e.what + " " + e.input + ": " + e.reason
	if e.cause != nil {
		msg += ": " + e.cause.Error()
	}
	return msg
}

func (e *invalidError) Unwrap() []error {
	errs := []error{ErrInvalid}
	if e.kind != nil {
		errs = append(errs, e.kind)
	}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

// quoteInput renders a string input for an error message.
func quoteInput(s string) string {
	if len(s) > maxQuoted {
		return fmt.Sprintf("%q…", s[:maxQuoted])
	}
	return fmt.Sprintf("%q", s)
}

// hexInput renders a byte input for an error message.
func hexInput(b []byte) string {
	if len(b) == 0 {
		return "(empty bytes)"
	}
	if len(b) > maxQuoted/2 {
		return "bytes " + hex.EncodeToString(b[:maxQuoted/2]) + "…"
	}
	return "bytes " + hex.EncodeToString(b)
}
