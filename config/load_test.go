package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Fixed directories for tests that read files but never write: nothing exists there.
const (
	fakeHome = "/home/u"
	fakeWork = "/work/dir"
)

// testdataDir returns the absolute path of testdata/.
func testdataDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// env returns a Getenv over a fixed map.
func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

// goldenView is what a golden file of a good config holds.
type goldenView struct {
	Config   Config   `json:"config"`
	Warnings []string `json:"warnings"`
}

func newGoldenView(l *Loaded) goldenView {
	return goldenView{Config: l.Config, Warnings: append([]string{}, l.Warnings...)}
}

// render encodes v as indented JSON with the machine-specific directory dir replaced by
// placeholder.
func render(t *testing.T, v any, dir, placeholder string) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(buf.Bytes(), []byte(dir), []byte(placeholder))
}

// checkGolden compares got with the golden file, or rewrites it under -update.
func checkGolden(t *testing.T, golden string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./config -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("result differs from %s (run with -update to accept)\n--- got\n%s\n--- want\n%s", golden, got, want)
	}
}

func TestGoodConfigs(t *testing.T) {
	dir := testdataDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var good []string
	for _, f := range files {
		if !strings.HasSuffix(f, ".bad.json") {
			good = append(good, f)
		}
	}
	if len(good) < 5 {
		t.Fatalf("found only %d good configs in %s", len(good), dir)
	}
	for _, file := range good {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			loaded, err := Load(LoadOptions{ConfigPath: file, HomeDir: fakeHome, WorkDir: fakeWork})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if loaded.Generated || loaded.Path != file {
				t.Errorf("Generated = %v, Path = %q; want false, %q", loaded.Generated, loaded.Path, file)
			}
			if err := loaded.Config.Validate(); err != nil {
				t.Errorf("loaded config does not validate on its own: %v", err)
			}
			got := render(t, newGoldenView(loaded), dir, "<testdata>")
			checkGolden(t, filepath.Join(dir, name+".golden"), got)
		})
	}
}

