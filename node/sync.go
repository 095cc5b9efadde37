package node

import (
	"context"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/p2p"
	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/streamid"
)

// syncEngine is the stream engine as the pubsub syncer sees it.
type syncEngine struct{ n *Node }

func (e syncEngine) LocalTip(ctx context.Context, id streamid.StreamID) (cid.Cid, bool) {
	return e.n.streams.LocalTip(ctx, id)
}

func (e syncEngine) ApplyRemoteTip(ctx context.Context, id streamid.StreamID, tip cid.Cid) error {
	_, err := e.n.streams.ApplyRemoteTip(ctx, id, tip)
	return err
}

// networkQuerier lets the stream engine, made before the node starts, ask peers for tips
// once the syncer runs.
type networkQuerier struct{ n *Node }

func (q networkQuerier) QueryTips(ctx context.Context, id streamid.StreamID) (<-chan cid.Cid, error) {
	q.n.mu.Lock()
	s := q.n.syncer
	q.n.mu.Unlock()
	if s == nil {
		ch := make(chan cid.Cid)
		close(ch)
		return ch, nil
	}
	return s.QueryTips(ctx, id)
}

// defaultQueryRate is how many QUERY messages per second the node may publish when
// CERAMIC_PUBSUB_QPS_LIMIT is unset. js-ceramic allows 10, which makes a node that loads a
// thousand streams it has never seen take over 100 s; queries are small and answered only by
// nodes that hold the stream, so the node allows more.
const defaultQueryRate = 200

// startSync runs the Ceramic sync protocol on the pubsub topic: answering peers' queries,
// applying the tips they announce, and querying them for streams being loaded. With
// ipfs.disable-peer-data-sync the node does not sync from peers at all.
func (n *Node) startSync(ctx context.Context) error {
	if n.cfg.IPFS.DisablePeerDataSync {
		return nil
	}
	rate := n.cfg.Node.PubsubQPSLimit
	if rate <= 0 {
		rate = defaultQueryRate
	}
	s, err := p2p.NewSyncer(n.pubsub, syncEngine{n}, p2p.SyncConfig{
		QueryRate:  float64(rate),
		QueryQueue: 5 * rate,
		Logger:     n.log,
		Registerer: n.opts.registerer,
	})
	if err != nil {
		return err
	}
	s.Start(ctx)
	n.mu.Lock()
	n.syncer = s
	n.mu.Unlock()
	return nil
}

var (
	_ p2p.Engine         = syncEngine{}
	_ streams.TipQuerier = networkQuerier{}
)
