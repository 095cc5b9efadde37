package s3ds

import (
	"fmt"
	"path"
	"strings"

	ds "github.com/ipfs/go-datastore"
)

// Key transform names accepted in Config.KeyTransform. They are the names
// the go-ds-s3 kubo plugin (3box fork) accepts in its "keyTransform" field.
const (
	// KeyTransformDefault stores a datastore key "/K" at the object key
	// "<root>/K". An empty Config.KeyTransform means the same thing.
	KeyTransformDefault = "default"
	// KeyTransformSuffix stores "/K" at "<root>/K/data".
	KeyTransformSuffix = "suffix"
	// KeyTransformNextToLast2 shards by the two characters before the last
	// one: "/CIQ…CXQ" is stored at "<root>/CX/CIQ…CXQ".
	KeyTransformNextToLast2 = "next-to-last/2"
)

// shortKeyShard is the shard directory used by the next-to-last/2 transform
// when go-ds-s3's own rule has no usable answer: keys shorter than three
// characters (go-ds-s3 panics on them) and keys whose shard would be "." or
// ".." (go-ds-s3 then writes a key that path cleaning folds into another
// directory, so no readable object can exist there). Block keys never hit this.
const shortKeyShard = "_"

// keyLayout maps datastore keys to S3 object keys and back, reproducing the
// object keys the go-ds-s3 datastore writes.
//
// Behaviour reproduced (read from github.com/3box/go-ds-s3, file s3.go at
// commit 0cc3de5, and github.com/ipfs/go-ds-s3 s3.go at a271e3b; the plugin
// config keys are in plugin/s3ds.go of the same repositories):
//
//   - the datastore key string k.String() (always starting with "/") is first
//     passed through the configured transform: "default" leaves it alone,
//     "suffix" appends "/data", "next-to-last/2" prepends the two characters
//     that precede the last character of the key string plus "/";
//   - the result is joined to RootDirectory with path.Join (which cleans it);
//   - that string is handed to aws-sdk-go v1 as the object key. v1's REST
//     serializer cleans the request path ("DisableRestProtocolURICleaning"
//     defaults to false), so leading and repeated slashes disappear: the key
//     "/CIQ…" with an empty root directory is stored as the object "CIQ…".
//     aws-sdk-go-v2 does not clean paths, so this package strips them itself.
type keyLayout struct {
	transform string // one of the KeyTransform* constants
	root      string // cleaned root directory without leading/trailing "/"
}

func newKeyLayout(transform, rootDirectory string) (keyLayout, error) {
	switch transform {
	case "", KeyTransformDefault:
		transform = KeyTransformDefault
	case KeyTransformSuffix, KeyTransformNextToLast2:
	default:
		return keyLayout{}, fmt.Errorf("s3ds: unknown key transform %q (KeyTransform / IPFS_S3_KEY_TRANSFORM must be empty, %q, %q or %q)",
			transform, KeyTransformDefault, KeyTransformSuffix, KeyTransformNextToLast2)
	}
	root := strings.Trim(path.Clean("/"+rootDirectory), "/")
	return keyLayout{transform: transform, root: root}, nil
}

// rootPrefix is the object-key prefix of everything under the root
// directory: "" or "root/dir/".
func (l keyLayout) rootPrefix() string {
	if l.root == "" {
		return ""
	}
	return l.root + "/"
}

// objectKey returns the S3 object key for a datastore key.
func (l keyLayout) objectKey(k ds.Key) string {
	s := k.String()
	switch l.transform {
	case KeyTransformSuffix:
		s += "/data"
	case KeyTransformNextToLast2:
		s = nextToLastShard(s) + "/" + s
	}
	return strings.TrimPrefix(path.Join("/", l.root, s), "/")
}

// nextToLastShard returns the shard directory the next-to-last/2 transform
// uses for the key string s. Any "/" in the two characters is dropped,
// because go-ds-s3's path.Join collapses it into the separator anyway.
func nextToLastShard(s string) string {
	if len(s) < 3 {
		return shortKeyShard
	}
	shard := strings.ReplaceAll(s[len(s)-3:len(s)-1], "/", "")
	if shard == "" || shard == "." || shard == ".." {
		return shortKeyShard
	}
	return shard
}

// datastoreKey maps an object key found by listing back to the datastore key
// it stores. ok is false for objects that this layout would never write
// (foreign objects in the bucket, directory markers, other root directories).
func (l keyLayout) datastoreKey(objectKey string) (key string, ok bool) {
	rest, found := strings.CutPrefix(objectKey, l.rootPrefix())
	if !found || rest == "" {
		return "", false
	}
	switch l.transform {
	case KeyTransformSuffix:
		rest, found = strings.CutSuffix(rest, "/data")
		if !found {
			return "", false
		}
	case KeyTransformNextToLast2:
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			return "", false
		}
		rest = rest[i+1:]
	}
	k := ds.NewKey(rest)
	// Only accept keys that round-trip: this rejects objects at unclean
	// paths and shard directories that do not match the key.
	if l.objectKey(k) != objectKey {
		return "", false
	}
	return k.String(), true
}

// listPrefix is the object-key prefix to list for a query whose cleaned
// datastore prefix is p ("/" for everything). With next-to-last/2 the shard
// comes first, so the whole root directory has to be listed.
func (l keyLayout) listPrefix(p string) string {
	if p == "/" || l.transform == KeyTransformNextToLast2 {
		return l.rootPrefix()
	}
	return l.rootPrefix() + strings.TrimPrefix(p, "/") + "/"
}
