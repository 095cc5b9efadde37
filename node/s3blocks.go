package node

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ipfs/kubo/plugin"
	"github.com/ipfs/kubo/repo"
	"github.com/ipfs/kubo/repo/fsrepo"

	"github.com/goceramic/ceramic/config"
	"github.com/goceramic/ceramic/internal/s3ds"
)

// s3DatastoreType is the kubo datastore type of the S3 blockstore, the name go-ds-s3's kubo
// plugin registers, so repository configs written for it keep working.
const s3DatastoreType = "s3ds"

// s3Credentials are the static S3 credentials of this process's node. Kubo creates
// datastores from the repository config, which must not hold secrets; they are added here.
var s3Credentials struct {
	sync.Mutex
	accessKey, secretKey string
}

func setS3Credentials(accessKey, secretKey string) {
	s3Credentials.Lock()
	defer s3Credentials.Unlock()
	s3Credentials.accessKey, s3Credentials.secretKey = accessKey, secretKey
}

// s3Plugin registers the "s3ds" datastore type with kubo.
type s3Plugin struct{}

func (s3Plugin) Name() string                                { return "goceramic-s3ds" }
func (s3Plugin) Version() string                             { return "1.0.0" }
func (s3Plugin) Init(*plugin.Environment) error              { return nil }
func (s3Plugin) DatastoreTypeName() string                   { return s3DatastoreType }
func (s3Plugin) DatastoreConfigParser() fsrepo.ConfigFromMap { return parseS3Spec }

// parseS3Spec reads a go-ds-s3 style datastore spec.
func parseS3Spec(m map[string]any) (fsrepo.DatastoreConfig, error) {
	cfg, err := s3ds.ConfigFromSpec(m)
	if err != nil {
		return nil, fmt.Errorf("IPFS S3 datastore: %w", err)
	}
	// Blocks are content-addressed: a block already in the bucket need not be written again
	// (kubo writes received blocks through without asking first).
	cfg.SkipKnownPuts = true
	return s3Spec{cfg}, nil
}

type s3Spec struct{ cfg s3ds.Config }

// DiskSpec is what identifies the blocks on "disk": where they are, not how to reach them.
func (s s3Spec) DiskSpec() fsrepo.DiskSpec {
	return fsrepo.DiskSpec{"type": s3DatastoreType, "region": s.cfg.Region, "bucket": s.cfg.Bucket, "rootDirectory": s.cfg.RootDirectory}
}

func (s s3Spec) Create(string) (repo.Datastore, error) {
	cfg := s.cfg
	s3Credentials.Lock()
	if cfg.AccessKey == "" && s3Credentials.accessKey != "" {
		cfg.AccessKey, cfg.SecretKey = s3Credentials.accessKey, s3Credentials.secretKey
	}
	s3Credentials.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := s3ds.New(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("IPFS S3 blockstore (ipfs.s3-bucket %q): %w", cfg.Bucket, err)
	}
	return d, nil
}

// s3DatastoreSpec is the datastore spec of a new repository whose blocks live in S3: blocks
// in the bucket, everything else (pins, keys, metadata) in a local pebble store; the layout
// of the go-ipfs-daemon image with pebble in place of leveldb.
func s3DatastoreSpec(c config.IPFS) map[string]any {
	child := map[string]any{
		"type":           s3DatastoreType,
		"bucket":         c.S3Bucket,
		"region":         c.S3Region,
		"rootDirectory":  c.S3RootDirectory,
		"regionEndpoint": c.S3Endpoint,
		"keyTransform":   c.S3KeyTransform,
	}
	return map[string]any{
		"type": "mount",
		"mounts": []any{
			map[string]any{"mountpoint": "/blocks", "type": "measure", "prefix": "s3.datastore", "child": child},
			map[string]any{"mountpoint": "/", "type": "measure", "prefix": "pebble.datastore",
				"child": map[string]any{"type": "pebbleds", "path": "pebbleds"}},
		},
	}
}

var _ plugin.PluginDatastore = s3Plugin{}
