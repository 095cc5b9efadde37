package fs_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/opt"

	"github.com/goceramic/ceramic/statestore/fs"
)

// benchValue is the size of a typical serialized stream state.
var benchValue = make([]byte, 1<<10)

// runConcurrent spreads b.N calls of put over workers goroutines.
func runConcurrent(b *testing.B, workers int, put func(i int) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				if err := put(i); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
}

// BenchmarkPut measures acknowledged (synced) Put throughput through the
// group committer, with one writer and with many. puts/sync is how many Puts
// shared each fsync.
func BenchmarkPut(b *testing.B) {
	for _, workers := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("writers=%d", workers), func(b *testing.B) {
			s := mustOpen(b, b.TempDir(), nil)
			ctx := b.Context()
			runConcurrent(b, workers, func(i int) error {
				return s.Put(ctx, fmt.Sprintf("kjzl6cwe1jw14%010d", i), benchValue)
			})
			b.ReportMetric(float64(b.N)/float64(fs.SyncedWrites(s)), "puts/sync")
		})
	}
}

// BenchmarkGoLevelDBSyncPut is the baseline without the committer: every
// writer calls goleveldb's Put with Sync itself (goleveldb merges concurrent
// writes on its own).
func BenchmarkGoLevelDBSyncPut(b *testing.B) {
	for _, workers := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("writers=%d", workers), func(b *testing.B) {
			db, err := leveldb.OpenFile(b.TempDir(), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			wo := &opt.WriteOptions{Sync: true}
			runConcurrent(b, workers, func(i int) error {
				return db.Put(fmt.Appendf(nil, "kjzl6cwe1jw14%010d", i), benchValue, wo)
			})
		})
	}
}

// BenchmarkGet measures reads of a store holding 10 000 states.
func BenchmarkGet(b *testing.B) {
	s := mustOpen(b, b.TempDir(), nil)
	ctx := b.Context()
	const n = 10_000
	for i := range n {
		if err := s.Put(ctx, fmt.Sprintf("kjzl6cwe1jw14%010d", i), benchValue); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := s.Get(ctx, fmt.Sprintf("kjzl6cwe1jw14%010d", i%n)); err != nil {
			b.Fatal(err)
		}
	}
}
