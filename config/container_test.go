package config

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	ma "github.com/multiformats/go-multiaddr"
)

// Test values.
const (
	peerEd25519 = "12D3KooWDYD5hgsnvqtuTQsTsqwt37gFY6YdQ9qeJNTzLMKph1rF"
	peerRSA     = "QmXALVsXZwPWTUbsT8G6VVzzgTJaAWRUD7FWL5f7d5ubAL"
	// Secrets that must never appear in a message.
	secretAccessKeyID = "AKIAEXAMPLEKEYID0001"
	secretAccessKey   = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY01"
)

// testPrivateKey is the base64 of a protobuf-encoded Ed25519 private key, like kubo's
// Identity.PrivKey.
var testPrivateKey = base64.StdEncoding.EncodeToString(append([]byte{0x08, 0x01, 0x12, 0x40}, bytes.Repeat([]byte{0x5a}, 64)...))

// containerCase is one table entry: a config (Default() changed by file), an environment,
// and what ApplyContainerEnv must produce.
type containerCase struct {
	name string
	file func(c *Config) // the values the config file set; nil = the defaults
	env  map[string]string

	// want changes the expected config, starting from the input; nil = unchanged.
	want     func(c *Config)
	s3       IPFSS3
	identity IPFSIdentity
	// warnings are substrings, one per expected warning, in order.
	warnings []string
	// errs are substrings that the error must contain; empty = no error.
	errs []string
}

func (tc containerCase) run(t *testing.T) {
	t.Helper()
	c := Default()
	if tc.file != nil {
		tc.file(&c)
	}
	before := c.Redacted() // a deep copy
	want := c.Redacted()
	if tc.want != nil {
		tc.want(&want)
	}

	cs, err := ApplyContainerEnv(&c, env(tc.env))
	if len(tc.errs) > 0 {
		if err == nil {
			t.Fatalf("no error; want one containing %q", tc.errs)
		}
		for _, s := range tc.errs {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("error %q does not contain %q", err, s)
			}
		}
		var ce *Error
		if !errors.As(err, &ce) {
			t.Errorf("error %T is not a *config.Error", err)
		}
		if !reflect.DeepEqual(c, before) {
			t.Errorf("config changed on error:\n got %+v\nwant %+v", c.IPFS, before.IPFS)
		}
		if !reflect.DeepEqual(cs, ContainerSettings{}) {
			t.Errorf("settings on error = %+v, want zero", cs)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("config:\n got %+v\nwant %+v", c.IPFS, want.IPFS)
	}
	if cs.S3 != tc.s3 {
		t.Errorf("S3:\n got %#v\nwant %#v (credentials %q/%q vs %q/%q)", cs.S3, tc.s3,
			cs.S3.AccessKeyID, cs.S3.SecretAccessKey, tc.s3.AccessKeyID, tc.s3.SecretAccessKey)
	}
	if cs.Identity != tc.identity {
		t.Errorf("identity = %v %q, want %v %q", cs.Identity, cs.Identity.PrivateKey, tc.identity, tc.identity.PrivateKey)
	}
	if len(cs.Warnings) != len(tc.warnings) {
		t.Fatalf("warnings = %q, want %d containing %q", cs.Warnings, len(tc.warnings), tc.warnings)
	}
	for i, s := range tc.warnings {
		if !strings.Contains(cs.Warnings[i], s) {
			t.Errorf("warning %d = %q, want it to contain %q", i, cs.Warnings[i], s)
		}
	}
}

func runContainerCases(t *testing.T, cases []containerCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, tc.run)
	}
}

func TestContainerEnvNothingSet(t *testing.T) {
	runContainerCases(t, []containerCase{
		{name: "empty environment"},
		{name: "nil getenv"}, // env(nil) reads as empty too
		{name: "NODE_ENV=production is accepted and ignored", env: map[string]string{"NODE_ENV": "production"}},
		{name: "NODE_ENV=test is ignored too", env: map[string]string{"NODE_ENV": "test"}},
		{name: "IPFS_LOGGING is left to kubo's logging library", env: map[string]string{"IPFS_LOGGING": "debug"}},
		{name: "white space counts as unset", env: map[string]string{"IPFS_SWARM_WS_PORT": "  ", "IPFS_ENABLE_S3": "\n"}},
		{name: "variables Load handles are left alone", env: map[string]string{
			"IPFS_PATH": "/data/ipfs", "HEALTHCHECK_ENABLED": "true", "HEALTHCHECK_PORT": "9000", "CERAMIC_NETWORK": "inmemory",
		}},
	})
	t.Run("nil getenv is an empty environment", func(t *testing.T) {
		c := Default()
		cs, err := ApplyContainerEnv(&c, nil)
		if err != nil || len(cs.Warnings) != 0 || !reflect.DeepEqual(c, Default()) {
			t.Fatalf("ApplyContainerEnv(nil) = %+v, %v; config changed: %v", cs, err, !reflect.DeepEqual(c, Default()))
		}
	})
}

