package api

import (
	"fmt"
	"math"
	"time"

	"github.com/goceramic/ceramic/streams"
)

// syncOverrides are the values of node.sync-override ([Options.SyncOverride]).
var syncOverrides = map[string]streams.SyncOption{
	"prefer-cache": streams.PreferCache,
	"sync-always":  streams.SyncAlways,
	"never-sync":   streams.NeverSync,
}

// maxSyncTimeout bounds syncTimeoutSeconds, so that a huge value cannot overflow a
// time.Duration. Requests never wait that long: the client gives up after 3 minutes.
const maxSyncTimeout = 24 * time.Hour

// requestOpts are the options of one load or write, as a request gives them: in the query
// string (typed by parseQuery) for GET routes, in the "opts" object of the body for the
// others. Keys this node does not use (throwOnInvalidCommit, asDID, …) are ignored.
type requestOpts struct {
	load streams.LoadOptions
	// atTime is the snapshot time in unix seconds, when given.
	atTime *int64
	// pin, publish and anchor are the write flags; nil leaves the engine's default.
	pin, publish, anchor *bool
	// err reports an option value that cannot be honoured (an unknown sync mode).
	err error
}

// parseOpts reads request options from m, then applies the node's sync override:
//
//   - sync: 0 PREFER_CACHE, 1 SYNC_ALWAYS, 2 NEVER_SYNC, 3 SYNC_ON_ERROR; the 2.x
//     booleans are accepted too (true is SYNC_ALWAYS, false PREFER_CACHE); any other value
//     sets err (a 400 for the request);
//   - syncTimeoutSeconds: a positive number of seconds (fractions allowed in a body);
//   - atTime: unix seconds, rounded down;
//   - pin, publish, anchor: booleans; other types are ignored.
func (h *handler) parseOpts(m map[string]any) requestOpts {
	var o requestOpts
	switch v := m["sync"].(type) {
	case float64:
		if v == math.Trunc(v) && v >= float64(streams.PreferCache) && v <= float64(streams.SyncOnError) {
			o.load.Sync = streams.SyncOption(v)
		} else {
			o.err = BadRequest(fmt.Errorf("Unhandled %v: Invalid sync option (allowed: 0 PREFER_CACHE, 1 SYNC_ALWAYS, 2 NEVER_SYNC, 3 SYNC_ON_ERROR)", v))
		}
	case bool:
		if v {
			o.load.Sync = streams.SyncAlways
		}
	case nil:
	default:
		o.err = BadRequest(fmt.Errorf("Unhandled %q: Invalid sync option (allowed: 0 PREFER_CACHE, 1 SYNC_ALWAYS, 2 NEVER_SYNC, 3 SYNC_ON_ERROR)", fmt.Sprint(v)))
	}
	if v, ok := finite(m["syncTimeoutSeconds"]); ok && v > 0 {
		d := maxSyncTimeout
		if v < maxSyncTimeout.Seconds() {
			d = time.Duration(v * float64(time.Second))
		}
		o.load.SyncTimeout = d
	}
	if v, ok := finite(m["atTime"]); ok && math.Abs(v) < 1<<62 {
		t := int64(math.Floor(v))
		o.atTime = &t
	}
	o.pin = boolOpt(m["pin"])
	o.publish = boolOpt(m["publish"])
	o.anchor = boolOpt(m["anchor"])
	if h.syncOverride != nil {
		o.load.Sync = *h.syncOverride
	}
	return o
}

// writeOptions returns the options of a create or an update. A read-only node never
// anchors or publishes.
func (h *handler) writeOptions(o requestOpts) streams.WriteOptions {
	w := streams.WriteOptions{Pin: o.pin, Publish: o.publish, Anchor: o.anchor, LoadOptions: o.load}
	if h.opts.ReadOnly {
		off := false
		w.Anchor, w.Publish = &off, &off
	}
	return w
}

// finite returns v as a float64 when it is a finite JSON number.
func finite(v any) (float64, bool) {
	f, ok := v.(float64)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func boolOpt(v any) *bool {
	if b, ok := v.(bool); ok {
		return &b
	}
	return nil
}
