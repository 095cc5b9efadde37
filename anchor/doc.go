// Package anchor anchors stream tips and verifies anchor proofs.
//
// [InMemory] is the anchor service of the inmemory network: it anchors every request at once,
// with proofs that only the node that made them can verify, as js-ceramic's in-memory anchor
// service does. Anchoring through a Ceramic Anchor Service and verifying proofs against an
// Ethereum chain build on the same two interfaces of the stream engine
// (streams.AnchorService and streams.ProofVerifier).
package anchor
