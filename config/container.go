package config

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// This file is the container entrypoint logic: it reads the environment contract of the
// ceramicnetwork/go-ipfs-daemon image (and the variables of js-ceramic's
// @ceramicnetwork/ipfs-daemon and of the old Terraform module) and maps it onto this
// node's configuration, so that an operator who ran js-ceramic next to a go-ipfs-daemon
// container can move the same environment onto the one container of this node.

// Defaults of the container variables that have one here.
const (
	// DefaultContainerAPIPort is the kubo RPC API port used when IPFS_ENABLE_API=true is set
	// without IPFS_API_PORT (the go-ipfs-daemon image's default).
	DefaultContainerAPIPort Port = 5001
)

// Values of IPFSS3.KeyTransform: the keyTransform names of the 3box/go-ds-s3 fork the
// go-ipfs-daemon image used, which internal/s3ds implements.
const (
	// S3KeyTransformDefault stores each block under its datastore key as is.
	S3KeyTransformDefault = "default"
	// S3KeyTransformSuffix stores each block under <key>/data.
	S3KeyTransformSuffix = "suffix"
	// S3KeyTransformNextToLast2 stores each block under a directory named by the two
	// characters before the last one of its key, like kubo's flatfs shard function of the
	// same name.
	S3KeyTransformNextToLast2 = "next-to-last/2"
)

// IPFSS3 are the settings of an IPFS block store in S3, from the go-ipfs-daemon image's
// IPFS_ENABLE_S3 and IPFS_S3_* variables. Only the blocks (kubo's /blocks mount) go to
// S3; the rest of the IPFS repository (keys, pins, metadata) stays in the repository
// directory, as in the image.
//
// The image applied these settings only when it created the repository; an existing
// repository kept its datastore. The node should do the same: record in the repository
// that its blocks live in S3 when it creates it, and refuse to start when a later start
// asks for a different block store, since moving blocks needs a migration.
//
// AccessKeyID and SecretAccessKey are secrets: [IPFSS3.String], GoString and LogValue
// redact them, so logging the struct is safe.
type IPFSS3 struct {
	// Enabled is IPFS_ENABLE_S3=true. When it is false every other field is empty.
	Enabled bool
	// Region is IPFS_S3_REGION. Empty means the AWS environment or shared config decides
	// (AWS_REGION; internal/s3ds falls back to us-east-1).
	Region string
	// Bucket is IPFS_S3_BUCKET_NAME, a bucket name without a path. Always set when Enabled.
	Bucket string
	// RootDirectory is IPFS_S3_ROOT_DIRECTORY, the key prefix of every object, as given
	// (internal/s3ds ignores leading and trailing slashes).
	RootDirectory string
	// Endpoint is IPFS_S3_ENDPOINT or IPFS_S3_REGION_ENDPOINT (go-ds-s3's regionEndpoint,
	// which some image revisions passed through), the http:// or https:// URL of an
	// S3-compatible service such as MinIO (path-style requests); a value without a scheme
	// gets https://. Empty means AWS.
	Endpoint string
	// AccessKeyID and SecretAccessKey are IPFS_S3_ACCESS_KEY_ID and
	// IPFS_S3_SECRET_ACCESS_KEY; both are set or both are empty. Empty means the AWS SDK's
	// default credential chain (AWS_ACCESS_KEY_ID, the shared credentials file, a web
	// identity or instance role).
	AccessKeyID     string
	SecretAccessKey string
	// KeyTransform is IPFS_S3_KEY_TRANSFORM: S3KeyTransformDefault (also when the
	// variable is unset), S3KeyTransformSuffix or S3KeyTransformNextToLast2.
	KeyTransform string
}

// Redacted returns a copy of s that is safe to log: the credentials become "<redacted>"
// and a password in the endpoint URL is masked.
func (s IPFSS3) Redacted() IPFSS3 {
	if s.AccessKeyID != "" {
		s.AccessKeyID = redactedValue
	}
	if s.SecretAccessKey != "" {
		s.SecretAccessKey = redactedValue
	}
	if s.Endpoint != "" {
		s.Endpoint = redactURL(s.Endpoint)
	}
	return s
}

// String describes s with the credentials redacted.
func (s IPFSS3) String() string {
	if !s.Enabled {
		return "IPFS S3 block store: off"
	}
	r := s.Redacted()
	return fmt.Sprintf("IPFS S3 block store: bucket=%q root-directory=%q region=%q endpoint=%q key-transform=%q access-key-id=%q secret-access-key=%q",
		r.Bucket, r.RootDirectory, r.Region, r.Endpoint, r.KeyTransform, r.AccessKeyID, r.SecretAccessKey)
}

// GoString is String, so that %#v does not print the credentials either.
func (s IPFSS3) GoString() string { return s.String() }

// LogValue implements [slog.LogValuer] with the credentials redacted.
func (s IPFSS3) LogValue() slog.Value {
	if !s.Enabled {
		return slog.GroupValue(slog.Bool("enabled", false))
	}
	r := s.Redacted()
	return slog.GroupValue(
		slog.Bool("enabled", true),
		slog.String("bucket", r.Bucket),
		slog.String("root-directory", r.RootDirectory),
		slog.String("region", r.Region),
		slog.String("endpoint", r.Endpoint),
		slog.String("key-transform", r.KeyTransform),
		slog.String("access-key-id", r.AccessKeyID),
		slog.String("secret-access-key", r.SecretAccessKey),
	)
}

// IPFSIdentity is the libp2p identity the go-ipfs-daemon image wrote into a new IPFS
// repository from IPFS_PRIVATE_KEY and IPFS_PEER_ID. As in the image, it applies only
// when the repository is created; the node should warn when an existing repository has
// another identity, and must check that the key belongs to the peer ID.
//
// PrivateKey is a secret: String, GoString and LogValue redact it.
type IPFSIdentity struct {
	// PeerID is IPFS_PEER_ID, a libp2p peer ID ("12D3KooW…", "Qm…" or a libp2p-key CID).
	PeerID string
	// PrivateKey is IPFS_PRIVATE_KEY: kubo's Identity.PrivKey, the standard base64 of the
	// protobuf-encoded libp2p private key.
	PrivateKey string
}

