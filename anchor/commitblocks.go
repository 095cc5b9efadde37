package anchor

import (
	"context"
	"fmt"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/codec"
)

// commitBlocks reads a commit and the blocks it carries: for a signed commit its payload and,
// when its envelope names one, its CACAO. It returns them as a WireCommit (the form the
// anchor-request store serializes) and as the list of blocks an anchor request carries.
func commitBlocks(ctx context.Context, bs streams.BlockGetter, c cid.Cid) (*codec.WireCommit, []codec.Block, error) {
	data, err := bs.Get(ctx, c)
	if err != nil {
		return nil, nil, fmt.Errorf("read commit %s: %w", c, err)
	}
	commit := codec.Block{CID: c, Data: data}
	blocks := []codec.Block{commit}
	var payload, cacao *codec.Block
	if c.Type() == codec.DagJOSE {
		jws, err := codec.DecodeJWS(data)
		if err != nil {
			return nil, nil, fmt.Errorf("read commit %s: %w", c, err)
		}
		link, err := jws.Link()
		if err != nil {
			return nil, nil, fmt.Errorf("read commit %s: %w", c, err)
		}
		pdata, err := bs.Get(ctx, link)
		if err != nil {
			return nil, nil, fmt.Errorf("read payload %s of commit %s: %w", link, c, err)
		}
		payload = &codec.Block{CID: link, Data: pdata}
		blocks = append(blocks, *payload)
		if capCID, ok, err := jws.Cap(); err == nil && ok {
			cdata, err := bs.Get(ctx, capCID)
			if err != nil {
				return nil, nil, fmt.Errorf("read capability %s of commit %s: %w", capCID, c, err)
			}
			cacao = &codec.Block{CID: capCID, Data: cdata}
			blocks = append(blocks, *cacao)
		}
	}
	w, err := codec.NewWireCommit(commit, payload, cacao)
	if err != nil {
		return nil, nil, fmt.Errorf("read commit %s: %w", c, err)
	}
	return w, blocks, nil
}
