package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// clockTicks is USER_HZ, the unit of the CPU times in /proc/<pid>/stat: 100 on every Linux
// architecture Go supports (it cannot be asked without cgo).
const clockTicks = 100

// procSample is a process's CPU time and memory as /proc reports them.
type procSample struct {
	at       time.Time
	cpu      time.Duration // user + system
	rss, hwm int64         // VmRSS, VmHWM in bytes
}

// readProc reads /proc/<pid>/stat and /proc/<pid>/status.
func readProc(pid int) (procSample, error) {
	s := procSample{at: time.Now()}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	// The command name (field 2) may hold spaces: the fields that follow start after its ')'.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return s, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	fields := strings.Fields(string(stat[i+1:]))
	if len(fields) < 13 {
		return s, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields))
	}
	// fields[0] is field 3 (state); utime and stime are fields 14 and 15.
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return s, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	s.cpu = time.Duration(utime+stime) * time.Second / clockTicks
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return s, fmt.Errorf("/proc/%d/status %s: %w", pid, k, err)
		}
		if k == "VmRSS" {
			s.rss = kb << 10
		} else {
			s.hwm = kb << 10
		}
	}
	return s, nil
}

func mib(b int64) string { return fmt.Sprintf("%.1fMiB", float64(b)/(1<<20)) }

// procWatch samples a process every interval and keeps the peak RSS and the samples.
type procWatch struct {
	pid     int
	mu      sync.Mutex
	samples []procSample
	peak    int64
	stop    chan struct{}
	done    chan struct{}
}

func watchProc(pid int, every time.Duration) *procWatch {
	p := &procWatch{pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if s, err := readProc(pid); err == nil {
				p.mu.Lock()
				p.samples = append(p.samples, s)
				p.peak = max(p.peak, s.rss)
				p.mu.Unlock()
			}
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *procWatch) close() { close(p.stop); <-p.done }

// cpuOver returns the CPU time the process used in the last window, from the samples.
func (p *procWatch) cpuOver(window time.Duration) (time.Duration, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.samples) < 2 {
		return 0, false
	}
	last := p.samples[len(p.samples)-1]
	for i := len(p.samples) - 2; i >= 0; i-- {
		if last.at.Sub(p.samples[i].at) >= window {
			return last.cpu - p.samples[i].cpu, true
		}
	}
	return 0, false
}

// rpcPublish publishes data on topic through the kubo RPC API at addr (host:port).
func rpcPublish(ctx context.Context, hc *http.Client, addr, topic string, data []byte) error {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("data", "data")
	if err != nil {
		return err
	}
	fw.Write(data)
	mw.Close()
	url := "http://" + addr + "/api/v0/pubsub/pub?arg=u" + base64.RawURLEncoding.EncodeToString([]byte(topic))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("pubsub/pub: %d %s", resp.StatusCode, raw)
	}
	return nil
}

// scrape reads the ceramic_pubsub_* samples of a Prometheus text endpoint.
func scrape(url string) (map[string]float64, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "ceramic_pubsub_") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out, sc.Err()
}

