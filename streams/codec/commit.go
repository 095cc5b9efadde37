package codec

import (
	"errors"
	"fmt"
	"math"

	"github.com/ipfs/go-cid"
)

// ErrInvalidCommit is wrapped when a commit value does not have the shape its kind needs.
var ErrInvalidCommit = errors.New("codec: invalid commit")

// Form is how a commit block is wrapped, decided by field presence exactly as js-ceramic
// does when it loads a commit (Utils.getCommitData).
type Form int

const (
	// FormUnsigned is a plain dag-cbor commit: an unsigned genesis, or a Caip10Link update.
	FormUnsigned Form = iota
	// FormSigned is a signed commit: the block is a JWS envelope and the commit itself is
	// the dag-cbor payload block it links to.
	FormSigned
	// FormAnchor is an anchor commit: a dag-cbor commit with a proof link.
	FormAnchor
)

func (f Form) String() string {
	switch f {
	case FormUnsigned:
		return "unsigned"
	case FormSigned:
		return "signed"
	case FormAnchor:
		return "anchor"
	}
	return fmt.Sprintf("Form(%d)", int(f))
}

// FormOf classifies a decoded commit block. codec is the codec of the block's CID and v its
// decoded value ([DecodeBlock]). A dag-jose block is signed. Otherwise, like js-ceramic, a
// value with a "link" key is signed (js-ceramic then reads it as a JWS in JSON form, see
// [EnvelopeOf]), one with a "proof" key is an anchor commit, and anything else is unsigned.
func FormOf(codec uint64, v any) Form {
	if codec == DagJOSE {
		return FormSigned
	}
	if _, ok := v.(JWS); ok {
		return FormSigned
	}
	m, _ := v.(map[string]any)
	if _, ok := m["link"]; ok {
		return FormSigned
	}
	if _, ok := m["proof"]; ok {
		return FormAnchor
	}
	return FormUnsigned
}

// CommitType is the type js-ceramic records for a commit in a stream's log (CommitType):
// its numeric values are what the HTTP API sends in log entries.
type CommitType int

const (
	// CommitTypeGenesis is the first commit of a stream (GENESIS, 0).
	CommitTypeGenesis CommitType = 0
	// CommitTypeSigned is a data commit, signed or not (SIGNED, 1).
	CommitTypeSigned CommitType = 1
	// CommitTypeAnchor is an anchor commit (ANCHOR, 2).
	CommitTypeAnchor CommitType = 2
)

func (t CommitType) String() string {
	switch t {
	case CommitTypeGenesis:
		return "GENESIS"
	case CommitTypeSigned:
		return "SIGNED"
	case CommitTypeAnchor:
		return "ANCHOR"
	}
	return fmt.Sprintf("CommitType(%d)", int(t))
}

// TypeOf returns the log type js-ceramic gives a commit of form f whose commit value is body
// (the payload for a signed commit, the block value otherwise): ANCHOR for an anchor commit,
// SIGNED for anything else, except that any commit whose "prev" is absent or falsy in the
// JavaScript sense (null, false, 0, "") is GENESIS, even an anchor commit.
func TypeOf(f Form, body any) CommitType {
	m, _ := body.(map[string]any)
	if !truthy(m["prev"]) {
		return CommitTypeGenesis
	}
	if f == FormAnchor {
		return CommitTypeAnchor
	}
	return CommitTypeSigned
}

// Truthy reports whether a decoded value is truthy in JavaScript. Every map, list, byte
// string and CID is truthy, even an empty one.
func Truthy(v any) bool {
	return truthy(v)
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case int64:
		return x != 0
	case int:
		return x != 0
	case float64:
		return x != 0 && !math.IsNaN(x)
	}
	return true
}

// EnvelopeOf returns the JWS of a signed commit block: the dag-jose envelope itself, or,
// for a dag-cbor block with a "link" key, the JWS in JSON form ({link, payload,
// signatures} with base64url strings), which js-ceramic also verifies and applies as a
// signed commit. It fails for any other block.
func EnvelopeOf(b Block) (JWS, error) {
	switch b.Codec() {
	case DagJOSE:
		j, err := decodeJWS(b.Data)
		if err != nil {
			return JWS{}, fmt.Errorf("%w: block %s: %s", ErrInvalidJWS, b.CID, err)
		}
		return j, nil
	case DagCBOR:
		v, err := decodeDagCBOR(b.Data)
		if err != nil {
			return JWS{}, fmt.Errorf("%w: block %s: %s", ErrInvalidJWS, b.CID, err)
		}
		if FormOf(DagCBOR, v) != FormSigned {
			return JWS{}, fmt.Errorf("%w: block %s is not a signed commit", ErrInvalidJWS, b.CID)
		}
		j, err := jwsFromWire(v)
		if err != nil {
			return JWS{}, fmt.Errorf("%w: block %s: %s", ErrInvalidJWS, b.CID, err)
		}
		return j, nil
	}
	return JWS{}, fmt.Errorf("%w: block %s has codec 0x%x", ErrInvalidJWS, b.CID, b.Codec())
}

