package p2p

import (
	"context"
	"fmt"
	"sync"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
)

// Libp2pPubSub adapts a go-libp2p-pubsub router (the embedded IPFS node's) to [PubSub].
// It joins each topic once and keeps the handle for the router's lifetime.
type Libp2pPubSub struct {
	ps *pubsub.PubSub

	mu     sync.Mutex
	topics map[string]*pubsub.Topic
}

// NewLibp2pPubSub wraps ps.
func NewLibp2pPubSub(ps *pubsub.PubSub) *Libp2pPubSub {
	return &Libp2pPubSub{ps: ps, topics: map[string]*pubsub.Topic{}}
}

func (l *Libp2pPubSub) topic(name string) (*pubsub.Topic, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t, ok := l.topics[name]; ok {
		return t, nil
	}
	t, err := l.ps.Join(name)
	if err != nil {
		return nil, fmt.Errorf("join topic %s: %w", name, err)
	}
	l.topics[name] = t
	return t, nil
}

// Publish signs and sends data on topic.
func (l *Libp2pPubSub) Publish(ctx context.Context, topic string, data []byte) error {
	t, err := l.topic(topic)
	if err != nil {
		return err
	}
	return t.Publish(ctx, data)
}

// Subscribe subscribes to topic.
func (l *Libp2pPubSub) Subscribe(_ context.Context, topic string) (Subscription, error) {
	t, err := l.topic(topic)
	if err != nil {
		return nil, err
	}
	sub, err := t.Subscribe()
	if err != nil {
		return nil, fmt.Errorf("subscribe %s: %w", topic, err)
	}
	return libp2pSub{sub}, nil
}

// Peers lists the peers known to be subscribed to topic.
func (l *Libp2pPubSub) Peers(_ context.Context, topic string) ([]string, error) {
	ids := l.ps.ListPeers(topic)
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out, nil
}

type libp2pSub struct{ sub *pubsub.Subscription }

func (s libp2pSub) Next(ctx context.Context) (Delivery, error) {
	m, err := s.sub.Next(ctx)
	if err != nil {
		return Delivery{}, err
	}
	return Delivery{From: m.GetFrom().String(), Data: m.Data}, nil
}

func (s libp2pSub) Close() error {
	s.sub.Cancel()
	return nil
}
