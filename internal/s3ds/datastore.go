package s3ds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	ds "github.com/ipfs/go-datastore"

	"github.com/goceramic/ceramic/internal/s3err"
)

// S3 operation names used as keys of Datastore.Requests.
const (
	OpPutObject     = "PutObject"
	OpGetObject     = "GetObject"
	OpHeadObject    = "HeadObject"
	OpDeleteObject  = "DeleteObject"
	OpDeleteObjects = "DeleteObjects"
	OpListObjectsV2 = "ListObjectsV2"
)

// listPageSize is the largest page ListObjectsV2 returns; tests lower it.
var listPageSize int32 = 1000

// deleteMax is the most keys one DeleteObjects request may carry.
const deleteMax = 1000

// Datastore is a go-datastore Batching datastore storing each value as one
// S3 object, at the object key go-ds-s3 would use for the same key and
// configuration. It is safe for concurrent use.
type Datastore struct {
	cfg    Config
	layout keyLayout
	client *s3.Client
	tr     *http.Transport
	cache  *existCache
	heads  flightGroup

	reqMu sync.Mutex
	reqs  map[string]int64
}

var _ ds.Batching = (*Datastore)(nil)

// New connects to the configured bucket and checks once that it can be
// listed with the configured credentials. The error names the bucket and the
// setting to fix; transient failures wrap ErrUnavailable.
func New(ctx context.Context, cfg Config) (*Datastore, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	layout, err := newKeyLayout(cfg.KeyTransform, cfg.RootDirectory)
	if err != nil {
		return nil, err
	}
	d := &Datastore{
		cfg:    cfg,
		layout: layout,
		cache:  newExistCache(cfg.CacheBytes, cfg.NegativeCacheTTL, DefaultNegativeCacheEntries),
		reqs:   make(map[string]int64),
	}

	opts := []func(*awsconfig.LoadOptions) error{
		// A BuildableClient lets the loader apply AWS_CA_BUNDLE & co; the
		// resolved transport is taken over below.
		awsconfig.WithHTTPClient(awshttp.NewBuildableClient()),
		awsconfig.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = cfg.MaxAttempts
				o.MaxBackoff = cfg.MaxBackoff
				// No client-side retry quota: during a long outage every
				// operation should still get its retries, then fail with
				// ErrUnavailable.
				o.RateLimiter = ratelimit.None
			})
		}),
	}
	if cfg.Region != "" {
		opts = append(opts, awsconfig.WithRegion(cfg.Region))
	}
	switch {
	case cfg.AccessKey != "":
		opts = append(opts, awsconfig.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken)))
	case cfg.CredentialsEndpoint != "":
		opts = append(opts, awsconfig.WithCredentialsProvider(
			aws.NewCredentialsCache(endpointcreds.New(cfg.CredentialsEndpoint))))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3ds: loading AWS configuration for bucket %q: %w", cfg.Bucket, err)
	}
	if awsCfg.Region == "" {
		awsCfg.Region = DefaultRegion
	}
	// The SDK's transport (custom CA bundle included), with a connection
	// pool sized for the batch workers. The client timeout bounds each
	// attempt, body included; redirects are returned to the SDK.
	if bc, ok := awsCfg.HTTPClient.(*awshttp.BuildableClient); ok {
		d.tr = bc.GetTransport()
	} else {
		d.tr = awshttp.NewBuildableClient().GetTransport()
	}
	d.tr.MaxIdleConnsPerHost = cfg.Workers + 16
	awsCfg.HTTPClient = &http.Client{
		Transport: d.tr,
		Timeout:   cfg.RequestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	d.client = s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
			o.UsePathStyle = true
		}
		// go-ds-s3 (aws-sdk-go v1) sent no flexible checksums; asking only
		// when required keeps older S3-compatible services working.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		o.APIOptions = append(o.APIOptions, d.addCounter)
	})

	if err := d.checkAccess(ctx); err != nil {
		d.tr.CloseIdleConnections()
		return nil, err
	}
	return d, nil
}

