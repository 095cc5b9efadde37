package config

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Flags are the options of `ceramic daemon`, as parsed by [ParseDaemonFlags]. A nil pointer
// or slice, or a false boolean, means the flag was not given; [Load] applies the given
// ones on top of the file and the environment.
type Flags struct {
	// ConfigPath is --config: the config file, relative to the working directory.
	ConfigPath *string
	// IPFSAPI is --ipfs-api: remote IPFS mode with this RPC API URL.
	IPFSAPI *string
	// EthereumRPC is --ethereum-rpc (deprecated): anchor.ethereum-rpc-url.
	EthereumRPC *string
	// AnchorServiceAPI is --anchor-service-api (deprecated): anchor.anchor-service-url.
	AnchorServiceAPI *string
	// IPFSPinningEndpoints is --ipfs-pinning-endpoint (variadic, deprecated): ipfs.pinning-endpoints.
	IPFSPinningEndpoints []string
	// StateStoreDirectory is --state-store-directory (deprecated): fs state store in this
	// directory, relative to the working directory.
	StateStoreDirectory *string
	// StateStoreS3Bucket is --state-store-s3-bucket: s3 state store in this bucket.
	StateStoreS3Bucket *string
	// Port is --port: http-api.port.
	Port *Port
	// Hostname is --hostname: http-api.hostname.
	Hostname *string
	// Debug is --debug: log level 1.
	Debug bool
	// Verbose is --verbose: log level 0; it wins over Debug.
	Verbose bool
	// LogToFiles is --log-to-files.
	LogToFiles bool
	// LogDirectory is --log-directory, relative to the working directory.
	LogDirectory *string
	// Network is --network: network.name.
	Network *string
	// PubsubTopic is --pubsubTopic: network.pubsub-topic.
	PubsubTopic *string
	// CORSAllowedOrigins is --cors-allowed-origins, split at spaces.
	CORSAllowedOrigins []string
	// SyncOverride is --sync-override: node.sync-override.
	SyncOverride *string
	// DisableComposeDB is --disable-composedb.
	DisableComposeDB bool
	// ReadOnly is --read-only.
	ReadOnly bool
	// Gateway is --gateway, the js-ceramic 2.x spelling of --read-only.
	Gateway bool
	// Version is -v, -V or --version: print the version and exit.
	Version bool
	// Help is -h or --help: print [DaemonUsage] and exit.
	Help bool
}

// flagSpec describes one daemon flag.
type flagSpec struct {
	// names are the spellings, the first one being the canonical name.
	names []string
	// arg is the value placeholder ("<int>"); empty for boolean flags. A placeholder ending in
	// "...>" takes several values.
	arg   string
	usage string
	// set stores the values (none for a boolean flag, one, or several for a variadic one).
	set func(f *Flags, name string, values []string) error
}

func (s *flagSpec) variadic() bool { return strings.HasSuffix(s.arg, "...>") }

// spelling is the flag as shown in messages, e.g. "--port <int>".
func (s *flagSpec) spelling() string {
	if s.arg == "" {
		return s.names[0]
	}
	return s.names[0] + " " + s.arg
}

// stringFlag returns a setter that stores the value in the field picked by field.
func stringFlag(field func(f *Flags) **string) func(*Flags, string, []string) error {
	return func(f *Flags, _ string, values []string) error {
		v := values[0]
		*field(f) = &v
		return nil
	}
}

// boolFlag returns a setter that sets the field picked by field.
func boolFlag(field func(f *Flags) *bool) func(*Flags, string, []string) error {
	return func(f *Flags, _ string, _ []string) error {
		*field(f) = true
		return nil
	}
}

// Help and version end parsing as soon as they are seen; they are listed for the usage text.
var (
	versionNames = []string{"-v", "-V", "--version"}
	helpNames    = []string{"-h", "--help"}
)