// Genesis is a genesis commit: {header, data?}. For a signed genesis it is the payload.
type Genesis struct {
	// Header is the genesis header (controllers, family, tags, schema, unique, model, sep,
	// forbidControllerChange, …), left generic. header.model is bytes (StreamID bytes);
	// header.unique is a string for tiles and bytes for MIDs.
	Header map[string]any
	// Data is the initial content; nil when absent or null (see HasData).
	Data any
	// HasData tells an explicit "data" key (possibly null) from an absent one. The
	// difference changes the CID of an unsigned genesis.
	HasData bool
}

// DecodeGenesis reads a genesis commit value. The header must be a map.
func DecodeGenesis(v any) (*Genesis, error) {
	m, err := commitMap(v, "genesis commit")
	if err != nil {
		return nil, err
	}
	h, present := m["header"]
	if !present {
		return nil, fmt.Errorf("%w: genesis commit has no header", ErrInvalidCommit)
	}
	header, ok := h.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: genesis header is %s, not a map", ErrInvalidCommit, kindOf(h))
	}
	g := &Genesis{Header: header}
	g.Data, g.HasData = m["data"]
	return g, nil
}

// Value returns the commit value of g, ready for [EncodeDagCBOR].
func (g *Genesis) Value() map[string]any {
	m := map[string]any{"header": g.Header}
	if g.HasData {
		m["data"] = g.Data
	}
	return m
}

// DataCommit is a data (update) commit: {id, prev, header?, data}. For a signed commit it
// is the payload.
type DataCommit struct {
	// ID is the genesis CID of the stream.
	ID cid.Cid
	// Prev is the CID of the previous commit.
	Prev cid.Cid
	// Header carries metadata changes (tiles; required there, possibly empty). nil when
	// absent or null (see HasHeader).
	Header map[string]any
	// HasHeader is true when the commit has a non-null "header". MID updates must not.
	HasHeader bool
	// Data is the JSON-Patch array (tiles, MIDs) or the LinkProof (Caip10Link); nil when
	// absent or null (see HasData).
	Data any
	// HasData tells an explicit "data" key (possibly null) from an absent one.
	HasData bool
}

// DecodeDataCommit reads a data commit value: id and prev must be CIDs, header (if not
// null) a map.
func DecodeDataCommit(v any) (*DataCommit, error) {
	m, err := commitMap(v, "data commit")
	if err != nil {
		return nil, err
	}
	c := &DataCommit{}
	if c.ID, err = cidField(m, "id", "data commit"); err != nil {
		return nil, err
	}
	if c.Prev, err = cidField(m, "prev", "data commit"); err != nil {
		return nil, err
	}
	if h := m["header"]; h != nil {
		header, ok := h.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: data commit header is %s, not a map", ErrInvalidCommit, kindOf(h))
		}
		c.Header, c.HasHeader = header, true
	}
	c.Data, c.HasData = m["data"]
	return c, nil
}

// Value returns the commit value of c, ready for [EncodeDagCBOR].
func (c *DataCommit) Value() map[string]any {
	m := map[string]any{"id": c.ID, "prev": c.Prev}
	if c.HasHeader {
		m["header"] = c.Header
	}
	if c.HasData {
		m["data"] = c.Data
	}
	return m
}

// AnchorCommit is an anchor commit written by the anchor service: {id?, prev, proof, path}.
type AnchorCommit struct {
	// ID is the genesis CID of the stream; old anchor services left it out (nil).
	ID *cid.Cid
	// Prev is the anchored commit.
	Prev cid.Cid
	// Proof is the CID of the [AnchorProof] block.
	Proof cid.Cid
	// Path is the Merkle path from the proof's root to Prev, such as "0/1/1"; "" when Prev
	// is the root.
	Path string
}

