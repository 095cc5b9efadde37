package s3_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/goceramic/ceramic/statestore"
	statestores3 "github.com/goceramic/ceramic/statestore/s3"
)

func TestOpenMissingBucket(t *testing.T) {
	f := newFake(t)
	_, err := statestores3.Open(t.Context(), "no-such-bucket", "p/", f.options())
	if !errors.Is(err, statestore.ErrInvalidConfig) {
		t.Fatalf("Open: %v, want ErrInvalidConfig", err)
	}
	for _, want := range []string{"state-store.s3-bucket", `"no-such-bucket"`, "does not exist", f.URL} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	// Through the registry, with a sub path.
	_, err = statestore.Open(t.Context(), statestore.Config{Type: "s3", Network: "mainnet", Bucket: "no-such-bucket/sub", Endpoint: f.URL})
	if !errors.Is(err, statestore.ErrInvalidConfig) || !strings.Contains(err.Error(), "state-store.s3-bucket") {
		t.Fatalf("statestore.Open: %v", err)
	}
}

func TestOpenServerDown(t *testing.T) {
	f := newFake(t)
	f.srv.Close()
	start := time.Now()
	_, err := statestores3.Open(t.Context(), testBucket, "p/", f.options())
	if !errors.Is(err, statestores3.ErrUnavailable) {
		t.Fatalf("Open: %v, want ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), "state-store.s3-endpoint") {
		t.Errorf("error %q does not name state-store.s3-endpoint", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Open took %v to fail", d)
	}
}

func TestOpenAccessDenied(t *testing.T) {
	f := newFake(t)
	f.failStatus.Store(http.StatusForbidden)
	_, err := statestores3.Open(t.Context(), testBucket, "p/", f.options())
	if !errors.Is(err, statestores3.ErrAccessDenied) || !strings.Contains(err.Error(), "credentials") {
		t.Fatalf("Open: %v, want ErrAccessDenied naming the credentials", err)
	}
	if errors.Is(err, statestores3.ErrUnavailable) {
		t.Errorf("access denied reported as unavailable: %v", err)
	}

	// Credentials revoked after Open: no retries, ErrAccessDenied.
	f.failStatus.Store(0)
	s := openStore(t, f, "p/", nil)
	f.failStatus.Store(http.StatusForbidden)
	f.resetCounts()
	_, err = s.Get(t.Context(), "k")
	if !errors.Is(err, statestores3.ErrAccessDenied) || errors.Is(err, statestores3.ErrUnavailable) || errors.Is(err, statestore.ErrNotFound) {
		t.Fatalf("Get: %v, want ErrAccessDenied only", err)
	}
	if err := s.Put(t.Context(), "k", nil); !errors.Is(err, statestores3.ErrAccessDenied) {
		t.Fatalf("Put: %v, want ErrAccessDenied", err)
	}
	if n := f.count("GET"); n != 1 {
		t.Errorf("a refused Get was tried %d times", n)
	}
}

func TestOpenNoCredentials(t *testing.T) {
	f := newFake(t)
	opts := f.options()
	opts.AWSConfig.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, errors.New("no credentials in the chain")
	})
	_, err := statestores3.Open(t.Context(), testBucket, "p/", opts)
	if !errors.Is(err, statestores3.ErrAccessDenied) || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID") {
		t.Fatalf("Open: %v, want ErrAccessDenied naming the credentials", err)
	}
	if n := f.count("LIST"); n != 0 {
		t.Errorf("%d unsigned requests sent", n)
	}
}

// After Open, a server that went away or fails makes every operation fail
// with ErrUnavailable after the retries, quickly.
func TestUnavailable(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail func(f *fake)
	}{
		{"server down", func(f *fake) { f.srv.Close() }},
		{"slow down", func(f *fake) { f.failStatus.Store(http.StatusServiceUnavailable) }},
		{"internal error", func(f *fake) { f.failStatus.Store(http.StatusInternalServerError) }},
		{"throttled", func(f *fake) { f.failStatus.Store(http.StatusTooManyRequests) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			opts := f.options()
			opts.MaxAttempts = 3
			s := openStore(t, f, "p/", opts)
			if err := s.Put(t.Context(), "k", []byte("v")); err != nil {
				t.Fatal(err)
			}
			tc.fail(f)
			f.resetCounts()
			start := time.Now()
			check := func(op string, err error) {
				t.Helper()
				if !errors.Is(err, statestores3.ErrUnavailable) {
					t.Errorf("%s: %v, want ErrUnavailable", op, err)
				}
				if errors.Is(err, statestore.ErrNotFound) || errors.Is(err, statestores3.ErrAccessDenied) {
					t.Errorf("%s: %v also matches another sentinel", op, err)
				}
			}
			_, err := s.Get(t.Context(), "k")
			check("Get", err)
			check("Put", s.Put(t.Context(), "k", []byte("v")))
			check("Delete", s.Delete(t.Context(), "k"))
			var listErr error
			for _, err := range s.List(t.Context(), statestore.ListOptions{}) {
				listErr = err
			}
			check("List", listErr)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("failing took %v", d)
			}
			if tc.name != "server down" {
				if n := f.count("GET"); n != 3 {
					t.Errorf("Get made %d attempts, want MaxAttempts = 3", n)
				}
			}
		})
	}
}