func TestContainerEnvSwarm(t *testing.T) {
	swarm := func(addrs ...string) func(c *Config) {
		return func(c *Config) { c.IPFS.SwarmAddresses = addrs }
	}
	runContainerCases(t, []containerCase{
		{
			name: "IPFS_SWARM_WS_PORT replaces the default websocket listener",
			env:  map[string]string{"IPFS_SWARM_WS_PORT": "4012"},
			want: swarm("/ip4/0.0.0.0/tcp/4012/ws"),
		},
		{
			name: "IPFS_SWARM_TCP_PORT adds a TCP listener and keeps the websocket one",
			env:  map[string]string{"IPFS_SWARM_TCP_PORT": "4001"},
			want: swarm("/ip4/0.0.0.0/tcp/4001", "/ip4/0.0.0.0/tcp/4011/ws"),
		},
		{
			name: "both, as the go-ipfs-daemon image sets them",
			env:  map[string]string{"IPFS_SWARM_TCP_PORT": "4010", "IPFS_SWARM_WS_PORT": " 4011 "},
			want: swarm("/ip4/0.0.0.0/tcp/4010", "/ip4/0.0.0.0/tcp/4011/ws"),
		},
		{
			name: "an empty list in the file means the default",
			file: swarm(),
			env:  map[string]string{"IPFS_SWARM_TCP_PORT": "4001"},
			want: swarm("/ip4/0.0.0.0/tcp/4001", "/ip4/0.0.0.0/tcp/4011/ws"),
		},
		{
			name: "env overrides the file's websocket entries, other transports stay",
			file: swarm("/ip4/127.0.0.1/tcp/4011/ws", "/ip6/::/tcp/4011/ws", "/ip4/0.0.0.0/tcp/4001", "/ip4/0.0.0.0/udp/4011/quic-v1"),
			env:  map[string]string{"IPFS_SWARM_WS_PORT": "4012"},
			want: swarm("/ip4/0.0.0.0/tcp/4012/ws", "/ip4/0.0.0.0/tcp/4001", "/ip4/0.0.0.0/udp/4011/quic-v1"),
		},
		{
			name: "env overrides the file's TCP entries, wss stays",
			file: swarm("/ip4/0.0.0.0/tcp/4001", "/ip6/::/tcp/4001", "/dns4/x.example/tcp/443/wss"),
			env:  map[string]string{"IPFS_SWARM_TCP_PORT": "4002"},
			want: swarm("/ip4/0.0.0.0/tcp/4002", "/dns4/x.example/tcp/443/wss"),
		},
		{
			name: "no duplicates",
			file: swarm("/ip4/0.0.0.0/tcp/4011/ws", "/ip4/0.0.0.0/tcp/4011/ws"),
			env:  map[string]string{"IPFS_SWARM_TCP_PORT": "4001"},
			want: swarm("/ip4/0.0.0.0/tcp/4001", "/ip4/0.0.0.0/tcp/4011/ws"),
		},
		{
			name: "a port that is not a number",
			env:  map[string]string{"IPFS_SWARM_WS_PORT": "ws"},
			errs: []string{`invalid value for ipfs.swarm-addresses in environment variable IPFS_SWARM_WS_PORT: "ws" (allowed: an integer from 1 to 65535)`},
		},
		{name: "port 0", env: map[string]string{"IPFS_SWARM_TCP_PORT": "0"}, errs: []string{"IPFS_SWARM_TCP_PORT", `"0"`, "from 1 to 65535"}},
		{name: "port 65536", env: map[string]string{"IPFS_SWARM_TCP_PORT": "65536"}, errs: []string{`"65536"`}},
		{name: "negative port", env: map[string]string{"IPFS_SWARM_WS_PORT": "-1"}, errs: []string{`"-1"`}},
		{
			name: "both ports invalid: both reported",
			env:  map[string]string{"IPFS_SWARM_TCP_PORT": "x", "IPFS_SWARM_WS_PORT": "y"},
			errs: []string{"IPFS_SWARM_TCP_PORT", `"x"`, "IPFS_SWARM_WS_PORT", `"y"`},
		},
		{
			name: "the same port twice",
			env:  map[string]string{"IPFS_SWARM_TCP_PORT": "4011", "IPFS_SWARM_WS_PORT": "4011"},
			errs: []string{"IPFS_SWARM_WS_PORT", "port 4011 is already taken by IPFS_SWARM_TCP_PORT"},
		},
		{
			name: "the HTTP API port",
			env:  map[string]string{"IPFS_SWARM_WS_PORT": "7007"},
			errs: []string{"IPFS_SWARM_WS_PORT", "port 7007 is already taken by http-api.port"},
		},
		{
			name: "the healthcheck port, when the healthcheck runs",
			file: func(c *Config) { c.IPFS.HealthcheckEnabled = true },
			env:  map[string]string{"IPFS_SWARM_TCP_PORT": "8011"},
			errs: []string{"port 8011 is already taken by ipfs.healthcheck-port"},
		},
		{
			name: "the healthcheck port is free when the healthcheck is off",
			env:  map[string]string{"IPFS_SWARM_TCP_PORT": "8011"},
			want: swarm("/ip4/0.0.0.0/tcp/8011", "/ip4/0.0.0.0/tcp/4011/ws"),
		},
		{
			name: "the Prometheus port, when the exporter runs",
			file: func(c *Config) { c.Metrics.PrometheusExporterEnabled = true },
			env:  map[string]string{"IPFS_SWARM_WS_PORT": "9464"},
			errs: []string{"port 9464 is already taken by metrics.prometheus-exporter-port"},
		},
		{
			name: "a kept swarm address on the same port",
			env:  map[string]string{"IPFS_SWARM_TCP_PORT": "4011"},
			errs: []string{"IPFS_SWARM_TCP_PORT", "already taken by the swarm address /ip4/0.0.0.0/tcp/4011/ws"},
		},
	})
}

func TestContainerEnvAnnounce(t *testing.T) {
	announce := func(addrs ...string) func(c *Config) {
		return func(c *Config) { c.IPFS.AnnounceAddresses = addrs }
	}
	runContainerCases(t, []containerCase{
		{
			name: "IPFS_ANNOUNCE_ADDRESS_LIST, comma-separated, spaces and empty entries ignored",
			env:  map[string]string{"IPFS_ANNOUNCE_ADDRESS_LIST": " /dns4/ceramic.example.com/tcp/4011/ws, /ip4/203.0.113.7/tcp/4011/ws,,"},
			want: announce("/dns4/ceramic.example.com/tcp/4011/ws", "/ip4/203.0.113.7/tcp/4011/ws"),
		},
		{
			name: "ANNOUNCE_ADDRESS_LIST of @ceramicnetwork/ipfs-daemon",
			env:  map[string]string{"ANNOUNCE_ADDRESS_LIST": "/dns6/ceramic.example.com/tcp/443/wss"},
			want: announce("/dns6/ceramic.example.com/tcp/443/wss"),
		},
		{
			name: "env overrides the file",
			file: announce("/ip4/198.51.100.1/tcp/4011/ws"),
			env:  map[string]string{"IPFS_ANNOUNCE_ADDRESS_LIST": "/ip4/203.0.113.7/tcp/4011/ws"},
			want: announce("/ip4/203.0.113.7/tcp/4011/ws"),
		},
		{
			name: "both variables with the same list",
			env: map[string]string{
				"IPFS_ANNOUNCE_ADDRESS_LIST": "/ip4/203.0.113.7/tcp/4011/ws",
				"ANNOUNCE_ADDRESS_LIST":      "/ip4/203.0.113.7/tcp/4011/ws,",
			},
			want: announce("/ip4/203.0.113.7/tcp/4011/ws"),
		},
		{
			name: "duplicates are dropped",
			env:  map[string]string{"IPFS_ANNOUNCE_ADDRESS_LIST": "/ip4/203.0.113.7/tcp/4011/ws,/ip4/203.0.113.7/tcp/4011/ws"},
			want: announce("/ip4/203.0.113.7/tcp/4011/ws"),
		},
		{
			name: "a private address is allowed (a VPC)",
			env:  map[string]string{"IPFS_ANNOUNCE_ADDRESS_LIST": "/ip4/10.0.0.5/tcp/4011/ws,/dnsaddr/ceramic.example.com"},
			want: announce("/ip4/10.0.0.5/tcp/4011/ws", "/dnsaddr/ceramic.example.com"),
		},
		{
			name:     "a transport the node does not listen on: warned",
			env:      map[string]string{"IPFS_ANNOUNCE_ADDRESS_LIST": "/ip4/203.0.113.7/udp/4011/quic-v1"},
			want:     announce("/ip4/203.0.113.7/udp/4011/quic-v1"),
			warnings: []string{"/ip4/203.0.113.7/udp/4011/quic-v1 in IPFS_ANNOUNCE_ADDRESS_LIST announces a transport the embedded IPFS does not listen on"},
		},
		{
			name: "both variables and they differ",
			env: map[string]string{
				"IPFS_ANNOUNCE_ADDRESS_LIST": "/ip4/203.0.113.7/tcp/4011/ws",
				"ANNOUNCE_ADDRESS_LIST":      "/ip4/203.0.113.8/tcp/4011/ws",
			},
			errs: []string{"IPFS_ANNOUNCE_ADDRESS_LIST and ANNOUNCE_ADDRESS_LIST are both set and differ", "ipfs.announce-addresses"},
		},
		{
			name: "host:port is not a multiaddr",
			env:  map[string]string{"IPFS_ANNOUNCE_ADDRESS_LIST": "203.0.113.7:4011"},
			errs: []string{`invalid value for ipfs.announce-addresses[0] in environment variable IPFS_ANNOUNCE_ADDRESS_LIST: "203.0.113.7:4011": a multiaddr must begin with /`, "(allowed: comma-separated multiaddrs"},
		},
		{
			name: "the unspecified address",
			env:  map[string]string{"IPFS_ANNOUNCE_ADDRESS_LIST": "/ip4/203.0.113.7/tcp/4011/ws,/ip4/0.0.0.0/tcp/4011/ws"},
			errs: []string{"ipfs.announce-addresses[1]", `"/ip4/0.0.0.0/tcp/4011/ws"`, "unspecified address"},
		},
		{
			name: "the IPv6 unspecified address",
			env:  map[string]string{"ANNOUNCE_ADDRESS_LIST": "/ip6/::/tcp/4011/ws"},
			errs: []string{"environment variable ANNOUNCE_ADDRESS_LIST", "unspecified address"},
		},
		{
			name: "no transport",
			env:  map[string]string{"IPFS_ANNOUNCE_ADDRESS_LIST": "/ip4/203.0.113.7"},
			errs: []string{"no transport"},
		},
		{
			name: "not starting with an address",
			env:  map[string]string{"IPFS_ANNOUNCE_ADDRESS_LIST": "/tcp/4011/ws"},
			errs: []string{"starts with /tcp"},
		},
		{
			name: "with /p2p",
			env:  map[string]string{"IPFS_ANNOUNCE_ADDRESS_LIST": "/dns4/ceramic.example.com/tcp/4011/ws/p2p/" + peerEd25519},
			errs: []string{"/p2p/<peer id>"},
		},
		{
			name: "a bad IP address",
			env:  map[string]string{"IPFS_ANNOUNCE_ADDRESS_LIST": "/ip4/203.0.113.999/tcp/4011/ws"},
			errs: []string{`invalid value "203.0.113.999" for /ip4`},
		},
		{
			name: "an unknown protocol",
			env:  map[string]string{"IPFS_ANNOUNCE_ADDRESS_LIST": "/ip4/203.0.113.7/tcp/4011/websocket"},
			errs: []string{`unknown protocol "websocket"`},
		},
		{
			name: "only commas",
			env:  map[string]string{"IPFS_ANNOUNCE_ADDRESS_LIST": ",,"},
			errs: []string{`IPFS_ANNOUNCE_ADDRESS_LIST: ",,": no address`},
		},
	})
}

