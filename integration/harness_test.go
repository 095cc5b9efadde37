//go:build integration

package integration

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the ceramic binary built once for the package's tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ceramic-itest-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "ceramic")
	build := exec.Command("go", "build", "-o", binary, "../cmd/ceramic")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build ceramic:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// daemon is one `ceramic daemon` process.
type daemon struct {
	t    *testing.T
	home string
	cmd  *exec.Cmd

	mu     sync.Mutex
	output bytes.Buffer
	lines  chan string
	done   chan struct{}
	exit   error
}

// writeConfig writes HOME/.ceramic/daemon.config.json.
func writeConfig(t *testing.T, home string, cfg map[string]any) string {
	t.Helper()
	dir := filepath.Join(home, ".ceramic")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "daemon.config.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// startDaemon runs `ceramic daemon args…` with HOME=home. It does not wait for readiness.
func startDaemon(t *testing.T, home string, env []string, args ...string) *daemon {
	t.Helper()
	return startCommand(t, home, env, "daemon", args...)
}

// startCommand runs `ceramic <command> args…` with HOME=home.
func startCommand(t *testing.T, home string, env []string, command string, args ...string) *daemon {
	t.Helper()
	d := &daemon{t: t, home: home, lines: make(chan string, 1024), done: make(chan struct{})}
	d.cmd = exec.Command(binary, append([]string{command}, args...)...)
	d.cmd.Env = append(append(cleanEnv(), "HOME="+home), env...)
	pr, pw := io.Pipe()
	d.cmd.Stdout, d.cmd.Stderr = pw, pw
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			d.mu.Lock()
			d.output.WriteString(sc.Text() + "\n")
			d.mu.Unlock()
			select {
			case d.lines <- sc.Text():
			default:
			}
		}
	}()
	go func() {
		d.exit = d.cmd.Wait()
		pw.Close()
		close(d.done)
	}()
	t.Cleanup(func() {
		select {
		case <-d.done:
		default:
			_ = d.cmd.Process.Kill()
			<-d.done
		}
		if t.Failed() {
			t.Logf("output of daemon (HOME=%s):\n%s", home, d.Output())
		}
	})
	return d
}

// cleanEnv is the test's environment without variables that would change the daemon's config.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "CERAMIC_") || strings.HasPrefix(k, "IPFS_") || strings.HasPrefix(k, "HEALTHCHECK_") || k == "HOME" {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// Output is everything the daemon printed so far.
func (d *daemon) Output() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.output.String()
}

// waitLog waits for an output line matching re and returns its submatches.
func (d *daemon) waitLog(re *regexp.Regexp, timeout time.Duration) []string {
	d.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(d.Output()); m != nil {
			return m
		}
		select {
		case <-d.done:
			if m := re.FindStringSubmatch(d.Output()); m != nil {
				return m
			}
			d.t.Fatalf("daemon exited (%v) before logging %s", d.exit, re)
		case <-time.After(50 * time.Millisecond):
		}
	}
	d.t.Fatalf("daemon did not log %s within %s", re, timeout)
	return nil
}

var apiAddrRe = regexp.MustCompile(`msg="Ceramic API running" addr=(\S+)`)

// waitHealthy waits for the API address in the log, then for the healthcheck to answer.
func (d *daemon) waitHealthy() string {
	d.t.Helper()
	addr := d.waitLog(apiAddrRe, 60*time.Second)[1]
	url := "http://" + addr + "/api/v0/node/healthcheck"
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && string(body) == "Alive!" {
				return addr
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	d.t.Fatalf("healthcheck at %s never answered Alive!", url)
	return ""
}

// signal sends sig and waits for the process to exit; it returns the exit code.
func (d *daemon) stop(sig syscall.Signal, timeout time.Duration) int {
	d.t.Helper()
	if err := d.cmd.Process.Signal(sig); err != nil {
		d.t.Fatal(err)
	}
	return d.wait(timeout)
}

// wait waits for the process to exit and returns its exit code.
func (d *daemon) wait(timeout time.Duration) int {
	d.t.Helper()
	select {
	case <-d.done:
	case <-time.After(timeout):
		d.t.Fatalf("daemon did not exit within %s", timeout)
	}
	return d.cmd.ProcessState.ExitCode()
}

// waitFile waits until the file at path contains substr.
func waitFile(t *testing.T, path, substr string, timeout time.Duration) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), substr) {
			return string(b)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s does not contain %q after %s; it holds:\n%s", path, substr, timeout, b)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