// IsSet reports whether an identity was given.
func (id IPFSIdentity) IsSet() bool { return id.PrivateKey != "" }

// String describes id with the private key redacted.
func (id IPFSIdentity) String() string {
	if !id.IsSet() {
		return "IPFS identity: from the repository"
	}
	return fmt.Sprintf("IPFS identity: peer-id=%s private-key=%s", id.PeerID, redactedValue)
}

// GoString is String, so that %#v does not print the key either.
func (id IPFSIdentity) GoString() string { return id.String() }

// LogValue implements [slog.LogValuer] with the private key redacted.
func (id IPFSIdentity) LogValue() slog.Value {
	if !id.IsSet() {
		return slog.GroupValue(slog.Bool("set", false))
	}
	return slog.GroupValue(slog.String("peer-id", id.PeerID), slog.String("private-key", redactedValue))
}

// ContainerSettings is what [ApplyContainerEnv] returns besides the config keys it sets.
type ContainerSettings struct {
	// S3 is the IPFS block store in S3 (IPFS_ENABLE_S3, IPFS_S3_*); S3.Enabled is false
	// when it is not asked for, or when ipfs.mode is "remote".
	S3 IPFSS3
	// Identity is the identity for a new IPFS repository (IPFS_PRIVATE_KEY, IPFS_PEER_ID);
	// empty when not given, or when ipfs.mode is "remote".
	Identity IPFSIdentity
	// Warnings are the problems the operator should hear about but that do not stop the
	// daemon (variables that have no effect here, conflicting variables), one sentence
	// each, ready to log. They never quote a secret.
	Warnings []string
}

// ApplyContainerEnv maps the environment contract of the go-ipfs-daemon image onto c, so
// that the node's one container accepts the variables operators set on the IPFS container
// that used to run next to js-ceramic. The daemon calls it right after [Load] (it does not
// touch what Load reads: IPFS_PATH, HEALTHCHECK_ENABLED, HEALTHCHECK_PORT and the CERAMIC_*
// variables) and before it builds the node:
//
//	loaded, err := config.Load(opts)
//	…
//	cs, err := config.ApplyContainerEnv(&loaded.Config, os.Getenv)
//	if err != nil {
//		return err
//	}
//	for _, w := range cs.Warnings {
//		log.Warn(w)
//	}
//	// hand cs.S3 and cs.Identity to the embedded IPFS
//
// As in the image, a variable overrides the config file; none of these keys has a flag.
// Empty variables count as unset, and values are trimmed of surrounding white space. An
// unset variable never changes anything: the node's own defaults (one websocket listener
// on 4011, no TCP listener, no kubo RPC API) stand, not the image's.
//
//   - IPFS_SWARM_TCP_PORT replaces the plain TCP entries of ipfs.swarm-addresses with
//     /ip4/0.0.0.0/tcp/<port>; IPFS_SWARM_WS_PORT replaces the websocket entries with
//     /ip4/0.0.0.0/tcp/<port>/ws. Other entries are kept. The two ports must differ, and
//     neither may be a port the node already uses (HTTP API, IPFS healthcheck, Prometheus,
//     a swarm address the variable does not replace).
//   - IPFS_ANNOUNCE_ADDRESS_LIST (the Terraform module) or ANNOUNCE_ADDRESS_LIST
//     (@ceramicnetwork/ipfs-daemon), comma-separated multiaddrs, replace
//     ipfs.announce-addresses. Each must be a dialable multiaddr: an IP address that is not
//     0.0.0.0 or ::, or a DNS name, with a transport and without /p2p.
//   - IPFS_API_PORT sets ipfs.api-address to /ip4/0.0.0.0/tcp/<port> (the kubo RPC API,
//     which gives full control of the IPFS node: never publish it; its port must be free
//     like the swarm ports). IPFS_ENABLE_API=true
//     without a port uses DefaultContainerAPIPort unless the file sets an address;
//     IPFS_ENABLE_API=false turns the API off whatever else is set.
//   - IPFS_BOOTSTRAP, multiaddrs ending in /p2p/<peer id> separated by spaces or commas,
//     replaces ipfs.bootstrap-peers.
//   - IPFS_ENABLE_HEALTHCHECK sets ipfs.healthcheck-enabled unless HEALTHCHECK_ENABLED is
//     set (which wins).
//   - IPFS_ENABLE_S3 ("true" or "false") and IPFS_S3_REGION, IPFS_S3_BUCKET_NAME,
//     IPFS_S3_ROOT_DIRECTORY, IPFS_S3_ENDPOINT (or IPFS_S3_REGION_ENDPOINT), IPFS_S3_ACCESS_KEY_ID,
//     IPFS_S3_SECRET_ACCESS_KEY and IPFS_S3_KEY_TRANSFORM give ContainerSettings.S3.
//   - IPFS_PRIVATE_KEY with IPFS_PEER_ID give ContainerSettings.Identity.
//   - IPFS_SWARM_KEY and IPFS_SWARM_KEY_FILE (a private swarm) are refused: the Ceramic
//     networks are public, and joining them while the operator expects a private swarm
//     would be worse than not starting.
//   - Accepted without effect: NODE_ENV (js-ceramic's images set production), IPFS_LOGGING
//     (read by kubo's logging library itself), IPFS_FLAVOR=go, IPFS_ENABLE_PUBSUB=true,
//     IPFS_CREATE_IF_MISSING=true, GATEWAY_ENABLED=false, IPFS_ENABLE_GATEWAY=false, and
//     IPFS_GATEWAY_PORT without a gateway.
//   - Warned about and ignored: a gateway (GATEWAY_ENABLED, IPFS_ENABLE_GATEWAY=true; the
//     embedded IPFS serves none), IPFS_PROFILE, IPFS_DHT_SERVER_MODE, IPFS_PUBSUB_TOPICS,
//     TCP_HOST, IPFS_ENABLE_PUBSUB=false, IPFS_CREATE_IF_MISSING=false, IPFS_FLAVOR other
//     than go,
//     IPFS_HEALTHCHECK_PORT when it differs from the healthcheck port (the image only
//     exposed it; the healthcheck listened on HEALTHCHECK_PORT), IPFS_PEER_ID without
//     IPFS_PRIVATE_KEY, IPFS_S3_* without IPFS_ENABLE_S3=true, and CERAMIC_NETWORK when it
//     differs from network.name (only @ceramicnetwork/ipfs-daemon read it).
//
// With ipfs.mode "remote" the variables that configure the embedded IPFS (all of the above
// but the healthcheck and the ignored ones) are checked but have no effect, ContainerSettings
// is empty, and a warning names them.
//
// Invalid values are reported as [*Error], all of them joined with [errors.Join]. For a
// variable that sets a config key, Error.Key is that key and Error.Source "environment
// variable NAME"; for the others (IPFS_S3_*, the identity, the swarm key) Error.Key is the
// variable's name and Error.Source "the environment". Secret values (the S3 credentials,
// the private key, the swarm key) are never quoted. On error c is left unchanged.
func ApplyContainerEnv(c *Config, getenv func(string) string) (ContainerSettings, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	r := &envReader{getenv: getenv}
	ipfs := c.IPFS
	ipfs.SwarmAddresses = slices.Clone(ipfs.SwarmAddresses)
	ipfs.AnnounceAddresses = slices.Clone(ipfs.AnnounceAddresses)
	ipfs.BootstrapPeers = slices.Clone(ipfs.BootstrapPeers)
	remote := c.IPFS.Mode == IPFSModeRemote

	r.swarm(&ipfs, c)
	r.announce(&ipfs)
	r.api(&ipfs, c)
	r.bootstrap(&ipfs)
	r.healthcheck(&ipfs)
	s3 := r.s3()
	id := r.identity()
	r.swarmKey(remote)
	r.ignored(c)

	if err := joinErrors(r.errs); err != nil {
		return ContainerSettings{}, err
	}
	if remote {
		if len(r.embedded) > 0 {
			r.warnf("%s configure the embedded IPFS and have no effect with ipfs.mode %q; ignored",
				strings.Join(r.embedded, ", "), IPFSModeRemote)
		}
		c.IPFS.HealthcheckEnabled = ipfs.HealthcheckEnabled // the healthcheck works in both modes
		return ContainerSettings{Warnings: r.warnings}, nil
	}
	c.IPFS = ipfs
	return ContainerSettings{S3: s3, Identity: id, Warnings: r.warnings}, nil
}

