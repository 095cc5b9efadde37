package api

import (
	"context"
	"fmt"
	"net/http"
)

// ipfsCheckAttempts is how many times the healthcheck asks IPFS before giving up.
const ipfsCheckAttempts = 3

// healthcheck serves GET /api/v0/node/healthcheck. With ?checkIpfs=false it answers 200
// "Alive!" at once. Otherwise it asks the backend up to three times whether IPFS is online,
// each attempt bounded by the IPFS check timeout, and answers 200 "Alive!" on the first
// success or 503 "IPFS unreachable". The bodies are plain strings; probes compare them.
func (h *handler) healthcheck(w http.ResponseWriter, r *http.Request) error {
	if check, ok := parseQuery(r.URL.Query())["checkIpfs"].(bool); ok && !check {
		return writeText(w, http.StatusOK, "Alive!")
	}
	ctx := r.Context()
	for attempt := 1; attempt <= ipfsCheckAttempts; attempt++ {
		err := h.checkIPFS(ctx)
		if err == nil {
			return writeText(w, http.StatusOK, "Alive!")
		}
		if ctx.Err() != nil {
			return ctx.Err() // the request itself is over; nothing to report to the client
		}
		h.log.Warn("IPFS healthcheck attempt failed", "request_id", requestID(ctx),
			"attempt", attempt, "of", ipfsCheckAttempts, "err", err)
	}
	return writeText(w, http.StatusServiceUnavailable, "IPFS unreachable")
}

// checkIPFS runs one Backend.IPFSOnline attempt bounded by the timeout. The call runs on its
// own goroutine so that a backend which ignores its context cannot hold the probe beyond the
// bound; such a call is abandoned and finishes on its own.
func (h *handler) checkIPFS(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, h.ipfsTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- fmt.Errorf("api: IPFSOnline panicked: %v", v)
			}
		}()
		done <- h.backend.IPFSOnline(ctx)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		select {
		case err := <-done: // answered right at the deadline
			return err
		default:
			return ctx.Err()
		}
	}
}
