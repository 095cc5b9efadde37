package fs_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/goceramic/ceramic/statestore"
	statefs "github.com/goceramic/ceramic/statestore/fs"
)

// fixtureRoot is a state-store root written by js-ceramic 3.4.1's storage
// stack (level-ts over leveldown); see testdata/README.md.
const fixtureRoot = "testdata/js-level-store"

// fixture is testdata/js-level-store/expected.json: every entry, in the
// order js-ceramic's LevelDB iterated them, by location.
type fixture struct {
	Network string                    `json:"network"`
	Stores  map[string][]fixtureEntry `json:"stores"`
}

type fixtureEntry struct {
	Key    string `json:"key"`
	Value  string `json:"value"` // the exact stored text
	SHA256 string `json:"sha256"`
}

func loadFixture(t *testing.T) fixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureRoot, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	for loc, entries := range f.Stores {
		for _, e := range entries {
			if sum := sha256.Sum256([]byte(e.Value)); hex.EncodeToString(sum[:]) != e.SHA256 {
				t.Fatalf("expected.json: %s/%s: value does not match its sha256", loc, e.Key)
			}
		}
	}
	return f
}

// hashTree returns the sha256 of every file under root.
func hashTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[path] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkStores compares both key spaces with want, entry by entry and byte
// by byte, through List and Get.
func checkStores(t *testing.T, stores statestore.Stores, network string, want map[string][]fixtureEntry) {
	t.Helper()
	for _, sp := range []struct {
		uc    statestore.UseCase
		store statestore.Store
	}{
		{statestore.UseCaseState, stores.State},
		{statestore.UseCaseAnchorRequests, stores.AnchorRequests},
	} {
		loc := statestore.Location(network, sp.uc)
		var got []statestore.Entry
		for e, err := range sp.store.List(t.Context(), statestore.ListOptions{}) {
			if err != nil {
				t.Fatalf("%s: List: %v", loc, err)
			}
			got = append(got, e)
		}
		exp := want[loc]
		if len(got) != len(exp) {
			t.Fatalf("%s: listed %d entries, want %d", loc, len(got), len(exp))
		}
		for i, e := range exp {
			if got[i].Key != e.Key {
				t.Fatalf("%s: entry %d is %q, want %q (LevelDB order)", loc, i, got[i].Key, e.Key)
			}
			if !bytes.Equal(got[i].Value, []byte(e.Value)) {
				t.Fatalf("%s: %s: listed value differs from the stored bytes\n got %s\nwant %s", loc, e.Key, got[i].Value, e.Value)
			}
			v, err := sp.store.Get(t.Context(), e.Key)
			if err != nil || !bytes.Equal(v, []byte(e.Value)) {
				t.Fatalf("%s: Get(%s) = %d bytes, %v", loc, e.Key, len(v), err)
			}
		}
	}
}

