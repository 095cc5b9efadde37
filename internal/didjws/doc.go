// Package didjws signs and verifies compact JSON Web Signatures made by did:key identities,
// the tokens js-ceramic exchanges outside of commits: admin API requests (signed by an admin
// DID) and Ceramic Anchor Service requests (signed by the node's DID).
//
// A token is the RFC 7515 compact serialization protected.payload.signature, each part
// base64url without padding. The protected header carries "alg" and "kid", the DID URL of the
// signing key ("did:key:z…#z…"); the key to verify with is the one the DID itself encodes, so
// no resolver is needed. Ed25519 (alg EdDSA) and secp256k1 (alg ES256K) keys are supported.
//
// Unlike signed commits (streams/verify), whose JWS payload is a CID, the payloads here are
// arbitrary bytes, in practice JSON objects.
package didjws
