package codec

import (
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"
)

// MaxBlockSize is the largest commit, payload or CACAO block js-ceramic stores or accepts,
// in bytes (IPFS_MAX_COMMIT_SIZE).
const MaxBlockSize = 256000

var (
	// ErrBlockTooLarge is matched (with errors.Is) by every [*BlockTooLargeError].
	ErrBlockTooLarge = errors.New("codec: block too large")
	// ErrHashMismatch is wrapped when block bytes do not hash to the CID they are stored
	// under.
	ErrHashMismatch = errors.New("codec: block does not match its CID")
)

// BlockTooLargeError reports a block larger than [MaxBlockSize]. Its message is exactly
// js-ceramic's, "<cid> commit size <n> exceeds the maximum block size of 256000", which the
// HTTP API returns to clients; it therefore carries no "codec:" prefix.
type BlockTooLargeError struct {
	CID  cid.Cid
	Size int
}

func (e *BlockTooLargeError) Error() string {
	return fmt.Sprintf("%s commit size %d exceeds the maximum block size of %d", e.CID, e.Size, MaxBlockSize)
}

// Is reports whether target is [ErrBlockTooLarge].
func (e *BlockTooLargeError) Is(target error) bool { return target == ErrBlockTooLarge }

// CheckBlockSize returns a [*BlockTooLargeError] when data is larger than [MaxBlockSize].
func CheckBlockSize(c cid.Cid, data []byte) error {
	if len(data) > MaxBlockSize {
		return &BlockTooLargeError{CID: c, Size: len(data)}
	}
	return nil
}

// Block is one IPLD block: its bytes and the CID they are addressed by.
type Block struct {
	CID  cid.Cid
	Data []byte
}

// NewBlock returns the block of data under the sha2-256 CIDv1 for codec (see [CIDFor]).
func NewBlock(codec uint64, data []byte) Block {
	return Block{CID: CIDFor(codec, data), Data: data}
}

// Codec returns the codec of the block's CID.
func (b Block) Codec() uint64 { return b.CID.Type() }

// CheckSize returns a [*BlockTooLargeError] when the block is larger than [MaxBlockSize].
func (b Block) CheckSize() error { return CheckBlockSize(b.CID, b.Data) }

// Verify checks that the block's bytes hash to its CID, using the CID's own hash function.
func (b Block) Verify() error { return VerifyBlock(b.CID, b.Data) }

// VerifyBlock checks that data hashes to c, using c's hash function. The error wraps
// [ErrHashMismatch] on a mismatch.
func VerifyBlock(c cid.Cid, data []byte) error {
	if !c.Defined() {
		return errors.New("codec: undefined CID")
	}
	got, err := c.Prefix().Sum(data)
	if err != nil {
		return fmt.Errorf("codec: cannot hash a block for CID %s: %w", c, err)
	}
	if !got.Equals(c) {
		return fmt.Errorf("%w: the bytes hash to %s, not %s", ErrHashMismatch, got, c)
	}
	return nil
}

// DecodeBlock decodes a block by the codec of its CID: a dag-cbor block gives plain Go
// values (see [DecodeDagCBOR]), a dag-jose block a [JWS] (see [DecodeJWS]). Other codecs are
// refused.
func DecodeBlock(c cid.Cid, data []byte) (any, error) {
	var (
		v   any
		err error
	)
	switch c.Type() {
	case DagCBOR:
		v, err = decodeDagCBOR(data)
	case DagJOSE:
		v, err = decodeJWS(data)
	default:
		err = fmt.Errorf("codec 0x%x is neither dag-cbor (0x71) nor dag-jose (0x85)", c.Type())
	}
	if err != nil {
		return nil, fmt.Errorf("%w %s: %s", ErrInvalidBlock, c, err)
	}
	return v, nil
}
