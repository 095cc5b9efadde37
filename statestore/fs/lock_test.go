//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package fs_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/goceramic/ceramic/statestore/fs"
)

func init() {
	helpers["hold-store"] = holdStore
	helpers["hold-fcntl"] = holdRecordLock
}

// holdStore opens the store in dir, says READY and keeps it open until stdin
// closes: another node running on the directory.
func holdStore(dir, _ string) error {
	s, err := fs.Open(dir, nil)
	if err != nil {
		return err
	}
	os.Stdout.WriteString("READY\n")
	io.Copy(io.Discard, os.Stdin)
	return s.Close()
}

// holdRecordLock takes the lock the C++ LevelDB in js-ceramic takes: a
// classic process-owned fcntl write lock on <dir>/LOCK, and nothing else.
// With arg "probe" it reports BUSY instead of failing when the lock is taken.
func holdRecordLock(dir, arg string) error {
	f, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk); err != nil {
		if arg == "probe" && (errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES)) {
			os.Stdout.WriteString("BUSY\n")
			return nil
		}
		return err
	}
	os.Stdout.WriteString("READY\n")
	io.Copy(io.Discard, os.Stdin)
	return nil
}

func TestLocked(t *testing.T) {
	tests := []struct {
		name string
		role string // helper holding the directory
	}{
		{"goceramic process", "hold-store"},
		{"js-ceramic style record lock", "hold-fcntl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			mustOpen(t, dir, nil).Close() // a database exists
			c := startHelper(t, tc.role, dir, "")
			c.waitLine(t, "READY")

			for _, ro := range []bool{false, true} {
				s, err := fs.Open(dir, &fs.Options{ReadOnly: ro})
				if err == nil {
					s.Close()
					t.Fatalf("Open(ReadOnly=%v) succeeded on a directory in use", ro)
				}
				if !errors.Is(err, fs.ErrLocked) {
					t.Fatalf("Open(ReadOnly=%v) error = %v, want ErrLocked", ro, err)
				}
				if !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), dir) {
					t.Errorf("error %q should say the directory is in use and name it", err)
				}
			}

			c.finish(t)
			s := mustOpen(t, dir, nil)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestLockedInProcess(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, nil)
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{dir, link, dir + "/."} {
		if s2, err := fs.Open(path, nil); !errors.Is(err, fs.ErrLocked) {
			if err == nil {
				s2.Close()
			}
			t.Fatalf("second Open(%s) in one process: %v, want ErrLocked", path, err)
		}
	}
	// The failed attempts must not have released the first store's locks.
	c := startHelper(t, "hold-fcntl", dir, "probe")
	c.waitLine(t, "BUSY")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, dir, nil)
	s.Close()
}
