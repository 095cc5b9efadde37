package statestore

import (
	"context"
	"errors"
	"iter"
	"strings"
)

// Errors shared by every backend. Backends wrap them with %w; callers test
// with [errors.Is].
var (
	// ErrNotFound is returned by [Store.Get] when the key has no value.
	ErrNotFound = errors.New("statestore: not found")
	// ErrClosed is returned by every method of a [Store] after Close.
	ErrClosed = errors.New("statestore: store closed")
	// ErrInvalidKey is returned for the empty key, which no backend can hold
	// (an S3 object key cannot be empty).
	ErrInvalidKey = errors.New("statestore: invalid key")
	// ErrReadOnly is returned by writes to a store opened read-only.
	ErrReadOnly = errors.New("statestore: store is read-only")
	// ErrUnknownType is returned by [Open] for a [Config.Type] nobody registered.
	ErrUnknownType = errors.New("statestore: unknown store type")
	// ErrInvalidConfig is returned by [Config.Validate] and by factories for a
	// config they cannot use.
	ErrInvalidConfig = errors.New("statestore: invalid config")
	// ErrUnavailable is wrapped by errors of a remote backend (S3) that is unreachable or
	// failing for now; the operation may succeed later. The HTTP API answers 503.
	ErrUnavailable = errors.New("statestore: store unavailable")
	// ErrInvalidValue is returned when a stored value does not have the shape
	// js-ceramic gives it (see [DecodeAnchorRequest]).
	ErrInvalidValue = errors.New("statestore: invalid value")
)

// Store is one key space of byte values addressed by string keys: the pinned
// stream states of a network, or its anchor requests. Keys are compared as
// bytes; js-ceramic's keys are StreamID strings and its values UTF-8 JSON
// text, but a Store neither checks nor changes either.
//
// # Contract
//
// Every implementation must satisfy these rules; [storetest.Run] checks them.
//
//   - All methods are safe for concurrent use.
//   - The empty key is invalid ([ErrInvalidKey]). Values may be empty.
//   - When Put or Delete returns nil the change is durable: it survives the
//     process being killed (and, for a local backend, the machine losing
//     power, as far as the operating system honours fsync). When they return
//     an error the change may or may not have been made. A crash during a Put
//     leaves either the old or the new value of the key, never a mix.
//   - After a successful Put, Get and List observe the new value (read your
//     writes), from any goroutine.
//   - Put copies what it needs: the caller may reuse value once Put returns.
//     Slices returned by Get and List belong to the caller.
//   - Get of a key with no value returns an error wrapping [ErrNotFound].
//     Delete of such a key returns nil.
//   - A done ctx makes a method return ctx.Err() (possibly wrapped) if it has
//     not started the operation yet.
//   - After Close, every method returns an error wrapping [ErrClosed]; Close
//     itself may be called again and then returns nil. Close waits for writes
//     already in progress.
//
// [storetest.Run]: https://pkg.go.dev/github.com/goceramic/ceramic/statestore/storetest#Run
type Store interface {
	// Get returns the value stored under key.
	Get(ctx context.Context, key string) ([]byte, error)
	// Put stores value under key, replacing any previous value, and returns
	// once the write is durable.
	Put(ctx context.Context, key string, value []byte) error
	// Delete removes key durably. Deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List yields the entries selected by opts in increasing byte order of
	// their keys. An error ends the sequence: it is yielded once, with a zero
	// Entry. Breaking out of the loop early is allowed and releases the
	// iteration's resources.
	//
	// Keys are strictly increasing within one iteration. A backend may or may
	// not show changes made while the iteration runs (LevelDB iterates a
	// snapshot); an entry that exists, unchanged, for the whole iteration is
	// yielded exactly once. The loop body may call other methods of the Store.
	List(ctx context.Context, opts ListOptions) iter.Seq2[Entry, error]
	// Close releases the store. See the contract above.
	Close() error
}

// Entry is one key and its value, as yielded by [Store.List]. Value is nil
// when the listing was made with [ListOptions.KeysOnly].
type Entry struct {
	Key   string
	Value []byte
}

// ListOptions selects and pages the entries of [Store.List]. The zero value
// lists everything. The conditions combine: an entry is listed when its key
// has Prefix, is at least Start and is greater than After; at most Limit
// entries are listed.
//
// To page through a large key space, list with a Limit, then list again with
// After set to the last key of the previous page (js-ceramic pages its
// anchor-request store this way, with LevelDB's "gt").
type ListOptions struct {
	// Prefix keeps only keys that begin with it.
	Prefix string
	// Start keeps only keys greater than or equal to it.
	Start string
	// After keeps only keys strictly greater than it.
	After string
	// Limit is the most entries to list; zero or less means no limit.
	Limit int
	// KeysOnly skips reading values; Entry.Value is nil.
	KeysOnly bool
}

// Range reduces the Prefix, Start and After conditions to one half-open key
// interval [start, limit): a key is selected exactly when it lies in it. An
// empty limit means the interval is unbounded above; the interval is empty
// when limit is non-empty and start ≥ limit. Backends use it to seek and to
// bound their scans.
func (o ListOptions) Range() (start, limit string) {
	start = o.Start
	if o.After != "" && o.After+"\x00" > start {
		start = o.After + "\x00" // the smallest key greater than After
	}
	if o.Prefix != "" {
		if o.Prefix > start {
			start = o.Prefix
		}
		limit = prefixEnd(o.Prefix)
	}
	return start, limit
}

// Match reports whether key is selected by the Prefix, Start and After
// conditions (Limit is a property of the listing, not of a key).
func (o ListOptions) Match(key string) bool {
	return strings.HasPrefix(key, o.Prefix) && key >= o.Start && (o.After == "" || key > o.After)
}

// prefixEnd returns the smallest string greater than every string with the
// given prefix, or "" if there is none (the prefix is all 0xff bytes).
func prefixEnd(prefix string) string {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}

// CheckKey returns an error wrapping [ErrInvalidKey] when key cannot be
// stored. Backends call it at the top of Get, Put and Delete.
func CheckKey(key string) error {
	if key == "" {
		return ErrInvalidKey
	}
	return nil
}

// Op is one change in a batch: a Put of Value under Key, or a Delete of Key.
type Op struct {
	Key    string
	Value  []byte
	Delete bool
}

// Batcher is implemented by stores that can apply several changes atomically:
// after a crash either all of them or none are visible. WriteBatch returns once
// the batch is durable; later ops win over earlier ops on the same key.
type Batcher interface {
	WriteBatch(ctx context.Context, ops []Op) error
}

// WriteBatch applies ops to s: atomically through [Batcher] when s implements
// it, otherwise one by one in order, stopping at the first error (so a crash
// or an error can leave a prefix of the ops applied).
func WriteBatch(ctx context.Context, s Store, ops []Op) error {
	if b, ok := s.(Batcher); ok {
		return b.WriteBatch(ctx, ops)
	}
	for _, op := range ops {
		var err error
		if op.Delete {
			err = s.Delete(ctx, op.Key)
		} else {
			err = s.Put(ctx, op.Key, op.Value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
