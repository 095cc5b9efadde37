package s3ds

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	ds "github.com/ipfs/go-datastore"
	dsq "github.com/ipfs/go-datastore/query"
)

func TestHasAfterWarmupCostsNoRequests(t *testing.T) {
	ctx := context.Background()
	f := newFakeS3(t)
	f.place(readmeKey, []byte("block"))
	d := f.open(f.config())
	k := ds.NewKey(readmeKey)

	before := d.Requests()
	if has, err := d.Has(ctx, k); err != nil || !has {
		t.Fatalf("Has: %v %v", has, err)
	}
	if got := reqDelta(before, d.Requests()); !maps.Equal(got, map[string]int64{OpHeadObject: 1}) {
		t.Fatalf("first Has sent %v, want one HeadObject", got)
	}

	before = d.Requests()
	for range 100 {
		if has, err := d.Has(ctx, k); err != nil || !has {
			t.Fatalf("Has: %v %v", has, err)
		}
		if n, err := d.GetSize(ctx, k); err != nil || n != 5 {
			t.Fatalf("GetSize: %v %v", n, err)
		}
	}
	// A key this process wrote is known without ever asking.
	mustPut(t, d, "/CIQWRITTENBYUS", []byte("x"))
	before2 := d.Requests()
	if has, err := d.Has(ctx, ds.NewKey("/CIQWRITTENBYUS")); err != nil || !has {
		t.Fatalf("Has after Put: %v %v", has, err)
	}
	if got := reqDelta(before2, d.Requests()); len(got) != 0 {
		t.Fatalf("Has after Put sent %v", got)
	}
	if got := reqDelta(before, d.Requests()); !maps.Equal(got, map[string]int64{OpPutObject: 1}) {
		t.Fatalf("warm Has/GetSize sent %v, want nothing but the one PutObject", got)
	}
	if st := d.CacheStats(); st.Hits < 200 || st.Entries != 2 {
		t.Fatalf("cache stats %+v", st)
	}
}

func TestPutNewKeyIsOnePut(t *testing.T) {
	ctx := context.Background()
	f := newFakeS3(t)
	cfg := f.config()
	cfg.SkipKnownPuts = true
	d := f.open(cfg)
	k := ds.NewKey("/CIQNEWBLOCK")

	before := d.Requests()
	if err := d.Put(ctx, k, []byte("new block")); err != nil {
		t.Fatal(err)
	}
	if got := reqDelta(before, d.Requests()); !maps.Equal(got, map[string]int64{OpPutObject: 1}) {
		t.Fatalf("Put of a new key sent %v, want exactly one PutObject", got)
	}
	// Same key, same size, content-addressed: no request at all.
	before = d.Requests()
	if err := d.Put(ctx, k, []byte("new block")); err != nil {
		t.Fatal(err)
	}
	if got := reqDelta(before, d.Requests()); len(got) != 0 {
		t.Fatalf("Put of a known key sent %v", got)
	}

	// Without SkipKnownPuts a Put always writes (generic datastore
	// semantics: the value may differ).
	d2 := f.open(f.config())
	before = d2.Requests()
	for range 2 {
		if err := d2.Put(ctx, k, []byte("new value")); err != nil {
			t.Fatal(err)
		}
	}
	if got := reqDelta(before, d2.Requests()); !maps.Equal(got, map[string]int64{OpPutObject: 2}) {
		t.Fatalf("two Puts sent %v", got)
	}
	if v, _ := f.object("CIQNEWBLOCK"); string(v) != "new value" {
		t.Fatalf("object = %q", v)
	}
}