func TestContainerEnvAPI(t *testing.T) {
	api := func(addr string) func(c *Config) {
		return func(c *Config) { c.IPFS.APIAddress = addr }
	}
	runContainerCases(t, []containerCase{
		{
			name: "IPFS_API_PORT",
			env:  map[string]string{"IPFS_API_PORT": "5001"},
			want: api("/ip4/0.0.0.0/tcp/5001"),
		},
		{
			name: "IPFS_API_PORT overrides the file",
			file: api("/ip4/127.0.0.1/tcp/5001"),
			env:  map[string]string{"IPFS_API_PORT": "5011"},
			want: api("/ip4/0.0.0.0/tcp/5011"),
		},
		{
			name: "IPFS_ENABLE_API=true without a port",
			env:  map[string]string{"IPFS_ENABLE_API": "true"},
			want: api("/ip4/0.0.0.0/tcp/5001"),
		},
		{
			name: "IPFS_ENABLE_API=true keeps the file's address",
			file: api("/ip4/127.0.0.1/tcp/5002"),
			env:  map[string]string{"IPFS_ENABLE_API": "true"},
		},
		{
			name: "IPFS_ENABLE_API=false wins over the port and the file",
			file: api("/ip4/127.0.0.1/tcp/5002"),
			env:  map[string]string{"IPFS_ENABLE_API": "false", "IPFS_API_PORT": "5001"},
			want: api(""),
		},
		{name: "IPFS_API_PORT invalid", env: map[string]string{"IPFS_API_PORT": "five"}, errs: []string{`invalid value for ipfs.api-address in environment variable IPFS_API_PORT: "five"`}},
		{name: "IPFS_ENABLE_API invalid", env: map[string]string{"IPFS_ENABLE_API": "yes"}, errs: []string{`IPFS_ENABLE_API: "yes" (allowed: "true" or "false")`}},
		{
			name: "IPFS_API_PORT on the websocket swarm port",
			env:  map[string]string{"IPFS_SWARM_WS_PORT": "4011", "IPFS_API_PORT": "4011"},
			errs: []string{"IPFS_API_PORT", "port 4011 is already taken by IPFS_SWARM_WS_PORT"},
		},
		{
			name: "IPFS_API_PORT on the HTTP API port",
			env:  map[string]string{"IPFS_API_PORT": "7007"},
			errs: []string{"already taken by http-api.port"},
		},
	})
}

func TestContainerEnvBootstrap(t *testing.T) {
	a := "/dns4/go-ipfs-ceramic-public-clay-external.3boxlabs.com/tcp/4011/ws/p2p/QmWiY3CbNawZjWnHXx3p3DXsg21pZYTj4CRY1iwMkhP8r3"
	b := "/ip4/155.138.235.201/tcp/4001/p2p/" + peerEd25519
	runContainerCases(t, []containerCase{
		{
			name: "space-separated, as @ceramicnetwork/ipfs-daemon reads it",
			env:  map[string]string{"IPFS_BOOTSTRAP": a + " " + b},
			want: func(c *Config) { c.IPFS.BootstrapPeers = []string{a, b} },
		},
		{
			name: "commas too, and overrides the file",
			file: func(c *Config) { c.IPFS.BootstrapPeers = []string{} },
			env:  map[string]string{"IPFS_BOOTSTRAP": a + ",\n" + b + "," + a},
			want: func(c *Config) { c.IPFS.BootstrapPeers = []string{a, b} },
		},
		{
			name: "without a peer ID",
			env:  map[string]string{"IPFS_BOOTSTRAP": a + " /ip4/155.138.235.201/tcp/4001"},
			errs: []string{"ipfs.bootstrap-peers[1]", "IPFS_BOOTSTRAP", "does not end in /p2p/<peer id>"},
		},
		{
			name: "a bad peer ID",
			env:  map[string]string{"IPFS_BOOTSTRAP": "/ip4/155.138.235.201/tcp/4001/p2p/QmNotAPeer"},
			errs: []string{`invalid value "QmNotAPeer" for /p2p`},
		},
	})
}