// daemonFlags lists the flags of `ceramic daemon` in usage order.
var daemonFlags = []flagSpec{
	{names: []string{"--config"}, arg: "<path>", usage: "config file (default: ~/.ceramic/daemon.config.json; created if missing)",
		set: stringFlag(func(f *Flags) **string { return &f.ConfigPath })},
	{names: []string{"--ipfs-api"}, arg: "<url>", usage: "use the IPFS (kubo) RPC API at <url> instead of the embedded IPFS node",
		set: stringFlag(func(f *Flags) **string { return &f.IPFSAPI })},
	{names: []string{"--ethereum-rpc"}, arg: "<url>", usage: "Ethereum JSON-RPC endpoint for anchor checks (deprecated: use anchor.ethereum-rpc-url)",
		set: stringFlag(func(f *Flags) **string { return &f.EthereumRPC })},
	{names: []string{"--anchor-service-api"}, arg: "<url>", usage: "anchor service URL (deprecated: use anchor.anchor-service-url)",
		set: stringFlag(func(f *Flags) **string { return &f.AnchorServiceAPI })},
	{names: []string{"--ipfs-pinning-endpoint"}, arg: "<url...>", usage: "pinning endpoints (deprecated: use ipfs.pinning-endpoints)",
		set: func(f *Flags, _ string, values []string) error {
			f.IPFSPinningEndpoints = append(f.IPFSPinningEndpoints, values...)
			return nil
		}},
	{names: []string{"--state-store-directory"}, arg: "<dir>", usage: "keep the state store in <dir> (deprecated: use state-store.local-directory)",
		set: stringFlag(func(f *Flags) **string { return &f.StateStoreDirectory })},
	{names: []string{"--state-store-s3-bucket"}, arg: "<bucket>", usage: "keep the state store in an S3 bucket",
		set: stringFlag(func(f *Flags) **string { return &f.StateStoreS3Bucket })},
	{names: []string{"--port"}, arg: "<int>", usage: "HTTP API port (default: 7007)",
		set: func(f *Flags, name string, values []string) error {
			p, err := ParsePort(values[0])
			if err != nil {
				return &Error{Key: "http-api.port", Value: jsonText(values[0]), Allowed: allowedPort, Source: "flag " + name}
			}
			f.Port = &p
			return nil
		}},
	{names: []string{"--hostname"}, arg: "<host>", usage: "HTTP API listen address (default: 0.0.0.0)",
		set: stringFlag(func(f *Flags) **string { return &f.Hostname })},
	{names: []string{"--debug"}, usage: "log at debug level",
		set: boolFlag(func(f *Flags) *bool { return &f.Debug })},
	{names: []string{"--verbose"}, usage: "log everything (wins over --debug)",
		set: boolFlag(func(f *Flags) *bool { return &f.Verbose })},
	{names: []string{"--log-to-files"}, usage: "also write the logs to files",
		set: boolFlag(func(f *Flags) *bool { return &f.LogToFiles })},
	{names: []string{"--log-directory"}, arg: "<dir>", usage: "directory of the log files (default: ~/.ceramic/logs)",
		set: stringFlag(func(f *Flags) **string { return &f.LogDirectory })},
	{names: []string{"--network"}, arg: "<name>", usage: "Ceramic network: " + strings.Join(SupportedNetworks(), ", "),
		set: stringFlag(func(f *Flags) **string { return &f.Network })},
	{names: []string{"--pubsubTopic"}, arg: "<topic>", usage: "pub/sub topic (local and inmemory networks only)",
		set: stringFlag(func(f *Flags) **string { return &f.PubsubTopic })},
	{names: []string{"--cors-allowed-origins"}, arg: "<list>", usage: "space-separated regular expressions matching the browser origins allowed to call the API",
		set: func(f *Flags, name string, values []string) error {
			origins := strings.Fields(values[0])
			if len(origins) == 0 {
				return &Error{Key: "http-api.cors-allowed-origins", Value: jsonText(values[0]),
					Allowed: "one or more regular expressions separated by spaces", Source: "flag " + name}
			}
			f.CORSAllowedOrigins = origins
			return nil
		}},
	{names: []string{"--sync-override"}, arg: "<mode>", usage: "sync mode forced on every request: prefer-cache, sync-always or never-sync",
		set: stringFlag(func(f *Flags) **string { return &f.SyncOverride })},
	{names: []string{"--disable-composedb"}, usage: "turn ComposeDB indexing off",
		set: boolFlag(func(f *Flags) *bool { return &f.DisableComposeDB })},
	{names: []string{"--read-only"}, usage: "serve reads only and refuse writes",
		set: boolFlag(func(f *Flags) *bool { return &f.ReadOnly })},
	{names: []string{"--gateway"}, usage: "old name of --read-only",
		set: boolFlag(func(f *Flags) *bool { return &f.Gateway })},
}

