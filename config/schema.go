package config

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// kind is the JSON type a config key accepts.
type kind int

const (
	kindString  kind = iota // a JSON string
	kindBool                // true or false
	kindInt                 // an integral JSON number
	kindPort                // an integral number or a numeric string, 0..65535
	kindStrings             // an array of strings
)

// keySpec describes one known key of daemon.config.json.
type keySpec struct {
	// key is the dotted name, "section.key".
	key  string
	kind kind
	// allowed describes the accepted values, in type errors and in validation errors.
	allowed string
	// secret values are never quoted in messages.
	secret bool
	// path values are expanded relative to the config file's directory.
	path bool
	// field returns a pointer to the Config field the key decodes into.
	field func(c *Config) any
}

// Texts shared by several keys.
const (
	allowedString   = "a string"
	allowedBool     = "true or false"
	allowedStrings  = "a list of strings"
	allowedPort     = "an integer from 0 to 65535"
	allowedHTTPURL  = "an http:// or https:// URL"
	allowedSeedURL  = SeedURLPrefix + "<64 hex digits>"
	allowedDir      = "a directory path"
	allowedHostname = "a host name or IP address"
)

// Keys of the node seed. js-ceramic reads both spellings; its messages name the first.
const (
	keySeed      = "node.private-seed-url"
	keySeedCamel = "node.privateSeedUrl"
)

