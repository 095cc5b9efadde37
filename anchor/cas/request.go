package cas

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"strings"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
)

// Content types of anchor request bodies.
const (
	// ContentTypeCAR is the content type of a CAR anchor request, the form js-ceramic 3.x
	// sends.
	ContentTypeCAR = "application/vnd.ipld.car"
	// ContentTypeJSON is the content type of a legacy JSON anchor request
	// {"streamId", "cid", "timestamp"?}.
	ContentTypeJSON = "application/json"
)

// timestampLayout is JavaScript's Date.prototype.toISOString: UTC with milliseconds.
const timestampLayout = "2006-01-02T15:04:05.000Z"

// FormatTimestamp formats t as JavaScript's Date.toISOString does, in UTC with
// milliseconds ("2024-02-01T12:00:00.000Z"): the timestamp form of anchor requests.
func FormatTimestamp(t time.Time) string {
	return t.UTC().Format(timestampLayout)
}

// parseTimestamp reads an ISO-8601 timestamp with a time zone, with or without fractional
// seconds, as a CAS reads the timestamp of a request.
func parseTimestamp(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q is not an ISO-8601 date such as 2024-02-01T12:00:00.000Z", truncate(s, 60))
	}
	return t, nil
}

// ErrInvalidRequest is matched (with errors.Is) by every error of [DecodeRequest]. A
// [Backend] may wrap it too, to refuse a submission with 400 Bad Request.
var ErrInvalidRequest = errors.New("invalid anchor request")

// requestError is an invalid request whose message is shown to the client as is.
type requestError struct{ msg string }

func (e *requestError) Error() string        { return e.msg }
func (e *requestError) Is(target error) bool { return target == ErrInvalidRequest }

func invalidf(format string, args ...any) error {
	return &requestError{msg: fmt.Sprintf(format, args...)}
}

// Request is an anchor request as a node sends it: anchor Tip, the current tip of StreamID.
type Request struct {
	// StreamID is the stream to anchor.
	StreamID streamid.StreamID
	// Tip is the commit to anchor.
	Tip cid.Cid
	// Timestamp is when the node made the request; the CAS orders requests of a stream by it
	// (a newer request replaces an older pending one). Zero means now.
	Timestamp time.Time
	// Blocks are the blocks js-ceramic puts in the request CAR (see [RequestBlocks]): the
	// genesis commit, the tip commit, the payload block of each that is a JWS, and the CACAO
	// block of the tip if its JWS names one. The genesis and tip commit blocks are required.
	Blocks []codec.Block
}

// RequestBlocks returns the blocks of an anchor request for a stream with the given genesis
// and tip commits, in js-ceramic's order: genesis, tip, genesis payload, tip payload, tip
// CACAO (absent blocks skipped, each block once, so genesis and tip may be the same commit).
// The CACAO of a signed genesis is not included, as js-ceramic does not include it.
func RequestBlocks(genesis, tip *codec.WireCommit) []codec.Block {
	var blocks []codec.Block
	seen := map[cid.Cid]bool{}
	add := func(b *codec.Block) {
		if b != nil && b.CID.Defined() && !seen[b.CID] {
			seen[b.CID] = true
			blocks = append(blocks, *b)
		}
	}
	if genesis != nil {
		add(&genesis.Commit)
	}
	if tip != nil {
		add(&tip.Commit)
	}
	if genesis != nil {
		add(genesis.Payload)
	}
	if tip != nil {
		add(tip.Payload)
		add(tip.Cacao)
	}
	return blocks
}

