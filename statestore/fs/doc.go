// Package fs is the LevelDB [statestore.Store]: the "fs" state-store mode of
// js-ceramic, readable and writable in place.
//
// Importing the package registers the "fs" type with [statestore.Register]:
//
//	import _ "github.com/goceramic/ceramic/statestore/fs"
//
//	stores, err := statestore.Open(ctx, statestore.Config{Dir: root, Network: "mainnet"})
//
// opens root/mainnet (or root/elp when it exists) and
// root/mainnet-anchor-requests (or root/elp-anchor-requests), creating
// missing directories. [Open] opens one directory directly.
//
// # Compatibility with js-ceramic
//
// js-ceramic 3.4.1 stores through level-ts over leveldown (LevelDB 1.x).
// This package reads and writes the same files with goleveldb: keys are the
// UTF-8 StreamID strings and values the UTF-8 JSON text level-ts wrote
// (level-ts JSON-stringifies every value, so a state is stored as the JSON
// text of the serialized state and an anchor request as a JSON string
// literal containing JSON; see [statestore.EncodeAnchorRequest]). Values are
// passed through unchanged in both directions. A directory written here can
// be opened by js-ceramic again.
//
// testdata/js-level-store holds a store written by js-ceramic's own storage
// libraries, and the tests read it in place (read-only, files unchanged) and
// after writing to a copy.
//
// # Durability
//
// Put, Delete and WriteBatch return after the change is in LevelDB's journal
// and the journal is fsynced. Concurrent writers are grouped: one committer
// goroutine takes every write queued while the previous fsync ran and writes
// them as one synced LevelDB batch, then acknowledges each. A LevelDB batch
// is atomic, so a crash leaves every key with its old or its new value.
//
// # Locking
//
// A directory can be open in one Store at a time. Open fails with an error
// wrapping [ErrLocked] when another Store in this process, another
// goceramic process or a running js-ceramic holds it. js-ceramic's LevelDB
// takes a POSIX record lock on the LOCK file, which goleveldb's own flock
// does not see on Linux, so this package takes a record lock too.
//
// # Damage
//
// When LevelDB reports corruption at Open (a missing or damaged manifest, a
// garbage CURRENT file), Open runs goleveldb's recovery, which rebuilds the
// manifest from the table files, and logs a warning; [Store.Recovered]
// returns what was repaired. Recovery may lose entries, i.e. pins, so a node
// should surface it. [Options.NoRecover] turns recovery off. Reads that hit a
// damaged table fail with [ErrCorrupt]. Damage is reported as an error,
// never a panic.
package fs
