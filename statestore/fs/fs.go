package fs

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/syndtr/goleveldb/leveldb"
	lerrors "github.com/syndtr/goleveldb/leveldb/errors"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"

	"github.com/goceramic/ceramic/statestore"
)

// Errors of this package. Errors for missing keys and closed stores are the
// shared [statestore.ErrNotFound] and [statestore.ErrClosed].
var (
	// ErrLocked is returned by [Open] when another process (a running
	// js-ceramic or goceramic node) or another open Store in this process
	// holds the directory.
	ErrLocked = errors.New("statestore/fs: directory is in use by another store or process")
	// ErrCorrupt is returned when the LevelDB files are damaged and could
	// not be, or were not allowed to be, recovered; also by reads that hit a
	// damaged table.
	ErrCorrupt = errors.New("statestore/fs: store is corrupt")
)

// Options tune [Open]. The zero value (or nil) is what the fs backend of
// [statestore.Open] uses.
type Options struct {
	// Logger receives warnings (recovery of a corrupt store). Nil discards.
	Logger *slog.Logger
	// ReadOnly opens the directory without changing any file: no recovery,
	// no compaction, writes fail with [statestore.ErrReadOnly]. The
	// directory must already hold a database.
	ReadOnly bool
	// NoRecover makes Open fail with [ErrCorrupt] instead of attempting
	// LevelDB's repair (which rebuilds the manifest from the table files and
	// may drop entries it cannot read).
	NoRecover bool
}

// Store is a [statestore.Store] on a LevelDB directory in the format
// js-ceramic writes (see the package documentation). It is safe for
// concurrent use; writes from concurrent goroutines are grouped into one
// synced LevelDB write.
type Store struct {
	dir      string
	db       *leveldb.DB
	readOnly bool
	unlock   func() // releases the directory lock
	repaired error  // the corruption Open repaired, if any

	// mu orders operations against Close: operations hold it shared while
	// they use db; Close takes it exclusively, so it waits for them.
	mu     sync.RWMutex
	closed bool

	committer  *committer
	closeOnce  sync.Once
	closeError error
}

var (
	_ statestore.Store   = (*Store)(nil)
	_ statestore.Batcher = (*Store)(nil)
)

// syncWrite makes every acknowledged write durable.
var syncWrite = &opt.WriteOptions{Sync: true}

// Open opens (and, unless read-only, creates) the LevelDB database in dir,
// creating missing parent directories. It fails with an error wrapping
// [ErrLocked] if the directory is in use, and, for damaged files, first tries
// LevelDB's recovery (unless [Options.NoRecover]); see [Store.Recovered].
func Open(dir string, o *Options) (*Store, error) {
	if o == nil {
		o = &Options{}
	}
	lg := o.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	if dir == "" {
		return nil, fmt.Errorf("%w: empty directory", statestore.ErrInvalidConfig)
	}
	if !o.ReadOnly {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("statestore/fs: create %s: %w", dir, err)
		}
	}
	abs, err := canonical(dir)
	if err != nil {
		if o.ReadOnly && errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("statestore/fs: open %s read-only: no such directory: %w", dir, err)
		}
		return nil, fmt.Errorf("statestore/fs: open %s: %w", dir, err)
	}
	unlock, err := lockDir(abs, o.ReadOnly)
	if err != nil {
		return nil, err
	}

	s := &Store{dir: abs, readOnly: o.ReadOnly, unlock: unlock}
	s.db, s.repaired, err = openDB(abs, o, lg)
	if err != nil {
		unlock()
		return nil, err
	}
	if !o.ReadOnly {
		s.committer = startCommitter(s.db)
	}
	return s, nil
}

// dbOptions are the LevelDB settings. They match leveldown's defaults where
// it matters for the files (snappy, 4 KiB blocks, bytewise comparator) so
// js-ceramic can open the directory again.
func dbOptions(o *Options) *opt.Options {
	return &opt.Options{
		ReadOnly: o.ReadOnly,
		// Grouped writes may exceed the write buffer; keep them on the
		// journal path (one synced, atomic record) instead of goleveldb's
		// transaction path for large batches.
		DisableLargeBatchTransaction: true,
	}
}

