package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const testSeed = "inplace:ed25519#5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed"

func TestDefault(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"hostname", c.HTTPAPI.Hostname, "0.0.0.0"},
		{"port", c.HTTPAPI.Port, Port(7007)},
		{"ipfs mode", c.IPFS.Mode, "bundled"},
		{"ipfs host", c.IPFS.Host, "http://localhost:5001"},
		{"pinning", c.IPFS.PinningEndpoints, []string{"ipfs+context"}},
		{"swarm", c.IPFS.SwarmAddresses, []string{"/ip4/0.0.0.0/tcp/4011/ws"}},
		{"healthcheck enabled", c.IPFS.HealthcheckEnabled, false},
		{"healthcheck port", c.IPFS.HealthcheckPort, Port(8011)},
		{"healthcheck hostname", c.IPFS.HealthcheckHostname, "0.0.0.0"},
		{"log level", c.Logger.Level(), 2},
		{"network", c.Network.Name, "inmemory"},
		{"stream cache", c.Node.StreamCacheLimit, 500},
		{"prometheus port", c.Metrics.PrometheusPort(), Port(9464)},
		{"paths", []string{c.Logger.LogDirectory, c.StateStore.LocalDirectory, c.IPFS.RepoPath}, []string{"", "", ""}},
		{"cors", c.HTTPAPI.CORSAllowedOrigins, []string(nil)},
	}
	for _, tt := range checks {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %#v, want %#v", tt.got, tt.want)
			}
		})
	}

	// Each call returns fresh values.
	a, b := Default(), Default()
	*a.Logger.LogLevel = 0
	a.IPFS.PinningEndpoints[0] = "changed"
	if b.Logger.Level() != 2 || b.IPFS.PinningEndpoints[0] != "ipfs+context" {
		t.Error("Default shares memory between calls")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		change  func(c *Config)
		wantKey string // empty: valid
		wantMsg string // substring of the message
	}{
		{name: "mainnet with bundled IPFS is allowed", change: func(c *Config) { c.Network.Name = NetworkMainnet }},
		{name: "elp", change: func(c *Config) { c.Network.Name = NetworkELP }},
		{name: "all networks", change: func(c *Config) { c.Network.Name = NetworkDevUnstable }},
		{name: "unknown network", change: func(c *Config) { c.Network.Name = "Mainnet" }, wantKey: "network.name",
			wantMsg: `"Mainnet" (allowed: one of mainnet, testnet-clay, dev-unstable, local, inmemory; "elp" is read as mainnet)`},
		{name: "empty network", change: func(c *Config) { c.Network.Name = "" }, wantKey: "network.name"},
		{name: "topic on local", change: func(c *Config) { c.Network.Name, c.Network.PubsubTopic = NetworkLocal, "/t" }},
		{name: "topic on mainnet", change: func(c *Config) { c.Network.Name, c.Network.PubsubTopic = NetworkMainnet, "/t" },
			wantKey: "network.pubsub-topic", wantMsg: "Specifying pub/sub topic is only supported for the 'inmemory' and 'local' networks"},
		{name: "topic on clay", change: func(c *Config) { c.Network.Name, c.Network.PubsubTopic = NetworkTestnetClay, "/t" }, wantKey: "network.pubsub-topic"},
		{name: "empty ipfs mode means bundled", change: func(c *Config) { c.IPFS.Mode = "" }},
		{name: "bad ipfs mode", change: func(c *Config) { c.IPFS.Mode = "Remote" }, wantKey: "ipfs.mode"},
		{name: "remote https host", change: func(c *Config) { c.IPFS.Mode, c.IPFS.Host = IPFSModeRemote, "https://ipfs:5001/base" }},
		{name: "remote without scheme", change: func(c *Config) { c.IPFS.Mode, c.IPFS.Host = IPFSModeRemote, "ipfs:5001" }, wantKey: "ipfs.host"},
		{name: "remote empty host", change: func(c *Config) { c.IPFS.Mode, c.IPFS.Host = IPFSModeRemote, "" }, wantKey: "ipfs.host", wantMsg: "(not set)"},
		{name: "bundled ignores host", change: func(c *Config) { c.IPFS.Host = "nonsense" }},
		{name: "port too big", change: func(c *Config) { c.HTTPAPI.Port = 65536 }, wantKey: "http-api.port", wantMsg: "65536 (allowed: an integer from 0 to 65535)"},
		{name: "port zero", change: func(c *Config) { c.HTTPAPI.Port = 0 }},
		{name: "negative healthcheck port", change: func(c *Config) { c.IPFS.HealthcheckPort = -1 }, wantKey: "ipfs.healthcheck-port"},
		{name: "prometheus port", change: func(c *Config) { p := Port(70000); c.Metrics.PrometheusExporterPort = &p }, wantKey: "metrics.prometheus-exporter-port"},
		{name: "log level 0", change: func(c *Config) { l := 0; c.Logger.LogLevel = &l }},
		{name: "log level 4", change: func(c *Config) { l := 4; c.Logger.LogLevel = &l }, wantKey: "logger.log-level"},
		{name: "log level nil", change: func(c *Config) { c.Logger.LogLevel = nil }},
		{name: "sync override", change: func(c *Config) { c.Node.SyncOverride = SyncOverrideNeverSync }},
		{name: "anchor service", change: func(c *Config) {
			c.AnchorService = AnchorService{Enabled: true, EthereumRPCURL: "http://geth:8545", PrivateKeyFile: "/key", ChainID: "eip155:100", ContractAddress: "0x231055A0852D67C7107Ad0d0DFeab60278fE6AdC"}
		}},
		{name: "anchor service key from the environment", change: func(c *Config) {
			c.AnchorService = AnchorService{Enabled: true, PrivateKey: "00"}
			c.Anchor.EthereumRPCURL = "http://geth:8545"
		}},
		{name: "anchor service without RPC", change: func(c *Config) { c.AnchorService = AnchorService{Enabled: true, PrivateKeyFile: "/key"} },
			wantKey: "anchor-service.ethereum-rpc-url", wantMsg: "needs an Ethereum JSON-RPC endpoint"},
		{name: "anchor service without key", change: func(c *Config) { c.AnchorService = AnchorService{Enabled: true, EthereumRPCURL: "http://geth:8545"} },
			wantKey: "anchor-service.private-key-file", wantMsg: "CERAMIC_ANCHOR_SERVICE_PRIVATE_KEY"},
		{name: "anchor service chain", change: func(c *Config) { c.AnchorService.ChainID = "eip155:0x1" }, wantKey: "anchor-service.chain-id"},
		{name: "anchor service contract", change: func(c *Config) { c.AnchorService.ContractAddress = "231055A0852D67C7107Ad0d0DFeab60278fE6AdC" }, wantKey: "anchor-service.contract-address"},
		{name: "anchor service interval", change: func(c *Config) { c.AnchorService.IntervalSeconds = -1 }, wantKey: "anchor-service.interval-seconds"},
		{name: "anchor service port", change: func(c *Config) { p := Port(65536); c.AnchorService.Port = &p }, wantKey: "anchor-service.port"},
		{name: "bad sync override", change: func(c *Config) { c.Node.SyncOverride = "sync" }, wantKey: "node.sync-override"},
		{name: "state store fs", change: func(c *Config) { c.StateStore.Mode = StateStoreModeFS }},
		{name: "state store s3", change: func(c *Config) { c.StateStore.Mode, c.StateStore.S3Bucket = StateStoreModeS3, "b" }},
		{name: "s3 without bucket", change: func(c *Config) { c.StateStore.Mode = StateStoreModeS3 }, wantKey: "state-store.s3-bucket"},
		{name: "bad state store", change: func(c *Config) { c.StateStore.Mode = "FS" }, wantKey: "state-store.mode"},
		{name: "stream cache 1", change: func(c *Config) { c.Node.StreamCacheLimit = 1 }},
		{name: "stream cache 0", change: func(c *Config) { c.Node.StreamCacheLimit = 0 }, wantKey: "node.stream-cache-limit"},
		{name: "did with seed", change: func(c *Config) { c.Anchor.AuthMethod, c.Node.PrivateSeedURL = AuthMethodDID, testSeed }},
		{name: "did without seed", change: func(c *Config) { c.Anchor.AuthMethod = AuthMethodDID }, wantKey: "node.private-seed-url",
			wantMsg: "Daemon config is missing node.private-seed-url"},
		{name: "unknown auth method", change: func(c *Config) { c.Anchor.AuthMethod = "ip" }, wantKey: "anchor.auth-method"},
		{name: "seed without auth", change: func(c *Config) { c.Node.PrivateSeedURL = testSeed }},
		{name: "short seed", change: func(c *Config) { c.Node.PrivateSeedURL = testSeed[:len(testSeed)-2] }, wantKey: "node.private-seed-url",
			wantMsg: "Invalid format for node.private-seed-url in daemon.config.json"},
		{name: "seed wrong prefix", change: func(c *Config) { c.Node.PrivateSeedURL = strings.Replace(testSeed, "ed25519", "secp256k1", 1) }, wantKey: "node.private-seed-url"},
		{name: "seed not hex", change: func(c *Config) { c.Node.PrivateSeedURL = strings.Replace(testSeed, "5eed", "zzzz", 1) }, wantKey: "node.private-seed-url"},
		{name: "mainnet cas", change: func(c *Config) {
			c.Network.Name, c.Anchor.AnchorServiceURL = NetworkMainnet, "https://cas.3boxlabs.com"
		}},
		{name: "mainnet cas-direct with slashes", change: func(c *Config) {
			c.Network.Name, c.Anchor.AnchorServiceURL = NetworkMainnet, "https://cas-direct.3boxlabs.com///"
		}},
		{name: "mainnet custom cas", change: func(c *Config) {
			c.Network.Name, c.Anchor.AnchorServiceURL = NetworkMainnet, "https://cas-clay.3boxlabs.com"
		},
			wantKey: "anchor.anchor-service-url", wantMsg: "Cannot use custom anchor service on Ceramic mainnet"},
		{name: "elp custom cas", change: func(c *Config) { c.Network.Name, c.Anchor.AnchorServiceURL = NetworkELP, "http://localhost:8081" },
			wantKey: "anchor.anchor-service-url"},
		{name: "clay custom cas", change: func(c *Config) {
			c.Network.Name, c.Anchor.AnchorServiceURL = NetworkTestnetClay, "http://localhost:8081"
		}},
		{name: "cas not a URL", change: func(c *Config) { c.Anchor.AnchorServiceURL = "cas.example.org" }, wantKey: "anchor.anchor-service-url"},
		{name: "sqlite db", change: func(c *Config) { c.Indexing.DB = "sqlite:///tmp/x.sqlite" }},
		{name: "sqlite3 db", change: func(c *Config) { c.Indexing.DB = "sqlite3:/tmp/x.sqlite" }},
		{name: "postgres db", change: func(c *Config) { c.Indexing.DB = "postgres://u:p@h/db" }},
		{name: "postgresql upper case", change: func(c *Config) { c.Indexing.DB = "PostgreSQL://h/db" }},
		{name: "mysql db", change: func(c *Config) { c.Indexing.DB = "mysql://u:pw@h/db" }, wantKey: "indexing.db", wantMsg: "Not supported database protocol mysql"},
		{name: "connection string without scheme", change: func(c *Config) { c.Indexing.DB = "host=h password=pw" }, wantKey: "indexing.db",
			wantMsg: "Invalid database connection string: invalid value for indexing.db: <redacted>"},
		{name: "cors regexps", change: func(c *Config) { c.HTTPAPI.CORSAllowedOrigins = []string{".*", `^https://x\.org$`} }},
		{name: "empty cors list", change: func(c *Config) { c.HTTPAPI.CORSAllowedOrigins = []string{} }},
		{name: "bad cors regexp", change: func(c *Config) { c.HTTPAPI.CORSAllowedOrigins = []string{"a", "[b"} }, wantKey: "http-api.cors-allowed-origins[1]"},
		{name: "pinning endpoints", change: func(c *Config) { c.IPFS.PinningEndpoints = []string{"ipfs+context", "ipfs+http://h:5001"} }},
		{name: "no pinning endpoints", change: func(c *Config) { c.IPFS.PinningEndpoints = nil }},
		{name: "unknown pinning service", change: func(c *Config) { c.IPFS.PinningEndpoints = []string{"powergate+http://h"} }, wantKey: "ipfs.pinning-endpoints[0]",
			wantMsg: "Unknown pinning service powergate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.change(&c)
			err := c.Validate()
			if tt.wantKey == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Fatalf("Validate() = %v, want a *config.Error", err)
			}
			if cerr.Key != tt.wantKey || cerr.Source != "" {
				t.Errorf("Key = %q, Source = %q; want %q, \"\"", cerr.Key, cerr.Source, tt.wantKey)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("message %q does not contain %q", err.Error(), tt.wantMsg)
			}
		})
	}
}

