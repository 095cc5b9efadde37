// Package merkle builds and walks the Merkle trees that anchor many stream tips with one
// blockchain transaction, in the shape the Ceramic Anchor Service (CAS) writes and every
// Ceramic node verifies.
//
// # Tree shape
//
// A tree node is a dag-cbor array of two links, [left, right]. The leaves are the anchored
// tips themselves (they are not copied into the tree), so a node's elements are the CIDs of
// either other nodes or tips. [Build] sorts the leaves (see [Build] for the order), then
// builds the tree recursively: a list of more than one element is split at floor(n/2) into
// a left half and a right half (so the right half is the larger one when n is odd), and a
// list of one element is that element. A tree of a single leaf is the root [leaf, null].
//
// The CAS may add a third element to the root, a link to CIP-69 metadata (a bloom filter
// and the stream IDs of the batch). This package never writes it: a verifier only follows
// the indices 0 and 1 (see [Walk]), ceramic-one's trees carry none, and the metadata would
// cost a block in every witness without anyone reading it.
//
// # Paths
//
// The path of a leaf is the list of directions from the root to it, 0 for left and 1 for
// right, joined by "/": "0/1/1". The single leaf of a one-leaf tree has path "0". An anchor
// commit carries this path, and a verifier checks it with [Walk]: starting at the proof's
// root, it follows one index per segment and must arrive at the anchored tip. The path ""
// names the root itself (the in-memory anchor service anchors a tip as its own root).
package merkle
