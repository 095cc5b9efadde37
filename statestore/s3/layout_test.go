package s3_test

import (
	"bytes"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/goceramic/ceramic/statestore"
	statestores3 "github.com/goceramic/ceramic/statestore/s3"
)

const (
	streamA = "kjzl6cwe1jw147dvq16zluojmraqvwdmbh61dx9e0c59i344lcrsgqfohexp60s"
	streamB = "k2t6wyfsu4pg0t2n4j8ms3s33xsgqjhtto04mvq8w5a2v5xo48idyz38l7ydki"
)

func TestSplitBucket(t *testing.T) {
	for _, tc := range []struct {
		setting, bucket, sub string
	}{
		{"bucket", "bucket", ""},
		{"bucket/sub", "bucket", "sub/"},
		{"bucket/sub/path", "bucket", "sub/path/"},
		{"bucket/sub/", "bucket", "sub//"}, // as js-ceramic: the rest plus "/"
		{"bucket/", "bucket", "/"},
	} {
		b, sub, err := statestores3.SplitBucket(tc.setting)
		if err != nil || b != tc.bucket || sub != tc.sub {
			t.Errorf("SplitBucket(%q) = %q, %q, %v; want %q, %q", tc.setting, b, sub, err, tc.bucket, tc.sub)
		}
	}
	for _, bad := range []string{"", "/x"} {
		if _, _, err := statestores3.SplitBucket(bad); !errors.Is(err, statestore.ErrInvalidConfig) {
			t.Errorf("SplitBucket(%q): %v, want ErrInvalidConfig", bad, err)
		}
	}
}

func TestKeyPrefix(t *testing.T) {
	for _, tc := range []struct {
		sub, network string
		uc           statestore.UseCase
		want         string
	}{
		{"", "testnet-clay", statestore.UseCaseState, "ceramic/testnet-clay/state-store/"},
		{"", "testnet-clay", statestore.UseCaseAnchorRequests, "ceramic/testnet-clay/state-store-anchor-requests/"},
		{"", "mainnet", "", "ceramic/mainnet/state-store/"},
		{"sub/path/", "elp", statestore.UseCaseAnchorRequests, "sub/path/ceramic/elp/state-store-anchor-requests/"},
	} {
		if got := statestores3.KeyPrefix(tc.sub, tc.network, tc.uc); got != tc.want {
			t.Errorf("KeyPrefix(%q, %q, %q) = %q, want %q", tc.sub, tc.network, tc.uc, got, tc.want)
		}
	}
}

// TestLayout writes through statestore.Open and checks the object keys and
// bodies in the bucket: exactly js-ceramic's.
func TestLayout(t *testing.T) {
	state := []byte(`{"type":0,"doctype":"tile","anchorStatus":"PENDING","log":[{"cid":"bagcqcera"}]}`)
	request := []byte(`"{\"cid\":\"bagcqcera\",\"timestamp\":1700000789012,\"genesis\":{}}"`)
	for _, tc := range []struct {
		name     string
		bucket   string
		network  string
		existing []string // objects already in the bucket
		root     string   // expected key prefix before state-store
	}{
		{"plain", "bucket", "testnet-clay", nil, "ceramic/testnet-clay/"},
		{"sub path", "bucket/sub/path", "dev-unstable", nil, "sub/path/ceramic/dev-unstable/"},
		{"mainnet", "bucket", "mainnet", nil, "ceramic/mainnet/"},
		{"mainnet with other data", "bucket", "mainnet", []string{"ceramic/testnet-clay/state-store/x", "ceramic/el"}, "ceramic/mainnet/"},
		{"mainnet elp", "bucket", "mainnet", []string{"ceramic/elp/state-store/" + streamB}, "ceramic/elp/"},
		// js-ceramic asks for the prefix "ceramic/elp", so anything under
		// it counts, even without the slash.
		{"mainnet elp prefix only", "bucket", "mainnet", []string{"ceramic/elp-old"}, "ceramic/elp/"},
		{"mainnet elp under sub path", "bucket/node", "mainnet", []string{"node/ceramic/elp/state-store/" + streamB}, "node/ceramic/elp/"},
		{"mainnet elp outside sub path", "bucket/node", "mainnet", []string{"ceramic/elp/state-store/" + streamB}, "node/ceramic/mainnet/"},
		{"elp network", "bucket", "elp", nil, "ceramic/elp/"},
		{"elp ignored off mainnet", "bucket", "testnet-clay", []string{"ceramic/elp/state-store/" + streamB}, "ceramic/testnet-clay/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			for _, k := range tc.existing {
				f.putObject(t, k, []byte("{}"))
			}
			var logs bytes.Buffer
			stores, err := statestore.Open(t.Context(), statestore.Config{
				Type: "s3", Network: tc.network, Bucket: tc.bucket, Endpoint: f.URL,
			}, statestore.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			if err != nil {
				t.Fatal(err)
			}
			defer stores.Close()
			if err := stores.State.Put(t.Context(), streamA, state); err != nil {
				t.Fatal(err)
			}
			if err := stores.AnchorRequests.Put(t.Context(), streamA, request); err != nil {
				t.Fatal(err)
			}

			stateKey := tc.root + "state-store/" + streamA
			requestKey := tc.root + "state-store-anchor-requests/" + streamA
			want := append(slices.Clone(tc.existing), stateKey, requestKey)
			slices.Sort(want)
			if got := f.objectKeys(t); !slices.Equal(got, want) {
				t.Fatalf("objects in the bucket\n got %q\nwant %q", got, want)
			}
			if b, _ := f.object(t, stateKey); !bytes.Equal(b, state) {
				t.Errorf("state object body = %q, want the value unchanged", b)
			}
			if b, _ := f.object(t, requestKey); !bytes.Equal(b, request) {
				t.Errorf("anchor request object body = %q, want the value unchanged", b)
			}
			for _, s := range []statestore.Store{stores.State, stores.AnchorRequests} {
				if p := s.(*statestores3.Store).Prefix(); !strings.HasPrefix(p, tc.root) {
					t.Errorf("Prefix() = %q, want it under %q", p, tc.root)
				}
			}
			usedElp := strings.HasSuffix(tc.root, "/elp/") && tc.network == "mainnet"
			if logged := strings.Contains(logs.String(), "legacy elp"); logged != usedElp {
				t.Errorf("elp warning logged = %v, want %v; log:\n%s", logged, usedElp, logs.String())
			}
		})
	}
}

// Opening sends one request per key space: the access check (for mainnet
// the elp check, which doubles as it).
func TestOpenRequests(t *testing.T) {
	for _, network := range []string{"mainnet", "testnet-clay"} {
		f := newFake(t)
		stores, err := statestore.Open(t.Context(), statestore.Config{Type: "s3", Network: network, Bucket: testBucket, Endpoint: f.URL})
		if err != nil {
			t.Fatal(err)
		}
		stores.Close()
		if f.count("LIST") != 2 || f.total() != 2 {
			t.Errorf("%s: Open sent %d requests, %d LIST, want 2 LIST", network, f.total(), f.count("LIST"))
		}
	}
}