func TestValidateReportsAll(t *testing.T) {
	c := Default()
	c.HTTPAPI.Port = -5
	c.Node.StreamCacheLimit = -1
	c.Network.Name = "nope"
	err := c.Validate()
	var keys []string
	for _, e := range unjoin(err) {
		var cerr *Error
		if errors.As(e, &cerr) {
			keys = append(keys, cerr.Key)
		}
	}
	want := []string{"http-api.port", "network.name", "node.stream-cache-limit"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("keys = %q, want %q (error %v)", keys, want, err)
	}
}

// unjoin returns the errors joined in err.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestSeedNeverInMessages(t *testing.T) {
	bad := "inplace:ed25519#topsecret"
	c := Default()
	c.Node.PrivateSeedURL = bad
	err := c.Validate()
	if err == nil {
		t.Fatal("bad seed accepted")
	}
	if strings.Contains(err.Error(), "topsecret") {
		t.Errorf("message leaks the seed: %v", err)
	}
	if _, err := ParseSeedURL(bad); err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("ParseSeedURL error = %v", err)
	}
}

func TestSeedURL(t *testing.T) {
	s, err := NewSeedURL(fixedRand())
	if err != nil {
		t.Fatal(err)
	}
	if want := "inplace:ed25519#000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"; s != want {
		t.Errorf("NewSeedURL = %q, want %q", s, want)
	}
	seed, err := ParseSeedURL(s)
	if err != nil || len(seed) != 32 || seed[31] != 0x1f {
		t.Errorf("ParseSeedURL = %x, %v", seed, err)
	}
	if _, err := ParseSeedURL(strings.ToUpper(s[len(SeedURLPrefix):])); err == nil {
		t.Error("seed without prefix accepted")
	}
	if _, err := ParseSeedURL(SeedURLPrefix + strings.ToUpper(s[len(SeedURLPrefix):])); err != nil {
		t.Errorf("upper-case hex rejected: %v", err)
	}
	if _, err := NewSeedURL(strings.NewReader("short")); err == nil {
		t.Error("NewSeedURL accepted a short read")
	}
	a, _ := NewSeedURL(nil)
	b, _ := NewSeedURL(nil)
	if a == b {
		t.Error("NewSeedURL(nil) is not random")
	}
}

