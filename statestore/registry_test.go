package statestore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/goceramic/ceramic/statestore"
	"github.com/goceramic/ceramic/statestore/mem"
)

func TestLocation(t *testing.T) {
	tests := []struct {
		network    string
		uc         statestore.UseCase
		want       string
		wantLegacy string // "" when there is none
	}{
		{"testnet-clay", statestore.UseCaseState, "testnet-clay", ""},
		{"testnet-clay", statestore.UseCaseAnchorRequests, "testnet-clay-anchor-requests", ""},
		{"dev-unstable", "", "dev-unstable", ""},
		{"local", statestore.UseCaseAnchorRequests, "local-anchor-requests", ""},
		{"mainnet", statestore.UseCaseState, "mainnet", "elp"},
		{"mainnet", statestore.UseCaseAnchorRequests, "mainnet-anchor-requests", "elp-anchor-requests"},
		{"elp", statestore.UseCaseState, "elp", ""},
		{"elp", statestore.UseCaseAnchorRequests, "elp-anchor-requests", ""},
	}
	for _, tc := range tests {
		t.Run(tc.network+"/"+string(tc.uc), func(t *testing.T) {
			if got := statestore.Location(tc.network, tc.uc); got != tc.want {
				t.Errorf("Location = %q, want %q", got, tc.want)
			}
			legacy, ok := statestore.LegacyLocation(tc.network, tc.uc)
			if legacy != tc.wantLegacy || ok != (tc.wantLegacy != "") {
				t.Errorf("LegacyLocation = %q, %v, want %q", legacy, ok, tc.wantLegacy)
			}
		})
	}
}

