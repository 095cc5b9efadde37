// Package s3ds is a go-datastore Batching datastore that keeps each value as
// one object in an S3 bucket (AWS S3 or an S3-compatible service such as
// MinIO), meant to hold the IPFS blockstore (the "/blocks" mount) of the
// embedded kubo node.
//
// # Compatibility with go-ds-s3
//
// Object keys are byte-identical to those written by the go-ds-s3 kubo plugin
// (github.com/ipfs/go-ds-s3 and its 3box fork used by the go-ipfs-daemon
// image) for the same datastore key, root directory and key transform, so an
// existing go-ds-s3 bucket is read and written in place. With an empty root
// directory the block key "/CIQ…CXQ" is the object "CIQ…CXQ"; with root
// directory "root" and key transform "next-to-last/2" it is
// "root/CX/CIQ…CXQ". ConfigFromSpec reads a go-ds-s3 datastore spec and
// ConfigFromEnv the go-ipfs-daemon image's IPFS_S3_* environment.
//
// # Request economy
//
// S3 bills per request, and bitswap calls Has/GetSize constantly (the
// "HEAD storm" of go-ds-s3#83/#113). The datastore therefore keeps:
//   - a byte-bounded LRU of keys known to exist, with their sizes, filled by
//     Put, Get, Has and GetSize and emptied by Delete;
//   - a short-TTL cache of keys seen absent (Config.NegativeCacheTTL);
//   - single-flight HEAD requests: concurrent GetSize/Has calls for the same
//     key share one request.
//
// A Put of a new key is one PutObject, a Has on a key this process wrote or
// saw is free, and an idle datastore sends nothing. Query uses
// ListObjectsV2 and fetches values only when they are asked for.
// Requests reports the number of HTTP requests per S3 operation.
//
// The caches assume this process is the only writer under the root
// directory, as go-ds-s3 did: an object deleted by someone else keeps being
// reported present until it leaves the LRU, and one written by someone else
// may be reported absent for up to NegativeCacheTTL.
//
// # Errors
//
// A missing key is datastore.ErrNotFound. Connection failures, timeouts,
// HTTP 5xx and throttling are retried by the SDK with jittered exponential
// backoff (Config.MaxAttempts, Config.MaxBackoff, each attempt bounded by
// Config.RequestTimeout) and then returned wrapping ErrUnavailable. A
// PutObject is atomic, so a failed Put never leaves a partial value.
package s3ds
