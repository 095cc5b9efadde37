package streamid

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multibase"
	"github.com/multiformats/go-varint"
)

// Multicodec is the multicodec code that starts every StreamID and CommitID (0xce).
const Multicodec = 0xce

const (
	cidV0Codec = 0x70 // dag-pb, the only codec a version-0 CID can have
	sha2256    = 0x12 // sha2-256 multihash code, the only hash a version-0 CID can have
)

// ref is a parsed identifier: a StreamID when hasCommit is false, otherwise a CommitID whose
// commit is either a CID or, when commit is undefined, the genesis commit.
type ref struct {
	typ       Type
	genesis   cid.Cid
	hasCommit bool
	commit    cid.Cid
}

// parseBytes reads the binary form. After the genesis CID, no bytes means a StreamID, a
// single 0x00 a CommitID of the genesis commit, and anything else a CommitID whose commit
// CID follows; bytes after that CID are ignored, as js-ceramic ignores them.
func parseBytes(b []byte) (ref, string, error) {
	var r ref
	codec, n, err := readUvarint(b)
	if err != nil {
		return r, "cannot read the multicodec prefix", err
	}
	if codec != Multicodec {
		return r, "it does not start with the StreamID multicodec 0xce (a CID, or a mistyped or truncated StreamID?)", nil
	}
	b = b[n:]
	typ, n, err := readUvarint(b)
	if err != nil {
		return r, "cannot read the stream type", err
	}
	r.typ = Type(typ)
	b = b[n:]
	r.genesis, b, err = readCID(b)
	if err != nil {
		return r, "cannot read the genesis CID", err
	}
	switch {
	case len(b) == 0:
		return r, "", nil
	case len(b) == 1 && b[0] == 0:
		r.hasCommit = true
		return r, "", nil
	}
	r.hasCommit = true
	r.commit, _, err = readCID(b)
	if err != nil {
		return r, "cannot read the commit CID", err
	}
	r.commit = normaliseCommit(r.genesis, r.commit)
	return r, "", nil
}

var errUnexpectedEnd = errors.New("unexpected end of data")

// readCID reads one binary CID (version, codec, multihash code, digest length, digest) and
// returns it with the remaining bytes. Unlike go-cid's own reader it never guesses a bare
// version-0 multihash, which js-ceramic does not accept here either.
func readCID(b []byte) (cid.Cid, []byte, error) {
	version, n, err := readUvarint(b)
	if err != nil {
		return cid.Undef, nil, err
	}
	if version > 1 {
		return cid.Undef, nil, fmt.Errorf("unknown CID version %d", version)
	}
	b = b[n:]
	codec, n, err := readUvarint(b)
	if err != nil {
		return cid.Undef, nil, err
	}
	b = b[n:]
	mhStart := b
	mhCode, n, err := readUvarint(b)
	if err != nil {
		return cid.Undef, nil, err
	}
	b = b[n:]
	length, n, err := readUvarint(b)
	if err != nil {
		return cid.Undef, nil, err
	}
	b = b[n:]
	if length > uint64(len(b)) {
		return cid.Undef, nil, errUnexpectedEnd
	}
	mhLen := len(mhStart) - len(b) + int(length)
	mh := mhStart[:mhLen]
	rest := b[length:]
	if version == 0 {
		if codec != cidV0Codec || mhCode != sha2256 || length != 32 {
			return cid.Undef, nil, errors.New("a version 0 CID must be dag-pb with a 32-byte sha2-256 hash")
		}
		c, err := cid.Cast(mh)
		if err != nil {
			return cid.Undef, nil, err
		}
		return c, rest, nil
	}
	return cid.NewCidV1(codec, mh), rest, nil
}

// readUvarint reads a minimal unsigned varint, with errors worded for users.
func readUvarint(b []byte) (uint64, int, error) {
	v, n, err := varint.FromUvarint(b)
	switch {
	case err == nil:
		return v, n, nil
	case errors.Is(err, varint.ErrUnderflow):
		return 0, 0, errUnexpectedEnd
	case errors.Is(err, varint.ErrNotMinimal):
		return 0, 0, errors.New("non-minimal varint")
	}
	return 0, 0, errors.New("varint too large")
}

// normaliseCommit returns cid.Undef (the genesis form) when commit is the genesis CID.
func normaliseCommit(genesis, commit cid.Cid) cid.Cid {
	if commit.Equals(genesis) {
		return cid.Undef
	}
	return commit
}

// urlPattern is js-ceramic's (unanchored) pattern for string identifiers. Go's regexp picks
// the leftmost match and prefers earlier alternatives and longer repetitions, exactly as
// JavaScript does for this pattern.
var urlPattern = regexp.MustCompile(`(ceramic://|/ceramic/)?([a-zA-Z0-9]+)(\?commit=([a-zA-Z0-9]+))?`)

// parseString parses any string form. It returns a reason for the error message along
// with the error.
func parseString(s string) (ref, string, error) {
	m := urlPattern.FindStringSubmatch(s)
	if m == nil || m[2] == "" {
		return ref{}, "expected a base36 string such as \"kjzl6…\", optionally as ceramic://… or /ceramic/…", nil
	}
	base := m[2]
	if base[0] != 'k' {
		return ref{}, "expected a base36 multibase string starting with \"k\", found " + strconv.Quote(truncate(base)), nil
	}
	if strings.ToLower(base) != base {
		return ref{}, "base36 strings are lower case", nil
	}
	_, b, err := multibase.Decode(base)
	if err != nil {
		return ref{}, "not valid base36", err
	}
	r, reason, err := parseBytes(b)
	if reason != "" {
		return r, reason, err
	}
	if commit := m[4]; commit != "" {
		c, reason, err := parseCommitParam(r.genesis, commit)
		if reason != "" {
			return r, reason, err
		}
		r.hasCommit = true
		r.commit = c
	}
	return r, "", nil
}

// parseCommitParam parses the value of a legacy "?commit=" parameter: "0" names the genesis
// commit, anything else must be a CID string (base32 "b…", base58btc "z…" or "Qm…", base36
// "k…", the encodings js-ceramic's CID parser understands).
func parseCommitParam(genesis cid.Cid, s string) (cid.Cid, string, error) {
	if s == "0" {
		return cid.Undef, "", nil
	}
	switch s[0] {
	case 'b', 'z', 'Q', 'k':
	default:
		return cid.Undef, "the commit parameter " + strconv.Quote(truncate(s)) + " must be 0 (the genesis commit) or a CID", nil
	}
	c, err := cid.Decode(s)
	if err != nil {
		return cid.Undef, "the commit parameter " + strconv.Quote(truncate(s)) + " must be 0 (the genesis commit) or a CID", err
	}
	return normaliseCommit(genesis, c), "", nil
}

func truncate(s string) string {
	if len(s) > maxQuoted {
		return s[:maxQuoted] + "…"
	}
	return s
}
