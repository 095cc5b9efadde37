package s3ds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// ErrUnavailable is wrapped by every error caused by S3 being unreachable or
// overloaded (connection failures, timeouts, HTTP 5xx, throttling) after the
// SDK has used up its retries. Callers test for it with errors.Is; the
// wrapped error carries the operation, the object key and the last SDK error.
var ErrUnavailable = errors.New("s3ds: S3 unavailable")

// throttleCodes are S3 error codes that mean "try again later".
var throttleCodes = map[string]bool{
	"SlowDown":                  true,
	"Throttling":                true,
	"ThrottlingException":       true,
	"ThrottledException":        true,
	"RequestThrottled":          true,
	"RequestThrottledException": true,
	"TooManyRequestsException":  true,
	"RequestLimitExceeded":      true,
	"RequestTimeout":            true,
	"RequestTimeoutException":   true,
	"InternalError":             true,
	"ServiceUnavailable":        true,
}

// httpStatus returns the HTTP status code of the S3 response behind err, or 0
// when no response was received.
func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.HTTPStatusCode()
	}
	return 0
}

// errorCode returns the S3 error code (e.g. "NoSuchKey"), or "".
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// isTransient reports whether err is worth retrying later: the service was
// unreachable, timed out, failed with a 5xx, or throttled us.
func isTransient(err error) bool {
	if err == nil {
		return false
	}
	if throttleCodes[errorCode(err)] {
		return true
	}
	if sc := httpStatus(err); sc != 0 {
		return sc >= 500 || sc == http.StatusTooManyRequests
	}
	// No HTTP response: connection refused/reset, DNS, TLS, timeouts,
	// truncated bodies.
	var sendErr *smithyhttp.RequestSendError
	var netErr net.Error
	var deserErr *smithy.DeserializationError
	switch {
	case errors.As(err, &sendErr),
		errors.As(err, &netErr),
		errors.As(err, &deserErr),
		errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, io.EOF):
		return true
	}
	return false
}

// wrapErr turns an SDK error into the error returned to datastore callers.
// A cancelled caller context is reported as such; transient failures wrap
// ErrUnavailable; everything else is returned with the operation and key.
func (d *Datastore) wrapErr(ctx context.Context, op, objectKey string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("s3ds: %s %q in bucket %q: %w", op, objectKey, d.cfg.Bucket, ctxErr)
	}
	if isTransient(err) {
		return fmt.Errorf("%w: %s %q in bucket %q: %w", ErrUnavailable, op, objectKey, d.cfg.Bucket, err)
	}
	return fmt.Errorf("s3ds: %s %q in bucket %q: %w", op, objectKey, d.cfg.Bucket, err)
}
