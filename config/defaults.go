package config

import (
	"net/url"
	"path/filepath"
	"slices"
	"strings"
)

// Values of the enumerated keys.
const (
	IPFSModeBundled = "bundled"
	IPFSModeRemote  = "remote"

	StateStoreModeFS = "fs"
	StateStoreModeS3 = "s3"

	SyncOverridePreferCache = "prefer-cache"
	SyncOverrideSyncAlways  = "sync-always"
	SyncOverrideNeverSync   = "never-sync"

	// AuthMethodDID authenticates to the anchor service with the node DID.
	AuthMethodDID = "did"
)

// Defaults of a daemon, independent of the machine.
const (
	DefaultHTTPHostname             = "0.0.0.0"
	DefaultHTTPPort            Port = 7007
	DefaultIPFSHost                 = "http://localhost:5001"
	DefaultPinningEndpoint          = "ipfs+context"
	DefaultSwarmAddress             = "/ip4/0.0.0.0/tcp/4011/ws"
	DefaultHealthcheckPort     Port = 8011
	DefaultHealthcheckHostname      = "0.0.0.0"
	DefaultPrometheusPort      Port = 9464
	DefaultPrometheusHostname       = "0.0.0.0"
	DefaultLogLevel                 = 2
	DefaultNetwork                  = NetworkInMemory
	DefaultStreamCacheLimit         = 500
)

// Default locations, relative to the home directory.
const (
	// DirName is the directory in the home directory that holds the daemon's files.
	DirName = ".ceramic"
	// FileName is the config file's name in DirName.
	FileName = "daemon.config.json"
)

// Default returns the effective defaults of a daemon that has no config file: network
// inmemory, bundled IPFS, HTTP API on 0.0.0.0:7007, log level 2, a stream cache of 500.
//
// The directories (logger.log-directory, state-store.local-directory, ipfs.repo-path) are
// left empty because they depend on the machine; [Load] fills them in. Note that the file
// js-ceramic generates on first start differs from these defaults (it selects
// testnet-clay, DID anchor auth and SQLite indexing, among others).
func Default() Config {
	level := DefaultLogLevel
	return Config{
		HTTPAPI: HTTPAPI{
			Hostname: DefaultHTTPHostname,
			Port:     DefaultHTTPPort,
		},
		IPFS: IPFS{
			Mode:                IPFSModeBundled,
			Host:                DefaultIPFSHost,
			PinningEndpoints:    []string{DefaultPinningEndpoint},
			SwarmAddresses:      []string{DefaultSwarmAddress},
			HealthcheckPort:     DefaultHealthcheckPort,
			HealthcheckHostname: DefaultHealthcheckHostname,
		},
		Logger:  Logger{LogLevel: &level},
		Metrics: Metrics{PrometheusExporterHostname: DefaultPrometheusHostname},
		Network: Network{Name: DefaultNetwork},
		Node:    Node{StreamCacheLimit: DefaultStreamCacheLimit},
	}
}

// Level returns the log level, DefaultLogLevel when unset.
func (l Logger) Level() int {
	if l.LogLevel == nil {
		return DefaultLogLevel
	}
	return *l.LogLevel
}

// PrometheusPort returns the Prometheus exporter port, DefaultPrometheusPort when unset.
func (m Metrics) PrometheusPort() Port {
	if m.PrometheusExporterPort == nil {
		return DefaultPrometheusPort
	}
	return *m.PrometheusExporterPort
}

// IsReadOnly reports whether the node runs read-only: readOnly, or the 2.x gateway key.
func (n Node) IsReadOnly() bool { return n.ReadOnly || n.Gateway }

// AnchorServiceURL returns the CAS base URL to use: anchor.anchor-service-url without
// trailing slashes, or the network's default when unset. It is empty for inmemory (which
// anchors in process) and for an unknown network.
func (c Config) AnchorServiceURL() string {
	if u := trimSlashes(c.Anchor.AnchorServiceURL); u != "" {
		return u
	}
	info, _ := c.Network.Info()
	return info.DefaultAnchorServiceURL
}

// Redacted returns a copy of c that is safe to log: the node seed becomes "<redacted>" and
// a password in indexing.db is masked. The slices are copied too.
func (c Config) Redacted() Config {
	if c.Node.PrivateSeedURL != "" {
		c.Node.PrivateSeedURL = redactedValue
	}
	c.Indexing.DB = redactDBURL(c.Indexing.DB)
	if c.Logger.LogLevel != nil {
		level := *c.Logger.LogLevel
		c.Logger.LogLevel = &level
	}
	if c.Metrics.PrometheusExporterPort != nil {
		port := *c.Metrics.PrometheusExporterPort
		c.Metrics.PrometheusExporterPort = &port
	}
	c.HTTPAPI.CORSAllowedOrigins = slices.Clone(c.HTTPAPI.CORSAllowedOrigins)
	c.HTTPAPI.AdminDIDs = slices.Clone(c.HTTPAPI.AdminDIDs)
	c.IPFS.PinningEndpoints = slices.Clone(c.IPFS.PinningEndpoints)
	c.IPFS.SwarmAddresses = slices.Clone(c.IPFS.SwarmAddresses)
	c.IPFS.AnnounceAddresses = slices.Clone(c.IPFS.AnnounceAddresses)
	c.IPFS.BootstrapPeers = slices.Clone(c.IPFS.BootstrapPeers)
	return c
}

// redactDBURL masks the password of a database URL, in the user information or in a
// "password" query parameter. A value that does not parse as a URL is reduced to its
// scheme, since it may still hold a password.
func redactDBURL(s string) string {
	if s == "" {
		return ""
	}
	scheme, ok := urlScheme(s)
	if !ok {
		return redactedValue
	}
	u, err := url.Parse(s)
	if err != nil {
		return scheme + ":" + redactedValue
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// trimSlashes removes all trailing slashes, as js-ceramic does for the CAS URL.
func trimSlashes(s string) string { return strings.TrimRight(s, "/") }

// AnchorServiceRPCURL returns the Ethereum JSON-RPC endpoint of the built-in anchor service:
// anchor-service.ethereum-rpc-url, else anchor.ethereum-rpc-url, else the network's default.
func (c Config) AnchorServiceRPCURL() string {
	if u := c.AnchorService.EthereumRPCURL; u != "" {
		return u
	}
	if u := c.Anchor.EthereumRPCURL; u != "" {
		return u
	}
	info, _ := c.Network.Info()
	return info.DefaultEthereumRPCURL
}

// AnchorServiceDirectory returns where the built-in anchor service keeps its requests:
// anchor-service.local-directory, else <state-store.local-directory>/<network>-anchor-service;
// "" when neither directory is set.
func (c Config) AnchorServiceDirectory() string {
	if d := c.AnchorService.LocalDirectory; d != "" {
		return d
	}
	if c.StateStore.LocalDirectory == "" {
		return ""
	}
	return filepath.Join(c.StateStore.LocalDirectory, c.Network.Canonical()+"-anchor-service")
}
