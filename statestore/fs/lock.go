package fs

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
)

// The directory lock has three layers:
//
//  1. a table of directories open in this process (record locks are per
//     process on some systems, so they cannot see a second Open here);
//  2. a POSIX record lock (fcntl) on <dir>/LOCK, the lock the C++ LevelDB
//     inside js-ceramic (leveldown) takes, so a running js-ceramic and this
//     package exclude each other;
//  3. goleveldb's own flock on the same file, taken by leveldb.OpenFile.
//
// flock and fcntl locks do not see each other on Linux, so layer 2 is what
// detects a js-ceramic process.
var (
	// errHeld is how lockFile reports that another process holds the lock.
	errHeld = errors.New("lock held")

	heldMu sync.Mutex
	held   = map[string]bool{}
)

// lockDir takes layers 1 and 2 for dir (absolute and canonical) and returns
// the function that releases them.
func lockDir(dir string, readOnly bool) (func(), error) {
	heldMu.Lock()
	defer heldMu.Unlock()
	if held[dir] {
		return nil, fmt.Errorf("%w: %s is already open in this process", ErrLocked, dir)
	}
	release, err := lockFile(filepath.Join(dir, "LOCK"), readOnly)
	if errors.Is(err, errHeld) {
		return nil, fmt.Errorf("%w: %s is locked (is a ceramic node running on it?): %v", ErrLocked, dir, err)
	}
	if err != nil {
		return nil, fmt.Errorf("statestore/fs: lock %s: %w", dir, err)
	}
	held[dir] = true
	return func() {
		release()
		heldMu.Lock()
		delete(held, dir)
		heldMu.Unlock()
	}, nil
}
