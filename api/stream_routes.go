package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"

	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
)

// stateResponse is the body of the routes that return one stream: its base StreamID (also
// when a CommitID was asked for) and its serialized state. DocID is the 2.x echo of the
// StreamID, sent only where 2.x sent it.
type stateResponse struct {
	StreamID string         `json:"streamId"`
	DocID    string         `json:"docId,omitempty"`
	State    *streams.State `json:"state"`
}

// commitsResponse is the body of GET /commits/{streamid}.
type commitsResponse struct {
	StreamID string         `json:"streamId"`
	DocID    string         `json:"docId"`
	Commits  []commitRecord `json:"commits"`
}

// commitRecord is one commit of a stream's log in its HTTP form.
type commitRecord struct {
	CID   string         `json:"cid"`
	Value map[string]any `json:"value"`
}

// notStreamIDError reports a CommitID given where only a StreamID is accepted. It wraps
// the streamid error, so it maps to 400 like any malformed identifier; its message is the
// js daemon's.
type notStreamIDError struct {
	input string
	err   error
}

func (e *notStreamIDError) Error() string { return "Not StreamID: " + e.input + ": contains commit" }

func (e *notStreamIDError) Unwrap() error { return e.err }

// parseStreamID parses a StreamID that must not be a CommitID.
func parseStreamID(s string) (streamid.StreamID, error) {
	id, err := streamid.Parse(s)
	if errors.Is(err, streamid.ErrUnexpectedCommit) {
		return id, &notStreamIDError{input: s, err: err}
	}
	return id, err
}

// loadRef loads what ref names: a CommitID gives the state at that commit, a StreamID with
// atTime the state at the last anchor at or before that time, and a plain StreamID the
// current state. It returns the StreamID of the stream.
func (h *handler) loadRef(ctx context.Context, ref string, o requestOpts) (streamid.StreamID, *streams.State, error) {
	if o.err != nil {
		return streamid.StreamID{}, nil, o.err
	}
	id, commit, err := streamid.ParseAny(ref)
	if err != nil {
		return id, nil, err
	}
	st, err := h.load(ctx, id, commit, o)
	return id, st, err
}

// load is loadRef for an identifier already parsed.
func (h *handler) load(ctx context.Context, id streamid.StreamID, commit *streamid.CommitID, o requestOpts) (*streams.State, error) {
	switch {
	case commit != nil:
		return h.streams.LoadAtCommit(ctx, *commit, o.load)
	case o.atTime != nil:
		return h.streams.LoadAtTime(ctx, id, *o.atTime, o.load)
	default:
		return h.streams.Load(ctx, id, o.load)
	}
}

// getStream serves GET /streams/{streamid}: the state of a stream, or of one of its commits,
// with load options from the query string.
func (h *handler) getStream(w http.ResponseWriter, r *http.Request) error {
	id, st, err := h.loadRef(r.Context(), pathParam(r, "streamid"), h.parseOpts(parseQuery(r.URL.Query())))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, stateResponse{StreamID: id.String(), State: st})
}

// getStreamContent serves GET /streams/{streamid}/content: the content users see (the
// pending content if there is any, else the anchored content), which may be any JSON value.
func (h *handler) getStreamContent(w http.ResponseWriter, r *http.Request) error {
	_, st, err := h.loadRef(r.Context(), pathParam(r, "streamid"), h.parseOpts(parseQuery(r.URL.Query())))
	if err != nil {
		return err
	}
	content, err := currentContentJSON(st)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, content)
}

