package s3

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	s3api "github.com/aws/aws-sdk-go-v2/service/s3"
)

// Defaults for [Options].
const (
	// DefaultReadsPerSecond is the GetObject rate limit, as in js-ceramic
	// (MAX_LOAD_RPS).
	DefaultReadsPerSecond = 4000
	// DefaultListConcurrency is how many values a listing fetches at once.
	DefaultListConcurrency = 8
	// DefaultMaxAttempts is how many times a request is tried (the first
	// attempt included) before a transient failure is returned.
	DefaultMaxAttempts = 3
	// DefaultMaxBackoff caps the delay between two attempts.
	DefaultMaxBackoff = 5 * time.Second
	// DefaultRequestTimeout bounds one attempt of a request, from dialing to
	// reading the last byte of the answer.
	DefaultRequestTimeout = 10 * time.Second
	// DefaultRegion is used when neither [Options.Region] nor the AWS
	// configuration names a region.
	DefaultRegion = "us-east-1"
)

// maxDialTimeout bounds connecting to the endpoint, so that an unreachable
// endpoint fails (and is retried) well before [DefaultRequestTimeout].
const maxDialTimeout = 10 * time.Second

// Options configures a [Store]. The zero value (or nil) uses the AWS
// environment and the defaults above.
type Options struct {
	// Endpoint is a custom S3 endpoint (state-store.s3-endpoint), such as
	// "http://127.0.0.1:9000" for MinIO. An endpoint without a scheme gets
	// https://. With an endpoint, requests use path-style addressing.
	Endpoint string
	// Region overrides the region of the AWS configuration.
	Region string
	// AWSConfig, when not nil, is used instead of loading the AWS
	// configuration from the environment (credentials, region, HTTP client,
	// ...). Its HTTPClient is used as it is when set; otherwise the store
	// builds one with RequestTimeout.
	AWSConfig *aws.Config

	// ReadsPerSecond limits GetObject requests (Get, and the values of a
	// listing). Zero means [DefaultReadsPerSecond]; a negative value means
	// no limit. Up to one second's worth of reads may be made at once.
	ReadsPerSecond float64
	// ListConcurrency is how many values a listing fetches ahead of the
	// caller. Zero means [DefaultListConcurrency].
	ListConcurrency int

	// MaxAttempts is how many times a request is tried before a transient
	// failure is returned. Zero means the AWS configuration's
	// (AWS_MAX_ATTEMPTS) if set, else [DefaultMaxAttempts].
	MaxAttempts int
	// MaxBackoff caps the delay between attempts. Zero means
	// [DefaultMaxBackoff].
	MaxBackoff time.Duration
	// RequestTimeout bounds one attempt, unless AWSConfig brings its own
	// HTTP client. Zero means [DefaultRequestTimeout].
	RequestTimeout time.Duration

	// ReadOnly makes Put and Delete fail with [statestore.ErrReadOnly].
	ReadOnly bool
	// Logger receives warnings (the elp location, a detected bucket
	// region). Nil discards.
	Logger *slog.Logger
}

