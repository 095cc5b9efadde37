package ethereum

import (
	"context"
	"testing"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/anchor/ethereum/ethtest"
	"github.com/goceramic/ceramic/streams/codec"
)

// testRoot returns a dag-cbor Merkle-root-like CID made from s.
func testRoot(t *testing.T, s string) cid.Cid {
	t.Helper()
	data, err := codec.EncodeDagCBOR([]any{s, nil})
	if err != nil {
		t.Fatal(err)
	}
	return codec.CIDFor(codec.DagCBOR, data)
}

// contractProof is the proof of a contract anchor of root by tx.
func contractProof(tx Transaction, root cid.Cid) *codec.AnchorProof {
	return &codec.AnchorProof{ChainID: ethtest.CAIP2, TxHash: tx.CID, Root: root, TxType: tx.TxType}
}

// newTestSender returns a Sender for the chain's anchoring account through url, closed
// when the test ends.
func newTestSender(t *testing.T, c *ethtest.Chain, url string, cfg SenderConfig) *Sender {
	t.Helper()
	cfg.RPCURL = url
	cfg.Key = c.Key
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 5 * time.Millisecond
	}
	s, err := NewSender(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newTestValidator returns a Validator for cfg, closed when the test ends.
func newTestValidator(t *testing.T, cfg ValidatorConfig) *Validator {
	t.Helper()
	v, err := NewValidator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}
