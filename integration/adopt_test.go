//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestAdoptJSCeramicStateStore points a daemon at a state-store directory written by
// js-ceramic 3.4.1's own storage libraries (the fixture of statestore/fs) and checks that
// every pinned stream is served with the state js-ceramic stored, and that the directory
// stays usable.
func TestAdoptJSCeramicStateStore(t *testing.T) {
	fixture := filepath.Join("..", "statestore", "fs", "testdata", "js-level-store")
	var expected struct {
		Network string `json:"network"`
		Stores  map[string][]struct {
			Key   string `json:"key"`
			Value string `json:"value"`
		} `json:"stores"`
	}
	raw, err := os.ReadFile(filepath.Join(fixture, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &expected); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	storeDir := filepath.Join(home, "statestore")
	copyTree(t, fixture, storeDir)

	cfg := nodeConfig("", []string{})
	cfg["network"] = map[string]any{"name": expected.Network}
	cfg["state-store"] = map[string]any{"mode": "fs", "local-directory": storeDir}
	writeConfig(t, home, cfg)
	d := startDaemon(t, home, nil)
	addr := d.waitHealthy()
	c := &streamClient{base: "http://" + addr, http: &http.Client{Timeout: 10 * time.Second}}

	states := expected.Stores[expected.Network]
	if len(states) == 0 {
		t.Fatal("the fixture has no pinned states")
	}
	for _, e := range states {
		var want any
		if err := json.Unmarshal([]byte(e.Value), &want); err != nil {
			t.Fatal(err)
		}
		resp, status, err := c.get(context.Background(), "/api/v0/streams/"+e.Key+"?sync=2")
		if capabilityExpired(want) {
			// Like js-ceramic, a state holding a commit whose capability expired before it
			// was anchored (or before now) is refused until it is synced again.
			if status != http.StatusUnprocessableEntity || err == nil {
				t.Fatalf("stream %s with an expired capability: status %d, err %v; want 422", e.Key, status, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("pinned stream %s: %v", e.Key, err)
		}
		if resp["streamId"] != e.Key {
			t.Errorf("streamId = %v, want %s", resp["streamId"], e.Key)
		}
		if !reflect.DeepEqual(resp["state"], want) {
			got, _ := json.Marshal(resp["state"])
			t.Errorf("state of %s differs from what js-ceramic stored:\n got  %s\n want %s", e.Key, got, e.Value)
		}
	}
	// The blocks of these streams live in the IPFS node js-ceramic used, not in ours: the
	// start-up check reports that instead of refusing to start.
	d.waitLog(regexp.MustCompile(`msg="State store and IPFS block store disagree.*streams=`+strconv.Itoa(len(states))), 30*time.Second)
	if code := d.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Fatalf("daemon exited with %d", code)
	}
}

// capabilityExpired tells whether a serialized state has a log entry whose expirationTime is
// earlier than its anchor timestamp or, unanchored, than now.
func capabilityExpired(state any) bool {
	st, _ := state.(map[string]any)
	log, _ := st["log"].([]any)
	for _, x := range log {
		e, _ := x.(map[string]any)
		exp, ok := e["expirationTime"].(float64)
		if !ok {
			continue
		}
		at := float64(time.Now().Unix())
		if ts, ok := e["timestamp"].(float64); ok {
			at = ts
		}
		if exp < at {
			return true
		}
	}
	return false
}

// copyTree copies a directory of regular files.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