// EncodeRequest encodes req as the CARv1 body of POST /api/v0/requests and returns it with
// the CID of its root block. The root block is dag-cbor {streamId: <StreamID bytes>,
// tip: <CID>, timestamp: "<ISO-8601 UTC with milliseconds>"}; the blocks of req follow, each
// once. Every block must hash to its CID, and the genesis and tip commit blocks must be among
// them.
func EncodeRequest(req Request) (body []byte, root cid.Cid, err error) {
	if !req.StreamID.Defined() {
		return nil, cid.Undef, errors.New("cas: the request has no StreamID")
	}
	if !req.Tip.Defined() {
		return nil, cid.Undef, errors.New("cas: the request has no tip")
	}
	ts := req.Timestamp
	if ts.IsZero() {
		ts = time.Now()
	}
	data, err := codec.EncodeDagCBOR(map[string]any{
		"streamId":  req.StreamID.Bytes(),
		"tip":       req.Tip,
		"timestamp": FormatTimestamp(ts),
	})
	if err != nil {
		return nil, cid.Undef, fmt.Errorf("cas: encode the request root: %w", err)
	}
	rootBlock := codec.NewBlock(codec.DagCBOR, data)
	blocks := []codec.Block{rootBlock}
	seen := map[cid.Cid]bool{rootBlock.CID: true}
	for _, b := range req.Blocks {
		if seen[b.CID] {
			continue
		}
		if err := b.Verify(); err != nil {
			return nil, cid.Undef, fmt.Errorf("cas: request block: %w", err)
		}
		seen[b.CID] = true
		blocks = append(blocks, b)
	}
	if !seen[req.StreamID.Genesis()] {
		return nil, cid.Undef, fmt.Errorf("cas: the request blocks lack the genesis commit %s", req.StreamID.Genesis())
	}
	if !seen[req.Tip] {
		return nil, cid.Undef, fmt.Errorf("cas: the request blocks lack the tip commit %s", req.Tip)
	}
	body, err = codec.EncodeCAR([]cid.Cid{rootBlock.CID}, blocks)
	if err != nil {
		return nil, cid.Undef, fmt.Errorf("cas: %w", err)
	}
	return body, rootBlock.CID, nil
}

// Submission is an anchor request as a CAS receives it (see [DecodeRequest]).
type Submission struct {
	// StreamID is the stream to anchor.
	StreamID streamid.StreamID
	// Tip is the commit to anchor.
	Tip cid.Cid
	// Timestamp is the request's timestamp. It is zero when a JSON body has none; the
	// handler then uses the time the request arrived, as the CAS does.
	Timestamp time.Time
	// Genesis is the genesis commit of the stream (the payload of a signed genesis); nil for
	// JSON bodies, which carry no blocks.
	Genesis *codec.Genesis
	// Controller is the single controller of the genesis header; "" for JSON bodies.
	Controller string
	// Model is the StreamID string of the genesis header's model, or "" when there is none
	// (and for JSON bodies).
	Model string
	// Blocks are the blocks of a CAR body other than its root block (genesis and tip
	// commits, their payloads, a CACAO); nil for JSON bodies.
	Blocks []codec.Block
}

// DecodeRequest decodes the body of POST /api/v0/requests given its Content-Type: a CAR
// (application/vnd.ipld.car) as js-ceramic 3.x sends, or the legacy JSON body
// {"streamId": "<StreamID>", "cid": "<tip CID>", "timestamp"?: "<ISO-8601>"}
// (application/json, or no content type).
//
// A CAR body is validated as the CAS validates it: its first root must be a dag-cbor block
// {streamId: <StreamID bytes>, tip: <CID>, timestamp: "<ISO-8601>"} in the CAR; the genesis
// commit named by the StreamID (and its payload, for a signed genesis) and the tip commit
// must be in the CAR; the genesis header must have exactly one controller (a string), and
// its optional family (string), tags (strings), schema (a CommitID string) and model
// (StreamID bytes) must have those forms. Every error matches [ErrInvalidRequest] and
// explains the problem in words fit for a 400 response.
func DecodeRequest(contentType string, body []byte) (Submission, error) {
	return decodeRequest(contentType, body, nil)
}