// Texts of the allowed values.
const (
	allowedContainerPort = "an integer from 1 to 65535"
	allowedTrueFalse     = `"true" or "false"`
	allowedAnnounce      = "comma-separated multiaddrs that peers can dial, such as /dns4/ceramic.example.com/tcp/4011/ws " +
		"or /ip4/203.0.113.7/tcp/4011/ws (an IP address other than 0.0.0.0 and ::, or a DNS name; a transport; no /p2p)"
	allowedBootstrap = "multiaddrs ending in /p2p/<peer id>, separated by spaces or commas"
	allowedBucket    = "an S3 bucket name: 3 to 255 letters, digits, dots, hyphens and underscores " +
		"(put a path in IPFS_S3_ROOT_DIRECTORY)"
	allowedRegion       = "a region name such as us-east-1 (letters, digits, dots, hyphens and underscores)"
	allowedS3Endpoint   = "an http:// or https:// URL of an S3-compatible service (a host[:port] alone means https://)"
	allowedCredential   = "a value without white space or control characters"
	allowedKeyTransform = `"default", "suffix" or "next-to-last/2"`
	allowedPrivateKey   = "the standard base64 of a protobuf-encoded libp2p private key, as in Identity.PrivKey of a kubo config"
	allowedPeerID       = `a libp2p peer ID such as "12D3KooW…" or "Qm…"`

	// srcEnvironment is the Error.Source of variables that set no config key.
	srcEnvironment = "the environment"
)

// envReader reads the container variables of one ApplyContainerEnv call and collects the
// errors and warnings.
type envReader struct {
	getenv   func(string) string
	errs     []error
	warnings []string
	// embedded names the set variables that configure the embedded IPFS only.
	embedded []string
	// ports are the ports the variables read so far listen on.
	ports []envPort
}

func (r *envReader) warnf(format string, args ...any) {
	r.warnings = append(r.warnings, fmt.Sprintf(format, args...))
}

// get returns a variable trimmed of white space; empty means unset.
func (r *envReader) get(name string) (string, bool) {
	v := strings.TrimSpace(r.getenv(name))
	return v, v != ""
}

// getEmbedded is get for a variable that configures the embedded IPFS.
func (r *envReader) getEmbedded(name string) (string, bool) {
	v, ok := r.get(name)
	if ok {
		r.embedded = append(r.embedded, name)
	}
	return v, ok
}

// bad records an invalid value of a variable that sets the config key key, or of a
// variable that sets none (key == ""). Secret values are not quoted.
func (r *envReader) bad(name, key, value, allowed string, secret bool, cause error) {
	e := &Error{Key: key, Source: "environment variable " + name, Allowed: allowed, Err: cause}
	if key == "" {
		e.Key, e.Source = name, srcEnvironment
	}
	switch {
	case secret:
		e.Value, e.Err = redactedValue, nil
	case value != "":
		e.Value = jsonText(value)
	}
	r.errs = append(r.errs, e)
}

// port reads a port variable; 0 is refused, since a container port must be known to be
// published.
func (r *envReader) port(name, key string) (Port, bool) {
	v, ok := r.getEmbedded(name)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 65535 {
		r.bad(name, key, v, allowedContainerPort, false, nil)
		return 0, false
	}
	return Port(n), true
}

