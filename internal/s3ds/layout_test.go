package s3ds

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/ipfs/boxo/datastore/dshelp"
	ds "github.com/ipfs/go-datastore"
	dsq "github.com/ipfs/go-datastore/query"
	mh "github.com/multiformats/go-multihash"
)

// goDsS3ObjectKey models, independently of keyLayout, the object key the
// go-ds-s3 datastore ends up with. Behaviour as read (not copied) from
// github.com/3box/go-ds-s3 s3.go @0cc3de5 (KeyTransforms, prepareKey, s3Path)
// and github.com/ipfs/go-ds-s3 s3.go @a271e3b (s3Path):
//   - transform the key string: default = unchanged, suffix = +"/data",
//     next-to-last/2 = the 2 characters before the last one + "/" + key;
//   - path.Join(RootDirectory, transformed);
//   - aws-sdk-go v1 substitutes that into the REST path "/{Bucket}/{Key+}"
//     and path.Clean()s the whole path (private/protocol/rest/build.go,
//     DisableRestProtocolURICleaning=false), which is what S3 stores.
func goDsS3ObjectKey(transform, root string, k ds.Key) string {
	s := k.String()
	switch transform {
	case "", "default":
	case "suffix":
		s += "/data"
	case "next-to-last/2":
		start := len(s) - 3
		s = s[start:start+2] + "/" + s
	default:
		panic(transform)
	}
	joined := path.Join(root, s)
	cleaned := path.Clean("/" + testBucket + "/" + joined)
	return strings.TrimPrefix(cleaned, "/"+testBucket+"/")
}

// readmeKey is the example block key of the 3box/go-ds-s3 README, which
// documents next-to-last/2 as storing it at "CX/<key>".
const readmeKey = "CIQJ7IHPGOFUJT5UMXIW6CUDSNH6AVKMEOXI3UM3VLYJRZUISUMGCXQ"

func TestKeyLayoutLiterals(t *testing.T) {
	cases := []struct {
		transform, root, key, want string
	}{
		{"", "", "/" + readmeKey, readmeKey},
		{"default", "", "/" + readmeKey, readmeKey},
		{"", "root", "/" + readmeKey, "root/" + readmeKey},
		{"", "/root/", "/" + readmeKey, "root/" + readmeKey},
		{"", "a/b", "/" + readmeKey, "a/b/" + readmeKey},
		{"next-to-last/2", "", "/" + readmeKey, "CX/" + readmeKey},
		{"next-to-last/2", "root", "/" + readmeKey, "root/CX/" + readmeKey},
		{"next-to-last/2", "/ipfs", "/" + readmeKey, "ipfs/CX/" + readmeKey},
		{"suffix", "", "/" + readmeKey, readmeKey + "/data"},
		{"suffix", "root", "/" + readmeKey, "root/" + readmeKey + "/data"},
		{"", "", "/prefix/sub/key", "prefix/sub/key"},
		{"next-to-last/2", "", "/foo/barxyz", "xy/foo/barxyz"},
		{"next-to-last/2", "", "/ab", "a/ab"},       // shard "/a" folds to "a"
		{"next-to-last/2", "", "/fo/ab", "a/fo/ab"}, // same
		{"next-to-last/2", "", "/foo/b", "o/foo/b"}, // shard "o/" folds to "o"
		// go-ds-s3 panics on keys this short; we use the "_" shard.
		{"next-to-last/2", "root", "/a", "root/_/a"},
	}
	for _, c := range cases {
		l, err := newKeyLayout(c.transform, c.root)
		if err != nil {
			t.Fatal(err)
		}
		k := ds.NewKey(c.key)
		if got := l.objectKey(k); got != c.want {
			t.Errorf("%q root %q key %s: object key %q, want %q", c.transform, c.root, c.key, got, c.want)
		}
		if len(c.key) >= 3 {
			if model := goDsS3ObjectKey(c.transform, c.root, k); model != c.want {
				t.Errorf("%q root %q key %s: go-ds-s3 model %q, want %q", c.transform, c.root, c.key, model, c.want)
			}
		}
		back, ok := l.datastoreKey(c.want)
		if !ok || back != k.String() {
			t.Errorf("%q root %q: %q maps back to %q, %v; want %s", c.transform, c.root, c.want, back, ok, k)
		}
	}
	if _, err := newKeyLayout("next-to-last/3", ""); err == nil || !strings.Contains(err.Error(), "IPFS_S3_KEY_TRANSFORM") {
		t.Errorf("unknown transform: err = %v", err)
	}
}

// blockKeys returns datastore keys as kubo's blockstore makes them
// (base32 of the multihash) for random blocks.
func blockKeys(t *testing.T, n int) []ds.Key {
	t.Helper()
	var keys []ds.Key
	for i := range n {
		buf := make([]byte, 64)
		_, _ = rand.Read(buf)
		code := uint64(mh.SHA2_256)
		if i%3 == 1 {
			code = mh.BLAKE2B_MIN + 31 // blake2b-256
		} else if i%3 == 2 {
			code = mh.SHA2_512
		}
		h, err := mh.Sum(buf, code, -1)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, dshelp.MultihashToDsKey(h))
	}
	return keys
}