// runFlood: identical UPDATE messages for one stream both nodes pin, published through A's
// kubo RPC API; B's CPU time and RSS before and after.
func runFlood(f syncFlags, w io.Writer) error {
	if f.rpc == "" || f.topic == "" {
		return errors.New("flood needs -rpc (A's kubo RPC API, host:port) and -topic")
	}
	ctx := context.Background()
	a, err := newClient(f.a, 2)
	if err != nil {
		return err
	}
	b, err := newClient(f.b, 2)
	if err != nil {
		return err
	}
	var create, update recorder
	ss := createOn(ctx, a, 1, 1, 1, &create, &update)
	if ss[0] == nil {
		create.report(w, "create@A", time.Second)
		update.report(w, "update@A", time.Second)
		return errors.New("creating the stream on A failed")
	}
	s := ss[0]
	if err := pinOn(ctx, b, ss); err != nil {
		return err
	}
	if _, err := waitOnB(ctx, b, s.id, s.tip(), time.Now(), f.poll, f.timeout, nil); err != nil {
		return err
	}
	msg, _ := json.Marshal(map[string]any{"typ": 0, "stream": s.id, "tip": s.tip()})

	// B at rest, over two seconds, to tell the flood from background work.
	var watchB, watchA *procWatch
	var b0, b1, a1 procSample
	if f.pidB > 0 {
		if b0, err = readProc(f.pidB); err != nil {
			return fmt.Errorf("B's process: %w", err)
		}
		time.Sleep(2 * time.Second)
		b1, _ = readProc(f.pidB)
		watchB = watchProc(f.pidB, 100*time.Millisecond)
	}
	if f.pidA > 0 {
		if a1, err = readProc(f.pidA); err != nil {
			return fmt.Errorf("A's process: %w", err)
		}
		watchA = watchProc(f.pidA, 100*time.Millisecond)
	}
	var m0 map[string]float64
	if f.metricsB != "" {
		if m0, err = scrape(f.metricsB); err != nil {
			return fmt.Errorf("B's metrics: %w", err)
		}
	}

	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: max(f.pubC, 1)}}
	var next, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range max(f.pubC, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for int(next.Add(1)) <= f.messages {
				if err := rpcPublish(ctx, hc, f.rpc, f.topic, msg); err != nil {
					if failed.Add(1) == 1 {
						firstErr.Store(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	pubWall := time.Since(start)

	// Wait for B to go quiet: less than 5% of a core over the last second.
	busy, quiet := pubWall, true
	if watchB != nil {
		quiet = false
		deadline := time.Now().Add(f.settle)
		for !quiet && time.Now().Before(deadline) {
			time.Sleep(250 * time.Millisecond)
			used, ok := watchB.cpuOver(time.Second)
			quiet = ok && used < 50*time.Millisecond && time.Since(start) > pubWall+time.Second
		}
		busy = time.Since(start) - time.Second
	}
	var m1 map[string]float64
	if f.metricsB != "" {
		if m1, err = scrape(f.metricsB); err != nil {
			return fmt.Errorf("B's metrics: %w", err)
		}
	}

	// B still follows the stream.
	var after delays
	if err := s.update(ctx, a, map[string]any{"i": 0.0, "v": 2.0}, &update); err == nil {
		acked := time.Now()
		if d, err := waitOnB(ctx, b, s.id, s.tip(), acked, f.poll, f.timeout, &after); err != nil {
			after.lost, after.firstLost = 1, err
		} else {
			after.d = append(after.d, d)
		}
	}

	fmt.Fprintf(w, "A=%s B=%s rpc=%s topic=%s stream=%s\n", f.a, f.b, f.rpc, f.topic, s.id)
	fmt.Fprintf(w, "%-8s messages=%-6d errors=%-4d throughput=%8.1f/s wall=%s publishers=%d bytes/message=%d\n",
		"flood", f.messages, failed.Load(), float64(int64(f.messages)-failed.Load())/pubWall.Seconds(), pubWall.Round(time.Millisecond), f.pubC, len(msg))
	if e, ok := firstErr.Load().(error); ok {
		fmt.Fprintf(w, "         first error: %v\n", e)
	}
	// idle < 0: no rest figure and no busy time (only B's CPU is watched for going quiet).
	report := func(name string, pid int, watch *procWatch, before procSample, idle time.Duration) {
		watch.close()
		end, err := readProc(pid)
		if err != nil {
			fmt.Fprintf(w, "%-8s pid=%d: %v\n", name, pid, err)
			return
		}
		used := end.cpu - before.cpu
		fmt.Fprintf(w, "%-8s pid=%d cpu-before=%s cpu-after=%s cpu-used=%s (%.3f ms per message)",
			name, pid, before.cpu, end.cpu, used, float64(used)/float64(time.Millisecond)/float64(max(f.messages, 1)))
		if idle >= 0 {
			fmt.Fprintf(w, " busy=%s", busy.Round(time.Millisecond))
			if !quiet {
				fmt.Fprintf(w, " (still busy after -settle %s)", f.settle)
			}
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "%-8s rss-before=%s rss-peak=%s rss-after=%s VmHWM=%s\n", "", mib(before.rss), mib(max(watch.peak, end.rss)), mib(end.rss), mib(end.hwm))
		if idle >= 0 {
			fmt.Fprintf(w, "%-8s at rest before the flood: %s cpu per second\n", "", idle)
		}
	}
	if watchB != nil {
		report("B", f.pidB, watchB, b1, (b1.cpu-b0.cpu)*time.Second/max(b1.at.Sub(b0.at), time.Millisecond))
	}
	if watchA != nil {
		report("A", f.pidA, watchA, a1, -1)
	}
	if m1 != nil {
		var keys []string
		for k, v := range m1 {
			if v != m0[k] {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		fmt.Fprintf(w, "B metrics (change over the flood):\n")
		for _, k := range keys {
			fmt.Fprintf(w, "         %s +%g\n", k, m1[k]-m0[k])
		}
	}
	after.report(w, "after")
	return nil
}
