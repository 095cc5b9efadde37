package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/goceramic/ceramic/statestore"
)

// NewStore returns an empty store for one subtest. It should register
// t.Cleanup to close the store and remove its data; the suite may already
// have closed it (Close must then return nil).
type NewStore func(t *testing.T) statestore.Store

// Run checks that stores made by newStore satisfy the [statestore.Store]
// contract, and the [statestore.Batcher] contract when they implement it.
// Each subtest gets a fresh store. Run honours -short by using fewer and
// smaller values in the heavier subtests.
func Run(t *testing.T, newStore NewStore) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s statestore.Store)
	}{
		{"GetMissing", testGetMissing},
		{"PutGet", testPutGet},
		{"Overwrite", testOverwrite},
		{"Delete", testDelete},
		{"InvalidKey", testInvalidKey},
		{"EmptyValue", testEmptyValue},
		{"LargeValues", testLargeValues},
		{"ValueOwnership", testValueOwnership},
		{"ListOrder", testListOrder},
		{"ListSelect", testListSelect},
		{"ListPaging", testListPaging},
		{"ListBreak", testListBreak},
		{"ListWhileWriting", testListWhileWriting},
		{"CanceledContext", testCanceledContext},
		{"ConcurrentPuts", testConcurrentPuts},
		{"Batch", testBatch},
		{"Close", testClose},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}

// ctx returns a context bound to the test.
func ctx(t *testing.T) context.Context {
	return t.Context()
}

