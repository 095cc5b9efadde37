package s3

import (
	"context"
	"fmt"
	"strings"

	"github.com/goceramic/ceramic/statestore"
)

// Type is the [statestore.Config.Type] this package registers.
const Type = "s3"

func init() {
	statestore.Register(Type, func(ctx context.Context, cfg statestore.Config, uc statestore.UseCase, o statestore.Options) (statestore.Store, error) {
		return OpenUseCase(ctx, cfg, uc, &Options{Logger: o.Logger})
	})
}

// stateStoreDir is the last segment of js-ceramic's s3 location of the
// default use case; other use cases append "-<use case>".
const stateStoreDir = "state-store"

// SplitBucket splits the state-store.s3-bucket setting into the bucket name
// and the sub path js-ceramic puts before "ceramic/": "bucket" gives
// ("bucket", ""), "bucket/sub/path" gives ("bucket", "sub/path/"). The part
// after the first "/" is kept exactly, so "bucket/sub/" gives "sub//" and
// "bucket/" gives "/", as in js-ceramic. An empty bucket name is an error
// wrapping [statestore.ErrInvalidConfig].
func SplitBucket(setting string) (bucket, subPath string, err error) {
	bucket, rest, found := strings.Cut(setting, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%w: state-store.s3-bucket %q has no bucket name", statestore.ErrInvalidConfig, setting)
	}
	if found {
		subPath = rest + "/"
	}
	return bucket, subPath, nil
}

// KeyPrefix returns the key prefix of a use case's objects, as js-ceramic
// builds it: subPath (from [SplitBucket]) + "ceramic/<network>/state-store/"
// for [statestore.UseCaseState], and
// subPath + "ceramic/<network>/state-store-<use case>/" for the others. It
// does not apply the mainnet elp rule; [OpenUseCase] does.
func KeyPrefix(subPath, network string, uc statestore.UseCase) string {
	dir := stateStoreDir
	if uc != statestore.UseCaseState && uc != "" {
		dir += "-" + string(uc)
	}
	return subPath + "ceramic/" + network + "/" + dir + "/"
}

// legacyProbe is the key prefix js-ceramic looks for, after the sub path, to
// decide that a mainnet node uses the legacy elp location.
const legacyProbe = "ceramic/" + statestore.LegacyMainnetLocation

// OpenUseCase opens the key space of uc for cfg the way the registered
// factory does: cfg.Bucket is the state-store.s3-bucket setting, cfg.Endpoint
// the state-store.s3-endpoint (overriding opts.Endpoint when set), and
// cfg.ReadOnly makes the store read-only. On mainnet, when any object key
// begins with <sub path>ceramic/elp, the elp location is used instead of
// mainnet's. opts may be nil.
func OpenUseCase(ctx context.Context, cfg statestore.Config, uc statestore.UseCase, opts *Options) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Bucket == "" {
		return nil, fmt.Errorf("%w: s3 store needs state-store.s3-bucket", statestore.ErrInvalidConfig)
	}
	bucket, sub, err := SplitBucket(cfg.Bucket)
	if err != nil {
		return nil, err
	}
	o := opts.withDefaults()
	if cfg.Endpoint != "" {
		o.Endpoint = cfg.Endpoint
	}
	o.ReadOnly = o.ReadOnly || cfg.ReadOnly

	s, err := newStore(ctx, bucket, o)
	if err != nil {
		return nil, err
	}
	network := cfg.Network
	if network == statestore.NetworkMainnet {
		// One request checks the bucket and the credentials and tells
		// whether the legacy location is in use.
		legacy, err := s.probe(ctx, sub+legacyProbe)
		if err != nil {
			s.Close()
			return nil, err
		}
		if legacy {
			network = statestore.LegacyMainnetLocation
			o.Logger.Warn("S3 bucket has objects at the legacy elp location; using it instead of the mainnet location for the state store",
				"use_case", string(uc), "bucket", bucket, "prefix", KeyPrefix(sub, network, uc))
		}
		s.prefix = KeyPrefix(sub, network, uc)
		return s, nil
	}
	s.prefix = KeyPrefix(sub, network, uc)
	if _, err := s.probe(ctx, s.prefix); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}