func TestNegativeCache(t *testing.T) {
	ctx := context.Background()
	f := newFakeS3(t)
	cfg := f.config()
	cfg.NegativeCacheTTL = time.Minute
	d := f.open(cfg)
	now := time.Now()
	d.cache.now = func() time.Time { return now }
	k := ds.NewKey("/CIQMISSING")

	before := d.Requests()
	for range 10 {
		if has, err := d.Has(ctx, k); err != nil || has {
			t.Fatalf("Has missing: %v %v", has, err)
		}
		if _, err := d.GetSize(ctx, k); err != ds.ErrNotFound {
			t.Fatalf("GetSize missing: %v", err)
		}
		if _, err := d.Get(ctx, k); err != ds.ErrNotFound {
			t.Fatalf("Get missing: %v", err)
		}
	}
	if got := reqDelta(before, d.Requests()); !maps.Equal(got, map[string]int64{OpHeadObject: 1}) {
		t.Fatalf("repeated misses sent %v, want one HeadObject", got)
	}

	// Expiry: asks again.
	now = now.Add(2 * time.Minute)
	before = d.Requests()
	if has, _ := d.Has(ctx, k); has {
		t.Fatal("still missing")
	}
	if got := reqDelta(before, d.Requests()); !maps.Equal(got, map[string]int64{OpHeadObject: 1}) {
		t.Fatalf("after TTL sent %v", got)
	}

	// Put clears the negative entry; Delete makes it negative again.
	mustPut(t, d, k.String(), []byte("now here"))
	if has, _ := d.Has(ctx, k); !has {
		t.Fatal("Has after Put = false")
	}
	if err := d.Delete(ctx, k); err != nil {
		t.Fatal(err)
	}
	before = d.Requests()
	if has, _ := d.Has(ctx, k); has {
		t.Fatal("Has after Delete = true")
	}
	if got := reqDelta(before, d.Requests()); len(got) != 0 {
		t.Fatalf("Has after Delete sent %v", got)
	}
}

func TestConcurrentHasShareOneHead(t *testing.T) {
	f := newFakeS3(t)
	f.place(readmeKey, []byte("block"))
	d := f.open(f.config())
	f.delay.Store(int64(200 * time.Millisecond))
	before := d.Requests()
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if has, err := d.Has(context.Background(), ds.NewKey(readmeKey)); err != nil || !has {
				t.Errorf("Has: %v %v", has, err)
			}
		}()
	}
	wg.Wait()
	if got := reqDelta(before, d.Requests()); got[OpHeadObject] != 1 {
		t.Fatalf("20 concurrent Has sent %v, want one HeadObject", got)
	}
}

func TestIdleSendsNothing(t *testing.T) {
	f := newFakeS3(t)
	d := f.open(f.config())
	served := f.served.Load()
	time.Sleep(300 * time.Millisecond)
	if n := f.served.Load() - served; n != 0 {
		t.Fatalf("idle datastore sent %d requests", n)
	}
	if got := d.Requests(); !maps.Equal(got, map[string]int64{OpListObjectsV2: 1}) {
		t.Fatalf("requests after New: %v, want the one access check", got)
	}
}

func TestUnavailable(t *testing.T) {
	ctx := context.Background()
	f := newFakeS3(t)
	d := f.open(f.config()) // MaxAttempts 3
	mustPut(t, d, "/known", []byte("v"))
	k := ds.NewKey("/CIQUNKNOWN")

	f.unavailable.Store(true)
	before := d.Requests()
	if _, err := d.Has(ctx, k); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Has: %v", err)
	}
	if got := reqDelta(before, d.Requests()); got[OpHeadObject] != 3 {
		t.Fatalf("Has attempts %v, want 3 HeadObject (retries)", got)
	}
	if _, err := d.Get(ctx, k); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Get: %v", err)
	}
	if err := d.Put(ctx, k, []byte("v")); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Put: %v", err)
	} else if !strings.Contains(err.Error(), "CIQUNKNOWN") || !strings.Contains(err.Error(), testBucket) {
		t.Fatalf("Put error lacks key/bucket: %v", err)
	}
	if err := d.Delete(ctx, k); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Delete: %v", err)
	}
	res, err := d.Query(ctx, dsq.Query{KeysOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Rest(); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Query: %v", err)
	}
	b, _ := d.Batch(ctx)
	_ = b.Put(ctx, ds.NewKey("/b1"), []byte("1"))
	_ = b.Delete(ctx, ds.NewKey("/b2"))
	_ = b.Delete(ctx, ds.NewKey("/b3"))
	if err := b.Commit(ctx); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Batch: %v", err)
	}
	// Failed writes leave no trace in the cache.
	if _, err := d.Has(ctx, k); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Has after failed Put: %v", err)
	}
	// A key known to exist is still answered during the outage.
	if has, err := d.Has(ctx, ds.NewKey("/known")); err != nil || !has {
		t.Fatalf("Has known during outage: %v %v", has, err)
	}

	f.unavailable.Store(false)
	if has, err := d.Has(ctx, k); err != nil || has {
		t.Fatalf("Has after recovery: %v %v", has, err)
	}
}