// badConfigs maps each testdata/*.bad.json to its exact error; "<testdata>" stands for the
// testdata directory.
var badConfigs = map[string]string{
	"auth-method":          `invalid value for anchor.auth-method in <testdata>/auth-method.bad.json: "jwt" (allowed: "did" or unset)`,
	"bool-string":          `invalid value for logger.log-to-files in <testdata>/bool-string.bad.json: "true" (allowed: true or false)`,
	"cors-regex":           "invalid value for http-api.cors-allowed-origins[1] in <testdata>/cors-regex.bad.json: \"(unclosed\": error parsing regexp: missing closing ): `(unclosed` (allowed: a list of regular expressions in Go syntax)",
	"did-without-seed":     `Daemon config is missing node.private-seed-url: invalid value for node.private-seed-url in <testdata>/did-without-seed.bad.json: (not set) (allowed: inplace:ed25519#<64 hex digits>; required when anchor.auth-method is "did")`,
	"elp-custom-cas":       `Cannot use custom anchor service on Ceramic mainnet: invalid value for anchor.anchor-service-url in <testdata>/elp-custom-cas.bad.json: "https://cas-clay.3boxlabs.com" (allowed: on mainnet, one of https://cas.3boxlabs.com, https://cas-internal.3boxlabs.com, https://cas-direct.3boxlabs.com)`,
	"empty":                `config: <testdata>/empty.bad.json:1:1: invalid JSON: unexpected end of JSON input`,
	"indexing-db":          `Not supported database protocol mysql: invalid value for indexing.db in <testdata>/indexing-db.bad.json: "mysql://ceramic:xxxxx@db/ceramic" (allowed: a sqlite:, sqlite3:, postgres: or postgresql: URL)`,
	"ipfs-mode":            `invalid value for ipfs.mode in <testdata>/ipfs-mode.bad.json: "embedded" (allowed: "bundled" or "remote")`,
	"list-string":          `invalid value for http-api.cors-allowed-origins in <testdata>/list-string.bad.json: ".*" (allowed: a list of regular expressions in Go syntax)`,
	"log-level-range":      `invalid value for logger.log-level in <testdata>/log-level-range.bad.json: 7 (allowed: an integer from 0 to 3)`,
	"log-level-string":     `invalid value for logger.log-level in <testdata>/log-level-string.bad.json: "2" (allowed: an integer from 0 to 3)`,
	"mainnet-custom-cas":   `Cannot use custom anchor service on Ceramic mainnet: invalid value for anchor.anchor-service-url in <testdata>/mainnet-custom-cas.bad.json: "https://cas.example.org" (allowed: on mainnet, one of https://cas.3boxlabs.com, https://cas-internal.3boxlabs.com, https://cas-direct.3boxlabs.com)`,
	"not-object":           `config: <testdata>/not-object.bad.json: the file must hold a JSON object, not array`,
	"pinning-endpoint":     `Unknown pinning service pinata: invalid value for ipfs.pinning-endpoints[1] in <testdata>/pinning-endpoint.bad.json: "pinata+https://api.pinata.cloud" (allowed: a list of "ipfs+context", "ipfs+http://host:port" or "ipfs+https://host:port")`,
	"port-float":           `invalid value for http-api.port in <testdata>/port-float.bad.json: 7007.5 (allowed: an integer from 0 to 65535)`,
	"port-range":           `invalid value for http-api.port in <testdata>/port-range.bad.json: 70000 (allowed: an integer from 0 to 65535)`,
	"prometheus-port":      `invalid value for metrics.prometheus-exporter-port in <testdata>/prometheus-port.bad.json: -1 (allowed: an integer from 0 to 65535)`,
	"remote-host":          `invalid value for ipfs.host in <testdata>/remote-host.bad.json: "localhost:5001" (allowed: an http:// or https:// URL)`,
	"s3-without-bucket":    `invalid value for state-store.s3-bucket in <testdata>/s3-without-bucket.bad.json: (not set) (allowed: a bucket name, optionally followed by /path; required when state-store.mode is "s3")`,
	"section-not-object":   `invalid value for anchor in <testdata>/section-not-object.bad.json: "did" (allowed: a JSON object)`,
	"seed-conflict":        `node.private-seed-url and node.privateSeedUrl are both set and differ: invalid value for node.private-seed-url in <testdata>/seed-conflict.bad.json: <redacted> (allowed: one seed, under either node.private-seed-url or node.privateSeedUrl)`,
	"seed-format":          `Invalid format for node.private-seed-url in daemon.config.json: invalid value for node.private-seed-url in <testdata>/seed-format.bad.json: <redacted> (allowed: inplace:ed25519#<64 hex digits>)`,
	"seed-type":            `invalid value for node.privateSeedUrl in <testdata>/seed-type.bad.json: <redacted> (allowed: inplace:ed25519#<64 hex digits>)`,
	"several-types":        "invalid value for http-api.port in <testdata>/several-types.bad.json: \"http\" (allowed: an integer from 0 to 65535)\ninvalid value for logger.log-level in <testdata>/several-types.bad.json: \"9\" (allowed: an integer from 0 to 3)",
	"several-values":       "invalid value for logger.log-level in <testdata>/several-values.bad.json: 9 (allowed: an integer from 0 to 3)\nSpecifying pub/sub topic is only supported for the 'inmemory' and 'local' networks: invalid value for network.pubsub-topic in <testdata>/several-values.bad.json: \"/x\" (allowed: a topic, only on the local and inmemory networks)",
	"state-store-mode":     `invalid value for state-store.mode in <testdata>/state-store-mode.bad.json: "leveldb" (allowed: "fs", "s3" or unset)`,
	"stream-cache-limit":   `invalid value for node.stream-cache-limit in <testdata>/stream-cache-limit.bad.json: 0 (allowed: an integer of at least 1)`,
	"sync-override":        `invalid value for node.sync-override in <testdata>/sync-override.bad.json: "always" (allowed: "prefer-cache", "sync-always", "never-sync" or unset)`,
	"syntax":               `config: <testdata>/syntax.bad.json:2:14: invalid JSON: invalid character ',' looking for beginning of object key string`,
	"topic-public-network": `Specifying pub/sub topic is only supported for the 'inmemory' and 'local' networks: invalid value for network.pubsub-topic in <testdata>/topic-public-network.bad.json: "/ceramic/mine" (allowed: a topic, only on the local and inmemory networks)`,
	"unknown-network":      `invalid value for network.name in <testdata>/unknown-network.bad.json: "elp-testnet" (allowed: one of mainnet, testnet-clay, dev-unstable, local, inmemory; "elp" is read as mainnet)`,
}

