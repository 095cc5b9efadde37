package mem

import (
	"context"
	"iter"
	"slices"
	"sort"
	"sync"

	"github.com/goceramic/ceramic/statestore"
)

// Type is the [statestore.Config.Type] this package registers.
const Type = "mem"

func init() {
	statestore.Register(Type, func(ctx context.Context, cfg statestore.Config, uc statestore.UseCase, o statestore.Options) (statestore.Store, error) {
		s := New()
		s.readOnly = cfg.ReadOnly
		return s, nil
	})
}

// listChunk is how many entries List copies per acquisition of the lock.
const listChunk = 128

// Store is an in-memory [statestore.Store]. The zero value is not usable;
// call [New]. Nothing survives Close or the process: "durable" means visible
// to every later call on the same Store.
type Store struct {
	mu       sync.RWMutex
	keys     []string // sorted
	values   map[string][]byte
	closed   bool
	readOnly bool
}

var (
	_ statestore.Store   = (*Store)(nil)
	_ statestore.Batcher = (*Store)(nil)
)

// New returns an empty store.
func New() *Store {
	return &Store{values: map[string][]byte{}}
}

func (s *Store) check(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return statestore.CheckKey(key)
}

// Get implements [statestore.Store].
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := s.check(ctx, key); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, statestore.ErrClosed
	}
	v, ok := s.values[key]
	if !ok {
		return nil, statestore.ErrNotFound
	}
	return slices.Clone(v), nil
}

// Put implements [statestore.Store].
func (s *Store) Put(ctx context.Context, key string, value []byte) error {
	return s.WriteBatch(ctx, []statestore.Op{{Key: key, Value: value}})
}

// Delete implements [statestore.Store].
func (s *Store) Delete(ctx context.Context, key string) error {
	return s.WriteBatch(ctx, []statestore.Op{{Key: key, Delete: true}})
}

// WriteBatch implements [statestore.Batcher]: the ops become visible together.
func (s *Store) WriteBatch(ctx context.Context, ops []statestore.Op) error {
	for _, op := range ops {
		if err := s.check(ctx, op.Key); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return statestore.ErrClosed
	}
	if s.readOnly {
		return statestore.ErrReadOnly
	}
	for _, op := range ops {
		i, found := slices.BinarySearch(s.keys, op.Key)
		switch {
		case op.Delete && found:
			s.keys = slices.Delete(s.keys, i, i+1)
			delete(s.values, op.Key)
		case op.Delete:
		default:
			if !found {
				s.keys = slices.Insert(s.keys, i, op.Key)
			}
			v := make([]byte, len(op.Value))
			copy(v, op.Value)
			s.values[op.Key] = v
		}
	}
	return nil
}

// List implements [statestore.Store]. It copies entries in small chunks under
// the lock, so the loop body may call the store, and later chunks see writes
// made meanwhile.
func (s *Store) List(ctx context.Context, opts statestore.ListOptions) iter.Seq2[statestore.Entry, error] {
	return func(yield func(statestore.Entry, error) bool) {
		start, limit := opts.Range()
		listed := 0
		for {
			if err := ctx.Err(); err != nil {
				yield(statestore.Entry{}, err)
				return
			}
			n := listChunk
			if opts.Limit > 0 && opts.Limit-listed < n {
				n = opts.Limit - listed
			}
			chunk, more, err := s.chunk(start, limit, n, opts.KeysOnly)
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

// chunk copies up to n entries in [start, limit) and reports whether more
// keys may follow.
func (s *Store) chunk(start, limit string, n int, keysOnly bool) ([]statestore.Entry, bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, false, statestore.ErrClosed
	}
	i := sort.SearchStrings(s.keys, start)
	var out []statestore.Entry
	for ; i < len(s.keys) && len(out) < n; i++ {
		k := s.keys[i]
		if limit != "" && k >= limit {
			return out, false, nil
		}
		e := statestore.Entry{Key: k}
		if !keysOnly {
			e.Value = slices.Clone(s.values[k])
			if e.Value == nil {
				e.Value = []byte{}
			}
		}
		out = append(out, e)
	}
	return out, i < len(s.keys) && len(out) > 0, nil
}

// Close implements [statestore.Store]; it drops the contents.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.keys, s.values = nil, nil
	return nil
}
