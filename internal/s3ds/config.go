package s3ds

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Defaults applied by New to zero Config fields.
const (
	// DefaultWorkers is the number of parallel requests a Batch commit uses
	// (go-ds-s3's default too).
	DefaultWorkers = 100
	// DefaultCacheBytes is the memory budget of the positive existence cache
	// (roughly 180k block keys of 56 bytes).
	DefaultCacheBytes = 32 << 20
	// DefaultNegativeCacheTTL is how long a key seen absent is answered as
	// absent without asking S3.
	DefaultNegativeCacheTTL = 10 * time.Second
	// DefaultNegativeCacheEntries bounds the negative cache.
	DefaultNegativeCacheEntries = 1 << 16
	// DefaultRequestTimeout bounds one HTTP attempt, body included.
	DefaultRequestTimeout = 10 * time.Second
	// DefaultMaxAttempts is the number of attempts per S3 operation,
	// the first one included.
	DefaultMaxAttempts = 3
	// DefaultMaxBackoff caps the exponential, jittered delay between attempts.
	DefaultMaxBackoff = 5 * time.Second
	// DefaultRegion is used when neither Config.Region nor the AWS
	// environment/shared config name a region.
	DefaultRegion = "us-east-1"
)

// Config configures an S3 datastore. The first group of fields matches the
// go-ds-s3 kubo plugin's datastore spec; see ConfigFromSpec and ConfigFromEnv.
type Config struct {
	// Region is the bucket's AWS region ("region"). Empty: taken from the
	// AWS environment / shared config, else DefaultRegion.
	Region string
	// Bucket is the bucket name ("bucket"). Required.
	Bucket string
	// RootDirectory is the object-key prefix everything is stored under
	// ("rootDirectory"); leading/trailing slashes do not matter.
	RootDirectory string
	// Endpoint is a custom S3-compatible endpoint ("regionEndpoint"), e.g.
	// "http://127.0.0.1:9000" for MinIO. A value without a scheme gets
	// "https://". When set, path-style addressing is used.
	Endpoint string
	// AccessKey, SecretKey and SessionToken are static credentials
	// ("accessKey", "secretKey", "sessionToken"). When AccessKey and
	// SecretKey are empty the standard AWS chain is used (environment,
	// ~/.aws, web identity, ECS/EC2 roles).
	AccessKey    string
	SecretKey    string
	SessionToken string
	// CredentialsEndpoint is an HTTP endpoint serving container credentials
	// ("credentialsEndpoint"), used when no static keys are set.
	CredentialsEndpoint string
	// KeyTransform is go-ds-s3's "keyTransform": "" or "default",
	// "suffix", or "next-to-last/2".
	KeyTransform string
	// Workers is the number of parallel requests of a Batch commit
	// ("workers"). 0: DefaultWorkers.
	Workers int

	// CacheBytes is the memory budget of the cache of keys known to exist.
	// 0: DefaultCacheBytes; negative: disabled.
	CacheBytes int64
	// NegativeCacheTTL is how long a key found absent is reported absent
	// without asking S3 again. 0: DefaultNegativeCacheTTL; negative:
	// disabled. Objects written to the bucket by another process become
	// visible after at most this long.
	NegativeCacheTTL time.Duration
	// SkipKnownPuts makes Put return without a request when the key is known
	// to exist with the same size. Only correct for content-addressed keys
	// (an IPFS blockstore, i.e. the /blocks mount), where the same key always
	// holds the same bytes.
	SkipKnownPuts bool
	// RequestTimeout bounds each HTTP attempt, reading the body included.
	// 0: DefaultRequestTimeout.
	RequestTimeout time.Duration
	// MaxAttempts is the number of attempts per operation for transient
	// failures (first included). 0: DefaultMaxAttempts; 1 disables retries.
	MaxAttempts int
	// MaxBackoff caps the delay between attempts. 0: DefaultMaxBackoff.
	MaxBackoff time.Duration
}

// withDefaults validates c and fills in defaults.
func (c Config) withDefaults() (Config, error) {
	c.Bucket = strings.TrimSpace(c.Bucket)
	if c.Bucket == "" {
		return c, errors.New("s3ds: no bucket configured (Config.Bucket / \"bucket\" / IPFS_S3_BUCKET_NAME)")
	}
	if (c.AccessKey == "") != (c.SecretKey == "") {
		return c, errors.New("s3ds: set both the access key and the secret key (IPFS_S3_ACCESS_KEY_ID / IPFS_S3_SECRET_ACCESS_KEY), or neither to use the AWS credential chain")
	}
	if c.Endpoint != "" && !strings.Contains(c.Endpoint, "://") {
		c.Endpoint = "https://" + c.Endpoint
	}
	if c.Workers < 0 {
		return c, fmt.Errorf("s3ds: workers must be positive, got %d", c.Workers)
	}
	if c.Workers == 0 {
		c.Workers = DefaultWorkers
	}
	if c.CacheBytes == 0 {
		c.CacheBytes = DefaultCacheBytes
	}
	if c.NegativeCacheTTL == 0 {
		c.NegativeCacheTTL = DefaultNegativeCacheTTL
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = DefaultMaxBackoff
	}
	return c, nil
}

