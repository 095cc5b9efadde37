package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// LoadOptions are the inputs of [Load]. Everything that depends on the process (home and
// working directory, environment, randomness) is passed in, so Load can be tested without
// touching the real home directory.
type LoadOptions struct {
	// ConfigPath is the config file. Empty means Flags.ConfigPath, and if that is unset too,
	// <HomeDir>/.ceramic/daemon.config.json. A relative path resolves against WorkDir.
	ConfigPath string
	// Flags are the parsed command-line flags; they override the file and the environment.
	Flags Flags
	// Getenv reads environment variables; nil means an empty environment.
	Getenv func(string) string
	// HomeDir is the home directory; empty means os.UserHomeDir.
	HomeDir string
	// WorkDir is the working directory; empty means os.Getwd.
	WorkDir string
	// Rand is the randomness for the seed of a generated file; nil means crypto/rand.
	Rand io.Reader
}

// Loaded is the result of [Load].
type Loaded struct {
	// Config is the effective, validated configuration. Its directories are absolute and
	// filled in (state-store.local-directory is left as configured in s3 mode).
	Config Config
	// Path is the absolute path of the config file.
	Path string
	// Generated reports that the file did not exist and Load wrote the default file.
	Generated bool
	// Warnings are the problems the operator should hear about but that do not stop the
	// daemon, one sentence each, ready to log.
	Warnings []string
}

// Load builds the daemon's configuration from the config file, the environment and the
// flags, in that order of precedence (js-ceramic 3.x):
//
//  1. Read the file. If it does not exist, prepare the file js-ceramic 3.4.1 generates on
//     first start: testnet-clay, DID anchor auth with a fresh seed, an fs state store and
//     SQLite indexing under <home>/.ceramic. Missing sections and keys, and null values,
//     keep the values of [Default]. Paths in the file are expanded: a leading "~" is the
//     home directory, "~+" the working directory, and other relative paths are relative to
//     the file's directory.
//  2. Apply the environment variables js-ceramic reads: CERAMIC_INDEXING_DB_URI,
//     CERAMIC_METRICS_EXPORTER_ENABLED, COLLECTOR_HOSTNAME, CERAMIC_NODE_PRIVATE_SEED_URL,
//     CERAMIC_DISABLE_IPFS_PEER_DATA_SYNC, CERAMIC_DISABLE_COMPOSE_DB,
//     CERAMIC_STREAM_CACHE_LIMIT, CERAMIC_DISABLE_PUBSUB_UPDATES, IPFS_PATH, HEALTHCHECK_ENABLED, HEALTHCHECK_PORT,
//     CERAMIC_PROMETHEUS_EXPORTER_ENABLED and CERAMIC_PROMETHEUS_EXPORTER_PORT. Empty
//     variables count as unset; booleans must be "true" or "false".
//  3. Apply the flags. --log-directory and --state-store-directory resolve against the
//     working directory.
//  4. Fill in the directories and apply the compatibility rules (see [Loaded.Warnings]).
//  5. Validate (see [Config.Validate]); errors name the file, variable or flag the value
//     came from.
//  6. Only then, for a generated file, create the missing directories and write the file
//     with mode 0600.
//
// A file with bad JSON, a value of the wrong type, or an invalid result is an error, and
// nothing is written.
func Load(opts LoadOptions) (*Loaded, error) {
	work, home, err := opts.dirs()
	if err != nil {
		return nil, err
	}
	path := opts.ConfigPath
	if path == "" && opts.Flags.ConfigPath != nil {
		path = *opts.Flags.ConfigPath
	}
	if path == "" {
		path = filepath.Join(home, DirName, FileName)
	} else {
		path = resolveAgainst(work, path)
	}

	l := &loader{
		path: path,
		dir:  filepath.Dir(path),
		home: home,
		work: work,
		cfg:  Default(),
		src:  make(map[string]string),
	}

	data, err := os.ReadFile(path)
	generated := false
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist):
		data, err = generateFile(home, opts.Rand)
		if err != nil {
			return nil, err
		}
		generated = true
	default:
		return nil, fmt.Errorf("config: read %s: %w", path, err)
	}

	if err := l.applyFile(data); err != nil {
		return nil, err
	}
	if err := l.applyEnv(opts.Getenv); err != nil {
		return nil, err
	}
	l.warnings = append(l.warnings, opts.Flags.apply(&l.cfg, l.src, work)...)
	l.finish()
	if err := l.cfg.validate(l.source); err != nil {
		return nil, err
	}
	if generated {
		if err := writeNewFile(path, data); err != nil {
			return nil, err
		}
	}
	return &Loaded{Config: l.cfg, Path: path, Generated: generated, Warnings: l.warnings}, nil
}