func TestRedacted(t *testing.T) {
	c := Default()
	c.Node.PrivateSeedURL = testSeed
	c.Indexing.DB = "postgres://ceramic:pw@db/ceramic?sslmode=require&password=pw2"
	c.HTTPAPI.CORSAllowedOrigins = []string{".*"}
	r := c.Redacted()
	if r.Node.PrivateSeedURL != "<redacted>" {
		t.Errorf("seed = %q", r.Node.PrivateSeedURL)
	}
	if strings.Contains(r.Indexing.DB, "pw") {
		t.Errorf("db = %q still holds the password", r.Indexing.DB)
	}
	if c.Node.PrivateSeedURL != testSeed || c.Indexing.DB == r.Indexing.DB {
		t.Error("Redacted changed the original")
	}
	r.HTTPAPI.CORSAllowedOrigins[0] = "changed"
	*r.Logger.LogLevel = 0
	if c.HTTPAPI.CORSAllowedOrigins[0] != ".*" || c.Logger.Level() != 2 {
		t.Error("Redacted shares memory with the original")
	}
	if got := Default().Redacted().Node.PrivateSeedURL; got != "" {
		t.Errorf("an unset seed became %q", got)
	}

	dbs := []struct{ in, want string }{
		{"", ""},
		{"sqlite:///home/u/.ceramic/indexing.sqlite", "sqlite:///home/u/.ceramic/indexing.sqlite"},
		{"postgres://u:secret@h:5432/db", "postgres://u:xxxxx@h:5432/db"},
		{"host=h password=secret", "<redacted>"},
		{"postgres://u:se%zzcret@h/db", "postgres:<redacted>"},
	}
	for _, tt := range dbs {
		if got := redactDBURL(tt.in); got != tt.want {
			t.Errorf("redactDBURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAccessors(t *testing.T) {
	c := Default()
	if got := c.AnchorServiceURL(); got != "" {
		t.Errorf("inmemory AnchorServiceURL = %q", got)
	}
	c.Network.Name = NetworkTestnetClay
	if got := c.AnchorServiceURL(); got != "https://cas-clay.3boxlabs.com" {
		t.Errorf("clay AnchorServiceURL = %q", got)
	}
	c.Anchor.AnchorServiceURL = "http://localhost:8081/"
	if got := c.AnchorServiceURL(); got != "http://localhost:8081" {
		t.Errorf("custom AnchorServiceURL = %q", got)
	}
	if (Node{Gateway: true}).IsReadOnly() != true || (Node{}).IsReadOnly() {
		t.Error("IsReadOnly")
	}
}

func TestErrorMessage(t *testing.T) {
	cause := errors.New("boom")
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"minimal", &Error{Key: "a.b"}, "invalid value for a.b: (not set)"},
		{"full", &Error{Key: "a.b", Value: `"x"`, Allowed: "y", Source: "/f.json", Reason: "Bad", Err: cause},
			`Bad: invalid value for a.b in /f.json: "x": boom (allowed: y)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if !errors.Is(&Error{Err: cause}, cause) {
		t.Error("Unwrap does not reach the cause")
	}
}
