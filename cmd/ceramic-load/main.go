// Command ceramic-load drives a Ceramic node's HTTP API with signed TileDocument writes and
// reads from concurrent clients, and reports latency percentiles and throughput per
// operation. It works against any js-ceramic compatible node.
//
//	ceramic-load -url http://127.0.0.1:7007 -c 8 -streams 2000 -updates 1 -loads 5
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
	"github.com/goceramic/ceramic/streams/streamstest"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:7007", "node API base URL")
	conc := flag.Int("c", 8, "concurrent clients")
	n := flag.Int("streams", 1000, "streams to create")
	updates := flag.Int("updates", 1, "signed updates per stream")
	loads := flag.Int("loads", 5, "cached loads per stream")
	flag.Parse()
	if err := run(*url, *conc, *n, *updates, *loads, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ceramic-load:", err)
		os.Exit(1)
	}
}

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
	ids := make([]string, n)
	var next atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range conc {
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
				resp, err := c.do(ctx, http.MethodPost, "/api/v0/streams", map[string]any{"type": 0, "genesis": g, "opts": map[string]any{"anchor": false, "publish": false}})
				create.add(time.Since(t0), err)
				if err != nil {
					continue
				}
				ids[i], _ = resp["streamId"].(string)
				st, err := stateOf(resp)
				for u := 1; u <= updates && err == nil; u++ {
					cm, err2 := signer.Update(st, map[string]any{"i": float64(i), "v": float64(u)}, nil)
					if err2 != nil {
						update.add(0, err2)
						break
					}
					t0 := time.Now()
					resp, err2 = c.do(ctx, http.MethodPost, "/api/v0/commits", map[string]any{"streamId": ids[i], "commit": cm, "opts": map[string]any{"anchor": false, "publish": false}})
					update.add(time.Since(t0), err2)
					if err2 != nil {
						break
					}
					st, err = stateOf(resp)
				}
			}
		}()
	}
	wg.Wait()
	writeWall := time.Since(start)

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