// dirs returns the absolute working and home directories.
func (o LoadOptions) dirs() (work, home string, err error) {
	work = o.WorkDir
	if work == "" {
		if work, err = os.Getwd(); err != nil {
			return "", "", fmt.Errorf("config: working directory: %w", err)
		}
	}
	if work, err = filepath.Abs(work); err != nil {
		return "", "", fmt.Errorf("config: working directory: %w", err)
	}
	home = o.HomeDir
	if home == "" {
		if home, err = os.UserHomeDir(); err != nil {
			return "", "", fmt.Errorf("config: home directory: %w", err)
		}
	}
	return work, resolveAgainst(work, home), nil
}

// loader carries the state of one Load.
type loader struct {
	path string // absolute config file path
	dir  string // its directory
	home string
	work string

	cfg Config
	// src maps a dotted key to where its value came from (see Error.Source).
	src      map[string]string
	warnings []string
}

func (l *loader) source(key string) string { return l.src[key] }

func (l *loader) warnf(format string, args ...any) {
	l.warnings = append(l.warnings, fmt.Sprintf(format, args...))
}

// utf8BOM is skipped at the start of a file; some editors write it.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// applyFile decodes the config file data over l.cfg. It checks every known key's JSON type
// and reports all mismatches together; unknown keys become warnings.
func (l *loader) applyFile(data []byte) error {
	data = bytes.TrimPrefix(data, utf8BOM)
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return l.parseError(data, err)
	}

	var errs []error
	seeds := make(map[string]string) // key spelling → value
	for _, section := range sortedKeys(top) {
		raw := top[section]
		if isNull(raw) {
			continue
		}
		if hint, ok := legacyKeys[section]; ok {
			l.warnf("%q in %s is a js-ceramic 2.x key; ignored (%s)", section, l.path, hint)
			continue
		}
		if !sections[section] {
			l.warnf("unknown key %q in %s; ignored", section, l.path)
			continue
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(raw, &keys); err != nil {
			errs = append(errs, &Error{Key: section, Value: rawText(raw), Allowed: "a JSON object", Source: l.path})
			continue
		}
		for _, name := range sortedKeys(keys) {
			key := section + "." + name
			value := keys[name]
			if isNull(value) {
				continue
			}
			spec, ok := specs[key]
			if !ok {
				l.unknownKey(key, value)
				continue
			}
			if err := l.decode(spec, value); err != nil {
				errs = append(errs, err)
				continue
			}
			if key == keySeed || key == keySeedCamel {
				seeds[key] = l.cfg.Node.PrivateSeedURL
				l.src[keySeed] = l.path
				continue
			}
			l.src[key] = l.path
		}
	}
	if a, ok := seeds[keySeed]; ok {
		if b, ok := seeds[keySeedCamel]; ok && a != b {
			errs = append(errs, &Error{
				Key:     keySeed,
				Value:   redactedValue,
				Allowed: "one seed, under either node.private-seed-url or node.privateSeedUrl",
				Source:  l.path,
				Reason:  "node.private-seed-url and node.privateSeedUrl are both set and differ",
			})
		}
	}
	return joinErrors(errs)
}

// decode checks the JSON type of one known key and stores it in l.cfg.
func (l *loader) decode(spec *keySpec, raw json.RawMessage) error {
	typeError := func(cause error) error {
		value := rawText(raw)
		if spec.secret {
			value = redactedValue
			cause = nil
		}
		return &Error{Key: spec.key, Value: value, Allowed: spec.allowed, Source: l.path, Err: cause}
	}
	if !spec.check(raw) {
		return typeError(nil)
	}
	if err := json.Unmarshal(raw, spec.field(&l.cfg)); err != nil {
		return typeError(err)
	}
	if spec.path {
		p := spec.field(&l.cfg).(*string)
		*p = expandPath(*p, l.dir, l.home, l.work)
	}
	return nil
}