func TestContainerEnvHealthcheck(t *testing.T) {
	runContainerCases(t, []containerCase{
		{
			name: "IPFS_ENABLE_HEALTHCHECK=true",
			env:  map[string]string{"IPFS_ENABLE_HEALTHCHECK": "true"},
			want: func(c *Config) { c.IPFS.HealthcheckEnabled = true },
		},
		{
			name: "IPFS_ENABLE_HEALTHCHECK=false overrides the file",
			file: func(c *Config) { c.IPFS.HealthcheckEnabled = true },
			env:  map[string]string{"IPFS_ENABLE_HEALTHCHECK": "false"},
			want: func(c *Config) { c.IPFS.HealthcheckEnabled = false },
		},
		{
			name: "HEALTHCHECK_ENABLED wins (Load applied it)",
			env:  map[string]string{"IPFS_ENABLE_HEALTHCHECK": "true", "HEALTHCHECK_ENABLED": "false"},
			warnings: []string{
				"IPFS_ENABLE_HEALTHCHECK=true and HEALTHCHECK_ENABLED=false disagree; HEALTHCHECK_ENABLED wins",
			},
		},
		{
			name: "HEALTHCHECK_ENABLED agrees: no warning",
			file: func(c *Config) { c.IPFS.HealthcheckEnabled = true },
			env:  map[string]string{"IPFS_ENABLE_HEALTHCHECK": "true", "HEALTHCHECK_ENABLED": "true"},
		},
		{name: "IPFS_ENABLE_HEALTHCHECK invalid", env: map[string]string{"IPFS_ENABLE_HEALTHCHECK": "1"}, errs: []string{`invalid value for ipfs.healthcheck-enabled in environment variable IPFS_ENABLE_HEALTHCHECK: "1"`}},
		{name: "IPFS_HEALTHCHECK_PORT equal to the healthcheck port", env: map[string]string{"IPFS_HEALTHCHECK_PORT": "8011"}},
		{
			name:     "IPFS_HEALTHCHECK_PORT elsewhere: warned, not applied",
			env:      map[string]string{"IPFS_HEALTHCHECK_PORT": "9011"},
			warnings: []string{`IPFS_HEALTHCHECK_PORT="9011" is ignored: the go-ipfs-daemon image only exposed it, and the IPFS healthcheck listens on HEALTHCHECK_PORT (now 8011)`},
		},
		{
			name:     "IPFS_HEALTHCHECK_PORT not a port: warned",
			env:      map[string]string{"IPFS_HEALTHCHECK_PORT": "x"},
			warnings: []string{`IPFS_HEALTHCHECK_PORT="x" is ignored`},
		},
	})
}

