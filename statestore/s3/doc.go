// Package s3 is the S3 [statestore.Store]: the "s3" state-store mode of
// js-ceramic, one object per key in an S3 bucket, readable and writable in
// place by both nodes.
//
// Importing the package registers the "s3" type with [statestore.Register]:
//
//	import _ "github.com/goceramic/ceramic/statestore/s3"
//
//	stores, err := statestore.Open(ctx, statestore.Config{
//		Type:     "s3",
//		Network:  "mainnet",
//		Bucket:   "my-bucket/optional/sub/path", // state-store.s3-bucket
//		Endpoint: "http://127.0.0.1:9000",       // state-store.s3-endpoint, optional
//	})
//
// [Open] opens one bucket and key prefix directly, and [OpenUseCase] one key
// space of a network with options the registry cannot pass (rate limit,
// retries, an explicit AWS configuration).
//
// # Layout (same as js-ceramic 3.x)
//
// js-ceramic stores through s3leveldown at the location
// "<s3-bucket>/ceramic/<network>/state-store[-<use case>]": the first path
// segment is the bucket, the rest, plus "/", the key prefix. So with
// s3-bucket "my-bucket/sub/path" and network "testnet-clay":
//
//	my-bucket  sub/path/ceramic/testnet-clay/state-store/<StreamID>
//	my-bucket  sub/path/ceramic/testnet-clay/state-store-anchor-requests/<StreamID>
//
// and without a sub path the keys begin with "ceramic/". The sub path is used
// exactly as written, as js-ceramic does: "my-bucket/sub/" gives keys under
// "sub//ceramic/", and "my-bucket/" keys under "/ceramic/". See [KeyPrefix].
//
// On mainnet, if any object key in the bucket begins with "ceramic/elp"
// (after the sub path), both key spaces use "ceramic/elp/..." instead of
// "ceramic/mainnet/...", as js-ceramic 3.x does for nodes that started on
// the old elp network. The check is one ListObjectsV2 at Open. js-ceramic
// makes it with the whole s3-bucket setting as the bucket name and without
// its custom endpoint; here it is made in the real bucket, under the sub
// path, at the configured endpoint. For a plain bucket name on AWS, the
// usual case, the two agree.
//
// An object's body is the value, byte for byte: the UTF-8 JSON text of the
// serialized stream state, or the double-encoded anchor request (see
// [statestore.EncodeAnchorRequest]). Objects written by js-ceramic are read
// as they are, and objects written here are readable by js-ceramic.
//
// # Requests and cost
//
// S3 bills per request, and request storms have hurt IPFS and Ceramic
// operators before, so the store makes no request it does not need: nothing
// runs in the background and an idle store sends nothing.
//
//   - Open: one ListObjectsV2 with MaxKeys 1 (for mainnet, the elp check,
//     which doubles as the access check).
//   - Get: one GetObject. Put: one PutObject. Delete: one DeleteObject.
//   - List: one ListObjectsV2 per 1000 keys (fewer keys with
//     [statestore.ListOptions.Limit]); with values, one GetObject per listed
//     key, except for empty objects. A KeysOnly listing reads no object.
//     Values are fetched ahead of the caller by a small pool
//     ([Options.ListConcurrency]), and only as far as the caller iterates.
//
// GetObject requests (from Get and List) go through a rate limiter,
// [DefaultReadsPerSecond] by default like js-ceramic's, configurable with
// [Options.ReadsPerSecond]. Each store has its own limiter.
//
// # Endpoint, addressing, region and credentials
//
// Credentials, region and the other client settings come from the standard
// AWS SDK chain (environment variables such as AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION and AWS_PROFILE, the
// shared config and credentials files, web identity, container and EC2
// instance roles), loaded with config.LoadDefaultConfig.
//
// Without an endpoint the client talks to AWS with virtual-host addressing.
// With an endpoint (state-store.s3-endpoint, or AWS_ENDPOINT_URL) it uses
// path-style addressing (http://host:port/bucket/key), which MinIO,
// gofakes3 and most S3-compatible servers need. This differs from
// js-ceramic, which always used virtual-host addressing and so could not use
// an endpoint given as an IP address (the daemon failed at start with
// "Inaccessible host: <bucket>.127.0.0.1"). An endpoint without a scheme is
// taken as https://. For custom endpoints, request checksums are only sent
// when an operation requires them (unless AWS_REQUEST_CHECKSUM_CALCULATION
// says otherwise), because many S3-compatible servers reject the newer
// checksum headers.
//
// When no region is configured, requests are signed for us-east-1. If the
// bucket turns out to live in another region, Open learns the region from
// S3's answer (the x-amz-bucket-region header) and uses it, so a bucket
// works without configuring its region, as it did with js-ceramic (whose
// JavaScript SDK followed S3's region redirects).
//
// # Errors
//
//   - A missing key: an error wrapping [statestore.ErrNotFound].
//   - A missing bucket at Open: an error wrapping
//     [statestore.ErrInvalidConfig] that names state-store.s3-bucket.
//   - Missing, invalid or insufficient credentials (at Open or later): an
//     error wrapping [ErrAccessDenied] that names the credentials.
//   - Transient failures (the endpoint cannot be reached, timeouts, 5xx
//     answers, throttling) that persist after the SDK's retries: an error
//     wrapping [ErrUnavailable]. An API server can answer 503 for them.
//
// Retries use the SDK's standard retryer (exponential backoff with jitter,
// and a retry quota that makes a client fail fast during a long outage),
// [DefaultMaxAttempts] attempts by default, and every attempt is bounded by
// [DefaultRequestTimeout]; see [Options].
//
// # Contract
//
// The store satisfies the [statestore.Store] contract. Put and Delete return
// once S3 has acknowledged the request; S3's strong read-after-write
// consistency gives read-your-writes (an S3-compatible server must offer the
// same). S3 has no multi-object transaction, so the store does not implement
// [statestore.Batcher]: [statestore.WriteBatch] applies the ops one by one.
// A listing is not a snapshot: it may or may not show changes made while it
// runs, and a key deleted after being listed is skipped.
//
// S3 restricts keys: a key must be valid UTF-8 without control characters
// (so that ListObjectsV2 can return it in XML), and prefix plus key must fit
// in 1024 bytes. Put rejects other keys with [statestore.ErrInvalidKey]; Get
// reports them as not found. StreamIDs are always valid.
package s3