func TestBadConfigs(t *testing.T) {
	dir := testdataDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.bad.json"))
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]bool)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".bad.json")
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			want, ok := badConfigs[name]
			if !ok {
				t.Fatalf("no expected error for %s in badConfigs", file)
			}
			home := t.TempDir()
			loaded, err := Load(LoadOptions{ConfigPath: file, HomeDir: home, WorkDir: home})
			if err == nil {
				t.Fatalf("Load succeeded: %+v", loaded.Config)
			}
			got := strings.ReplaceAll(err.Error(), dir, "<testdata>")
			if got != want {
				t.Errorf("error:\n got %s\nwant %s", got, want)
			}
			for _, secret := range []string{"notasecrethexvalue", "1111111111", "2222222222", "hunter2", "12345"} {
				if strings.Contains(got, secret) {
					t.Errorf("error leaks %q: %s", secret, got)
				}
			}
			if entries, _ := os.ReadDir(home); len(entries) != 0 {
				t.Errorf("Load wrote into the home directory: %v", entries)
			}
		})
	}
	for name := range badConfigs {
		if !seen[name] {
			t.Errorf("badConfigs lists %s but testdata/%s.bad.json does not exist", name, name)
		}
	}
}

func TestBadConfigErrorsAreTyped(t *testing.T) {
	file := filepath.Join(testdataDir(t), "log-level-string.bad.json")
	_, err := Load(LoadOptions{ConfigPath: file, HomeDir: fakeHome, WorkDir: fakeWork})
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("error %v is not a *config.Error", err)
	}
	want := Error{Key: "logger.log-level", Value: `"2"`, Allowed: "an integer from 0 to 3", Source: file}
	if *cerr != want {
		t.Errorf("got %#v, want %#v", *cerr, want)
	}
}

// fixedRand is a deterministic source for the generated seed: bytes 0x00, 0x01, ….
func fixedRand() *bytes.Reader {
	b := make([]byte, 64)
	for i := range b {
		b[i] = byte(i)
	}
	return bytes.NewReader(b)
}

func TestGeneratedFile(t *testing.T) {
	home := t.TempDir()
	path := filepath.Join(home, DirName, FileName)
	loaded, err := Load(LoadOptions{HomeDir: home, WorkDir: home, Rand: fixedRand()})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !loaded.Generated || loaded.Path != path {
		t.Errorf("Generated = %v, Path = %q; want true, %q", loaded.Generated, loaded.Path, path)
	}
	if len(loaded.Warnings) != 0 {
		t.Errorf("warnings for a generated file: %q", loaded.Warnings)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("generated file: %v", err)
	}
	checkGolden(t, filepath.Join("testdata", "generated.golden"),
		bytes.ReplaceAll(data, []byte(home), []byte(fakeHome)))
	checkGolden(t, filepath.Join("testdata", "generated-config.golden"),
		render(t, newGoldenView(loaded), home, fakeHome))

	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("generated file mode = %v, want 0600", perm)
	}

	// The second start reads the file it wrote and gets the same configuration.
	again, err := Load(LoadOptions{HomeDir: home, WorkDir: home, Rand: strings.NewReader("")})
	if err != nil {
		t.Fatalf("second Load: %v", err)
	}
	if again.Generated {
		t.Error("second Load generated the file again")
	}
	if !reflect.DeepEqual(again.Config, loaded.Config) {
		t.Errorf("second Load differs:\n got %+v\nwant %+v", again.Config, loaded.Config)
	}
}

func TestGeneratedFileAtCustomPath(t *testing.T) {
	home := t.TempDir()
	flags, err := ParseDaemonFlags([]string{"--config", "nested/dir/my.json"})
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(LoadOptions{Flags: flags, HomeDir: home, WorkDir: home})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := filepath.Join(home, "nested", "dir", "my.json")
	if loaded.Path != want || !loaded.Generated {
		t.Errorf("Path = %q, Generated = %v; want %q, true", loaded.Path, loaded.Generated, want)
	}
	if _, err := os.Stat(want); err != nil {
		t.Errorf("file not written: %v", err)
	}
	if _, err := ParseSeedURL(loaded.Config.Node.PrivateSeedURL); err != nil {
		t.Errorf("generated seed: %v", err)
	}
	// The directories still default to the home directory, not the config's directory.
	if got, want := loaded.Config.StateStore.LocalDirectory, filepath.Join(home, ".ceramic", "statestore"); got != want {
		t.Errorf("local-directory = %q, want %q", got, want)
	}
}