// checkAccess lists at most one object under the root directory.
func (d *Datastore) checkAccess(ctx context.Context) error {
	_, err := d.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket:  aws.String(d.cfg.Bucket),
		Prefix:  aws.String(d.layout.rootPrefix()),
		MaxKeys: aws.Int32(1),
	})
	if err == nil {
		return nil
	}
	where := fmt.Sprintf("bucket %q", d.cfg.Bucket)
	if d.cfg.Endpoint != "" {
		where += fmt.Sprintf(" at endpoint %s", d.cfg.Endpoint)
	}
	credHint := "the static keys (Config.AccessKey/SecretKey/SessionToken, \"accessKey\"/\"secretKey\", IPFS_S3_ACCESS_KEY_ID/IPFS_S3_SECRET_ACCESS_KEY)"
	if d.cfg.AccessKey == "" {
		credHint = "the AWS credential chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws, instance role), since no static keys are configured"
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("s3ds: checking access to %s: %w", where, ctxErr)
	}
	code, status := s3err.Code(err), s3err.Status(err)
	switch {
	case code == "NoSuchBucket" || (status == http.StatusNotFound && code == ""):
		return fmt.Errorf("s3ds: %s does not exist or is not visible (check Config.Bucket / \"bucket\" / IPFS_S3_BUCKET_NAME and the region/endpoint): %w", where, err)
	case code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" || code == "InvalidToken" ||
		code == "ExpiredToken" || code == "AccessDenied" || status == http.StatusForbidden || status == http.StatusUnauthorized:
		return fmt.Errorf("s3ds: access to %s denied (%s): check %s, and that the IAM policy allows s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject: %w", where, code, credHint, err)
	case code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed" || status == http.StatusMovedPermanently:
		return fmt.Errorf("s3ds: %s is in another region than %q (check Config.Region / \"region\" / IPFS_S3_REGION): %w", where, d.region(), err)
	case strings.Contains(err.Error(), "credentials"):
		return fmt.Errorf("s3ds: no usable credentials for %s: check %s: %w", where, credHint, err)
	case s3err.IsTransient(err):
		return fmt.Errorf("%w: checking access to %s: %w", ErrUnavailable, where, err)
	}
	return fmt.Errorf("s3ds: checking access to %s: %w", where, err)
}

func (d *Datastore) region() string { return d.client.Options().Region }

// addCounter installs a middleware counting every HTTP attempt (retries
// included) per operation. It runs after the retry middleware, once per
// attempt.
func (d *Datastore) addCounter(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("s3ds.requestCounter",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			op := awsmiddleware.GetOperationName(ctx)
			d.reqMu.Lock()
			d.reqs[op]++
			d.reqMu.Unlock()
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}

// Requests returns the number of S3 HTTP requests sent so far (each retry
// attempt counts), by operation name (OpPutObject, OpHeadObject, …). The map
// is a copy.
func (d *Datastore) Requests() map[string]int64 {
	d.reqMu.Lock()
	defer d.reqMu.Unlock()
	out := make(map[string]int64, len(d.reqs))
	for k, v := range d.reqs {
		out[k] = v
	}
	return out
}

// CacheStats returns a snapshot of the existence cache's counters.
func (d *Datastore) CacheStats() CacheStats { return d.cache.stats() }

// ObjectKey returns the S3 object key the datastore key k is stored at.
func (d *Datastore) ObjectKey(k ds.Key) string { return d.layout.objectKey(k) }

// Put stores value under k with a single PutObject (atomic in S3: readers
// see the old object or the new one, never a partial one). With
// Config.SkipKnownPuts, a key known to exist with the same size is not
// written again.
func (d *Datastore) Put(ctx context.Context, k ds.Key, value []byte) error {
	key := k.String()
	if d.cfg.SkipKnownPuts {
		if st, size, _ := d.cache.lookup(key); st == cacheExists && size == len(value) {
			return nil
		}
	}
	return d.put(ctx, key, d.layout.objectKey(k), value)
}

func (d *Datastore) put(ctx context.Context, key, objKey string, value []byte) error {
	_, err := d.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(d.cfg.Bucket),
		Key:           aws.String(objKey),
		Body:          bytes.NewReader(value),
		ContentLength: aws.Int64(int64(len(value))),
	})
	if err != nil {
		d.cache.putFailed(key)
		return d.wrapErr(ctx, OpPutObject, objKey, err)
	}
	d.cache.stored(key, len(value))
	return nil
}

