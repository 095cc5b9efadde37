package config

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Validate checks every value of c and reports the invalid ones as [*Error] (several are
// joined with [errors.Join]). It checks values only: it opens no files and does not
// require the directories to be set.
//
// It enforces js-ceramic's rules, with one deliberate difference: bundled IPFS is allowed
// on mainnet, because the embedded IPFS node is fit for production.
func (c Config) Validate() error {
	return c.validate(func(string) string { return "" })
}

var (
	evmChain   = regexp.MustCompile(`^eip155:[1-9][0-9]{0,18}$`)
	evmAddress = regexp.MustCompile(`^0x[0-9a-fA-F]{40}$`)
)

// validator collects the errors of one validation run.
type validator struct {
	source func(key string) string
	errs   []error
}

// fail records an invalid value. value is the JSON text shown in the message.
func (v *validator) fail(key, value, reason string, cause error) {
	v.errs = append(v.errs, &Error{
		Key:     key,
		Value:   value,
		Allowed: allowedFor(key),
		Source:  v.source(baseKey(key)),
		Reason:  reason,
		Err:     cause,
	})
}

// validate is Validate with the origin of each key: source returns the file path,
// environment variable or flag a key was set from, or "".
func (c Config) validate(source func(key string) string) error {
	v := &validator{source: source}

	// anchor
	if u := c.Anchor.AnchorServiceURL; u != "" && !isHTTPURL(u) {
		v.fail("anchor.anchor-service-url", jsonText(u), "", nil)
	}
	switch c.Anchor.AuthMethod {
	case "":
	case AuthMethodDID:
		if c.Node.PrivateSeedURL == "" {
			v.errs = append(v.errs, &Error{
				Key:     keySeed,
				Allowed: allowedSeedURL + `; required when anchor.auth-method is "did"`,
				Source:  source("anchor.auth-method"),
				Reason:  "Daemon config is missing node.private-seed-url",
			})
		}
	default:
		v.fail("anchor.auth-method", jsonText(c.Anchor.AuthMethod), "", nil)
	}

	// anchor-service
	if as := c.AnchorService; as.Enabled {
		if u := c.AnchorServiceRPCURL(); !isHTTPURL(u) {
			v.errs = append(v.errs, &Error{
				Key: "anchor-service.ethereum-rpc-url", Value: jsonText(u), Allowed: allowedHTTPURL + " (or anchor.ethereum-rpc-url)",
				Source: source("anchor-service.ethereum-rpc-url"), Reason: "the anchor service needs an Ethereum JSON-RPC endpoint",
			})
		}
		if as.PrivateKey == "" && as.PrivateKeyFile == "" {
			v.errs = append(v.errs, &Error{
				Key: "anchor-service.private-key-file", Allowed: "a file holding the hex private key of the sending account, or the environment variable CERAMIC_ANCHOR_SERVICE_PRIVATE_KEY",
				Source: source("anchor-service.enabled"), Reason: "the anchor service needs the key of the account that sends its transactions",
			})
		}
	}
	if id := c.AnchorService.ChainID; id != "" && !evmChain.MatchString(id) {
		v.fail("anchor-service.chain-id", jsonText(id), "", nil)
	}
	if a := c.AnchorService.ContractAddress; a != "" && !evmAddress.MatchString(a) {
		v.fail("anchor-service.contract-address", jsonText(a), "", nil)
	}
	if u := c.AnchorService.EthereumRPCURL; u != "" && !isHTTPURL(u) {
		v.fail("anchor-service.ethereum-rpc-url", jsonText(u), "", nil)
	}
	for _, kv := range []struct {
		key string
		n   int
	}{
		{"anchor-service.interval-seconds", c.AnchorService.IntervalSeconds},
		{"anchor-service.max-batch", c.AnchorService.MaxBatch},
		{"anchor-service.confirmations", c.AnchorService.Confirmations},
	} {
		if kv.n < 0 {
			v.fail(kv.key, jsonText(kv.n), "", nil)
		}
	}
	if p := c.AnchorService.Port; p != nil && !validPort(*p) {
		v.fail("anchor-service.port", jsonText(*p), "", nil)
	}

	// http-api
	if !validPort(c.HTTPAPI.Port) {
		v.fail("http-api.port", jsonText(c.HTTPAPI.Port), "", nil)
	}
	for i, origin := range c.HTTPAPI.CORSAllowedOrigins {
		if _, err := regexp.Compile(origin); err != nil {
			v.fail(fmt.Sprintf("http-api.cors-allowed-origins[%d]", i), jsonText(origin), "", err)
		}
	}

	// ipfs
	switch c.IPFS.Mode {
	case "", IPFSModeBundled:
	case IPFSModeRemote:
		if !isHTTPURL(c.IPFS.Host) {
			v.fail("ipfs.host", stringText(c.IPFS.Host), "", nil)
		}
	default:
		v.fail("ipfs.mode", jsonText(c.IPFS.Mode), "", nil)
	}
	switch c.IPFS.Datastore {
	case "", "pebbleds", "flatfs":
	default:
		v.fail("ipfs.datastore", jsonText(c.IPFS.Datastore), "", nil)
	}
	for i, endpoint := range c.IPFS.PinningEndpoints {
		if !strings.HasPrefix(endpoint, "ipfs+") {
			designator, _, _ := strings.Cut(endpoint, "+")
			v.fail(fmt.Sprintf("ipfs.pinning-endpoints[%d]", i), jsonText(endpoint), "Unknown pinning service "+designator, nil)
		}
	}
	switch c.IPFS.S3KeyTransform {
	case "", "default", "suffix", "next-to-last/2":
	default:
		v.fail("ipfs.s3-key-transform", jsonText(c.IPFS.S3KeyTransform), "", nil)
	}
	if u := c.IPFS.S3Endpoint; u != "" && !isHTTPURL(u) {
		v.fail("ipfs.s3-endpoint", jsonText(u), "", nil)
	}
	if c.IPFS.S3Bucket != "" && c.IPFS.Mode == IPFSModeRemote {
		v.fail("ipfs.s3-bucket", jsonText(c.IPFS.S3Bucket), "the S3 blockstore is for the embedded IPFS; a remote kubo keeps its own blocks", nil)
	}
	if !validPort(c.IPFS.HealthcheckPort) {
		v.fail("ipfs.healthcheck-port", jsonText(c.IPFS.HealthcheckPort), "", nil)
	}

	// logger
	if l := c.Logger.LogLevel; l != nil && (*l < 0 || *l > 3) {
		v.fail("logger.log-level", jsonText(*l), "", nil)
	}

	// metrics
	if p := c.Metrics.PrometheusExporterPort; p != nil && !validPort(*p) {
		v.fail("metrics.prometheus-exporter-port", jsonText(*p), "", nil)
	}

	// network
	if info, ok := c.Network.Info(); !ok {
		v.fail("network.name", stringText(c.Network.Name), "", nil)
	} else {
		if c.Network.PubsubTopic != "" && !info.CustomTopicAllowed {
			v.fail("network.pubsub-topic", jsonText(c.Network.PubsubTopic), errTopicNotAllowed, nil)
		}
		if u := trimSlashes(c.Anchor.AnchorServiceURL); u != "" && !info.CustomAnchorServiceAllowed &&
			!slices.Contains(info.AllowedAnchorServiceURLs, u) {
			v.errs = append(v.errs, &Error{
				Key:     "anchor.anchor-service-url",
				Value:   jsonText(c.Anchor.AnchorServiceURL),
				Allowed: "on " + info.Name + ", one of " + strings.Join(info.AllowedAnchorServiceURLs, ", "),
				Source:  source("anchor.anchor-service-url"),
				Reason:  "Cannot use custom anchor service on Ceramic mainnet",
			})
		}
	}

	// node
	if s := c.Node.PrivateSeedURL; s != "" {
		if _, err := ParseSeedURL(s); err != nil {
			v.fail(keySeed, redactedValue, "Invalid format for node.private-seed-url in daemon.config.json", nil)
		}
	}
	switch c.Node.SyncOverride {
	case "", SyncOverridePreferCache, SyncOverrideSyncAlways, SyncOverrideNeverSync:
	default:
		v.fail("node.sync-override", jsonText(c.Node.SyncOverride), "", nil)
	}
	if c.Node.StreamCacheLimit < 1 {
		v.fail("node.stream-cache-limit", jsonText(c.Node.StreamCacheLimit), "", nil)
	}

	// state-store
	switch c.StateStore.Mode {
	case "", StateStoreModeFS:
	case StateStoreModeS3:
		if c.StateStore.S3Bucket == "" {
			v.errs = append(v.errs, &Error{
				Key:     "state-store.s3-bucket",
				Allowed: allowedFor("state-store.s3-bucket") + `; required when state-store.mode is "s3"`,
				Source:  source("state-store.mode"),
			})
		}
	default:
		v.fail("state-store.mode", jsonText(c.StateStore.Mode), "", nil)
	}

	// indexing
	if db := c.Indexing.DB; db != "" {
		scheme, ok := urlScheme(db)
		switch {
		case !ok:
			// Without a scheme the value may be a key=value connection string with a
			// password in it, so it is not quoted.
			v.fail("indexing.db", redactedValue, "Invalid database connection string", nil)
		case scheme == "sqlite", scheme == "sqlite3", scheme == "postgres", scheme == "postgresql":
		default:
			v.fail("indexing.db", jsonText(redactDBURL(db)), "Not supported database protocol "+scheme, nil)
		}
	}

	return joinErrors(v.errs)
}

// validPort reports whether p is in 0..65535.
func validPort(p Port) bool { return p >= 0 && p <= 65535 }

// isHTTPURL reports whether s is an absolute http or https URL with a host.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// urlScheme returns the lower-cased scheme of a URL ("postgres" for "postgres://…") and
// whether s starts with a syntactically valid scheme followed by a colon.
func urlScheme(s string) (string, bool) {
	scheme, _, found := strings.Cut(s, ":")
	if !found || scheme == "" {
		return "", false
	}
	for i, r := range scheme {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
		case i > 0 && ('0' <= r && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return "", false
		}
	}
	return strings.ToLower(scheme), true
}

// stringText renders a string value for a message; the empty string reads as not set.
func stringText(s string) string {
	if s == "" {
		return ""
	}
	return jsonText(s)
}