func mustPut(t *testing.T, s statestore.Store, key string, value []byte) {
	t.Helper()
	if err := s.Put(ctx(t), key, value); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func mustGet(t *testing.T, s statestore.Store, key string) []byte {
	t.Helper()
	v, err := s.Get(ctx(t), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return v
}

func wantNotFound(t *testing.T, s statestore.Store, key string) {
	t.Helper()
	v, err := s.Get(ctx(t), key)
	if !errors.Is(err, statestore.ErrNotFound) {
		t.Fatalf("Get(%q) = %q, %v; want ErrNotFound", key, v, err)
	}
}

// list collects a listing, failing the test on an error.
func list(t *testing.T, s statestore.Store, opts statestore.ListOptions) []statestore.Entry {
	t.Helper()
	var out []statestore.Entry
	for e, err := range s.List(ctx(t), opts) {
		if err != nil {
			t.Fatalf("List(%+v): %v", opts, err)
		}
		out = append(out, e)
	}
	return out
}

func keysOf(entries []statestore.Entry) []string {
	keys := make([]string, len(entries))
	for i, e := range entries {
		keys[i] = e.Key
	}
	return keys
}

// value returns deterministic bytes for a key, n long.
func value(key string, n int) []byte {
	r := rand.New(rand.NewPCG(uint64(len(key)), uint64(n)))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	copy(b, key)
	return b
}

func testGetMissing(t *testing.T, s statestore.Store) {
	wantNotFound(t, s, "kjzl6cwe1jw14missing")
	mustPut(t, s, "a", []byte("1"))
	for _, k := range []string{"b", "a\x00", "A", "aa"} {
		wantNotFound(t, s, k)
	}
}

func testPutGet(t *testing.T, s statestore.Store) {
	tests := []struct {
		name, key string
		value     []byte
	}{
		{"stream id", "kjzl6cwe1jw147dvq16zluojmraqvwdmbh61dx9e0c59i344lcrsgqfohexp60s", []byte(`{"type":0,"doctype":"tile"}`)},
		{"unicode", "ключ-é-🚀", []byte(`{"t":"Café ☕ </script> & \u2028"}`)},
		{"binary value", "bin", []byte{0, 1, 2, 0xfe, 0xff, '\n', 0}},
		{"one byte key", "x", []byte("y")},
		{"json string", "ar", []byte(`"{\"cid\":\"bafy\"}"`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mustPut(t, s, tc.key, tc.value)
			if got := mustGet(t, s, tc.key); !bytes.Equal(got, tc.value) {
				t.Fatalf("Get(%q) = %q, want %q", tc.key, got, tc.value)
			}
		})
	}
}

func testOverwrite(t *testing.T, s statestore.Store) {
	steps := [][]byte{[]byte("first"), []byte("a much longer second value"), []byte("3"), {}}
	for i, v := range steps {
		mustPut(t, s, "k", v)
		if got := mustGet(t, s, "k"); !bytes.Equal(got, v) {
			t.Fatalf("step %d: Get = %q, want %q", i, got, v)
		}
	}
	if got := list(t, s, statestore.ListOptions{}); len(got) != 1 {
		t.Fatalf("after overwrites List has %d entries, want 1", len(got))
	}
}

func testDelete(t *testing.T, s statestore.Store) {
	mustPut(t, s, "a", []byte("1"))
	mustPut(t, s, "b", []byte("2"))
	if err := s.Delete(ctx(t), "a"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantNotFound(t, s, "a")
	if got := mustGet(t, s, "b"); string(got) != "2" {
		t.Fatalf("Get(b) = %q after deleting a", got)
	}
	if err := s.Delete(ctx(t), "a"); err != nil {
		t.Fatalf("Delete of a deleted key: %v", err)
	}
	if err := s.Delete(ctx(t), "never-there"); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
	if got := keysOf(list(t, s, statestore.ListOptions{})); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("List after Delete = %q, want [b]", got)
	}
	mustPut(t, s, "a", []byte("again"))
	if got := mustGet(t, s, "a"); string(got) != "again" {
		t.Fatalf("Get after re-Put = %q", got)
	}
}

func testInvalidKey(t *testing.T, s statestore.Store) {
	c := ctx(t)
	if _, err := s.Get(c, ""); !errors.Is(err, statestore.ErrInvalidKey) {
		t.Errorf("Get(\"\") error = %v, want ErrInvalidKey", err)
	}
	if err := s.Put(c, "", []byte("v")); !errors.Is(err, statestore.ErrInvalidKey) {
		t.Errorf("Put(\"\") error = %v, want ErrInvalidKey", err)
	}
	if err := s.Delete(c, ""); !errors.Is(err, statestore.ErrInvalidKey) {
		t.Errorf("Delete(\"\") error = %v, want ErrInvalidKey", err)
	}
	if got := list(t, s, statestore.ListOptions{}); len(got) != 0 {
		t.Errorf("store has entries after rejected writes: %q", keysOf(got))
	}
}

func testEmptyValue(t *testing.T, s statestore.Store) {
	mustPut(t, s, "nil", nil)
	mustPut(t, s, "empty", []byte{})
	for _, k := range []string{"nil", "empty"} {
		if got := mustGet(t, s, k); len(got) != 0 {
			t.Errorf("Get(%q) = %q, want empty", k, got)
		}
	}
	got := list(t, s, statestore.ListOptions{})
	if !slices.Equal(keysOf(got), []string{"empty", "nil"}) {
		t.Fatalf("List = %q, want [empty nil]", keysOf(got))
	}
	for _, e := range got {
		if len(e.Value) != 0 {
			t.Errorf("List value of %q = %q, want empty", e.Key, e.Value)
		}
	}
}

func testLargeValues(t *testing.T, s statestore.Store) {
	sizes := []int{4 << 10, 64 << 10, 256 << 10, 1 << 20}
	if testing.Short() {
		sizes = sizes[:2]
	}
	for _, n := range sizes {
		k := fmt.Sprintf("large-%07d", n)
		mustPut(t, s, k, value(k, n))
	}
	for _, n := range sizes {
		k := fmt.Sprintf("large-%07d", n)
		if got := mustGet(t, s, k); !bytes.Equal(got, value(k, n)) {
			t.Errorf("Get(%q): %d bytes, differs from the %d bytes put", k, len(got), n)
		}
	}
	for _, e := range list(t, s, statestore.ListOptions{}) {
		if want := value(e.Key, len(e.Value)); !bytes.Equal(e.Value, want) {
			t.Errorf("List value of %q differs", e.Key)
		}
	}
}

func testValueOwnership(t *testing.T, s statestore.Store) {
	v := []byte("original")
	mustPut(t, s, "k", v)
	copy(v, "MUTATED!")
	got := mustGet(t, s, "k")
	if string(got) != "original" {
		t.Fatalf("store kept the caller's slice: Get = %q", got)
	}
	copy(got, "changed!")
	if again := mustGet(t, s, "k"); string(again) != "original" {
		t.Fatalf("Get returned the store's own slice: Get = %q", again)
	}
	for _, e := range list(t, s, statestore.ListOptions{}) {
		copy(e.Value, "listed!!")
	}
	if again := mustGet(t, s, "k"); string(again) != "original" {
		t.Fatalf("List returned the store's own slice: Get = %q", again)
	}
}

// orderKeys are in byte order; "é" is two bytes starting 0xc3.
var orderKeys = []string{"A", "Z", "a", "a-", "a/b", "aa", "ab", "b", "k2t6wyfsu4pfx", "kjzl6cwe1jw14", "kjzl6cwe1jw145", "z", "~", "é", "🚀"}

func putShuffled(t *testing.T, s statestore.Store, keys []string) {
	t.Helper()
	shuffled := slices.Clone(keys)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) {
		shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
	})
	for _, k := range shuffled {
		mustPut(t, s, k, []byte("v:"+k))
	}
}

