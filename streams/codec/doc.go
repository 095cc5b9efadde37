// Package codec holds the IPLD and HTTP encodings of Ceramic commits, byte-compatible with
// js-ceramic 3.x: dag-cbor values, dag-jose signed-commit envelopes, the classification of
// commit blocks, and the JSON forms the HTTP API uses for commits.
//
// # Values
//
// Commit contents are JSON-like. In Go they are plain values: map[string]any, []any,
// string, bool, nil, int64, float64, []byte and cid.Cid. [EncodeDagCBOR] writes them exactly
// as JavaScript's @ipld/dag-cbor does, which matters because StreamIDs of deterministic
// streams and signatures are computed over those bytes:
//
//	b, err := codec.EncodeDagCBOR(map[string]any{
//		"header": map[string]any{"controllers": []any{did}, "family": "IDX"},
//	})
//	genesis := codec.CIDFor(codec.DagCBOR, b) // bafyrei…
//	id := streamid.New(streamid.Tile, genesis)
//
// Numbers follow JavaScript: a float64 or json.Number that is an integer within ±(2^53-1)
// is written as a CBOR integer (so 3.0 and 3 give the same bytes) and every other number as
// a 64-bit float. [DecodeJSON] reads HTTP bodies with the same rules, and [Normalize]
// brings any accepted value to the canonical Go types. [DecodeDagCBOR] is strict, like the
// JavaScript decoder.
//
// # Blocks and signed commits
//
// A [Block] is bytes plus CID. Blocks above [MaxBlockSize] are refused with a
// [*BlockTooLargeError] whose message is js-ceramic's. A signed commit is a [JWS] stored as
// a dag-jose block ([EncodeJWS], [DecodeJWS]); its CID is the commit CID and its payload is
// the CID of the dag-cbor payload block holding the commit itself.
//
// # Classifying commits
//
// Loading a commit CID goes: fetch the block, [DecodeBlock], [FormOf] tells signed / anchor /
// unsigned by field presence (as js-ceramic does), for a signed commit fetch the payload
// ([JWS.Link]) and its CACAO ([JWS.Cap]), then [TypeOf] gives the log type (GENESIS when the
// commit has no prev). [DecodeGenesis], [DecodeDataCommit], [DecodeAnchorCommit] and
// [DecodeAnchorProof] check field types and give precise errors.
//
// # HTTP wire forms
//
// [ParseWireCommit] turns the "genesis" or "commit" JSON of a client request into the blocks
// to store ([WireCommit.Blocks]) and the commit CID; [SerializeCommit] does the reverse for
// GET /api/v0/commits. Block bytes are unpadded standard base64 on output and JWS fields
// unpadded base64url; input may be padded or not.
//
// All functions are pure and safe for concurrent use. Errors wrap the package's sentinels
// ([ErrInvalidBlock], [ErrInvalidJWS], [ErrInvalidCommit], [ErrUnsupportedValue],
// [ErrHashMismatch], [ErrBlockTooLarge]).
package codec
