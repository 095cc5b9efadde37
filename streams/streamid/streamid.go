package streamid

import (
	"encoding/json"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multibase"
	"github.com/multiformats/go-varint"
)

// StreamID names a stream: a stream type and the CID of the stream's genesis commit. The
// zero value is undefined (see [StreamID.Defined]).
type StreamID struct {
	typ     Type
	genesis cid.Cid
}

// New returns the StreamID of the stream of type t whose genesis commit has CID genesis.
// For a signed genesis that is the CID of the dag-jose envelope, not of its payload.
func New(t Type, genesis cid.Cid) StreamID {
	return StreamID{typ: t, genesis: genesis}
}

// FromBytes parses the binary form of a StreamID. Bytes of a CommitID are refused with an
// error wrapping [ErrInvalid] and [ErrUnexpectedCommit].
func FromBytes(b []byte) (StreamID, error) {
	r, reason, err := parseBytes(b)
	if reason != "" {
		return StreamID{}, &invalidError{what: "StreamID", input: hexInput(b), reason: reason, cause: err}
	}
	if r.hasCommit {
		return StreamID{}, &invalidError{what: "StreamID", input: hexInput(b), kind: ErrUnexpectedCommit,
			reason: "the bytes contain a commit (they are a CommitID)"}
	}
	return StreamID{typ: r.typ, genesis: r.genesis}, nil
}

// Parse parses a StreamID string: "k…", "ceramic://k…" or "/ceramic/k…". A CommitID
// (including the legacy "?commit=" form) is refused with an error wrapping [ErrInvalid] and
// [ErrUnexpectedCommit]; use [ParseAny] to accept both.
func Parse(s string) (StreamID, error) {
	r, reason, err := parseString(s)
	if reason != "" {
		return StreamID{}, &invalidError{what: "StreamID", input: quoteInput(s), reason: reason, cause: err}
	}
	if r.hasCommit {
		return StreamID{}, &invalidError{what: "StreamID", input: quoteInput(s), kind: ErrUnexpectedCommit,
			reason: "it names a commit (it is a CommitID); use the StreamID of the stream"}
	}
	return StreamID{typ: r.typ, genesis: r.genesis}, nil
}

// MustParse is like [Parse] but panics on error. It is meant for constants and tests.
func MustParse(s string) StreamID {
	id, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return id
}

// ParseAny parses a StreamID or a CommitID string. It always returns the StreamID of the
// stream; commit is non-nil when the input names a commit. This is what the HTTP route
// GET /streams/:streamid accepts.
func ParseAny(s string) (id StreamID, commit *CommitID, err error) {
	r, reason, err := parseString(s)
	if reason != "" {
		return StreamID{}, nil, &invalidError{what: "StreamID or CommitID", input: quoteInput(s), reason: reason, cause: err}
	}
	return r.result()
}

// FromBytesAny parses the binary form of a StreamID or a CommitID, like [ParseAny].
func FromBytesAny(b []byte) (id StreamID, commit *CommitID, err error) {
	r, reason, err := parseBytes(b)
	if reason != "" {
		return StreamID{}, nil, &invalidError{what: "StreamID or CommitID", input: hexInput(b), reason: reason, cause: err}
	}
	return r.result()
}

func (r ref) result() (StreamID, *CommitID, error) {
	id := StreamID{typ: r.typ, genesis: r.genesis}
	if !r.hasCommit {
		return id, nil, nil
	}
	c := CommitID{stream: id, commit: r.commit}
	return id, &c, nil
}

// Type returns the stream type.
func (id StreamID) Type() Type { return id.typ }

// Genesis returns the CID of the genesis commit.
func (id StreamID) Genesis() cid.Cid { return id.genesis }

// Defined reports whether id is a real StreamID rather than the zero value.
func (id StreamID) Defined() bool { return id.genesis.Defined() }

// Equal reports whether id and other name the same stream.
func (id StreamID) Equal(other StreamID) bool { return id == other }

// Bytes returns the binary form: varint(0xce) varint(type) genesis-CID.
func (id StreamID) Bytes() []byte {
	if !id.Defined() {
		return nil
	}
	return appendBase(nil, id.typ, id.genesis)
}

