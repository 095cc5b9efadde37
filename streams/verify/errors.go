package verify

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Every error returned by [Verify] and [CheckLogExpiry]
// matches exactly one of them with [errors.Is], so callers can map failures
// to responses without looking at the text.
var (
	// ErrMalformed: the commit, its protected header, the capability block or
	// the request itself cannot be parsed or is inconsistent.
	ErrMalformed = errors.New("verify: malformed signed commit")

	// ErrUnsupported: the commit uses a DID method, key type, JWS algorithm
	// or capability signature type this node cannot verify.
	ErrUnsupported = errors.New("verify: not supported")

	// ErrInvalidSignature: a signature (the JWS or the capability's wallet
	// signature) does not verify.
	ErrInvalidSignature = errors.New("verify: invalid signature")

	// ErrUnauthorized: the signatures are well formed but the signer may not
	// write to this stream (wrong controller, wrong capability audience or
	// issuer, or a capability without a matching resource).
	ErrUnauthorized = errors.New("verify: signer not authorized")

	// ErrExpired: the capability expired before the time it was checked at.
	ErrExpired = errors.New("verify: capability expired")

	// ErrNotYetValid: the capability was issued, or becomes valid, after the
	// time it was checked at.
	ErrNotYetValid = errors.New("verify: capability not yet valid")
)

// Error is the error returned by [Verify] for every failure except the
// capability time checks, which return a [*TimeError].
type Error struct {
	// Kind is the sentinel the error matches: ErrMalformed, ErrUnsupported,
	// ErrInvalidSignature or ErrUnauthorized.
	Kind error
	// Reason says what is wrong, in words meant for the author of the commit.
	Reason string
	// Err is the underlying cause, if any.
	Err error
}

// Error returns "verify: " followed by the reason and the cause, if any.
func (e *Error) Error() string {
	if e.Err != nil {
		return "verify: " + e.Reason + ": " + e.Err.Error()
	}
	return "verify: " + e.Reason
}

// Unwrap returns the sentinel kind and the underlying cause.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

// TimeError reports a capability that is expired or not yet valid at the
// time it was checked at.
type TimeError struct {
	// Kind is ErrExpired or ErrNotYetValid.
	Kind error
	// Field names the capability field that failed: "exp", "iat" or "nbf".
	// It is "expirationTime" when the state-level check of [CheckLogExpiry]
	// failed.
	Field string
	// Value is the time written in that field.
	Value time.Time
	// At is the time the capability was checked at: the anchor time of the
	// commit, or the current time for commits not yet anchored.
	At time.Time
	// Tolerance is the allowance that was added to Value before comparing:
	// the clock skew for iat and nbf, the revocation phase-out plus the
	// clock skew for exp, zero for the state-level check.
	Tolerance time.Duration
}

// Error describes the failed check with both times.
func (e *TimeError) Error() string {
	at := formatTime(e.At)
	if e.Kind == ErrExpired {
		if e.Tolerance > 0 {
			return fmt.Sprintf("verify: capability expired at %s (checked at %s, after a grace period of %s); sign in again to get a new capability",
				formatTime(e.Value), at, e.Tolerance)
		}
		return fmt.Sprintf("verify: capability expired at %s, before the commit's anchor or current time %s; sign in again to get a new capability",
			formatTime(e.Value), at)
	}
	return fmt.Sprintf("verify: capability is not valid before %s (%s; checked at %s, allowing %s of clock skew)",
		formatTime(e.Value), e.Field, at, e.Tolerance)
}

// Unwrap returns the sentinel kind.
func (e *TimeError) Unwrap() error { return e.Kind }

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func malformed(format string, args ...any) error {
	return &Error{Kind: ErrMalformed, Reason: fmt.Sprintf(format, args...)}
}

func unsupported(format string, args ...any) error {
	return &Error{Kind: ErrUnsupported, Reason: fmt.Sprintf(format, args...)}
}

func unauthorized(format string, args ...any) error {
	return &Error{Kind: ErrUnauthorized, Reason: fmt.Sprintf(format, args...)}
}

func invalidSignature(format string, args ...any) error {
	return &Error{Kind: ErrInvalidSignature, Reason: fmt.Sprintf(format, args...)}
}
