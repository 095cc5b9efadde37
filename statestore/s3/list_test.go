package s3_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/goceramic/ceramic/statestore"
	statestores3 "github.com/goceramic/ceramic/statestore/s3"
)

const listPrefix = "ceramic/local/state-store/"

// fill puts n objects straight into the fake bucket (faster than Put).
func fill(t *testing.T, f *fake, n int, value string) []string {
	t.Helper()
	keys := make([]string, n)
	for i := range n {
		keys[i] = fmt.Sprintf("kjzl%06d", i)
		f.putObject(t, listPrefix+keys[i], []byte(value))
	}
	return keys
}

func collect(t *testing.T, s statestore.Store, opts statestore.ListOptions) []statestore.Entry {
	t.Helper()
	var out []statestore.Entry
	for e, err := range s.List(t.Context(), opts) {
		if err != nil {
			t.Fatalf("List(%+v): %v", opts, err)
		}
		out = append(out, e)
	}
	return out
}

// Listing keys never reads values: one LIST per 1000 keys and nothing else.
func TestListKeysOnlyRequests(t *testing.T) {
	f := newFake(t)
	keys := fill(t, f, 2500, "{}")
	s := openStore(t, f, listPrefix, nil)
	f.resetCounts()
	got := collect(t, s, statestore.ListOptions{KeysOnly: true})
	if len(got) != len(keys) || got[0].Key != keys[0] || got[len(got)-1].Key != keys[len(keys)-1] {
		t.Fatalf("listed %d keys", len(got))
	}
	if f.count("LIST") != 3 || f.count("GET") != 0 {
		t.Fatalf("KeysOnly listing of 2500 keys sent %d LIST and %d GET, want 3 and 0", f.count("LIST"), f.count("GET"))
	}

	// A limited listing asks S3 for that many keys only.
	f.resetCounts()
	var maxKeys []string
	f.wrap = func(w http.ResponseWriter, r *http.Request) bool {
		if operation(r) == "LIST" {
			maxKeys = append(maxKeys, r.URL.Query().Get("max-keys"))
		}
		return false
	}
	page := collect(t, s, statestore.ListOptions{KeysOnly: true, After: keys[10], Limit: 5})
	if len(page) != 5 || page[0].Key != keys[11] {
		t.Fatalf("page = %v", page)
	}
	if strings.Join(maxKeys, ",") != "5" {
		t.Fatalf("LIST max-keys = %q, want one request for 5", maxKeys)
	}
}

// Values are read by a bounded pool, only as far as the caller iterates,
// and never for empty objects.
func TestListValues(t *testing.T) {
	f := newFake(t)
	fill(t, f, 40, `{"type":0}`)
	opts := f.options()
	opts.ListConcurrency = 4
	s := openStore(t, f, listPrefix, opts)

	t.Run("bounded concurrency", func(t *testing.T) {
		f.resetCounts()
		f.maxInFlightGets.Store(0)
		f.getDelay.Store(int64(10 * time.Millisecond))
		defer f.getDelay.Store(0)
		got := collect(t, s, statestore.ListOptions{})
		if len(got) != 40 {
			t.Fatalf("listed %d", len(got))
		}
		for _, e := range got {
			if string(e.Value) != `{"type":0}` {
				t.Fatalf("value of %s = %q", e.Key, e.Value)
			}
		}
		if m := f.maxInFlightGets.Load(); m > 4 || m < 2 {
			t.Errorf("%d GETs in flight at most, want 2..4", m)
		}
		if f.count("GET") != 40 {
			t.Errorf("%d GETs for 40 values", f.count("GET"))
		}
	})

	t.Run("lazy", func(t *testing.T) {
		f.resetCounts()
		for range s.List(t.Context(), statestore.ListOptions{}) {
			break
		}
		if n := f.count("GET"); n > 4 {
			t.Errorf("breaking after one entry read %d values", n)
		}
		// Reads the loop abandoned may still reach the server after List returned (the
		// client gave up on them); let them land before counting afresh.
		time.Sleep(100 * time.Millisecond)
		f.resetCounts()
		if got := collect(t, s, statestore.ListOptions{Limit: 3}); len(got) != 3 {
			t.Fatalf("Limit 3 listed %d", len(got))
		}
		if n := f.count("GET"); n != 3 {
			t.Errorf("Limit 3 read %d values", n)
		}
	})

	t.Run("empty objects", func(t *testing.T) {
		f.putObject(t, listPrefix+"empty", nil)
		f.resetCounts()
		got := collect(t, s, statestore.ListOptions{Prefix: "empty"})
		if len(got) != 1 || got[0].Value == nil || len(got[0].Value) != 0 {
			t.Fatalf("listing = %#v", got)
		}
		if f.count("GET") != 0 {
			t.Errorf("read an empty object")
		}
	})
}

// A key deleted between listing and reading is skipped.
func TestListSkipsDeleted(t *testing.T) {
	f := newFake(t)
	keys := fill(t, f, 5, "v")
	s := openStore(t, f, listPrefix, nil)
	f.wrap = func(w http.ResponseWriter, r *http.Request) bool {
		if operation(r) == "GET" && strings.HasSuffix(r.URL.Path, "/"+keys[2]) {
			f.backend.DeleteObject(testBucket, listPrefix+keys[2])
		}
		return false
	}
	got := collect(t, s, statestore.ListOptions{})
	var listed []string
	for _, e := range got {
		listed = append(listed, e.Key)
	}
	want := []string{keys[0], keys[1], keys[3], keys[4]}
	if strings.Join(listed, ",") != strings.Join(want, ",") {
		t.Fatalf("listed %q, want %q", listed, want)
	}
}

func TestReadRateLimit(t *testing.T) {
	f := newFake(t)
	opts := f.options()
	opts.ReadsPerSecond = 20 // a burst of 20, then one every 50 ms
	s := openStore(t, f, "p/", opts)
	start := time.Now()
	for range 30 {
		s.Get(t.Context(), "missing")
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("30 reads at 20/s took %v, want about 500ms", d)
	}

	opts.ReadsPerSecond = -1 // no limit
	s = openStore(t, f, "p/", opts)
	start = time.Now()
	for range 200 {
		s.Get(t.Context(), "missing")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("200 unlimited reads took %v", d)
	}
	if statestores3.DefaultReadsPerSecond != 4000 {
		t.Errorf("default read limit %d, want js-ceramic's 4000/s", statestores3.DefaultReadsPerSecond)
	}
}
