package fs

import (
	"context"
	"runtime"
	"sync/atomic"

	"github.com/syndtr/goleveldb/leveldb"

	"github.com/goceramic/ceramic/statestore"
)

// Group commit limits: a group stops growing at maxGroupOps requests or
// maxGroupBytes of keys and values (a single larger request is still written
// alone). An fsync costs the same for one entry or hundreds, so writers that
// arrive while a sync is in progress share the next one.
const (
	maxGroupOps   = 1024
	maxGroupBytes = 4 << 20
	queueLen      = 256
)

// request is one caller's batch waiting for the committer.
type request struct {
	ops  []statestore.Op
	done chan error // buffered: the committer never blocks on a caller
}

// committer is the goroutine that owns writes to the database. It takes
// every request queued, writes them as one LevelDB batch with Sync, and
// acknowledges each with the result of that write.
type committer struct {
	db       *leveldb.DB
	requests chan *request
	exited   chan struct{}
	writes   atomic.Uint64 // synced LevelDB writes made
}

func startCommitter(db *leveldb.DB) *committer {
	c := &committer{
		db:       db,
		requests: make(chan *request, queueLen),
		exited:   make(chan struct{}),
	}
	go c.run()
	return c
}

// write queues ops and waits until they are durable. ctx is honoured only
// while the request is not queued yet: once queued, the write happens and
// write waits for it (a sync is short), so a nil error always means durable
// and the committer never reads a slice its caller has given back.
func (c *committer) write(ctx context.Context, ops []statestore.Op) error {
	r := &request{ops: ops, done: make(chan error, 1)}
	select {
	case c.requests <- r:
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-r.done
}

// stop ends the committer after it has written everything queued. The
// caller must make sure no write is in progress or will start.
func (c *committer) stop() {
	close(c.requests)
	<-c.exited
}

func (c *committer) run() {
	defer close(c.exited)
	var (
		batch leveldb.Batch
		group []*request
	)
	for first := range c.requests {
		runtime.Gosched()
		batch.Reset()
		group = append(group[:0], first)
		size := add(&batch, first)
	collect:
		for len(group) < maxGroupOps && size < maxGroupBytes {
			select {
			case r, ok := <-c.requests:
				if !ok {
					break collect
				}
				group = append(group, r)
				size += add(&batch, r)
			default:
				break collect
			}
		}
		err := c.db.Write(&batch, syncWrite)
		c.writes.Add(1)
		for i, r := range group {
			r.done <- err
			group[i] = nil
		}
	}
}

// add appends a request's ops to the batch (which copies them) and returns
// their size.
func add(b *leveldb.Batch, r *request) int {
	n := 0
	for _, op := range r.ops {
		if op.Delete {
			b.Delete([]byte(op.Key))
		} else {
			b.Put([]byte(op.Key), op.Value)
		}
		n += len(op.Key) + len(op.Value)
	}
	return n
}