func TestContainerEnvS3(t *testing.T) {
	full := map[string]string{
		"IPFS_ENABLE_S3":            "true",
		"IPFS_S3_REGION":            "us-east-1",
		"IPFS_S3_BUCKET_NAME":       "ceramic-ipfs",
		"IPFS_S3_ROOT_DIRECTORY":    "ipfs/blocks",
		"IPFS_S3_ENDPOINT":          "http://minio:9000",
		"IPFS_S3_ACCESS_KEY_ID":     secretAccessKeyID,
		"IPFS_S3_SECRET_ACCESS_KEY": secretAccessKey,
		"IPFS_S3_KEY_TRANSFORM":     "next-to-last/2",
	}
	with := func(changes map[string]string) map[string]string {
		m := make(map[string]string, len(full))
		for k, v := range full {
			m[k] = v
		}
		for k, v := range changes {
			m[k] = v
		}
		return m
	}
	runContainerCases(t, []containerCase{
		{
			name: "every variable",
			env:  full,
			s3: IPFSS3{
				Enabled: true, Region: "us-east-1", Bucket: "ceramic-ipfs", RootDirectory: "ipfs/blocks", Endpoint: "http://minio:9000",
				AccessKeyID: secretAccessKeyID, SecretAccessKey: secretAccessKey, KeyTransform: "next-to-last/2",
			},
		},
		{
			name: "only the bucket: default key transform, AWS default credentials and region",
			env:  map[string]string{"IPFS_ENABLE_S3": "true", "IPFS_S3_BUCKET_NAME": "ceramic-ipfs"},
			s3:   IPFSS3{Enabled: true, Bucket: "ceramic-ipfs", KeyTransform: S3KeyTransformDefault},
		},
		{
			name: "the root directory is kept as written",
			env:  map[string]string{"IPFS_ENABLE_S3": "true", "IPFS_S3_BUCKET_NAME": "b.example_legacy", "IPFS_S3_ROOT_DIRECTORY": "/ipfs/", "IPFS_S3_KEY_TRANSFORM": "next-to-last/2"},
			s3:   IPFSS3{Enabled: true, Bucket: "b.example_legacy", RootDirectory: "/ipfs/", KeyTransform: S3KeyTransformNextToLast2},
		},
		{name: "key transform default", env: with(map[string]string{"IPFS_S3_KEY_TRANSFORM": "default"}), s3: IPFSS3{
			Enabled: true, Region: "us-east-1", Bucket: "ceramic-ipfs", RootDirectory: "ipfs/blocks", Endpoint: "http://minio:9000",
			AccessKeyID: secretAccessKeyID, SecretAccessKey: secretAccessKey, KeyTransform: "default",
		}},
		{
			name:     "S3 variables without IPFS_ENABLE_S3: warned",
			env:      map[string]string{"IPFS_S3_BUCKET_NAME": "ceramic-ipfs", "IPFS_S3_REGION": "us-east-1"},
			warnings: []string{`IPFS_S3_REGION, IPFS_S3_BUCKET_NAME are set but IPFS_ENABLE_S3 is not "true"`},
		},
		{
			name:     "IPFS_ENABLE_S3=false: off, warned about the rest",
			env:      with(map[string]string{"IPFS_ENABLE_S3": "false"}),
			warnings: []string{"IPFS_S3_REGION, IPFS_S3_BUCKET_NAME, IPFS_S3_ROOT_DIRECTORY, IPFS_S3_ENDPOINT, IPFS_S3_ACCESS_KEY_ID, IPFS_S3_SECRET_ACCESS_KEY, IPFS_S3_KEY_TRANSFORM are set"},
		},
		{name: "IPFS_ENABLE_S3=false alone", env: map[string]string{"IPFS_ENABLE_S3": "false"}},
		{name: "IPFS_ENABLE_S3 invalid", env: with(map[string]string{"IPFS_ENABLE_S3": "yes"}), errs: []string{`invalid value for IPFS_ENABLE_S3 in the environment: "yes" (allowed: "true" or "false")`}},
		{name: "IPFS_ENABLE_S3 is case-sensitive, as in the image", env: with(map[string]string{"IPFS_ENABLE_S3": "TRUE"}), errs: []string{`IPFS_ENABLE_S3 in the environment: "TRUE"`}},
		{name: "no bucket", env: map[string]string{"IPFS_ENABLE_S3": "true"}, errs: []string{`invalid value for IPFS_S3_BUCKET_NAME in the environment: (not set)`, `required when IPFS_ENABLE_S3 is "true"`}},
		{name: "bucket as a URL", env: with(map[string]string{"IPFS_S3_BUCKET_NAME": "s3://ceramic-ipfs"}), errs: []string{`IPFS_S3_BUCKET_NAME in the environment: "s3://ceramic-ipfs"`, "IPFS_S3_ROOT_DIRECTORY"}},
		{name: "bucket with a path", env: with(map[string]string{"IPFS_S3_BUCKET_NAME": "ceramic-ipfs/blocks"}), errs: []string{`"ceramic-ipfs/blocks"`}},
		{name: "bucket too short", env: with(map[string]string{"IPFS_S3_BUCKET_NAME": "ab"}), errs: []string{`IPFS_S3_BUCKET_NAME in the environment: "ab"`}},
		{name: "bucket with a space", env: with(map[string]string{"IPFS_S3_BUCKET_NAME": "my bucket"}), errs: []string{`"my bucket"`}},
		{name: "region invalid", env: with(map[string]string{"IPFS_S3_REGION": "us east 1"}), errs: []string{`invalid value for IPFS_S3_REGION in the environment: "us east 1" (allowed: a region name`}},
		{name: "root directory with a control character", env: with(map[string]string{"IPFS_S3_ROOT_DIRECTORY": "ipfs\x00"}), errs: []string{"IPFS_S3_ROOT_DIRECTORY"}},
		{name: "endpoint without a scheme gets https", env: with(map[string]string{"IPFS_S3_ENDPOINT": "minio:9000"}), s3: IPFSS3{
			Enabled: true, Region: "us-east-1", Bucket: "ceramic-ipfs", RootDirectory: "ipfs/blocks", Endpoint: "https://minio:9000",
			AccessKeyID: secretAccessKeyID, SecretAccessKey: secretAccessKey, KeyTransform: "next-to-last/2",
		}},
		{name: "IPFS_S3_REGION_ENDPOINT, the go-ds-s3 name", env: with(map[string]string{"IPFS_S3_ENDPOINT": "", "IPFS_S3_REGION_ENDPOINT": "http://minio:9000"}), s3: IPFSS3{
			Enabled: true, Region: "us-east-1", Bucket: "ceramic-ipfs", RootDirectory: "ipfs/blocks", Endpoint: "http://minio:9000",
			AccessKeyID: secretAccessKeyID, SecretAccessKey: secretAccessKey, KeyTransform: "next-to-last/2",
		}},
		{name: "both endpoint variables, the same", env: with(map[string]string{"IPFS_S3_REGION_ENDPOINT": "http://minio:9000"}), s3: IPFSS3{
			Enabled: true, Region: "us-east-1", Bucket: "ceramic-ipfs", RootDirectory: "ipfs/blocks", Endpoint: "http://minio:9000",
			AccessKeyID: secretAccessKeyID, SecretAccessKey: secretAccessKey, KeyTransform: "next-to-last/2",
		}},
		{name: "both endpoint variables, different", env: with(map[string]string{"IPFS_S3_REGION_ENDPOINT": "http://other:9000"}), errs: []string{`invalid value for IPFS_S3_REGION_ENDPOINT in the environment: "http://other:9000" (allowed: the same endpoint as IPFS_S3_ENDPOINT`}},
		{name: "endpoint of another scheme", env: with(map[string]string{"IPFS_S3_ENDPOINT": "s3://minio:9000"}), errs: []string{`invalid value for IPFS_S3_ENDPOINT in the environment: "s3://minio:9000" (allowed: an http:// or https:// URL`}},
		{name: "endpoint without a host", env: with(map[string]string{"IPFS_S3_ENDPOINT": "http://"}), errs: []string{`IPFS_S3_ENDPOINT in the environment: "http://"`}},
		{name: "endpoint password is masked", env: with(map[string]string{"IPFS_S3_ENDPOINT": "ftp://u:hunter2@minio:9000"}), errs: []string{"IPFS_S3_ENDPOINT", "ftp://u:xxxxx@minio:9000"}},
		{name: "key ID without secret", env: with(map[string]string{"IPFS_S3_SECRET_ACCESS_KEY": ""}), errs: []string{"invalid value for IPFS_S3_SECRET_ACCESS_KEY in the environment: (not set)", "both are set or neither"}},
		{name: "secret without key ID", env: with(map[string]string{"IPFS_S3_ACCESS_KEY_ID": ""}), errs: []string{"invalid value for IPFS_S3_ACCESS_KEY_ID in the environment: (not set)"}},
		{name: "secret with a space inside", env: with(map[string]string{"IPFS_S3_SECRET_ACCESS_KEY": "abc def"}), errs: []string{"IPFS_S3_SECRET_ACCESS_KEY in the environment: <redacted> (allowed: a value without white space"}},
		{
			name: "a trailing newline (a Secret made with echo) is trimmed",
			env:  with(map[string]string{"IPFS_S3_SECRET_ACCESS_KEY": secretAccessKey + "\n", "IPFS_S3_KEY_TRANSFORM": "suffix"}),
			s3: IPFSS3{
				Enabled: true, Region: "us-east-1", Bucket: "ceramic-ipfs", RootDirectory: "ipfs/blocks", Endpoint: "http://minio:9000",
				AccessKeyID: secretAccessKeyID, SecretAccessKey: secretAccessKey, KeyTransform: "suffix",
			},
		},
		{name: "key transform unknown", env: with(map[string]string{"IPFS_S3_KEY_TRANSFORM": "flatfs"}), errs: []string{`invalid value for IPFS_S3_KEY_TRANSFORM in the environment: "flatfs" (allowed: "default", "suffix" or "next-to-last/2")`}},
		{name: "key transform next-to-last/3 (internal/s3ds has only /2)", env: with(map[string]string{"IPFS_S3_KEY_TRANSFORM": "next-to-last/3"}), errs: []string{`"next-to-last/3"`}},
		{name: "key transform next-to-last/", env: with(map[string]string{"IPFS_S3_KEY_TRANSFORM": "next-to-last/"}), errs: []string{`"next-to-last/"`}},
		{name: "key transform shard-function syntax", env: with(map[string]string{"IPFS_S3_KEY_TRANSFORM": "/repo/flatfs/shard/v1/next-to-last/2"}), errs: []string{"IPFS_S3_KEY_TRANSFORM"}},
		{
			name: "several errors are reported together",
			env:  with(map[string]string{"IPFS_S3_BUCKET_NAME": "", "IPFS_S3_REGION": "?", "IPFS_S3_KEY_TRANSFORM": "x"}),
			errs: []string{"IPFS_S3_BUCKET_NAME", "IPFS_S3_REGION", "IPFS_S3_KEY_TRANSFORM"},
		},
	})
}

