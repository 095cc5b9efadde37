package fs

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/goceramic/ceramic/statestore"
)

// Type is the [statestore.Config.Type] this package registers.
const Type = "fs"

func init() {
	statestore.Register(Type, open)
}

// open is the registered factory: the key space of uc lives in
// cfg.Dir/<location>, where the location follows js-ceramic, including the
// mainnet fallback to an existing legacy "elp" directory, checked for each
// use case separately.
func open(ctx context.Context, cfg statestore.Config, uc statestore.UseCase, o statestore.Options) (statestore.Store, error) {
	if cfg.Dir == "" {
		return nil, fmt.Errorf("%w: fs store needs a directory", statestore.ErrInvalidConfig)
	}
	dir, err := ResolveDir(cfg.Dir, cfg.Network, uc)
	if err != nil {
		return nil, err
	}
	if legacy, _ := statestore.LegacyLocation(cfg.Network, uc); legacy != "" && filepath.Base(dir) == legacy {
		o.Logger.Warn("state store found at the legacy elp location; using it instead of the mainnet location",
			"use_case", string(uc), "dir", dir)
	}
	if cfg.ReadOnly {
		if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
			// Nothing was ever stored here (a 2.x node had no
			// anchor-request store); reading it means reading nothing.
			return emptyStore{new(closeFlag)}, nil
		}
	}
	s, err := Open(dir, &Options{Logger: o.Logger, ReadOnly: cfg.ReadOnly})
	if err != nil {
		return nil, err
	}
	if rerr := s.Recovered(); rerr != nil {
		o.Logger.Error("state store was corrupt and has been recovered; check the pins",
			"use_case", string(uc), "dir", dir, "err", rerr)
	}
	return s, nil
}

// ResolveDir returns the LevelDB directory js-ceramic 3.4.1 uses for a use
// case under root: root/<network> or root/<network>-<use case>, except that
// for mainnet root/elp[-<use case>] is used instead when it exists. The
// check is made for each use case on its own, as js-ceramic does.
func ResolveDir(root, network string, uc statestore.UseCase) (string, error) {
	if legacy, ok := statestore.LegacyLocation(network, uc); ok {
		p := filepath.Join(root, legacy)
		_, err := os.Stat(p)
		if err == nil {
			return p, nil
		}
		if !os.IsNotExist(err) {
			return "", fmt.Errorf("statestore/fs: check legacy location %s: %w", p, err)
		}
	}
	return filepath.Join(root, statestore.Location(network, uc)), nil
}

// emptyStore stands for a key space that does not exist when opening
// read-only: it holds nothing and refuses writes.
type emptyStore struct{ closed *closeFlag }

type closeFlag = atomic.Bool

func (e emptyStore) check(ctx context.Context) error {
	if e.closed.Load() {
		return statestore.ErrClosed
	}
	return ctx.Err()
}

func (e emptyStore) Get(ctx context.Context, key string) ([]byte, error) {
	if err := statestore.CheckKey(key); err != nil {
		return nil, err
	}
	if err := e.check(ctx); err != nil {
		return nil, err
	}
	return nil, statestore.ErrNotFound
}

func (e emptyStore) Put(ctx context.Context, key string, _ []byte) error {
	return e.write(ctx, key)
}

func (e emptyStore) Delete(ctx context.Context, key string) error {
	return e.write(ctx, key)
}

func (e emptyStore) write(ctx context.Context, key string) error {
	if err := statestore.CheckKey(key); err != nil {
		return err
	}
	if err := e.check(ctx); err != nil {
		return err
	}
	return statestore.ErrReadOnly
}

func (e emptyStore) List(ctx context.Context, _ statestore.ListOptions) iter.Seq2[statestore.Entry, error] {
	return func(yield func(statestore.Entry, error) bool) {
		if err := e.check(ctx); err != nil {
			yield(statestore.Entry{}, err)
		}
	}
}

func (e emptyStore) Close() error {
	e.closed.Store(true)
	return nil
}