func TestNothingWrittenOnError(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		rand    *strings.Reader
		wantErr string
	}{
		{name: "invalid flag value", args: []string{"--network", "moonnet"}, wantErr: `invalid value for network.name in flag --network: "moonnet"`},
		{name: "invalid env", env: map[string]string{"CERAMIC_STREAM_CACHE_LIMIT": "lots"}, wantErr: "environment variable CERAMIC_STREAM_CACHE_LIMIT"},
		{name: "custom CAS on mainnet", args: []string{"--network", "mainnet", "--anchor-service-api", "https://cas.example.org"}, wantErr: "Cannot use custom anchor service on Ceramic mainnet"},
		{name: "seed from env is bad", env: map[string]string{"CERAMIC_NODE_PRIVATE_SEED_URL": "inplace:ed25519#zz"}, wantErr: "Invalid format for node.private-seed-url"},
		{name: "no randomness", rand: strings.NewReader("short"), wantErr: "generate node seed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			flags, err := ParseDaemonFlags(tt.args)
			if err != nil {
				t.Fatal(err)
			}
			opts := LoadOptions{Flags: flags, Getenv: env(tt.env), HomeDir: home, WorkDir: home}
			if tt.rand != nil {
				opts.Rand = tt.rand
			}
			_, err = Load(opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "inplace:ed25519#zz") {
				t.Errorf("error leaks the seed: %v", err)
			}
			if entries, _ := os.ReadDir(home); len(entries) != 0 {
				t.Errorf("Load wrote into the home directory: %v", entries)
			}
		})
	}
}