// boolean reads a "true"/"false" variable; set reports whether it held a valid value.
func (r *envReader) boolean(name, key string, embedded bool) (value, set bool) {
	get := r.get
	if embedded {
		get = r.getEmbedded
	}
	v, ok := get(name)
	switch {
	case !ok:
		return false, false
	case v == "true":
		return true, true
	case v == "false":
		return false, true
	default:
		r.bad(name, key, v, allowedTrueFalse, false, nil)
		return false, false
	}
}

// swarm applies IPFS_SWARM_TCP_PORT and IPFS_SWARM_WS_PORT.
func (r *envReader) swarm(ipfs *IPFS, c *Config) {
	const key = "ipfs.swarm-addresses"
	tcp, tcpSet := r.port("IPFS_SWARM_TCP_PORT", key)
	ws, wsSet := r.port("IPFS_SWARM_WS_PORT", key)
	if !tcpSet && !wsSet {
		return
	}
	if tcpSet {
		r.checkCollision("IPFS_SWARM_TCP_PORT", key, tcp, c)
	}
	if wsSet {
		r.checkCollision("IPFS_SWARM_WS_PORT", key, ws, c)
	}

	base := ipfs.SwarmAddresses
	if len(base) == 0 {
		base = Default().IPFS.SwarmAddresses
	}
	var out []string
	if tcpSet {
		out = append(out, fmt.Sprintf("/ip4/0.0.0.0/tcp/%d", tcp))
	}
	if wsSet {
		out = append(out, fmt.Sprintf("/ip4/0.0.0.0/tcp/%d/ws", ws))
	}
	for _, a := range base {
		switch swarmKind(a) {
		case "tcp":
			if tcpSet {
				continue
			}
		case "ws":
			if wsSet {
				continue
			}
		}
		if slices.Contains(out, a) {
			continue
		}
		if p, ok := tcpPort(a); ok && p != 0 {
			for _, v := range []struct {
				name string
				port Port
				set  bool
			}{{"IPFS_SWARM_TCP_PORT", tcp, tcpSet}, {"IPFS_SWARM_WS_PORT", ws, wsSet}} {
				if v.set && v.port == p {
					r.errs = append(r.errs, &Error{
						Key: key, Value: jsonText(strconv.Itoa(int(p))), Allowed: "a port no other listener of the node uses",
						Source: "environment variable " + v.name,
						Reason: "port " + strconv.Itoa(int(p)) + " is already taken by the swarm address " + a + ", which the variable does not replace",
					})
				}
			}
		}
		out = append(out, a)
	}
	ipfs.SwarmAddresses = out
}

// tcpPort returns the TCP port of a multiaddr, if it has one.
func tcpPort(a string) (Port, bool) {
	comps, err := parseMultiaddr(a)
	if err != nil {
		return 0, false
	}
	for _, comp := range comps {
		if comp.name == "tcp" {
			p, err := ParsePort(comp.value)
			return p, err == nil
		}
	}
	return 0, false
}

// checkCollision reports a container port that another listener of the node, or another
// container variable, already uses, and remembers it for the next variables.
func (r *envReader) checkCollision(name, key string, p Port, c *Config) {
	others := []struct {
		what string
		port Port
		used bool
	}{
		{"http-api.port", c.HTTPAPI.Port, true},
		{"ipfs.healthcheck-port", c.IPFS.HealthcheckPort, c.IPFS.HealthcheckEnabled},
		{"metrics.prometheus-exporter-port", c.Metrics.PrometheusPort(), c.Metrics.PrometheusExporterEnabled},
	}
	for _, o := range r.ports {
		others = append(others, struct {
			what string
			port Port
			used bool
		}{o.name, o.port, true})
	}
	for _, o := range others {
		if o.used && o.port == p {
			r.errs = append(r.errs, &Error{
				Key: key, Value: jsonText(strconv.Itoa(int(p))), Allowed: "a port no other listener of the node uses",
				Source: "environment variable " + name, Reason: "port " + strconv.Itoa(int(p)) + " is already taken by " + o.what,
			})
			return
		}
	}
	r.ports = append(r.ports, envPort{name, p})
}

// envPort is a port taken by a container variable.
type envPort struct {
	name string
	port Port
}

// swarmKind classifies a listen address: "ws" for websocket (ws or wss), "tcp" for plain
// TCP, "" for anything else (including addresses that do not parse).
func swarmKind(a string) string {
	comps, err := parseMultiaddr(a)
	if err != nil || len(comps) < 2 || comps[1].name != "tcp" {
		return ""
	}
	if len(comps) == 2 {
		return "tcp"
	}
	for _, comp := range comps[2:] {
		if comp.name == "ws" || comp.name == "wss" {
			return "ws"
		}
	}
	return ""
}

// announce applies IPFS_ANNOUNCE_ADDRESS_LIST and ANNOUNCE_ADDRESS_LIST.
func (r *envReader) announce(ipfs *IPFS) {
	const key = "ipfs.announce-addresses"
	var (
		lists   [][]string
		names   []string
		invalid bool
	)
	for _, name := range []string{"IPFS_ANNOUNCE_ADDRESS_LIST", "ANNOUNCE_ADDRESS_LIST"} {
		v, ok := r.getEmbedded(name)
		if !ok {
			continue
		}
		list, ok := r.announceList(name, key, v)
		if !ok {
			invalid = true
			continue
		}
		lists = append(lists, list)
		names = append(names, name)
	}
	if invalid {
		return
	}
	switch len(lists) {
	case 0:
		return
	case 2:
		if !slices.Equal(lists[0], lists[1]) {
			r.errs = append(r.errs, &Error{
				Key: key, Value: jsonText(strings.Join(lists[1], ",")), Allowed: "one of the two variables, or the same list in both",
				Source: "environment variables " + names[0] + " and " + names[1],
				Reason: names[0] + " and " + names[1] + " are both set and differ",
			})
			return
		}
	}
	ipfs.AnnounceAddresses = lists[0]
}

