package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	s3api "github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/time/rate"

	"github.com/goceramic/ceramic/statestore"

	"github.com/goceramic/ceramic/internal/s3err"
)

// maxObjectKey is S3's limit on the length of an object key, in bytes.
const maxObjectKey = 1024

// Store is a [statestore.Store] over the objects of one bucket whose keys
// begin with one prefix: the store key k is the object prefix+k. Build it
// with [Open] or [OpenUseCase], or through the registry. It is safe for
// concurrent use.
type Store struct {
	bucket string
	prefix string
	opts   Options

	mu     sync.Mutex // guards c, closed and the Add side of ops
	c      *client
	closed bool
	ops    sync.WaitGroup // requests in progress

	reads *rate.Limiter
}

var _ statestore.Store = (*Store)(nil)

// Open opens the objects of bucket whose keys begin with prefix as a store,
// and checks with one ListObjectsV2 request that the bucket exists and the
// credentials may list it. prefix is used as it is (it normally ends with
// "/"); [KeyPrefix] gives js-ceramic's. opts may be nil.
//
// A missing bucket gives an error wrapping [statestore.ErrInvalidConfig],
// refused credentials one wrapping [ErrAccessDenied], an unreachable
// endpoint one wrapping [ErrUnavailable]. ctx bounds opening only.
func Open(ctx context.Context, bucket, prefix string, opts *Options) (*Store, error) {
	if bucket == "" || len(prefix) >= maxObjectKey || !utf8.ValidString(prefix) {
		return nil, fmt.Errorf("%w: s3 bucket %q and key prefix %q cannot hold objects", statestore.ErrInvalidConfig, bucket, prefix)
	}
	s, err := newStore(ctx, bucket, opts.withDefaults())
	if err != nil {
		return nil, err
	}
	s.prefix = prefix
	if _, err := s.probe(ctx, prefix); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// newStore builds a store without a prefix and without checking the
// bucket.
func newStore(ctx context.Context, bucket string, o Options) (*Store, error) {
	c, err := newClient(ctx, o)
	if err != nil {
		return nil, err
	}
	lim := rate.NewLimiter(rate.Inf, 0)
	if o.ReadsPerSecond > 0 {
		lim = rate.NewLimiter(rate.Limit(o.ReadsPerSecond), int(math.Max(1, math.Ceil(o.ReadsPerSecond))))
	}
	return &Store{bucket: bucket, opts: o, c: c, reads: lim}, nil
}

// Bucket returns the bucket the store's objects are in.
func (s *Store) Bucket() string { return s.bucket }

// Prefix returns the key prefix of the store's objects: the object of key k
// is Prefix()+k.
func (s *Store) Prefix() string { return s.prefix }

// Region returns the region requests are signed for: the configured one,
// the one detected at Open, or [DefaultRegion].
func (s *Store) Region() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c.cfg.Region
}

// probe lists at most one object under prefix and reports whether there is
// one. It turns the errors of the first request into ones naming the
// setting at fault, and switches to the bucket's region when none was
// configured and S3 names another one.
func (s *Store) probe(ctx context.Context, prefix string) (bool, error) {
	for try := 0; ; try++ {
		c := s.client()
		out, err := c.api.ListObjectsV2(ctx, &s3api.ListObjectsV2Input{
			Bucket:  aws.String(s.bucket),
			Prefix:  aws.String(prefix),
			MaxKeys: aws.Int32(1),
		})
		if err == nil {
			return len(out.Contents) > 0, nil
		}
		if region := bucketRegion(err); try == 0 && c.autoRegion && region != "" && region != c.cfg.Region {
			s.opts.Logger.Info("S3 bucket is in another region than the default; using it (set AWS_REGION to skip this request)",
				"bucket", s.bucket, "region", region)
			s.mu.Lock()
			s.c = c.withRegion(region)
			s.mu.Unlock()
			continue
		}
		return false, s.openError(ctx, err)
	}
}

// bucketRegion returns the region S3 names in an answer's
// x-amz-bucket-region header, or "".
func bucketRegion(err error) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.Header.Get("X-Amz-Bucket-Region")
	}
	return ""
}

// openError explains a failed first request in terms of the settings.
func (s *Store) openError(ctx context.Context, err error) error {
	where := s.endpointName()
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("statestore/s3: open bucket %q: %w", s.bucket, ctx.Err())
	case isNoSuchBucket(err):
		return fmt.Errorf("%w: state-store.s3-bucket: bucket %q does not exist at %s: %w", statestore.ErrInvalidConfig, s.bucket, where, err)
	case isCredentialError(err):
		return fmt.Errorf("statestore/s3: open bucket %q at %s: %w: %s: %w", s.bucket, where, ErrAccessDenied, credentialHint, err)
	case s3err.IsTransient(err):
		return fmt.Errorf("statestore/s3: open bucket %q: %w: %s cannot be reached (check state-store.s3-endpoint and the network): %w", s.bucket, ErrUnavailable, where, err)
	case bucketRegion(err) != "" && bucketRegion(err) != s.client().cfg.Region:
		return fmt.Errorf("statestore/s3: open bucket %q: the bucket is in region %s, not %s (set AWS_REGION, or leave it unset to detect it): %w", s.bucket, bucketRegion(err), s.client().cfg.Region, err)
	}
	return fmt.Errorf("statestore/s3: open bucket %q at %s (check state-store.s3-bucket and state-store.s3-endpoint): %w", s.bucket, where, err)
}