// The layout matches the go-ds-s3 model for real block keys and every
// transform/root combination, and maps back.
func TestKeyLayoutMatchesGoDsS3(t *testing.T) {
	keys := append(blockKeys(t, 300), ds.NewKey("/local/pins"), ds.NewKey("/a/b/c"), ds.NewKey("/xyz"))
	for _, transform := range []string{"", "default", "suffix", "next-to-last/2"} {
		for _, root := range []string{"", "root", "/root", "root/", "/nested/dir/", "./x"} {
			l, err := newKeyLayout(transform, root)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range keys {
				got, want := l.objectKey(k), goDsS3ObjectKey(transform, root, k)
				if got != want {
					t.Fatalf("%q root %q key %s: %q, go-ds-s3 %q", transform, root, k, got, want)
				}
				if back, ok := l.datastoreKey(got); !ok || back != k.String() {
					t.Fatalf("%q root %q: %q maps back to %q %v", transform, root, got, back, ok)
				}
			}
		}
	}
}

// Objects placed directly at go-ds-s3's keys (literal strings, not computed
// by this package) are read in place, and new writes land next to them.
func TestReadsExistingGoDsS3Bucket(t *testing.T) {
	const otherKey = "CIQFTFEEHEDF6KLBT32BFAGLXEZL4UWFNWM4LFTLMXQBCERZ6CMLX3Y"
	cases := []struct {
		name, transform, root string
		objReadme, objOther   string
	}{
		{"default", "", "", readmeKey, otherKey},
		{"default-root", "", "root", "root/" + readmeKey, "root/" + otherKey},
		{"next-to-last-2", "next-to-last/2", "", "CX/" + readmeKey, "X3/" + otherKey},
		{"next-to-last-2-root", "next-to-last/2", "root", "root/CX/" + readmeKey, "root/X3/" + otherKey},
		{"suffix", "suffix", "root", "root/" + readmeKey + "/data", "root/" + otherKey + "/data"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFakeS3(t)
			f.place(c.objReadme, []byte("readme block"))
			// Foreign objects that must be ignored by Query.
			f.place("unrelated/README.txt", []byte("x"))
			if c.root != "" {
				f.place("other-root/"+readmeKey, []byte("y"))
			}
			cfg := f.config()
			cfg.KeyTransform, cfg.RootDirectory = c.transform, c.root
			d := f.open(cfg)

			k := ds.NewKey(readmeKey)
			v, err := d.Get(ctx, k)
			if err != nil || string(v) != "readme block" {
				t.Fatalf("Get existing: %q, %v", v, err)
			}
			if has, err := d.Has(ctx, k); err != nil || !has {
				t.Fatalf("Has existing: %v %v", has, err)
			}
			if n, err := d.GetSize(ctx, k); err != nil || n != len("readme block") {
				t.Fatalf("GetSize existing: %d %v", n, err)
			}

			mustPut(t, d, "/"+otherKey, []byte("new block"))
			if got, ok := f.object(c.objOther); !ok || string(got) != "new block" {
				t.Fatalf("Put wrote %v, want object %q", f.objectKeys(), c.objOther)
			}

			res, err := d.Query(ctx, dsq.Query{})
			if err != nil {
				t.Fatal(err)
			}
			entries, err := res.Rest()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range entries {
				got = append(got, fmt.Sprintf("%s=%s", e.Key, e.Value))
			}
			slices.Sort(got)
			want := []string{"/" + otherKey + "=new block", "/" + readmeKey + "=readme block"}
			if c.root == "" && c.transform == "" {
				// With the default layout and no root directory every
				// object in the bucket is a datastore key, as in go-ds-s3.
				want = append(want, "/unrelated/README.txt=x")
			}
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("Query = %q, want %q", got, want)
			}

			if err := d.Delete(ctx, k); err != nil {
				t.Fatal(err)
			}
			if _, ok := f.object(c.objReadme); ok {
				t.Fatalf("Delete left %q", c.objReadme)
			}
		})
	}
}

func TestQueryValuesMatchBackend(t *testing.T) {
	ctx := context.Background()
	f := newFakeS3(t)
	cfg := f.config()
	cfg.KeyTransform = KeyTransformNextToLast2
	d := f.open(cfg)
	for _, k := range blockKeys(t, 10) {
		mustPut(t, d, k.String(), []byte(k.String()))
	}
	res, err := d.Query(ctx, dsq.Query{Prefix: "/"})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := res.Rest()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 10 {
		t.Fatalf("got %d entries", len(entries))
	}
	for _, e := range entries {
		if !bytes.Equal(e.Value, []byte(e.Key)) || e.Size != len(e.Key) {
			t.Fatalf("entry %+v", e)
		}
	}
}
