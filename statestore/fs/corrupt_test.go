package fs_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goceramic/ceramic/statestore"
	"github.com/goceramic/ceramic/statestore/fs"
)

// corruptKeys is how many entries the corruption tests write: enough (with
// 8 KiB values) to fill several LevelDB tables, plus a tail in the journal.
const corruptKeys = 1500

func corruptValue(i int) []byte {
	return []byte(strings.Repeat(fmt.Sprintf("value-%06d;", i), 8<<10/12))
}

// filesMatching returns the files in dir whose names end with suffix (or
// start with it, for "MANIFEST-").
func filesMatching(t *testing.T, dir, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCorruption(t *testing.T) {
	tests := []struct {
		name    string
		damage  func(t *testing.T, dir string)
		opts    fs.Options
		wantErr error // from Open; nil means Open succeeds
		// recovered: Open must report a repair. intact: every key must
		// still read back.
		recovered, intact bool
	}{
		{
			name:   "manifest missing",
			damage: func(t *testing.T, dir string) { removeAll(t, filesMatching(t, dir, "MANIFEST-*")) },
			// Recovery rebuilds the manifest from the tables; entries still
			// only in the journal are lost.
			recovered: true,
		},
		{
			name:    "manifest missing, no recovery",
			damage:  func(t *testing.T, dir string) { removeAll(t, filesMatching(t, dir, "MANIFEST-*")) },
			opts:    fs.Options{NoRecover: true},
			wantErr: fs.ErrCorrupt,
		},
		{
			name:    "manifest missing, read-only",
			damage:  func(t *testing.T, dir string) { removeAll(t, filesMatching(t, dir, "MANIFEST-*")) },
			opts:    fs.Options{ReadOnly: true},
			wantErr: fs.ErrCorrupt,
		},
		{
			name:      "manifest garbage",
			damage:    func(t *testing.T, dir string) { scribble(t, filesMatching(t, dir, "MANIFEST-*"), 0) },
			recovered: true,
		},
		{
			name:   "journal tail garbage",
			damage: func(t *testing.T, dir string) { appendGarbage(t, filesMatching(t, dir, "*.log")) },
			intact: true,
		},
		{
			name:   "table damaged",
			damage: func(t *testing.T, dir string) { scribble(t, filesMatching(t, dir, "*.ldb")[:1], 100) },
		},
		{
			name:   "table truncated",
			damage: func(t *testing.T, dir string) { truncate(t, filesMatching(t, dir, "*.ldb")[:1]) },
		},
		{
			name: "everything garbage",
			damage: func(t *testing.T, dir string) {
				all := filesMatching(t, dir, "*")
				scribble(t, all, 0)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := mustOpen(t, dir, nil)
			var ops []statestore.Op
			for i := range corruptKeys {
				ops = append(ops, statestore.Op{Key: fmt.Sprintf("k%06d", i), Value: corruptValue(i)})
				if len(ops) == 100 || i == corruptKeys-1 {
					if err := s.WriteBatch(t.Context(), ops); err != nil {
						t.Fatal(err)
					}
					ops = ops[:0]
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if len(filesMatching(t, dir, "*.ldb")) == 0 {
				t.Fatal("setup wrote no table files")
			}
			tc.damage(t, dir)

			opts := tc.opts
			s, err := fs.Open(dir, &opts)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Open error = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				// Opening may fail for heavy damage, but only with a
				// corruption error, never a panic.
				if !errors.Is(err, fs.ErrCorrupt) {
					t.Fatalf("Open error = %v, want nil or ErrCorrupt", err)
				}
				if tc.recovered || tc.intact {
					t.Fatalf("Open: %v", err)
				}
				t.Logf("Open: %v", err)
				return
			}
			defer s.Close()
			if tc.recovered && s.Recovered() == nil {
				t.Error("Open repaired the store but Recovered() is nil")
			}
			if !tc.recovered && s.Recovered() != nil {
				t.Logf("recovered: %v", s.Recovered())
			}

			// Reads must give the right value, ErrNotFound (lost) or
			// ErrCorrupt — never a wrong value or a panic.
			var ok, lost, corrupt int
			for i := range corruptKeys {
				v, err := s.Get(t.Context(), fmt.Sprintf("k%06d", i))
				switch {
				case err == nil && string(v) == string(corruptValue(i)):
					ok++
				case err == nil:
					t.Fatalf("k%06d reads back a wrong value", i)
				case errors.Is(err, statestore.ErrNotFound):
					lost++
				case errors.Is(err, fs.ErrCorrupt):
					corrupt++
				default:
					t.Fatalf("Get: unexpected error %v", err)
				}
			}
			var listErr error
			for _, err := range s.List(t.Context(), statestore.ListOptions{}) {
				if err != nil {
					listErr = err
				}
			}
			if listErr != nil && !errors.Is(listErr, fs.ErrCorrupt) {
				t.Errorf("List error = %v, want nil or ErrCorrupt", listErr)
			}
			t.Logf("after damage: %d intact, %d lost, %d unreadable; list error: %v", ok, lost, corrupt, listErr)
			if tc.intact && ok != corruptKeys {
				t.Errorf("%d of %d keys intact, want all", ok, corruptKeys)
			}
			// The store stays writable.
			if err := s.Put(t.Context(), "after-damage", []byte("ok")); err != nil && !errors.Is(err, fs.ErrCorrupt) {
				t.Errorf("Put after damage: %v", err)
			}
		})
	}
}

func removeAll(t *testing.T, files []string) {
	t.Helper()
	if len(files) == 0 {
		t.Fatal("no file to damage")
	}
	for _, f := range files {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
}

// scribble overwrites each file from offset on with random bytes.
func scribble(t *testing.T, files []string, offset int64) {
	t.Helper()
	if len(files) == 0 {
		t.Fatal("no file to damage")
	}
	r := rand.New(rand.NewPCG(7, 7))
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.IsDir() || fi.Size() <= offset {
			continue
		}
		junk := make([]byte, fi.Size()-offset)
		for i := range junk {
			junk[i] = byte(r.Uint32())
		}
		fh, err := os.OpenFile(f, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fh.WriteAt(junk, offset); err != nil {
			t.Fatal(err)
		}
		fh.Close()
	}
}

func appendGarbage(t *testing.T, files []string) {
	t.Helper()
	if len(files) == 0 {
		t.Fatal("no file to damage")
	}
	for _, f := range files {
		fh, err := os.OpenFile(f, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		fh.Write([]byte("\x00\x01garbage that is not a journal record\xff\xfe"))
		fh.Close()
	}
}

func truncate(t *testing.T, files []string) {
	t.Helper()
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(f, fi.Size()/2); err != nil {
			t.Fatal(err)
		}
	}
}
