// Package p2p runs Ceramic's pubsub protocol on the network topic (/ceramic/<network>):
// the message codec (UPDATE, QUERY, RESPONSE, KEEPALIVE, byte-compatible with js-ceramic),
// the topic subscription with resubscription on failure, and keepalives.
//
// The transport is abstract ([PubSub]): the node adapts its IPFS node, embedded or remote,
// so this package never knows which one runs.
//
//	svc := p2p.New(ps, p2p.Config{Topic: "/ceramic/testnet-clay", SelfID: peerID})
//	if err := svc.Start(ctx); err != nil { ... }
//	defer svc.Close()
//	for m := range svc.Messages() { ... }
package p2p