// announceList parses and checks a comma-separated announce list.
func (r *envReader) announceList(name, key, v string) ([]string, bool) {
	var list []string
	ok := true
	for _, a := range strings.Split(v, ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		if err := checkAnnounceAddress(a); err != nil {
			r.bad(name, fmt.Sprintf("%s[%d]", key, len(list)), a, allowedAnnounce, false, err)
			ok = false
		}
		if !slices.Contains(list, a) {
			list = append(list, a)
		}
	}
	if len(list) == 0 && ok {
		r.bad(name, key, v, allowedAnnounce, false, errors.New("no address"))
		return nil, false
	}
	if ok {
		for _, a := range list {
			if !strings.Contains(a, "/tcp/") && !strings.HasPrefix(a, "/dnsaddr/") {
				r.warnf("%s in %s announces a transport the embedded IPFS does not listen on (it listens on TCP and websocket only)", a, name)
			}
		}
	}
	return list, ok
}

// checkAnnounceAddress checks that a is a multiaddr that peers can dial.
func checkAnnounceAddress(a string) error {
	comps, err := parseMultiaddr(a)
	if err != nil {
		return err
	}
	switch first := comps[0]; first.name {
	case "ip4", "ip6":
		if ip := net.ParseIP(first.value); ip != nil && ip.IsUnspecified() {
			return fmt.Errorf("%s is the unspecified address, which peers cannot dial", first.value)
		}
	case "dns", "dns4", "dns6", "dnsaddr":
	default:
		return fmt.Errorf("it starts with /%s, not with an IP address or DNS name", first.name)
	}
	if len(comps) < 2 && comps[0].name != "dnsaddr" {
		return errors.New("it has no transport (such as /tcp/4011/ws)")
	}
	for _, comp := range comps {
		if comp.name == "p2p" || comp.name == "ipfs" {
			return errors.New("it includes /p2p/<peer id>; the node adds its own")
		}
	}
	return nil
}

// api applies IPFS_ENABLE_API and IPFS_API_PORT.
func (r *envReader) api(ipfs *IPFS, c *Config) {
	const key = "ipfs.api-address"
	enable, enableSet := r.boolean("IPFS_ENABLE_API", key, true)
	port, portSet := r.port("IPFS_API_PORT", key)
	if portSet && !(enableSet && !enable) {
		r.checkCollision("IPFS_API_PORT", key, port, c)
	}
	switch {
	case enableSet && !enable:
		ipfs.APIAddress = ""
	case portSet:
		ipfs.APIAddress = fmt.Sprintf("/ip4/0.0.0.0/tcp/%d", port)
	case enableSet && ipfs.APIAddress == "":
		ipfs.APIAddress = fmt.Sprintf("/ip4/0.0.0.0/tcp/%d", DefaultContainerAPIPort)
	}
}

// bootstrap applies IPFS_BOOTSTRAP.
func (r *envReader) bootstrap(ipfs *IPFS) {
	const name, key = "IPFS_BOOTSTRAP", "ipfs.bootstrap-peers"
	v, ok := r.getEmbedded(name)
	if !ok {
		return
	}
	var list []string
	valid := true
	for _, a := range strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == ' ' || c == '\t' || c == '\n' }) {
		if err := checkBootstrapPeer(a); err != nil {
			r.bad(name, fmt.Sprintf("%s[%d]", key, len(list)), a, allowedBootstrap, false, err)
			valid = false
		}
		if !slices.Contains(list, a) {
			list = append(list, a)
		}
	}
	if valid {
		ipfs.BootstrapPeers = list
	}
}

// checkBootstrapPeer checks that a is a multiaddr that ends in /p2p/<peer id>.
func checkBootstrapPeer(a string) error {
	comps, err := parseMultiaddr(a)
	if err != nil {
		return err
	}
	if last := comps[len(comps)-1]; last.name != "p2p" && last.name != "ipfs" {
		return errors.New("it does not end in /p2p/<peer id>")
	}
	return nil
}

// healthcheck applies IPFS_ENABLE_HEALTHCHECK and checks IPFS_HEALTHCHECK_PORT (Load has
// applied HEALTHCHECK_ENABLED and HEALTHCHECK_PORT already).
func (r *envReader) healthcheck(ipfs *IPFS) {
	const key = "ipfs.healthcheck-enabled"
	enable, set := r.boolean("IPFS_ENABLE_HEALTHCHECK", key, false)
	if set {
		if v, ok := r.get("HEALTHCHECK_ENABLED"); ok {
			if (v == "true") != enable {
				r.warnf("IPFS_ENABLE_HEALTHCHECK=%t and HEALTHCHECK_ENABLED=%s disagree; HEALTHCHECK_ENABLED wins", enable, v)
			}
		} else {
			ipfs.HealthcheckEnabled = enable
		}
	}
	if v, ok := r.get("IPFS_HEALTHCHECK_PORT"); ok {
		if p, err := ParsePort(v); err != nil || p != ipfs.HealthcheckPort {
			r.warnf("IPFS_HEALTHCHECK_PORT=%s is ignored: the go-ipfs-daemon image only exposed it, and the IPFS healthcheck "+
				"listens on HEALTHCHECK_PORT (now %d); set HEALTHCHECK_PORT to move it", jsonText(v), ipfs.HealthcheckPort)
		}
	}
}

