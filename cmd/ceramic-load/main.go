// Command ceramic-load drives a Ceramic node's HTTP API with signed TileDocument writes and
// reads from concurrent clients, and reports latency percentiles and throughput per
// operation. It works against any js-ceramic compatible node.
//
//	ceramic-load -url http://127.0.0.1:7007 -c 8 -streams 2000 -updates 1 -loads 5
//
// Three more modes measure network sync between two running nodes, A (the writer) and B
// (the reader), on the same network and pubsub topic:
//
//	ceramic-load -mode sync-load   -a URL_A -b URL_B [-streams 1000 -c 8 -load-c 16 -updates 1]
//	ceramic-load -mode propagation -a URL_A -b URL_B [-prop-updates 200 -prop-streams 4 -interval 50ms]
//	ceramic-load -mode flood       -a URL_A -b URL_B -rpc HOST:PORT -topic TOPIC [-messages 20000 -pid-b PID]
//
// sync-load creates streams on A and loads every one on B, which has never seen them (B asks
// its peers with a QUERY and fetches the commits over bitswap). propagation updates streams
// both nodes pin, on A, and polls B with NEVER_SYNC loads (?sync=2) until the new tip shows
// up there, so B only reflects what pubsub delivered. flood publishes identical UPDATE
// messages through A's kubo RPC API and reports B's CPU time and RSS before and after (read
// from /proc, so B must run on this machine).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goceramic/ceramic/streams"
)

func main() {
	mode := flag.String("mode", "load", "what to run: load (one node, -url), sync-load, propagation or flood (two nodes, -a and -b)")
	url := flag.String("url", "http://127.0.0.1:7007", "node API base URL (mode load)")
	conc := flag.Int("c", 8, "concurrent clients (in sync-load: for the creates on A)")
	n := flag.Int("streams", 1000, "streams to create")
	updates := flag.Int("updates", 1, "signed updates per stream (load, sync-load: made on A before B loads, so that B must learn the tip from A)")
	loads := flag.Int("loads", 5, "cached loads per stream (mode load)")
	var sf syncFlags
	flag.StringVar(&sf.a, "a", "http://127.0.0.1:7007", "node A (writer) API base URL (sync modes)")
	flag.StringVar(&sf.b, "b", "http://127.0.0.1:7008", "node B (reader) API base URL (sync modes)")
	flag.IntVar(&sf.loadC, "load-c", 16, "concurrent loads on B (sync-load)")
	flag.IntVar(&sf.propUpdates, "prop-updates", 200, "updates made on A, one at a time (propagation)")
	flag.IntVar(&sf.propStreams, "prop-streams", 4, "streams the updates go round (propagation)")
	flag.DurationVar(&sf.interval, "interval", 50*time.Millisecond, "time between two updates on A (propagation)")
	flag.DurationVar(&sf.poll, "poll", 5*time.Millisecond, "time between two NEVER_SYNC loads of B while waiting for a tip (propagation, flood)")
	flag.DurationVar(&sf.timeout, "timeout", 10*time.Second, "how long B may take to show a tip before it counts as lost (propagation, flood)")
	flag.StringVar(&sf.rpc, "rpc", "", "A's kubo RPC API, host:port (flood)")
	flag.StringVar(&sf.topic, "topic", "", "the network's pubsub topic (flood)")
	flag.IntVar(&sf.messages, "messages", 20000, "identical UPDATE messages to publish (flood)")
	flag.IntVar(&sf.pubC, "pub-c", 8, "concurrent publishers (flood)")
	flag.IntVar(&sf.pidB, "pid-b", 0, "B's process id, to read its CPU time and RSS from /proc (flood)")
	flag.IntVar(&sf.pidA, "pid-a", 0, "A's process id, likewise (flood, optional)")
	flag.DurationVar(&sf.settle, "settle", 60*time.Second, "after a flood, wait at most this long for B's CPU to go idle (flood)")
	flag.StringVar(&sf.metricsB, "metrics-b", "", "B's Prometheus /metrics URL; when set, flood reports B's pubsub counters (flood, optional)")
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), usage)
		flag.PrintDefaults()
	}
	flag.Parse()
	sf.n, sf.createC, sf.updates = *n, *conc, *updates
	var err error
	switch *mode {
	case "load":
		err = run(*url, *conc, *n, *updates, *loads, os.Stdout)
	case "sync-load":
		err = runSyncLoad(sf, os.Stdout)
	case "propagation":
		err = runPropagation(sf, os.Stdout)
	case "flood":
		err = runFlood(sf, os.Stdout)
	default:
		err = fmt.Errorf("unknown -mode %q (load, sync-load, propagation, flood)", *mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ceramic-load:", err)
		os.Exit(1)
	}
}

