package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamstest"
)

// syncFlags are the settings of the two-node modes (sync-load, propagation, flood).
type syncFlags struct {
	a, b                     string // API base URLs of A (writer) and B (reader)
	n, createC, loadC        int
	updates                  int
	propUpdates, propStreams int
	interval, poll, timeout  time.Duration
	rpc, topic               string
	messages, pubC           int
	pidA, pidB               int
	settle                   time.Duration
	metricsB                 string
}

// noAnchor are the write options of every write the sync modes make.
var noAnchor = map[string]any{"anchor": false}

// writeOptions are the options of the client's creates and updates.
func (c *client) writeOptions() map[string]any {
	if c.opts == nil {
		return noAnchor
	}
	return c.opts
}

func newClient(base string, conc int) (*client, error) {
	c := &client{base: base, http: &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: max(conc, 2)}}}
	resp, err := c.http.Get(base + "/api/v0/node/healthcheck")
	if err != nil {
		return nil, fmt.Errorf("node %s not reachable: %w", base, err)
	}
	resp.Body.Close()
	return c, nil
}

// stream is a stream created by the tool: its genesis, its signer and its last known state.
type stream struct {
	id      string
	genesis *codec.WireCommit
	signer  *streamstest.Signer
	state   *streams.State
}

func (s *stream) tip() string {
	if s.state == nil || len(s.state.Log) == 0 {
		return ""
	}
	return s.state.Tip().String()
}

