package ethtest_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/goceramic/ceramic/anchor/ethereum/ethtest"
)

func TestChain(t *testing.T) {
	key, _ := crypto.GenerateKey()
	extra := common.HexToAddress("0x000000000000000000000000000000000000e0e0")
	c := ethtest.NewChain(t, ethtest.WithKey(key), ethtest.WithAccount(extra, types.Account{Balance: big.NewInt(7)}))
	if c.Key != key || c.Addr != crypto.PubkeyToAddress(key.PublicKey) {
		t.Fatal("WithKey ignored")
	}
	if c.Head() != 0 {
		t.Fatalf("head %d, want 0", c.Head())
	}

	// Over HTTP, through the proxy.
	p := ethtest.NewProxy(t, c.URL)
	ctx := context.Background()
	cl, err := ethclient.DialContext(ctx, p.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if id, err := cl.ChainID(ctx); err != nil || id.Int64() != ethtest.ChainID {
		t.Fatalf("chain id %v, %v", id, err)
	}
	for addr, want := range map[common.Address]*big.Int{c.Addr: ethtest.Funds, c.OtherAddr: ethtest.Funds, extra: big.NewInt(7)} {
		if got, err := cl.BalanceAt(ctx, addr, nil); err != nil || got.Cmp(want) != 0 {
			t.Fatalf("balance of %s: %v, %v; want %s", addr, got, err, want)
		}
	}

	// Hand-made transactions: two from the other account, one through the proxy.
	h1 := c.Send(c.Addr, []byte("one"))
	h2 := c.Send(c.Addr, []byte("two"))
	c.WaitPending(c.OtherAddr, 2)
	to := common.HexToAddress("0x000000000000000000000000000000000000beef")
	tx, err := types.SignNewTx(c.Key, types.LatestSignerForChainID(big.NewInt(ethtest.ChainID)), &types.DynamicFeeTx{
		ChainID: big.NewInt(ethtest.ChainID), GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(100e9), Gas: 21000, To: &to,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if n := c.Commit(); n != 1 {
		t.Fatalf("committed block %d, want 1", n)
	}
	for _, r := range c.WaitMined(h1, h2, tx.Hash()) {
		if r.BlockNumber.Uint64() != 1 || r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("receipt %+v", r)
		}
	}
	if sent := p.SentTxs(); len(sent) != 1 || sent[0].Hash() != tx.Hash() {
		t.Fatalf("proxy saw %d sent transactions", len(sent))
	}
	if p.Count("eth_chainId") != 1 || p.Count("") != len(p.Calls()) || p.Count("") < 5 {
		t.Fatalf("proxy calls %+v", p.Calls())
	}

	// The reverting contract reverts.
	if _, err := cl.EstimateGas(ctx, ethereum.CallMsg{From: c.OtherAddr, To: &ethtest.RevertingContract}); err == nil {
		t.Fatal("gas estimate for the reverting contract succeeded")
	}

	// Fork back to block 0, then mine automatically.
	genesis, err := c.Client().HeaderByNumber(ctx, big.NewInt(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Fork(genesis.Hash()); err != nil {
		t.Fatal(err)
	}
	c.AutoMine(5 * time.Millisecond)
	ethtest.WaitFor(t, "block 3", func() bool { return c.Head() >= 3 })
}
