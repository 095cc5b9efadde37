//go:build integration

package integration

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nodeConfig is a daemon.config.json for a loopback test node: network "local" on a private
// topic, every port chosen by the OS.
func nodeConfig(topic string, bootstrap []string) map[string]any {
	if bootstrap == nil {
		bootstrap = []string{}
	}
	return map[string]any{
		"anchor":   map[string]any{},
		"http-api": map[string]any{"hostname": "127.0.0.1", "port": 0, "cors-allowed-origins": []string{".*"}},
		"ipfs": map[string]any{
			"mode":            "bundled",
			"swarm-addresses": []string{"/ip4/127.0.0.1/tcp/0/ws"},
			"bootstrap-peers": bootstrap,
			"api-address":     "/ip4/127.0.0.1/tcp/0",
		},
		"logger":      map[string]any{"log-level": 2, "log-to-files": true},
		"network":     map[string]any{"name": "local", "pubsub-topic": topic},
		"node":        map[string]any{},
		"state-store": map[string]any{"mode": "fs"},
	}
}

var (
	peerIDRe  = regexp.MustCompile(`msg="IPFS node online".* peer_id=(\S+)`)
	wsAddrRe  = regexp.MustCompile(`(/ip4/127\.0\.0\.1/tcp/\d+/ws/p2p/[1-9A-HJ-NP-Za-km-z]+)`)
	rpcAddrRe = regexp.MustCompile(`msg=Listening server=ipfs-rpc addr=(\S+)`)
)

// TestTwoDaemons runs two daemons, connects them over websocket, passes messages over the
// network's pubsub topic, stops them with signals and restarts one on the same directories.
func TestTwoDaemons(t *testing.T) {
	topic := fmt.Sprintf("/ceramic/local-itest-%d", time.Now().UnixNano())
	homeA, homeB := t.TempDir(), t.TempDir()

	writeConfig(t, homeA, nodeConfig(topic, nil))
	a := startDaemon(t, homeA, nil)
	a.waitHealthy()
	peerA := a.waitLog(peerIDRe, 10*time.Second)[1]
	addrA := a.waitLog(wsAddrRe, 10*time.Second)[1]
	rpcA := a.waitLog(rpcAddrRe, 10*time.Second)[1]
	if !strings.HasSuffix(addrA, peerA) {
		t.Fatalf("swarm address %s does not end in the peer ID %s", addrA, peerA)
	}

	writeConfig(t, homeB, nodeConfig(topic, []string{addrA}))
	b := startDaemon(t, homeB, nil)
	b.waitHealthy()
	peerB := b.waitLog(peerIDRe, 10*time.Second)[1]

	// B dials A through its bootstrap list; each greets the other with a keepalive on the topic.
	pubsubB := filepath.Join(homeB, ".ceramic", "logs", "pubsub.log")
	pubsubA := filepath.Join(homeA, ".ceramic", "logs", "pubsub.log")
	waitFile(t, pubsubB, "event=received topic="+topic+" from="+peerA+" message.typ=3", 30*time.Second)
	waitFile(t, pubsubA, "event=received topic="+topic+" from="+peerB+" message.typ=3", 30*time.Second)

	// A message published through A's kubo RPC API reaches B's Ceramic topic subscription.
	queryID := fmt.Sprintf("itest-%d", time.Now().UnixNano())
	msg := `{"typ":1,"stream":"kjzl6cwe1jw147dvq16zluojmraqvwdmbh61dx9e0c59i344lcrsgqfohexp60s","id":"` + queryID + `"}`
	rpcPublish(t, rpcA, topic, []byte(msg))
	waitFile(t, pubsubB, "message.id="+queryID, 30*time.Second)

	// The access log records API calls in logfmt.
	waitFile(t, filepath.Join(homeA, ".ceramic", "logs", "http-access.log"), "method=GET original_url=/api/v0/node/healthcheck", 5*time.Second)

	// A second daemon on A's directories is refused with a clear error.
	dup := startDaemon(t, homeA, nil)
	if code := dup.wait(60 * time.Second); code != 1 {
		t.Fatalf("second daemon on the same repo exited with %d, want 1", code)
	}
	if out := dup.Output(); !strings.Contains(out, "already in use") {
		t.Fatalf("second daemon's error does not say 'already in use':\n%s", out)
	}

	for name, d := range map[string]*daemon{"A": a, "B": b} {
		if code := d.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
			t.Fatalf("daemon %s exited with %d after SIGTERM, want 0", name, code)
		}
		if !strings.Contains(d.Output(), `msg="Ceramic node stopped"`) {
			t.Fatalf("daemon %s did not log a clean stop", name)
		}
	}

	// A restart reopens the same IPFS repository: same identity, same topic.
	again := startDaemon(t, homeA, nil)
	again.waitHealthy()
	if got := again.waitLog(peerIDRe, 10*time.Second)[1]; got != peerA {
		t.Fatalf("restarted daemon has peer ID %s, want %s (repo not reopened)", got, peerA)
	}
	if code := again.stop(syscall.SIGINT, 15*time.Second); code != 0 {
		t.Fatalf("restarted daemon exited with %d after SIGINT, want 0", code)
	}
}

// rpcPublish publishes data on topic through a kubo RPC API at addr (host:port).
func rpcPublish(t *testing.T, addr, topic string, data []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("data", "data")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	url := "http://" + addr + "/api/v0/pubsub/pub?arg=u" + base64.RawURLEncoding.EncodeToString([]byte(topic))
	resp, err := http.Post(url, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		t.Fatalf("pubsub/pub answered %d: %s", resp.StatusCode, b.String())
	}
}

// TestBadConfigExitsCleanly: an invalid setting stops the daemon with exit code 1 and a
// message naming it, and nothing is written.
func TestBadConfigExitsCleanly(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		config map[string]any
		want   string
	}{
		{"unknown network flag", []string{"--network", "moonnet"}, nil, "moonnet"},
		{"conflicting flags", []string{"--state-store-directory", "/tmp/x", "--state-store-s3-bucket", "b"}, nil, "state-store"},
		{"unknown flag", []string{"--no-such-flag"}, nil, "unknown option '--no-such-flag'"},
		{"bad port in file", nil, map[string]any{"http-api": map[string]any{"port": "70000"}}, "http-api.port"},
		{"wrong type in file", nil, map[string]any{"logger": map[string]any{"log-level": "verbose"}}, "logger.log-level"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			home := t.TempDir()
			cfgPath := filepath.Join(home, ".ceramic", "daemon.config.json")
			var before []byte
			if c.config != nil {
				writeConfig(t, home, c.config)
				before, _ = os.ReadFile(cfgPath)
			}
			d := startDaemon(t, home, nil, c.args...)
			if code := d.wait(30 * time.Second); code != 1 {
				t.Fatalf("exit code %d, want 1; output:\n%s", code, d.Output())
			}
			out := d.Output()
			if !strings.Contains(out, "Ceramic daemon failed to start up") && !strings.Contains(out, "error:") {
				t.Errorf("output lacks a start-up failure message:\n%s", out)
			}
			if !strings.Contains(out, c.want) {
				t.Errorf("output does not name %q:\n%s", c.want, out)
			}
			after, err := os.ReadFile(cfgPath)
			if c.config == nil {
				if err == nil {
					t.Errorf("a config file was written despite the error")
				}
			} else if !bytes.Equal(before, after) {
				t.Errorf("the config file changed")
			}
			if _, err := os.Stat(filepath.Join(home, ".ceramic", "ipfs")); err == nil {
				t.Errorf("an IPFS repository was created despite the error")
			}
		})
	}
}
