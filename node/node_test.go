package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipfs/boxo/path"
	"github.com/ipfs/go-cid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/goceramic/ceramic/config"
	"github.com/goceramic/ceramic/p2p"
	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/streamid"
	"github.com/goceramic/ceramic/streams/streamstest"
)

// testConfig is an in-memory node on loopback with every port picked by the OS.
func testConfig(topic string) config.Config {
	c := config.Default()
	c.Network.Name = "local"
	c.Network.PubsubTopic = topic
	c.HTTPAPI.Hostname = "127.0.0.1"
	c.HTTPAPI.Port = 0
	c.IPFS.SwarmAddresses = []string{"/ip4/127.0.0.1/tcp/0/ws"}
	c.IPFS.BootstrapPeers = []string{}
	return c
}

// startNode starts a node and closes it when the test ends.
func startNode(t *testing.T, cfg config.Config, opts ...Option) *Node {
	t.Helper()
	n, err := New(cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := n.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-n.Ready():
	default:
		t.Fatal("Ready not closed after Start")
	}
	return n
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// counter reads a counter with the given type label from a registry (0 when absent).
func counter(t *testing.T, g prometheus.Gatherer, name, typ string) float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "type" && l.GetValue() == typ {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// connect dials b from a over the websocket transport.
func connect(t *testing.T, a, b *Node) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addrs, err := b.SwarmAddrs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(addrs) == 0 || !strings.Contains(addrs[0].String(), "/ws/p2p/") {
		t.Fatalf("b listens on %v, want a websocket address", addrs)
	}
	ai, err := peerAddrInfo(addrs[0].String())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.IPFS().Swarm().Connect(ctx, ai); err != nil {
		t.Fatal(err)
	}
}

// TestTwoNodesInOneProcess: two embedded nodes connect over websocket and exchange a Ceramic
// pubsub message; each keeps its own metrics registry.
func TestTwoNodesInOneProcess(t *testing.T) {
	topic := fmt.Sprintf("/ceramic/local-test-%d", time.Now().UnixNano())
	regA, regB := prometheus.NewRegistry(), prometheus.NewRegistry()
	a := startNode(t, testConfig(topic), WithRegisterer(regA))
	b := startNode(t, testConfig(topic), WithRegisterer(regB))
	if a.PeerID() == b.PeerID() {
		t.Fatal("two nodes share a peer ID")
	}
	if !strings.HasPrefix(a.PeerID(), "12D3KooW") {
		t.Errorf("peer ID %s is not an Ed25519 identity", a.PeerID())
	}
	connect(t, a, b)

	update := p2p.Message{Type: p2p.TypeUpdate, Stream: "kjzl6cwe1jw147dvq16zluojmraqvwdmbh61dx9e0c59i344lcrsgqfohexp60s", Tip: "bafyreib3qogvdpykzwqygktcl2nbbkdzfgbfgvx5vwrtw3lz2bsmm2wvvi"}
	deadline := time.After(20 * time.Second)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		// Publish until B hears it: the gossipsub mesh forms within a heartbeat or two.
		if err := a.PubSub().Publish(context.Background(), update); err != nil {
			t.Fatal(err)
		}
		// B's syncer consumes the messages; the counters say what arrived.
		if got := counter(t, regB, "ceramic_pubsub_messages_received_total", "UPDATE"); got >= 1 {
			if got := counter(t, regA, "ceramic_pubsub_messages_received_total", "UPDATE"); got != 0 {
				t.Errorf("A counted its own messages: %v", got)
			}
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatal("B never received A's UPDATE")
		}
	}
}