// schema lists every key this package reads, in file order.
var schema = []keySpec{
	{key: "anchor.anchor-service-url", kind: kindString, allowed: allowedHTTPURL, field: func(c *Config) any { return &c.Anchor.AnchorServiceURL }},
	{key: "anchor.auth-method", kind: kindString, allowed: `"did" or unset`, field: func(c *Config) any { return &c.Anchor.AuthMethod }},
	{key: "anchor.ethereum-rpc-url", kind: kindString, allowed: "an Ethereum JSON-RPC URL", field: func(c *Config) any { return &c.Anchor.EthereumRPCURL }},

	{key: "http-api.hostname", kind: kindString, allowed: allowedHostname, field: func(c *Config) any { return &c.HTTPAPI.Hostname }},
	{key: "http-api.port", kind: kindPort, allowed: allowedPort, field: func(c *Config) any { return &c.HTTPAPI.Port }},
	{key: "http-api.cors-allowed-origins", kind: kindStrings, allowed: "a list of regular expressions in Go syntax", field: func(c *Config) any { return &c.HTTPAPI.CORSAllowedOrigins }},
	{key: "http-api.admin-dids", kind: kindStrings, allowed: "a list of DIDs", field: func(c *Config) any { return &c.HTTPAPI.AdminDIDs }},

	{key: "ipfs.mode", kind: kindString, allowed: `"bundled" or "remote"`, field: func(c *Config) any { return &c.IPFS.Mode }},
	{key: "ipfs.host", kind: kindString, allowed: allowedHTTPURL, field: func(c *Config) any { return &c.IPFS.Host }},
	{key: "ipfs.pinning-endpoints", kind: kindStrings, allowed: `a list of "ipfs+context", "ipfs+http://host:port" or "ipfs+https://host:port"`, field: func(c *Config) any { return &c.IPFS.PinningEndpoints }},
	{key: "ipfs.disable-peer-data-sync", kind: kindBool, allowed: allowedBool, field: func(c *Config) any { return &c.IPFS.DisablePeerDataSync }},
	{key: "ipfs.datastore", kind: kindString, allowed: `"pebbleds" or "flatfs"`, field: func(c *Config) any { return &c.IPFS.Datastore }},
	{key: "ipfs.repo-path", kind: kindString, allowed: allowedDir, path: true, field: func(c *Config) any { return &c.IPFS.RepoPath }},
	{key: "ipfs.swarm-addresses", kind: kindStrings, allowed: "a list of multiaddrs", field: func(c *Config) any { return &c.IPFS.SwarmAddresses }},
	{key: "ipfs.announce-addresses", kind: kindStrings, allowed: "a list of multiaddrs", field: func(c *Config) any { return &c.IPFS.AnnounceAddresses }},
	{key: "ipfs.bootstrap-peers", kind: kindStrings, allowed: "a list of multiaddrs", field: func(c *Config) any { return &c.IPFS.BootstrapPeers }},
	{key: "ipfs.api-address", kind: kindString, allowed: "a multiaddr", field: func(c *Config) any { return &c.IPFS.APIAddress }},
	{key: "ipfs.healthcheck-enabled", kind: kindBool, allowed: allowedBool, field: func(c *Config) any { return &c.IPFS.HealthcheckEnabled }},
	{key: "ipfs.healthcheck-port", kind: kindPort, allowed: allowedPort, field: func(c *Config) any { return &c.IPFS.HealthcheckPort }},
	{key: "ipfs.s3-bucket", kind: kindString, allowed: "an S3 bucket name", field: func(c *Config) any { return &c.IPFS.S3Bucket }},
	{key: "ipfs.s3-region", kind: kindString, allowed: "an AWS region", field: func(c *Config) any { return &c.IPFS.S3Region }},
	{key: "ipfs.s3-root-directory", kind: kindString, allowed: "an object key prefix", field: func(c *Config) any { return &c.IPFS.S3RootDirectory }},
	{key: "ipfs.s3-endpoint", kind: kindString, allowed: allowedHTTPURL, field: func(c *Config) any { return &c.IPFS.S3Endpoint }},
	{key: "ipfs.s3-key-transform", kind: kindString, allowed: `"default", "suffix" or "next-to-last/2"`, field: func(c *Config) any { return &c.IPFS.S3KeyTransform }},
	{key: "ipfs.healthcheck-hostname", kind: kindString, allowed: allowedHostname, field: func(c *Config) any { return &c.IPFS.HealthcheckHostname }},

	{key: "logger.log-level", kind: kindInt, allowed: "an integer from 0 to 3", field: func(c *Config) any { return &c.Logger.LogLevel }},
	{key: "logger.log-to-files", kind: kindBool, allowed: allowedBool, field: func(c *Config) any { return &c.Logger.LogToFiles }},
	{key: "logger.log-directory", kind: kindString, allowed: allowedDir, path: true, field: func(c *Config) any { return &c.Logger.LogDirectory }},

	{key: "metrics.metrics-exporter-enabled", kind: kindBool, allowed: allowedBool, field: func(c *Config) any { return &c.Metrics.MetricsExporterEnabled }},
	{key: "metrics.collector-host", kind: kindString, allowed: allowedHostname, field: func(c *Config) any { return &c.Metrics.CollectorHost }},
	{key: "metrics.prometheus-exporter-enabled", kind: kindBool, allowed: allowedBool, field: func(c *Config) any { return &c.Metrics.PrometheusExporterEnabled }},
	{key: "metrics.prometheus-exporter-port", kind: kindPort, allowed: allowedPort, field: func(c *Config) any { return &c.Metrics.PrometheusExporterPort }},
	{key: "metrics.prometheus-exporter-hostname", kind: kindString, allowed: allowedHostname, field: func(c *Config) any { return &c.Metrics.PrometheusExporterHostname }},

	{key: "network.name", kind: kindString, allowed: "one of " + strings.Join(SupportedNetworks(), ", ") + `; "elp" is read as mainnet`, field: func(c *Config) any { return &c.Network.Name }},
	{key: "network.pubsub-topic", kind: kindString, allowed: "a topic, only on the local and inmemory networks", field: func(c *Config) any { return &c.Network.PubsubTopic }},

	{key: keySeed, kind: kindString, allowed: allowedSeedURL, secret: true, field: func(c *Config) any { return &c.Node.PrivateSeedURL }},
	{key: keySeedCamel, kind: kindString, allowed: allowedSeedURL, secret: true, field: func(c *Config) any { return &c.Node.PrivateSeedURL }},
	{key: "node.readOnly", kind: kindBool, allowed: allowedBool, field: func(c *Config) any { return &c.Node.ReadOnly }},
	{key: "node.gateway", kind: kindBool, allowed: allowedBool, field: func(c *Config) any { return &c.Node.Gateway }},
	{key: "node.sync-override", kind: kindString, allowed: `"prefer-cache", "sync-always", "never-sync" or unset`, field: func(c *Config) any { return &c.Node.SyncOverride }},
	{key: "node.disable-pubsub-updates", kind: kindBool, allowed: allowedBool, field: func(c *Config) any { return &c.Node.DisablePubsubUpdates }},
	{key: "node.stream-cache-limit", kind: kindInt, allowed: "an integer of at least 1", field: func(c *Config) any { return &c.Node.StreamCacheLimit }},

	{key: "state-store.mode", kind: kindString, allowed: `"fs", "s3" or unset`, field: func(c *Config) any { return &c.StateStore.Mode }},
	{key: "state-store.local-directory", kind: kindString, allowed: allowedDir, path: true, field: func(c *Config) any { return &c.StateStore.LocalDirectory }},
	{key: "state-store.s3-bucket", kind: kindString, allowed: "a bucket name, optionally followed by /path", field: func(c *Config) any { return &c.StateStore.S3Bucket }},
	{key: "state-store.s3-endpoint", kind: kindString, allowed: "an S3 endpoint URL", field: func(c *Config) any { return &c.StateStore.S3Endpoint }},

	{key: "indexing.db", kind: kindString, allowed: "a sqlite:, sqlite3:, postgres: or postgresql: URL", field: func(c *Config) any { return &c.Indexing.DB }},
	{key: "indexing.allow-queries-before-historical-sync", kind: kindBool, allowed: allowedBool, field: func(c *Config) any { return &c.Indexing.AllowQueriesBeforeHistoricalSync }},
	{key: "indexing.disable-composedb", kind: kindBool, allowed: allowedBool, field: func(c *Config) any { return &c.Indexing.DisableComposeDB }},
	{key: "indexing.enable-historical-sync", kind: kindBool, allowed: allowedBool, field: func(c *Config) any { return &c.Indexing.EnableHistoricalSync }},

	{key: "anchor-service.enabled", kind: kindBool, allowed: allowedBool, field: func(c *Config) any { return &c.AnchorService.Enabled }},
	{key: "anchor-service.ethereum-rpc-url", kind: kindString, allowed: allowedHTTPURL, field: func(c *Config) any { return &c.AnchorService.EthereumRPCURL }},
	{key: "anchor-service.chain-id", kind: kindString, allowed: `an EVM chain as CAIP-2, such as "eip155:100"`, field: func(c *Config) any { return &c.AnchorService.ChainID }},
	{key: "anchor-service.contract-address", kind: kindString, allowed: "a 0x-prefixed 20-byte hex address", field: func(c *Config) any { return &c.AnchorService.ContractAddress }},
	{key: "anchor-service.private-key-file", kind: kindString, allowed: "a file path", path: true, field: func(c *Config) any { return &c.AnchorService.PrivateKeyFile }},
	{key: "anchor-service.interval-seconds", kind: kindInt, allowed: "an integer of at least 1", field: func(c *Config) any { return &c.AnchorService.IntervalSeconds }},
	{key: "anchor-service.max-batch", kind: kindInt, allowed: "an integer of at least 1", field: func(c *Config) any { return &c.AnchorService.MaxBatch }},
	{key: "anchor-service.confirmations", kind: kindInt, allowed: "an integer of at least 1", field: func(c *Config) any { return &c.AnchorService.Confirmations }},
	{key: "anchor-service.hostname", kind: kindString, allowed: allowedHostname, field: func(c *Config) any { return &c.AnchorService.Hostname }},
	{key: "anchor-service.port", kind: kindPort, allowed: allowedPort, field: func(c *Config) any { return &c.AnchorService.Port }},
	{key: "anchor-service.allowed-dids", kind: kindStrings, allowed: "a list of DIDs", field: func(c *Config) any { return &c.AnchorService.AllowedDIDs }},
	{key: "anchor-service.local-directory", kind: kindString, allowed: allowedDir, path: true, field: func(c *Config) any { return &c.AnchorService.LocalDirectory }},
}