// A request that hangs is cut off by RequestTimeout and retried, and the
// store reports it as unavailable.
func TestRequestTimeout(t *testing.T) {
	f := newFake(t)
	opts := f.options()
	opts.RequestTimeout = 100 * time.Millisecond
	opts.MaxAttempts = 2
	s := openStore(t, f, "p/", opts)
	f.wrap = func(w http.ResponseWriter, r *http.Request) bool {
		if operation(r) != "GET" {
			return false
		}
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		return true
	}
	start := time.Now()
	_, err := s.Get(t.Context(), "k")
	if !errors.Is(err, statestores3.ErrUnavailable) {
		t.Fatalf("Get: %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Get took %v", d)
	}
	if n := f.count("GET"); n != 2 {
		t.Errorf("%d attempts, want 2", n)
	}
}

func TestNotFound(t *testing.T) {
	f := newFake(t)
	s := openStore(t, f, "ceramic/local/state-store/", nil)
	_, err := s.Get(t.Context(), streamA)
	if !errors.Is(err, statestore.ErrNotFound) || errors.Is(err, statestores3.ErrUnavailable) {
		t.Fatalf("Get: %v, want only ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), "ceramic/local/state-store/"+streamA) {
		t.Errorf("error %q does not name the object", err)
	}
	if n := f.count("GET"); n != 1 {
		t.Errorf("a missing key took %d GETs", n)
	}
}

// A done context is reported as such, not as S3 being unavailable.
func TestContextErrors(t *testing.T) {
	f := newFake(t)
	s := openStore(t, f, "p/", nil)
	f.getDelay.Store(int64(time.Second))
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := s.Get(ctx, "k")
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, statestores3.ErrUnavailable) {
		t.Fatalf("Get with a deadline: %v", err)
	}
}

// When no region is configured, Open learns the bucket's region from S3's
// answer and signs for it from then on.
func TestRegionDetection(t *testing.T) {
	const bucketRegion = "eu-central-1"
	newRegionFake := func(t *testing.T) *fake {
		f := newFake(t)
		f.wrap = func(w http.ResponseWriter, r *http.Request) bool {
			if strings.Contains(r.Header.Get("Authorization"), "/"+bucketRegion+"/s3/") {
				return false
			}
			w.Header().Set("X-Amz-Bucket-Region", bucketRegion)
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusMovedPermanently)
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>PermanentRedirect</Code><Message>use the bucket's region</Message></Error>`)
			return true
		}
		return f
	}

	t.Run("detected", func(t *testing.T) {
		f := newRegionFake(t)
		opts := f.options()
		opts.AWSConfig.Region = ""
		s := openStore(t, f, "p/", opts)
		if s.Region() != bucketRegion {
			t.Fatalf("Region() = %q, want %q", s.Region(), bucketRegion)
		}
		if err := s.Put(t.Context(), "k", []byte("v")); err != nil {
			t.Fatal(err)
		}
		if v, err := s.Get(t.Context(), "k"); err != nil || string(v) != "v" {
			t.Fatalf("Get = %q, %v", v, err)
		}
	})
	t.Run("configured region is kept", func(t *testing.T) {
		f := newRegionFake(t)
		opts := f.options()
		opts.Region = "us-west-2"
		_, err := statestores3.Open(t.Context(), testBucket, "p/", opts)
		if err == nil || !strings.Contains(err.Error(), "region "+bucketRegion) || !strings.Contains(err.Error(), "AWS_REGION") {
			t.Fatalf("Open against a bucket in another region than the configured one: %v", err)
		}
	})
}