// DecodeAnchorCommit reads an anchor commit value: prev and proof must be CIDs, path a
// string (js-ceramic cannot verify an anchor commit without one), id a CID if present.
func DecodeAnchorCommit(v any) (*AnchorCommit, error) {
	m, err := commitMap(v, "anchor commit")
	if err != nil {
		return nil, err
	}
	a := &AnchorCommit{}
	if raw, present := m["id"]; present {
		id, ok := raw.(cid.Cid)
		if !ok {
			return nil, fmt.Errorf("%w: anchor commit id is %s, not a CID", ErrInvalidCommit, kindOf(raw))
		}
		a.ID = &id
	}
	if a.Prev, err = cidField(m, "prev", "anchor commit"); err != nil {
		return nil, err
	}
	if a.Proof, err = cidField(m, "proof", "anchor commit"); err != nil {
		return nil, err
	}
	if a.Path, err = stringField(m, "path", "anchor commit"); err != nil {
		return nil, err
	}
	return a, nil
}

// Value returns the commit value of a, ready for [EncodeDagCBOR].
func (a *AnchorCommit) Value() map[string]any {
	m := map[string]any{"prev": a.Prev, "proof": a.Proof, "path": a.Path}
	if a.ID != nil {
		m["id"] = *a.ID
	}
	return m
}

// AnchorProof is the proof block an anchor commit links to.
type AnchorProof struct {
	// ChainID is the CAIP-2 chain, such as "eip155:1".
	ChainID string
	// TxHash is the transaction hash as a CID (codec eth-tx 0x93, keccak-256).
	TxHash cid.Cid
	// Root is the CID of the Merkle tree root.
	Root cid.Cid
	// TxType is the transaction type, "f(bytes32)" for contract anchors; "" when absent
	// (legacy raw transactions).
	TxType string
}

// DecodeAnchorProof reads an anchor proof value: chainId a string, txHash and root CIDs,
// txType a string if present.
func DecodeAnchorProof(v any) (*AnchorProof, error) {
	m, err := commitMap(v, "anchor proof")
	if err != nil {
		return nil, err
	}
	p := &AnchorProof{}
	if p.ChainID, err = stringField(m, "chainId", "anchor proof"); err != nil {
		return nil, err
	}
	if p.TxHash, err = cidField(m, "txHash", "anchor proof"); err != nil {
		return nil, err
	}
	if p.Root, err = cidField(m, "root", "anchor proof"); err != nil {
		return nil, err
	}
	if raw, present := m["txType"]; present && raw != nil {
		s, ok := raw.(string)
		if !ok {
			return nil, fmt.Errorf("%w: anchor proof txType is %s, not a string", ErrInvalidCommit, kindOf(raw))
		}
		p.TxType = s
	}
	return p, nil
}

// Value returns the proof value of p, ready for [EncodeDagCBOR].
func (p *AnchorProof) Value() map[string]any {
	m := map[string]any{"chainId": p.ChainID, "txHash": p.TxHash, "root": p.Root}
	if p.TxType != "" {
		m["txType"] = p.TxType
	}
	return m
}

func commitMap(v any, what string) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: %s is %s, not a map", ErrInvalidCommit, what, kindOf(v))
	}
	return m, nil
}

func cidField(m map[string]any, key, what string) (cid.Cid, error) {
	raw, present := m[key]
	if !present {
		return cid.Undef, fmt.Errorf("%w: %s has no %s", ErrInvalidCommit, what, key)
	}
	c, ok := raw.(cid.Cid)
	if !ok {
		return cid.Undef, fmt.Errorf("%w: %s %s is %s, not a CID", ErrInvalidCommit, what, key, kindOf(raw))
	}
	return c, nil
}

func stringField(m map[string]any, key, what string) (string, error) {
	raw, present := m[key]
	if !present {
		return "", fmt.Errorf("%w: %s has no %s", ErrInvalidCommit, what, key)
	}
	s, ok := raw.(string)
	if !ok {
		return "", fmt.Errorf("%w: %s %s is %s, not a string", ErrInvalidCommit, what, key, kindOf(raw))
	}
	return s, nil
}

// kindOf names the kind of a plain Go value for error messages.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case int64, float64:
		return "a number"
	case []byte:
		return "bytes"
	case cid.Cid:
		return "a CID"
	case map[string]any:
		return "a map"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%T", v)
}