// s3 reads IPFS_ENABLE_S3 and IPFS_S3_*.
func (r *envReader) s3() IPFSS3 {
	enabled, _ := r.boolean("IPFS_ENABLE_S3", "", true)
	vars := []string{
		"IPFS_S3_REGION", "IPFS_S3_BUCKET_NAME", "IPFS_S3_ROOT_DIRECTORY", "IPFS_S3_ENDPOINT", "IPFS_S3_REGION_ENDPOINT",
		"IPFS_S3_ACCESS_KEY_ID", "IPFS_S3_SECRET_ACCESS_KEY", "IPFS_S3_KEY_TRANSFORM",
	}
	if !enabled {
		var set []string
		for _, name := range vars {
			if _, ok := r.get(name); ok {
				set = append(set, name)
			}
		}
		if len(set) > 0 {
			r.warnf("%s set but IPFS_ENABLE_S3 is not \"true\"; the IPFS blocks stay in the repository directory", strings.Join(set, ", ")+pluralVerb(len(set)))
		}
		return IPFSS3{}
	}

	s := IPFSS3{Enabled: true, KeyTransform: S3KeyTransformDefault}
	s.Region, _ = r.getEmbedded("IPFS_S3_REGION")
	if s.Region != "" && !s3Region.MatchString(s.Region) {
		r.bad("IPFS_S3_REGION", "", s.Region, allowedRegion, false, nil)
	}
	s.Bucket, _ = r.getEmbedded("IPFS_S3_BUCKET_NAME")
	switch {
	case s.Bucket == "":
		r.bad("IPFS_S3_BUCKET_NAME", "", "", allowedBucket+`; required when IPFS_ENABLE_S3 is "true"`, false, nil)
	case strings.HasPrefix(s.Bucket, "s3://"), strings.Contains(s.Bucket, "/"), !s3Bucket.MatchString(s.Bucket):
		r.bad("IPFS_S3_BUCKET_NAME", "", s.Bucket, allowedBucket, false, nil)
	}
	s.RootDirectory, _ = r.getEmbedded("IPFS_S3_ROOT_DIRECTORY")
	if hasControl(s.RootDirectory) {
		r.bad("IPFS_S3_ROOT_DIRECTORY", "", s.RootDirectory, "a key prefix without control characters", false, nil)
	}
	s.Endpoint = r.s3Endpoint()
	s.AccessKeyID, _ = r.getEmbedded("IPFS_S3_ACCESS_KEY_ID")
	s.SecretAccessKey, _ = r.getEmbedded("IPFS_S3_SECRET_ACCESS_KEY")
	for _, v := range []struct{ name, value string }{
		{"IPFS_S3_ACCESS_KEY_ID", s.AccessKeyID}, {"IPFS_S3_SECRET_ACCESS_KEY", s.SecretAccessKey},
	} {
		if strings.ContainsFunc(v.value, isSpaceOrControl) {
			r.bad(v.name, "", v.value, allowedCredential, true, nil)
		}
	}
	switch {
	case s.AccessKeyID != "" && s.SecretAccessKey == "":
		r.bad("IPFS_S3_SECRET_ACCESS_KEY", "", "", "the secret of IPFS_S3_ACCESS_KEY_ID; both are set or neither (then the AWS default credential chain applies)", false, nil)
	case s.AccessKeyID == "" && s.SecretAccessKey != "":
		r.bad("IPFS_S3_ACCESS_KEY_ID", "", "", "the key ID of IPFS_S3_SECRET_ACCESS_KEY; both are set or neither (then the AWS default credential chain applies)", false, nil)
	}
	if v, ok := r.getEmbedded("IPFS_S3_KEY_TRANSFORM"); ok {
		if !validKeyTransform(v) {
			r.bad("IPFS_S3_KEY_TRANSFORM", "", v, allowedKeyTransform, false, nil)
		}
		s.KeyTransform = v
	}
	return s
}

