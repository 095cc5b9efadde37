package api

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHealthcheck(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })

	failFirst := func(n int) func(context.Context, int) error {
		return func(_ context.Context, call int) error {
			if call <= n {
				return errIPFSDown
			}
			return nil
		}
	}
	tests := []struct {
		name      string
		query     string
		online    func(context.Context, int) error
		timeout   time.Duration
		wantCode  int
		wantBody  string
		wantCalls int32
		wantWarns int
	}{
		{name: "checkIpfs=false skips IPFS", query: "?checkIpfs=false", online: failFirst(99), wantCode: 200, wantBody: "Alive!", wantCalls: 0},
		{name: "online", wantCode: 200, wantBody: "Alive!", wantCalls: 1},
		{name: "checkIpfs=true checks", query: "?checkIpfs=true", online: failFirst(99), wantCode: 503, wantBody: "IPFS unreachable", wantCalls: 3, wantWarns: 3},
		{name: "checkIpfs=0 is not false", query: "?checkIpfs=0", wantCode: 200, wantBody: "Alive!", wantCalls: 1},
		{name: "second attempt succeeds", online: failFirst(1), wantCode: 200, wantBody: "Alive!", wantCalls: 2, wantWarns: 1},
		{name: "third attempt succeeds", online: failFirst(2), wantCode: 200, wantBody: "Alive!", wantCalls: 3, wantWarns: 2},
		{name: "three failures", online: failFirst(3), wantCode: 503, wantBody: "IPFS unreachable", wantCalls: 3, wantWarns: 3},
		{
			name: "each attempt is bounded by the timeout", timeout: 20 * time.Millisecond,
			online: func(ctx context.Context, _ int) error {
				if _, ok := ctx.Deadline(); !ok {
					t.Error("IPFSOnline called without a deadline")
				}
				<-ctx.Done()
				return ctx.Err()
			},
			wantCode: 503, wantBody: "IPFS unreachable", wantCalls: 3, wantWarns: 3,
		},
		{
			name: "a backend ignoring its context is abandoned", timeout: 20 * time.Millisecond,
			online: func(context.Context, int) error {
				<-release
				return nil
			},
			wantCode: 503, wantBody: "IPFS unreachable", wantCalls: 3, wantWarns: 3,
		},
		{
			name:     "a panicking backend counts as a failure",
			online:   func(context.Context, int) error { panic("ipfs client bug") },
			wantCode: 503, wantBody: "IPFS unreachable", wantCalls: 3, wantWarns: 3,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			b := &fakeBackend{online: tc.online}
			th := newTestHandler(t, Options{
				IPFSCheckTimeout: tc.timeout,
				Logger:           slog.New(slog.NewTextHandler(&logs, nil)),
			}, b)
			start := time.Now()
			rec := do(t, th, "GET", "/api/v0/node/healthcheck"+tc.query, "", nil)
			checkResponse(t, rec, tc.wantCode, typeHTML, tc.wantBody)
			if got := b.calls.Load(); got != tc.wantCalls {
				t.Errorf("IPFSOnline called %d times, want %d", got, tc.wantCalls)
			}
			if got := strings.Count(logs.String(), "level=WARN"); got != tc.wantWarns {
				t.Errorf("%d warnings, want %d:\n%s", got, tc.wantWarns, logs.String())
			}
			if tc.timeout > 0 && time.Since(start) > 5*time.Second {
				t.Errorf("healthcheck took %v with a %v timeout", time.Since(start), tc.timeout)
			}
		})
	}
}

func TestHealthcheckDefaultTimeout(t *testing.T) {
	th := newTestHandler(t, Options{}, nil)
	if th.ipfsTimeout != 10*time.Second {
		t.Errorf("default IPFS check timeout = %v, want 10s", th.ipfsTimeout)
	}
}

// TestHealthcheckClientGone checks that the attempts stop when the request ends.
func TestHealthcheckClientGone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	b := &fakeBackend{online: func(context.Context, int) error {
		cancel() // the client hangs up during the first attempt
		return errIPFSDown
	}}
	th := newTestHandler(t, Options{}, b)
	req := httptest.NewRequest("GET", "/api/v0/node/healthcheck", nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	th.ServeHTTP(rec, req)
	if got := b.calls.Load(); got != 1 {
		t.Errorf("IPFSOnline called %d times after the client left, want 1", got)
	}
	if rec.Body.Len() != 0 {
		t.Errorf("wrote %q to a client that left", rec.Body.String())
	}
	if got := th.lastRecord(t).Status; got != StatusClientClosedRequest {
		t.Errorf("recorded status %d, want 499", got)
	}
}
