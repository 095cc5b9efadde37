// Package anchor anchors stream tips and verifies anchor proofs.
//
// A node anchors in one of three ways, all behind streams.AnchorService:
//   - [Requester] sends requests to an anchor service ([Backend]): a Ceramic Anchor Service
//     over HTTP ([CASBackend], package cas) or the built-in service in the same process
//     ([ServiceBackend], package service). Requests are kept durably and followed after a
//     restart; outcomes go to the stream engine ([Sink]).
//   - [InMemory] anchors at once, without a chain, as js-ceramic's in-memory anchor service
//     does on the inmemory network.
//
// [Verifier] implements streams.ProofVerifier: it walks an anchor commit's Merkle path from
// the proof's root and hands the chain part to a [ChainValidator] per CAIP-2 namespace
// (package ethereum for eip155, [InMemory] for inmemory).
//
// The built-in anchor service (package service) batches requests into Merkle trees
// (package merkle) and anchors each batch on an EVM chain ([EthereumChain] over
// ethereum.Sender); [CASServer] serves it over the CAS HTTP API.
package anchor
