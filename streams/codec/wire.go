package codec

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/ipfs/go-cid"
)

// WireCommit is a commit as the HTTP API carries it (js-ceramic's serializeCommit /
// deserializeCommit), together with the blocks a node stores for it.
//
// Three wire shapes exist, told apart by field presence in this order:
//
//   - a signed-commit container {jws: {payload, signatures, link}, linkedBlock,
//     cacaoBlock?}: stored as the dag-jose envelope (its CID is the commit CID), the
//     dag-cbor payload block and the optional CACAO block;
//   - a bare signed commit {payload, signatures, link}: js-ceramic stores this object as a
//     dag-cbor block (link as a CID) and later reads it as a JWS; the payload block must
//     already be available, so Payload and Body are nil;
//   - anything else (unsigned genesis {header, data}, anchor {id, prev, proof, path},
//     unsigned update {id, prev, header?, data}): stored as one dag-cbor block after
//     converting id, prev, proof and link from CID strings and header.model from base64.
type WireCommit struct {
	// Form is the commit's form, as [FormOf] tells it from the stored commit block.
	Form Form
	// Commit is the commit block: the dag-jose envelope of a signed commit, the dag-cbor
	// commit otherwise. Commit.CID is the commit CID.
	Commit Block
	// Payload is the dag-cbor payload block of a signed commit (jws.link); nil for other
	// forms, and for a bare signed commit.
	Payload *Block
	// Cacao is the CACAO block named by the protected header's cap, when the client sent
	// it; nil otherwise.
	Cacao *Block
	// JWS is the envelope of a signed commit; nil for other forms.
	JWS *JWS
	// Body is the decoded commit: the payload value of a signed commit, the block value
	// otherwise. It is nil when the payload of a signed commit is not known.
	Body any
}

// CID returns the commit CID.
func (w *WireCommit) CID() cid.Cid { return w.Commit.CID }

// PayloadCID returns the payload CID (jws.link) of a signed commit.
func (w *WireCommit) PayloadCID() (cid.Cid, bool) {
	if w.JWS == nil {
		return cid.Undef, false
	}
	c, err := w.JWS.Link()
	return c, err == nil
}

// Type returns the log type of the commit (see [TypeOf]); ok is false when the body of a
// signed commit is not known.
func (w *WireCommit) Type() (t CommitType, ok bool) {
	if w.Form == FormSigned && w.Body == nil {
		return 0, false
	}
	return TypeOf(w.Form, w.Body), true
}

// Blocks returns the blocks to store, in js-ceramic's order: the CACAO, the payload, then
// the commit block. Each is at most [MaxBlockSize] bytes and hashes to its CID.
func (w *WireCommit) Blocks() []Block {
	blocks := make([]Block, 0, 3)
	if w.Cacao != nil {
		blocks = append(blocks, *w.Cacao)
	}
	if w.Payload != nil {
		blocks = append(blocks, *w.Payload)
	}
	return append(blocks, w.Commit)
}

// ParseWireCommit parses the JSON of a serialized commit, as the "genesis" of
// POST /api/v0/streams or the "commit" of POST /api/v0/commits, and builds its blocks. See
// [ParseWireCommitValue].
func ParseWireCommit(data []byte) (*WireCommit, error) {
	v, err := DecodeJSON(data)
	if err != nil {
		return nil, wrap(ErrInvalidCommit, err)
	}
	return ParseWireCommitValue(v)
}

// ParseWireCommitValue builds the blocks of a serialized commit given as decoded JSON
// (map[string]any, with numbers as float64, json.Number or int64). See [WireCommit] for the
// shapes.
//
// Base64 (block bytes, header.model) and base64url (JWS fields) are accepted with or
// without padding. For a signed container the payload must be dag-cbor and hash to
// jws.link, and a cacaoBlock must hash to the CID in the protected header's cap; js-ceramic
// stores such blocks without checking. A block over [MaxBlockSize] gives a
// [*BlockTooLargeError], returned unwrapped so that its message is js-ceramic's. Other
// errors wrap [ErrInvalidCommit].
func ParseWireCommitValue(v any) (*WireCommit, error) {
	nv, err := Normalize(v)
	if err != nil {
		return nil, wrap(ErrInvalidCommit, err)
	}
	m, ok := nv.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: the commit is %s, not a JSON object", ErrInvalidCommit, kindOf(nv))
	}
	if _, present := m["jws"]; present {
		return parseSignedContainer(m)
	}
	return parseUnsigned(m)
}