func TestContainerEnvIdentity(t *testing.T) {
	runContainerCases(t, []containerCase{
		{
			name:     "private key and peer ID",
			env:      map[string]string{"IPFS_PRIVATE_KEY": testPrivateKey, "IPFS_PEER_ID": peerEd25519},
			identity: IPFSIdentity{PeerID: peerEd25519, PrivateKey: testPrivateKey},
		},
		{
			name:     "an RSA peer ID",
			env:      map[string]string{"IPFS_PRIVATE_KEY": testPrivateKey, "IPFS_PEER_ID": peerRSA},
			identity: IPFSIdentity{PeerID: peerRSA, PrivateKey: testPrivateKey},
		},
		{
			name:     "peer ID alone is ignored, as in the image",
			env:      map[string]string{"IPFS_PEER_ID": peerEd25519},
			warnings: []string{"IPFS_PEER_ID is ignored without IPFS_PRIVATE_KEY"},
		},
		{name: "private key alone", env: map[string]string{"IPFS_PRIVATE_KEY": testPrivateKey}, errs: []string{"invalid value for IPFS_PEER_ID in the environment: (not set)", "required with IPFS_PRIVATE_KEY"}},
		{name: "private key not base64", env: map[string]string{"IPFS_PRIVATE_KEY": "not*base64!", "IPFS_PEER_ID": peerEd25519}, errs: []string{"invalid value for IPFS_PRIVATE_KEY in the environment: <redacted>"}},
		{name: "peer ID invalid", env: map[string]string{"IPFS_PRIVATE_KEY": testPrivateKey, "IPFS_PEER_ID": "12D3KooWnotapeer"}, errs: []string{`invalid value for IPFS_PEER_ID in the environment: "12D3KooWnotapeer"`}},
	})
}

func TestContainerEnvRefusedAndIgnored(t *testing.T) {
	runContainerCases(t, []containerCase{
		{name: "IPFS_SWARM_KEY", env: map[string]string{"IPFS_SWARM_KEY": "/key/swarm/psk/1.0.0/\n/base16/\n0123"}, errs: []string{"invalid value for IPFS_SWARM_KEY in the environment: <redacted>", "does not support private IPFS swarms"}},
		{name: "IPFS_SWARM_KEY_FILE", env: map[string]string{"IPFS_SWARM_KEY_FILE": "/run/secrets/swarm.key"}, errs: []string{`IPFS_SWARM_KEY_FILE in the environment: "/run/secrets/swarm.key"`}},
		{name: "GATEWAY_ENABLED (any value enabled it in the image)", env: map[string]string{"GATEWAY_ENABLED": "1", "IPFS_GATEWAY_PORT": "8080"}, warnings: []string{"GATEWAY_ENABLED asks for an IPFS HTTP gateway"}},
		{name: "GATEWAY_ENABLED=false", env: map[string]string{"GATEWAY_ENABLED": "false"}},
		{name: "IPFS_ENABLE_GATEWAY=true", env: map[string]string{"IPFS_ENABLE_GATEWAY": "true"}, warnings: []string{`IPFS_ENABLE_GATEWAY="true" asks for an IPFS HTTP gateway`}},
		{name: "IPFS_ENABLE_GATEWAY=false and a port, as Terraform set them", env: map[string]string{"IPFS_ENABLE_GATEWAY": "false", "IPFS_GATEWAY_PORT": "8080"}},
		{name: "IPFS_GATEWAY_PORT alone had no effect in the image either", env: map[string]string{"IPFS_GATEWAY_PORT": "8080"}},
		{name: "IPFS_PROFILE", env: map[string]string{"IPFS_PROFILE": "server"}, warnings: []string{"IPFS_PROFILE is ignored"}},
		{name: "IPFS_DHT_SERVER_MODE", env: map[string]string{"IPFS_DHT_SERVER_MODE": "true"}, warnings: []string{"IPFS_DHT_SERVER_MODE is ignored"}},
		{name: "IPFS_PUBSUB_TOPICS", env: map[string]string{"IPFS_PUBSUB_TOPICS": "/ceramic/testnet-clay"}, warnings: []string{"IPFS_PUBSUB_TOPICS is ignored"}},
		{name: "TCP_HOST", env: map[string]string{"TCP_HOST": "0.0.0.0"}, warnings: []string{"TCP_HOST is ignored"}},
		{name: "IPFS_ENABLE_PUBSUB=true", env: map[string]string{"IPFS_ENABLE_PUBSUB": "true"}},
		{name: "IPFS_ENABLE_PUBSUB=false", env: map[string]string{"IPFS_ENABLE_PUBSUB": "false"}, warnings: []string{"pubsub, which is always on"}},
		{name: "IPFS_CREATE_IF_MISSING=true", env: map[string]string{"IPFS_CREATE_IF_MISSING": "true"}},
		{name: "IPFS_CREATE_IF_MISSING=false", env: map[string]string{"IPFS_CREATE_IF_MISSING": "false"}, warnings: []string{"IPFS_CREATE_IF_MISSING"}},
		{name: "IPFS_FLAVOR=go", env: map[string]string{"IPFS_FLAVOR": "go"}},
		{name: "IPFS_FLAVOR=rust", env: map[string]string{"IPFS_FLAVOR": "rust"}, warnings: []string{`IPFS_FLAVOR="rust" is ignored`}},
		{name: "CERAMIC_NETWORK equal to network.name", file: func(c *Config) { c.Network.Name = NetworkTestnetClay }, env: map[string]string{"CERAMIC_NETWORK": "testnet-clay"}},
		{name: "CERAMIC_NETWORK differs", file: func(c *Config) { c.Network.Name = NetworkTestnetClay }, env: map[string]string{"CERAMIC_NETWORK": "mainnet"}, warnings: []string{`CERAMIC_NETWORK="mainnet" is ignored: only @ceramicnetwork/ipfs-daemon read it; the node runs on network.name "testnet-clay"`}},
		{
			name:     "warnings come in a fixed order",
			env:      map[string]string{"IPFS_PROFILE": "server", "GATEWAY_ENABLED": "true", "IPFS_PEER_ID": peerRSA, "IPFS_S3_REGION": "eu-west-1"},
			warnings: []string{"IPFS_S3_REGION is set", "IPFS_PEER_ID", "GATEWAY_ENABLED", "IPFS_PROFILE"},
		},
	})
}

func TestContainerEnvRemoteMode(t *testing.T) {
	remote := func(c *Config) { c.IPFS.Mode = IPFSModeRemote; c.IPFS.Host = "http://ipfs:5001" }
	runContainerCases(t, []containerCase{
		{
			name: "embedded-only variables have no effect and are named",
			file: remote,
			env: map[string]string{
				"IPFS_SWARM_WS_PORT": "4012", "IPFS_API_PORT": "5001", "IPFS_ANNOUNCE_ADDRESS_LIST": "/ip4/203.0.113.7/tcp/4011/ws",
				"IPFS_ENABLE_S3": "true", "IPFS_S3_BUCKET_NAME": "ceramic-ipfs",
				"IPFS_PRIVATE_KEY": testPrivateKey, "IPFS_PEER_ID": peerEd25519, "IPFS_SWARM_KEY": "k",
			},
			warnings: []string{
				"IPFS_SWARM_WS_PORT, IPFS_ANNOUNCE_ADDRESS_LIST, IPFS_API_PORT, IPFS_ENABLE_S3, IPFS_S3_BUCKET_NAME, IPFS_PRIVATE_KEY, IPFS_PEER_ID, IPFS_SWARM_KEY " +
					`configure the embedded IPFS and have no effect with ipfs.mode "remote"; ignored`,
			},
		},
		{
			name: "the healthcheck still applies",
			file: remote,
			env:  map[string]string{"IPFS_ENABLE_HEALTHCHECK": "true"},
			want: func(c *Config) { c.IPFS.HealthcheckEnabled = true },
		},
		{
			name: "invalid values are still errors",
			file: remote,
			env:  map[string]string{"IPFS_SWARM_WS_PORT": "abc"},
			errs: []string{"IPFS_SWARM_WS_PORT"},
		},
		{name: "no variables, no warning", file: remote, env: map[string]string{"NODE_ENV": "production"}},
	})
}

