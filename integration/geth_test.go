//go:build integration

package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// gethBinary is the geth the anchoring tests run with --dev (built by scripts/install-geth.sh,
// which `make test-integration` runs first).
func gethBinary(t *testing.T) string {
	t.Helper()
	return toolBinary(t, "GETH_BIN", "geth-v1.17.10/geth", "scripts/install-geth.sh")
}

// geth is a `geth --dev` chain on loopback (chain id 1337, a block every second, one funded
// and unlocked developer account).
type geth struct {
	url string
	dev string // the developer account
}

// freePort returns a TCP port that was free a moment ago (geth needs explicit ports).
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func startGeth(t *testing.T) *geth {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(gethBinary(t), "--dev", "--dev.period", "1",
		"--datadir", t.TempDir(), "--ipcdisable", "--nodiscover", "--maxpeers", "0",
		"--port", strconv.Itoa(freePort(t)), "--authrpc.port", strconv.Itoa(freePort(t)),
		"--http", "--http.addr", "127.0.0.1", "--http.port", strconv.Itoa(port), "--http.api", "eth,net,web3",
		"--verbosity", "2")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("geth output:\n%s", out.String())
		}
	})
	g := &geth{url: fmt.Sprintf("http://127.0.0.1:%d", port)}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var accounts []string
		if err := g.call("eth_accounts", &accounts); err == nil && len(accounts) > 0 {
			g.dev = accounts[0]
			return g
		}
		if time.Now().After(deadline) {
			t.Fatalf("geth --dev did not answer on %s", g.url)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// call makes one JSON-RPC request.
func (g *geth) call(method string, out any, params ...any) error {
	if params == nil {
		params = []any{}
	}
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	resp, err := http.Post(g.url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return err
	}
	if r.Error != nil {
		return fmt.Errorf("%s: %s", method, r.Error.Message)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(r.Result, out)
}

// send sends a transaction from the developer account and waits until it is mined; it
// returns the transaction hash.
func (g *geth) send(t *testing.T, to string, value string, data string) string {
	t.Helper()
	tx := map[string]any{"from": g.dev, "to": to, "value": value}
	if data != "" {
		tx["data"] = data
	}
	var hash string
	if err := g.call("eth_sendTransaction", &hash, tx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var receipt map[string]any
		if err := g.call("eth_getTransactionReceipt", &receipt, hash); err == nil && receipt != nil {
			return hash
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("transaction %s was not mined", hash)
	return ""
}

// counter is a reverse proxy that counts the requests it forwards, by method and path, and
// for JSON-RPC by RPC method.
type counter struct {
	URL string
	mu  sync.Mutex
	n   map[string]int
}

func countingProxy(t *testing.T, target string) *counter {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	c := &counter{n: map[string]int{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Method + " " + r.URL.Path
		if r.Method == http.MethodPost && r.URL.Path == "/" || r.URL.Path == "" {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var single struct {
				Method string `json:"method"`
			}
			var batch []struct {
				Method string `json:"method"`
			}
			if json.Unmarshal(body, &single) == nil && single.Method != "" {
				key = "rpc " + single.Method
			} else if json.Unmarshal(body, &batch) == nil {
				for _, b := range batch[1:] {
					c.add("rpc " + b.Method)
				}
				if len(batch) > 0 {
					key = "rpc " + batch[0].Method
				}
			}
		}
		c.add(key)
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c.URL = srv.URL
	return c
}

func (c *counter) add(key string) {
	c.mu.Lock()
	c.n[key]++
	c.mu.Unlock()
}

// counts returns a copy of the counts so far.
func (c *counter) counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.n))
	for k, v := range c.n {
		out[k] = v
	}
	return out
}