// writeConfig writes a config file into a fresh directory and returns its path.
func writeConfig(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPrecedence(t *testing.T) {
	const file = `{
		"http-api": {"port": 1000, "hostname": "10.0.0.1"},
		"ipfs": {"mode": "bundled", "repo-path": "/file/ipfs", "disable-peer-data-sync": true},
		"logger": {"log-level": 3},
		"metrics": {"collector-host": "file-collector", "metrics-exporter-enabled": true, "prometheus-exporter-port": 9000},
		"network": {"name": "testnet-clay"},
		"node": {"stream-cache-limit": 10, "privateSeedUrl": "inplace:ed25519#1111111111111111111111111111111111111111111111111111111111111111"},
		"indexing": {"db": "sqlite:///file.sqlite"}
	}`
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		check  func(c Config) any
		want   any
		source string // expected origin of an invalid value, checked through Load's error
	}{
		{name: "file only", check: func(c Config) any { return c.HTTPAPI.Port }, want: Port(1000)},
		{name: "flag over file", args: []string{"--port", "2000"}, check: func(c Config) any { return c.HTTPAPI.Port }, want: Port(2000)},
		{name: "env over file", env: map[string]string{"CERAMIC_STREAM_CACHE_LIMIT": "20"}, check: func(c Config) any { return c.Node.StreamCacheLimit }, want: 20},
		{name: "env over file for the seed", env: map[string]string{"CERAMIC_NODE_PRIVATE_SEED_URL": "inplace:ed25519#2222222222222222222222222222222222222222222222222222222222222222"},
			check: func(c Config) any { return c.Node.PrivateSeedURL[len(SeedURLPrefix):][:4] }, want: "2222"},
		{name: "IPFS_PATH over file", env: map[string]string{"IPFS_PATH": "/env/ipfs"}, check: func(c Config) any { return c.IPFS.RepoPath }, want: "/env/ipfs"},
		{name: "relative IPFS_PATH resolves against the working directory", env: map[string]string{"IPFS_PATH": "repo"}, check: func(c Config) any { return c.IPFS.RepoPath }, want: "/work/dir/repo"},
		{name: "env false over file true", env: map[string]string{"CERAMIC_METRICS_EXPORTER_ENABLED": "false", "CERAMIC_DISABLE_IPFS_PEER_DATA_SYNC": "false"},
			check: func(c Config) any { return []bool{c.Metrics.MetricsExporterEnabled, c.IPFS.DisablePeerDataSync} }, want: []bool{false, false}},
		{name: "empty env counts as unset", env: map[string]string{"COLLECTOR_HOSTNAME": ""}, check: func(c Config) any { return c.Metrics.CollectorHost }, want: "file-collector"},
		{name: "collector and db from env", env: map[string]string{"COLLECTOR_HOSTNAME": "env-collector", "CERAMIC_INDEXING_DB_URI": "postgres://db/x"},
			check: func(c Config) any { return []string{c.Metrics.CollectorHost, c.Indexing.DB} }, want: []string{"env-collector", "postgres://db/x"}},
		{name: "composedb from env", env: map[string]string{"CERAMIC_DISABLE_COMPOSE_DB": "true"}, check: func(c Config) any { return c.Indexing.DisableComposeDB }, want: true},
		{name: "healthcheck env", env: map[string]string{"HEALTHCHECK_ENABLED": "true", "HEALTHCHECK_PORT": "8099"},
			check: func(c Config) any { return []any{c.IPFS.HealthcheckEnabled, c.IPFS.HealthcheckPort} }, want: []any{true, Port(8099)}},
		{name: "prometheus env", env: map[string]string{"CERAMIC_PROMETHEUS_EXPORTER_ENABLED": "true", "CERAMIC_PROMETHEUS_EXPORTER_PORT": "9999"},
			check: func(c Config) any { return []any{c.Metrics.PrometheusExporterEnabled, c.Metrics.PrometheusPort()} }, want: []any{true, Port(9999)}},
		{name: "flag over env over file", env: map[string]string{"CERAMIC_INDEXING_DB_URI": "postgres://env/x"}, args: []string{"--disable-composedb", "--network", "dev-unstable"},
			check: func(c Config) any { return []any{c.Indexing.DB, c.Indexing.DisableComposeDB, c.Network.Name} }, want: []any{"postgres://env/x", true, "dev-unstable"}},
		{name: "verbose wins over debug", args: []string{"--verbose", "--debug"}, check: func(c Config) any { return c.Logger.Level() }, want: 0},
		{name: "debug", args: []string{"--debug"}, check: func(c Config) any { return c.Logger.Level() }, want: 1},
		{name: "ipfs-api", args: []string{"--ipfs-api", "http://kubo:5001"}, check: func(c Config) any { return []string{c.IPFS.Mode, c.IPFS.Host} }, want: []string{"remote", "http://kubo:5001"}},
		{name: "invalid env names the variable", env: map[string]string{"HEALTHCHECK_PORT": "eighty"}, source: "environment variable HEALTHCHECK_PORT"},
		{name: "invalid env bool", env: map[string]string{"HEALTHCHECK_ENABLED": "yes"}, source: "environment variable HEALTHCHECK_ENABLED"},
		{name: "invalid value from env validated with its source", env: map[string]string{"CERAMIC_STREAM_CACHE_LIMIT": "0"}, source: "environment variable CERAMIC_STREAM_CACHE_LIMIT"},
		{name: "invalid value from flag", args: []string{"--sync-override", "sometimes"}, source: "flag --sync-override"},
		{name: "custom topic from flag on mainnet", args: []string{"--network", "mainnet", "--pubsubTopic", "/t"}, source: "flag --pubsubTopic"},
	}
	path := writeConfig(t, file)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flags, err := ParseDaemonFlags(tt.args)
			if err != nil {
				t.Fatal(err)
			}
			loaded, err := Load(LoadOptions{ConfigPath: path, Flags: flags, Getenv: env(tt.env), HomeDir: fakeHome, WorkDir: fakeWork})
			if tt.source != "" {
				var cerr *Error
				if !errors.As(err, &cerr) || cerr.Source != tt.source {
					t.Fatalf("error = %v, want a *config.Error from %q", err, tt.source)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := tt.check(loaded.Config); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestEnvErrorMessage(t *testing.T) {
	_, err := Load(LoadOptions{
		ConfigPath: writeConfig(t, `{}`),
		Getenv:     env(map[string]string{"CERAMIC_STREAM_CACHE_LIMIT": "many", "CERAMIC_PROMETHEUS_EXPORTER_ENABLED": "1"}),
		HomeDir:    fakeHome,
		WorkDir:    fakeWork,
	})
	want := "invalid value for node.stream-cache-limit in environment variable CERAMIC_STREAM_CACHE_LIMIT: \"many\" (allowed: an integer of at least 1)\n" +
		"invalid value for metrics.prometheus-exporter-enabled in environment variable CERAMIC_PROMETHEUS_EXPORTER_ENABLED: \"1\" (allowed: \"true\" or \"false\")"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n got %v\nwant %s", err, want)
	}
}

func TestPathExpansion(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "empty", in: "", want: ""},
		{name: "home", in: "~", want: "/home/u"},
		{name: "under home", in: "~/a/b/", want: "/home/u/a/b"},
		{name: "working dir", in: "~+", want: "/work/dir"},
		{name: "under working dir", in: "~+/a", want: "/work/dir/a"},
		{name: "tilde user is relative", in: "~bob/x", want: "/etc/ceramic/~bob/x"},
		{name: "relative", in: "state", want: "/etc/ceramic/state"},
		{name: "dot relative", in: "./a/../b", want: "/etc/ceramic/b"},
		{name: "parent", in: "../logs", want: "/etc/logs"},
		{name: "absolute", in: "/var/lib/x/", want: "/var/lib/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := expandPath(tt.in, "/etc/ceramic", "/home/u", "/work/dir"); got != tt.want {
				t.Errorf("expandPath(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLoadPaths(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		args     []string
		wantLogs string
		wantFS   string
		wantRepo string
	}{
		{
			name:     "defaults under home",
			file:     `{}`,
			wantLogs: "/home/u/.ceramic/logs", wantFS: "/home/u/.ceramic/statestore", wantRepo: "/home/u/.ceramic/ipfs",
		},
		{
			name:     "file paths relative to the file",
			file:     `{"logger": {"log-directory": "logs"}, "state-store": {"mode": "fs", "local-directory": "~/s"}, "ipfs": {"repo-path": "~+/r"}}`,
			wantLogs: "<dir>/logs", wantFS: "/home/u/s", wantRepo: "/work/dir/r",
		},
		{
			name:     "flag paths relative to the working directory and not expanded",
			file:     `{"logger": {"log-directory": "/file/logs"}}`,
			args:     []string{"--log-directory", "out/logs", "--state-store-directory", "~/state"},
			wantLogs: "/work/dir/out/logs", wantFS: "/work/dir/~/state", wantRepo: "/home/u/.ceramic/ipfs",
		},
		{
			name:     "fs mode without directory",
			file:     `{"state-store": {"mode": "fs"}}`,
			wantLogs: "/home/u/.ceramic/logs", wantFS: "/home/u/.ceramic/statestore", wantRepo: "/home/u/.ceramic/ipfs",
		},
		{
			name:     "s3 mode keeps no directory",
			file:     `{"state-store": {"mode": "s3", "s3-bucket": "b"}}`,
			wantLogs: "/home/u/.ceramic/logs", wantFS: "", wantRepo: "/home/u/.ceramic/ipfs",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.file)
			flags, err := ParseDaemonFlags(tt.args)
			if err != nil {
				t.Fatal(err)
			}
			loaded, err := Load(LoadOptions{ConfigPath: path, Flags: flags, HomeDir: fakeHome, WorkDir: fakeWork})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			dir := filepath.Dir(path)
			c := loaded.Config
			got := []string{c.Logger.LogDirectory, c.StateStore.LocalDirectory, c.IPFS.RepoPath}
			want := []string{tt.wantLogs, tt.wantFS, tt.wantRepo}
			for i := range want {
				want[i] = strings.ReplaceAll(want[i], "<dir>", dir)
			}
			if !slices.Equal(got, want) {
				t.Errorf("log, state, repo dirs = %q, want %q", got, want)
			}
		})
	}
}

