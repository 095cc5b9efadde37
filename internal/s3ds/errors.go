package s3ds

import (
	"context"
	"errors"
	"fmt"

	"github.com/goceramic/ceramic/internal/s3err"
)

// ErrUnavailable is wrapped by every error caused by S3 being unreachable or
// overloaded (connection failures, timeouts, HTTP 5xx, throttling) after the
// SDK has used up its retries. Callers test for it with errors.Is; the
// wrapped error carries the operation, the object key and the last SDK error.
var ErrUnavailable = errors.New("s3ds: S3 unavailable")

// wrapErr turns an SDK error into the error returned to datastore callers.
// A cancelled caller context is reported as such; transient failures wrap
// ErrUnavailable; everything else is returned with the operation and key.
func (d *Datastore) wrapErr(ctx context.Context, op, objectKey string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("s3ds: %s %q in bucket %q: %w", op, objectKey, d.cfg.Bucket, ctxErr)
	}
	if s3err.IsTransient(err) {
		return fmt.Errorf("%w: %s %q in bucket %q: %w", ErrUnavailable, op, objectKey, d.cfg.Bucket, err)
	}
	return fmt.Errorf("s3ds: %s %q in bucket %q: %w", op, objectKey, d.cfg.Bucket, err)
}
