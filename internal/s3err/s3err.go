// Package s3err classifies the errors of aws-sdk-go-v2's S3 client the same way for every
// S3-backed store of the node (the state store and the IPFS blockstore): missing objects,
// failures worth retrying later, and the status and code S3 answered.
package s3err

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Status returns the HTTP status code of the S3 answer behind err, or 0 when no answer was
// received.
func Status(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.HTTPStatusCode()
	}
	return 0
}

// Code returns the S3 error code behind err (e.g. "NoSuchKey"), or "".
func Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// IsNotFound reports whether err says the object does not exist.
func IsNotFound(err error) bool {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	if errors.As(err, &nsk) || errors.As(err, &nf) {
		return true
	}
	switch Code(err) {
	case "NoSuchKey", "NotFound":
		return true
	}
	return false
}

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

// IsThrottleCode reports whether an S3 error code means "try again later" (a code of a
// per-key error in a DeleteObjects answer, for instance).
func IsThrottleCode(code string) bool { return throttleCodes[code] }

// retryable is the SDK standard retryer's own judgement.
var retryable = retry.IsErrorRetryables(retry.DefaultRetryables)

// IsTransient reports whether err is a failure that may go away: no answer (connection
// refused or reset, DNS, TLS, a timeout, a truncated body), a 5xx, 408 or 429 answer, or a
// throttling code. Callers check their own context first: a cancelled caller is not an
// unavailable S3.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	if throttleCodes[Code(err)] {
		return true
	}
	switch s := Status(err); {
	case s >= 500, s == http.StatusRequestTimeout, s == http.StatusTooManyRequests:
		return true
	}
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
	return retryable.IsErrorRetryable(err).Bool()
}