const usage = `Usage: ceramic-load [-mode MODE] [flags]

Modes:
  load         (default) on one node (-url): -streams signed creates and -updates updates
               each from -c clients, then -loads cached loads per stream; latency
               percentiles and throughput per operation.
  sync-load    on two nodes: create -streams streams on A (-a) with {"anchor": false},
               -c at a time, each with -updates updates; then load every one on B (-b),
               which never saw them (GET /api/v0/streams/<id>, -load-c at a time). Reports
               B's total wall time and per-load p50/p90/p99, and failures: a non-2xx
               answer, or a tip different from A's.
  propagation  on two nodes: create -prop-streams streams on A, pin them on B (POST the same
               genesis with {"anchor": false}); then -prop-updates updates on A, one every
               -interval, round the streams, and for each poll B with
               GET /api/v0/streams/<id>?sync=2 (NEVER_SYNC: B only shows what pubsub
               delivered) every -poll until B's log holds the new tip. Reports the delay
               from A's answer to B showing the tip (p50/p90/p99/max) and the updates B
               did not show within -timeout.
  flood        on two nodes: a stream pinned on A and B, then -messages identical UPDATE
               messages for it published through A's kubo RPC API (-rpc HOST:PORT, -topic
               the network's pubsub topic), -pub-c at a time. Reports the publish rate, B's
               CPU time and RSS (from /proc/<-pid-b>) before, during and after, and whether
               B still follows an update made after the flood.

Example (two local nodes):
  ceramic-load -mode sync-load   -a http://127.0.0.1:7007 -b http://127.0.0.1:7008
  ceramic-load -mode propagation -a http://127.0.0.1:7007 -b http://127.0.0.1:7008
  ceramic-load -mode flood -a http://127.0.0.1:7007 -b http://127.0.0.1:7008 \
      -rpc 127.0.0.1:5001 -topic /ceramic/local-xyz -pid-b 12345

Flags:
`

// recorder collects the latencies of one operation.
type recorder struct {
	mu     sync.Mutex
	lat    []time.Duration
	errors atomic.Int64
	first  error
}

func (r *recorder) add(d time.Duration, err error) {
	if err != nil {
		if r.errors.Add(1) == 1 {
			r.mu.Lock()
			r.first = err
			r.mu.Unlock()
		}
		return
	}
	r.mu.Lock()
	r.lat = append(r.lat, d)
	r.mu.Unlock()
}

func (r *recorder) report(w io.Writer, name string, wall time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	slices.Sort(r.lat)
	pct := func(p float64) time.Duration {
		if len(r.lat) == 0 {
			return 0
		}
		return r.lat[min(len(r.lat)-1, int(p*float64(len(r.lat))))]
	}
	fmt.Fprintf(w, "%-8s n=%-6d errors=%-4d throughput=%8.1f/s p50=%-10s p90=%-10s p99=%-10s\n",
		name, len(r.lat), r.errors.Load(), float64(len(r.lat))/wall.Seconds(), pct(0.50), pct(0.90), pct(0.99))
	if r.first != nil {
		fmt.Fprintf(w, "         first error: %v\n", r.first)
	}
}

type client struct {
	// opts are the write options of every create and update; nil means noAnchor.
	opts map[string]any
	base string
	http *http.Client
}

func (c *client) do(ctx context.Context, method, path string, body any) (map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func stateOf(resp map[string]any) (*streams.State, error) {
	raw, err := json.Marshal(resp["state"])
	if err != nil {
		return nil, err
	}
	var st streams.State
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

func run(url string, conc, n, updates, loads int, w io.Writer) error {
	ctx := context.Background()
	c := &client{base: url, http: &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: conc}}}
	if _, err := c.http.Get(url + "/api/v0/node/healthcheck"); err != nil {
		return fmt.Errorf("node not reachable: %w", err)
	}
	var create, update, load recorder
	c.opts = map[string]any{"anchor": false, "publish": false}
	start := time.Now()
	ids := make([]string, n)
	for i, s := range createOn(ctx, c, n, conc, updates, &create, &update) {
		if s != nil {
			ids[i] = s.id
		}
	}
	writeWall := time.Since(start)

	var next atomic.Int64
	var wg sync.WaitGroup
	next.Store(0)
	start = time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n*loads {
					return
				}
				id := ids[i%n]
				if id == "" {
					continue
				}
				t0 := time.Now()
				_, err := c.do(ctx, http.MethodGet, "/api/v0/streams/"+id, nil)
				load.add(time.Since(t0), err)
			}
		}()
	}
	wg.Wait()
	loadWall := time.Since(start)

	fmt.Fprintf(w, "clients=%d streams=%d updates/stream=%d loads/stream=%d\n", conc, n, updates, loads)
	create.report(w, "create", writeWall)
	update.report(w, "update", writeWall)
	load.report(w, "load", loadWall)
	return nil
}