// unknownKey warns about a key that is not in the schema.
func (l *loader) unknownKey(key string, value json.RawMessage) {
	if hint, ok := legacyKeys[key]; ok {
		l.warnf("%q in %s is a js-ceramic 2.x key; ignored (%s)", key, l.path, hint)
		return
	}
	if replacement, ok := unusedKeys[key]; ok {
		l.warnf("%q in %s has no effect; ignored (use %s)", key, l.path, replacement)
		return
	}
	l.warnf("unknown key %q in %s; ignored", key, l.path)
}

// parseError turns a JSON decoding error of the whole file into a message with the path
// and, for syntax errors, the line and column.
func (l *loader) parseError(data []byte, err error) error {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		line, col := lineCol(data, syntax.Offset)
		return fmt.Errorf("config: %s:%d:%d: invalid JSON: %w", l.path, line, col, err)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Errorf("config: %s: the file must hold a JSON object, not %s", l.path, typ.Value)
	}
	return fmt.Errorf("config: %s: %w", l.path, err)
}

// lineCol converts a byte offset into a 1-based line and column. json.SyntaxError's offset
// counts the bytes read before the error, so the column is that of the offending byte.
func lineCol(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = 1 + bytes.Count(before, []byte{'\n'})
	col = int(offset) - bytes.LastIndexByte(before, '\n') - 1
	if col < 1 {
		col = 1
	}
	return line, col
}

// applyEnv applies the environment variables (file < environment). Invalid values are
// reported together.
func (l *loader) applyEnv(getenv func(string) string) error {
	if getenv == nil {
		return nil
	}
	var errs []error
	from := func(name string) string { return "environment variable " + name }
	lookup := func(name, key string) (string, bool) {
		v := getenv(name)
		if v == "" {
			return "", false
		}
		l.src[key] = from(name)
		return v, true
	}
	bad := func(name, key, value, allowed string) {
		errs = append(errs, &Error{Key: key, Value: jsonText(value), Allowed: allowed, Source: from(name)})
	}
	str := func(name, key string, dst *string) {
		if v, ok := lookup(name, key); ok {
			*dst = v
		}
	}
	boolean := func(name, key string, dst *bool) {
		v, ok := lookup(name, key)
		switch {
		case !ok:
		case v == "true":
			*dst = true
		case v == "false":
			*dst = false
		default:
			bad(name, key, v, `"true" or "false"`)
		}
	}
	port := func(name, key string) (Port, bool) {
		v, ok := lookup(name, key)
		if !ok {
			return 0, false
		}
		p, err := ParsePort(v)
		if err != nil {
			bad(name, key, v, allowedPort)
			return 0, false
		}
		return p, true
	}

	c := &l.cfg
	str("CERAMIC_INDEXING_DB_URI", "indexing.db", &c.Indexing.DB)
	boolean("CERAMIC_METRICS_EXPORTER_ENABLED", "metrics.metrics-exporter-enabled", &c.Metrics.MetricsExporterEnabled)
	str("COLLECTOR_HOSTNAME", "metrics.collector-host", &c.Metrics.CollectorHost)
	str("CERAMIC_NODE_PRIVATE_SEED_URL", keySeed, &c.Node.PrivateSeedURL)
	boolean("CERAMIC_DISABLE_IPFS_PEER_DATA_SYNC", "ipfs.disable-peer-data-sync", &c.IPFS.DisablePeerDataSync)
	boolean("CERAMIC_DISABLE_COMPOSE_DB", "indexing.disable-composedb", &c.Indexing.DisableComposeDB)
	boolean("CERAMIC_DISABLE_PUBSUB_UPDATES", "node.disable-pubsub-updates", &c.Node.DisablePubsubUpdates)
	if v, ok := lookup("CERAMIC_PUBSUB_QPS_LIMIT", "node.pubsub-qps-limit"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			bad("CERAMIC_PUBSUB_QPS_LIMIT", "node.pubsub-qps-limit", v, "an integer of at least 1")
		} else {
			c.Node.PubsubQPSLimit = n
		}
	}
	if v := getenv("CERAMIC_ANCHOR_SERVICE_PRIVATE_KEY"); v != "" {
		c.AnchorService.PrivateKey = v // a secret: no source is recorded, so no message quotes it
	}
	if v, ok := lookup("CERAMIC_STREAM_CACHE_LIMIT", "node.stream-cache-limit"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			bad("CERAMIC_STREAM_CACHE_LIMIT", "node.stream-cache-limit", v, allowedFor("node.stream-cache-limit"))
		} else {
			c.Node.StreamCacheLimit = n
		}
	}
	if v, ok := lookup("IPFS_PATH", "ipfs.repo-path"); ok {
		c.IPFS.RepoPath = expandPath(v, l.work, l.home, l.work)
	}
	boolean("HEALTHCHECK_ENABLED", "ipfs.healthcheck-enabled", &c.IPFS.HealthcheckEnabled)
	if p, ok := port("HEALTHCHECK_PORT", "ipfs.healthcheck-port"); ok {
		c.IPFS.HealthcheckPort = p
	}
	boolean("CERAMIC_PROMETHEUS_EXPORTER_ENABLED", "metrics.prometheus-exporter-enabled", &c.Metrics.PrometheusExporterEnabled)
	if p, ok := port("CERAMIC_PROMETHEUS_EXPORTER_PORT", "metrics.prometheus-exporter-port"); ok {
		c.Metrics.PrometheusExporterPort = &p
	}
	return joinErrors(errs)
}