func TestServerDown(t *testing.T) {
	ctx := context.Background()
	f := newFakeS3(t)
	cfg := f.config()
	d := f.open(cfg)
	f.srv.Close() // connection refused from now on

	if _, err := d.Get(ctx, ds.NewKey("/x")); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Get with server down: %v", err)
	}
	if err := d.Put(ctx, ds.NewKey("/x"), []byte("v")); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Put with server down: %v", err)
	}
	_, err := New(ctx, cfg)
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), testBucket) {
		t.Fatalf("New with server down: %v", err)
	}
}

func TestRequestTimeout(t *testing.T) {
	f := newFakeS3(t)
	cfg := f.config()
	cfg.RequestTimeout = 100 * time.Millisecond
	cfg.MaxAttempts = 2
	d := f.open(cfg)
	f.delay.Store(int64(2 * time.Second))
	start := time.Now()
	_, err := d.Has(context.Background(), ds.NewKey("/slow"))
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Has on a hanging server: %v", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Fatalf("took %v despite 100ms request timeout", el)
	}
}

func TestCallerCancelIsNotUnavailable(t *testing.T) {
	f := newFakeS3(t)
	d := f.open(f.config())
	f.delay.Store(int64(2 * time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := d.Get(ctx, ds.NewKey("/slow"))
	if errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get with caller deadline: %v", err)
	}
}

func TestNewBadBucket(t *testing.T) {
	f := newFakeS3(t)
	cfg := f.config()
	cfg.Bucket = "no-such-bucket"
	_, err := New(context.Background(), cfg)
	if err == nil {
		t.Fatal("New succeeded on a missing bucket")
	}
	for _, want := range []string{`"no-such-bucket"`, "IPFS_S3_BUCKET_NAME", "does not exist"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if errors.Is(err, ErrUnavailable) {
		t.Errorf("missing bucket reported as unavailable: %v", err)
	}

	cfg.Bucket = ""
	if _, err := New(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "bucket") {
		t.Errorf("empty bucket: %v", err)
	}
}

func TestNewAccessDenied(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our records.</Message></Error>`))
	}))
	defer srv.Close()
	_, err := New(context.Background(), Config{
		Bucket: "b", Endpoint: srv.URL, AccessKey: "bad", SecretKey: "bad", MaxAttempts: 1,
	})
	if err == nil {
		t.Fatal("New succeeded")
	}
	for _, want := range []string{`"b"`, "denied", "IPFS_S3_ACCESS_KEY_ID", "InvalidAccessKeyId"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestQueryListsLazily(t *testing.T) {
	old := listPageSize
	listPageSize = 7
	t.Cleanup(func() { listPageSize = old })

	ctx := context.Background()
	f := newFakeS3(t)
	d := f.open(f.config())
	for _, k := range blockKeys(t, 20) {
		mustPut(t, d, k.String(), []byte("v"))
	}
	mustPut(t, d, "/other/x", []byte("v"))

	run := func(q dsq.Query) ([]dsq.Entry, map[string]int64) {
		t.Helper()
		before := d.Requests()
		res, err := d.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		entries, err := res.Rest()
		if err != nil {
			t.Fatal(err)
		}
		return entries, reqDelta(before, d.Requests())
	}

	entries, reqs := run(dsq.Query{KeysOnly: true})
	if len(entries) != 21 || !maps.Equal(reqs, map[string]int64{OpListObjectsV2: 3}) {
		t.Fatalf("KeysOnly: %d entries, requests %v; want 21 entries, 3 list pages, no GETs", len(entries), reqs)
	}
	for _, e := range entries {
		if e.Size != 1 || e.Value != nil {
			t.Fatalf("KeysOnly entry %+v", e)
		}
	}
	entries, reqs = run(dsq.Query{Limit: 5, Offset: 3})
	if len(entries) != 5 || reqs[OpGetObject] != 5 {
		t.Fatalf("Limit 5 Offset 3: %d entries, requests %v; want 5 GETs", len(entries), reqs)
	}
	entries, reqs = run(dsq.Query{Prefix: "/other", KeysOnly: true})
	if len(entries) != 1 || entries[0].Key != "/other/x" || !maps.Equal(reqs, map[string]int64{OpListObjectsV2: 1}) {
		t.Fatalf("prefix query: %v, requests %v", entries, reqs)
	}
}

func TestBatchRequests(t *testing.T) {
	ctx := context.Background()
	f := newFakeS3(t)
	d := f.open(f.config())
	for _, k := range []string{"/d1", "/d2", "/d3"} {
		mustPut(t, d, k, []byte("v"))
	}
	b, err := d.Batch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"/p1", "/p2", "/p3", "/p4", "/p5"} {
		if err := b.Put(ctx, ds.NewKey(k), []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"/d1", "/d2", "/d3"} {
		if err := b.Delete(ctx, ds.NewKey(k)); err != nil {
			t.Fatal(err)
		}
	}
	before := d.Requests()
	if err := b.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if got := reqDelta(before, d.Requests()); !maps.Equal(got, map[string]int64{OpPutObject: 5, OpDeleteObjects: 1}) {
		t.Fatalf("commit sent %v", got)
	}
	want := []string{"p1", "p2", "p3", "p4", "p5"}
	if got := f.objectKeys(); !slicesEqual(got, want) {
		t.Fatalf("objects %v, want %v", got, want)
	}
	before = d.Requests()
	for _, k := range []string{"/d1", "/p1"} {
		if _, err := d.Has(ctx, ds.NewKey(k)); err != nil {
			t.Fatal(err)
		}
	}
	if got := reqDelta(before, d.Requests()); len(got) != 0 {
		t.Fatalf("Has after batch sent %v", got)
	}
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestCacheByteBudget(t *testing.T) {
	c := newExistCache(10*(cacheEntryOverhead+4), time.Second, 4)
	for i := range 100 {
		c.stored(strings.Repeat("k", 3)+string(rune('a'+i%26))+string(rune('A'+i/26)), 1)
	}
	st := c.stats()
	if st.Entries > 10 || st.Bytes > 10*(cacheEntryOverhead+5) {
		t.Fatalf("cache over budget: %+v", st)
	}
	// Negative cache stays bounded too.
	for i := range 100 {
		c.deleted(string(rune('a' + i)))
	}
	if st := c.stats(); st.NegativeEntries > 4 {
		t.Fatalf("negative cache over bound: %+v", st)
	}
}

func TestConfigFromSpecAndEnv(t *testing.T) {
	// The child spec the go-ipfs-daemon image writes (JSON numbers decode
	// as float64).
	cfg, err := ConfigFromSpec(map[string]any{
		"type": "s3ds", "region": "us-east-1", "bucket": "b", "rootDirectory": "root",
		"accessKey": "", "secretKey": "", "keyTransform": "next-to-last/2",
		"regionEndpoint": "minio:9000", "workers": float64(8),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Region: "us-east-1", Bucket: "b", RootDirectory: "root", KeyTransform: "next-to-last/2",
		Endpoint: "minio:9000", Workers: 8}
	if cfg != want {
		t.Fatalf("ConfigFromSpec = %+v", cfg)
	}
	for _, bad := range []map[string]any{
		{"region": "r"},
		{"bucket": 3},
		{"bucket": "b", "workers": 1.5},
		{"bucket": "b", "workers": float64(0)},
		{"bucket": "b", "keyTransform": "bogus"},
	} {
		if _, err := ConfigFromSpec(bad); err == nil {
			t.Errorf("ConfigFromSpec(%v) succeeded", bad)
		}
	}

	env := map[string]string{
		"IPFS_ENABLE_S3": "true", "IPFS_S3_REGION": "eu-west-1", "IPFS_S3_BUCKET_NAME": "bk",
		"IPFS_S3_ROOT_DIRECTORY": "root", "IPFS_S3_ACCESS_KEY_ID": "AK", "IPFS_S3_SECRET_ACCESS_KEY": "SK",
		"IPFS_S3_KEY_TRANSFORM": "next-to-last/2",
	}
	cfg, enabled, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil || !enabled {
		t.Fatal(enabled, err)
	}
	if cfg != (Config{Region: "eu-west-1", Bucket: "bk", RootDirectory: "root", AccessKey: "AK", SecretKey: "SK", KeyTransform: "next-to-last/2"}) {
		t.Fatalf("ConfigFromEnv = %+v", cfg)
	}
	if _, enabled, _ := ConfigFromEnv(func(string) string { return "" }); enabled {
		t.Fatal("enabled without IPFS_ENABLE_S3")
	}
}
