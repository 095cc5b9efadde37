package fs_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/goceramic/ceramic/statestore"
	"github.com/goceramic/ceramic/statestore/fs"
	"github.com/goceramic/ceramic/statestore/storetest"
)

func mustOpen(t testing.TB, dir string, o *fs.Options) *fs.Store {
	t.Helper()
	s, err := fs.Open(dir, o)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) statestore.Store {
		return mustOpen(t, t.TempDir(), nil)
	})
}

func TestReopen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b", "testnet-clay") // parents are created
	s := mustOpen(t, dir, nil)
	ctx := t.Context()
	want := map[string][]byte{}
	for i := range 200 {
		k := fmt.Sprintf("kjzl%04d", i)
		want[k] = bytes.Repeat([]byte{byte(i)}, i*37)
		if err := s.Put(ctx, k, want[k]); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 50 {
		k := fmt.Sprintf("kjzl%04d", i*4)
		delete(want, k)
		if err := s.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	for round := range 3 {
		s = mustOpen(t, dir, nil)
		n := 0
		for e, err := range s.List(ctx, statestore.ListOptions{}) {
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(e.Value, want[e.Key]) {
				t.Fatalf("round %d: %q has %d bytes, want %d", round, e.Key, len(e.Value), len(want[e.Key]))
			}
			n++
		}
		if n != len(want) {
			t.Fatalf("round %d: reopened store lists %d keys, want %d", round, n, len(want))
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadOnly(t *testing.T) {
	t.Run("missing directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "missing")
		if s, err := fs.Open(dir, &fs.Options{ReadOnly: true}); err == nil {
			s.Close()
			t.Fatal("read-only Open of a missing directory succeeded")
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("read-only Open created %s", dir)
		}
	})
	t.Run("existing store", func(t *testing.T) {
		dir := t.TempDir()
		s := mustOpen(t, dir, nil)
		if err := s.Put(t.Context(), "k", []byte("v")); err != nil {
			t.Fatal(err)
		}
		s.Close()
		before := snapshotDir(t, dir)

		ro := mustOpen(t, dir, &fs.Options{ReadOnly: true})
		if v, err := ro.Get(t.Context(), "k"); err != nil || string(v) != "v" {
			t.Fatalf("Get = %q, %v", v, err)
		}
		for _, err := range []error{
			ro.Put(t.Context(), "k", []byte("w")),
			ro.Delete(t.Context(), "k"),
			ro.WriteBatch(t.Context(), []statestore.Op{{Key: "x"}}),
		} {
			if !errors.Is(err, statestore.ErrReadOnly) {
				t.Errorf("write on read-only store: %v, want ErrReadOnly", err)
			}
		}
		if err := ro.Close(); err != nil {
			t.Fatal(err)
		}
		if after := snapshotDir(t, dir); !maps(before, after) {
			t.Fatalf("read-only open changed files:\nbefore %v\nafter  %v", keys(before), keys(after))
		}
	})
}

// snapshotDir returns the contents of every file in dir, except LOG files
// (LevelDB's diagnostics), by name.
func snapshotDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || e.Name() == "LOG" || e.Name() == "LOG.old" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func maps(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

func keys(m map[string][]byte) []string {
	var ks []string
	for k, v := range m {
		ks = append(ks, fmt.Sprintf("%s(%d)", k, len(v)))
	}
	slices.Sort(ks)
	return ks
}

func TestRegistryLocations(t *testing.T) {
	tests := []struct {
		name     string
		network  string
		existing []string // directories present before Open
		state    string   // directory expected to receive the state entry
		requests string   // directory expected to receive the anchor-request entry
	}{
		{"clay", "testnet-clay", nil, "testnet-clay", "testnet-clay-anchor-requests"},
		{"local", "local", nil, "local", "local-anchor-requests"},
		{"mainnet fresh", "mainnet", nil, "mainnet", "mainnet-anchor-requests"},
		{"mainnet with legacy elp", "mainnet", []string{"elp"}, "elp", "mainnet-anchor-requests"},
		{"mainnet with both legacy", "mainnet", []string{"elp", "elp-anchor-requests"}, "elp", "elp-anchor-requests"},
		{"mainnet legacy requests only", "mainnet", []string{"elp-anchor-requests"}, "mainnet", "elp-anchor-requests"},
		{"mainnet prefers elp over mainnet", "mainnet", []string{"mainnet", "elp"}, "elp", "mainnet-anchor-requests"},
		{"elp network", "elp", nil, "elp", "elp-anchor-requests"},
		{"clay ignores elp", "testnet-clay", []string{"elp"}, "testnet-clay", "testnet-clay-anchor-requests"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "statestore")
			for _, d := range tc.existing {
				if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			stores, err := statestore.Open(t.Context(), statestore.Config{Type: fs.Type, Dir: root, Network: tc.network})
			if err != nil {
				t.Fatal(err)
			}
			if err := stores.State.Put(t.Context(), "state", []byte("s")); err != nil {
				t.Fatal(err)
			}
			if err := stores.AnchorRequests.Put(t.Context(), "request", []byte("r")); err != nil {
				t.Fatal(err)
			}
			if got := stores.State.(*fs.Store).Dir(); filepath.Base(got) != tc.state {
				t.Errorf("state store at %s, want %s", got, tc.state)
			}
			if got := stores.AnchorRequests.(*fs.Store).Dir(); filepath.Base(got) != tc.requests {
				t.Errorf("anchor-request store at %s, want %s", got, tc.requests)
			}
			if err := stores.Close(); err != nil {
				t.Fatal(err)
			}
			// Reading back through a plain Open of the expected directories.
			for dir, key := range map[string]string{tc.state: "state", tc.requests: "request"} {
				s := mustOpen(t, filepath.Join(root, dir), &fs.Options{ReadOnly: true})
				if _, err := s.Get(t.Context(), key); err != nil {
					t.Errorf("%s: %v", dir, err)
				}
				s.Close()
			}
		})
	}
}

func TestRegistryErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  statestore.Config
		want error
	}{
		{"no dir", statestore.Config{Type: fs.Type, Network: "local"}, statestore.ErrInvalidConfig},
		{"no network", statestore.Config{Type: fs.Type, Dir: t.TempDir()}, statestore.ErrInvalidConfig},
		{"network with slash", statestore.Config{Type: fs.Type, Dir: t.TempDir(), Network: "../x"}, statestore.ErrInvalidConfig},
		{"unknown type", statestore.Config{Type: "nope", Dir: t.TempDir(), Network: "local"}, statestore.ErrUnknownType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stores, err := statestore.Open(t.Context(), tc.cfg)
			if !errors.Is(err, tc.want) {
				stores.Close()
				t.Fatalf("Open error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestRegistryDefaultTypeIsFS(t *testing.T) {
	root := t.TempDir()
	stores, err := statestore.Open(t.Context(), statestore.Config{Dir: root, Network: "local"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := stores.State.(*fs.Store); !ok {
		t.Fatalf("empty Type opened %T", stores.State)
	}
	stores.Close()
}

func TestRegistryHalfOpenIsClosed(t *testing.T) {
	root := t.TempDir()
	// The anchor-request directory is held, so the second open fails...
	held := mustOpen(t, filepath.Join(root, "local-anchor-requests"), nil)
	_, err := statestore.Open(t.Context(), statestore.Config{Dir: root, Network: "local"})
	if !errors.Is(err, fs.ErrLocked) {
		t.Fatalf("Open error = %v, want ErrLocked", err)
	}
	held.Close()
	// ...and the state store opened first must have been closed again.
	s := mustOpen(t, filepath.Join(root, "local"), nil)
	s.Close()
}

func TestRegistryReadOnlyMissingKeySpace(t *testing.T) {
	// A 2.x store has no anchor-request directory; reading it read-only
	// sees an empty key space and creates nothing.
	root := t.TempDir()
	s := mustOpen(t, filepath.Join(root, "testnet-clay"), nil)
	if err := s.Put(t.Context(), "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	stores, err := statestore.Open(t.Context(), statestore.Config{Dir: root, Network: "testnet-clay", ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	ar := stores.AnchorRequests
	if _, err := ar.Get(t.Context(), "k"); !errors.Is(err, statestore.ErrNotFound) {
		t.Errorf("Get: %v", err)
	}
	if err := ar.Put(t.Context(), "k", nil); !errors.Is(err, statestore.ErrReadOnly) {
		t.Errorf("Put: %v", err)
	}
	for _, err := range ar.List(t.Context(), statestore.ListOptions{}) {
		t.Errorf("List yielded %v", err)
	}
	if err := stores.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := ar.Get(t.Context(), "k"); !errors.Is(err, statestore.ErrClosed) {
		t.Errorf("Get after Close: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "testnet-clay-anchor-requests")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("read-only Open created the anchor-request directory")
	}
}