// lookupFlag finds the spec of a flag spelling.
func lookupFlag(name string) *flagSpec {
	for i := range daemonFlags {
		for _, n := range daemonFlags[i].names {
			if n == name {
				return &daemonFlags[i]
			}
		}
	}
	return nil
}

// isOption reports whether arg is a flag this parser knows.
func isOption(arg string) bool {
	name, _, _ := strings.Cut(arg, "=")
	if lookupFlag(name) != nil {
		return true
	}
	return slices.Contains(versionNames, arg) || slices.Contains(helpNames, arg)
}

// ParseDaemonFlags parses the arguments that follow `ceramic daemon`, the way js-ceramic's
// command-line parser does:
//
//   - "--name value" and "--name=value";
//   - boolean flags take no value;
//   - --ipfs-pinning-endpoint takes one value and then every following argument up to the
//     next one that starts with "-";
//   - -v, -V, --version, -h and --help stop parsing and set Version or Help;
//   - a repeated flag keeps its last value (pinning endpoints accumulate).
//
// A value may start with "-" unless it is itself a known flag, in which case the value is
// reported missing. An unknown flag is an error ("unknown option '--x'"), and so is a
// positional argument. --state-store-directory and --state-store-s3-bucket exclude each
// other. A malformed --port is reported as an [*Error].
func ParseDaemonFlags(args []string) (Flags, error) {
	var f Flags
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case slices.Contains(helpNames, arg):
			f.Help = true
			return f, nil
		case slices.Contains(versionNames, arg):
			f.Version = true
			return f, nil
		case arg == "--":
			if i+1 < len(args) {
				return Flags{}, fmt.Errorf("unexpected argument '%s'", args[i+1])
			}
			continue
		case len(arg) < 2 || arg[0] != '-':
			return Flags{}, fmt.Errorf("unexpected argument '%s'", arg)
		}

		name, value, hasValue := arg, "", false
		if strings.HasPrefix(arg, "--") {
			name, value, hasValue = strings.Cut(arg, "=")
		}
		spec := lookupFlag(name)
		if spec == nil {
			return Flags{}, fmt.Errorf("unknown option '%s'", name)
		}

		var values []string
		switch {
		case spec.arg == "":
			if hasValue {
				return Flags{}, fmt.Errorf("option '%s' does not take a value", name)
			}
		case hasValue:
			values = []string{value}
		default:
			if i+1 >= len(args) || isOption(args[i+1]) {
				return Flags{}, fmt.Errorf("option '%s' argument missing", spec.spelling())
			}
			i++
			values = []string{args[i]}
			if spec.variadic() {
				for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
					i++
					values = append(values, args[i])
				}
			}
		}
		if err := spec.set(&f, name, values); err != nil {
			return Flags{}, err
		}
	}
	if f.StateStoreDirectory != nil && f.StateStoreS3Bucket != nil {
		return Flags{}, fmt.Errorf("options '--state-store-directory' and '--state-store-s3-bucket' cannot be used together")
	}
	return f, nil
}

// DaemonUsage returns the help text of `ceramic daemon`.
func DaemonUsage() string {
	type line struct{ left, usage string }
	lines := make([]line, 0, len(daemonFlags)+2)
	for i := range daemonFlags {
		lines = append(lines, line{daemonFlags[i].spelling(), daemonFlags[i].usage})
	}
	lines = append(lines,
		line{strings.Join(versionNames, ", "), "print the version"},
		line{strings.Join(helpNames, ", "), "print this help"},
	)
	width := 0
	for _, l := range lines {
		width = max(width, len(l.left))
	}
	var b strings.Builder
	b.WriteString("Usage: ceramic daemon [options]\n\n")
	b.WriteString("Start the Ceramic node. Options override the config file and the environment.\n\n")
	b.WriteString("Options:\n")
	for _, l := range lines {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, l.left, l.usage)
	}
	return b.String()
}

