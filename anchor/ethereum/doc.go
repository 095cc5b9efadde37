// Package ethereum anchors Ceramic Merkle roots on Ethereum-compatible chains and checks
// such anchors.
//
// An anchor proof (protocol spec §2.5) names a chain ("eip155:<n>"), a transaction hash
// (as a CID, codec eth-tx 0x93, multihash keccak-256) and a Merkle root. Since CIP-110 the
// transaction calls anchorDagCbor(bytes32) on the Ceramic anchor contract
// ([ContractAddress]) with the sha2-256 digest of the dag-cbor root; older transactions
// ("legacy", before the per-chain [Thresholds]) carried the root CID as raw transaction
// data.
//
// The package has three parts:
//
//   - encoding helpers that convert between roots, calldata, transaction hashes and chain
//     ids ([Calldata], [RootFromCalldata], [RootFromLegacyInput], [TxHashCID],
//     [TxHashFromCID], [ParseChainID]);
//   - [Validator], an anchor.ChainValidator that checks a proof against a chain through
//     its JSON-RPC endpoint, the way js-ceramic's EthereumAnchorValidator does (spec §7.6);
//   - [Sender], which sends and confirms the anchor transactions of a self-anchoring
//     service.
//
// Failures to reach a chain (transport errors, timeouts, HTTP errors, JSON-RPC errors such
// as rate limits, a missing or misconfigured endpoint) are reported as errors wrapping
// streams.ErrProofUnavailable: the proof is then neither valid nor invalid and should be
// checked again later. Any other error from [Validator.ValidateChainInclusion] means the
// proof is invalid, and its message says why.
//
// Only go-ethereum's client-side packages (ethclient, rpc, common, core/types, crypto)
// are used, so linking this package does not pull in an Ethereum node.
package ethereum
