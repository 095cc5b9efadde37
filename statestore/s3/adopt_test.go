package s3_test

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/goceramic/ceramic/statestore"
)

// jsFixture is the fs backend's fixture: every entry a js-ceramic 3.4.1
// node stored (through its own storage stack) for testnet-clay, by
// location. js-ceramic's s3 mode stores the very same value bytes, one
// object per key.
const jsFixture = "../fs/testdata/js-level-store/expected.json"

type fixtureEntry struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// TestAdoptJSBucket puts objects into the bucket where js-ceramic's s3 mode
// puts them, with the bytes it writes, and reads them through the store:
// Get, List with values and KeysOnly, in S3's (byte) order. It then adds
// and removes entries the way the node will, and checks the objects.
func TestAdoptJSBucket(t *testing.T) {
	raw, err := os.ReadFile(jsFixture)
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Network string                    `json:"network"`
		Stores  map[string][]fixtureEntry `json:"stores"`
	}
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	// A hand-made double-encoded anchor request too, with characters
	// JSON.stringify leaves unescaped.
	inner := []byte(`{"cid":"bagcqceraz","timestamp":1700000999000,"genesis":{"header":{"family":"Café </b> ☕"}}}`)
	encoded, err := statestore.EncodeAnchorRequest(inner)
	if err != nil {
		t.Fatal(err)
	}
	reqLoc := statestore.Location(fx.Network, statestore.UseCaseAnchorRequests)
	fx.Stores[reqLoc] = append(fx.Stores[reqLoc], fixtureEntry{Key: streamB, Value: string(encoded)})

	for _, bucketSetting := range []string{"bucket", "bucket/team/node-a"} {
		t.Run(bucketSetting, func(t *testing.T) {
			f := newFake(t)
			sub := ""
			if bucketSetting != "bucket" {
				sub = "team/node-a/"
			}
			objectPrefix := map[statestore.UseCase]string{
				statestore.UseCaseState:          sub + "ceramic/" + fx.Network + "/state-store/",
				statestore.UseCaseAnchorRequests: sub + "ceramic/" + fx.Network + "/state-store-anchor-requests/",
			}
			entries := map[statestore.UseCase][]fixtureEntry{
				statestore.UseCaseState:          fx.Stores[fx.Network],
				statestore.UseCaseAnchorRequests: fx.Stores[reqLoc],
			}
			for uc, es := range entries {
				if len(es) == 0 {
					t.Fatalf("fixture has no %s entries", uc)
				}
				for _, e := range es {
					f.putObject(t, objectPrefix[uc]+e.Key, []byte(e.Value))
				}
			}

			stores, err := statestore.Open(t.Context(), statestore.Config{
				Type: "s3", Network: fx.Network, Bucket: bucketSetting, Endpoint: f.URL,
			})
			if err != nil {
				t.Fatal(err)
			}
			defer stores.Close()
			byUC := map[statestore.UseCase]statestore.Store{
				statestore.UseCaseState:          stores.State,
				statestore.UseCaseAnchorRequests: stores.AnchorRequests,
			}
			for uc, es := range entries {
				s := byUC[uc]
				want := slices.Clone(es)
				slices.SortFunc(want, func(a, b fixtureEntry) int { return bytes.Compare([]byte(a.Key), []byte(b.Key)) })
				var got []statestore.Entry
				for e, err := range s.List(t.Context(), statestore.ListOptions{}) {
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, e)
				}
				if len(got) != len(want) {
					t.Fatalf("%s: listed %d entries, want %d", uc, len(got), len(want))
				}
				for i, e := range want {
					if got[i].Key != e.Key || string(got[i].Value) != e.Value {
						t.Fatalf("%s: entry %d = %q %q\nwant %q %q", uc, i, got[i].Key, got[i].Value, e.Key, e.Value)
					}
					v, err := s.Get(t.Context(), e.Key)
					if err != nil || string(v) != e.Value {
						t.Fatalf("%s: Get(%s) = %q, %v", uc, e.Key, v, err)
					}
				}
				var keys []string
				for e, err := range s.List(t.Context(), statestore.ListOptions{KeysOnly: true, Limit: 2}) {
					if err != nil {
						t.Fatal(err)
					}
					keys = append(keys, e.Key)
				}
				if wantN := min(2, len(want)); len(keys) != wantN || keys[0] != want[0].Key {
					t.Fatalf("%s: KeysOnly Limit 2 = %q", uc, keys)
				}
			}

			// The double-encoded anchor requests decode to their JSON.
			v, err := stores.AnchorRequests.Get(t.Context(), streamB)
			if err != nil {
				t.Fatal(err)
			}
			if dec, err := statestore.DecodeAnchorRequest(v); err != nil || !bytes.Equal(dec, inner) {
				t.Fatalf("DecodeAnchorRequest = %q, %v", dec, err)
			}
			for _, e := range fx.Stores[reqLoc] {
				v, err := stores.AnchorRequests.Get(t.Context(), e.Key)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := statestore.DecodeAnchorRequest(v); err != nil {
					t.Fatalf("anchor request %s written by js-ceramic: %v", e.Key, err)
				}
			}

			// Pin a stream and unpin one, as the node will: the objects
			// appear and disappear where js-ceramic looks.
			if err := stores.State.Put(t.Context(), streamA, []byte(`{"type":0}`)); err != nil {
				t.Fatal(err)
			}
			gone := fx.Stores[fx.Network][0].Key
			if err := stores.State.Delete(t.Context(), gone); err != nil {
				t.Fatal(err)
			}
			if b, ok := f.object(t, objectPrefix[statestore.UseCaseState]+streamA); !ok || string(b) != `{"type":0}` {
				t.Fatalf("new state object = %q, %v", b, ok)
			}
			if _, ok := f.object(t, objectPrefix[statestore.UseCaseState]+gone); ok {
				t.Fatal("unpinned state object still exists")
			}
		})
	}
}
