package s3_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	statestores3 "github.com/goceramic/ceramic/statestore/s3"
)

// TestMain makes the AWS environment hermetic: static test credentials and
// region, no shared config files, no instance metadata, no endpoint from the
// developer's shell.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "s3store-test")
	if err != nil {
		panic(err)
	}
	for _, k := range []string{
		"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
		"AWS_DEFAULT_REGION", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_CA_BUNDLE", "AWS_ROLE_ARN",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_REQUEST_CHECKSUM_CALCULATION", "AWS_RESPONSE_CHECKSUM_VALIDATION",
	} {
		os.Unsetenv(k)
	}
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           "test-access-key",
		"AWS_SECRET_ACCESS_KEY":       "test-secret-key",
		"AWS_REGION":                  "us-east-1",
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
	} {
		os.Setenv(k, v)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const testBucket = "bucket"

// fake is an in-process S3 (gofakes3 over memory) with request counters and
// fault injection.
type fake struct {
	backend *s3mem.Backend
	srv     *httptest.Server
	URL     string

	mu     sync.Mutex
	counts map[string]int // by operation: LIST, GET, PUT, DELETE, HEAD, ...

	// failStatus, when not zero, is answered to every request instead of
	// passing it on.
	failStatus atomic.Int32
	// inFlightGets and maxInFlightGets measure GetObject concurrency.
	inFlightGets, maxInFlightGets atomic.Int32
	// getDelay slows GetObject down, to observe concurrency.
	getDelay atomic.Int64
	// wrap, when set, may answer a request itself (return true).
	wrap func(w http.ResponseWriter, r *http.Request) bool
}

// newFake starts a fake S3 holding an empty bucket named testBucket.
func newFake(t testing.TB) *fake {
	t.Helper()
	f := &fake{backend: s3mem.New(), counts: map[string]int{}}
	if err := f.backend.CreateBucket(testBucket); err != nil {
		t.Fatal(err)
	}
	faker := gofakes3.New(f.backend, gofakes3.WithLogger(gofakes3.DiscardLog()))
	inner := faker.Server()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := operation(r)
		f.mu.Lock()
		f.counts[op]++
		f.mu.Unlock()
		if f.wrap != nil && f.wrap(w, r) {
			return
		}
		if st := f.failStatus.Load(); st != 0 {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(int(st))
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>injected</Message></Error>`, codeFor(int(st)))
			return
		}
		if op == "GET" {
			n := f.inFlightGets.Add(1)
			defer f.inFlightGets.Add(-1)
			for {
				m := f.maxInFlightGets.Load()
				if n <= m || f.maxInFlightGets.CompareAndSwap(m, n) {
					break
				}
			}
			if d := f.getDelay.Load(); d > 0 {
				select {
				case <-time.After(time.Duration(d)):
				case <-r.Context().Done():
					return
				}
			}
		}
		inner.ServeHTTP(w, r)
	}))
	f.URL = f.srv.URL
	t.Cleanup(f.srv.Close)
	return f
}

func codeFor(status int) string {
	switch status {
	case http.StatusServiceUnavailable:
		return "SlowDown"
	case http.StatusForbidden:
		return "AccessDenied"
	case http.StatusInternalServerError:
		return "InternalError"
	}
	return "Injected"
}

// operation names the S3 operation of a path-style request.
func operation(r *http.Request) string {
	path := strings.TrimPrefix(r.URL.Path, "/")
	_, key, hasKey := strings.Cut(path, "/")
	hasKey = hasKey && key != ""
	switch {
	case r.Method == http.MethodGet && !hasKey && r.URL.Query().Get("list-type") == "2":
		return "LIST"
	case r.Method == http.MethodGet && !hasKey:
		return "LIST-OTHER"
	case r.Method == http.MethodGet:
		return "GET"
	}
	return r.Method
}

// count returns how many requests of operation op the fake received.
func (f *fake) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[op]
}

// total returns how many requests the fake received.
func (f *fake) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.counts {
		n += c
	}
	return n
}

func (f *fake) resetCounts() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.counts)
}

// options points a store at the fake with static credentials and quick
// retries.
func (f *fake) options() *statestores3.Options {
	return &statestores3.Options{
		Endpoint:   f.URL,
		AWSConfig:  testAWSConfig(),
		MaxBackoff: 10 * time.Millisecond,
	}
}

func testAWSConfig() *aws.Config {
	return &aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test-access-key", "test-secret-key", ""),
	}
}

// putObject stores an object directly in the fake bucket.
func (f *fake) putObject(t testing.TB, key string, body []byte) {
	t.Helper()
	if _, err := f.backend.PutObject(testBucket, key, map[string]string{}, bytes.NewReader(body), int64(len(body)), nil); err != nil {
		t.Fatalf("put object %q: %v", key, err)
	}
}

// object reads an object directly from the fake bucket.
func (f *fake) object(t testing.TB, key string) ([]byte, bool) {
	t.Helper()
	obj, err := f.backend.GetObject(testBucket, key, nil)
	if err != nil {
		if gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey) {
			return nil, false
		}
		t.Fatalf("get object %q: %v", key, err)
	}
	defer obj.Contents.Close()
	b, err := io.ReadAll(obj.Contents)
	if err != nil {
		t.Fatal(err)
	}
	return b, true
}

// objectKeys lists every object key in the fake bucket, sorted.
func (f *fake) objectKeys(t testing.TB) []string {
	t.Helper()
	list, err := f.backend.ListBucket(testBucket, nil, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, c := range list.Contents {
		keys = append(keys, c.Key)
	}
	slices.Sort(keys)
	return keys
}

// openStore opens a store on the fake at prefix and closes it at cleanup.
func openStore(t testing.TB, f *fake, prefix string, opts *statestores3.Options) *statestores3.Store {
	t.Helper()
	if opts == nil {
		opts = f.options()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := statestores3.Open(ctx, testBucket, prefix, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