// openDB opens the database, repairing it when it is corrupt and allowed to.
// goleveldb signals most damage with errors, but a panic while reading
// damaged files is turned into an error too: Open must never crash the node.
func openDB(dir string, o *Options, lg *slog.Logger) (db *leveldb.DB, repaired error, err error) {
	db, err = guard(func() (*leveldb.DB, error) { return leveldb.OpenFile(dir, dbOptions(o)) })
	if err == nil {
		return db, nil, nil
	}
	if isLockErr(err) {
		return nil, nil, fmt.Errorf("%w: %s: %v", ErrLocked, dir, err)
	}
	if !isCorrupt(err) {
		return nil, nil, fmt.Errorf("statestore/fs: open %s: %w", dir, err)
	}
	if o.NoRecover || o.ReadOnly {
		return nil, nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, dir, err)
	}
	lg.Warn("state store is corrupt, attempting LevelDB recovery", "dir", dir, "err", err)
	db, rerr := guard(func() (*leveldb.DB, error) { return leveldb.RecoverFile(dir, dbOptions(o)) })
	if rerr != nil {
		return nil, nil, fmt.Errorf("%w: %s: %w (recovery failed: %w)", ErrCorrupt, dir, err, rerr)
	}
	lg.Warn("state store recovered; entries in unreadable files may be lost", "dir", dir)
	return db, err, nil
}

// guard runs open and converts a panic into an ErrCorrupt error.
func guard(open func() (*leveldb.DB, error)) (db *leveldb.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%w: leveldb panicked: %v", ErrCorrupt, r)
		}
	}()
	return open()
}

func isCorrupt(err error) bool {
	return lerrors.IsCorrupted(err) || errors.Is(err, ErrCorrupt)
}

// isLockErr reports whether goleveldb failed to take its flock because
// another open file description holds it.
func isLockErr(err error) bool {
	return errors.Is(err, syscall.EWOULDBLOCK) || errors.Is(err, syscall.EAGAIN)
}

// canonical returns an absolute path with symbolic links resolved, so one
// directory reached two ways is locked once.
func canonical(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// Dir returns the absolute path of the database directory.
func (s *Store) Dir() string { return s.dir }

// Recovered returns the corruption error that [Open] repaired, or nil when
// the store opened cleanly. A node should report it: recovery may have
// dropped entries, i.e. pins.
func (s *Store) Recovered() error { return s.repaired }

// mapErr converts goleveldb errors to the statestore contract.
func mapErr(op, key string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, leveldb.ErrNotFound):
		return statestore.ErrNotFound
	case errors.Is(err, leveldb.ErrClosed), errors.Is(err, leveldb.ErrSnapshotReleased), errors.Is(err, leveldb.ErrIterReleased):
		return statestore.ErrClosed
	case lerrors.IsCorrupted(err):
		return fmt.Errorf("%w: %s %q: %w", ErrCorrupt, op, key, err)
	default:
		return fmt.Errorf("statestore/fs: %s %q: %w", op, key, err)
	}
}

// begin acquires the shared lock for an operation and checks the store is
// open; the caller must call s.mu.RUnlock when err is nil.
func (s *Store) begin(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return statestore.ErrClosed
	}
	return nil
}

// Get implements [statestore.Store].
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := statestore.CheckKey(key); err != nil {
		return nil, err
	}
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	v, err := s.db.Get([]byte(key), nil)
	if err != nil {
		return nil, mapErr("get", key, err)
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil // goleveldb returns a copy
}

// Put implements [statestore.Store]. It returns after the value is in the
// LevelDB journal and the journal is synced to disk.
func (s *Store) Put(ctx context.Context, key string, value []byte) error {
	return s.WriteBatch(ctx, []statestore.Op{{Key: key, Value: value}})
}

