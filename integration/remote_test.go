//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// kuboBinary is the external kubo the remote-mode test runs (built by scripts/install-kubo.sh,
// which `make test-integration` runs first).
func kuboBinary(t *testing.T) string {
	t.Helper()
	return toolBinary(t, "KUBO_BIN", "kubo-v0.26.0/ipfs", "scripts/install-kubo.sh")
}

// toolBinary returns the helper binary named by the environment variable env, else the one
// the install script caches under ~/.cache/goceramic/tools/<rel>.
func toolBinary(t *testing.T, env, rel, script string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		return p
	}
	home, _ := os.UserHomeDir()
	p := filepath.Join(home, ".cache", "goceramic", "tools", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("no %s at %s: run %s (make test-integration does) or set %s", filepath.Base(rel), p, script, env)
	}
	return p
}

// kubo is a separately started kubo daemon on loopback.
type kubo struct {
	bin, repo string
	api       string // host:port of its RPC API
	id        string
	wsAddr    string
}

func startKubo(t *testing.T) *kubo {
	t.Helper()
	k := &kubo{bin: kuboBinary(t), repo: t.TempDir()}
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(k.bin, args...)
		cmd.Env = append(cleanEnv(), "IPFS_PATH="+k.repo, "IPFS_TELEMETRY=off", "HOME="+k.repo)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ipfs %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("init", "--profile", "test")
	run("config", "--json", "Pubsub.Enabled", "true")
	run("config", "Addresses.API", "/ip4/127.0.0.1/tcp/0")
	run("config", "--json", "Addresses.Gateway", "[]")
	run("config", "--json", "Addresses.Swarm", `["/ip4/127.0.0.1/tcp/0/ws"]`)
	run("config", "--json", "Bootstrap", "[]")
	run("config", "--json", "Discovery.MDNS.Enabled", "false")
	run("config", "Routing.Type", "none")

	cmd := exec.Command(k.bin, "daemon", "--enable-pubsub-experiment")
	cmd.Env = append(cleanEnv(), "IPFS_PATH="+k.repo, "IPFS_TELEMETRY=off", "HOME="+k.repo)
	logPath := filepath.Join(k.repo, "daemon.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		logFile.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("kubo output:\n%s", b)
		}
	})
	// kubo writes the address of its API, once it listens, into $IPFS_PATH/api.
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(filepath.Join(k.repo, "api")); err == nil {
			var proto, ip, tcp, port string
			if _, err := fmt.Sscanf(strings.ReplaceAll(strings.TrimSpace(string(b)), "/", " "), "%s %s %s %s", &proto, &ip, &tcp, &port); err == nil {
				k.api = ip + ":" + port
				var id struct {
					ID        string
					Addresses []string
				}
				if err := kuboRPC(k.api, "id", &id); err == nil {
					k.id = id.ID
					for _, a := range id.Addresses {
						if strings.Contains(a, "/ws/p2p/") {
							k.wsAddr = a
						}
					}
					return k
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("kubo did not start within 60s")
	return nil
}

func kuboRPC(addr, command string, out any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/api/v0/"+command, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s: status %d", command, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// TestRemoteModeWithKubo starts a js-ceramic style config, unchanged but for the paths and
// ports, in remote mode against a separately started kubo daemon, and checks that the node is
// healthy and speaks on the Ceramic topic through that kubo.
func TestRemoteModeWithKubo(t *testing.T) {
	k := startKubo(t)
	topic := fmt.Sprintf("/ceramic/local-remote-%d", time.Now().UnixNano())

	home := t.TempDir()
	// The js-ceramic 3.x config used to run a real js-ceramic node against kubo, with our paths.
	writeConfig(t, home, map[string]any{
		"anchor":      map[string]any{},
		"http-api":    map[string]any{"hostname": "127.0.0.1", "port": 0, "cors-allowed-origins": []string{".*"}, "admin-dids": []string{}},
		"ipfs":        map[string]any{"mode": "remote", "host": "http://" + k.api},
		"logger":      map[string]any{"log-level": 2, "log-to-files": true},
		"metrics":     map[string]any{"metrics-exporter-enabled": false, "prometheus-exporter-enabled": false},
		"network":     map[string]any{"name": "local", "pubsub-topic": topic},
		"node":        map[string]any{},
		"state-store": map[string]any{"mode": "fs", "local-directory": filepath.Join(home, "statestore")},
		"indexing": map[string]any{"db": "sqlite://" + filepath.Join(home, "indexing.sqlite"), "allow-queries-before-historical-sync": true,
			"disable-composedb": false, "enable-historical-sync": false},
	})
	remote := startDaemon(t, home, nil)
	remote.waitHealthy()
	if got := remote.waitLog(peerIDRe, 10*time.Second)[1]; got != k.id {
		t.Fatalf("remote-mode node reports peer %s, want kubo's %s", got, k.id)
	}
	if _, err := os.Stat(filepath.Join(home, ".ceramic", "ipfs")); err == nil {
		t.Errorf("remote mode created an embedded IPFS repository")
	}

	// An embedded-IPFS daemon that dials kubo hears the remote-mode node's keepalive, which
	// was published through kubo's pubsub.
	homeB := t.TempDir()
	writeConfig(t, homeB, nodeConfig(topic, []string{k.wsAddr}))
	b := startDaemon(t, homeB, nil)
	b.waitHealthy()
	waitFile(t, filepath.Join(homeB, ".ceramic", "logs", "pubsub.log"), "event=received topic="+topic+" from="+k.id+" message.typ=3", 60*time.Second)
	// …and the remote-mode node hears B's through kubo's subscription.
	peerB := b.waitLog(peerIDRe, 10*time.Second)[1]
	waitFile(t, filepath.Join(home, ".ceramic", "logs", "pubsub.log"), "event=received topic="+topic+" from="+peerB+" message.typ=3", 60*time.Second)

	for _, d := range []*daemon{remote, b} {
		if code := d.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
			t.Fatalf("daemon exited with %d after SIGTERM", code)
		}
	}
}