func testListOrder(t *testing.T, s statestore.Store) {
	if got := list(t, s, statestore.ListOptions{}); len(got) != 0 {
		t.Fatalf("empty store lists %q", keysOf(got))
	}
	putShuffled(t, s, orderKeys)
	got := list(t, s, statestore.ListOptions{})
	if !slices.Equal(keysOf(got), orderKeys) {
		t.Fatalf("List order\n got %q\nwant %q", keysOf(got), orderKeys)
	}
	for _, e := range got {
		if string(e.Value) != "v:"+e.Key {
			t.Errorf("List value of %q = %q", e.Key, e.Value)
		}
	}
	keysOnly := list(t, s, statestore.ListOptions{KeysOnly: true})
	if !slices.Equal(keysOf(keysOnly), orderKeys) {
		t.Fatalf("KeysOnly order %q", keysOf(keysOnly))
	}
	for _, e := range keysOnly {
		if e.Value != nil {
			t.Errorf("KeysOnly listing carries value %q for %q", e.Value, e.Key)
		}
	}
}

func testListSelect(t *testing.T, s statestore.Store) {
	putShuffled(t, s, orderKeys)
	tests := []struct {
		name string
		opts statestore.ListOptions
		want []string
	}{
		{"prefix", statestore.ListOptions{Prefix: "a"}, []string{"a", "a-", "a/b", "aa", "ab"}},
		{"prefix exact key only", statestore.ListOptions{Prefix: "ab"}, []string{"ab"}},
		{"prefix stream ids", statestore.ListOptions{Prefix: "kjzl"}, []string{"kjzl6cwe1jw14", "kjzl6cwe1jw145"}},
		{"prefix multibyte", statestore.ListOptions{Prefix: "\xc3"}, []string{"é"}},
		{"prefix none", statestore.ListOptions{Prefix: "q"}, nil},
		{"start inclusive", statestore.ListOptions{Start: "z"}, []string{"z", "~", "é", "🚀"}},
		{"start between", statestore.ListOptions{Start: "ac"}, []string{"b", "k2t6wyfsu4pfx", "kjzl6cwe1jw14", "kjzl6cwe1jw145", "z", "~", "é", "🚀"}},
		{"after exclusive", statestore.ListOptions{After: "z"}, []string{"~", "é", "🚀"}},
		{"after prefix of keys", statestore.ListOptions{After: "kjzl6cwe1jw14"}, []string{"kjzl6cwe1jw145", "z", "~", "é", "🚀"}},
		{"after last", statestore.ListOptions{After: "🚀"}, nil},
		{"limit", statestore.ListOptions{Limit: 3}, []string{"A", "Z", "a"}},
		{"limit beyond", statestore.ListOptions{Prefix: "a", Limit: 50}, []string{"a", "a-", "a/b", "aa", "ab"}},
		{"negative limit", statestore.ListOptions{Prefix: "kjzl", Limit: -1}, []string{"kjzl6cwe1jw14", "kjzl6cwe1jw145"}},
		{"prefix and start", statestore.ListOptions{Prefix: "a", Start: "a0"}, []string{"aa", "ab"}},
		{"prefix and start before", statestore.ListOptions{Prefix: "a", Start: "0"}, []string{"a", "a-", "a/b", "aa", "ab"}},
		{"prefix and start after", statestore.ListOptions{Prefix: "a", Start: "b"}, nil},
		{"prefix and after", statestore.ListOptions{Prefix: "a", After: "a-"}, []string{"a/b", "aa", "ab"}},
		{"start and after", statestore.ListOptions{Start: "b", After: "a"}, []string{"b", "k2t6wyfsu4pfx", "kjzl6cwe1jw14", "kjzl6cwe1jw145", "z", "~", "é", "🚀"}},
		{"after and start", statestore.ListOptions{Start: "a", After: "b"}, []string{"k2t6wyfsu4pfx", "kjzl6cwe1jw14", "kjzl6cwe1jw145", "z", "~", "é", "🚀"}},
		{"all and limit", statestore.ListOptions{Prefix: "k", After: "k2t6wyfsu4pfx", Limit: 1}, []string{"kjzl6cwe1jw14"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := keysOf(list(t, s, tc.opts))
			if !slices.Equal(got, tc.want) {
				t.Fatalf("List(%+v)\n got %q\nwant %q", tc.opts, got, tc.want)
			}
		})
	}
}

