// Package cas speaks the HTTP protocol of the Ceramic Anchor Service (CAS) as js-ceramic 3.x
// uses it, from both sides.
//
// A node asks a CAS to anchor the tip of a stream with POST /api/v0/requests, whose body is
// a CARv1 (see [EncodeRequest]): a dag-cbor root block {streamId, tip, timestamp} followed by
// the genesis and tip commits, their JWS payloads and the tip's CACAO. It then polls
// GET /api/v0/requests/<tip> until the request is COMPLETED, FAILED or REPLACED; a COMPLETED
// [Response] carries a witness CAR (see [Response.Witness]) with the anchor commit, its proof
// and the Merkle path, which the node imports and applies. At startup a node reads
// GET /api/v0/service-info/supported_chains. [Client] is that side. Services that require it
// (mainnet) authenticate nodes by their DID: every request carries
// "Authorization: Bearer <JWS>" signed by the node's did:key over the request URL, a nonce
// and a digest of the body ([DIDAuth]).
//
// [NewHandler] is the other side: the same HTTP API in front of any [Backend], for test
// networks and local anchor services. [DecodeRequest] validates request bodies as the CAS
// does, including the legacy JSON body {"streamId", "cid", "timestamp"?}.
package cas