// decodeRequest is DecodeRequest. When checkDigest is not nil it is called, once the body
// has been read far enough, with the body's digest in DID authentication (the CAR root CID
// string, or "0x" + hex(sha256(body)) for JSON), and its error is returned as is.
func decodeRequest(contentType string, body []byte, checkDigest func(digest string) error) (Submission, error) {
	mt := ""
	if contentType != "" {
		var err error
		if mt, _, err = mime.ParseMediaType(contentType); err != nil {
			return Submission{}, invalidf("invalid Content-Type %q: %v", truncate(contentType, 80), err)
		}
	}
	switch mt {
	case ContentTypeCAR:
		roots, blocks, err := codec.DecodeCAR(body)
		if err != nil {
			return Submission{}, invalidf("can not decode the CAR file: %v", err)
		}
		if len(roots) == 0 {
			return Submission{}, invalidf("the CAR file has no root")
		}
		if checkDigest != nil {
			if err := checkDigest(roots[0].String()); err != nil {
				return Submission{}, err
			}
		}
		return decodeCARRequest(roots, blocks)
	case ContentTypeJSON, "":
		if checkDigest != nil {
			if err := checkDigest(jsonDigest(body)); err != nil {
				return Submission{}, err
			}
		}
		return decodeJSONRequest(body)
	}
	return Submission{}, invalidf("unsupported Content-Type %q: send %s or %s", truncate(contentType, 80), ContentTypeCAR, ContentTypeJSON)
}

// decodeCARRequest reads an anchor request from the roots and blocks of a CAR.
func decodeCARRequest(roots []cid.Cid, blocks []codec.Block) (Submission, error) {
	if len(roots) == 0 {
		return Submission{}, invalidf("the CAR file has no root")
	}
	byCID := make(map[cid.Cid]codec.Block, len(blocks))
	for _, b := range blocks {
		byCID[b.CID] = b
	}
	rootCID := roots[0]
	rootBlock, ok := byCID[rootCID]
	if !ok {
		return Submission{}, invalidf("the root block %s is not in the CAR file", rootCID)
	}
	if rootCID.Type() != codec.DagCBOR {
		return Submission{}, invalidf("the root block %s is not dag-cbor", rootCID)
	}
	v, err := codec.DecodeBlock(rootCID, rootBlock.Data)
	if err != nil {
		return Submission{}, invalidf("the root block: %v", err)
	}
	root, ok := v.(map[string]any)
	if !ok {
		return Submission{}, invalidf("the root block is not a map {streamId, tip, timestamp}")
	}
	idBytes, ok := root["streamId"].([]byte)
	if !ok {
		return Submission{}, invalidf("the root block's streamId is not StreamID bytes")
	}
	id, err := streamid.FromBytes(idBytes)
	if err != nil {
		return Submission{}, invalidf("the root block's streamId: %v", err)
	}
	tip, ok := root["tip"].(cid.Cid)
	if !ok {
		return Submission{}, invalidf("the root block's tip is not a CID link")
	}
	tsString, ok := root["timestamp"].(string)
	if !ok {
		return Submission{}, invalidf("the root block's timestamp is not an ISO-8601 string")
	}
	ts, err := parseTimestamp(tsString)
	if err != nil {
		return Submission{}, invalidf("the root block's %v", err)
	}

	genesisCID := id.Genesis()
	genesisBlock, ok := byCID[genesisCID]
	if !ok {
		return Submission{}, invalidf("the genesis commit %s of stream %s is not in the CAR file", genesisCID, id)
	}
	var genesisValue any
	switch genesisCID.Type() {
	case codec.DagCBOR:
		if genesisValue, err = codec.DecodeBlock(genesisCID, genesisBlock.Data); err != nil {
			return Submission{}, invalidf("the genesis commit: %v", err)
		}
	case codec.DagJOSE:
		jws, err := codec.DecodeJWS(genesisBlock.Data)
		if err != nil {
			return Submission{}, invalidf("the genesis commit: %v", err)
		}
		link, err := jws.Link()
		if err != nil {
			return Submission{}, invalidf("the genesis commit: %v", err)
		}
		payload, ok := byCID[link]
		if !ok {
			return Submission{}, invalidf("the payload %s of the signed genesis commit is not in the CAR file", link)
		}
		if genesisValue, err = codec.DecodeBlock(link, payload.Data); err != nil {
			return Submission{}, invalidf("the genesis commit payload: %v", err)
		}
	default:
		return Submission{}, invalidf("the genesis commit %s is neither dag-cbor nor dag-jose", genesisCID)
	}
	genesis, err := codec.DecodeGenesis(genesisValue)
	if err != nil {
		return Submission{}, invalidf("the genesis commit: %v", err)
	}
	controller, model, err := checkGenesisHeader(genesis.Header)
	if err != nil {
		return Submission{}, err
	}
	if _, ok := byCID[tip]; !ok {
		return Submission{}, invalidf("the tip commit %s is not in the CAR file", tip)
	}

	rest := make([]codec.Block, 0, len(blocks))
	for _, b := range blocks {
		if b.CID != rootCID {
			rest = append(rest, b)
		}
	}
	return Submission{
		StreamID:   id,
		Tip:        tip,
		Timestamp:  ts,
		Genesis:    genesis,
		Controller: controller,
		Model:      model,
		Blocks:     rest,
	}, nil
}

