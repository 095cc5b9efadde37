//go:build integration

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/streamstest"
)

// ack is a write the node acknowledged with a 2xx: the stream and the tip it reported.
type ack struct {
	stream, tip string
	content     float64
}

// streamClient talks to a daemon's /api/v0 over HTTP.
type streamClient struct {
	base string
	http *http.Client
}

func (c *streamClient) post(ctx context.Context, path string, body any) (map[string]any, int, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, 0, err
	}
	return c.do(ctx, http.MethodPost, path, bytes.NewReader(b))
}

func (c *streamClient) get(ctx context.Context, path string) (map[string]any, int, error) {
	return c.do(ctx, http.MethodGet, path, nil)
}

// do sends a request and decodes its JSON answer; a non-2xx status is an error.
func (c *streamClient) do(ctx context.Context, method, path string, body io.Reader) (map[string]any, int, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	if resp.StatusCode/100 != 2 {
		return out, resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	return out, resp.StatusCode, nil
}

func tipOf(resp map[string]any) string {
	st, _ := resp["state"].(map[string]any)
	log, _ := st["log"].([]any)
	if len(log) == 0 {
		return ""
	}
	last, _ := log[len(log)-1].(map[string]any)
	s, _ := last["cid"].(string)
	return s
}

// writeLoad creates and updates signed tiles from several goroutines until ctx ends and
// returns every acknowledged write.
func writeLoad(ctx context.Context, c *streamClient, workers int) []ack {
	var mu sync.Mutex
	var acks []ack
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			signer := streamstest.NewSigner(nil)
			for i := 0; ctx.Err() == nil; i++ {
				g, err := signer.Genesis(map[string]any{"worker": float64(w), "n": 0.0}, nil)
				if err != nil {
					return
				}
				resp, _, err := c.post(ctx, "/api/v0/streams", map[string]any{"type": 0, "genesis": g, "opts": map[string]any{"anchor": false, "publish": false}})
				if err != nil {
					continue
				}
				id, _ := resp["streamId"].(string)
				mu.Lock()
				acks = append(acks, ack{id, tipOf(resp), 0})
				mu.Unlock()
				// A few updates of the same stream.
				st := stateFromResponse(resp)
				for n := 1; n <= 2 && st != nil && ctx.Err() == nil; n++ {
					u, err := signer.Update(st, map[string]any{"worker": float64(w), "n": float64(n)}, nil)
					if err != nil {
						break
					}
					resp, _, err := c.post(ctx, "/api/v0/commits", map[string]any{"streamId": id, "commit": u, "opts": map[string]any{"anchor": false, "publish": false}})
					if err != nil {
						break
					}
					mu.Lock()
					acks = append(acks, ack{id, tipOf(resp), float64(n)})
					mu.Unlock()
					st = stateFromResponse(resp)
				}
			}
		}()
	}
	wg.Wait()
	return acks
}

// TestKill9KeepsAcknowledgedWrites runs a write load, kills the daemon with SIGKILL, restarts
// it on the same directories and checks that every write it acknowledged is there, several
// times in a row.
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	home := t.TempDir()
	cfg := nodeConfig("/ceramic/local-kill9", nil)
	cfg["network"] = map[string]any{"name": "inmemory"}
	writeConfig(t, home, cfg)
	var all []ack
	for round := 1; round <= 3; round++ {
		d := startDaemon(t, home, nil)
		addr := d.waitHealthy()
		c := &streamClient{base: "http://" + addr, http: &http.Client{Timeout: 30 * time.Second}}

		// Everything acknowledged in earlier rounds survived the kill.
		verifyAcks(t, c, all, round)

		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(800+rand.IntN(1200))*time.Millisecond)
		done := make(chan []ack)
		go func() { done <- writeLoad(ctx, c, 8) }()
		<-ctx.Done()
		// Kill while requests are in flight; acknowledgements already received count.
		_ = d.cmd.Process.Signal(syscall.SIGKILL)
		acks := <-done
		cancel()
		d.wait(10 * time.Second)
		if len(acks) == 0 {
			t.Fatalf("round %d: no write was acknowledged", round)
		}
		t.Logf("round %d: %d acknowledged writes before SIGKILL", round, len(acks))
		all = append(all, acks...)
	}
	d := startDaemon(t, home, nil)
	addr := d.waitHealthy()
	verifyAcks(t, &streamClient{base: "http://" + addr, http: &http.Client{Timeout: 30 * time.Second}}, all, 4)
	d.stop(syscall.SIGTERM, 15*time.Second)
}

// verifyAcks checks that each acknowledged stream loads and that its log contains the
// acknowledged tip.
func verifyAcks(t *testing.T, c *streamClient, acks []ack, round int) {
	t.Helper()
	latest := map[string]ack{}
	for _, a := range acks {
		if prev, ok := latest[a.stream]; !ok || a.content >= prev.content {
			latest[a.stream] = a
		}
	}
	for id, a := range latest {
		resp, _, err := c.get(context.Background(), "/api/v0/streams/"+id+"?syncTimeoutSeconds=1")
		if err != nil {
			t.Fatalf("round %d: acknowledged stream %s is lost: %v", round, id, err)
		}
		st, _ := resp["state"].(map[string]any)
		found := false
		for _, e := range st["log"].([]any) {
			if e.(map[string]any)["cid"] == a.tip {
				found = true
			}
		}
		if !found {
			t.Fatalf("round %d: stream %s lost its acknowledged commit %s; state: %v", round, id, a.tip, st)
		}
	}
}

// stateFromResponse decodes the "state" of a stream response.
func stateFromResponse(resp map[string]any) *streams.State {
	raw, err := json.Marshal(resp["state"])
	if err != nil {
		return nil
	}
	var st streams.State
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil
	}
	return &st
}
