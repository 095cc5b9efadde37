package config

// Config is the whole daemon configuration. The JSON field order is the order of the file
// js-ceramic generates on first start.
type Config struct {
	Anchor     Anchor     `json:"anchor"`
	HTTPAPI    HTTPAPI    `json:"http-api"`
	IPFS       IPFS       `json:"ipfs"`
	Logger     Logger     `json:"logger"`
	Metrics    Metrics    `json:"metrics"`
	Network    Network    `json:"network"`
	Node       Node       `json:"node"`
	StateStore StateStore `json:"state-store"`
	Indexing   Indexing   `json:"indexing"`
	// AnchorService is this node's own section: the built-in anchor service.
	AnchorService AnchorService `json:"anchor-service,omitzero"`
}

// Anchor configures the anchor service client.
type Anchor struct {
	// AnchorServiceURL is the CAS base URL; empty means the network's default.
	AnchorServiceURL string `json:"anchor-service-url,omitempty"`
	// AuthMethod, when non-empty, authenticates to the CAS with the node DID ("did").
	AuthMethod string `json:"auth-method,omitempty"`
	// EthereumRPCURL is the JSON-RPC endpoint used to verify anchor transactions.
	EthereumRPCURL string `json:"ethereum-rpc-url,omitempty"`
}

// AnchorService configures the built-in anchor service (this node's own section; js-ceramic
// has none). When enabled, the node anchors its streams itself: it batches anchor requests,
// puts each batch's Merkle root on an EVM chain with one anchorDagCbor(bytes32) transaction
// to the Ceramic anchor contract, and makes anchor commits any js-ceramic node accepts. With
// a port it also serves the Ceramic Anchor Service HTTP API, so that other nodes can use it
// as their anchor.anchor-service-url; `ceramic anchor-service` runs only that.
type AnchorService struct {
	// Enabled turns the built-in anchor service on.
	Enabled bool `json:"enabled,omitempty"`
	// EthereumRPCURL is the chain's JSON-RPC endpoint; empty means anchor.ethereum-rpc-url.
	EthereumRPCURL string `json:"ethereum-rpc-url,omitempty"`
	// ChainID is the CAIP-2 chain, such as "eip155:100"; when set, the endpoint must serve it.
	ChainID string `json:"chain-id,omitempty"`
	// ContractAddress is the anchor contract; empty means the Ceramic anchor contract
	// 0x231055A0852D67C7107Ad0d0DFeab60278fE6AdC, the only one js-ceramic nodes accept.
	ContractAddress string `json:"contract-address,omitempty"`
	// PrivateKeyFile holds the hex private key of the account that sends the transactions.
	// The environment variable CERAMIC_ANCHOR_SERVICE_PRIVATE_KEY overrides it.
	PrivateKeyFile string `json:"private-key-file,omitempty"`
	// PrivateKey is the key itself, set only from CERAMIC_ANCHOR_SERVICE_PRIVATE_KEY.
	PrivateKey string `json:"-"`
	// IntervalSeconds is how often a batch is anchored; default 60.
	IntervalSeconds int `json:"interval-seconds,omitempty"`
	// MaxBatch anchors early once this many requests wait; default 1024.
	MaxBatch int `json:"max-batch,omitempty"`
	// Confirmations is the number of blocks a transaction needs (1 = mined); default 1.
	Confirmations int `json:"confirmations,omitempty"`
	// Hostname and Port are where the anchor service HTTP API listens; no port, no API.
	Hostname string `json:"hostname,omitempty"`
	Port     *Port  `json:"port,omitempty"`
	// AllowedDIDs may submit requests over HTTP (DID-authenticated); empty means anyone.
	AllowedDIDs []string `json:"allowed-dids,omitempty"`
	// LocalDirectory keeps the service's requests; default
	// <state-store.local-directory>/<network>-anchor-service.
	LocalDirectory string `json:"local-directory,omitempty"`
}

// HTTPAPI configures the /api/v0 listener.
type HTTPAPI struct {
	// Hostname is the listen address. Default 0.0.0.0.
	Hostname string `json:"hostname,omitempty"`
	// Port is the listen port; 0 picks a free port. js-ceramic accepts a number or a numeric string.
	Port Port `json:"port"`
	// CORSAllowedOrigins are unanchored regular expressions matched against the Origin header.
	// nil means "any origin" (Access-Control-Allow-Origin: *).
	CORSAllowedOrigins []string `json:"cors-allowed-origins,omitempty"`
	// AdminDIDs may call the admin API; a caller matches when its key ID starts with one of them.
	AdminDIDs []string `json:"admin-dids,omitempty"`
}

