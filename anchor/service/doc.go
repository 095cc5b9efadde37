// Package service is the built-in anchor service: it collects anchor requests for stream
// tips, and anchors them in batches, one blockchain transaction per batch, writing for each
// tip the anchor commit, proof and witness a Ceramic Anchor Service (CAS) would return.
//
// A node uses it in-process; a separate HTTP layer serves it as the CAS API
// (POST /api/v0/requests, GET /api/v0/requests/:cid). The package knows neither HTTP nor
// Ethereum: the transaction is sent by a [Chain], and records are kept in a
// [statestore.Store].
//
// # Requests and records
//
// [Service.Submit] stores a [Record] for a tip, PENDING, and returns once it is durable.
// Records move through the CAS's statuses:
//
//	PENDING → PROCESSING → COMPLETED
//	                     ↘ PENDING (chain error, retried) … → FAILED (after MaxAttempts)
//	PENDING → REPLACED (a request for a newer tip of the same stream arrived)
//
// A stream has at most one PENDING record: of two requests for one stream, the one with the
// later Timestamp stays PENDING and the other becomes REPLACED (on equal timestamps the one
// submitted last wins). Records being anchored (PROCESSING) are never replaced; a request
// for their stream waits for the next batch (and if that batch fails, the returning record
// and the waiting one compete as above).
//
// # Batches
//
// Every Config.Interval, or as soon as Config.MaxBatch requests are pending, the service
// takes the oldest pending records (at most MaxBatch), marks them PROCESSING, builds a
// Merkle tree of their tips ([merkle.Build]) and asks the chain to anchor its root. Once the
// transaction is final it writes one proof block {chainId, txHash, root, txType} and, for
// every tip, the anchor commit {id: genesis CID, prev: tip, proof, path}, and a witness: a
// CARv1 whose root is the anchor commit and whose blocks are the anchor commit, the proof,
// the Merkle root and every tree node on the path (what a node imports to verify the
// anchor). The records become COMPLETED. A chain error returns the records to PENDING; after
// Config.MaxAttempts errors a record is FAILED. One batch runs at a time.
//
// # Durability
//
// Records are JSON values in the store, keyed by the tip CID string; the store should hold
// nothing else. Every change is written before it is reported. After a crash, records left
// PROCESSING are PENDING again when the service is next created (anchoring a tip twice is
// harmless: the node keeps one of the anchor commits). The in-memory index of pending
// records is rebuilt from the store by [New]. Finished records (COMPLETED, FAILED,
// REPLACED) are deleted after Config.Retention.
package service
