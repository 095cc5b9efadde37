package s3_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/goceramic/ceramic/statestore"
	statestores3 "github.com/goceramic/ceramic/statestore/s3"
	"github.com/goceramic/ceramic/statestore/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) statestore.Store {
		f := newFake(t)
		return openStore(t, f, "ceramic/testnet-clay/state-store/", nil)
	})
}

// The suite again with a store that shares its bucket and part of its
// prefix with other key spaces: listing must stay inside the prefix.
func TestConformanceSharedBucket(t *testing.T) {
	storetest.Run(t, func(t *testing.T) statestore.Store {
		f := newFake(t)
		for _, k := range []string{
			"ceramic/testnet-clay/state-stor", "ceramic/testnet-clay/state-store", "ceramic/testnet-clay/state-store-anchor-requests/k",
			"ceramic/testnet-clay/state-store0", "ceramic/testnet-clay/state-store.x", "ceramic/testnet-clay/state-storf/a",
			"a", "ceramic/mainnet/state-store/kjz", "zzz",
		} {
			f.putObject(t, k, []byte("other"))
		}
		return openStore(t, f, "ceramic/testnet-clay/state-store/", nil)
	})
}

func TestRegistry(t *testing.T) {
	if !slices.Contains(statestore.Types(), statestores3.Type) {
		t.Fatalf("type %q not registered: %v", statestores3.Type, statestore.Types())
	}
	f := newFake(t)
	stores, err := statestore.Open(t.Context(), statestore.Config{
		Type: statestores3.Type, Network: "testnet-clay", Bucket: testBucket, Endpoint: f.URL,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stores.Close()
	if err := stores.State.Put(t.Context(), "k", []byte("state")); err != nil {
		t.Fatal(err)
	}
	if err := stores.AnchorRequests.Put(t.Context(), "k", []byte(`"{}"`)); err != nil {
		t.Fatal(err)
	}
	if _, err := stores.AnchorRequests.Get(t.Context(), "missing"); !errors.Is(err, statestore.ErrNotFound) {
		t.Fatalf("Get missing: %v", err)
	}
	v, err := stores.State.Get(t.Context(), "k")
	if err != nil || string(v) != "state" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if st, ok := stores.State.(*statestores3.Store); !ok || st.Bucket() != testBucket || st.Region() != "us-east-1" {
		t.Fatalf("State is %T %+v", stores.State, stores.State)
	}
}

// An endpoint from the AWS environment (AWS_ENDPOINT_URL) also gets
// path-style addressing.
func TestEndpointFromEnvironment(t *testing.T) {
	f := newFake(t)
	t.Setenv("AWS_ENDPOINT_URL", f.URL)
	stores, err := statestore.Open(t.Context(), statestore.Config{Type: "s3", Network: "local", Bucket: testBucket})
	if err != nil {
		t.Fatal(err)
	}
	defer stores.Close()
	if err := stores.State.Put(t.Context(), "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.object(t, "ceramic/local/state-store/k"); !ok {
		t.Fatal("object not written at the endpoint from the environment")
	}
}

func TestRegistryConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  statestore.Config
	}{
		{"no bucket", statestore.Config{Type: "s3", Network: "local"}},
		{"empty bucket name", statestore.Config{Type: "s3", Network: "local", Bucket: "/sub/path"}},
		{"no network", statestore.Config{Type: "s3", Bucket: "b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := statestore.Open(t.Context(), tc.cfg)
			if !errors.Is(err, statestore.ErrInvalidConfig) {
				t.Fatalf("Open: %v, want ErrInvalidConfig", err)
			}
		})
	}
}