// finish fills in the directories and applies the compatibility rules, warning where the
// result differs from what the operator may expect.
func (l *loader) finish() {
	c := &l.cfg
	ceramicDir := filepath.Join(l.home, DirName)

	c.Anchor.AnchorServiceURL = trimSlashes(c.Anchor.AnchorServiceURL)
	if c.Network.Name == "" {
		c.Network.Name = DefaultNetwork
	}
	if c.Network.Name == NetworkELP {
		l.warnf("network.name %q%s is the js-ceramic 2.x name of mainnet; running as mainnet",
			NetworkELP, l.from("network.name"))
	}
	if c.Node.Gateway {
		c.Node.ReadOnly = true
		l.warnf("node.gateway%s is the js-ceramic 2.x name of read-only mode; the node runs read-only "+
			"(set node.readOnly or pass --read-only instead)", l.from("node.gateway"))
	}

	if c.Logger.LogDirectory == "" {
		c.Logger.LogDirectory = filepath.Join(ceramicDir, "logs")
	}

	// Deliberately kept js-ceramic quirk: state-store.local-directory counts only when
	// state-store.mode is exactly "fs". Without a mode, js-ceramic opens its default
	// directory and ignores local-directory; doing otherwise would move an existing node's
	// state. Unlike js-ceramic, say so.
	defaultStateDir := filepath.Join(ceramicDir, "statestore")
	switch c.StateStore.Mode {
	case StateStoreModeFS:
		if c.StateStore.LocalDirectory == "" {
			c.StateStore.LocalDirectory = defaultStateDir
		}
	case "":
		if dir := c.StateStore.LocalDirectory; dir != "" && dir != defaultStateDir {
			l.warnf("state-store.local-directory%s is ignored because state-store.mode is not %q (as in js-ceramic); "+
				"using %s (set state-store.mode to %q to use %s)",
				l.from("state-store.local-directory"), StateStoreModeFS, defaultStateDir, StateStoreModeFS, dir)
		}
		c.StateStore.LocalDirectory = defaultStateDir
	}

	if c.IPFS.RepoPath == "" {
		c.IPFS.RepoPath = filepath.Join(ceramicDir, "ipfs")
	}
}

// from returns " in <source>" for a key that has a known source.
func (l *loader) from(key string) string {
	if s := l.src[key]; s != "" {
		return " in " + s
	}
	return ""
}

