package api

import (
	"context"
	"fmt"

	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
)

// Streams is what the stream, commit, multiquery and pin routes need from the node's stream
// engine; *streams.Service implements it. Errors wrap the streams sentinels (ErrNotFound,
// ErrInvalidCommit, ErrUnauthorized, ErrSchema, ErrConflict, ErrReadOnly, ErrUnsupported),
// which the API maps to status codes.
type Streams interface {
	CreateFromGenesis(ctx context.Context, t streamid.Type, genesis *codec.WireCommit, opts streams.WriteOptions) (*streams.State, error)
	ApplyCommit(ctx context.Context, id streamid.StreamID, commit *codec.WireCommit, opts streams.WriteOptions) (*streams.State, error)
	Load(ctx context.Context, id streamid.StreamID, opts streams.LoadOptions) (*streams.State, error)
	LoadAtCommit(ctx context.Context, commit streamid.CommitID, opts streams.LoadOptions) (*streams.State, error)
	LoadAtTime(ctx context.Context, id streamid.StreamID, t int64, opts streams.LoadOptions) (*streams.State, error)
	Commits(ctx context.Context, id streamid.StreamID, opts streams.LoadOptions) ([]streams.CommitRecord, error)
	Pin(ctx context.Context, id streamid.StreamID, opts streams.LoadOptions) error
	Unpin(ctx context.Context, id streamid.StreamID, publish bool) error
	RequestAnchor(ctx context.Context, id streamid.StreamID, opts streams.LoadOptions) (streams.AnchorStatus, error)
	Pinned(ctx context.Context, only *streamid.StreamID) ([]string, error)
}

// NodeStatus is the node information GET /api/v0/admin/status reports.
type NodeStatus struct {
	RunID    string
	Network  string
	PeerID   string
	Addrs    []string
	Anchor   map[string]any // anchorServiceUrl, ethereumRpcEndpoint, chainId, pendingAnchors (when known)
	UptimeMs func() int64
}

var _ Streams = (*streams.Service)(nil)

// errNoStreams answers the stream routes of a handler built without Options.Streams.
var errNoStreams = fmt.Errorf("%w: this node serves no streams", streams.ErrUnsupported)

// noStreams is the Streams of a handler built without one: every call fails with
// errNoStreams.
type noStreams struct{}

func (noStreams) CreateFromGenesis(context.Context, streamid.Type, *codec.WireCommit, streams.WriteOptions) (*streams.State, error) {
	return nil, errNoStreams
}

func (noStreams) ApplyCommit(context.Context, streamid.StreamID, *codec.WireCommit, streams.WriteOptions) (*streams.State, error) {
	return nil, errNoStreams
}

func (noStreams) Load(context.Context, streamid.StreamID, streams.LoadOptions) (*streams.State, error) {
	return nil, errNoStreams
}

func (noStreams) LoadAtCommit(context.Context, streamid.CommitID, streams.LoadOptions) (*streams.State, error) {
	return nil, errNoStreams
}

func (noStreams) LoadAtTime(context.Context, streamid.StreamID, int64, streams.LoadOptions) (*streams.State, error) {
	return nil, errNoStreams
}

func (noStreams) Commits(context.Context, streamid.StreamID, streams.LoadOptions) ([]streams.CommitRecord, error) {
	return nil, errNoStreams
}

func (noStreams) Pin(context.Context, streamid.StreamID, streams.LoadOptions) error {
	return errNoStreams
}

func (noStreams) RequestAnchor(context.Context, streamid.StreamID, streams.LoadOptions) (streams.AnchorStatus, error) {
	return 0, errNoStreams
}

func (noStreams) Unpin(context.Context, streamid.StreamID, bool) error { return errNoStreams }

func (noStreams) Pinned(context.Context, *streamid.StreamID) ([]string, error) {
	return nil, errNoStreams
}
