//go:build integration && interop

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/goceramic/ceramic/streams/streamstest"
)

// jsCeramicDir is where scripts/install-jsceramic.sh installed the reference js-ceramic 3.4.1
// (`make test-interop` runs it first).
func jsCeramicDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("JSCERAMIC_DIR")
	if dir == "" {
		dir = "/tmp/goceramic-jsceramic-3.4.1"
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@ceramicnetwork", "cli", "bin", "ceramic.js")); err != nil {
		t.Fatalf("no js-ceramic in %s: run scripts/install-jsceramic.sh (make test-interop does) or set JSCERAMIC_DIR", dir)
	}
	return dir
}

// TestInteropJSCeramicAnchorsThroughOurService: a real js-ceramic 3.4.1 node (on kubo v0.26.0)
// uses `ceramic anchor-service` as its anchor service on a geth --dev chain. It accepts the
// service's chain at start, and a stream created on it reaches ANCHORED: js-ceramic imported
// the witness and verified the proof against geth itself.
func TestInteropJSCeramicAnchorsThroughOurService(t *testing.T) {
	jsDir := jsCeramicDir(t)
	g := startGeth(t)
	key := anchorKey(t, g)
	_, casURL := startCAS(t, t.TempDir(), g.url, key, 2)
	casCount := countingProxy(t, casURL)
	k := startKubo(t)
	c := startJSCeramic(t, jsDir, k, map[string]any{"anchor-service-url": casCount.URL, "ethereum-rpc-url": g.url},
		map[string]any{"name": "local", "pubsub-topic": fmt.Sprintf("/ceramic/local-interop-%d", time.Now().UnixNano())})
	ctx := context.Background()
	if chains, _, err := c.get(ctx, "/api/v0/node/chains"); err != nil || fmt.Sprint(chains["supportedChains"]) != "[eip155:1337]" {
		t.Fatalf("js-ceramic chains = %v, %v", chains, err)
	}
	genesis, err := streamstest.NewSigner(nil).Genesis(map[string]any{"interop": "anchor"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	resp, _, err := c.post(ctx, "/api/v0/streams", map[string]any{"type": 0, "genesis": genesis})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := resp["streamId"].(string)
	st := waitStatus(t, c, id, "ANCHORED", 150*time.Second) // js-ceramic polls its anchor service every 60 s
	if p, _ := st["anchorProof"].(map[string]any); p["chainId"] != "eip155:1337" || p["txType"] != "f(bytes32)" {
		t.Fatalf("anchorProof = %v", p)
	}
	t.Logf("js-ceramic: create → ANCHORED through our anchor service in %s; anchor service requests: %v",
		time.Since(start).Round(time.Second), casCount.counts())
}

// startJSCeramic runs the reference js-ceramic 3.4.1 daemon on kubo k with the given anchor
// and network sections, and returns a client of its HTTP API once it is healthy.
func startJSCeramic(t *testing.T, jsDir string, k *kubo, anchor, network map[string]any) *streamClient {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	cfg := map[string]any{
		"anchor":      anchor,
		"http-api":    map[string]any{"hostname": "127.0.0.1", "port": port, "cors-allowed-origins": []string{".*"}, "admin-dids": []string{}},
		"ipfs":        map[string]any{"mode": "remote", "host": "http://" + k.api},
		"logger":      map[string]any{"log-level": 2, "log-to-files": false},
		"metrics":     map[string]any{"metrics-exporter-enabled": false, "prometheus-exporter-enabled": false},
		"network":     network,
		"node":        map[string]any{},
		"state-store": map[string]any{"mode": "fs", "local-directory": filepath.Join(dir, "statestore")},
		"indexing": map[string]any{"db": "sqlite://" + filepath.Join(dir, "indexing.sqlite"), "allow-queries-before-historical-sync": true,
			"disable-composedb": false, "enable-historical-sync": false},
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "daemon.config.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join(jsDir, "node_modules", "@ceramicnetwork", "cli", "bin", "ceramic.js"), "daemon", "--config", filepath.Join(dir, "daemon.config.json"))
	cmd.Env = append(cleanEnv(), "HOME="+dir, "SCARF_ANALYTICS=false", "DO_NOT_TRACK=1", "CERAMIC_METRICS_EXPORTER_ENABLED=false")
	logf, err := os.Create(filepath.Join(dir, "js-ceramic.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			out, _ := os.ReadFile(filepath.Join(dir, "js-ceramic.log"))
			t.Logf("js-ceramic output:\n%s", out)
		}
	})
	c := &streamClient{base: fmt.Sprintf("http://127.0.0.1:%d", port), http: http.DefaultClient}
	deadline := time.Now().Add(90 * time.Second)
	for {
		if r, err := http.Get(c.base + "/api/v0/node/healthcheck"); err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("js-ceramic did not become healthy")
		}
		time.Sleep(500 * time.Millisecond)
	}
}