// Delete implements [statestore.Store]; the deletion is synced like a Put.
func (s *Store) Delete(ctx context.Context, key string) error {
	return s.WriteBatch(ctx, []statestore.Op{{Key: key, Delete: true}})
}

// WriteBatch implements [statestore.Batcher]: the ops go into one LevelDB
// batch (possibly together with other goroutines' writes), which is atomic
// across crashes.
func (s *Store) WriteBatch(ctx context.Context, ops []statestore.Op) error {
	for _, op := range ops {
		if err := statestore.CheckKey(op.Key); err != nil {
			return err
		}
	}
	if err := s.begin(ctx); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	if s.readOnly {
		return statestore.ErrReadOnly
	}
	if len(ops) == 0 {
		return nil
	}
	if err := s.committer.write(ctx, ops); err != nil {
		return mapErr("write", ops[0].Key, err)
	}
	return nil
}

// listChunk is how many entries List reads per acquisition of the store.
const listChunk = 128

// List implements [statestore.Store]. The whole iteration reads one LevelDB
// snapshot taken when it starts, so it is consistent and does not see
// writes made during the loop. Entries are read in chunks, and no lock is
// held while the loop body runs.
func (s *Store) List(ctx context.Context, opts statestore.ListOptions) iter.Seq2[statestore.Entry, error] {
	return func(yield func(statestore.Entry, error) bool) {
		if err := s.begin(ctx); err != nil {
			yield(statestore.Entry{}, err)
			return
		}
		snap, err := s.db.GetSnapshot()
		s.mu.RUnlock()
		if err != nil {
			yield(statestore.Entry{}, mapErr("list", opts.Prefix, err))
			return
		}
		defer func() {
			s.mu.RLock() // not concurrently with Close
			snap.Release()
			s.mu.RUnlock()
		}()

		start, limit := opts.Range()
		listed := 0
		for {
			n := listChunk
			if opts.Limit > 0 && opts.Limit-listed < n {
				n = opts.Limit - listed
			}
			chunk, more, err := s.readChunk(ctx, snap, start, limit, n, opts.KeysOnly)
			if err != nil {
				yield(statestore.Entry{}, err)
				return
			}
			for _, e := range chunk {
				if !yield(e, nil) {
					return
				}
			}
			listed += len(chunk)
			if !more || (opts.Limit > 0 && listed >= opts.Limit) {
				return
			}
			start = chunk[len(chunk)-1].Key + "\x00"
		}
	}
}

// readChunk reads up to n entries of [start, limit) from snap and reports
// whether more may follow.
func (s *Store) readChunk(ctx context.Context, snap *leveldb.Snapshot, start, limit string, n int, keysOnly bool) ([]statestore.Entry, bool, error) {
	if limit != "" && start >= limit {
		return nil, false, nil
	}
	if err := s.begin(ctx); err != nil {
		return nil, false, err
	}
	defer s.mu.RUnlock()
	r := &util.Range{Start: []byte(start)}
	if limit != "" {
		r.Limit = []byte(limit)
	}
	it := snap.NewIterator(r, nil)
	defer it.Release()
	out := make([]statestore.Entry, 0, min(n, 16))
	more := false
	for it.Next() {
		if len(out) == n {
			more = true
			break
		}
		e := statestore.Entry{Key: string(it.Key())}
		if !keysOnly {
			e.Value = append([]byte{}, it.Value()...) // the iterator reuses its buffers
		}
		out = append(out, e)
	}
	if err := it.Error(); err != nil {
		return nil, false, mapErr("list", start, err)
	}
	return out, more, nil
}

// Close waits for writes in progress, stops the committer, closes LevelDB and
// releases the directory lock. Later calls return nil.
func (s *Store) Close() error {
	first := false
	s.closeOnce.Do(func() {
		first = true
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		if s.committer != nil {
			s.committer.stop()
		}
		err := s.db.Close()
		s.unlock()
		if err != nil {
			s.closeError = fmt.Errorf("statestore/fs: close %s: %w", s.dir, err)
		}
	})
	if !first {
		return nil
	}
	return s.closeError
}