// apply writes the given flags into c. Paths resolve against workDir. It records the origin
// of each key in src and returns warnings for deprecated flags.
func (f Flags) apply(c *Config, src map[string]string, workDir string) []string {
	var warnings []string
	set := func(key, flag string) { src[key] = "flag " + flag }
	deprecated := func(flag, key string) {
		warnings = append(warnings, fmt.Sprintf("flag %s is deprecated; set %s in the config file instead", flag, key))
	}
	if f.IPFSAPI != nil {
		c.IPFS.Mode = IPFSModeRemote
		c.IPFS.Host = *f.IPFSAPI
		set("ipfs.mode", "--ipfs-api")
		set("ipfs.host", "--ipfs-api")
	}
	if f.EthereumRPC != nil {
		c.Anchor.EthereumRPCURL = *f.EthereumRPC
		set("anchor.ethereum-rpc-url", "--ethereum-rpc")
		deprecated("--ethereum-rpc", "anchor.ethereum-rpc-url")
	}
	if f.AnchorServiceAPI != nil {
		c.Anchor.AnchorServiceURL = *f.AnchorServiceAPI
		set("anchor.anchor-service-url", "--anchor-service-api")
		deprecated("--anchor-service-api", "anchor.anchor-service-url")
	}
	if f.IPFSPinningEndpoints != nil {
		c.IPFS.PinningEndpoints = append([]string(nil), f.IPFSPinningEndpoints...)
		set("ipfs.pinning-endpoints", "--ipfs-pinning-endpoint")
		deprecated("--ipfs-pinning-endpoint", "ipfs.pinning-endpoints")
	}
	if f.StateStoreDirectory != nil {
		c.StateStore.Mode = StateStoreModeFS
		c.StateStore.LocalDirectory = resolveAgainst(workDir, *f.StateStoreDirectory)
		set("state-store.mode", "--state-store-directory")
		set("state-store.local-directory", "--state-store-directory")
		deprecated("--state-store-directory", "state-store.local-directory")
	}
	if f.StateStoreS3Bucket != nil {
		c.StateStore.Mode = StateStoreModeS3
		c.StateStore.S3Bucket = *f.StateStoreS3Bucket
		set("state-store.mode", "--state-store-s3-bucket")
		set("state-store.s3-bucket", "--state-store-s3-bucket")
	}
	if f.Port != nil {
		c.HTTPAPI.Port = *f.Port
		set("http-api.port", "--port")
	}
	if f.Hostname != nil {
		c.HTTPAPI.Hostname = *f.Hostname
		set("http-api.hostname", "--hostname")
	}
	switch {
	case f.Verbose:
		level := 0
		c.Logger.LogLevel = &level
		set("logger.log-level", "--verbose")
	case f.Debug:
		level := 1
		c.Logger.LogLevel = &level
		set("logger.log-level", "--debug")
	}
	if f.LogToFiles {
		c.Logger.LogToFiles = true
		set("logger.log-to-files", "--log-to-files")
	}
	if f.LogDirectory != nil {
		c.Logger.LogDirectory = resolveAgainst(workDir, *f.LogDirectory)
		set("logger.log-directory", "--log-directory")
	}
	if f.Network != nil {
		c.Network.Name = *f.Network
		set("network.name", "--network")
	}
	if f.PubsubTopic != nil {
		c.Network.PubsubTopic = *f.PubsubTopic
		set("network.pubsub-topic", "--pubsubTopic")
	}
	if f.CORSAllowedOrigins != nil {
		c.HTTPAPI.CORSAllowedOrigins = append([]string(nil), f.CORSAllowedOrigins...)
		set("http-api.cors-allowed-origins", "--cors-allowed-origins")
	}
	if f.SyncOverride != nil {
		c.Node.SyncOverride = *f.SyncOverride
		set("node.sync-override", "--sync-override")
	}
	if f.DisableComposeDB {
		c.Indexing.DisableComposeDB = true
		set("indexing.disable-composedb", "--disable-composedb")
	}
	if f.ReadOnly {
		c.Node.ReadOnly = true
		set("node.readOnly", "--read-only")
	}
	if f.Gateway {
		c.Node.Gateway = true
		set("node.gateway", "--gateway")
	}
	return warnings
}

// resolveAgainst makes a relative path absolute against dir; an empty path stays empty.
func resolveAgainst(dir, p string) string {
	if p == "" {
		return ""
	}
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}
