package ethereum

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
)

// ContractAddress is the Ceramic anchor contract (CeramicAnchorServiceV2, CIP-110). The
// same address is used on every chain; js-ceramic and ceramic-one both hard-code it.
var ContractAddress = common.HexToAddress("0x231055A0852D67C7107Ad0d0DFeab60278fE6AdC")

// AnchorSelector is the ABI selector of anchorDagCbor(bytes32), the first four bytes of
// keccak256("anchorDagCbor(bytes32)").
var AnchorSelector = [4]byte{0x97, 0xad, 0x09, 0xeb}

// TxTypeContract is the txType of anchor proofs whose transaction calls the anchor
// contract ("f(bytes32)"). Proofs without it (or with another value) are legacy proofs.
const TxTypeContract = "f(bytes32)"

// CAIP-2 namespace of Ethereum-compatible chains.
const eip155Prefix = "eip155:"

// Multicodec codes used here.
const (
	codecDagCBOR = 0x71 // dag-cbor, the codec of Merkle roots
	codecEthTx   = 0x93 // eth-tx, the codec of transaction-hash CIDs
)

// Thresholds maps a chain to the last block at which legacy anchors (raw transactions that
// do not call the anchor contract) are still accepted. After it, a proof must have txType
// [TxTypeContract] and its transaction must be sent to the anchor contract.
//
// The values are js-ceramic's. Sepolia (eip155:11155111 → 5518585) is taken from the
// field notes (the later js-ceramic/ceramic-one table); protocol.md lists no threshold for
// it, under which every Sepolia anchor would be held to the contract rule. With this entry,
// a legacy Sepolia anchor at or before block 5518585 is accepted where such a node would
// reject it. Chains not listed (such as eip155:4) have no threshold: the contract rule
// always applies.
//
// The map is the default of [ValidatorConfig.Thresholds]; treat it as read-only.
var Thresholds = map[string]uint64{
	"eip155:1":        16688195,
	"eip155:3":        1000000000,
	"eip155:5":        8498671,
	"eip155:100":      26509835,
	"eip155:1337":     1,
	"eip155:11155111": 5518585,
}

// Calldata returns the input of an anchorDagCbor(root) call: [AnchorSelector] followed by
// the 32-byte sha2-256 digest of root. root must be a CIDv1 with codec dag-cbor and a
// sha2-256 multihash, as Merkle roots are; the contract stores only the digest, so any
// other CID could not be recovered from the transaction.
func Calldata(root cid.Cid) ([]byte, error) {
	if !root.Defined() {
		return nil, errors.New("ethereum: cannot anchor an undefined CID")
	}
	if root.Version() != 1 || root.Type() != codecDagCBOR {
		return nil, fmt.Errorf("ethereum: root %s must be a CIDv1 with codec dag-cbor", root)
	}
	dec, err := mh.Decode(root.Hash())
	if err != nil {
		return nil, fmt.Errorf("ethereum: root %s: %w", root, err)
	}
	if dec.Code != mh.SHA2_256 || len(dec.Digest) != 32 {
		return nil, fmt.Errorf("ethereum: root %s must be hashed with sha2-256", root)
	}
	out := make([]byte, 0, 4+32)
	out = append(out, AnchorSelector[:]...)
	return append(out, dec.Digest...), nil
}

// RootFromCalldata reads the root anchored by an anchorDagCbor(bytes32) call: input must be
// exactly [AnchorSelector] followed by 32 bytes, and the root is the CIDv1 (dag-cbor,
// sha2-256) with those bytes as digest.
func RootFromCalldata(input []byte) (cid.Cid, error) {
	if len(input) < 4 || !bytes.Equal(input[:4], AnchorSelector[:]) {
		return cid.Undef, fmt.Errorf("ethereum: transaction input %s does not call anchorDagCbor(bytes32) (selector 0x%x)",
			shortHex(input), AnchorSelector)
	}
	if len(input) != 4+32 {
		return cid.Undef, fmt.Errorf("ethereum: anchorDagCbor(bytes32) input has %d bytes, want 36", len(input))
	}
	return rootFromDigest(input[4:])
}

// rootFromDigest returns the dag-cbor sha2-256 CIDv1 with the given 32-byte digest.
func rootFromDigest(digest []byte) (cid.Cid, error) {
	m, err := mh.Encode(digest, mh.SHA2_256)
	if err != nil {
		return cid.Undef, fmt.Errorf("ethereum: %w", err)
	}
	return cid.NewCidV1(codecDagCBOR, m), nil
}

