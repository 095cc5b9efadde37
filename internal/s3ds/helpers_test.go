package s3ds

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	ds "github.com/ipfs/go-datastore"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

const testBucket = "blocks"

// fakeS3 is an in-process gofakes3 (s3mem backend) behind an httptest
// server, with switches to simulate outages.
type fakeS3 struct {
	t       *testing.T
	backend *s3mem.Backend
	srv     *httptest.Server
	// unavailable makes every request fail with 503 SlowDown.
	unavailable atomic.Bool
	// delay is slept before each request is served (nanoseconds).
	delay atomic.Int64
	// served counts requests that reached the server.
	served atomic.Int64
}

func newFakeS3(t *testing.T) *fakeS3 {
	t.Helper()
	f := &fakeS3{t: t, backend: s3mem.New()}
	faker := gofakes3.New(f.backend, gofakes3.WithLogger(gofakes3.DiscardLog()))
	h := faker.Server()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.served.Add(1)
		if d := time.Duration(f.delay.Load()); d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
		if f.unavailable.Load() {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`))
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	if err := f.backend.CreateBucket(testBucket); err != nil {
		t.Fatal(err)
	}
	return f
}

// config returns a Config pointing at the fake with fast retries.
func (f *fakeS3) config() Config {
	return Config{
		Region:         "us-east-1",
		Bucket:         testBucket,
		Endpoint:       f.srv.URL,
		AccessKey:      "AKIDTEST",
		SecretKey:      "secret",
		MaxAttempts:    3,
		MaxBackoff:     5 * time.Millisecond,
		RequestTimeout: 5 * time.Second,
	}
}

func (f *fakeS3) open(cfg Config) *Datastore {
	f.t.Helper()
	d, err := New(context.Background(), cfg)
	if err != nil {
		f.t.Fatalf("New: %v", err)
	}
	f.t.Cleanup(func() { _ = d.Close() })
	return d
}

// place writes an object directly into the backend, bypassing the datastore.
func (f *fakeS3) place(objectKey string, value []byte) {
	f.t.Helper()
	_, err := f.backend.PutObject(testBucket, objectKey, map[string]string{}, bytes.NewReader(value), int64(len(value)), nil)
	if err != nil {
		f.t.Fatal(err)
	}
}

// objectKeys lists the object keys in the backend, sorted.
func (f *fakeS3) objectKeys() []string {
	f.t.Helper()
	list, err := f.backend.ListBucket(testBucket, nil, gofakes3.ListBucketPage{})
	if err != nil {
		f.t.Fatal(err)
	}
	var keys []string
	for _, c := range list.Contents {
		keys = append(keys, c.Key)
	}
	sort.Strings(keys)
	return keys
}

// object reads an object directly from the backend.
func (f *fakeS3) object(objectKey string) ([]byte, bool) {
	f.t.Helper()
	obj, err := f.backend.GetObject(testBucket, objectKey, nil)
	if err != nil {
		return nil, false
	}
	defer obj.Contents.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(obj.Contents); err != nil {
		f.t.Fatal(err)
	}
	return buf.Bytes(), true
}

// reqDelta returns the requests sent since before, without zero entries.
func reqDelta(before, after map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for k, v := range after {
		if n := v - before[k]; n != 0 {
			out[k] = n
		}
	}
	return out
}

func mustPut(t *testing.T, d ds.Datastore, k string, v []byte) {
	t.Helper()
	if err := d.Put(context.Background(), ds.NewKey(k), v); err != nil {
		t.Fatalf("Put %s: %v", k, err)
	}
}
