package config

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// Ceramic network names.
const (
	NetworkMainnet     = "mainnet"
	NetworkTestnetClay = "testnet-clay"
	NetworkDevUnstable = "dev-unstable"
	NetworkLocal       = "local"
	NetworkInMemory    = "inmemory"
	// NetworkELP is the js-ceramic 2.x name of the production network. It is read as
	// mainnet; a node that finds it should still look for state stored under "elp".
	NetworkELP = "elp"
)

// NetworkInfo is what a node needs to know about a Ceramic network.
type NetworkInfo struct {
	// Name is the canonical network name (mainnet for elp).
	Name string
	// PubsubTopic is the network's fixed pub/sub topic. It is empty for networks whose
	// topic is random per process unless configured (see RandomTopicPrefix).
	PubsubTopic string
	// RandomTopicPrefix, for local and inmemory, is the prefix of the topic picked when none
	// is configured: the prefix followed by a random uint32 in decimal.
	RandomTopicPrefix string
	// DefaultAnchorServiceURL is the CAS used when anchor.anchor-service-url is unset. It is
	// empty for inmemory, which anchors with an in-process fake.
	DefaultAnchorServiceURL string
	// AllowedAnchorServiceURLs, when CustomAnchorServiceAllowed is false, lists the only
	// accepted CAS URLs (without trailing slashes).
	AllowedAnchorServiceURLs []string
	// CustomAnchorServiceAllowed says whether any CAS URL may be configured.
	CustomAnchorServiceAllowed bool
	// AnchorChains are the chains the network anchors to, in order of preference. The node
	// anchors to the first one that the CAS supports.
	AnchorChains []string
	// CustomTopicAllowed says whether network.pubsub-topic may be set.
	CustomTopicAllowed bool
	// DefaultEthereumRPCURL is the Ethereum JSON-RPC endpoint used when
	// anchor.ethereum-rpc-url is unset; empty means the node's per-chain default.
	DefaultEthereumRPCURL string
	// BootstrapPeers are the multiaddrs the node connects to at startup and every hour.
	BootstrapPeers []string
}

// networks is the table of known networks, in the order they are listed to operators.
var networks = []NetworkInfo{
	{
		Name:                    NetworkMainnet,
		PubsubTopic:             "/ceramic/mainnet",
		DefaultAnchorServiceURL: "https://cas.3boxlabs.com",
		AllowedAnchorServiceURLs: []string{
			"https://cas.3boxlabs.com",
			"https://cas-internal.3boxlabs.com",
			"https://cas-direct.3boxlabs.com",
		},
		AnchorChains: []string{"eip155:1"},
		BootstrapPeers: []string{
			"/dns4/go-ipfs-ceramic-private-mainnet-external.3boxlabs.com/tcp/4011/ws/p2p/QmXALVsXZwPWTUbsT8G6VVzzgTJaAWRUD7FWL5f7d5ubAL",
			"/dns4/go-ipfs-ceramic-private-cas-mainnet-external.3boxlabs.com/tcp/4011/ws/p2p/QmUvEKXuorR7YksrVgA7yKGbfjWHuCRisw2cH9iqRVM9P8",
		},
	},
	{
		Name:                       NetworkTestnetClay,
		PubsubTopic:                "/ceramic/testnet-clay",
		DefaultAnchorServiceURL:    "https://cas-clay.3boxlabs.com",
		CustomAnchorServiceAllowed: true,
		AnchorChains:               []string{"eip155:3", "eip155:4", "eip155:100"},
		BootstrapPeers: []string{
			"/dns4/go-ipfs-ceramic-public-clay-external.3boxlabs.com/tcp/4011/ws/p2p/QmWiY3CbNawZjWnHXx3p3DXsg21pZYTj4CRY1iwMkhP8r3",
			"/dns4/go-ipfs-ceramic-private-clay-external.3boxlabs.com/tcp/4011/ws/p2p/QmQotCKxiMWt935TyCBFTN23jaivxwrZ3uD58wNxeg5npi",
			"/dns4/go-ipfs-ceramic-private-cas-clay-external.3boxlabs.com/tcp/4011/ws/p2p/QmbeBTzSccH8xYottaYeyVX8QsKyox1ExfRx7T1iBqRyCd",
		},
	},
	{
		Name:                       NetworkDevUnstable,
		PubsubTopic:                "/ceramic/dev-unstable",
		DefaultAnchorServiceURL:    "https://cas-qa.3boxlabs.com",
		CustomAnchorServiceAllowed: true,
		AnchorChains:               []string{"eip155:3", "eip155:4", "eip155:5"},
		BootstrapPeers: []string{
			"/dns4/ipfs-ceramic-public-qa-swarm.3boxlabs.com/tcp/4010/p2p/QmPP3RdaSWDkhcxZReGo591FWanLw9ucvgmUZhtSLt9t6D",
			"/dns4/ipfs-ceramic-private-qa-swarm.3boxlabs.com/tcp/4010/p2p/12D3KooWAQvp6Wnqho9ririWvbmtodnNQX9GECQEps2gb6kwBf2h",
			"/dns4/ipfs-ceramic-private-cas-qa-swarm.3boxlabs.com/tcp/4010/p2p/QmRvJ4HX4N6H26NgtqjoJEUyaDyDRUhGESP1aoyCJE1X1b",
		},
	},
	{
		Name:                       NetworkLocal,
		RandomTopicPrefix:          "/ceramic/local-",
		DefaultAnchorServiceURL:    "http://localhost:8081",
		CustomAnchorServiceAllowed: true,
		AnchorChains:               []string{"eip155:1337"},
		CustomTopicAllowed:         true,
		DefaultEthereumRPCURL:      "http://localhost:7545",
	},
	{
		Name:                       NetworkInMemory,
		RandomTopicPrefix:          "/ceramic/inmemory-",
		CustomAnchorServiceAllowed: true,
		AnchorChains:               []string{"inmemory:12345"},
		CustomTopicAllowed:         true,
	},
}