func appendBase(b []byte, t Type, genesis cid.Cid) []byte {
	b = append(b, varint.ToUvarint(Multicodec)...)
	b = append(b, varint.ToUvarint(uint64(t))...)
	return append(b, genesis.Bytes()...)
}

// String returns the canonical base36 form ("k…"), or "" for the zero value.
func (id StreamID) String() string {
	if !id.Defined() {
		return ""
	}
	return encodeBase36(id.Bytes())
}

// URL returns the URL form, "ceramic://k…".
func (id StreamID) URL() string { return "ceramic://" + id.String() }

// AtCommit returns the CommitID of commit c of this stream. When c is the genesis CID (or
// undefined) the result is the genesis CommitID, in its canonical genesis form.
func (id StreamID) AtCommit(c cid.Cid) CommitID {
	return CommitID{stream: id, commit: normaliseCommit(id.genesis, c)}
}

// AtGenesis returns the CommitID of the genesis commit of this stream.
func (id StreamID) AtGenesis() CommitID { return CommitID{stream: id} }

// MarshalText implements [encoding.TextMarshaler] with the canonical string; the zero value
// gives empty text.
func (id StreamID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler] with [Parse]; empty text gives the
// zero value.
func (id *StreamID) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*id = StreamID{}
		return nil
	}
	v, err := Parse(string(text))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// MarshalJSON encodes id as its canonical string, or null for the zero value.
func (id StreamID) MarshalJSON() ([]byte, error) {
	if !id.Defined() {
		return []byte("null"), nil
	}
	return json.Marshal(id.String())
}

// UnmarshalJSON decodes a StreamID string with [Parse]; null gives the zero value.
func (id *StreamID) UnmarshalJSON(data []byte) error {
	s, isNull, err := jsonString(data, "StreamID")
	if err != nil || isNull {
		*id = StreamID{}
		return err
	}
	return id.UnmarshalText([]byte(s))
}

// CommitID names one commit of a stream. The zero value is undefined (see
// [CommitID.Defined]).
type CommitID struct {
	stream StreamID
	commit cid.Cid // cid.Undef means the genesis commit
}

// NewCommitID returns the CommitID of commit of the stream (t, genesis). A commit equal to
// genesis, or undefined, gives the genesis CommitID.
func NewCommitID(t Type, genesis, commit cid.Cid) CommitID {
	return New(t, genesis).AtCommit(commit)
}

// CommitIDFromBytes parses the binary form of a CommitID. Bytes of a plain StreamID are
// refused with an error wrapping [ErrInvalid] and [ErrMissingCommit].
func CommitIDFromBytes(b []byte) (CommitID, error) {
	r, reason, err := parseBytes(b)
	if reason != "" {
		return CommitID{}, &invalidError{what: "CommitID", input: hexInput(b), reason: reason, cause: err}
	}
	if !r.hasCommit {
		return CommitID{}, &invalidError{what: "CommitID", input: hexInput(b), kind: ErrMissingCommit,
			reason: "it names no commit (the bytes are a StreamID)"}
	}
	return CommitID{stream: StreamID{typ: r.typ, genesis: r.genesis}, commit: r.commit}, nil
}

// ParseCommitID parses a CommitID string: "k…", "ceramic://k…", "/ceramic/k…", or a
// StreamID with a legacy "?commit=<cid>" or "?commit=0" suffix. A plain StreamID is refused
// with an error wrapping [ErrInvalid] and [ErrMissingCommit].
func ParseCommitID(s string) (CommitID, error) {
	r, reason, err := parseString(s)
	if reason != "" {
		return CommitID{}, &invalidError{what: "CommitID", input: quoteInput(s), reason: reason, cause: err}
	}
	if !r.hasCommit {
		return CommitID{}, &invalidError{what: "CommitID", input: quoteInput(s), kind: ErrMissingCommit,
			reason: "it names no commit (it is a StreamID); a CommitID is needed"}
	}
	return CommitID{stream: StreamID{typ: r.typ, genesis: r.genesis}, commit: r.commit}, nil
}

// MustParseCommitID is like [ParseCommitID] but panics on error. It is meant for constants
// and tests.
func MustParseCommitID(s string) CommitID {
	id, err := ParseCommitID(s)
	if err != nil {
		panic(err)
	}
	return id
}