// endpointName names where requests go, for error messages.
func (s *Store) endpointName() string {
	if s.opts.Endpoint != "" {
		return "endpoint " + s.opts.Endpoint
	}
	c := s.client()
	if c.cfg.BaseEndpoint != nil {
		return "endpoint " + *c.cfg.BaseEndpoint
	}
	return "AWS region " + c.cfg.Region
}

func (s *Store) client() *client {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c
}

// begin registers a request: it fails with ErrClosed after Close, and
// otherwise returns the client and a func to call when the request is
// done.
func (s *Store) begin() (*client, func(), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, nil, statestore.ErrClosed
	}
	s.ops.Add(1)
	return s.c, s.ops.Done, nil
}

// storable reports whether S3 can hold key under the store's prefix and
// list it back.
func (s *Store) storable(key string) bool {
	if len(s.prefix)+len(key) > maxObjectKey || !utf8.ValidString(key) {
		return false
	}
	for _, r := range key {
		if r < 0x20 || r == 0xfffe || r == 0xffff {
			return false
		}
	}
	return true
}

// Get implements [statestore.Store]: one GetObject, after the read rate
// limiter.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := statestore.CheckKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, done, err := s.begin()
	if err != nil {
		return nil, err
	}
	defer done()
	if !s.storable(key) {
		return nil, fmt.Errorf("statestore/s3: get %q: %w", key, statestore.ErrNotFound)
	}
	return s.get(ctx, c, key)
}

// get reads the object of key; the caller holds a request slot.
func (s *Store) get(ctx context.Context, c *client, key string) ([]byte, error) {
	obj := s.prefix + key
	if err := s.reads.Wait(ctx); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, fmt.Errorf("statestore/s3: get %s: %w", obj, cerr)
		}
		// The deadline would pass while waiting for the limiter.
		return nil, fmt.Errorf("statestore/s3: get %s: read rate limit: %w", obj, context.DeadlineExceeded)
	}
	out, err := c.api.GetObject(ctx, &s3api.GetObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(obj),
	})
	if err != nil {
		return nil, mapError(ctx, "get", obj, err)
	}
	defer out.Body.Close()
	var buf bytes.Buffer
	if n := aws.ToInt64(out.ContentLength); n > 0 && n < math.MaxInt32 {
		buf.Grow(int(n))
	}
	if _, err := io.Copy(&buf, out.Body); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, fmt.Errorf("statestore/s3: get %s: %w", obj, cerr)
		}
		return nil, fmt.Errorf("statestore/s3: get %s: reading the object: %w: %w", obj, ErrUnavailable, err)
	}
	if n := out.ContentLength; n != nil && *n >= 0 && *n != int64(buf.Len()) {
		return nil, fmt.Errorf("statestore/s3: get %s: read %d bytes of %d: %w", obj, buf.Len(), *n, ErrUnavailable)
	}
	if buf.Len() == 0 {
		return []byte{}, nil
	}
	return buf.Bytes(), nil
}

// write checks a Put or Delete and registers it.
func (s *Store) write(ctx context.Context, op, key string) (*client, func(), error) {
	if err := statestore.CheckKey(key); err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	c, done, err := s.begin()
	if err != nil {
		return nil, nil, err
	}
	if s.opts.ReadOnly {
		done()
		return nil, nil, statestore.ErrReadOnly
	}
	if op == "put" && !s.storable(key) {
		done()
		return nil, nil, fmt.Errorf("%w: %q: S3 keys must be UTF-8 without control characters, and prefix and key at most %d bytes", statestore.ErrInvalidKey, key, maxObjectKey)
	}
	return c, done, nil
}

// Put implements [statestore.Store]: one PutObject whose body is value. It
// returns once S3 has acknowledged the object.
func (s *Store) Put(ctx context.Context, key string, value []byte) error {
	c, done, err := s.write(ctx, "put", key)
	if err != nil {
		return err
	}
	defer done()
	// The HTTP transport may read a request body after the request has
	// returned (when the server answered early); never let it read the
	// caller's slice then.
	body := bytes.Clone(value)
	obj := s.prefix + key
	_, err = c.api.PutObject(ctx, &s3api.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(obj),
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
	})
	if err != nil {
		return mapError(ctx, "put", obj, err)
	}
	return nil
}

// Delete implements [statestore.Store]: one DeleteObject. Deleting a missing
// key is not an error (S3 does not report it either).
func (s *Store) Delete(ctx context.Context, key string) error {
	c, done, err := s.write(ctx, "delete", key)
	if err != nil {
		return err
	}
	defer done()
	if !s.storable(key) {
		return nil // nothing can be stored under it
	}
	obj := s.prefix + key
	_, err = c.api.DeleteObject(ctx, &s3api.DeleteObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(obj),
	})
	if err != nil {
		if err := mapError(ctx, "delete", obj, err); !errors.Is(err, statestore.ErrNotFound) {
			return err
		}
	}
	return nil
}

// Close implements [statestore.Store]: later calls fail with
// [statestore.ErrClosed]; Close waits for requests in progress, then
// releases idle connections. A listing in progress ends with ErrClosed at
// its next request.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	c := s.c
	s.mu.Unlock()
	s.ops.Wait()
	c.close()
	return nil
}