// LookupNetwork returns the network called name. "elp" returns mainnet's information. The
// returned slices are copies the caller may keep and change.
func LookupNetwork(name string) (NetworkInfo, bool) {
	if name == NetworkELP {
		name = NetworkMainnet
	}
	for _, n := range networks {
		if n.Name == name {
			n.AllowedAnchorServiceURLs = slices.Clone(n.AllowedAnchorServiceURLs)
			n.AnchorChains = slices.Clone(n.AnchorChains)
			n.BootstrapPeers = slices.Clone(n.BootstrapPeers)
			return n, true
		}
	}
	return NetworkInfo{}, false
}

// SupportedNetworks returns the canonical network names: mainnet, testnet-clay,
// dev-unstable, local and inmemory. The elp alias is not listed.
func SupportedNetworks() []string {
	names := make([]string, len(networks))
	for i, n := range networks {
		names[i] = n.Name
	}
	return names
}

// Topic returns the pub/sub topic to use given the configured network.pubsub-topic
// (override, empty when unset). Networks with a fixed topic refuse an override. Networks
// with a random topic use the override if there is one, else pick one with 4 bytes from r
// (crypto/rand when r is nil).
func (n NetworkInfo) Topic(override string, r io.Reader) (string, error) {
	if override != "" {
		if !n.CustomTopicAllowed {
			return "", fmt.Errorf("config: network %s: %s", n.Name, errTopicNotAllowed)
		}
		return override, nil
	}
	if n.PubsubTopic != "" {
		return n.PubsubTopic, nil
	}
	if r == nil {
		r = rand.Reader
	}
	var b [4]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("config: pick a random pub/sub topic for network %s: %w", n.Name, err)
	}
	return n.RandomTopicPrefix + strconv.FormatUint(uint64(binary.BigEndian.Uint32(b[:])), 10), nil
}

// errTopicNotAllowed is js-ceramic's message for a custom topic on a public network.
const errTopicNotAllowed = "Specifying pub/sub topic is only supported for the 'inmemory' and 'local' networks"

// Canonical returns the network name that the network rules apply to: the configured name,
// except that the 2.x name "elp" becomes "mainnet". Name itself keeps what was configured.
func (n Network) Canonical() string {
	if n.Name == NetworkELP {
		return NetworkMainnet
	}
	return n.Name
}

// Info returns the table entry of the configured network (mainnet for elp).
func (n Network) Info() (NetworkInfo, bool) {
	return LookupNetwork(n.Name)
}
