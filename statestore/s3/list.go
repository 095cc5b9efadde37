package s3

import (
	"context"
	"errors"
	"iter"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3api "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/goceramic/ceramic/statestore"
)

// maxListKeys is the most keys one ListObjectsV2 request returns.
const maxListKeys = 1000

// List implements [statestore.Store]. Keys come from ListObjectsV2 (S3 lists
// keys in UTF-8 byte order, which is the order List needs), one request per
// 1000 keys or per Limit keys. Unless opts.KeysOnly, values are read with
// GetObject by up to [Options.ListConcurrency] goroutines, ahead of the
// caller but never more than that many keys ahead; empty objects are not
// read. A key deleted between listing and reading is skipped.
func (s *Store) List(ctx context.Context, opts statestore.ListOptions) iter.Seq2[statestore.Entry, error] {
	return func(yield func(statestore.Entry, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(statestore.Entry{}, err)
			return
		}
		s.mu.Lock()
		closed := s.closed
		s.mu.Unlock()
		if closed {
			yield(statestore.Entry{}, statestore.ErrClosed)
			return
		}

		ctx, cancel := context.WithCancel(ctx)
		var fetches sync.WaitGroup
		defer func() {
			cancel()
			fetches.Wait()
		}()

		l := s.newLister(opts)
		window := s.opts.ListConcurrency
		if opts.KeysOnly {
			window = 1
		}
		var (
			queue   []*pending
			listErr error
			yielded int
		)
		for {
			// Keep the window full: list more keys and start reading
			// their values.
			for listErr == nil && len(queue) < window && (opts.Limit <= 0 || yielded+len(queue) < opts.Limit) {
				want := 0
				if opts.Limit > 0 {
					want = opts.Limit - yielded - len(queue)
				}
				obj, ok, err := l.next(ctx, want)
				if err != nil {
					listErr = err
					break
				}
				if !ok {
					break
				}
				queue = append(queue, s.fetch(ctx, &fetches, obj, opts.KeysOnly))
			}
			if len(queue) == 0 {
				if listErr != nil {
					yield(statestore.Entry{}, listErr)
				}
				return
			}
			p := queue[0]
			queue[0] = nil
			queue = queue[1:]
			<-p.done
			if p.err != nil {
				if errors.Is(p.err, statestore.ErrNotFound) {
					continue // deleted since it was listed
				}
				yield(statestore.Entry{}, p.err)
				return
			}
			if !yield(statestore.Entry{Key: p.key, Value: p.value}, nil) {
				return
			}
			if yielded++; opts.Limit > 0 && yielded >= opts.Limit {
				return
			}
		}
	}
}

// pending is the value of a listed key, being read.
type pending struct {
	key   string
	value []byte
	err   error
	done  chan struct{} // closed when value and err are set
}

// fetch starts reading the value of a listed object.
func (s *Store) fetch(ctx context.Context, wg *sync.WaitGroup, obj listed, keysOnly bool) *pending {
	p := &pending{key: obj.key, done: make(chan struct{})}
	switch {
	case keysOnly:
		close(p.done)
	case obj.size == 0:
		p.value = []byte{}
		close(p.done)
	default:
		wg.Go(func() {
			defer close(p.done)
			c, done, err := s.begin()
			if err != nil {
				p.err = err
				return
			}
			defer done()
			p.value, p.err = s.get(ctx, c, obj.key)
		})
	}
	return p
}

// listed is a key found by ListObjectsV2, without the store's prefix.
type listed struct {
	key  string
	size int64
}

// lister pages through ListObjectsV2 and returns the keys opts selects, in
// order.
type lister struct {
	s          *Store
	opts       statestore.ListOptions
	prefix     string  // S3 Prefix parameter
	startAfter string  // S3 StartAfter parameter of the first request, or ""
	limit      string  // keys from here on are past the selection; "" = none
	token      *string // continuation token of the next page
	page       []types.Object
	started    bool
	finished   bool // no further page
	last       string
	haveLast   bool
}

func (s *Store) newLister(opts statestore.ListOptions) *lister {
	start, limit := opts.Range()
	l := &lister{
		s:      s,
		opts:   opts,
		prefix: s.prefix + validPrefix(opts.Prefix),
		limit:  limit,
	}
	if start > opts.Prefix {
		l.startAfter = before(s.prefix + start)
	}
	return l
}

// next returns the next selected key; ok is false when there is none.
// want is how many more keys the caller needs (0: all), used to size the
// next request.
func (l *lister) next(ctx context.Context, want int) (obj listed, ok bool, err error) {
	for {
		for len(l.page) > 0 {
			o := l.page[0]
			l.page = l.page[1:]
			full := aws.ToString(o.Key)
			if !strings.HasPrefix(full, l.s.prefix) {
				continue
			}
			k := full[len(l.s.prefix):]
			if k == "" {
				continue // an object named like the prefix ("folder" marker)
			}
			if l.limit != "" && k >= l.limit {
				l.page, l.finished = nil, true
				return listed{}, false, nil
			}
			if !l.opts.Match(k) || (l.haveLast && k <= l.last) {
				continue
			}
			l.last, l.haveLast = k, true
			return listed{key: k, size: aws.ToInt64(o.Size)}, true, nil
		}
		if l.finished {
			return listed{}, false, nil
		}
		if err := l.fetchPage(ctx, want); err != nil {
			return listed{}, false, err
		}
	}
}

// fetchPage makes the next ListObjectsV2 request.
func (l *lister) fetchPage(ctx context.Context, want int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c, done, err := l.s.begin()
	if err != nil {
		return err
	}
	defer done()
	in := &s3api.ListObjectsV2Input{
		Bucket:  aws.String(l.s.bucket),
		Prefix:  aws.String(l.prefix),
		MaxKeys: aws.Int32(maxListKeys),
	}
	if want > 0 && want < maxListKeys {
		in.MaxKeys = aws.Int32(int32(want))
	}
	if l.started {
		in.ContinuationToken = l.token
	} else if l.startAfter != "" {
		in.StartAfter = aws.String(l.startAfter)
	}
	out, err := c.api.ListObjectsV2(ctx, in)
	if err != nil {
		return mapError(ctx, "list", l.prefix, err)
	}
	l.started = true
	l.page = out.Contents
	l.token = out.NextContinuationToken
	if !aws.ToBool(out.IsTruncated) || aws.ToString(l.token) == "" {
		l.finished = true
	}
	return nil
}

// validPrefix returns the longest prefix of s that is valid UTF-8. S3
// parameters must be UTF-8; the rest of a selection is checked here.
func validPrefix(s string) string {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return s[:i]
		}
		i += size
	}
	return s
}

// before returns a valid UTF-8 string below s (which is not empty), as
// close to it as is cheap: S3's StartAfter is exclusive and must be UTF-8,
// while s is an inclusive start. Keys between the result and s are
// filtered out after listing; there are none when s ends in a zero byte
// (After) and few otherwise.
func before(s string) string {
	if s[len(s)-1] == 0 && utf8.ValidString(s[:len(s)-1]) {
		return s[:len(s)-1] // the greatest string below s
	}
	if p := validPrefix(s); p != s {
		return p // a proper prefix is below s
	}
	r, size := utf8.DecodeLastRuneInString(s)
	switch r {
	case 0xe000:
		r = 0xd7ff // skip the surrogates, which UTF-8 cannot hold
	default:
		r--
	}
	return s[:len(s)-size] + string(r)
}