// TestContainerEnvPrecedence loads a config file through Load and applies the container
// variables after it, as the daemon does: the variables override the file's keys, and the
// file's keys stand when the variables are unset.
func TestContainerEnvPrecedence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "daemon.config.json")
	file := `{
  "network": {"name": "testnet-clay"},
  "ipfs": {
    "mode": "bundled",
    "swarm-addresses": ["/ip4/0.0.0.0/tcp/4011/ws", "/ip4/0.0.0.0/tcp/4001"],
    "announce-addresses": ["/ip4/198.51.100.1/tcp/4011/ws"],
    "api-address": "/ip4/127.0.0.1/tcp/5001",
    "bootstrap-peers": [],
    "healthcheck-enabled": true
  }
}`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	load := func(t *testing.T, vars map[string]string) (Config, ContainerSettings) {
		t.Helper()
		loaded, err := Load(LoadOptions{ConfigPath: path, Getenv: env(vars), HomeDir: dir, WorkDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		cs, err := ApplyContainerEnv(&loaded.Config, env(vars))
		if err != nil {
			t.Fatal(err)
		}
		return loaded.Config, cs
	}

	t.Run("unset variables keep the file", func(t *testing.T) {
		c, cs := load(t, map[string]string{"NODE_ENV": "production"})
		if got, want := c.IPFS.SwarmAddresses, []string{"/ip4/0.0.0.0/tcp/4011/ws", "/ip4/0.0.0.0/tcp/4001"}; !slices.Equal(got, want) {
			t.Errorf("swarm = %q, want %q", got, want)
		}
		if got := c.IPFS.AnnounceAddresses; !slices.Equal(got, []string{"/ip4/198.51.100.1/tcp/4011/ws"}) {
			t.Errorf("announce = %q", got)
		}
		if c.IPFS.APIAddress != "/ip4/127.0.0.1/tcp/5001" || c.IPFS.BootstrapPeers == nil || len(c.IPFS.BootstrapPeers) != 0 || !c.IPFS.HealthcheckEnabled {
			t.Errorf("ipfs = %+v", c.IPFS)
		}
		if len(cs.Warnings) != 0 || cs.S3.Enabled || cs.Identity.IsSet() {
			t.Errorf("settings = %+v", cs)
		}
	})

	t.Run("variables override the file", func(t *testing.T) {
		c, cs := load(t, map[string]string{
			"IPFS_PATH":                  "/data/ipfs",
			"IPFS_SWARM_TCP_PORT":        "4010",
			"IPFS_SWARM_WS_PORT":         "4012",
			"IPFS_ANNOUNCE_ADDRESS_LIST": "/dns4/ceramic.example.com/tcp/4012/ws",
			"IPFS_API_PORT":              "5011",
			"IPFS_BOOTSTRAP":             "/ip4/155.138.235.201/tcp/4001/p2p/" + peerEd25519,
			"IPFS_ENABLE_HEALTHCHECK":    "false",
			"IPFS_ENABLE_S3":             "true",
			"IPFS_S3_BUCKET_NAME":        "ceramic-ipfs",
		})
		if got, want := c.IPFS.SwarmAddresses, []string{"/ip4/0.0.0.0/tcp/4010", "/ip4/0.0.0.0/tcp/4012/ws"}; !slices.Equal(got, want) {
			t.Errorf("swarm = %q, want %q", got, want)
		}
		if got := c.IPFS.AnnounceAddresses; !slices.Equal(got, []string{"/dns4/ceramic.example.com/tcp/4012/ws"}) {
			t.Errorf("announce = %q", got)
		}
		if c.IPFS.APIAddress != "/ip4/0.0.0.0/tcp/5011" {
			t.Errorf("api = %q", c.IPFS.APIAddress)
		}
		if got := c.IPFS.BootstrapPeers; !slices.Equal(got, []string{"/ip4/155.138.235.201/tcp/4001/p2p/" + peerEd25519}) {
			t.Errorf("bootstrap = %q", got)
		}
		if c.IPFS.HealthcheckEnabled {
			t.Error("healthcheck still enabled")
		}
		if c.IPFS.RepoPath != "/data/ipfs" {
			t.Errorf("repo = %q (Load applies IPFS_PATH)", c.IPFS.RepoPath)
		}
		if !cs.S3.Enabled || cs.S3.Bucket != "ceramic-ipfs" || len(cs.Warnings) != 0 {
			t.Errorf("settings = %+v", cs)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("the result does not validate: %v", err)
		}
	})

	t.Run("HEALTHCHECK_ENABLED, read by Load, wins over IPFS_ENABLE_HEALTHCHECK", func(t *testing.T) {
		c, cs := load(t, map[string]string{"HEALTHCHECK_ENABLED": "true", "IPFS_ENABLE_HEALTHCHECK": "false"})
		if !c.IPFS.HealthcheckEnabled || len(cs.Warnings) != 1 {
			t.Errorf("healthcheck = %v, warnings %q", c.IPFS.HealthcheckEnabled, cs.Warnings)
		}
	})
}

// TestContainerEnvSecretsNeverQuoted checks every way a secret could leak: error messages,
// warnings, and the formatting and logging of the returned settings.
func TestContainerEnvSecretsNeverQuoted(t *testing.T) {
	const leak = "SECRETLEAK"
	failing := []map[string]string{
		{"IPFS_ENABLE_S3": "true", "IPFS_S3_BUCKET_NAME": "b-ok", "IPFS_S3_ACCESS_KEY_ID": leak + "ID", "IPFS_S3_SECRET_ACCESS_KEY": leak + " x"},
		{"IPFS_ENABLE_S3": "true", "IPFS_S3_BUCKET_NAME": "b-ok", "IPFS_S3_ACCESS_KEY_ID": leak + "\tID", "IPFS_S3_SECRET_ACCESS_KEY": "s"},
		{"IPFS_ENABLE_S3": "true", "IPFS_S3_BUCKET_NAME": "b-ok", "IPFS_S3_ACCESS_KEY_ID": leak},
		{"IPFS_ENABLE_S3": "true", "IPFS_S3_BUCKET_NAME": "b-ok", "IPFS_S3_SECRET_ACCESS_KEY": leak},
		{"IPFS_ENABLE_S3": "true", "IPFS_S3_SECRET_ACCESS_KEY": leak, "IPFS_S3_ACCESS_KEY_ID": leak, "IPFS_S3_ENDPOINT": "x://u:" + leak + "@h"},
		{"IPFS_PRIVATE_KEY": leak + "!!", "IPFS_PEER_ID": peerEd25519},
		{"IPFS_PRIVATE_KEY": leak + "!!"},
		{"IPFS_PRIVATE_KEY": leak + "!!", "IPFS_PEER_ID": "bad"},
		{"IPFS_SWARM_KEY": leak},
	}
	for i, vars := range failing {
		t.Run(fmt.Sprintf("error %d", i), func(t *testing.T) {
			c := Default()
			_, err := ApplyContainerEnv(&c, env(vars))
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), leak) {
				t.Errorf("the error quotes a secret: %v", err)
			}
		})
	}

	t.Run("warnings and formatting", func(t *testing.T) {
		vars := map[string]string{
			"IPFS_ENABLE_S3": "true", "IPFS_S3_BUCKET_NAME": "b-ok", "IPFS_S3_ENDPOINT": "https://u:" + leak + "pw@minio.example",
			"IPFS_S3_ACCESS_KEY_ID": leak + "ID", "IPFS_S3_SECRET_ACCESS_KEY": leak + "KEY",
			"IPFS_PRIVATE_KEY": base64.StdEncoding.EncodeToString([]byte(leak + "PRIVATEKEY")), "IPFS_PEER_ID": peerEd25519,
			"IPFS_PROFILE": "server", "GATEWAY_ENABLED": "true",
		}
		c := Default()
		cs, err := ApplyContainerEnv(&c, env(vars))
		if err != nil {
			t.Fatal(err)
		}
		if cs.S3.SecretAccessKey != leak+"KEY" || cs.Identity.PrivateKey == "" {
			t.Fatalf("the settings must carry the secrets: %q", cs.S3.SecretAccessKey)
		}
		var buf bytes.Buffer
		for _, w := range cs.Warnings {
			buf.WriteString(w)
		}
		fmt.Fprintf(&buf, "%v %+v %#v %s %v %+v %#v %s", cs, cs, cs, cs.S3, cs.Identity, cs.Identity, cs.Identity, cs.Identity)
		for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, nil), slog.NewTextHandler(&buf, nil)} {
			slog.New(h).Info("container", "s3", cs.S3, "identity", cs.Identity)
		}
		if strings.Contains(buf.String(), leak) || strings.Contains(buf.String(), base64.StdEncoding.EncodeToString([]byte(leak))[:8]) {
			t.Errorf("a secret leaked:\n%s", buf.String())
		}
		for _, s := range []string{"b-ok", "<redacted>", peerEd25519, "https://u:xxxxx@minio.example"} {
			if !strings.Contains(buf.String(), s) {
				t.Errorf("the formatted settings lack %q:\n%s", s, buf.String())
			}
		}
		if got := (IPFSS3{}).String(); got != "IPFS S3 block store: off" {
			t.Errorf("String of the zero value = %q", got)
		}
		if got := (IPFSIdentity{}).String(); got != "IPFS identity: from the repository" {
			t.Errorf("String of the zero value = %q", got)
		}
	})
}

