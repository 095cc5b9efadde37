package api

import (
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
)

func TestMultiQuery(t *testing.T) {
	hs := newStreamsHarness(t, Options{}, streams.Config{})
	alice := newTestSigner(t)
	c := hs.createTile(t, alice, map[string]any{"v": "leaf"}, nil)
	b := hs.createTile(t, alice, map[string]any{"c": c.StreamID, "n": 1}, nil)
	a := hs.createTile(t, alice, map[string]any{"b": "ceramic://" + b.StreamID, "x": "not a stream", "c": c.StreamID}, nil)
	aID := streamid.MustParse(a.StreamID)
	aGenesisCommit := aID.AtCommit(a.tip(t)).String() // the genesis CommitID
	bGenesisCommit := streamid.MustParse(b.StreamID).AtCommit(b.tip(t)).String()
	missing := unknownStreamID().String()

	// A deterministic genesis nobody created yet, and its StreamID.
	det := map[string]any{"header": map[string]any{"controllers": []any{alice.did}, "family": "multiquery"}}
	detBlock, err := codec.EncodeDagCBOR(det)
	if err != nil {
		t.Fatal(err)
	}
	detID := streamid.New(streamid.Tile, codec.CIDFor(codec.DagCBOR, detBlock)).String()
	other := map[string]any{"header": map[string]any{"controllers": []any{alice.did}, "family": "other"}}
	now := float64(time.Now().Unix())

	tests := []struct {
		name     string
		queries  []map[string]any
		wantKeys []string
	}{
		{"one stream", []map[string]any{{"streamId": a.StreamID}}, []string{a.StreamID}},
		{"paths follow links", []map[string]any{{"streamId": a.StreamID, "paths": []string{"/b/c", "x", "/nope"}}}, []string{a.StreamID, b.StreamID, c.StreamID}},
		{"partial path", []map[string]any{{"streamId": a.StreamID, "paths": []string{"/b"}}}, []string{a.StreamID, b.StreamID}},
		{"CommitID is its own key", []map[string]any{{"streamId": aGenesisCommit}}, []string{aGenesisCommit}},
		{"atTime is keyed by the returned tip", []map[string]any{{"streamId": b.StreamID, "opts": map[string]any{"atTime": now}}}, []string{bGenesisCommit}},
		{"failures are left out", []map[string]any{
			{"streamId": missing, "paths": []string{"/a"}},
			{"streamId": "not-a-stream"},
			{"streamId": c.StreamID},
		}, []string{c.StreamID}},
		{"genesis of a new deterministic stream", []map[string]any{{"streamId": detID, "genesis": det}}, []string{detID}},
		{"genesis that does not match drops the query", []map[string]any{{"streamId": a.StreamID, "paths": []string{"/b"}, "genesis": other}}, []string{}},
		{"signed genesis drops the query", []map[string]any{{"streamId": c.StreamID, "genesis": alice.genesis(t, map[string]any{"v": 1})}}, []string{}},
		{"2.x docId", []map[string]any{{"docId": c.StreamID}}, []string{c.StreamID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			rec := hs.send(t, "POST", "/api/v0/multiqueries", map[string]any{"queries": tc.queries, "timeout": 1000}, nil)
			if elapsed := time.Since(start); elapsed > 3*time.Second {
				t.Errorf("took %v", elapsed)
			}
			wantStatus(t, rec, http.StatusOK)
			got := decodeBody[map[string]map[string]any](t, rec)
			keys := make([]string, 0, len(got))
			for k, st := range got {
				keys = append(keys, k)
				if st["log"] == nil || st["doctype"] != "tile" {
					t.Errorf("%s: not a serialized state: %v", k, st)
				}
			}
			slices.Sort(keys)
			want := slices.Clone(tc.wantKeys)
			slices.Sort(want)
			if !reflect.DeepEqual(keys, want) {
				t.Errorf("keys = %v, want %v", keys, want)
			}
		})
	}

	t.Run("linked state is the current one", func(t *testing.T) {
		rec := hs.send(t, "POST", "/api/v0/multiqueries", map[string]any{"queries": []map[string]any{{"streamId": a.StreamID, "paths": []string{"b"}}}}, nil)
		got := decodeBody[map[string]map[string]any](t, rec)
		if !reflect.DeepEqual(got[b.StreamID]["content"], map[string]any{"c": c.StreamID, "n": 1.0}) {
			t.Errorf("state of %s = %v", b.StreamID, got[b.StreamID])
		}
	})

	t.Run("no queries", func(t *testing.T) {
		rec := hs.send(t, "POST", "/api/v0/multiqueries", map[string]any{}, nil)
		wantStatus(t, rec, http.StatusBadRequest)
	})
}

func TestBuildPathTree(t *testing.T) {
	got := buildPathTree([]string{"/a/b", "a/c", "//d", "", "/"})
	want := pathTree{"a": {"b": {}, "c": {}}, "d": {}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("buildPathTree = %v, want %v", got, want)
	}
}