// StreamID returns the StreamID of the stream the commit belongs to.
func (c CommitID) StreamID() StreamID { return c.stream }

// Type returns the stream type.
func (c CommitID) Type() Type { return c.stream.typ }

// Genesis returns the CID of the stream's genesis commit.
func (c CommitID) Genesis() cid.Cid { return c.stream.genesis }

// Commit returns the CID of the commit; for the genesis CommitID that is the genesis CID.
func (c CommitID) Commit() cid.Cid {
	if !c.commit.Defined() {
		return c.stream.genesis
	}
	return c.commit
}

// IsGenesis reports whether c names the genesis commit.
func (c CommitID) IsGenesis() bool { return !c.commit.Defined() }

// Defined reports whether c is a real CommitID rather than the zero value.
func (c CommitID) Defined() bool { return c.stream.Defined() }

// Equal reports whether c and other name the same commit of the same stream.
func (c CommitID) Equal(other CommitID) bool { return c == other }

// Bytes returns the binary form: the StreamID bytes followed by 0x00 for the genesis
// commit, or by the commit CID.
func (c CommitID) Bytes() []byte {
	if !c.Defined() {
		return nil
	}
	b := appendBase(nil, c.stream.typ, c.stream.genesis)
	if !c.commit.Defined() {
		return append(b, 0)
	}
	return append(b, c.commit.Bytes()...)
}

// String returns the canonical base36 form ("k…"), or "" for the zero value.
func (c CommitID) String() string {
	if !c.Defined() {
		return ""
	}
	return encodeBase36(c.Bytes())
}

// URL returns the URL form, "ceramic://k…".
func (c CommitID) URL() string { return "ceramic://" + c.String() }

// MarshalText implements [encoding.TextMarshaler] with the canonical string; the zero value
// gives empty text.
func (c CommitID) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler] with [ParseCommitID]; empty text gives
// the zero value.
func (c *CommitID) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*c = CommitID{}
		return nil
	}
	v, err := ParseCommitID(string(text))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// MarshalJSON encodes c as its canonical string, or null for the zero value.
func (c CommitID) MarshalJSON() ([]byte, error) {
	if !c.Defined() {
		return []byte("null"), nil
	}
	return json.Marshal(c.String())
}

// UnmarshalJSON decodes a CommitID string with [ParseCommitID]; null gives the zero value.
func (c *CommitID) UnmarshalJSON(data []byte) error {
	s, isNull, err := jsonString(data, "CommitID")
	if err != nil || isNull {
		*c = CommitID{}
		return err
	}
	return c.UnmarshalText([]byte(s))
}

// jsonString decodes a JSON string or null.
func jsonString(data []byte, what string) (s string, isNull bool, err error) {
	if string(data) == "null" {
		return "", true, nil
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return "", false, &invalidError{what: what, input: quoteInput(string(data)), reason: "expected a JSON string"}
	}
	return s, false, nil
}

func encodeBase36(b []byte) string {
	s, err := multibase.Encode(multibase.Base36, b)
	if err != nil {
		// Base36 is a built-in encoding; Encode fails only for unknown encodings.
		panic(err)
	}
	return s
}

// metaModelBytes are the bytes of js-ceramic's Model.MODEL. Its CID has the multihash code
// 0x71 wrapping an identity multihash of dag-cbor("model-v1"), which most multihash libraries
// refuse to build, so the bytes are spelled out.
var metaModelBytes = []byte{
	0xce, 0x01, 0x04, 0x01, 0x71, 0x71, 0x0b, 0x00, 0x09,
	0x68, 0x6d, 0x6f, 0x64, 0x65, 0x6c, 0x2d, 0x76, 0x31,
}

// MetaModel is js-ceramic's Model.MODEL, "kh4q0ozorrgaq2mezktnrmdwleo1d": the model
// (header.model / metadata.model) of every Model stream, and the "?model=" value of CACAO
// resources that allow creating models. Its type is [Unloadable].
var MetaModel = func() StreamID {
	id, err := FromBytes(metaModelBytes)
	if err != nil {
		panic(err)
	}
	return id
}()
