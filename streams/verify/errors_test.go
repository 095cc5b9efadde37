package verify

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func checkErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
}

var sentinels = []error{ErrMalformed, ErrUnsupported, ErrInvalidSignature, ErrUnauthorized, ErrExpired, ErrNotYetValid}

func TestErrorsMatchOneSentinel(t *testing.T) {
	at := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	exp := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	cause := fmt.Errorf("cause")
	tests := []struct {
		name string
		err  error
		want error
		text string
	}{
		{"malformed", malformed("x %d", 1), ErrMalformed, "verify: x 1"},
		{"with cause", &Error{Kind: ErrMalformed, Reason: "bad", Err: cause}, ErrMalformed, "verify: bad: cause"},
		{"unsupported", unsupported("u"), ErrUnsupported, "verify: u"},
		{"invalid", invalidSignature("invalid signature for signer did:key:z6Mk"), ErrInvalidSignature, "verify: invalid signature for signer did:key:z6Mk"},
		{"unauthorized", unauthorized("no"), ErrUnauthorized, "verify: no"},
		{"expired", &TimeError{Kind: ErrExpired, Field: "exp", Value: exp, At: at, Tolerance: RevocationPhaseOut + ClockSkew}, ErrExpired,
			"verify: capability expired at 2024-01-01T00:00:00Z (checked at 2024-01-02T00:00:00Z, after a grace period of 24h5m0s); sign in again to get a new capability"},
		{"expired state", &TimeError{Kind: ErrExpired, Field: "expirationTime", Value: exp, At: at}, ErrExpired,
			"verify: capability expired at 2024-01-01T00:00:00Z, before the commit's anchor or current time 2024-01-02T00:00:00Z; sign in again to get a new capability"},
		{"not yet valid", &TimeError{Kind: ErrNotYetValid, Field: "nbf", Value: at, At: exp, Tolerance: ClockSkew}, ErrNotYetValid,
			"verify: capability is not valid before 2024-01-02T00:00:00Z (nbf; checked at 2024-01-01T00:00:00Z, allowing 5m0s of clock skew)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err.Error() != tt.text {
				t.Errorf("text = %q, want %q", tt.err.Error(), tt.text)
			}
			for _, s := range sentinels {
				if got := errors.Is(tt.err, s); got != (s == tt.want) {
					t.Errorf("errors.Is(%v) = %v", s, got)
				}
			}
			wrapped := fmt.Errorf("commit bafy: %w", tt.err)
			var e *Error
			var te *TimeError
			if !errors.As(wrapped, &e) && !errors.As(wrapped, &te) {
				t.Error("not an *Error or *TimeError")
			}
			if !errors.Is(wrapped, tt.want) {
				t.Error("sentinel lost when wrapped")
			}
		})
	}
	if !errors.Is(&Error{Kind: ErrMalformed, Reason: "r", Err: cause}, cause) {
		t.Error("cause not unwrapped")
	}
}