func TestConfigPathResolution(t *testing.T) {
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "a.json"), []byte(`{"http-api": {"port": 1}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "b.json"), []byte(`{"http-api": {"port": 2}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	flagPath := "b.json"
	tests := []struct {
		name     string
		opts     LoadOptions
		wantPort Port
		wantPath string
	}{
		{name: "relative ConfigPath", opts: LoadOptions{ConfigPath: "a.json"}, wantPort: 1, wantPath: filepath.Join(work, "a.json")},
		{name: "flag", opts: LoadOptions{Flags: Flags{ConfigPath: &flagPath}}, wantPort: 2, wantPath: filepath.Join(work, "b.json")},
		{name: "ConfigPath wins over flag", opts: LoadOptions{ConfigPath: "a.json", Flags: Flags{ConfigPath: &flagPath}}, wantPort: 1, wantPath: filepath.Join(work, "a.json")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.WorkDir = work
			tt.opts.HomeDir = fakeHome
			loaded, err := Load(tt.opts)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if loaded.Path != tt.wantPath || loaded.Config.HTTPAPI.Port != tt.wantPort {
				t.Errorf("Path = %q, port = %d; want %q, %d", loaded.Path, loaded.Config.HTTPAPI.Port, tt.wantPath, tt.wantPort)
			}
		})
	}

	t.Run("unreadable path", func(t *testing.T) {
		_, err := Load(LoadOptions{ConfigPath: work, HomeDir: fakeHome, WorkDir: work})
		if err == nil || !strings.Contains(err.Error(), "config: read "+work) {
			t.Errorf("error = %v, want a read error naming %s", err, work)
		}
	})
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		name string
		file string
		args []string
		want []string
	}{
		{
			name: "unknown keys",
			file: `{"http-api": {"prot": 7007, "port": 7007}, "foo": {"a": 1}, "ipfs": {"Mode": "remote"}}`,
			want: []string{
				`unknown key "foo" in <file>; ignored`,
				`unknown key "http-api.prot" in <file>; ignored`,
				`unknown key "ipfs.Mode" in <file>; ignored`,
			},
		},
		{
			name: "js-ceramic 2.x keys",
			file: `{"metrics": {"metrics-port": 9090}, "indexing": {"models": []}, "did-resolvers": {}, "node": {"disable-composedb": true}}`,
			want: []string{
				`"did-resolvers" in <file> is a js-ceramic 2.x key; ignored (the DID resolvers are built in)`,
				`"indexing.models" in <file> is a js-ceramic 2.x key; ignored (3.x indexes the models added through the admin API)`,
				`"metrics.metrics-port" in <file> is a js-ceramic 2.x key; ignored (3.x serves Prometheus metrics with metrics.prometheus-exporter-enabled and metrics.prometheus-exporter-port)`,
				`"node.disable-composedb" in <file> has no effect; ignored (use indexing.disable-composedb)`,
			},
		},
		{
			name: "gateway in the file",
			file: `{"node": {"gateway": true}}`,
			want: []string{`node.gateway in <file> is the js-ceramic 2.x name of read-only mode; the node runs read-only (set node.readOnly or pass --read-only instead)`},
		},
		{
			name: "gateway false is quiet",
			file: `{"node": {"gateway": false}}`,
		},
		{
			name: "gateway flag",
			file: `{}`,
			args: []string{"--gateway"},
			want: []string{`node.gateway in flag --gateway is the js-ceramic 2.x name of read-only mode; the node runs read-only (set node.readOnly or pass --read-only instead)`},
		},
		{
			name: "elp",
			file: `{"network": {"name": "elp"}}`,
			want: []string{`network.name "elp" in <file> is the js-ceramic 2.x name of mainnet; running as mainnet`},
		},
		{
			name: "local-directory without mode",
			file: `{"state-store": {"local-directory": "/data/state"}}`,
			want: []string{`state-store.local-directory in <file> is ignored because state-store.mode is not "fs" (as in js-ceramic); using /home/u/.ceramic/statestore (set state-store.mode to "fs" to use /data/state)`},
		},
		{
			name: "default local-directory without mode is quiet",
			file: `{"state-store": {"local-directory": "~/.ceramic/statestore/"}}`,
		},
		{
			name: "deprecated flags",
			file: `{}`,
			args: []string{"--ethereum-rpc", "http://eth", "--anchor-service-api", "http://cas", "--ipfs-pinning-endpoint", "ipfs+context", "--state-store-directory", "/s"},
			want: []string{
				"flag --ethereum-rpc is deprecated; set anchor.ethereum-rpc-url in the config file instead",
				"flag --anchor-service-api is deprecated; set anchor.anchor-service-url in the config file instead",
				"flag --ipfs-pinning-endpoint is deprecated; set ipfs.pinning-endpoints in the config file instead",
				"flag --state-store-directory is deprecated; set state-store.local-directory in the config file instead",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.file)
			flags, err := ParseDaemonFlags(tt.args)
			if err != nil {
				t.Fatal(err)
			}
			loaded, err := Load(LoadOptions{ConfigPath: path, Flags: flags, HomeDir: fakeHome, WorkDir: fakeWork})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			var want []string
			for _, w := range tt.want {
				want = append(want, strings.ReplaceAll(w, "<file>", path))
			}
			if !slices.Equal(loaded.Warnings, want) {
				t.Errorf("warnings:\n got %q\nwant %q", loaded.Warnings, want)
			}
		})
	}
}