// Get returns the value stored under k, or datastore.ErrNotFound.
func (d *Datastore) Get(ctx context.Context, k ds.Key) ([]byte, error) {
	key := k.String()
	st, _, g := d.cache.lookup(key)
	if st == cacheAbsent {
		return nil, ds.ErrNotFound
	}
	objKey := d.layout.objectKey(k)
	out, err := d.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(d.cfg.Bucket),
		Key:    aws.String(objKey),
	})
	if err != nil {
		if s3err.IsNotFound(err) {
			d.cache.learnAbsent(key, g)
			return nil, ds.ErrNotFound
		}
		return nil, d.wrapErr(ctx, OpGetObject, objKey, err)
	}
	defer out.Body.Close()
	var buf bytes.Buffer
	if n := aws.ToInt64(out.ContentLength); n > 0 {
		buf.Grow(int(n))
	}
	if _, err := io.Copy(&buf, out.Body); err != nil {
		return nil, d.wrapErr(ctx, OpGetObject, objKey, err)
	}
	if n := out.ContentLength; n != nil && *n != int64(buf.Len()) {
		return nil, d.wrapErr(ctx, OpGetObject, objKey, io.ErrUnexpectedEOF)
	}
	d.cache.learnExists(key, buf.Len(), g)
	return buf.Bytes(), nil
}

// Has reports whether k exists. Keys known to exist (written or seen by this
// process) and keys recently seen absent are answered without a request.
func (d *Datastore) Has(ctx context.Context, k ds.Key) (bool, error) {
	_, err := d.GetSize(ctx, k)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ds.ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}

// GetSize returns the size of the value under k, or -1 and
// datastore.ErrNotFound. It uses the existence cache like Has, and
// concurrent calls for the same key share one HeadObject request.
func (d *Datastore) GetSize(ctx context.Context, k ds.Key) (int, error) {
	key := k.String()
	st, size, g := d.cache.lookup(key)
	switch st {
	case cacheExists:
		return size, nil
	case cacheAbsent:
		return -1, ds.ErrNotFound
	}
	objKey := d.layout.objectKey(k)
	size, err := d.heads.do(key, func() (int, error) {
		return d.head(ctx, key, objKey, g)
	})
	if err != nil && ctx.Err() == nil && !errors.Is(err, ErrUnavailable) &&
		(errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		// The shared request was cancelled by another caller's context.
		size, err = d.head(ctx, key, objKey, g)
	}
	if err != nil {
		return -1, err
	}
	return size, nil
}

func (d *Datastore) head(ctx context.Context, key, objKey string, g gen) (int, error) {
	out, err := d.client.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket: aws.String(d.cfg.Bucket),
		Key:    aws.String(objKey),
	})
	if err != nil {
		// A HEAD response has no body, so a 404 cannot say whether the
		// key or the bucket is missing; like go-ds-s3, treat it as the key.
		if s3err.Status(err) == http.StatusNotFound {
			d.cache.learnAbsent(key, g)
			return -1, ds.ErrNotFound
		}
		return -1, d.wrapErr(ctx, OpHeadObject, objKey, err)
	}
	size := int(aws.ToInt64(out.ContentLength))
	d.cache.learnExists(key, size, g)
	return size, nil
}

// Delete removes k. Deleting a missing key is not an error.
func (d *Datastore) Delete(ctx context.Context, k ds.Key) error {
	key, objKey := k.String(), d.layout.objectKey(k)
	_, err := d.client.DeleteObject(ctx, &s3.DeleteObjectInput{
		Bucket: aws.String(d.cfg.Bucket),
		Key:    aws.String(objKey),
	})
	if err != nil && !s3err.IsNotFound(err) {
		d.cache.deleteFailed(key)
		return d.wrapErr(ctx, OpDeleteObject, objKey, err)
	}
	d.cache.deleted(key)
	return nil
}

// Sync is a no-op: a successful PutObject or DeleteObject is durable.
func (d *Datastore) Sync(ctx context.Context, prefix ds.Key) error { return nil }

// Close releases idle connections. The datastore holds no other resources
// and keeps working if used afterwards.
func (d *Datastore) Close() error {
	d.tr.CloseIdleConnections()
	return nil
}

// flightGroup collapses concurrent calls with the same key into one
// (a minimal single-flight): many bitswap peers asking for the same missing
// block at once cost one HeadObject.
type flightGroup struct {
	mu sync.Mutex
	m  map[string]*flight
}

type flight struct {
	wg   sync.WaitGroup
	size int
	err  error
}

func (g *flightGroup) do(key string, fn func() (int, error)) (int, error) {
	g.mu.Lock()
	if g.m == nil {
		g.m = make(map[string]*flight)
	}
	if f, ok := g.m[key]; ok {
		g.mu.Unlock()
		f.wg.Wait()
		return f.size, f.err
	}
	f := &flight{}
	f.wg.Add(1)
	g.m[key] = f
	g.mu.Unlock()

	f.size, f.err = fn()
	f.wg.Done()

	g.mu.Lock()
	delete(g.m, key)
	g.mu.Unlock()
	return f.size, f.err
}