func TestListOptionsRange(t *testing.T) {
	tests := []struct {
		name              string
		opts              statestore.ListOptions
		wantStart, wantLt string
	}{
		{"zero", statestore.ListOptions{}, "", ""},
		{"start", statestore.ListOptions{Start: "k2"}, "k2", ""},
		{"after", statestore.ListOptions{After: "k2"}, "k2\x00", ""},
		{"start wins over after", statestore.ListOptions{Start: "k3", After: "k2"}, "k3", ""},
		{"after wins over start", statestore.ListOptions{Start: "k2", After: "k2"}, "k2\x00", ""},
		{"prefix", statestore.ListOptions{Prefix: "kjz"}, "kjz", "kj{"},
		{"prefix with 0xff", statestore.ListOptions{Prefix: "a\xff\xff"}, "a\xff\xff", "b"},
		{"prefix all 0xff", statestore.ListOptions{Prefix: "\xff"}, "\xff", ""},
		{"prefix and later start", statestore.ListOptions{Prefix: "a", Start: "ab"}, "ab", "b"},
		{"prefix and earlier after", statestore.ListOptions{Prefix: "b", After: "a"}, "b", "c"},
		{"prefix and start past it", statestore.ListOptions{Prefix: "a", Start: "c"}, "c", "b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start, limit := tc.opts.Range()
			if start != tc.wantStart || limit != tc.wantLt {
				t.Fatalf("Range() = %q, %q; want %q, %q", start, limit, tc.wantStart, tc.wantLt)
			}
			// Range and Match agree on a sample of keys.
			for _, k := range []string{"", "a", "a\xff\xff", "a\xff\xff\x00", "ab", "b", "c", "k2", "k2\x00", "k3", "kjz", "kjzl", "kj{", "\xff", "\xff\xff"} {
				in := k >= start && (limit == "" || k < limit)
				if in != tc.opts.Match(k) {
					t.Errorf("key %q: in range %v, Match %v", k, in, tc.opts.Match(k))
				}
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		network string
		ok      bool
	}{
		{"clay", "testnet-clay", true},
		{"elp", "elp", true},
		{"empty", "", false},
		{"dot", ".", false},
		{"dotdot", "..", false},
		{"slash", "a/b", false},
		{"backslash", `a\b`, false},
		{"nul", "a\x00", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := statestore.Config{Network: tc.network}.Validate()
			if tc.ok != (err == nil) || (err != nil && !errors.Is(err, statestore.ErrInvalidConfig)) {
				t.Fatalf("Validate(%q) = %v", tc.network, err)
			}
		})
	}
}

// fakeStore is a mem store that records Close.
type fakeStore struct {
	*mem.Store
	b *fakeBackend
}

func (f fakeStore) Close() error { f.b.closed++; return f.Store.Close() }

// fakeBackend is registered once, as "test-fake"; tests reset it.
type fakeBackend struct {
	calls  []statestore.UseCase
	closed int
}

const fakeType = "test-fake"

var fake = &fakeBackend{}

func init() {
	statestore.Register(fakeType, func(ctx context.Context, cfg statestore.Config, uc statestore.UseCase, o statestore.Options) (statestore.Store, error) {
		fake.calls = append(fake.calls, uc)
		o.Logger.Info("opening", "location", statestore.Location(cfg.Network, uc))
		if cfg.Bucket == "fail-second" && uc == statestore.UseCaseAnchorRequests {
			return nil, errors.New("boom")
		}
		return fakeStore{mem.New(), fake}, nil
	})
}

func TestOpen(t *testing.T) {
	*fake = fakeBackend{}
	if !slices.Contains(statestore.Types(), fakeType) || !slices.Contains(statestore.Types(), mem.Type) {
		t.Fatalf("Types() = %v", statestore.Types())
	}

	var logged bytes.Buffer
	lg := slog.New(slog.NewTextHandler(&logged, nil))
	stores, err := statestore.Open(t.Context(), statestore.Config{Type: fakeType, Network: "mainnet"}, statestore.WithLogger(lg))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(fake.calls, []statestore.UseCase{statestore.UseCaseState, statestore.UseCaseAnchorRequests}) {
		t.Fatalf("factory calls = %v", fake.calls)
	}
	if !strings.Contains(logged.String(), "location=mainnet-anchor-requests") {
		t.Errorf("the factory did not get the logger: %q", logged.String())
	}
	if err := stores.Close(); err != nil || fake.closed != 2 {
		t.Fatalf("Close = %v, closed %d stores", err, fake.closed)
	}

	fake.closed = 0
	_, err = statestore.Open(t.Context(), statestore.Config{Type: fakeType, Network: "local", Bucket: "fail-second"})
	if err == nil || !strings.Contains(err.Error(), "boom") || !strings.Contains(err.Error(), "anchor-request") {
		t.Fatalf("Open error = %v", err)
	}
	if fake.closed != 1 {
		t.Fatalf("the state store opened first was closed %d times, want 1", fake.closed)
	}

	// No logger given: factories still get a usable one.
	stores, err = statestore.Open(t.Context(), statestore.Config{Type: fakeType, Network: "local"})
	if err != nil {
		t.Fatal(err)
	}
	stores.Close()
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  statestore.Config
		want error
	}{
		{"unknown type", statestore.Config{Type: "nosuch", Network: "local"}, statestore.ErrUnknownType},
		{"no network", statestore.Config{Type: mem.Type}, statestore.ErrInvalidConfig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := statestore.Open(t.Context(), tc.cfg)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestRegisterPanics(t *testing.T) {
	f := func(context.Context, statestore.Config, statestore.UseCase, statestore.Options) (statestore.Store, error) {
		return nil, nil
	}
	tests := []struct {
		name string
		typ  string
		f    statestore.Factory
	}{
		{"duplicate", mem.Type, f},
		{"empty type", "", f},
		{"nil factory", "new-type", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("Register did not panic")
				}
			}()
			statestore.Register(tc.typ, tc.f)
		})
	}
}

func TestWriteBatchFallback(t *testing.T) {
	// A store without Batcher gets the ops one by one, in order.
	s := plainStore{mem.New()}
	ops := []statestore.Op{{Key: "a", Value: []byte("1")}, {Key: "a", Delete: true}, {Key: "b", Value: []byte("2")}}
	if err := statestore.WriteBatch(t.Context(), s, ops); err != nil {
		t.Fatal(err)
	}
	var got []string
	for e, err := range s.List(t.Context(), statestore.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s=%s", e.Key, e.Value))
	}
	if !slices.Equal(got, []string{"b=2"}) {
		t.Fatalf("after fallback batch: %v", got)
	}
	if err := statestore.WriteBatch(t.Context(), s, []statestore.Op{{Key: "c"}, {Key: ""}}); !errors.Is(err, statestore.ErrInvalidKey) {
		t.Fatalf("fallback with a bad key: %v", err)
	}
}

// plainStore hides mem's WriteBatch method.
type plainStore struct{ s *mem.Store }

func (p plainStore) Get(ctx context.Context, k string) ([]byte, error) { return p.s.Get(ctx, k) }
func (p plainStore) Put(ctx context.Context, k string, v []byte) error { return p.s.Put(ctx, k, v) }
func (p plainStore) Delete(ctx context.Context, k string) error        { return p.s.Delete(ctx, k) }
func (p plainStore) Close() error                                      { return p.s.Close() }
func (p plainStore) List(ctx context.Context, o statestore.ListOptions) iter.Seq2[statestore.Entry, error] {
	return p.s.List(ctx, o)
}