// RootFromLegacyInput reads the root of a legacy anchor transaction, one that carries the
// root CID as raw transaction data instead of calling the anchor contract.
//
// The CAS built that data as a hex string: "0x" + "0" + "f" + hex(cid bytes), where "f"
// is the multibase prefix of base16 and the extra "0" pads the odd-length string to whole
// bytes. The transaction data is therefore the byte 0x0f followed by the binary CID
// (for the §8.5 vector: 0x0f 01 71 12 20 5d7fcd1a…3d6a). js-ceramic reverses this on the
// hex string it gets from the RPC: it strips "0x0" (or only "0x" when the next digit is not
// 0), drops one more character (the multibase "f") and hex-decodes the rest. On bytes that
// means: the first byte's high nibble must be 0 (otherwise the remaining string has an odd
// number of hex digits and does not decode), its low nibble is dropped unchecked, and the
// remaining bytes must be exactly one binary CID.
func RootFromLegacyInput(input []byte) (cid.Cid, error) {
	if len(input) < 2 {
		return cid.Undef, fmt.Errorf("ethereum: legacy anchor input %s is too short to hold a CID", shortHex(input))
	}
	if input[0]>>4 != 0 {
		return cid.Undef, fmt.Errorf("ethereum: legacy anchor input %s does not start with 0x0f (a base16 multibase CID)", shortHex(input))
	}
	n, c, err := cid.CidFromBytes(input[1:])
	if err != nil {
		return cid.Undef, fmt.Errorf("ethereum: legacy anchor input %s does not hold a CID: %w", shortHex(input), err)
	}
	if n != len(input)-1 {
		return cid.Undef, fmt.Errorf("ethereum: legacy anchor input %s has %d bytes after its CID", shortHex(input), len(input)-1-n)
	}
	return c, nil
}

// TxHashCID returns the CID of an Ethereum transaction hash as anchor proofs record it:
// CIDv1, codec eth-tx (0x93), multihash keccak-256 whose digest is the hash.
func TxHashCID(h common.Hash) cid.Cid {
	m, err := mh.Encode(h[:], mh.KECCAK_256)
	if err != nil { // cannot happen: keccak-256 is a known code and the length is fixed
		panic(err)
	}
	return cid.NewCidV1(codecEthTx, m)
}

// TxHashFromCID returns the transaction hash a proof's txHash CID names: the digest of its
// multihash, which must be 32 bytes. Like ceramic-one it ignores the CID's codec (and the
// hash function), so a txHash recorded with another codec still names its transaction.
func TxHashFromCID(c cid.Cid) (common.Hash, error) {
	if !c.Defined() {
		return common.Hash{}, errors.New("ethereum: undefined transaction hash CID")
	}
	dec, err := mh.Decode(c.Hash())
	if err != nil {
		return common.Hash{}, fmt.Errorf("ethereum: transaction hash CID %s: %w", c, err)
	}
	if len(dec.Digest) != common.HashLength {
		return common.Hash{}, fmt.Errorf("ethereum: transaction hash CID %s has a %d-byte digest, want 32", c, len(dec.Digest))
	}
	return common.BytesToHash(dec.Digest), nil
}

// ParseChainID returns the chain id of a CAIP-2 eip155 chain, such as 1337 for
// "eip155:1337". Other namespaces, and references that are not positive decimal numbers,
// are errors.
func ParseChainID(chain string) (int64, error) {
	ref, ok := strings.CutPrefix(chain, eip155Prefix)
	if !ok {
		return 0, fmt.Errorf("ethereum: chain %q is not an eip155 chain", chain)
	}
	n, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || n <= 0 || ref[0] == '+' || ref[0] == '0' {
		return 0, fmt.Errorf("ethereum: chain %q does not end in a chain id (a positive decimal number)", chain)
	}
	return n, nil
}

// chainName returns the CAIP-2 name of an eip155 chain id.
func chainName(id int64) string { return eip155Prefix + strconv.FormatInt(id, 10) }

// shortHex renders b as 0x-hex for messages, cut to a readable length.
func shortHex(b []byte) string {
	const limit = 40
	if len(b) > limit {
		return "0x" + hex.EncodeToString(b[:limit]) + "…"
	}
	return "0x" + hex.EncodeToString(b)
}