// TestHealthcheckAndLifecycle: the API answers Alive! once started, Close is idempotent and a
// node cannot be started twice.
func TestHealthcheckAndLifecycle(t *testing.T) {
	cfg := testConfig("/ceramic/local-lifecycle")
	cfg.IPFS.HealthcheckEnabled = true
	cfg.IPFS.HealthcheckHostname = "127.0.0.1"
	cfg.IPFS.HealthcheckPort = 0
	cfg.Metrics.PrometheusExporterEnabled = true
	cfg.Metrics.PrometheusExporterHostname = "127.0.0.1"
	zero := config.Port(0)
	cfg.Metrics.PrometheusExporterPort = &zero
	n := startNode(t, cfg)

	if code, body := get(t, "http://"+n.HTTPAddr()+"/api/v0/node/healthcheck"); code != 200 || body != "Alive!" {
		t.Fatalf("healthcheck = %d %q", code, body)
	}
	if code, body := get(t, "http://"+n.Addr("ipfs-healthcheck")+"/anything"); code != 200 || body != "Health check succeeded" {
		t.Fatalf("IPFS healthcheck = %d %q", code, body)
	}
	code, body := get(t, "http://"+n.Addr("metrics")+"/metrics")
	if code != 200 || !strings.Contains(body, "ceramic_http_requests_total") || !strings.Contains(body, "go_goroutines") {
		t.Fatalf("metrics = %d, body lacks expected series:\n%s", code, body)
	}
	if err := n.Start(context.Background()); !errors.Is(err, ErrStarted) {
		t.Fatalf("second Start = %v, want ErrStarted", err)
	}
	addr := n.HTTPAddr()
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() { defer wg.Done(); _ = n.Close() }()
	}
	wg.Wait()
	if err := n.Close(); err != nil {
		t.Fatalf("Close after Close: %v", err)
	}
	if _, err := http.Get("http://" + addr + "/api/v0/node/healthcheck"); err == nil {
		t.Fatal("API still answers after Close")
	}
}

// TestRemoteMode runs one node in remote mode against another node's kubo RPC API (the same
// RPC server kubo's daemon runs), and checks that pubsub and the healthcheck work through it.
func TestRemoteMode(t *testing.T) {
	topic := fmt.Sprintf("/ceramic/local-remote-%d", time.Now().UnixNano())
	hostCfg := testConfig(topic)
	hostCfg.IPFS.APIAddress = "/ip4/127.0.0.1/tcp/0"
	host := startNode(t, hostCfg)

	remoteCfg := testConfig(topic)
	remoteCfg.IPFS.Mode = "remote"
	remoteCfg.IPFS.Host = "http://" + host.Addr("ipfs-rpc")
	remote := startNode(t, remoteCfg)

	if remote.PeerID() != host.PeerID() {
		t.Fatalf("remote node reports peer %s, want the IPFS node's %s", remote.PeerID(), host.PeerID())
	}
	if code, body := get(t, "http://"+remote.HTTPAddr()+"/api/v0/node/healthcheck"); code != 200 || body != "Alive!" {
		t.Fatalf("healthcheck = %d %q", code, body)
	}

	// A third, embedded node on the same topic hears what the remote-mode node publishes.
	reg := prometheus.NewRegistry()
	listener := startNode(t, testConfig(topic), WithRegisterer(reg))
	connect(t, listener, host)
	msg := p2p.Message{Type: p2p.TypeQuery, Stream: "kjzl6cwe1jw147dvq16zluojmraqvwdmbh61dx9e0c59i344lcrsgqfohexp60s", ID: "remote-mode"}
	deadline := time.After(20 * time.Second)
	for {
		if err := remote.PubSub().Publish(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
		if counter(t, reg, "ceramic_pubsub_messages_received_total", "QUERY") >= 1 {
			return
		}
		select {
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			t.Fatal("the message published through the remote IPFS API never arrived")
		}
	}
}

// TestRemoteUnreachable: remote mode with nothing listening fails Start with a clear error.
func TestRemoteUnreachable(t *testing.T) {
	cfg := testConfig("/ceramic/local-unreachable")
	cfg.IPFS.Mode = "remote"
	cfg.IPFS.Host = "http://127.0.0.1:1"
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = n.Start(ctx)
	if err == nil || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("Start = %v, want an 'unreachable' error", err)
	}
}