func TestJSFixtureInPlace(t *testing.T) {
	f := loadFixture(t)
	before := hashTree(t, fixtureRoot)

	stores, err := statestore.Open(t.Context(), statestore.Config{
		Type: statefs.Type, Dir: fixtureRoot, Network: f.Network, ReadOnly: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	checkStores(t, stores, f.Network, f.Stores)

	// States are the JSON text of serializeState; anchor requests a JSON
	// string holding JSON. Re-encoding the inner text must give back the
	// very bytes js-ceramic stored.
	for _, e := range f.Stores[f.Network] {
		var st struct {
			Type         int    `json:"type"`
			Doctype      string `json:"doctype"`
			AnchorStatus string `json:"anchorStatus"`
			Log          []struct {
				CID string `json:"cid"`
			} `json:"log"`
		}
		if err := json.Unmarshal([]byte(e.Value), &st); err != nil {
			t.Fatalf("state %s: %v", e.Key, err)
		}
		if st.Doctype == "" || st.AnchorStatus == "" || len(st.Log) == 0 {
			t.Errorf("state %s lacks doctype, anchorStatus or log: %+v", e.Key, st)
		}
	}
	for _, e := range f.Stores[statestore.Location(f.Network, statestore.UseCaseAnchorRequests)] {
		inner, err := statestore.DecodeAnchorRequest([]byte(e.Value))
		if err != nil {
			t.Fatalf("anchor request %s: %v", e.Key, err)
		}
		var req struct {
			CID       string          `json:"cid"`
			Timestamp int64           `json:"timestamp"`
			Genesis   json.RawMessage `json:"genesis"`
		}
		if err := json.Unmarshal(inner, &req); err != nil || req.CID == "" || req.Timestamp == 0 || len(req.Genesis) == 0 {
			t.Fatalf("anchor request %s: inner %s: %v", e.Key, inner, err)
		}
		again, err := statestore.EncodeAnchorRequest(inner)
		if err != nil || !bytes.Equal(again, []byte(e.Value)) {
			t.Fatalf("anchor request %s: re-encoding differs\n got %s\nwant %s", e.Key, again, e.Value)
		}
	}

	if err := stores.Close(); err != nil {
		t.Fatal(err)
	}
	if after := hashTree(t, fixtureRoot); !equalMaps(before, after) {
		t.Fatalf("reading the fixture changed its files:\nbefore %v\nafter  %v", before, after)
	}
}

func TestJSFixtureWriteAndReopen(t *testing.T) {
	f := loadFixture(t)
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS(fixtureRoot)); err != nil {
		t.Fatal(err)
	}
	cfg := statestore.Config{Type: statefs.Type, Dir: root, Network: f.Network}
	stores, err := statestore.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkStores(t, stores, f.Network, f.Stores)

	// Pin a new stream, unpin an old one, and queue an anchor request for
	// the new one, the way the node will.
	stateLoc := f.Network
	reqLoc := statestore.Location(f.Network, statestore.UseCaseAnchorRequests)
	want := map[string][]fixtureEntry{
		stateLoc: slices.Clone(f.Stores[stateLoc]),
		reqLoc:   slices.Clone(f.Stores[reqLoc]),
	}
	const newID = "kjzl6cwe1jw149xy0uyh2u5rpwxlwbvpqcgm5aexb1sn3hgmjh5zzc4uvpbpzs3"
	newState := `{"type":0,"content":{"written":"by goceramic","ü":"<&>"},"metadata":{"controllers":["did:key:z6MkrBdNdwUPnXDVD1DCxedzVVBpaGi8aSmoXFAeKNgtAer8"]},"signature":2,"anchorStatus":"PENDING","log":[{"cid":"bagcqceraxvt5izt4sxjwwsuzshc6e6ltkhgjcuhdy3axyu4ngn4rk5xeshwq","type":0}],"doctype":"tile"}`
	inner := []byte(`{"cid":"bagcqceraxvt5izt4sxjwwsuzshc6e6ltkhgjcuhdy3axyu4ngn4rk5xeshwq","timestamp":1700001000000,"genesis":{"header":{"controllers":["did:key:z6Mk"]},"data":{"line":"a\nb"}}}`)
	newRequest, err := statestore.EncodeAnchorRequest(inner)
	if err != nil {
		t.Fatal(err)
	}
	removed := want[stateLoc][1]
	if err := stores.State.Put(t.Context(), newID, []byte(newState)); err != nil {
		t.Fatal(err)
	}
	if err := stores.State.Delete(t.Context(), removed.Key); err != nil {
		t.Fatal(err)
	}
	if err := stores.AnchorRequests.Put(t.Context(), newID, newRequest); err != nil {
		t.Fatal(err)
	}
	want[stateLoc] = slices.Delete(want[stateLoc], 1, 2)
	want[stateLoc] = insertSorted(want[stateLoc], fixtureEntry{Key: newID, Value: newState})
	want[reqLoc] = insertSorted(want[reqLoc], fixtureEntry{Key: newID, Value: string(newRequest)})
	checkStores(t, stores, f.Network, want)
	if err := stores.Close(); err != nil {
		t.Fatal(err)
	}

	for _, ro := range []bool{false, true} {
		cfg.ReadOnly = ro
		stores, err := statestore.Open(t.Context(), cfg)
		if err != nil {
			t.Fatalf("reopen (read-only %v): %v", ro, err)
		}
		checkStores(t, stores, f.Network, want)
		if err := stores.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func insertSorted(entries []fixtureEntry, e fixtureEntry) []fixtureEntry {
	i, _ := slices.BinarySearchFunc(entries, e.Key, func(x fixtureEntry, k string) int {
		return bytes.Compare([]byte(x.Key), []byte(k))
	})
	return slices.Insert(entries, i, e)
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
