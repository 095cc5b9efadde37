package codec

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-varint"
)

// ErrInvalidCAR is wrapped by every error of [DecodeCAR].
var ErrInvalidCAR = errors.New("codec: invalid CAR")

// maxCARBlocks bounds how many blocks [DecodeCAR] accepts, so a hostile archive cannot make a
// reader allocate without limit. Anchor request and witness archives hold a few dozen.
const maxCARBlocks = 4096

// EncodeCAR writes blocks as a CARv1 archive with the given roots: a varint-prefixed
// dag-cbor header {roots, version: 1}, then each block as a varint-prefixed CID and data.
// Anchor services exchange anchor requests and witnesses in this format.
func EncodeCAR(roots []cid.Cid, blocks []Block) ([]byte, error) {
	links := make([]any, len(roots))
	for i, r := range roots {
		links[i] = r
	}
	header, err := EncodeDagCBOR(map[string]any{"roots": links, "version": 1})
	if err != nil {
		return nil, fmt.Errorf("codec: encode CAR header: %w", err)
	}
	var buf bytes.Buffer
	buf.Write(varint.ToUvarint(uint64(len(header))))
	buf.Write(header)
	for _, b := range blocks {
		id := b.CID.Bytes()
		buf.Write(varint.ToUvarint(uint64(len(id) + len(b.Data))))
		buf.Write(id)
		buf.Write(b.Data)
	}
	return buf.Bytes(), nil
}

// DecodeCAR reads a CARv1 archive. Every block must hash to its CID (blocks under hash
// functions this build cannot compute are refused) and be at most [MaxBlockSize] bytes.
func DecodeCAR(data []byte) (roots []cid.Cid, blocks []Block, err error) {
	header, rest, err := readSection(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: header: %v", ErrInvalidCAR, err)
	}
	v, err := DecodeDagCBOR(header)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: header: %v", ErrInvalidCAR, err)
	}
	m, _ := v.(map[string]any)
	if version, _ := m["version"].(int64); version != 1 {
		return nil, nil, fmt.Errorf("%w: version %v, only CARv1 is read", ErrInvalidCAR, m["version"])
	}
	list, ok := m["roots"].([]any)
	if !ok {
		return nil, nil, fmt.Errorf("%w: header has no roots list", ErrInvalidCAR)
	}
	for _, r := range list {
		c, ok := r.(cid.Cid)
		if !ok {
			return nil, nil, fmt.Errorf("%w: a root is not a CID", ErrInvalidCAR)
		}
		roots = append(roots, c)
	}
	for len(rest) > 0 {
		if len(blocks) == maxCARBlocks {
			return nil, nil, fmt.Errorf("%w: more than %d blocks", ErrInvalidCAR, maxCARBlocks)
		}
		var section []byte
		if section, rest, err = readSection(rest); err != nil {
			return nil, nil, fmt.Errorf("%w: block %d: %v", ErrInvalidCAR, len(blocks), err)
		}
		n, c, err := cid.CidFromBytes(section)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: block %d: %v", ErrInvalidCAR, len(blocks), err)
		}
		b := Block{CID: c, Data: section[n:]}
		if err := b.CheckSize(); err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrInvalidCAR, err)
		}
		if err := b.Verify(); err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrInvalidCAR, err)
		}
		blocks = append(blocks, b)
	}
	return roots, blocks, nil
}

// readSection splits a varint-length-prefixed section off data.
func readSection(data []byte) (section, rest []byte, err error) {
	size, n, err := varint.FromUvarint(data)
	if err != nil {
		return nil, nil, fmt.Errorf("bad length prefix: %v", err)
	}
	if size == 0 || size > uint64(len(data)-n) || size > MaxBlockSize+128 {
		return nil, nil, fmt.Errorf("section length %d does not fit the %d bytes left", size, len(data)-n)
	}
	return data[n : n+int(size)], data[n+int(size):], nil
}