func testListPaging(t *testing.T, s statestore.Store) {
	n := 1000
	if testing.Short() {
		n = 300
	}
	var want []string
	batch := make([]statestore.Op, 0, n)
	for i := range n {
		k := fmt.Sprintf("k%05d", i)
		want = append(want, k)
		batch = append(batch, statestore.Op{Key: k, Value: []byte(k)})
	}
	if err := statestore.WriteBatch(ctx(t), s, batch); err != nil {
		t.Fatalf("WriteBatch: %v", err)
	}
	for _, page := range []int{1, 7, 128, 129, 1000} {
		t.Run(fmt.Sprint("page", page), func(t *testing.T) {
			var got []string
			after := ""
			for pages := 0; ; pages++ {
				if pages > n+1 {
					t.Fatal("paging does not terminate")
				}
				entries := list(t, s, statestore.ListOptions{After: after, Limit: page, KeysOnly: true})
				if len(entries) > page {
					t.Fatalf("page of %d entries with Limit %d", len(entries), page)
				}
				if len(entries) == 0 {
					break
				}
				got = append(got, keysOf(entries)...)
				after = entries[len(entries)-1].Key
			}
			if !slices.Equal(got, want) {
				t.Fatalf("paged %d keys, want %d (first difference near %v)", len(got), len(want), firstDiff(got, want))
			}
		})
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func testListBreak(t *testing.T, s statestore.Store) {
	for i := range 300 {
		mustPut(t, s, fmt.Sprintf("k%03d", i), []byte("v"))
	}
	for range 50 { // a store that leaks an iterator per break would show it here or in Close
		n := 0
		for _, err := range s.List(ctx(t), statestore.ListOptions{}) {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == 2 {
				break
			}
		}
	}
	mustPut(t, s, "after-break", []byte("ok"))
	if err := s.Close(); err != nil {
		t.Fatalf("Close after broken-off listings: %v", err)
	}
}

func testListWhileWriting(t *testing.T, s statestore.Store) {
	for i := range 300 {
		mustPut(t, s, fmt.Sprintf("k%03d", i), []byte("old"))
	}
	prev := ""
	seen := 0
	for e, err := range s.List(ctx(t), statestore.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		if e.Key <= prev {
			t.Fatalf("List yielded %q after %q", e.Key, prev)
		}
		prev = e.Key
		seen++
		// Writes from inside the loop must not deadlock or break the iteration.
		mustPut(t, s, e.Key, []byte("new"))
		mustPut(t, s, e.Key+"-added", []byte("new"))
		if err := s.Delete(ctx(t), "k299"); err != nil {
			t.Fatal(err)
		}
		if e.Key == "k299" {
			continue // deleted above; a snapshot may still list it
		}
		if v := mustGet(t, s, e.Key); string(v) != "new" {
			t.Fatalf("Get(%q) = %q inside the loop, after writing %q", e.Key, v, "new")
		}
	}
	if seen < 299 {
		t.Fatalf("listed %d entries while writing; the 299 untouched ones must all appear", seen)
	}
}

func testCanceledContext(t *testing.T, s statestore.Store) {
	mustPut(t, s, "k", []byte("v"))
	c, cancel := context.WithCancel(ctx(t))
	cancel()
	if _, err := s.Get(c, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with canceled ctx: %v", err)
	}
	if err := s.Put(c, "k2", []byte("v")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with canceled ctx: %v", err)
	}
	if err := s.Delete(c, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Delete with canceled ctx: %v", err)
	}
	var listErr error
	for _, err := range s.List(c, statestore.ListOptions{}) {
		listErr = err
		if err != nil {
			break
		}
	}
	if !errors.Is(listErr, context.Canceled) {
		t.Errorf("List with canceled ctx ended with %v", listErr)
	}
	wantNotFound(t, s, "k2")
	mustGet(t, s, "k")
}

func testConcurrentPuts(t *testing.T, s statestore.Store) {
	workers, per := 16, 40
	if testing.Short() {
		per = 10
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range per {
				k := fmt.Sprintf("w%02d-%03d", w, i)
				if err := s.Put(ctx(t), k, value(k, 100+i)); err != nil {
					errs <- fmt.Errorf("Put(%q): %w", k, err)
					return
				}
				// Everyone also hammers one shared key.
				if err := s.Put(ctx(t), "shared", []byte(k)); err != nil {
					errs <- err
					return
				}
				if _, err := s.Get(ctx(t), k); err != nil {
					errs <- fmt.Errorf("Get(%q) right after Put: %w", k, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := list(t, s, statestore.ListOptions{Prefix: "w"})
	if len(got) != workers*per {
		t.Fatalf("listed %d keys, want %d", len(got), workers*per)
	}
	for _, e := range got {
		if !bytes.Equal(e.Value, value(e.Key, len(e.Value))) || len(e.Value) < 100 {
			t.Errorf("value of %q is damaged", e.Key)
		}
	}
	shared := mustGet(t, s, "shared")
	if len(shared) != len("w00-000") || shared[0] != 'w' {
		t.Errorf("shared = %q, want one of the written keys", shared)
	}
}

func testBatch(t *testing.T, s statestore.Store) {
	if _, ok := s.(statestore.Batcher); !ok {
		t.Log("store does not implement statestore.Batcher; checking the fallback")
	}
	mustPut(t, s, "gone", []byte("x"))
	mustPut(t, s, "kept", []byte("x"))
	ops := []statestore.Op{
		{Key: "a", Value: []byte("1")},
		{Key: "gone", Delete: true},
		{Key: "b", Value: []byte("2")},
		{Key: "a", Value: []byte("3")}, // later op wins
		{Key: "c", Value: nil},
	}
	if err := statestore.WriteBatch(ctx(t), s, ops); err != nil {
		t.Fatalf("WriteBatch: %v", err)
	}
	got := list(t, s, statestore.ListOptions{})
	want := []statestore.Entry{{Key: "a", Value: []byte("3")}, {Key: "b", Value: []byte("2")}, {Key: "c", Value: []byte{}}, {Key: "kept", Value: []byte("x")}}
	if !slices.EqualFunc(got, want, func(a, b statestore.Entry) bool { return a.Key == b.Key && bytes.Equal(a.Value, b.Value) }) {
		t.Fatalf("after WriteBatch List = %q", got)
	}
	if _, ok := s.(statestore.Batcher); ok {
		bad := []statestore.Op{{Key: "z", Value: []byte("1")}, {Key: ""}}
		if err := statestore.WriteBatch(ctx(t), s, bad); !errors.Is(err, statestore.ErrInvalidKey) {
			t.Fatalf("WriteBatch with an empty key: %v", err)
		}
		wantNotFound(t, s, "z") // an atomic batch is rejected as a whole
	}
	if err := statestore.WriteBatch(ctx(t), s, nil); err != nil {
		t.Fatalf("empty WriteBatch: %v", err)
	}
}

func testClose(t *testing.T, s statestore.Store) {
	mustPut(t, s, "k", []byte("v"))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	c := ctx(t)
	if _, err := s.Get(c, "k"); !errors.Is(err, statestore.ErrClosed) {
		t.Errorf("Get after Close: %v", err)
	}
	if err := s.Put(c, "k", []byte("v")); !errors.Is(err, statestore.ErrClosed) {
		t.Errorf("Put after Close: %v", err)
	}
	if err := s.Delete(c, "k"); !errors.Is(err, statestore.ErrClosed) {
		t.Errorf("Delete after Close: %v", err)
	}
	n := 0
	for _, err := range s.List(c, statestore.ListOptions{}) {
		if n++; !errors.Is(err, statestore.ErrClosed) {
			t.Errorf("List after Close yielded error %v", err)
		}
	}
	if n != 1 {
		t.Errorf("List after Close yielded %d times, want 1 (the error)", n)
	}
	if b, ok := s.(statestore.Batcher); ok {
		if err := b.WriteBatch(c, []statestore.Op{{Key: "k"}}); !errors.Is(err, statestore.ErrClosed) {
			t.Errorf("WriteBatch after Close: %v", err)
		}
	}
}
