//go:build integration && interop

package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/goceramic/ceramic/streams/streamstest"
)

// TestInteropNetworkWithJSCeramic: our daemon and a real js-ceramic 3.4.1 (on kubo v0.26.0,
// remote mode) on one pubsub topic, their swarms connected. Streams written on either side
// load on the other (QUERY/RESPONSE, then bitswap), and updates on either side reach the
// other (UPDATE).
func TestInteropNetworkWithJSCeramic(t *testing.T) {
	jsDir := jsCeramicDir(t)
	topic := fmt.Sprintf("/ceramic/inmemory-interop-%d", time.Now().UnixNano())
	network := map[string]any{"name": "inmemory", "pubsub-topic": topic}
	k := startKubo(t)
	js := startJSCeramic(t, jsDir, k, map[string]any{}, network)

	home := t.TempDir()
	cfg := nodeConfig(topic, []string{k.wsAddr})
	cfg["network"] = network
	writeConfig(t, home, cfg)
	d := startDaemon(t, home, nil)
	ours := &streamClient{base: "http://" + d.waitHealthy(), http: js.http}
	ctx := context.Background()
	signer := streamstest.NewSigner(nil)

	create := func(c *streamClient, content map[string]any) (string, string) {
		t.Helper()
		g, err := signer.Genesis(content, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, _, err := c.post(ctx, "/api/v0/streams", map[string]any{"type": 0, "genesis": g, "opts": noAnchor})
		if err != nil {
			t.Fatal(err)
		}
		id, _ := resp["streamId"].(string)
		return id, tipOf(resp)
	}
	update := func(c *streamClient, id string, content map[string]any) string {
		t.Helper()
		resp, _, err := c.get(ctx, "/api/v0/streams/"+id)
		if err != nil {
			t.Fatal(err)
		}
		u, err := signer.Update(stateFromResponse(resp), content, nil)
		if err != nil {
			t.Fatal(err)
		}
		out, _, err := c.post(ctx, "/api/v0/commits", map[string]any{"streamId": id, "commit": u, "opts": noAnchor})
		if err != nil {
			t.Fatal(err)
		}
		return tipOf(out)
	}
	waitTip := func(c *streamClient, who, id, want string) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		last := ""
		for time.Now().Before(deadline) {
			if resp, _, err := c.get(ctx, "/api/v0/streams/"+id); err == nil {
				if last = tipOf(resp); last == want {
					return
				}
			}
			time.Sleep(250 * time.Millisecond)
		}
		t.Fatalf("%s: stream %s at %s, not %s", who, id, last, want)
	}

	// js-ceramic → ours, then an update on js-ceramic reaches ours.
	fromJS, tip := create(js, map[string]any{"from": "js-ceramic"})
	start := time.Now()
	waitTip(ours, "our node", fromJS, tip)
	t.Logf("a js-ceramic stream loaded on our node after %s", time.Since(start).Round(time.Millisecond))
	tip = update(js, fromJS, map[string]any{"from": "js-ceramic", "n": 1.0})
	waitTip(ours, "our node", fromJS, tip)

	// ours → js-ceramic, then an update on our node reaches js-ceramic.
	fromUs, tip := create(ours, map[string]any{"from": "goceramic"})
	start = time.Now()
	waitTip(js, "js-ceramic", fromUs, tip)
	t.Logf("our stream loaded on js-ceramic after %s", time.Since(start).Round(time.Millisecond))
	tip = update(ours, fromUs, map[string]any{"from": "goceramic", "n": 1.0})
	waitTip(js, "js-ceramic", fromUs, tip)

	// And the other way round on the same streams.
	tip = update(ours, fromJS, map[string]any{"from": "js-ceramic", "n": 2.0, "by": "goceramic"})
	waitTip(js, "js-ceramic", fromJS, tip)
	tip = update(js, fromUs, map[string]any{"from": "goceramic", "n": 2.0, "by": "js-ceramic"})
	waitTip(ours, "our node", fromUs, tip)
}
