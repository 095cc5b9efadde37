package s3ds

import (
	"context"
	"errors"
	"path"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	ds "github.com/ipfs/go-datastore"
	dsq "github.com/ipfs/go-datastore/query"
)

// Query lists the objects under the root directory with ListObjectsV2 (1000
// keys per request), maps each object key back to its datastore key and
// returns it with the size from the listing. Values are fetched lazily, one
// GetObject per returned entry, and only when q.KeysOnly is false.
//
// The prefix is pushed down to S3 where the key layout allows it (not with
// next-to-last/2, whose shard comes first). Offset and Limit are applied
// while listing when there are no filters or orders, so skipped entries cost
// no GetObject; otherwise filters, orders, offset and limit are applied with
// query.NaiveQueryApply (orders buffer the whole result).
func (d *Datastore) Query(ctx context.Context, q dsq.Query) (dsq.Results, error) {
	prefix := cleanQueryPrefix(q.Prefix)
	naive := len(q.Filters) > 0 || len(q.Orders) > 0
	it := &listIter{
		d:          d,
		ctx:        ctx,
		listPrefix: d.layout.listPrefix(prefix),
		keysOnly:   q.KeysOnly,
	}
	if prefix != "/" {
		it.keyPrefix = prefix + "/" // strict children only
	}
	if !naive {
		it.offset, it.limit = q.Offset, q.Limit
	}
	res := dsq.ResultsFromIterator(q, dsq.Iterator{Next: it.next})
	if !naive {
		return res, nil
	}
	nq := q
	nq.Prefix = "" // already applied
	return dsq.ResultsReplaceQuery(dsq.NaiveQueryApply(nq, res), q), nil
}

// cleanQueryPrefix cleans a query prefix the way query.NaiveQueryApply does:
// "/" means everything, "/a/" and "a" mean "/a".
func cleanQueryPrefix(p string) string {
	return path.Clean("/" + p)
}

// listIter walks ListObjectsV2 pages lazily.
type listIter struct {
	d          *Datastore
	ctx        context.Context
	listPrefix string // S3 prefix to list
	keyPrefix  string // datastore keys must start with this ("" = all)
	keysOnly   bool
	offset     int // entries still to skip
	limit      int // 0 = unlimited
	returned   int

	page    []types.Object
	token   *string
	started bool
	done    bool
}

func (it *listIter) next() (dsq.Result, bool) {
	for {
		if it.done || (it.limit > 0 && it.returned >= it.limit) {
			return dsq.Result{}, false
		}
		if len(it.page) == 0 {
			if it.started && it.token == nil {
				it.done = true
				return dsq.Result{}, false
			}
			if err := it.fetchPage(); err != nil {
				it.done = true
				return dsq.Result{Error: err}, true
			}
			continue
		}
		obj := it.page[0]
		it.page = it.page[1:]
		key, ok := it.d.layout.datastoreKey(aws.ToString(obj.Key))
		if !ok || !strings.HasPrefix(key, it.keyPrefix) {
			continue
		}
		if it.offset > 0 {
			it.offset--
			continue
		}
		e := dsq.Entry{Key: key, Size: int(aws.ToInt64(obj.Size))}
		if !it.keysOnly {
			v, err := it.d.Get(it.ctx, ds.RawKey(key))
			if errors.Is(err, ds.ErrNotFound) {
				continue // deleted since it was listed
			}
			if err != nil {
				it.done = true
				return dsq.Result{Error: err}, true
			}
			e.Value, e.Size = v, len(v)
		}
		it.returned++
		return dsq.Result{Entry: e}, true
	}
}

func (it *listIter) fetchPage() error {
	it.started = true
	out, err := it.d.client.ListObjectsV2(it.ctx, &s3.ListObjectsV2Input{
		Bucket:            aws.String(it.d.cfg.Bucket),
		Prefix:            aws.String(it.listPrefix),
		MaxKeys:           aws.Int32(listPageSize),
		ContinuationToken: it.token,
	})
	if err != nil {
		return it.d.wrapErr(it.ctx, OpListObjectsV2, it.listPrefix, err)
	}
	it.page = out.Contents
	it.token = nil
	if aws.ToBool(out.IsTruncated) && aws.ToString(out.NextContinuationToken) != "" {
		it.token = out.NextContinuationToken
	}
	return nil
}