// withDefaults returns a copy of o (which may be nil) with zero fields set.
func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.ReadsPerSecond == 0 {
		c.ReadsPerSecond = DefaultReadsPerSecond
	}
	if c.ListConcurrency <= 0 {
		c.ListConcurrency = DefaultListConcurrency
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = DefaultMaxBackoff
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// client is an S3 client and what is needed to rebuild it for another
// region.
type client struct {
	api        *s3api.Client
	cfg        aws.Config // with the region in use
	opts       Options
	autoRegion bool // no region was configured: DefaultRegion is a guess
	custom     bool // a custom endpoint is in use
	idle       interface{ CloseIdleConnections() }
}

// newClient loads the AWS configuration and builds the S3 client.
func newClient(ctx context.Context, o Options) (*client, error) {
	var cfg aws.Config
	ownHTTP := true
	if o.AWSConfig != nil {
		cfg = o.AWSConfig.Copy()
		ownHTTP = cfg.HTTPClient == nil
	} else {
		var err error
		cfg, err = config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("statestore/s3: load the AWS configuration (AWS_* environment variables, ~/.aws/config, ~/.aws/credentials): %w", err)
		}
	}
	if o.Region != "" {
		cfg.Region = o.Region
	}
	c := &client{opts: o}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
		c.autoRegion = true
	}
	if ownHTTP {
		bc, _ := cfg.HTTPClient.(*awshttp.BuildableClient) // carries AWS_CA_BUNDLE when set
		if bc == nil {
			bc = awshttp.NewBuildableClient()
		}
		hc := bc.WithTimeout(o.RequestTimeout).
			WithDialerOptions(func(d *net.Dialer) {
				d.Timeout = min(o.RequestTimeout, maxDialTimeout)
			}).
			WithTransportOptions(func(tr *http.Transport) {
				// Listings fetch values concurrently; keep their
				// connections for reuse.
				tr.MaxIdleConnsPerHost = max(tr.MaxIdleConnsPerHost, 2*o.ListConcurrency)
			}).
			Freeze()
		cfg.HTTPClient = hc
		if ci, ok := hc.(interface{ CloseIdleConnections() }); ok {
			c.idle = ci
		}
	}

	endpoint := o.Endpoint
	if endpoint != "" && !strings.Contains(endpoint, "://") {
		endpoint = "https://" + endpoint
	}
	if _, anonymous := cfg.Credentials.(aws.AnonymousCredentials); cfg.Credentials != nil && !anonymous {
		cfg.Credentials = markedCredentials{cfg.Credentials}
	}
	c.custom = endpoint != "" || cfg.BaseEndpoint != nil
	if c.custom {
		if cfg.RequestChecksumCalculation == aws.RequestChecksumCalculationUnset {
			cfg.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		}
		if cfg.ResponseChecksumValidation == aws.ResponseChecksumValidationUnset {
			cfg.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		}
	}
	attempts := o.MaxAttempts
	if attempts <= 0 {
		attempts = cfg.RetryMaxAttempts
	}
	if attempts <= 0 {
		attempts = DefaultMaxAttempts
	}
	backoff := o.MaxBackoff
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = attempts
			so.MaxBackoff = backoff
		})
	}
	cfg.RetryMaxAttempts = 0 // the Retryer above decides
	c.cfg = cfg
	c.api = s3api.NewFromConfig(cfg, func(so *s3api.Options) {
		if endpoint != "" {
			so.BaseEndpoint = aws.String(endpoint)
		}
		so.UsePathStyle = c.custom
		so.DisableLogOutputChecksumValidationSkipped = true
	})
	return c, nil
}

// withRegion returns a copy of c signing for region.
func (c *client) withRegion(region string) *client {
	cp := *c
	cp.cfg.Region = region
	cp.autoRegion = false
	cp.api = s3api.New(c.api.Options(), func(so *s3api.Options) { so.Region = region })
	return &cp
}

// close releases idle connections of an HTTP client the store built.
func (c *client) close() {
	if c.idle != nil {
		c.idle.CloseIdleConnections()
	}
}

// markedCredentials marks the errors of a credentials provider, so that a
// failure to find credentials can be told from other failures.
type markedCredentials struct {
	aws.CredentialsProvider
}

// Retrieve implements [aws.CredentialsProvider].
func (m markedCredentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := m.CredentialsProvider.Retrieve(ctx)
	if err != nil {
		return c, &credentialsError{err}
	}
	return c, nil
}

// IsCredentialsProvider lets the SDK see through the wrapper (it checks
// for anonymous credentials this way).
func (m markedCredentials) IsCredentialsProvider(target aws.CredentialsProvider) bool {
	return aws.IsCredentialsProvider(m.CredentialsProvider, target)
}

// credentialsError is a failure to retrieve credentials.
type credentialsError struct{ err error }

func (e *credentialsError) Error() string { return "get AWS credentials: " + e.err.Error() }
func (e *credentialsError) Unwrap() error { return e.err }