// specs indexes schema by key; sections holds the top-level section names.
var specs, sections = indexSchema(schema)

func indexSchema(list []keySpec) (map[string]*keySpec, map[string]bool) {
	byKey := make(map[string]*keySpec, len(list))
	secs := make(map[string]bool)
	for i := range list {
		byKey[list[i].key] = &list[i]
		section, _, _ := strings.Cut(list[i].key, ".")
		secs[section] = true
	}
	return byKey, secs
}

// legacyKeys are keys that only js-ceramic 2.x used; they are accepted and ignored. The
// value says what replaced them, if anything. A section name stands for the whole section.
var legacyKeys = map[string]string{
	"metrics.metrics-port": "3.x serves Prometheus metrics with metrics.prometheus-exporter-enabled and metrics.prometheus-exporter-port",
	"indexing.models":      "3.x indexes the models added through the admin API",
	"did-resolvers":        "the DID resolvers are built in",
}

// unusedKeys are keys that js-ceramic 3.x declares but never reads.
var unusedKeys = map[string]string{
	"node.disable-composedb": "indexing.disable-composedb",
}

// allowedFor returns the allowed-values text of key; an index suffix ("[2]") is ignored.
func allowedFor(key string) string {
	if spec, ok := specs[baseKey(key)]; ok {
		return spec.allowed
	}
	return ""
}

// baseKey strips a list index from a key: "ipfs.pinning-endpoints[1]" → "ipfs.pinning-endpoints".
func baseKey(key string) string {
	if i := strings.IndexByte(key, '['); i >= 0 {
		return key[:i]
	}
	return key
}

// check reports whether raw has the JSON type the key accepts. Ports are also range-checked
// here, because the Port decoder rejects out-of-range values.
func (s *keySpec) check(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return false
	}
	switch s.kind {
	case kindString:
		return raw[0] == '"'
	case kindBool:
		return string(raw) == "true" || string(raw) == "false"
	case kindInt:
		_, err := strconv.ParseInt(string(raw), 10, 0)
		return err == nil
	case kindPort:
		text := string(raw)
		if raw[0] == '"' {
			if err := json.Unmarshal(raw, &text); err != nil {
				return false
			}
		}
		_, err := ParsePort(text)
		return err == nil
	case kindStrings:
		var items []json.RawMessage
		if raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
			return false
		}
		for _, item := range items {
			if len(item) == 0 || item[0] != '"' {
				return false
			}
		}
		return true
	}
	return false
}
