package fs_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goceramic/ceramic/statestore"
	"github.com/goceramic/ceramic/statestore/fs"
)

// The crash test: a child process writes to a store from several goroutines
// and prints "ACK <key> <version>" after each write is acknowledged. The
// parent kills it with SIGKILL in the middle of the load, reopens the store
// and checks that
//
//   - every acknowledged write is there (the key holds the acknowledged
//     version or the one write to it that was still in flight);
//   - every value in the store is complete (its embedded length and hash
//     match), i.e. a crash left the old or the new value, nothing between;
//   - every batch is all-or-nothing (the three keys of a batch hold the
//     same version).
//
// It repeats on the same directory, so recovery of a store that was itself
// recovered from a crash is covered too. Values vary from a few hundred bytes
// to 300 KB so the kills also land during memtable flushes.

const (
	crashWorkers = 8
	crashKeys    = 20 // keys per worker, overwritten in turn
)

func init() {
	helpers["crash-writer"] = crashWriter
}

// crashValue is self-describing: a header with the key, version, payload
// length and payload hash, then the payload.
func crashValue(key string, version int) []byte {
	r := rand.New(rand.NewPCG(uint64(version), uint64(len(key))))
	n := 200 + r.IntN(2000)
	if version%50 == 7 {
		n = 300 << 10
	}
	payload := make([]byte, n)
	for i := range payload {
		payload[i] = byte(r.Uint32())
	}
	sum := sha256.Sum256(payload)
	return append(fmt.Appendf(nil, "%s|%d|%d|%s\n", key, version, n, hex.EncodeToString(sum[:])), payload...)
}

// checkCrashValue returns the version a value claims after checking it is
// complete and belongs to key.
func checkCrashValue(key string, v []byte) (int, error) {
	header, payload, ok := bytes.Cut(v, []byte("\n"))
	if !ok {
		return 0, fmt.Errorf("no header in %d bytes", len(v))
	}
	f := strings.Split(string(header), "|")
	if len(f) != 4 || f[0] != key {
		return 0, fmt.Errorf("header %q does not belong to %q", header, key)
	}
	version, _ := strconv.Atoi(f[1])
	n, _ := strconv.Atoi(f[2])
	sum := sha256.Sum256(payload)
	if len(payload) != n || hex.EncodeToString(sum[:]) != f[3] {
		return 0, fmt.Errorf("payload of %d bytes does not match header %q", len(payload), header)
	}
	return version, nil
}

// crashWriter is the child: it writes until it is killed. arg is the first
// version number, so versions grow across rounds.
func crashWriter(dir, arg string) error {
	first, err := strconv.Atoi(arg)
	if err != nil {
		return err
	}
	s, err := fs.Open(dir, nil)
	if err != nil {
		return err
	}
	var mu sync.Mutex // one ACK line per write call
	ack := func(format string, args ...any) {
		mu.Lock()
		fmt.Fprintf(os.Stdout, format, args...)
		mu.Unlock()
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range crashWorkers {
		wg.Go(func() {
			for i := 0; ; i++ {
				version := first + i
				if i%10 == 9 { // an atomic batch of three keys
					var ops []statestore.Op
					for _, suffix := range []string{"x", "y", "z"} {
						k := fmt.Sprintf("batch%d-%s", w, suffix)
						ops = append(ops, statestore.Op{Key: k, Value: crashValue(k, version)})
					}
					if err := s.WriteBatch(ctx, ops); err != nil {
						panic(err)
					}
					ack("BATCH %d %d\n", w, version)
					continue
				}
				k := fmt.Sprintf("w%d-k%02d", w, i%crashKeys)
				if err := s.Put(ctx, k, crashValue(k, version)); err != nil {
					panic(err)
				}
				ack("ACK %s %d\n", k, version)
			}
		})
	}
	wg.Wait()
	return nil
}

func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	dir := t.TempDir()
	acked := map[string]int{}      // key → highest acknowledged version, across rounds
	ackedBatch := map[string]int{} // batch key → highest acknowledged version
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for round := range 6 {
		first := round * 1_000_000
		c := startHelper(t, "crash-writer", dir, strconv.Itoa(first))
		// Let the load build up, then kill at a random moment.
		target := 300 + rng.IntN(1500)
		seen := 0
		timeout := time.After(60 * time.Second)
		for seen < target {
			select {
			case line, ok := <-c.lines:
				if !ok {
					t.Fatalf("round %d: writer exited after %d acks", round, seen)
				}
				recordAck(t, line, acked, ackedBatch)
				seen++
			case <-timeout:
				t.Fatalf("round %d: only %d acks in 60s", round, seen)
			}
		}
		time.Sleep(time.Duration(rng.IntN(20_000)) * time.Microsecond)
		if err := c.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		for line := range c.lines { // acks already in the pipe are acknowledged too
			recordAck(t, line, acked, ackedBatch)
			seen++
		}
		c.cmd.Wait()
		t.Logf("round %d: killed after %d acknowledged writes", round, seen)

		verifyAfterCrash(t, dir, first, acked, ackedBatch)
	}
}

func recordAck(t *testing.T, line string, acked, ackedBatch map[string]int) {
	t.Helper()
	f := strings.Fields(line)
	if len(f) != 3 {
		t.Fatalf("unexpected line from writer: %q", line)
	}
	v, err := strconv.Atoi(f[2])
	if err != nil {
		t.Fatalf("unexpected line from writer: %q", line)
	}
	m, key := acked, f[1]
	if f[0] == "BATCH" {
		m, key = ackedBatch, "batch"+f[1]
	}
	m[key] = max(m[key], v)
}

// verifyAfterCrash checks the store against the acknowledgements; first is
// the first version of the round that was just killed.
func verifyAfterCrash(t *testing.T, dir string, first int, acked, ackedBatch map[string]int) {
	t.Helper()
	s, err := fs.Open(dir, &fs.Options{NoRecover: true}) // a kill must never need repair
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	ctx := t.Context()

	stored := map[string]int{}
	for e, err := range s.List(ctx, statestore.ListOptions{}) {
		if err != nil {
			t.Fatalf("list after kill: %v", err)
		}
		v, err := checkCrashValue(e.Key, e.Value)
		if err != nil {
			t.Fatalf("torn value under %q: %v", e.Key, err)
		}
		stored[e.Key] = v
	}
	for k, want := range acked {
		got, ok := stored[k]
		switch {
		case !ok:
			t.Errorf("acknowledged key %q is missing", k)
		case got < want:
			t.Errorf("%q holds version %d, but version %d was acknowledged", k, got, want)
		case want >= first && got > want+crashKeys:
			// Acknowledged in this round: only the next write to the
			// key can have been in flight.
			t.Errorf("%q holds version %d, beyond the one write in flight after %d", k, got, want)
		}
	}
	for w := range crashWorkers {
		prefix := fmt.Sprintf("batch%d", w)
		x, y, z := stored[prefix+"-x"], stored[prefix+"-y"], stored[prefix+"-z"]
		if x != y || y != z {
			t.Errorf("batch %d is torn: versions %d %d %d", w, x, y, z)
		}
		if want, ok := ackedBatch[prefix]; ok && x < want {
			t.Errorf("batch %d holds version %d, but %d was acknowledged", w, x, want)
		}
	}
}
