package s3ds

import (
	"os"
	"testing"

	ds "github.com/ipfs/go-datastore"
	dsq "github.com/ipfs/go-datastore/query"
	dstest "github.com/ipfs/go-datastore/test"
)

// The full go-datastore suite (dstest.SubtestAll) takes minutes against
// gofakes3, so the default run uses a subset; set S3DS_FULL_CONFORMANCE=1
// to run everything.
func TestConformance(t *testing.T) {
	layouts := []struct {
		name, transform, root string
	}{
		{"default-noroot", "", ""},
		{"next-to-last-2-root", KeyTransformNextToLast2, "root"},
		{"suffix-nested-root", KeyTransformSuffix, "/a/b/"},
	}
	full := os.Getenv("S3DS_FULL_CONFORMANCE") != ""
	if !full {
		old := dstest.ElemCount
		dstest.ElemCount = 20 // the minimum the suite allows
		t.Cleanup(func() { dstest.ElemCount = old })
	}
	basic := []struct {
		name string
		fn   func(*testing.T, ds.Datastore)
	}{
		{"BasicPutGet", dstest.SubtestBasicPutGet},
		{"NotFounds", dstest.SubtestNotFounds},
		{"BasicSync", dstest.SubtestBasicSync},
		{"Prefix", dstest.SubtestPrefix},
		{"Limit", dstest.SubtestLimit},
		{"Order", dstest.SubtestOrder},
		{"ManyKeysAndQuery", dstest.SubtestManyKeysAndQuery},
	}
	batch := []struct {
		name string
		fn   func(*testing.T, ds.Batching)
	}{
		{"Batch", dstest.RunBatchTest},
		{"BatchDelete", dstest.RunBatchDeleteTest},
		{"BatchPutAndDelete", dstest.RunBatchPutAndDeleteTest},
	}
	for _, l := range layouts {
		t.Run(l.name, func(t *testing.T) {
			f := newFakeS3(t)
			cfg := f.config()
			cfg.KeyTransform, cfg.RootDirectory = l.transform, l.root
			d := f.open(cfg)
			if full {
				dstest.SubtestAll(t, d)
				return
			}
			for _, s := range basic {
				t.Run(s.name, func(t *testing.T) {
					s.fn(t, d)
					clearDS(t, d)
				})
			}
			for _, s := range batch {
				t.Run(s.name, func(t *testing.T) {
					s.fn(t, d)
					clearDS(t, d)
				})
			}
		})
	}
}

// clearDS deletes everything, like the suite does between subtests.
func clearDS(t *testing.T, d *Datastore) {
	t.Helper()
	res, err := d.Query(t.Context(), dsq.Query{KeysOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := res.Rest()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := d.Delete(t.Context(), ds.RawKey(e.Key)); err != nil {
			t.Fatal(err)
		}
	}
}