func TestReadOnly(t *testing.T) {
	f := newFake(t)
	f.putObject(t, "ceramic/local/state-store/k", []byte("v"))
	stores, err := statestore.Open(t.Context(), statestore.Config{
		Type: "s3", Network: "local", Bucket: testBucket, Endpoint: f.URL, ReadOnly: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stores.Close()
	if err := stores.State.Put(t.Context(), "k", []byte("x")); !errors.Is(err, statestore.ErrReadOnly) {
		t.Fatalf("Put: %v", err)
	}
	if err := stores.State.Delete(t.Context(), "k"); !errors.Is(err, statestore.ErrReadOnly) {
		t.Fatalf("Delete: %v", err)
	}
	if v, err := stores.State.Get(t.Context(), "k"); err != nil || string(v) != "v" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if f.count("PUT")+f.count("DELETE") != 0 {
		t.Fatal("a read-only store sent writes")
	}
}

// S3 cannot hold every key: Put refuses those, Get finds nothing there.
func TestUnstorableKeys(t *testing.T) {
	f := newFake(t)
	s := openStore(t, f, "p/", nil)
	long := string(bytes.Repeat([]byte("k"), 1024-len("p/")+1))
	for _, k := range []string{"a\x00b", "tab\tkey", "\xff\xfe", "bad\xc3", "x\uffff", long} {
		if err := s.Put(t.Context(), k, []byte("v")); !errors.Is(err, statestore.ErrInvalidKey) {
			t.Errorf("Put(%q): %v, want ErrInvalidKey", k, err)
		}
		if _, err := s.Get(t.Context(), k); !errors.Is(err, statestore.ErrNotFound) {
			t.Errorf("Get(%q): %v, want ErrNotFound", k, err)
		}
		if err := s.Delete(t.Context(), k); err != nil {
			t.Errorf("Delete(%q): %v", k, err)
		}
	}
	if n := f.count("PUT") + f.count("GET") + f.count("DELETE"); n != 0 {
		t.Errorf("%d requests for keys S3 cannot hold", n)
	}
	ok := long[1:]
	if err := s.Put(t.Context(), ok, []byte("v")); err != nil {
		t.Fatalf("Put of a key of the greatest length: %v", err)
	}
}

// Keys with characters that need escaping in a URL path or query round-trip.
func TestOddKeys(t *testing.T) {
	f := newFake(t)
	s := openStore(t, f, "ceramic/local/state-store/", nil)
	keys := []string{"a b", "a+b", "a%2Fb", "a?b=c", "a#b", "a&b", "ü/ä//x", "a\\b", "'quote\"", "<x>"}
	for _, k := range keys {
		if err := s.Put(t.Context(), k, []byte("v:"+k)); err != nil {
			t.Fatalf("Put(%q): %v", k, err)
		}
		if v, err := s.Get(t.Context(), k); err != nil || string(v) != "v:"+k {
			t.Fatalf("Get(%q) = %q, %v", k, v, err)
		}
		if _, ok := f.object(t, "ceramic/local/state-store/"+k); !ok {
			t.Fatalf("no object for %q; objects: %q", k, f.objectKeys(t))
		}
	}
	var listed []string
	for e, err := range s.List(t.Context(), statestore.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		if string(e.Value) != "v:"+e.Key {
			t.Errorf("List value of %q = %q", e.Key, e.Value)
		}
		listed = append(listed, e.Key)
	}
	want := slices.Clone(keys)
	slices.Sort(want)
	if !slices.Equal(listed, want) {
		t.Fatalf("List = %q, want %q", listed, want)
	}
}

// Put and Delete return after S3 answered: the object is there (or gone)
// when they return, as another client sees it.
func TestDurableOnReturn(t *testing.T) {
	f := newFake(t)
	s := openStore(t, f, "ceramic/local/state-store/", nil)
	if err := s.Put(t.Context(), "k", []byte("v1")); err != nil {
		t.Fatal(err)
	}
	if b, ok := f.object(t, "ceramic/local/state-store/k"); !ok || string(b) != "v1" {
		t.Fatalf("object after Put = %q, %v", b, ok)
	}
	if err := s.Delete(t.Context(), "k"); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.object(t, "ceramic/local/state-store/k"); ok {
		t.Fatal("object still there after Delete")
	}
}

// Close waits for requests in progress.
func TestCloseWaits(t *testing.T) {
	f := newFake(t)
	s := openStore(t, f, "p/", nil)
	if err := s.Put(t.Context(), "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	f.getDelay.Store(int64(200 * time.Millisecond))
	got := make(chan error, 1)
	go func() {
		_, err := s.Get(context.Background(), "k")
		got <- err
	}()
	for f.inFlightGets.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("Get in progress during Close: %v", err)
		}
	default:
		t.Fatal("Close returned before the Get in progress")
	}
}

func Example() {
	// A store at an S3-compatible endpoint (MinIO here); credentials and
	// region come from the AWS environment.
	ctx := context.Background()
	stores, err := statestore.Open(ctx, statestore.Config{
		Type:     statestores3.Type,
		Network:  "testnet-clay",
		Bucket:   "ceramic-bucket/node-1",
		Endpoint: "http://127.0.0.1:9000",
	})
	if err != nil {
		fmt.Println(err) // names state-store.s3-bucket, the credentials or the endpoint
		return
	}
	defer stores.Close()
	// Objects: node-1/ceramic/testnet-clay/state-store/<StreamID> and
	// node-1/ceramic/testnet-clay/state-store-anchor-requests/<StreamID>.
}