// createOn creates n signed streams on c, conc at a time, each followed by updates signed
// updates, all with {"anchor": false}. A stream whose create or updates failed is nil.
func createOn(ctx context.Context, c *client, n, conc, updates int, create, update *recorder) []*stream {
	out := make([]*stream, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(conc, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			signer := streamstest.NewSigner(nil)
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				g, err := signer.Genesis(map[string]any{"i": float64(i), "v": 0.0}, nil)
				if err != nil {
					create.add(0, err)
					continue
				}
				t0 := time.Now()
				resp, err := c.do(ctx, http.MethodPost, "/api/v0/streams", map[string]any{"type": 0, "genesis": g, "opts": c.writeOptions()})
				create.add(time.Since(t0), err)
				if err != nil {
					continue
				}
				s := &stream{genesis: g, signer: signer}
				s.id, _ = resp["streamId"].(string)
				if s.state, err = stateOf(resp); err != nil {
					create.add(0, err)
					continue
				}
				ok := true
				for u := 1; u <= updates; u++ {
					if err := s.update(ctx, c, map[string]any{"i": float64(i), "v": float64(u)}, update); err != nil {
						ok = false
						break
					}
				}
				if ok {
					out[i] = s
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// update signs an update of s to content, writes it through c and records its latency.
func (s *stream) update(ctx context.Context, c *client, content map[string]any, rec *recorder) error {
	cm, err := s.signer.Update(s.state, content, nil)
	if err != nil {
		rec.add(0, err)
		return err
	}
	t0 := time.Now()
	resp, err := c.do(ctx, http.MethodPost, "/api/v0/commits", map[string]any{"streamId": s.id, "commit": cm, "opts": c.writeOptions()})
	rec.add(time.Since(t0), err)
	if err != nil {
		return err
	}
	st, err := stateOf(resp)
	if err != nil {
		return err
	}
	s.state = st
	return nil
}

// pinOn posts the genesis of every stream to c with {"anchor": false}, so that the node
// pins it.
func pinOn(ctx context.Context, c *client, ss []*stream) error {
	for _, s := range ss {
		if _, err := c.do(ctx, http.MethodPost, "/api/v0/streams", map[string]any{"type": 0, "genesis": s.genesis, "opts": noAnchor}); err != nil {
			return fmt.Errorf("pin %s on B: %w", s.id, err)
		}
	}
	return nil
}

// runSyncLoad: streams created on A, then each loaded once on B, which never saw them.
func runSyncLoad(f syncFlags, w io.Writer) error {
	ctx := context.Background()
	a, err := newClient(f.a, f.createC)
	if err != nil {
		return err
	}
	b, err := newClient(f.b, f.loadC)
	if err != nil {
		return err
	}
	var create, update recorder
	start := time.Now()
	created := createOn(ctx, a, f.n, f.createC, f.updates, &create, &update)
	writeWall := time.Since(start)

	var load recorder
	var non2xx, wrongTip atomic.Int64
	var next atomic.Int64
	var wg sync.WaitGroup
	start = time.Now()
	for range max(f.loadC, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(created) {
					return
				}
				s := created[i]
				if s == nil {
					continue
				}
				t0 := time.Now()
				resp, err := b.do(ctx, http.MethodGet, "/api/v0/streams/"+s.id, nil)
				d := time.Since(t0)
				if err != nil {
					non2xx.Add(1)
					load.add(d, err)
					continue
				}
				st, err := stateOf(resp)
				if err == nil && (len(st.Log) == 0 || st.Tip().String() != s.tip()) {
					got := "none"
					if len(st.Log) > 0 {
						got = st.Tip().String()
					}
					err = fmt.Errorf("stream %s: B has tip %s (%d commits), A has %s (%d commits)", s.id, got, len(st.Log), s.tip(), len(s.state.Log))
				}
				if err != nil {
					wrongTip.Add(1)
				}
				load.add(d, err)
			}
		}()
	}
	wg.Wait()
	loadWall := time.Since(start)

	ok := 0
	for _, s := range created {
		if s != nil {
			ok++
		}
	}
	fmt.Fprintf(w, "A=%s B=%s streams=%d (created %d) updates/stream=%d create-clients=%d load-clients=%d\n", f.a, f.b, f.n, ok, f.updates, f.createC, f.loadC)
	create.report(w, "create@A", writeWall)
	if f.updates > 0 {
		update.report(w, "update@A", writeWall)
	}
	load.report(w, "load@B", loadWall)
	fmt.Fprintf(w, "B loaded %d streams in %s: %d failed (%d non-2xx, %d with a tip other than A's)\n",
		ok, loadWall.Round(time.Millisecond), non2xx.Load()+wrongTip.Load(), non2xx.Load(), wrongTip.Load())
	return nil
}

// delays collects propagation delays and the updates that never showed up.
type delays struct {
	mu        sync.Mutex
	d         []time.Duration
	lost      int
	firstLost error
	errs      int
	last      error // of a poll
}

func (r *delays) report(w io.Writer, name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	slices.Sort(r.d)
	pct := func(p float64) time.Duration {
		if len(r.d) == 0 {
			return 0
		}
		return r.d[min(len(r.d)-1, int(p*float64(len(r.d))))]
	}
	var mx time.Duration
	if len(r.d) > 0 {
		mx = r.d[len(r.d)-1]
	}
	fmt.Fprintf(w, "%-8s n=%-6d lost=%-4d p50=%-10s p90=%-10s p99=%-10s max=%-10s\n",
		name, len(r.d), r.lost, pct(0.50), pct(0.90), pct(0.99), mx)
	if r.firstLost != nil {
		fmt.Fprintf(w, "         first lost: %v\n", r.firstLost)
	}
	if r.errs > 0 {
		fmt.Fprintf(w, "         %d polls of B failed; last error: %v\n", r.errs, r.last)
	}
}

// waitOnB polls B with NEVER_SYNC loads until its log of id holds tip, and returns how long
// after since that was, or an error after timeout.
func waitOnB(ctx context.Context, b *client, id, tip string, since time.Time, poll, timeout time.Duration, r *delays) (time.Duration, error) {
	deadline := since.Add(timeout)
	last := ""
	for {
		resp, err := b.do(ctx, http.MethodGet, "/api/v0/streams/"+id+"?sync=2", nil)
		now := time.Now()
		if err == nil {
			var st *streams.State
			if st, err = stateOf(resp); err == nil && len(st.Log) > 0 {
				last = st.Tip().String()
				// A later update may already have replaced it as the tip.
				for i := len(st.Log) - 1; i >= 0; i-- {
					if st.Log[i].CID.String() == tip {
						return now.Sub(since), nil
					}
				}
			}
		}
		if err != nil && r != nil {
			r.mu.Lock()
			r.errs++
			r.last = err
			r.mu.Unlock()
		}
		if now.After(deadline) {
			return 0, fmt.Errorf("stream %s: B is at %s, not %s, after %s", id, last, tip, timeout)
		}
		time.Sleep(poll)
	}
}

// runPropagation: updates on A, timed until B (which pins the streams) shows them.
func runPropagation(f syncFlags, w io.Writer) error {
	ctx := context.Background()
	a, err := newClient(f.a, 2)
	if err != nil {
		return err
	}
	b, err := newClient(f.b, 32)
	if err != nil {
		return err
	}
	var create, update recorder
	ss := createOn(ctx, a, max(f.propStreams, 1), 1, 0, &create, &update)
	if slices.Contains(ss, nil) {
		create.report(w, "create@A", time.Second)
		return errors.New("creating the streams on A failed")
	}
	if err := pinOn(ctx, b, ss); err != nil {
		return err
	}
	// B may still be catching up in the background; start from a state both nodes share.
	for _, s := range ss {
		if _, err := waitOnB(ctx, b, s.id, s.tip(), time.Now(), f.poll, f.timeout, nil); err != nil {
			return err
		}
	}

	var prop delays
	var wg sync.WaitGroup
	tick := time.NewTicker(max(f.interval, time.Millisecond))
	defer tick.Stop()
	start := time.Now()
	for i := range f.propUpdates {
		s := ss[i%len(ss)]
		if err := s.update(ctx, a, map[string]any{"i": float64(i % len(ss)), "v": float64(i + 1)}, &update); err != nil {
			continue
		}
		acked, tip := time.Now(), s.tip()
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := waitOnB(ctx, b, s.id, tip, acked, f.poll, f.timeout, &prop)
			prop.mu.Lock()
			if err != nil {
				prop.lost++
				if prop.firstLost == nil {
					prop.firstLost = err
				}
			} else {
				prop.d = append(prop.d, d)
			}
			prop.mu.Unlock()
		}()
		<-tick.C
	}
	writeWall := time.Since(start)
	wg.Wait()

	fmt.Fprintf(w, "A=%s B=%s updates=%d streams=%d interval=%s poll=%s timeout=%s\n", f.a, f.b, f.propUpdates, len(ss), f.interval, f.poll, f.timeout)
	update.report(w, "update@A", writeWall)
	prop.report(w, "seen@B")
	return nil
}
