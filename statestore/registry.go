package statestore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
)

// DefaultType is the backend used when [Config.Type] is empty. js-ceramic uses
// LevelDB when state-store.mode is absent.
const DefaultType = "fs"

// NetworkMainnet is the network whose stores may live at the legacy
// [LegacyMainnetLocation].
const NetworkMainnet = "mainnet"

// LegacyMainnetLocation is where mainnet stores live when a node started on
// the old "elp" network: js-ceramic 3.x keeps using it for mainnet if it
// exists, and a node configured with network "elp" uses it directly.
const LegacyMainnetLocation = "elp"

// UseCase names one key space of a network's state store. js-ceramic 3.4.1
// has two.
type UseCase string

const (
	// UseCaseState holds the pinned stream states: key StreamID, value the
	// JSON text of the serialized state. Its location is the network name.
	UseCaseState UseCase = "default"
	// UseCaseAnchorRequests holds the pending anchor requests: key StreamID,
	// value the double-encoded JSON of [EncodeAnchorRequest]. Its location is
	// "<network>-anchor-requests".
	UseCaseAnchorRequests UseCase = "anchor-requests"
)

// Location returns the name js-ceramic gives the key space of a use case:
// the network name for [UseCaseState], "<network>-<use case>" otherwise. The
// fs backend uses it as a directory under [Config.Dir]; the s3 backend
// derives its object-key prefix from the same rule.
func Location(network string, uc UseCase) string {
	if uc == UseCaseState || uc == "" {
		return network
	}
	return network + "-" + string(uc)
}

// LegacyLocation returns the legacy "elp" location of a use case when
// network is mainnet, and false otherwise. A backend uses it instead of
// [Location] if data already exists there; js-ceramic checks this separately
// for each use case in fs mode.
func LegacyLocation(network string, uc UseCase) (string, bool) {
	if network != NetworkMainnet {
		return "", false
	}
	return Location(LegacyMainnetLocation, uc), true
}

// Config selects and locates a state store. It is plain data; live objects
// are passed to [Open] as [Option] values.
type Config struct {
	// Type is the registered backend: "fs" (LevelDB, the default), "s3" or
	// "mem". The program must import the backend's package (for its side
	// effect) before calling Open.
	Type string `json:"type,omitempty"`
	// Network is the Ceramic network name ("mainnet", "testnet-clay",
	// "dev-unstable", "local", "inmemory", or the legacy "elp"). It names
	// the key spaces; see [Location].
	Network string `json:"network"`
	// Dir is the fs root (state-store.local-directory). Each key space is a
	// LevelDB directory below it, created when missing.
	Dir string `json:"dir,omitempty"`
	// Bucket is the s3 bucket (state-store.s3-bucket); it may carry a key
	// prefix: "bucket/some/prefix".
	Bucket string `json:"bucket,omitempty"`
	// Endpoint is a custom s3 endpoint (state-store.s3-endpoint), e.g. MinIO.
	Endpoint string `json:"endpoint,omitempty"`
	// ReadOnly opens the stores for reading only; writes fail with
	// [ErrReadOnly]. Useful to inspect a store without changing its files.
	ReadOnly bool `json:"read-only,omitempty"`
}

// Validate checks the fields every backend relies on. Backends check their
// own fields (Dir, Bucket) when they open.
func (c Config) Validate() error {
	if c.Network == "" {
		return fmt.Errorf("%w: network is empty", ErrInvalidConfig)
	}
	if c.Network == "." || c.Network == ".." || strings.ContainsAny(c.Network, "/\\\x00") {
		return fmt.Errorf("%w: network %q is not a plain name", ErrInvalidConfig, c.Network)
	}
	return nil
}

// Options carries the live objects handed to a [Factory].
type Options struct {
	// Logger receives warnings such as "using the legacy elp location" or
	// "recovered a corrupt store". Never nil when a Factory sees it.
	Logger *slog.Logger
}

// Option changes [Options].
type Option func(*Options)

// WithLogger sets the logger backends report to. A nil logger discards.
func WithLogger(l *slog.Logger) Option {
	return func(o *Options) { o.Logger = l }
}

// Factory opens the key space of one use case for a config. It resolves the
// location itself (see [Location] and [LegacyLocation]) because how to tell
// that legacy data exists depends on the backend. Open calls it once per use
// case, so it must not share state between the stores it returns.
type Factory func(ctx context.Context, cfg Config, uc UseCase, opts Options) (Store, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]Factory{}
)

// Register makes a backend available under typ. Backends call it from an
// init function. It panics if typ is empty, f is nil or typ is taken.
func Register(typ string, f Factory) {
	if typ == "" || f == nil {
		panic("statestore: Register with empty type or nil factory")
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[typ]; dup {
		panic("statestore: Register called twice for type " + typ)
	}
	registry[typ] = f
}

// Types lists the registered backend types, sorted.
func Types() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	types := make([]string, 0, len(registry))
	for t := range registry {
		types = append(types, t)
	}
	slices.Sort(types)
	return types
}

// Stores holds the key spaces of one network's state store.
type Stores struct {
	// State holds the pinned stream states (js-ceramic location "<network>").
	State Store
	// AnchorRequests holds pending anchor requests (location
	// "<network>-anchor-requests").
	AnchorRequests Store
}

// Close closes every non-nil store and joins their errors.
func (s Stores) Close() error {
	var errs []error
	for _, st := range []Store{s.State, s.AnchorRequests} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

// Open validates cfg and opens the two key spaces with the backend registered
// for cfg.Type. ctx bounds opening only (a remote backend may list objects);
// it does not limit the stores' lifetime. If the second store fails to open,
// the first is closed again.
func Open(ctx context.Context, cfg Config, opts ...Option) (Stores, error) {
	if err := cfg.Validate(); err != nil {
		return Stores{}, err
	}
	typ := cfg.Type
	if typ == "" {
		typ = DefaultType
	}
	registryMu.RLock()
	f := registry[typ]
	registryMu.RUnlock()
	if f == nil {
		return Stores{}, fmt.Errorf("%w %q (registered: %s; is its package imported?)",
			ErrUnknownType, typ, strings.Join(Types(), ", "))
	}
	var o Options
	for _, opt := range opts {
		opt(&o)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}

	state, err := f(ctx, cfg, UseCaseState, o)
	if err != nil {
		return Stores{}, fmt.Errorf("statestore: open %s state store: %w", typ, err)
	}
	requests, err := f(ctx, cfg, UseCaseAnchorRequests, o)
	if err != nil {
		return Stores{}, errors.Join(
			fmt.Errorf("statestore: open %s anchor-request store: %w", typ, err),
			state.Close())
	}
	return Stores{State: state, AnchorRequests: requests}, nil
}
