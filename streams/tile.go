package streams

import (
	"context"
	"reflect"

	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/jsonpatch"
	"github.com/goceramic/ceramic/streams/streamid"
)

// tileHandler applies TileDocument commits.
type tileHandler struct{}

func (tileHandler) applyGenesis(ctx context.Context, env *applyEnv, id streamid.StreamID, cd *commitData) (*State, error) {
	g, err := codec.DecodeGenesis(cd.Body)
	if err != nil {
		return nil, &userError{kind: ErrInvalidCommit, msg: err.Error(), err: err}
	}
	controller, err := singleController(g.Header)
	if err != nil {
		return nil, invalid("invalid genesis commit %s: %v", cd.CID, err)
	}
	sig := SignatureGenesis
	if cd.JWS != nil {
		if _, err := verifySigned(env, cd, controller, id, ""); err != nil {
			return nil, err
		}
		sig = SignatureSigned
	} else if truthy(g.Data) {
		return nil, invalid("Genesis commit with contents should always be signed")
	}
	content := g.Data
	if !truthy(content) {
		content = map[string]any{}
	}
	st := &State{
		Type:      streamid.Tile,
		Content:   content,
		Metadata:  cloneMap(g.Header),
		Signature: sig,
		Log:       []LogEntry{logEntryFor(cd, CommitGenesis)},
	}
	if err := validateTileSchema(ctx, env, st.Metadata, st.Content); err != nil {
		return nil, err
	}
	return st, nil
}

func (tileHandler) applyData(ctx context.Context, env *applyEnv, st *State, cd *commitData) (*State, error) {
	d, err := codec.DecodeDataCommit(cd.Body)
	if err != nil {
		return nil, &userError{kind: ErrInvalidCommit, msg: err.Error(), err: err}
	}
	if err := assertLinks(st, &d.ID, d.Prev, cd.CID); err != nil {
		return nil, err
	}
	if cd.JWS == nil {
		return nil, invalid("TileDocument commit %s is not signed", cd.CID)
	}
	current := st.CurrentMetadata()
	if _, err := verifySigned(env, cd, controllerOf(current), st.ID(), ""); err != nil {
		return nil, err
	}
	if !d.HasHeader {
		return nil, invalid("invalid commit %s: a TileDocument commit needs a header (it may be empty)", cd.CID)
	}
	header := d.Header
	if hc, ok := header["controllers"]; ok && hc != nil {
		cs, ok := hc.([]any)
		if !ok || len(cs) != 1 || !truthy(cs[0]) {
			return nil, invalid("invalid commit %s: exactly one controller must be specified", cd.CID)
		}
	}
	if forbid, _ := current["forbidControllerChange"].(bool); forbid {
		if hc, ok := header["controllers"]; ok && hc != nil && !reflect.DeepEqual(hc, current["controllers"]) {
			return nil, invalid("Cannot change controllers since 'forbidControllerChange' is set.")
		}
	}
	if f, ok := header["forbidControllerChange"]; ok && !reflect.DeepEqual(f, current["forbidControllerChange"]) {
		return nil, invalid("Cannot change forbidControllerChange property on existing Streams")
	}
	ops, ok := d.Data.([]any)
	if !ok {
		return nil, invalid("invalid commit %s: data must be a JSON patch (an array of operations)", cd.CID)
	}
	content, err := jsonpatch.Apply(cloneValue(st.CurrentContent()), ops)
	if err != nil {
		return nil, invalid("invalid commit %s: %v", cd.CID, err)
	}
	// js-ceramic merges the header into the metadata shallowly and checks nothing more.
	metadata := cloneMap(current)
	for k, v := range header {
		metadata[k] = cloneValue(v)
	}
	if err := validateTileSchema(ctx, env, metadata, content); err != nil {
		return nil, err
	}
	next := st.Clone()
	next.Next = &Next{Content: content, HasContent: true, Metadata: metadata}
	next.Signature = SignatureSigned
	next.AnchorStatus = NotRequested
	next.Log = append(next.Log, logEntryFor(cd, CommitSigned))
	return next, nil
}

// validateTileSchema validates content when the metadata names a schema.
func validateTileSchema(ctx context.Context, env *applyEnv, metadata map[string]any, content any) error {
	s, ok := metadata["schema"]
	if !ok || s == nil {
		return nil
	}
	id, ok := s.(string)
	if !ok {
		return invalid("metadata.schema must be a CommitID string")
	}
	if env.schema == nil {
		return &userError{kind: ErrUnsupported, msg: "schema validation is not available"}
	}
	return env.schema(ctx, id, content)
}
