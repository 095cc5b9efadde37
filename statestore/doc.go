// Package statestore is the pin store of a Ceramic node: the byte-level
// key-value [Store] that holds the state of every pinned stream, and the
// registry that opens one by type.
//
// The package uses only the standard library. Backends live in
// subpackages and register themselves when imported:
//
//   - statestore/fs: LevelDB directories in the format js-ceramic writes, so
//     a node can take over an existing js-ceramic state store in place;
//   - statestore/mem: in memory, for tests and embedding;
//   - statestore/s3: one object per key, as js-ceramic's s3 mode.
//
// # Opening
//
//	import (
//		"github.com/goceramic/ceramic/statestore"
//		_ "github.com/goceramic/ceramic/statestore/fs" // registers "fs"
//	)
//
//	stores, err := statestore.Open(ctx, statestore.Config{
//		Type:    "fs",
//		Dir:     "/home/ceramic/.ceramic/statestore",
//		Network: "testnet-clay",
//	}, statestore.WithLogger(logger))
//	if err != nil {
//		return err // errors.Is(err, fs.ErrLocked) when another node runs on Dir
//	}
//	defer stores.Close()
//	state, err := stores.State.Get(ctx, streamID) // errors.Is(err, statestore.ErrNotFound)
//
// A program that embeds the node can also build a [Store] itself (for
// example with mem.New) and hand it over; the registry is only how a config
// file picks one.
//
// # Key spaces and locations
//
// js-ceramic 3.4.1 keeps two key spaces per network, named by [Location]:
//
//   - [UseCaseState], location "<network>": key = base StreamID string,
//     value = the JSON text of the serialized stream state (doctype added,
//     anchorStatus as a name). The set of keys is the pin set.
//   - [UseCaseAnchorRequests], location "<network>-anchor-requests": key =
//     StreamID string, value = the anchor request encoded twice, see
//     [EncodeAnchorRequest].
//
// On mainnet, data created under the old "elp" network is used where it
// exists ([LegacyLocation]); how existence is checked is up to the backend
// (fs: per use case, a directory; s3: any object under ceramic/elp).
//
// # Values
//
// A Store keeps values as opaque bytes. To stay readable by js-ceramic, which
// parses them with JSON.parse, a state value must be the JSON text of the
// serialized state. Byte-for-byte equality with what js-ceramic would write
// is not needed for compatibility, but compact JSON without HTML escaping
// comes closest (encoding/json escapes '<', '>', '&', U+2028 and U+2029,
// which JSON.stringify does not; both parse the same).
//
// # Contract
//
// The [Store] documentation states what every backend guarantees
// (durability on return, atomic values across crashes, ordering, slice
// ownership, Close); storetest.Run checks it. [Batcher] is an optional
// atomic multi-key write.
//
// # Writing a backend
//
// Implement [Store], call [Register] from an init function with a
// [Factory] that resolves the location of each [UseCase] (including the
// legacy rule), and run storetest.Run from the backend's tests.
package statestore
