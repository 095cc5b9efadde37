//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goceramic/ceramic/streams/streamstest"
)

var noAnchor = map[string]any{"anchor": false}

// onlineAddrRe finds a node's own websocket address (the config line before it lists its
// bootstrap peers' addresses).
var onlineAddrRe = regexp.MustCompile(`msg="IPFS node online".* addresses=\[(/ip4/127\.0\.0\.1/tcp/\d+/ws/p2p/[1-9A-HJ-NP-Za-km-z]+)`)

// netNode is one daemon of the network test.
type netNode struct {
	name, home string
	d          *daemon
	c          *streamClient
	ws, rpc    string
}

func startNetNode(t *testing.T, name, topic string, bootstrap []string) *netNode {
	t.Helper()
	n := &netNode{name: name, home: t.TempDir()}
	writeConfig(t, n.home, nodeConfig(topic, bootstrap))
	n.start(t)
	return n
}

func (n *netNode) start(t *testing.T) {
	t.Helper()
	n.d = startDaemon(t, n.home, nil)
	n.c = &streamClient{base: "http://" + n.d.waitHealthy(), http: http.DefaultClient}
	n.ws = n.d.waitLog(onlineAddrRe, 10*time.Second)[1]
	n.rpc = n.d.waitLog(rpcAddrRe, 10*time.Second)[1]
}

// state loads a stream on the node.
func (n *netNode) state(t *testing.T, id string) map[string]any {
	t.Helper()
	resp, _, err := n.c.get(context.Background(), "/api/v0/streams/"+id)
	if err != nil {
		t.Fatalf("%s: load %s: %v", n.name, id, err)
	}
	st, _ := resp["state"].(map[string]any)
	return st
}

// waitTip waits until the node's state of id has tip want.
func (n *netNode) waitTip(t *testing.T, id, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		resp, _, err := n.c.get(context.Background(), "/api/v0/streams/"+id)
		if err == nil {
			if last = tipOf(resp); last == want {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: stream %s is at %s, not %s, after %s", n.name, id, last, want, timeout)
}

// update writes a signed update through the node and returns the new tip.
func (n *netNode) update(t *testing.T, signer *streamstest.Signer, id string, content map[string]any) string {
	t.Helper()
	st := stateFromResponse(map[string]any{"state": n.state(t, id)})
	u, err := signer.Update(st, content, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, _, err := n.c.post(context.Background(), "/api/v0/commits", map[string]any{"streamId": id, "commit": u, "opts": noAnchor})
	if err != nil {
		t.Fatalf("%s: update: %v", n.name, err)
	}
	return tipOf(resp)
}

// TestThreeNodes: three daemons on one topic. A stream created on A loads on B and C;
// updates on B reach A and C; concurrent updates on A and C converge to one tip everywhere;
// B, restarted while updates continue, catches up; garbage published by a peer changes
// nothing.
func TestThreeNodes(t *testing.T) {
	topic := fmt.Sprintf("/ceramic/local-three-%d", time.Now().UnixNano())
	a := startNetNode(t, "A", topic, nil)
	b := startNetNode(t, "B", topic, []string{a.ws})
	c := startNetNode(t, "C", topic, []string{a.ws}) // a star around A: B's restart cuts no one off
	ctx := context.Background()
	signer := streamstest.NewSigner(nil)

	genesis, err := signer.Genesis(map[string]any{"n": 0.0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, _, err := a.c.post(ctx, "/api/v0/streams", map[string]any{"type": 0, "genesis": genesis, "opts": noAnchor})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := resp["streamId"].(string)
	tip := a.update(t, signer, id, map[string]any{"n": 1.0})

	// B and C have never seen the stream: they ask the network and load A's tip. C pins it
	// (a create of a stream the node holds pins it).
	b.waitTip(t, id, tip, 30*time.Second)
	c.waitTip(t, id, tip, 30*time.Second)
	if _, _, err := c.c.post(ctx, "/api/v0/streams", map[string]any{"type": 0, "genesis": genesis, "opts": noAnchor}); err != nil {
		t.Fatal(err)
	}
	// B pins it too (a create of a known stream pins it).
	if _, _, err := b.c.post(ctx, "/api/v0/streams", map[string]any{"type": 0, "genesis": genesis, "opts": noAnchor}); err != nil {
		t.Fatal(err)
	}

	// An update on B reaches A and C.
	tip = b.update(t, signer, id, map[string]any{"n": 2.0})
	start := time.Now()
	a.waitTip(t, id, tip, 30*time.Second)
	c.waitTip(t, id, tip, 30*time.Second)
	t.Logf("update on B seen on A and C within %s", time.Since(start).Round(time.Millisecond))

	// Concurrent updates on A and C, on the same tip: all three converge.
	var wg sync.WaitGroup
	var tipA, tipC string
	wg.Add(2)
	go func() { defer wg.Done(); tipA = a.update(t, signer, id, map[string]any{"n": 3.0, "by": "A"}) }()
	go func() { defer wg.Done(); tipC = c.update(t, signer, id, map[string]any{"n": 3.0, "by": "C"}) }()
	wg.Wait()
	if tipA == tipC {
		t.Fatal("the concurrent updates made the same commit")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ta, tb, tc := tipOf(map[string]any{"state": a.state(t, id)}), tipOf(map[string]any{"state": b.state(t, id)}), tipOf(map[string]any{"state": c.state(t, id)})
		if ta == tb && tb == tc && (ta == tipA || ta == tipC) {
			t.Logf("concurrent updates converged on %s (A wrote %s, C wrote %s)", ta, tipA, tipC)
			tip = ta
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no convergence: A %s, B %s, C %s (A wrote %s, C wrote %s)", ta, tb, tc, tipA, tipC)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// B stops; updates continue on A; B restarts and catches up.
	if code := b.d.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("B exited with %d", code)
	}
	for i := range 3 {
		tip = a.update(t, signer, id, map[string]any{"n": float64(10 + i)})
	}
	c.waitTip(t, id, tip, 30*time.Second)
	b.start(t)
	b.waitTip(t, id, tip, 30*time.Second)

	// Garbage on the topic, published through B's IPFS: malformed JSON, an unknown type, a
	// bad StreamID, a tip that is not a CID, an UPDATE naming a commit nobody has, and an
	// oversized message. Nothing changes, and the nodes keep syncing.
	bogusTip := "bagcqceraaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	for _, msg := range []string{
		`{"typ":0,`,
		`{"typ":9,"stream":"` + id + `"}`,
		`{"typ":0,"stream":"not-a-stream","tip":"` + tip + `"}`,
		`{"typ":0,"stream":"` + id + `","tip":"not-a-cid"}`,
		`{"typ":0,"stream":"` + id + `","tip":"` + bogusTip + `"}`,
		`{"typ":1,"stream":"` + id + `","id":"` + strings.Repeat("x", 200000) + `"}`,
	} {
		rpcPublish(t, b.rpc, topic, []byte(msg))
	}
	for range 200 {
		dup, _ := json.Marshal(map[string]any{"typ": 0, "stream": id, "tip": tip})
		rpcPublish(t, b.rpc, topic, dup)
	}
	tip = c.update(t, signer, id, map[string]any{"n": 20.0})
	a.waitTip(t, id, tip, 30*time.Second)
	b.waitTip(t, id, tip, 30*time.Second)

	for _, n := range []*netNode{a, b, c} {
		if code := n.d.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
			t.Errorf("%s exited with %d", n.name, code)
		}
	}
}