// IPFS configures the IPFS node: embedded ("bundled", the default) or an external kubo ("remote").
type IPFS struct {
	// Mode is "bundled" or "remote"; empty means bundled. js-ceramic read any value but
	// "remote" as bundled; [Config.Validate] rejects other values instead of guessing.
	Mode string `json:"mode,omitempty"`
	// Host is the remote kubo RPC API URL (remote mode), default http://localhost:5001.
	Host string `json:"host,omitempty"`
	// PinningEndpoints are the pinning backends; every entry starts with "ipfs+": "ipfs+context"
	// (the node's own IPFS, the default), "ipfs+http://host:port" or "ipfs+https://host:port".
	PinningEndpoints []string `json:"pinning-endpoints,omitempty"`
	// DisablePeerDataSync stops the node from fetching blocks from peers.
	DisablePeerDataSync bool `json:"disable-peer-data-sync,omitempty"`

	// The keys below are this node's own (bundled mode only); js-ceramic has no equivalent.

	// S3Bucket, when set, keeps the embedded IPFS repository's blocks in this S3 bucket (our
	// own keys; the go-ipfs-daemon image's IPFS_ENABLE_S3 and IPFS_S3_* variables set them
	// too). Objects are laid out as go-ds-s3 lays them out, so its buckets are read in place.
	// It applies when the repository is created. Credentials come from the standard AWS
	// environment, or IPFS_S3_ACCESS_KEY_ID and IPFS_S3_SECRET_ACCESS_KEY.
	S3Bucket string `json:"s3-bucket,omitempty"`
	// S3Region, S3RootDirectory, S3Endpoint (an S3-compatible server such as MinIO) and
	// S3KeyTransform ("" or "default", "suffix", "next-to-last/2") complete S3Bucket.
	S3Region        string `json:"s3-region,omitempty"`
	S3RootDirectory string `json:"s3-root-directory,omitempty"`
	S3Endpoint      string `json:"s3-endpoint,omitempty"`
	S3KeyTransform  string `json:"s3-key-transform,omitempty"`
	// Identity is the peer identity a new embedded repository is created with (the
	// go-ipfs-daemon image's IPFS_PEER_ID and IPFS_PRIVATE_KEY; environment only). Empty: a
	// fresh Ed25519 identity.
	Identity IPFSIdentity `json:"-"`
	// S3AccessKeyID and S3SecretAccessKey are static credentials, from the environment only.
	S3AccessKeyID     string `json:"-"`
	S3SecretAccessKey string `json:"-"`

	// RepoPath is the embedded IPFS repository. [Load] sets it to $IPFS_PATH if that is set, else
	// to this key (expanded like the other paths), else to <home>/.ceramic/ipfs.
	RepoPath string `json:"repo-path,omitempty"`
	// Datastore is the storage engine of a new embedded repository: "pebbleds" (the default;
	// blocks and metadata in one write-ahead-logged store) or "flatfs" (one file per block,
	// kubo's classic layout). It applies when the repository is created; an existing
	// repository keeps the engine it was created with.
	Datastore string `json:"datastore,omitempty"`
	// SwarmAddresses are the libp2p listen multiaddrs. Default: ["/ip4/0.0.0.0/tcp/4011/ws"].
	SwarmAddresses []string `json:"swarm-addresses,omitempty"`
	// AnnounceAddresses, when set, replace the addresses the node advertises to peers.
	AnnounceAddresses []string `json:"announce-addresses,omitempty"`
	// BootstrapPeers replaces the network's bootstrap peer list when non-nil (an empty list disables it).
	BootstrapPeers []string `json:"bootstrap-peers"`
	// APIAddress, when set, serves kubo's RPC API there (a multiaddr such as /ip4/127.0.0.1/tcp/5001)
	// so that operators can use the `ipfs` CLI against the embedded node. Off by default.
	APIAddress string `json:"api-address,omitempty"`
	// HealthcheckEnabled and HealthcheckPort run the go-ipfs-healthcheck endpoint (HEALTHCHECK_ENABLED, HEALTHCHECK_PORT).
	HealthcheckEnabled bool `json:"healthcheck-enabled,omitempty"`
	HealthcheckPort    Port `json:"healthcheck-port,omitempty"`
	// HealthcheckHostname is the healthcheck listen address. Default 0.0.0.0.
	HealthcheckHostname string `json:"healthcheck-hostname,omitempty"`
}

// Logger configures console and file logs.
type Logger struct {
	// LogLevel: 0 verbose, 1 debug, 2 important (default), 3 warnings and errors only.
	// nil means the default; see [Logger.Level].
	LogLevel *int `json:"log-level,omitempty"`
	// LogToFiles also writes the logs to files in LogDirectory.
	LogToFiles bool `json:"log-to-files"`
	// LogDirectory is where log files go. [Load] fills in <home>/.ceramic/logs when unset.
	LogDirectory string `json:"log-directory,omitempty"`
}