// checkGenesisHeader validates the genesis header fields a CAS reads, and returns the
// controller and the model StreamID string ("" when absent).
func checkGenesisHeader(h map[string]any) (controller, model string, err error) {
	list, ok := h["controllers"].([]any)
	if !ok || len(list) != 1 {
		return "", "", invalidf("the genesis header must have exactly one controller")
	}
	if controller, ok = list[0].(string); !ok {
		return "", "", invalidf("the genesis header's controller is not a string")
	}
	if v, present := h["family"]; present {
		if _, ok := v.(string); !ok {
			return "", "", invalidf("the genesis header's family is not a string")
		}
	}
	if v, present := h["tags"]; present {
		tags, ok := v.([]any)
		if !ok {
			return "", "", invalidf("the genesis header's tags are not a list of strings")
		}
		for _, t := range tags {
			if _, ok := t.(string); !ok {
				return "", "", invalidf("the genesis header's tags are not a list of strings")
			}
		}
	}
	if v, present := h["schema"]; present {
		s, ok := v.(string)
		if !ok {
			return "", "", invalidf("the genesis header's schema is not a CommitID string")
		}
		if _, err := streamid.ParseCommitID(s); err != nil {
			return "", "", invalidf("the genesis header's schema: %v", err)
		}
	}
	if v, present := h["model"]; present {
		b, ok := v.([]byte)
		if !ok {
			return "", "", invalidf("the genesis header's model is not StreamID bytes")
		}
		id, err := streamid.FromBytes(b)
		if err != nil {
			return "", "", invalidf("the genesis header's model: %v", err)
		}
		model = id.String()
	}
	return controller, model, nil
}

// decodeJSONRequest reads a legacy JSON anchor request.
func decodeJSONRequest(body []byte) (Submission, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		return Submission{}, invalidf("the body is not a JSON object {streamId, cid, timestamp?}")
	}
	str := func(key string) (string, bool) {
		raw, present := m[key]
		if !present {
			return "", false
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false
		}
		return s, true
	}
	idString, ok := str("streamId")
	if !ok {
		return Submission{}, invalidf("streamId is missing or not a string")
	}
	id, err := streamid.Parse(idString)
	if err != nil {
		return Submission{}, invalidf("streamId: %v", err)
	}
	tipString, ok := str("cid")
	if !ok {
		return Submission{}, invalidf("cid is missing or not a string")
	}
	tip, err := cid.Decode(tipString)
	if err != nil {
		return Submission{}, invalidf("cid %q is not a CID: %v", truncate(tipString, 120), err)
	}
	sub := Submission{StreamID: id, Tip: tip}
	if _, present := m["timestamp"]; present {
		s, ok := str("timestamp")
		if !ok {
			return Submission{}, invalidf("timestamp is not an ISO-8601 string")
		}
		if sub.Timestamp, err = parseTimestamp(s); err != nil {
			return Submission{}, invalidf("%v", err)
		}
	}
	return sub, nil
}

// truncate shortens s to at most n bytes for error messages, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