var (
	s3Region = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)
	// s3Bucket is the legacy (us-east-1) bucket naming rule, a superset of today's.
	s3Bucket = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$`)
)

// validKeyTransform reports whether v is an IPFS_S3_KEY_TRANSFORM value.
func validKeyTransform(v string) bool {
	switch v {
	case S3KeyTransformDefault, S3KeyTransformSuffix, S3KeyTransformNextToLast2:
		return true
	}
	return false
}

// s3Endpoint reads IPFS_S3_ENDPOINT and its alias IPFS_S3_REGION_ENDPOINT.
func (r *envReader) s3Endpoint() string {
	var endpoint, from string
	for _, name := range []string{"IPFS_S3_ENDPOINT", "IPFS_S3_REGION_ENDPOINT"} {
		v, ok := r.getEmbedded(name)
		if !ok {
			continue
		}
		if !strings.Contains(v, "://") {
			v = "https://" + v
		}
		if !isHTTPURL(v) {
			r.bad(name, "", redactURL(v), allowedS3Endpoint, false, nil)
			continue
		}
		if endpoint != "" && v != endpoint {
			r.bad(name, "", redactURL(v), "the same endpoint as "+from+", or only one of the two", false, nil)
			continue
		}
		endpoint, from = v, name
	}
	return endpoint
}

// identity reads IPFS_PRIVATE_KEY and IPFS_PEER_ID.
func (r *envReader) identity() IPFSIdentity {
	priv, privSet := r.getEmbedded("IPFS_PRIVATE_KEY")
	peerID, peerSet := r.getEmbedded("IPFS_PEER_ID")
	if !privSet {
		if peerSet {
			r.warnf("IPFS_PEER_ID is ignored without IPFS_PRIVATE_KEY (as in the go-ipfs-daemon image); the repository's identity stands")
		}
		return IPFSIdentity{}
	}
	if key, err := base64.StdEncoding.DecodeString(priv); err != nil || len(key) < 8 {
		r.bad("IPFS_PRIVATE_KEY", "", priv, allowedPrivateKey, true, nil)
	}
	switch {
	case !peerSet:
		r.bad("IPFS_PEER_ID", "", "", allowedPeerID+"; required with IPFS_PRIVATE_KEY", false, nil)
	default:
		if err := checkPeerID(peerID); err != nil {
			r.bad("IPFS_PEER_ID", "", peerID, allowedPeerID, false, err)
		}
	}
	return IPFSIdentity{PeerID: peerID, PrivateKey: priv}
}

// swarmKey refuses the private-network variables of kubo's container.
func (r *envReader) swarmKey(remote bool) {
	for _, name := range []string{"IPFS_SWARM_KEY", "IPFS_SWARM_KEY_FILE"} {
		v, ok := r.get(name)
		if !ok {
			continue
		}
		if remote {
			r.embedded = append(r.embedded, name)
			continue
		}
		r.bad(name, "", v, "unset: this node joins the public Ceramic networks and does not support private IPFS swarms",
			name == "IPFS_SWARM_KEY", nil)
	}
}

// ignored warns about the variables of the js-ceramic era that have no effect here.
func (r *envReader) ignored(c *Config) {
	// NODE_ENV and IPFS_LOGGING are accepted silently: js-ceramic's images set
	// NODE_ENV=production, and kubo's logging library reads IPFS_LOGGING itself.
	if v, ok := r.get("GATEWAY_ENABLED"); ok && v != "false" {
		r.warnf("GATEWAY_ENABLED asks for an IPFS HTTP gateway; the embedded IPFS serves none (ignored)")
	}
	if v, ok := r.get("IPFS_ENABLE_GATEWAY"); ok && v != "false" {
		r.warnf("IPFS_ENABLE_GATEWAY=%s asks for an IPFS HTTP gateway; the embedded IPFS serves none (ignored)", jsonText(v))
	}
	for _, v := range []struct{ name, why string }{
		{"IPFS_PROFILE", "the node applies its own IPFS settings"},
		{"IPFS_DHT_SERVER_MODE", "the network decides DHT routing"},
		{"IPFS_PUBSUB_TOPICS", "the node subscribes to its network's topic"},
		{"TCP_HOST", "the container's listeners bind 0.0.0.0; set ipfs.swarm-addresses for another address"},
	} {
		if _, ok := r.get(v.name); ok {
			r.warnf("%s is ignored: %s", v.name, v.why)
		}
	}
	if v, ok := r.get("IPFS_ENABLE_PUBSUB"); ok && v != "true" {
		r.warnf("IPFS_ENABLE_PUBSUB=%s is ignored: Ceramic needs pubsub, which is always on", jsonText(v))
	}
	if v, ok := r.get("IPFS_CREATE_IF_MISSING"); ok && v != "true" {
		r.warnf("IPFS_CREATE_IF_MISSING=%s is ignored: the node creates its IPFS repository when it is missing", jsonText(v))
	}
	if v, ok := r.get("IPFS_FLAVOR"); ok && v != "go" {
		r.warnf("IPFS_FLAVOR=%s is ignored: this node always embeds go IPFS (kubo)", jsonText(v))
	}
	if v, ok := r.get("CERAMIC_NETWORK"); ok && v != c.Network.Name {
		r.warnf("CERAMIC_NETWORK=%s is ignored: only @ceramicnetwork/ipfs-daemon read it; the node runs on network.name %q "+
			"(set it in the config file or with --network)", jsonText(v), c.Network.Name)
	}
}

// pluralVerb returns " is" or " are" for a list of n names.
func pluralVerb(n int) string {
	if n == 1 {
		return " is"
	}
	return " are"
}

// hasControl reports whether s holds a control character.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

func isSpaceOrControl(r rune) bool { return r <= ' ' || r == 0x7f }

// redactURL masks the password of a URL; a value that does not parse is replaced whole.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return redactedValue
	}
	if _, ok := u.User.Password(); ok {
		return u.Redacted()
	}
	return s
}

// maComponent is one protocol of a multiaddr and its value ("" for protocols without one).
type maComponent struct {
	name, value string
}

// maValue tells how a multiaddr protocol's value is written.
type maValue int

const (
	maNone     maValue = iota // no value
	maIP4                     // an IPv4 address
	maIP6                     // an IPv6 address
	maPort                    // 0..65535
	maName                    // a non-empty name without "/"
	maUint8                   // 0..255
	maUint64                  // an unsigned 64-bit integer
	maPeerID                  // a libp2p peer ID
	maCertHash                // a multibase-encoded multihash
	maPath                    // the rest of the address, as a path
	maEscaped                 // a non-empty URL-escaped string
)

// maProtocols are the multiaddr protocols, as go-multiaddr names them, that this package
// can check. onion, onion3, garlic32 and garlic64 are left out: the node cannot use them.
var maProtocols = map[string]maValue{
	"ip4": maIP4, "ip6": maIP6, "ip6zone": maName, "ipcidr": maUint8,
	"dns": maName, "dns4": maName, "dns6": maName, "dnsaddr": maName,
	"tcp": maPort, "udp": maPort, "dccp": maPort, "sctp": maPort,
	"p2p": maPeerID, "ipfs": maPeerID, "p2p-circuit": maNone,
	"utp": maNone, "udt": maNone, "quic": maNone, "quic-v1": maNone, "webtransport": maNone,
	"certhash": maCertHash, "http": maNone, "https": maNone, "http-path": maEscaped,
	"unix": maPath, "p2p-webrtc-direct": maNone, "tls": maNone, "sni": maName, "noise": maNone,
	"plaintextv2": maNone, "ws": maNone, "wss": maNone, "webrtc-direct": maNone, "webrtc": maNone,
	"memory": maUint64,
}

// parseMultiaddr checks the text form of a multiaddr the way go-multiaddr's NewMultiaddr
// does (this package depends on the standard library only) and returns its components.
func parseMultiaddr(s string) ([]maComponent, error) {
	trimmed := strings.TrimRight(s, "/")
	if !strings.HasPrefix(s, "/") {
		return nil, errors.New("a multiaddr must begin with /")
	}
	if trimmed == "" {
		return nil, errors.New("empty multiaddr")
	}
	parts := strings.Split(trimmed, "/")[1:]
	var comps []maComponent
	for len(parts) > 0 {
		name := parts[0]
		kind, ok := maProtocols[name]
		if !ok {
			return nil, fmt.Errorf("unknown protocol %q", name)
		}
		parts = parts[1:]
		if kind == maNone {
			comps = append(comps, maComponent{name: name})
			continue
		}
		if len(parts) == 0 {
			return nil, fmt.Errorf("/%s needs a value", name)
		}
		value := parts[0]
		parts = parts[1:]
		if kind == maPath {
			value = "/" + strings.Join(append([]string{value}, parts...), "/")
			parts = nil
		}
		if err := checkMAValue(kind, value); err != nil {
			return nil, fmt.Errorf("invalid value %q for /%s: %w", value, name, err)
		}
		comps = append(comps, maComponent{name: name, value: value})
	}
	return comps, nil
}

// checkMAValue checks one multiaddr value.
func checkMAValue(kind maValue, v string) error {
	switch kind {
	case maIP4:
		if net.ParseIP(v).To4() == nil {
			return errors.New("not an IPv4 address")
		}
	case maIP6:
		if net.ParseIP(v) == nil {
			return errors.New("not an IPv6 address")
		}
	case maPort:
		if _, err := strconv.ParseUint(v, 10, 16); err != nil {
			return errors.New("not a port number (0 to 65535)")
		}
	case maUint8:
		if _, err := strconv.ParseUint(v, 10, 8); err != nil {
			return errors.New("not an integer from 0 to 255")
		}
	case maUint64:
		if _, err := strconv.ParseUint(v, 10, 64); err != nil {
			return errors.New("not an unsigned integer")
		}
	case maName:
		if v == "" {
			return errors.New("empty")
		}
	case maPeerID:
		return checkPeerID(v)
	case maCertHash:
		b, err := decodeMultibase(v)
		if err != nil {
			return err
		}
		_, err = decodeMultihash(b)
		return err
	case maPath:
		if len(v) < 2 || strings.HasSuffix(v, "/") {
			return errors.New("not a path")
		}
	case maEscaped:
		u, err := url.QueryUnescape(v)
		if err != nil || u == "" {
			return errors.New("not a non-empty URL-escaped string")
		}
	}
	return nil
}

// Multihash codes a peer ID may use.
const (
	mhIdentity = 0x00
	mhSHA256   = 0x12
	cidLibp2p  = 0x72 // the libp2p-key CID codec
)

// checkPeerID checks the text form of a libp2p peer ID: a base58btc multihash ("Qm…",
// "1…"), or a CIDv1 with the libp2p-key codec in a multibase encoding; the multihash must
// be an identity hash or a 32-byte SHA-256.
func checkPeerID(s string) error {
	var mh []byte
	if strings.HasPrefix(s, "Qm") || strings.HasPrefix(s, "1") {
		b, err := decodeBaseN(s, base58Alphabet)
		if err != nil {
			return err
		}
		mh = b
	} else {
		b, err := decodeMultibase(s)
		if err != nil {
			return err
		}
		version, n := binary.Uvarint(b)
		if n <= 0 || version != 1 {
			return errors.New("not a peer ID: neither a base58 multihash nor a version 1 CID")
		}
		codec, m := binary.Uvarint(b[n:])
		if m <= 0 || codec != cidLibp2p {
			return errors.New("not a peer ID: the CID's codec is not libp2p-key")
		}
		mh = b[n+m:]
	}
	code, err := decodeMultihash(mh)
	if err != nil {
		return err
	}
	switch {
	case code == mhIdentity:
	case code == mhSHA256 && len(mh) == 34:
	default:
		return errors.New("not a peer ID: the multihash is neither an identity hash nor a 32-byte SHA-256")
	}
	return nil
}

// decodeMultihash checks the framing of a multihash and returns its code.
func decodeMultihash(b []byte) (uint64, error) {
	code, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, errors.New("not a multihash")
	}
	length, m := binary.Uvarint(b[n:])
	if m <= 0 || uint64(len(b)-n-m) != length {
		return 0, errors.New("not a multihash: the digest length does not match")
	}
	return code, nil
}

const (
	base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	base36Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
)

// decodeMultibase decodes the multibase encodings a peer ID or certificate hash is written
// in: base32 (b, B, c, C), base58btc (z), base16 (f, F), base36 (k, K) and base64 (m, M, u,
// U).
func decodeMultibase(s string) ([]byte, error) {
	if len(s) < 2 {
		return nil, errors.New("too short for a multibase string")
	}
	body := s[1:]
	var (
		b   []byte
		err error
	)
	switch s[0] {
	case 'b', 'B':
		b, err = base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(body))
	case 'c', 'C':
		b, err = base32.StdEncoding.DecodeString(strings.ToUpper(body))
	case 'z':
		b, err = decodeBaseN(body, base58Alphabet)
	case 'f', 'F':
		b, err = hex.DecodeString(body)
	case 'k', 'K':
		b, err = decodeBaseN(strings.ToLower(body), base36Alphabet)
	case 'm':
		b, err = base64.RawStdEncoding.DecodeString(body)
	case 'M':
		b, err = base64.StdEncoding.DecodeString(body)
	case 'u':
		b, err = base64.RawURLEncoding.DecodeString(body)
	case 'U':
		b, err = base64.URLEncoding.DecodeString(body)
	default:
		return nil, fmt.Errorf("unsupported multibase prefix %q", s[0])
	}
	if err != nil {
		return nil, errors.New("not valid in its multibase encoding")
	}
	return b, nil
}

// decodeBaseN decodes a big-endian number written in alphabet, where each leading
// alphabet[0] stands for a zero byte (the base58btc and base36 conventions).
func decodeBaseN(s, alphabet string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("empty")
	}
	base := big.NewInt(int64(len(alphabet)))
	n := new(big.Int)
	zeros := 0
	for i := 0; i < len(s) && s[i] == alphabet[0]; i++ {
		zeros++
	}
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(alphabet, s[i])
		if d < 0 {
			return nil, fmt.Errorf("invalid character %q", s[i])
		}
		n.Mul(n, base)
		n.Add(n, big.NewInt(int64(d)))
	}
	return append(make([]byte, zeros), n.Bytes()...), nil
}