// currentContentJSON returns next.content ?? content of the serialized state, so that the
// content is encoded exactly as in the state (CIDs and bytes included). The state's own
// serialization is used (computed once per cached state, and without HTML escapes).
func currentContentJSON(st *streams.State) (json.RawMessage, error) {
	raw, err := st.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("api: encoding state: %w", err)
	}
	var s struct {
		Content json.RawMessage `json:"content"`
		Next    *struct {
			Content json.RawMessage `json:"content"`
		} `json:"next"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("api: decoding state: %w", err)
	}
	if s.Next != nil && len(s.Next.Content) > 0 && string(s.Next.Content) != "null" {
		return s.Next.Content, nil
	}
	if len(s.Content) == 0 {
		return json.RawMessage("null"), nil
	}
	return s.Content, nil
}

// createRequest is the body of POST /streams and of the 2.x POST /documents.
type createRequest struct {
	Type    any            `json:"type"`
	Doctype any            `json:"doctype"` // 2.x: the type name
	Genesis any            `json:"genesis"`
	Opts    map[string]any `json:"opts"`
	DocOpts map[string]any `json:"docOpts"` // 2.x name of opts
}

// opts returns opts, or the 2.x docOpts when opts is absent.
func (c *createRequest) opts() map[string]any {
	if c.Opts != nil {
		return c.Opts
	}
	return c.DocOpts
}

// streamType reads the "type" number of a create request, or the 2.x "doctype" name.
func (c *createRequest) streamType() (streamid.Type, error) {
	if c.Type == nil {
		if name, ok := c.Doctype.(string); ok {
			t, err := streamid.TypeByName(name)
			if err != nil {
				return 0, BadRequest(err)
			}
			return t, nil
		}
		return 0, BadRequest(errors.New("type is required: the number of the stream type, such as 0 for a TileDocument"))
	}
	n, ok := c.Type.(float64)
	if !ok || n < 0 || n != math.Trunc(n) || n > 1<<53 {
		return 0, BadRequest(fmt.Errorf("invalid stream type %v: expected a stream type number, such as 0 for a TileDocument", jsonText(c.Type)))
	}
	return streamid.Type(n), nil
}

// createStream serves POST /streams: it stores a genesis commit and returns the stream,
// which may already exist (a deterministic genesis).
func (h *handler) createStream(w http.ResponseWriter, r *http.Request) error {
	id, st, err := h.create(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, stateResponse{StreamID: id.String(), State: st})
}

// create decodes and performs a create request.
func (h *handler) create(r *http.Request) (streamid.StreamID, *streams.State, error) {
	var req createRequest
	if err := decodeJSON(r, &req); err != nil {
		return streamid.StreamID{}, nil, err
	}
	t, err := req.streamType()
	if err != nil {
		return streamid.StreamID{}, nil, err
	}
	if req.Genesis == nil {
		return streamid.StreamID{}, nil, BadRequest(errors.New("genesis is required: the genesis commit of the stream"))
	}
	genesis, err := codec.ParseWireCommitValue(req.Genesis)
	if err != nil {
		return streamid.StreamID{}, nil, err
	}
	st, err := h.streams.CreateFromGenesis(r.Context(), t, genesis, h.writeOptions(h.parseOpts(req.opts())))
	if err != nil {
		return streamid.StreamID{}, nil, err
	}
	return st.ID(), st, nil
}

// getCommits serves GET /commits/{streamid}: every commit of the stream's log, oldest first.
// A CommitID is refused.
func (h *handler) getCommits(w http.ResponseWriter, r *http.Request) error {
	id, err := parseStreamID(pathParam(r, "streamid"))
	if err != nil {
		return err
	}
	recs, err := h.streams.Commits(r.Context(), id, h.parseOpts(parseQuery(r.URL.Query())).load)
	if err != nil {
		return err
	}
	resp := commitsResponse{StreamID: id.String(), DocID: id.String(), Commits: make([]commitRecord, len(recs))}
	for i, c := range recs {
		resp.Commits[i] = commitRecord{CID: c.CID.String(), Value: c.Value}
	}
	return writeJSON(w, http.StatusOK, resp)
}

// applyRequest is the body of POST /commits (and of the 2.x POST /records).
type applyRequest struct {
	StreamID string         `json:"streamId"`
	DocID    string         `json:"docId"` // 2.x name of streamId
	Commit   any            `json:"commit"`
	Opts     map[string]any `json:"opts"`
	DocOpts  map[string]any `json:"docOpts"` // 2.x name of opts
}

// errApplyMissing is the js daemon's answer to a commit request without a stream or commit.
var errApplyMissing = BadRequest(errors.New("streamId and commit are required in order to apply commit"))

// applyCommit serves POST /commits: it applies a client's commit to a stream. A read-only
// node refuses it.
func (h *handler) applyCommit(w http.ResponseWriter, r *http.Request) error {
	if h.opts.ReadOnly {
		return streams.ErrReadOnly
	}
	var req applyRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	ref, opts := req.StreamID, req.Opts
	if ref == "" {
		ref = req.DocID
	}
	if opts == nil {
		opts = req.DocOpts
	}
	if ref == "" || req.Commit == nil {
		return errApplyMissing
	}
	id, err := parseStreamID(ref)
	if err != nil {
		return err
	}
	commit, err := codec.ParseWireCommitValue(req.Commit)
	if err != nil {
		return err
	}
	st, err := h.streams.ApplyCommit(r.Context(), id, commit, h.writeOptions(h.parseOpts(opts)))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, stateResponse{StreamID: id.String(), DocID: id.String(), State: st})
}

// supportedChains serves GET /node/chains: {"supportedChains": [...]}. A read-only node
// computes no chains and answers {}, as the js daemon does.
func (h *handler) supportedChains(w http.ResponseWriter, _ *http.Request) error {
	if h.opts.ReadOnly {
		return writeJSON(w, http.StatusOK, struct{}{})
	}
	var chains []string
	if h.opts.SupportedChains != nil {
		chains = h.opts.SupportedChains()
	}
	if chains == nil {
		chains = []string{}
	}
	return writeJSON(w, http.StatusOK, struct {
		SupportedChains []string `json:"supportedChains"`
	}{chains})
}

// jsonText renders a decoded JSON value for an error message.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// requestAnchor serves POST /streams/{streamid}/anchor: it asks for an anchor of the stream's
// tip and answers {streamId, anchorStatus} with the status as a number (unlike in states,
// where it is a name).
func (h *handler) requestAnchor(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Opts map[string]any `json:"opts"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	o := h.parseOpts(body.Opts)
	if o.err != nil {
		return o.err
	}
	id, err := parseStreamID(pathParam(r, "streamid"))
	if err != nil {
		return err
	}
	status, err := h.streams.RequestAnchor(r.Context(), id, o.load)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"streamId": id.String(), "anchorStatus": int(status)})
}