// TestSwarmPortTaken: a fixed swarm port held by another node (whose libp2p listener uses
// SO_REUSEPORT, so a second bind would silently succeed) fails Start with ErrInUse.
func TestSwarmPortTaken(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()

	cfg := testConfig("/ceramic/local-port")
	cfg.IPFS.SwarmAddresses = []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d/ws", port)}
	startNode(t, cfg)

	second, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	err = second.Start(context.Background())
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), strconv.Itoa(port)) {
		t.Fatalf("Start on a taken swarm port = %v, want ErrInUse naming port %d", err, port)
	}
}

// TestRepoInUse: a second node on the same repository directory is refused in New.
func TestRepoInUse(t *testing.T) {
	if os.Getenv("CERAMIC_REPO_LOCK_CHILD") != "" {
		// Child process: try to open the repository the parent holds.
		cfg := testConfig("/ceramic/local-lock")
		cfg.IPFS.RepoPath = os.Getenv("CERAMIC_REPO_LOCK_CHILD")
		_, err := New(cfg)
		if errors.Is(err, ErrInUse) {
			os.Exit(3)
		}
		fmt.Fprintln(os.Stderr, "New:", err)
		os.Exit(4)
	}
	repoPath := t.TempDir()
	cfg := testConfig("/ceramic/local-lock")
	cfg.IPFS.RepoPath = repoPath
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	// The lock is per process (kubo shares an open repository within one), so the second
	// opener is this test binary run again.
	cmd := exec.Command(os.Args[0], "-test.run", "^TestRepoInUse$")
	cmd.Env = append(os.Environ(), "CERAMIC_REPO_LOCK_CHILD="+repoPath)
	out, _ := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 3 {
		t.Fatalf("second process exited with %d, want 3 (ErrInUse); output:\n%s", code, out)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	// Once released, the repository opens again.
	again, err := New(cfg)
	if err != nil {
		t.Fatalf("reopen after Close: %v", err)
	}
	again.Close()
}

// TestCreatedStreamBlocksArePinned: the blocks of a stream created through the API are pinned
// in IPFS (pins are applied in the background and drained on Close).
func TestCreatedStreamBlocksArePinned(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig("/ceramic/local-pins")
	cfg.IPFS.RepoPath = filepath.Join(dir, "ipfs")
	cfg.StateStore.Mode = "fs"
	cfg.StateStore.LocalDirectory = filepath.Join(dir, "statestore")
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	g, err := streamstest.NewSigner(nil).Genesis(map[string]any{"x": 1.0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := n.Streams().CreateFromGenesis(context.Background(), streamid.Tile, g, streams.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := g.PayloadCID()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	again := startNode(t, cfg)
	for _, c := range []cid.Cid{st.Tip(), payload} {
		_, pinned, err := again.IPFS().Pin().IsPinned(context.Background(), path.FromCid(c))
		if err != nil || !pinned {
			t.Errorf("block %s pinned = %v, %v", c, pinned, err)
		}
	}
}

// TestAnchorChains: a local network without an anchor service anchors in memory and says so;
// with an anchor service that does not answer, the node starts (requests wait for it) and
// lists no chain until the service says which one it uses.
func TestAnchorChains(t *testing.T) {
	n := startNode(t, testConfig("/ceramic/local-chains"))
	if code, body := get(t, "http://"+n.HTTPAddr()+"/api/v0/node/chains"); code != 200 || body != `{"supportedChains":["inmemory:12345"]}` {
		t.Fatalf("chains = %d %s", code, body)
	}
	cfg := testConfig("/ceramic/local-chains-cas")
	cfg.Anchor.AnchorServiceURL = "http://127.0.0.1:1"
	m := startNode(t, cfg)
	if code, body := get(t, "http://"+m.HTTPAddr()+"/api/v0/node/chains"); code != 200 || body != `{"supportedChains":[]}` {
		t.Fatalf("chains with an unreachable anchor service = %d %s", code, body)
	}
}
