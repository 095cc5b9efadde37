package fs_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
)

// helperEnv selects a child-process role when the test binary re-executes
// itself (see startHelper); helperDirEnv carries the directory it works on.
const (
	helperEnv    = "STATESTORE_FS_TEST_HELPER"
	helperDirEnv = "STATESTORE_FS_TEST_DIR"
	helperArgEnv = "STATESTORE_FS_TEST_ARG"
)

// helpers are the roles a child process can play; test files add theirs in
// init functions.
var helpers = map[string]func(dir, arg string) error{}

func TestMain(m *testing.M) {
	if role := os.Getenv(helperEnv); role != "" {
		fn := helpers[role]
		if fn == nil {
			fmt.Fprintln(os.Stderr, "unknown helper", role)
			os.Exit(2)
		}
		if err := fn(os.Getenv(helperDirEnv), os.Getenv(helperArgEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	before := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 {
		code = checkGoroutines(before)
	}
	os.Exit(code)
}

// checkGoroutines fails the run when goroutines started by the tests (a
// committer, LevelDB's compactors) outlive them.
func checkGoroutines(before int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			return 0
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			fmt.Fprintf(os.Stderr, "goroutine leak: %d goroutines, %d before the tests\n%s\n", n, before, buf)
			return 1
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// child is a re-executed test binary playing a helper role.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string // complete stdout lines; closed at EOF
}

// startHelper runs the test binary again as the given role on dir.
func startHelper(t *testing.T, role, dir, arg string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+role, helperDirEnv+"="+dir, helperArgEnv+"="+arg)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin, lines: make(chan string, 1024)}
	go func() {
		defer close(c.lines)
		r := bufio.NewReader(stdout)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return // a line cut by a kill has no newline and is dropped
			}
			c.lines <- strings.TrimSuffix(line, "\n")
		}
	}()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		c.cmd.Wait()
	})
	return c
}

// waitLine waits for a line equal to want.
func (c *child) waitLine(t *testing.T, want string) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				t.Fatalf("helper exited before printing %q", want)
			}
			if line == want {
				return
			}
		case <-timeout:
			t.Fatalf("helper did not print %q", want)
		}
	}
}

// finish closes the child's stdin (the signal to exit) and waits for it.
func (c *child) finish(t *testing.T) {
	t.Helper()
	c.stdin.Close()
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("helper: %v", err)
	}
}
