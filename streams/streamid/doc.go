// Package streamid implements Ceramic stream identifiers: the StreamID, which names a stream,
// and the CommitID, which names one commit of a stream. Both are byte-compatible with
// js-ceramic's @ceramicnetwork/streamid (CIP-59).
//
// # Layout
//
// A StreamID is the varint 0xce (the StreamID multicodec), the varint stream type and the binary
// CID of the stream's genesis commit. A CommitID appends either a single 0x00 byte (the genesis
// commit itself) or the binary CID of the commit. Both are written as base36 multibase strings,
// which start with "k":
//
//	id, err := streamid.Parse("kjzl6cwe1jw147dvq16zluojmraqvwdmbh61dx9e0c59i344lcrsgqfohexp60s")
//	if err != nil {
//		return err // wraps streamid.ErrInvalid; the message says what is wrong
//	}
//	id.Type()    // streamid.Tile
//	id.Genesis() // bagcqcerakszw2vsovxznyp5gfnpdj4cqm2xiv76yd24wkjewhhykovorwo6a
//	at := id.AtCommit(tip)
//	at.String()  // "k1dpgaqe3i64…"
//
// # Parsing
//
// [Parse] and [ParseCommitID] accept what js-ceramic accepts: the bare string, the URL form
// "ceramic://k…", the legacy "/ceramic/k…" and a legacy "?commit=<cid>" or "?commit=0" suffix.
// Like js-ceramic, the parser looks for the first run of letters and digits (optionally preceded
// by one of the prefixes) anywhere in the input and ignores the rest. [Parse] refuses a
// CommitID and [ParseCommitID] refuses a bare StreamID; [ParseAny] accepts either, as the HTTP
// route GET /streams/:id does.
//
// # Values
//
// [StreamID] and [CommitID] are small immutable values, comparable with == (so they can be map
// keys) and safe for concurrent use. Their zero values are undefined identifiers: String
// returns "" and JSON encoding gives null. A CommitID that refers to the genesis commit is
// always kept in the genesis form (trailing 0x00), even when built from the genesis CID, as
// js-ceramic does.
package streamid
