package s3ds

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	ds "github.com/ipfs/go-datastore"

	"github.com/goceramic/ceramic/internal/s3err"
)

// Batch returns a batch that buffers puts and deletes in memory until
// Commit. For each key only the last operation counts. Commit writes puts in
// parallel (Config.Workers at a time, one PutObject each) and groups deletes
// into DeleteObjects requests of up to 1000 keys. A batch is not atomic:
// after a failed Commit some operations may have been applied; each object
// is still either fully written or untouched.
func (d *Datastore) Batch(ctx context.Context) (ds.Batch, error) {
	return &batch{d: d, ops: make(map[string]batchOp)}, nil
}

type batchOp struct {
	key    ds.Key
	value  []byte
	delete bool
}

type batch struct {
	d   *Datastore
	mu  sync.Mutex
	ops map[string]batchOp
}

// Put buffers a put of value under k.
func (b *batch) Put(ctx context.Context, k ds.Key, value []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ops[k.String()] = batchOp{key: k, value: value}
	return nil
}

// Delete buffers a delete of k.
func (b *batch) Delete(ctx context.Context, k ds.Key) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ops[k.String()] = batchOp{key: k, delete: true}
	return nil
}

// Commit applies the buffered operations and empties the batch.
func (b *batch) Commit(ctx context.Context) error {
	b.mu.Lock()
	ops := b.ops
	b.ops = make(map[string]batchOp)
	b.mu.Unlock()

	var puts []batchOp
	var dels []ds.Key
	for _, op := range ops {
		if op.delete {
			dels = append(dels, op.key)
		} else {
			puts = append(puts, op)
		}
	}

	jobs := make(chan func() error)
	var (
		wg     sync.WaitGroup
		errMu  sync.Mutex
		errs   []error
		record = func(err error) {
			if err != nil {
				errMu.Lock()
				errs = append(errs, err)
				errMu.Unlock()
			}
		}
	)
	workers := min(b.d.cfg.Workers, len(puts)+(len(dels)+deleteMax-1)/deleteMax)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range jobs {
				record(job())
			}
		}()
	}
	for _, op := range puts {
		jobs <- func() error { return b.d.Put(ctx, op.key, op.value) }
	}
	for start := 0; start < len(dels); start += deleteMax {
		chunk := dels[start:min(start+deleteMax, len(dels))]
		jobs <- func() error { return b.d.deleteMany(ctx, chunk) }
	}
	close(jobs)
	wg.Wait()

	if len(errs) > 0 {
		return fmt.Errorf("s3ds: batch commit: %d of %d operations failed: %w", len(errs), len(ops), errors.Join(errs...))
	}
	return nil
}

// deleteMany deletes up to deleteMax keys in one DeleteObjects request (or
// one DeleteObject for a single key).
func (d *Datastore) deleteMany(ctx context.Context, keys []ds.Key) error {
	if len(keys) == 1 {
		return d.Delete(ctx, keys[0])
	}
	objs := make([]types.ObjectIdentifier, len(keys))
	byObj := make(map[string]string, len(keys))
	for i, k := range keys {
		ok := d.layout.objectKey(k)
		objs[i] = types.ObjectIdentifier{Key: aws.String(ok)}
		byObj[ok] = k.String()
	}
	out, err := d.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
		Bucket: aws.String(d.cfg.Bucket),
		Delete: &types.Delete{Objects: objs, Quiet: aws.Bool(true)},
	})
	if err != nil {
		for _, k := range keys {
			d.cache.deleteFailed(k.String())
		}
		return d.wrapErr(ctx, OpDeleteObjects, fmt.Sprintf("%d keys", len(keys)), err)
	}
	failed := make(map[string]bool)
	var errs []error
	for _, e := range out.Errors {
		ok := aws.ToString(e.Key)
		if aws.ToString(e.Code) == "NoSuchKey" {
			continue // already gone
		}
		failed[ok] = true
		keyErr := fmt.Errorf("s3ds: DeleteObjects %q in bucket %q: %s: %s",
			ok, d.cfg.Bucket, aws.ToString(e.Code), aws.ToString(e.Message))
		if s3err.IsThrottleCode(aws.ToString(e.Code)) {
			keyErr = fmt.Errorf("%w: %w", ErrUnavailable, keyErr)
		}
		errs = append(errs, keyErr)
	}
	for ok, key := range byObj {
		if failed[ok] {
			d.cache.deleteFailed(key)
		} else {
			d.cache.deleted(key)
		}
	}
	return errors.Join(errs...)
}

var _ ds.Batch = (*batch)(nil)
