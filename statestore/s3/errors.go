package s3

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/goceramic/ceramic/statestore"

	"github.com/goceramic/ceramic/internal/s3err"
)

var (
	// ErrUnavailable is wrapped by errors caused by a transient failure of
	// S3: the endpoint could not be reached, a request timed out, or S3
	// answered with a server error (5xx) or asked to slow down, and the
	// SDK's retries did not help. The operation may succeed later; an API
	// server answers 503. The change of a failed Put or Delete may or may
	// not have been made.
	ErrUnavailable = fmt.Errorf("statestore/s3: S3 unavailable: %w", statestore.ErrUnavailable)
	// ErrAccessDenied is wrapped by errors caused by the credentials: none
	// could be found, S3 does not know them, or they do not grant access to
	// the bucket (AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch,
	// ExpiredToken, ...).
	ErrAccessDenied = errors.New("statestore/s3: access denied")
)

// credentialCodes are S3 error codes caused by credentials or permissions.
var credentialCodes = map[string]bool{
	"AccessDenied":          true,
	"AllAccessDisabled":     true,
	"InvalidAccessKeyId":    true,
	"SignatureDoesNotMatch": true,
	"ExpiredToken":          true,
	"InvalidToken":          true,
	"TokenRefreshRequired":  true,
	"InvalidSecurity":       true,
	"AccountProblem":        true,
}

// credentialHint is appended to access errors.
const credentialHint = "check the AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE or the instance role) and that they may list, read and write the bucket"

// isNoSuchBucket reports whether err says the bucket does not exist.
func isNoSuchBucket(err error) bool {
	var nsb *types.NoSuchBucket
	return errors.As(err, &nsb) || s3err.Code(err) == "NoSuchBucket"
}

// isCredentialError reports whether err comes from the credentials: none
// could be retrieved, or S3 refused them.
func isCredentialError(err error) bool {
	var se *v4.SigningError
	var ce *credentialsError
	if errors.As(err, &se) || errors.As(err, &ce) {
		return true
	}
	code := s3err.Code(err)
	if credentialCodes[code] {
		return true
	}
	return s3err.Status(err) == http.StatusForbidden
}

// mapError turns an SDK error of operation op on object key into the
// package's errors. ctx is the caller's context: when it is done the error
// wraps ctx.Err() and nothing else.
func mapError(ctx context.Context, op, key string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("statestore/s3: %s %s: %w", op, key, cerr)
	}
	switch {
	case s3err.IsNotFound(err):
		return fmt.Errorf("statestore/s3: %s %s: %w", op, key, statestore.ErrNotFound)
	case isCredentialError(err):
		return fmt.Errorf("statestore/s3: %s %s: %w (%s): %w", op, key, ErrAccessDenied, credentialHint, err)
	case s3err.IsTransient(err):
		return fmt.Errorf("statestore/s3: %s %s: %w: %w", op, key, ErrUnavailable, err)
	}
	return fmt.Errorf("statestore/s3: %s %s: %w", op, key, err)
}