func parseSignedContainer(m map[string]any) (*WireCommit, error) {
	jm, ok := m["jws"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: jws is %s, not an object", ErrInvalidCommit, kindOf(m["jws"]))
	}
	if _, present := jm["link"]; !present {
		return nil, fmt.Errorf("%w: jws.link is missing", ErrInvalidCommit)
	}
	j, err := jwsFromWire(jm)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidCommit, err)
	}
	link, _ := j.Link() // checked by jwsFromWire
	if link.Type() != DagCBOR {
		return nil, fmt.Errorf("%w: jws.link %s is not a dag-cbor CID", ErrInvalidCommit, link)
	}
	linked, err := b64Field(m, "linkedBlock", base64Std, true)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalidCommit, err)
	}
	w := &WireCommit{Form: FormSigned, JWS: &j}

	if truthy(m["cacaoBlock"]) {
		data, err := b64Field(m, "cacaoBlock", base64Std, true)
		if err != nil {
			return nil, fmt.Errorf("%w: %s", ErrInvalidCommit, err)
		}
		capCID, ok, err := j.Cap()
		if err != nil {
			return nil, fmt.Errorf("%w: cacaoBlock given but %s", ErrInvalidCommit, err)
		}
		if !ok {
			return nil, fmt.Errorf("%w: cacaoBlock given but the protected header has no cap", ErrInvalidCommit)
		}
		if err := CheckBlockSize(capCID, data); err != nil {
			return nil, err
		}
		if err := matchBlock(capCID, data, "cacaoBlock", "the cap of the protected header"); err != nil {
			return nil, err
		}
		w.Cacao = &Block{CID: capCID, Data: data}
	}

	if err := CheckBlockSize(link, linked); err != nil {
		return nil, err
	}
	if err := matchBlock(link, linked, "linkedBlock", "jws.link"); err != nil {
		return nil, err
	}
	if w.Body, err = decodeDagCBOR(linked); err != nil {
		return nil, fmt.Errorf("%w: linkedBlock is %s", ErrInvalidCommit, err)
	}
	w.Payload = &Block{CID: link, Data: linked}

	env, err := EncodeJWS(j)
	if err != nil {
		return nil, err
	}
	w.Commit = NewBlock(DagJOSE, env)
	if err := w.Commit.CheckSize(); err != nil {
		return nil, err
	}
	return w, nil
}

// matchBlock checks that data hashes to c, naming the wire fields in the error.
func matchBlock(c cid.Cid, data []byte, field, source string) error {
	got, err := c.Prefix().Sum(data)
	if err != nil {
		return fmt.Errorf("%w: cannot hash %s for %s %s: %v", ErrInvalidCommit, field, source, c, err)
	}
	if !got.Equals(c) {
		return fmt.Errorf("%w: %s does not match %s: its CID is %s, not %s", ErrInvalidCommit, field, source, got, c)
	}
	return nil
}

func parseUnsigned(m map[string]any) (*WireCommit, error) {
	if err := fromWireFields(m); err != nil {
		return nil, err
	}
	data, err := EncodeDagCBOR(m)
	if err != nil {
		return nil, wrap(ErrInvalidCommit, err)
	}
	w := &WireCommit{Commit: NewBlock(DagCBOR, data), Form: FormOf(DagCBOR, m), Body: m}
	if err := w.Commit.CheckSize(); err != nil {
		return nil, err
	}
	if w.Form == FormSigned {
		j, err := jwsFromWire(m)
		if err != nil {
			return nil, fmt.Errorf("%w: %s", ErrInvalidCommit, err)
		}
		w.JWS, w.Body = &j, nil
	}
	return w, nil
}

// fromWireFields converts, in place, the fields deserializeCommit converts: link and proof
// when present, id and prev when truthy (from CID strings), and header.model when truthy
// (from base64). Other values are left as they are.
func fromWireFields(m map[string]any) error {
	for _, key := range []string{"link", "proof", "id", "prev"} {
		raw, present := m[key]
		if !present || ((key == "id" || key == "prev") && !truthy(raw)) {
			continue
		}
		s, ok := raw.(string)
		if !ok {
			return fmt.Errorf("%w: %s is %s, not a CID string", ErrInvalidCommit, key, kindOf(raw))
		}
		c, err := cid.Decode(s)
		if err != nil {
			return fmt.Errorf("%w: %s %s is not a CID: %v", ErrInvalidCommit, key, strconv.Quote(truncate(s, 120)), err)
		}
		m[key] = c
	}
	if header, ok := m["header"].(map[string]any); ok && truthy(header["model"]) {
		b, err := b64Field(header, "model", base64Std, true)
		if err != nil {
			return fmt.Errorf("%w: header.%s", ErrInvalidCommit, err)
		}
		header["model"] = b
	}
	return nil
}