// Metrics configures the metrics exporters.
type Metrics struct {
	// MetricsExporterEnabled pushes OpenTelemetry metrics to CollectorHost (both must be set).
	MetricsExporterEnabled bool `json:"metrics-exporter-enabled"`
	// CollectorHost is the OTLP collector host.
	CollectorHost string `json:"collector-host,omitempty"`
	// PrometheusExporterEnabled serves a Prometheus scrape endpoint.
	PrometheusExporterEnabled bool `json:"prometheus-exporter-enabled,omitempty"`
	// PrometheusExporterPort serves /metrics; 9464 when the exporter is enabled and this is unset.
	PrometheusExporterPort *Port `json:"prometheus-exporter-port,omitempty"`
	// PrometheusExporterHostname is this node's own key; default 0.0.0.0.
	PrometheusExporterHostname string `json:"prometheus-exporter-hostname,omitempty"`
}

// Network selects the Ceramic network.
type Network struct {
	// Name is one of mainnet, testnet-clay, dev-unstable, local, inmemory. The js-ceramic 2.x name
	// "elp" is accepted and kept as written (the node needs it to find elp state directories);
	// [Network.Canonical] maps it to mainnet, and all network rules use the canonical name.
	Name string `json:"name,omitempty"`
	// PubsubTopic overrides the topic; only allowed for local and inmemory.
	PubsubTopic string `json:"pubsub-topic,omitempty"`
}

// Node holds node-wide settings.
type Node struct {
	// PrivateSeedURL is "inplace:ed25519#<64 hex>". Read from either "private-seed-url" or
	// "privateSeedUrl"; written as "privateSeedUrl" like js-ceramic's generated file.
	// The value is secret: it never appears in error messages, and [Config.Redacted] hides it.
	// [ParseSeedURL] returns the 32 seed bytes.
	PrivateSeedURL string `json:"privateSeedUrl,omitempty"`
	// ReadOnly serves reads only and refuses writes; see [Node.IsReadOnly].
	ReadOnly bool `json:"readOnly,omitempty"`
	// Gateway is the 2.x spelling of ReadOnly; it is honoured as read-only. [Load] also sets
	// ReadOnly when Gateway is set, and warns.
	Gateway bool `json:"gateway,omitempty"`
	// SyncOverride, when set, forces the sync option of every load, create, apply and anchor
	// request: "prefer-cache", "sync-always" or "never-sync".
	SyncOverride string `json:"sync-override,omitempty"`
	// StreamCacheLimit is the in-memory stream cache size (at least 1; default 500). It also
	// bounds the number of concurrent requests.
	StreamCacheLimit int `json:"stream-cache-limit,omitempty"`
	// DisablePubsubUpdates stops the node from publishing UPDATE messages for its writes
	// (this node's own key; env CERAMIC_DISABLE_PUBSUB_UPDATES=true). Incoming messages are
	// still handled.
	DisablePubsubUpdates bool `json:"disable-pubsub-updates,omitempty"`
	// PubsubQPSLimit bounds the QUERY messages the node publishes per second (env
	// CERAMIC_PUBSUB_QPS_LIMIT, as in js-ceramic; no file key); 0 means the node's default
	// (200; js-ceramic's is 10).
	PubsubQPSLimit int `json:"-"`
}

// StateStore configures where pinned stream state is kept.
type StateStore struct {
	// Mode is "fs" or "s3"; empty means fs at the default directory.
	Mode string `json:"mode,omitempty"`
	// LocalDirectory is the fs-mode root; the stores live in <LocalDirectory>/<network>.
	// js-ceramic honours it only when Mode is exactly "fs", and so does [Load]: with an empty
	// Mode, Load replaces it with <home>/.ceramic/statestore and warns. After Load it is
	// always set unless Mode is "s3".
	LocalDirectory string `json:"local-directory,omitempty"`
	// S3Bucket is the s3-mode bucket; it may carry a key prefix ("bucket/sub/path").
	S3Bucket string `json:"s3-bucket,omitempty"`
	// S3Endpoint is a custom S3 endpoint (e.g. MinIO); empty means AWS.
	S3Endpoint string `json:"s3-endpoint,omitempty"`
}

// Indexing configures ComposeDB indexing.
type Indexing struct {
	// DB is the index database URL: sqlite:, sqlite3: (the file is the URL path), postgres: or
	// postgresql: (a connection string). It may hold a password; [Config.Redacted] hides it.
	DB string `json:"db,omitempty"`
	// AllowQueriesBeforeHistoricalSync serves queries for models that are still syncing.
	AllowQueriesBeforeHistoricalSync bool `json:"allow-queries-before-historical-sync"`
	// DisableComposeDB turns indexing off entirely.
	DisableComposeDB bool `json:"disable-composedb"`
	// EnableHistoricalSync runs the historical sync worker.
	EnableHistoricalSync bool `json:"enable-historical-sync"`
}
