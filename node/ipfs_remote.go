package node

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ipfs/boxo/path"
	"github.com/ipfs/go-cid"
	"github.com/ipfs/kubo/client/rpc"
	coreiface "github.com/ipfs/kubo/core/coreiface"
	coreopts "github.com/ipfs/kubo/core/coreiface/options"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/goceramic/ceramic/p2p"
)

// remoteIPFS is an external kubo reached over its RPC API (ipfs.mode "remote").
type remoteIPFS struct {
	url    string
	client *rpc.HttpApi

	id, agent string
}

func openRemote(host string) (*remoteIPFS, error) {
	url := strings.TrimRight(host, "/")
	url = strings.TrimSuffix(url, "/api/v0") // ipfs-http-client accepts both forms
	// No client-wide timeout: pubsub subscriptions are long-lived streaming requests. Every
	// other call is bounded by its context.
	c, err := rpc.NewURLApiWithClient(url, &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()})
	if err != nil {
		return nil, fmt.Errorf("create IPFS RPC client for %s: %w", url, err)
	}
	return &remoteIPFS{url: url, client: c}, nil
}

type idResponse struct {
	ID           string
	Addresses    []string
	AgentVersion string
}

func (r *remoteIPFS) identify(ctx context.Context) (idResponse, error) {
	var out idResponse
	if err := r.client.Request("id").Exec(ctx, &out); err != nil {
		return out, fmt.Errorf("IPFS API at %s is unreachable: %w", r.url, err)
	}
	return out, nil
}

func (r *remoteIPFS) start(ctx context.Context) error {
	id, err := r.identify(ctx)
	if err != nil {
		return err
	}
	if id.ID == "" {
		return fmt.Errorf("IPFS API at %s returned no peer ID", r.url)
	}
	r.id, r.agent = id.ID, id.AgentVersion
	return nil
}

func (r *remoteIPFS) api() coreiface.CoreAPI { return r.client }
func (r *remoteIPFS) pubsub() p2p.PubSub     { return coreAPIPubSub{r.client.PubSub()} }
func (r *remoteIPFS) peerID() string         { return r.id }
func (r *remoteIPFS) close() error           { return nil }

// hasLocal asks the remote node for the block without letting it search the network.
func (r *remoteIPFS) hasLocal(ctx context.Context, c cid.Cid) (bool, error) {
	offline, err := r.client.WithOptions(coreopts.Api.Offline(true))
	if err != nil {
		return false, err
	}
	if _, err := offline.Block().Stat(ctx, path.FromCid(c)); err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return false, nil
	}
	return true, nil
}

func (r *remoteIPFS) isPinned(ctx context.Context, c cid.Cid) (bool, error) {
	_, pinned, err := r.client.Pin().IsPinned(ctx, path.FromCid(c))
	return pinned, err
}

// pinDirect pins each block through the RPC API.
func (r *remoteIPFS) pinDirect(ctx context.Context, cids []cid.Cid) error {
	for _, c := range cids {
		if err := r.client.Pin().Add(ctx, path.FromCid(c), coreopts.Pin.Recursive(false)); err != nil {
			return fmt.Errorf("pin %s: %w", c, err)
		}
	}
	return nil
}

// sync is a no-op: the remote node decides its own durability.
func (r *remoteIPFS) sync(context.Context) error { return nil }

func (r *remoteIPFS) version() string {
	// AgentVersion reads like "kubo/0.26.0/" or "go-ipfs/0.12.0/".
	parts := strings.Split(r.agent, "/")
	if len(parts) >= 2 && parts[1] != "" {
		return parts[1]
	}
	return r.agent
}

func (r *remoteIPFS) listenAddrs(ctx context.Context) ([]ma.Multiaddr, error) {
	addrs, err := r.client.Swarm().ListenAddrs(ctx)
	if err != nil {
		return nil, err
	}
	return withPeerID(addrs, r.id)
}

// coreAPIPubSub adapts kubo's PubSub API (as served over RPC) to p2p.PubSub.
type coreAPIPubSub struct{ api coreiface.PubSubAPI }

func (c coreAPIPubSub) Publish(ctx context.Context, topic string, data []byte) error {
	return c.api.Publish(ctx, topic, data)
}

func (c coreAPIPubSub) Subscribe(ctx context.Context, topic string) (p2p.Subscription, error) {
	// The subscription outlives the call that opens it; it ends with Close.
	subCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	sub, err := c.api.Subscribe(subCtx, topic)
	if err != nil {
		cancel()
		return nil, err
	}
	return &coreAPISub{sub: sub, cancel: cancel}, nil
}

func (c coreAPIPubSub) Peers(ctx context.Context, topic string) ([]string, error) {
	ids, err := c.api.Peers(ctx, coreopts.PubSub.Topic(topic))
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out, nil
}

type coreAPISub struct {
	sub    coreiface.PubSubSubscription
	cancel context.CancelFunc
}

func (s *coreAPISub) Next(ctx context.Context) (p2p.Delivery, error) {
	m, err := s.sub.Next(ctx)
	if err != nil {
		return p2p.Delivery{}, err
	}
	if m == nil {
		return p2p.Delivery{}, errors.New("subscription ended")
	}
	return p2p.Delivery{From: m.From().String(), Data: m.Data()}, nil
}

func (s *coreAPISub) Close() error {
	s.cancel()
	return s.sub.Close()
}