// ConfigFromSpec reads the child datastore spec of a kubo "s3ds" mount, as
// written to the repo config by go-ds-s3 setups (including the go-ipfs-daemon
// image), e.g.
//
//	{"type": "s3ds", "region": "us-east-1", "bucket": "b", "rootDirectory": "root",
//	 "accessKey": "", "secretKey": "", "keyTransform": "next-to-last/2"}
//
// Keys: region, bucket, rootDirectory, regionEndpoint, accessKey, secretKey,
// sessionToken, credentialsEndpoint, keyTransform (strings) and workers (a
// positive integer). Other keys ("type", …) are ignored. Unlike go-ds-s3,
// region/accessKey/secretKey may be absent.
func ConfigFromSpec(spec map[string]any) (Config, error) {
	var c Config
	str := func(name string, dst *string) error {
		v, ok := spec[name]
		if !ok || v == nil {
			return nil
		}
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("s3ds: %s is not a string", name)
		}
		*dst = s
		return nil
	}
	for name, dst := range map[string]*string{
		"region":              &c.Region,
		"bucket":              &c.Bucket,
		"rootDirectory":       &c.RootDirectory,
		"regionEndpoint":      &c.Endpoint,
		"accessKey":           &c.AccessKey,
		"secretKey":           &c.SecretKey,
		"sessionToken":        &c.SessionToken,
		"credentialsEndpoint": &c.CredentialsEndpoint,
		"keyTransform":        &c.KeyTransform,
	} {
		if err := str(name, dst); err != nil {
			return Config{}, err
		}
	}
	if c.Bucket == "" {
		return Config{}, errors.New("s3ds: no bucket specified")
	}
	if v, ok := spec["workers"]; ok && v != nil {
		var f float64
		switch n := v.(type) {
		case float64:
			f = n
		case int:
			f = float64(n)
		case int64:
			f = float64(n)
		case string:
			p, err := strconv.Atoi(n)
			if err != nil {
				return Config{}, fmt.Errorf("s3ds: workers not a number: %q", n)
			}
			f = float64(p)
		default:
			return Config{}, fmt.Errorf("s3ds: workers not a number: %v", v)
		}
		if f <= 0 || f != math.Trunc(f) || f > math.MaxInt32 {
			return Config{}, fmt.Errorf("s3ds: workers must be a positive integer, got %v", v)
		}
		c.Workers = int(f)
	}
	if _, err := newKeyLayout(c.KeyTransform, c.RootDirectory); err != nil {
		return Config{}, err
	}
	return c, nil
}

// ConfigFromEnv reads the go-ipfs-daemon image's S3 environment contract.
// enabled is true when IPFS_ENABLE_S3 is "true". Variables:
// IPFS_S3_REGION, IPFS_S3_BUCKET_NAME, IPFS_S3_ROOT_DIRECTORY,
// IPFS_S3_ACCESS_KEY_ID, IPFS_S3_SECRET_ACCESS_KEY, IPFS_S3_KEY_TRANSFORM, and
// IPFS_S3_REGION_ENDPOINT (used by some image revisions for S3-compatible
// services). Empty keys fall back to the AWS credential chain, as in the
// image. getenv is normally os.Getenv.
func ConfigFromEnv(getenv func(string) string) (cfg Config, enabled bool, err error) {
	if strings.TrimSpace(getenv("IPFS_ENABLE_S3")) != "true" {
		return Config{}, false, nil
	}
	cfg = Config{
		Region:        getenv("IPFS_S3_REGION"),
		Bucket:        getenv("IPFS_S3_BUCKET_NAME"),
		RootDirectory: getenv("IPFS_S3_ROOT_DIRECTORY"),
		Endpoint:      getenv("IPFS_S3_REGION_ENDPOINT"),
		AccessKey:     getenv("IPFS_S3_ACCESS_KEY_ID"),
		SecretKey:     getenv("IPFS_S3_SECRET_ACCESS_KEY"),
		KeyTransform:  getenv("IPFS_S3_KEY_TRANSFORM"),
	}
	if strings.TrimSpace(cfg.Bucket) == "" {
		return Config{}, true, errors.New("s3ds: IPFS_ENABLE_S3=true but IPFS_S3_BUCKET_NAME is empty")
	}
	if _, err := newKeyLayout(cfg.KeyTransform, cfg.RootDirectory); err != nil {
		return Config{}, true, err
	}
	return cfg, true, nil
}