// NewWireCommit assembles a WireCommit from stored blocks, for serving it over HTTP (GET
// /api/v0/commits). commit is the commit block; payload is the payload block of a signed
// commit and cacao its CACAO block, both optional. Every block must hash to its CID, and
// payload and cacao must be the ones the envelope names.
func NewWireCommit(commit Block, payload, cacao *Block) (*WireCommit, error) {
	if err := commit.Verify(); err != nil {
		return nil, err
	}
	w := &WireCommit{Commit: commit}
	v, err := DecodeBlock(commit.CID, commit.Data)
	if err != nil {
		return nil, err
	}
	w.Form = FormOf(commit.Codec(), v)
	if w.Form != FormSigned {
		if payload != nil || cacao != nil {
			return nil, fmt.Errorf("%w: commit %s is not signed but a payload or CACAO block was given", ErrInvalidCommit, commit.CID)
		}
		w.Body = v
		return w, nil
	}
	j, err := EnvelopeOf(commit)
	if err != nil {
		return nil, err
	}
	w.JWS = &j
	if payload != nil {
		link, _ := j.Link()
		if !payload.CID.Equals(link) {
			return nil, fmt.Errorf("%w: commit %s links to payload %s, not %s", ErrInvalidCommit, commit.CID, link, payload.CID)
		}
		if err := payload.Verify(); err != nil {
			return nil, err
		}
		if w.Body, err = DecodeBlock(payload.CID, payload.Data); err != nil {
			return nil, err
		}
		w.Payload = payload
	}
	if cacao != nil {
		capCID, ok, err := j.Cap()
		if err != nil {
			return nil, err
		}
		if !ok || !capCID.Equals(cacao.CID) {
			return nil, fmt.Errorf("%w: commit %s does not name CACAO %s in its cap", ErrInvalidCommit, commit.CID, cacao.CID)
		}
		if err := cacao.Verify(); err != nil {
			return nil, err
		}
		w.Cacao = cacao
	}
	return w, nil
}

// SerializeCommit renders w in the HTTP wire form (js-ceramic's serializeCommit), ready
// for encoding/json:
//
//   - a signed commit becomes {jws: {payload, signatures, link}, linkedBlock, cacaoBlock?},
//     with base64url JWS fields and unpadded standard base64 blocks; cacaoBlock only when
//     w.Cacao is set (GET /api/v0/commits leaves it out). The payload block is required.
//   - any other commit becomes its value with id, prev, proof and link as CID strings and
//     header.model as base64. Other CIDs become {"/": "<cid>"} and other byte strings an
//     object of byte values keyed "0", "1", …, which is what JSON.stringify makes of them
//     in js-ceramic.
func SerializeCommit(w *WireCommit) (map[string]any, error) {
	if w.Form == FormSigned {
		if w.Payload == nil {
			return nil, fmt.Errorf("codec: serializing signed commit %s needs its payload block", w.Commit.CID)
		}
		var jws any
		if w.Commit.Codec() == DagJOSE {
			if w.JWS == nil {
				return nil, fmt.Errorf("codec: signed commit %s has no envelope", w.Commit.CID)
			}
			jws = jsonValue(w.JWS.Wire())
		} else {
			// A JWS stored as dag-cbor: js-ceramic returns the stored object as the jws.
			v, err := DecodeDagCBOR(w.Commit.Data)
			if err != nil {
				return nil, err
			}
			jws = toWireFields(v)
		}
		out := map[string]any{
			"jws":         jws,
			"linkedBlock": encodeBase64(w.Payload.Data, base64Std),
		}
		if w.Cacao != nil {
			out["cacaoBlock"] = encodeBase64(w.Cacao.Data, base64Std)
		}
		return out, nil
	}
	m, ok := toWireFields(w.Body).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("codec: commit %s is %s, not a map", w.Commit.CID, kindOf(w.Body))
	}
	return m, nil
}

// MarshalJSON encodes the wire form of w (see [SerializeCommit]).
func (w *WireCommit) MarshalJSON() ([]byte, error) {
	m, err := SerializeCommit(w)
	if err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

// toWireFields is the inverse of fromWireFields, followed by jsonValue for the rest.
func toWireFields(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return jsonValue(v)
	}
	out := make(map[string]any, len(m))
	for k, val := range m {
		switch k {
		case "link", "proof", "id", "prev":
			if c, ok := val.(cid.Cid); ok {
				out[k] = c.String()
				continue
			}
		case "header":
			if h, ok := val.(map[string]any); ok {
				if model, ok := h["model"].([]byte); ok {
					hc := jsonValue(h).(map[string]any)
					hc["model"] = encodeBase64(model, base64Std)
					out[k] = hc
					continue
				}
			}
		}
		out[k] = jsonValue(val)
	}
	return out
}

// jsonValue converts plain Go values to what JSON.stringify makes of the same JavaScript
// values: a CID becomes {"/": "<cid>"}, bytes an object keyed by index.
func jsonValue(v any) any {
	switch x := v.(type) {
	case cid.Cid:
		return map[string]any{"/": x.String()}
	case []byte:
		m := make(map[string]any, len(x))
		for i, b := range x {
			m[strconv.Itoa(i)] = int64(b)
		}
		return m
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = jsonValue(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = jsonValue(e)
		}
		return l
	}
	return v
}