func TestCompatibilityRules(t *testing.T) {
	t.Run("gateway means read-only", func(t *testing.T) {
		loaded, err := Load(LoadOptions{ConfigPath: writeConfig(t, `{"node": {"gateway": true}}`), HomeDir: fakeHome, WorkDir: fakeWork})
		if err != nil {
			t.Fatal(err)
		}
		if n := loaded.Config.Node; !n.ReadOnly || !n.Gateway || !n.IsReadOnly() {
			t.Errorf("node = %+v, want ReadOnly and Gateway set", n)
		}
	})
	t.Run("elp keeps its name and runs as mainnet", func(t *testing.T) {
		loaded, err := Load(LoadOptions{ConfigPath: writeConfig(t, `{"network": {"name": "elp"}, "anchor": {"anchor-service-url": "https://cas-internal.3boxlabs.com/"}}`), HomeDir: fakeHome, WorkDir: fakeWork})
		if err != nil {
			t.Fatal(err)
		}
		c := loaded.Config
		if c.Network.Name != NetworkELP || c.Network.Canonical() != NetworkMainnet {
			t.Errorf("Name = %q, Canonical = %q", c.Network.Name, c.Network.Canonical())
		}
		if got := c.AnchorServiceURL(); got != "https://cas-internal.3boxlabs.com" {
			t.Errorf("AnchorServiceURL = %q", got)
		}
	})
	t.Run("empty network name means inmemory", func(t *testing.T) {
		loaded, err := Load(LoadOptions{ConfigPath: writeConfig(t, `{"network": {"name": ""}}`), HomeDir: fakeHome, WorkDir: fakeWork})
		if err != nil {
			t.Fatal(err)
		}
		if loaded.Config.Network.Name != NetworkInMemory {
			t.Errorf("Name = %q", loaded.Config.Network.Name)
		}
	})
	t.Run("byte order mark", func(t *testing.T) {
		loaded, err := Load(LoadOptions{ConfigPath: writeConfig(t, "\uFEFF"+`{"http-api": {"port": 1234}}`), HomeDir: fakeHome, WorkDir: fakeWork})
		if err != nil {
			t.Fatal(err)
		}
		if loaded.Config.HTTPAPI.Port != 1234 {
			t.Errorf("port = %d", loaded.Config.HTTPAPI.Port)
		}
	})
	t.Run("same seed under both spellings", func(t *testing.T) {
		seed := "inplace:ed25519#" + strings.Repeat("ab", 32)
		loaded, err := Load(LoadOptions{ConfigPath: writeConfig(t, `{"node": {"private-seed-url": "`+seed+`", "privateSeedUrl": "`+seed+`"}}`), HomeDir: fakeHome, WorkDir: fakeWork})
		if err != nil {
			t.Fatal(err)
		}
		if loaded.Config.Node.PrivateSeedURL != seed {
			t.Error("seed not loaded")
		}
	})
	t.Run("bootstrap-peers empty list is kept", func(t *testing.T) {
		loaded, err := Load(LoadOptions{ConfigPath: writeConfig(t, `{"ipfs": {"bootstrap-peers": []}}`), HomeDir: fakeHome, WorkDir: fakeWork})
		if err != nil {
			t.Fatal(err)
		}
		if p := loaded.Config.IPFS.BootstrapPeers; p == nil || len(p) != 0 {
			t.Errorf("BootstrapPeers = %#v, want an empty non-nil list", p)
		}
	})
}

// TestSchemaCoversConfig keeps the key table and the Config struct in step: every JSON key
// of Config can be read from a file, and every key read lands in a field.
func TestSchemaCoversConfig(t *testing.T) {
	var tags []string
	ct := reflect.TypeOf(Config{})
	for i := range ct.NumField() {
		section := ct.Field(i)
		sname, _, _ := strings.Cut(section.Tag.Get("json"), ",")
		for j := range section.Type.NumField() {
			name, _, _ := strings.Cut(section.Type.Field(j).Tag.Get("json"), ",")
			if name == "-" {
				continue // set from the environment only
			}
			tags = append(tags, sname+"."+name)
		}
	}
	for _, tag := range tags {
		if _, ok := specs[tag]; !ok {
			t.Errorf("Config key %s is missing from the schema", tag)
		}
	}
	for _, spec := range schema {
		if spec.key == keySeed {
			continue // the second spelling of node.privateSeedUrl
		}
		if !slices.Contains(tags, spec.key) {
			t.Errorf("schema key %s is not a Config key", spec.key)
		}
		c := Default()
		if reflect.ValueOf(spec.field(&c)).Kind() != reflect.Pointer {
			t.Errorf("schema key %s: field does not return a pointer", spec.key)
		}
	}
}