// expandPath resolves a path from the config file the way js-ceramic 3.x does: a leading
// "~+" is the working directory, a leading "~" the home directory, an absolute path is
// kept (cleaned), and any other path is relative to base (the config file's directory).
// "~user" is not expanded; it is an ordinary relative path.
func expandPath(p, base, home, work string) string {
	switch {
	case p == "":
		return ""
	case p == "~+" || strings.HasPrefix(p, "~+/") || strings.HasPrefix(p, "~+"+string(filepath.Separator)):
		return filepath.Join(work, p[2:])
	case p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, "~"+string(filepath.Separator)):
		return filepath.Join(home, p[1:])
	default:
		return resolveAgainst(base, p)
	}
}

// generatedConfig is the file js-ceramic 3.4.1 writes on first start, key for key.
type generatedConfig struct {
	Anchor struct {
		AuthMethod string `json:"auth-method"`
	} `json:"anchor"`
	HTTPAPI struct {
		CORSAllowedOrigins []string `json:"cors-allowed-origins"`
		AdminDIDs          []string `json:"admin-dids"`
	} `json:"http-api"`
	IPFS struct {
		Mode                string `json:"mode"`
		DisablePeerDataSync bool   `json:"disable-peer-data-sync"`
	} `json:"ipfs"`
	Logger struct {
		LogLevel   int  `json:"log-level"`
		LogToFiles bool `json:"log-to-files"`
	} `json:"logger"`
	Metrics struct {
		MetricsExporterEnabled bool `json:"metrics-exporter-enabled"`
	} `json:"metrics"`
	Network struct {
		Name string `json:"name"`
	} `json:"network"`
	Node struct {
		PrivateSeedURL string `json:"privateSeedUrl"`
	} `json:"node"`
	StateStore struct {
		Mode           string `json:"mode"`
		LocalDirectory string `json:"local-directory"`
	} `json:"state-store"`
	Indexing struct {
		DB                               string `json:"db"`
		AllowQueriesBeforeHistoricalSync bool   `json:"allow-queries-before-historical-sync"`
		DisableComposeDB                 bool   `json:"disable-composedb"`
		EnableHistoricalSync             bool   `json:"enable-historical-sync"`
	} `json:"indexing"`
}

// generateFile returns the content of the default config file for the home directory
// home, with a fresh seed from r: 2-space indented JSON ending in a newline.
func generateFile(home string, r io.Reader) ([]byte, error) {
	seed, err := NewSeedURL(r)
	if err != nil {
		return nil, err
	}
	ceramicDir := filepath.Join(home, DirName)
	var g generatedConfig
	g.Anchor.AuthMethod = AuthMethodDID
	g.HTTPAPI.CORSAllowedOrigins = []string{".*"}
	g.HTTPAPI.AdminDIDs = []string{}
	g.IPFS.Mode = IPFSModeBundled
	g.Logger.LogLevel = DefaultLogLevel
	g.Network.Name = NetworkTestnetClay
	g.Node.PrivateSeedURL = seed
	g.StateStore.Mode = StateStoreModeFS
	// js-ceramic writes the directory with a trailing separator.
	g.StateStore.LocalDirectory = filepath.Join(ceramicDir, "statestore") + string(filepath.Separator)
	g.Indexing.DB = "sqlite://" + filepath.ToSlash(filepath.Join(ceramicDir, "indexing.sqlite"))
	g.Indexing.AllowQueriesBeforeHistoricalSync = true

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(g); err != nil { // Encode ends the output with a newline
		return nil, fmt.Errorf("config: encode default config: %w", err)
	}
	return buf.Bytes(), nil
}

// writeNewFile creates path (and its missing parent directories) with data, readable by
// the owner only. It refuses to replace a file that appeared in the meantime.
func writeNewFile(path string, data []byte) (err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("config: create the directory of %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("config: write default config: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("config: write default config %s: %w", path, cerr)
		}
		if err != nil {
			_ = os.Remove(path)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("config: write default config %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("config: write default config %s: %w", path, err)
	}
	return nil
}

// isNull reports whether raw is the JSON null, which counts as an absent key.
func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