// TestParseMultiaddrAgreesWithGoMultiaddr checks the standard-library multiaddr parser
// against go-multiaddr, which the node uses, on addresses that are valid and invalid for
// both.
func TestParseMultiaddrAgreesWithGoMultiaddr(t *testing.T) {
	valid := []string{
		"/ip4/0.0.0.0/tcp/4011/ws",
		"/ip4/203.0.113.7/tcp/4011/ws/",
		"/ip6/::/tcp/4011/ws",
		"/ip6/fe80::1/ip6zone/eth0/tcp/1",
		"/ip6/1.2.3.4/tcp/1",
		"/ip4/10.0.0.0/ipcidr/8",
		"/dns/x.example/tcp/443/wss",
		"/dns4/ceramic.example.com/tcp/4011/ws/p2p/" + peerEd25519,
		"/dns6/x.example/tcp/1/tls/sni/x.example/ws",
		"/dnsaddr/bootstrap.libp2p.io/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN",
		"/ip4/1.2.3.4/udp/4011/quic-v1/webtransport/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g",
		"/ip4/1.2.3.4/udp/4011/webrtc-direct/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g",
		"/ip4/1.2.3.4/udp/1/quic",
		"/ip4/1.2.3.4/tcp/65535/http/http-path/a%2Fb",
		"/ip4/1.2.3.4/tcp/1/p2p/" + peerRSA + "/p2p-circuit/p2p/" + peerEd25519,
		"/ipfs/" + peerRSA,
		"/p2p/bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe",
		"/p2p/k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8",
		"/unix/tmp/ceramic.sock",
		"/memory/42",
		"/ip4/1.2.3.4/tcp/1/noise",
		"/ip4/1.2.3.4/sctp/1",
		"/ip4/1.2.3.4/udp/1/utp",
	}
	invalid := []string{
		"",
		"/",
		"ip4/1.2.3.4/tcp/1",
		"/ip4/1.2.3.4:4011",
		"/ip4/1.2.3.4/tcp",
		"/ip4/1.2.3.4/tcp/65536",
		"/ip4/1.2.3.4/tcp/-1",
		"/ip4/1.2.3.4/tcp/+1",
		"/ip4/::1/tcp/1",
		"/ip6/not-an-ip/tcp/1",
		"/ip4/1.2.3.4//tcp/1",
		"/ip4/1.2.3.4/tcp/1/websocket",
		"/ip4/10.0.0.0/ipcidr/256",
		"/p2p/QmNotAPeer",
		"/p2p/12D3KooWnotapeer",
		"/p2p/bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
		"/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5Nx",
		"/ip4/1.2.3.4/udp/1/quic-v1/webtransport/certhash/uAAAA",
		"/ip4/1.2.3.4/udp/1/quic-v1/webtransport/certhash/!!",
		"/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:1234",
		"/dns4",
		"/memory/x",
	}
	for _, s := range valid {
		if _, err := ma.NewMultiaddr(s); err != nil {
			t.Errorf("test data: go-multiaddr rejects %q: %v", s, err)
		}
		if _, err := parseMultiaddr(s); err != nil {
			t.Errorf("parseMultiaddr(%q): %v", s, err)
		}
	}
	for _, s := range invalid {
		if _, err := parseMultiaddr(s); err == nil {
			t.Errorf("parseMultiaddr(%q) accepted it", s)
		}
		if strings.HasPrefix(s, "/onion3/") {
			continue // valid for go-multiaddr; this node cannot use it
		}
		if _, err := ma.NewMultiaddr(s); err == nil {
			t.Errorf("test data: go-multiaddr accepts %q", s)
		}
	}
}

func TestCheckPeerID(t *testing.T) {
	for _, s := range []string{peerEd25519, peerRSA, "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe", "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8"} {
		if err := checkPeerID(s); err != nil {
			t.Errorf("checkPeerID(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "Qm", "1", "12D3KooW", "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", "xyz", "zzz", peerRSA + "1"} {
		if err := checkPeerID(s); err == nil {
			t.Errorf("checkPeerID(%q) accepted it", s)
		}
	}
}
