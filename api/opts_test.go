package api

import (
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/goceramic/ceramic/streams"
)

func TestParseOpts(t *testing.T) {
	ptr := func(b bool) *bool { return &b }
	at := func(n int64) *int64 { return &n }
	tests := []struct {
		name     string
		override string
		query    string         // parsed by parseQuery when set
		body     map[string]any // used when query is ""
		want     requestOpts
		wantErr  bool
	}{
		{name: "nothing", body: nil, want: requestOpts{}},
		{name: "client defaults", query: "sync=0", want: requestOpts{}},
		{name: "sync always", query: "sync=1&syncTimeoutSeconds=5", want: requestOpts{load: streams.LoadOptions{Sync: streams.SyncAlways, SyncTimeout: 5 * time.Second}}},
		{name: "sync on error", query: "sync=3", want: requestOpts{load: streams.LoadOptions{Sync: streams.SyncOnError}}},
		{name: "out of range sync", query: "sync=7", wantErr: true},
		{name: "unknown sync word", query: "sync=banana", wantErr: true},
		{name: "2.x boolean sync", query: "sync=true", want: requestOpts{load: streams.LoadOptions{Sync: streams.SyncAlways}}},
		{name: "atTime", query: "atTime=1700000000&pin=true", want: requestOpts{atTime: at(1700000000), pin: ptr(true)}},
		{name: "JSON-typed query", query: "syncTimeoutSeconds=0x10", want: requestOpts{load: streams.LoadOptions{SyncTimeout: 16 * time.Second}}},
		{name: "non-positive timeout", query: "syncTimeoutSeconds=-1", want: requestOpts{}},
		{name: "body flags", body: map[string]any{"anchor": false, "publish": true, "pin": "yes", "sync": 2.0, "syncTimeoutSeconds": 0.5, "atTime": 12.9},
			want: requestOpts{anchor: ptr(false), publish: ptr(true), atTime: at(12), load: streams.LoadOptions{Sync: streams.NeverSync, SyncTimeout: 500 * time.Millisecond}}},
		{name: "huge timeout is bounded", body: map[string]any{"syncTimeoutSeconds": 1e300}, want: requestOpts{load: streams.LoadOptions{SyncTimeout: maxSyncTimeout}}},
		{name: "override never-sync", override: "never-sync", query: "sync=1", want: requestOpts{load: streams.LoadOptions{Sync: streams.NeverSync}}},
		{name: "override sync-always", override: "sync-always", body: nil, want: requestOpts{load: streams.LoadOptions{Sync: streams.SyncAlways}}},
		{name: "override prefer-cache", override: "prefer-cache", body: map[string]any{"sync": 1.0}, want: requestOpts{}},
		{name: "unknown override is ignored", override: "always", query: "sync=1", want: requestOpts{load: streams.LoadOptions{Sync: streams.SyncAlways}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			th := newTestHandler(t, Options{SyncOverride: tc.override}, nil)
			m := tc.body
			if tc.query != "" {
				q, err := url.ParseQuery(tc.query)
				if err != nil {
					t.Fatal(err)
				}
				m = parseQuery(q)
			}
			got := th.parseOpts(m)
			if (got.err != nil) != tc.wantErr {
				t.Fatalf("parseOpts err = %v, want error: %v", got.err, tc.wantErr)
			}
			got.err = nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseOpts = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestWriteOptions(t *testing.T) {
	on := true
	o := requestOpts{anchor: &on, publish: &on, pin: &on}
	tests := []struct {
		name                    string
		readOnly                bool
		wantAnchor, wantPublish bool
	}{
		{"writable node keeps the flags", false, true, true},
		{"read-only node never anchors or publishes", true, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			th := newTestHandler(t, Options{ReadOnly: tc.readOnly}, nil)
			w := th.writeOptions(o)
			if *w.Anchor != tc.wantAnchor || *w.Publish != tc.wantPublish || !*w.Pin {
				t.Errorf("writeOptions = anchor %v publish %v pin %v", *w.Anchor, *w.Publish, *w.Pin)
			}
		})
	}
}
