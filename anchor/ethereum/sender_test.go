package ethereum

import (
	"bytes"
	"context"
	"log/slog"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/anchor/ethereum/ethtest"
)

type anchorResult struct {
	tx  Transaction
	err error
}

// anchorAsync runs s.Anchor(root) in a goroutine.
func anchorAsync(t *testing.T, s *Sender, root cid.Cid) <-chan anchorResult {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	ch := make(chan anchorResult, 1)
	go func() {
		defer cancel()
		tx, err := s.Anchor(ctx, root)
		ch <- anchorResult{tx, err}
	}()
	return ch
}

// notDone checks that Anchor has not returned within a few poll intervals.
func notDone(t *testing.T, ch <-chan anchorResult, when string) {
	t.Helper()
	select {
	case r := <-ch:
		t.Fatalf("Anchor returned %+v, %v %s", r.tx, r.err, when)
	case <-time.After(50 * time.Millisecond):
	}
}

func result(t *testing.T, ch <-chan anchorResult) Transaction {
	t.Helper()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatal(r.err)
		}
		return r.tx
	case <-time.After(15 * time.Second):
		t.Fatal("Anchor did not return")
	}
	panic("unreachable")
}

func TestSenderAnchor(t *testing.T) {
	c := ethtest.NewChain(t)
	c.Commit()
	proxy := ethtest.NewProxy(t, c.URL)
	s := newTestSender(t, c, proxy.URL, SenderConfig{})
	if s.ChainID() != 1337 || s.Address() != c.Addr {
		t.Fatalf("ChainID %d, Address %s", s.ChainID(), s.Address().Hex())
	}
	root := testRoot(t, "anchor")
	ch := anchorAsync(t, s, root)
	c.WaitPending(c.Addr, 1)
	n := c.Commit()
	tx := result(t, ch)

	ctx := context.Background()
	if tx.BlockNumber != n || tx.TxType != TxTypeContract || tx.CID != TxHashCID(tx.Hash) {
		t.Fatalf("transaction %+v, want block %d", tx, n)
	}
	hdr, err := c.Client().HeaderByNumber(ctx, big.NewInt(int64(n)))
	if err != nil {
		t.Fatal(err)
	}
	if hdr.Hash() != tx.BlockHash || uint64(tx.BlockTime) != hdr.Time {
		t.Fatalf("block %s time %d, chain has %s time %d", tx.BlockHash.Hex(), tx.BlockTime, hdr.Hash().Hex(), hdr.Time)
	}
	mined, _, err := c.Client().TransactionByHash(ctx, tx.Hash)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Calldata(root)
	if *mined.To() != ContractAddress || string(mined.Data()) != string(want) {
		t.Fatalf("mined tx to %s data %x", mined.To().Hex(), mined.Data())
	}
	if mined.Type() != types.DynamicFeeTxType {
		t.Fatalf("tx type %d, want EIP-1559 (the simulated chain has a base fee)", mined.Type())
	}
	if got := len(proxy.SentTxs()); got != 1 {
		t.Fatalf("%d transactions sent, want 1", got)
	}
}

// TestSenderConfirmations: with 3 confirmations Anchor returns only when the block with
// the transaction has 2 more on top.
func TestSenderConfirmations(t *testing.T) {
	c := ethtest.NewChain(t)
	c.Commit()
	s := newTestSender(t, c, c.URL, SenderConfig{Confirmations: 3})
	ch := anchorAsync(t, s, testRoot(t, "confirmations"))
	c.WaitPending(c.Addr, 1)
	n := c.Commit()
	notDone(t, ch, "after the block with the transaction")
	c.Commit()
	notDone(t, ch, "after 1 more block")
	c.Commit()
	tx := result(t, ch)
	if tx.BlockNumber != n {
		t.Fatalf("block %d, want %d", tx.BlockNumber, n)
	}
	if head := c.Head(); head != n+2 {
		t.Fatalf("head %d, want %d", head, n+2)
	}
}

// TestSenderResends: a transaction not mined within ResendAfter is replaced (same nonce,
// fees up at least 10%), and Anchor reports the one that is mined.
func TestSenderResends(t *testing.T) {
	c := ethtest.NewChain(t)
	c.Commit()
	proxy := ethtest.NewProxy(t, c.URL)
	logs := &syncBuffer{}
	s := newTestSender(t, c, proxy.URL, SenderConfig{ResendAfter: 40 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	defer func() {
		if t.Failed() {
			t.Log(logs.String())
		}
	}()
	ch := anchorAsync(t, s, testRoot(t, "resend"))
	// Mine only once a replacement is in the pool (the proxy sees it before the node has it).
	ethtest.WaitFor(t, "a replacement in the pool", func() bool {
		sent := proxy.SentTxs()
		if len(sent) < 2 {
			return false
		}
		_, pending, err := c.Client().TransactionByHash(context.Background(), sent[1].Hash())
		return err == nil && pending
	})
	c.Commit()
	tx := result(t, ch)

	sent := proxy.SentTxs()
	if len(sent) < 2 {
		t.Fatalf("%d transactions sent", len(sent))
	}
	for i := 1; i < len(sent); i++ {
		prev, next := sent[i-1], sent[i]
		if next.Nonce() != prev.Nonce() || next.Gas() != prev.Gas() || string(next.Data()) != string(prev.Data()) {
			t.Fatalf("replacement %d changed nonce, gas or data", i)
		}
		if next.GasTipCap().Cmp(minReplacement(prev.GasTipCap())) < 0 || next.GasFeeCap().Cmp(minReplacement(prev.GasFeeCap())) < 0 {
			t.Fatalf("replacement %d: tip %s cap %s after tip %s cap %s: less than +10%%",
				i, next.GasTipCap(), next.GasFeeCap(), prev.GasTipCap(), prev.GasFeeCap())
		}
	}
	if tx.Hash == sent[0].Hash() {
		t.Fatal("the first transaction was mined although it was replaced")
	}
	found := false
	for _, s := range sent {
		found = found || s.Hash() == tx.Hash
	}
	if !found {
		t.Fatalf("mined %s is none of the sent transactions", tx.Hash.Hex())
	}
}

// TestSenderReorg: the block with the transaction is replaced before it is confirmed; the
// transaction is mined again in the new chain and Anchor reports the new block.
func TestSenderReorg(t *testing.T) {
	c := ethtest.NewChain(t)
	c.Commit()
	logs := &syncBuffer{}
	s := newTestSender(t, c, c.URL, SenderConfig{Confirmations: 3,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	ctx := context.Background()
	parent, err := c.Client().HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ch := anchorAsync(t, s, testRoot(t, "reorg"))
	c.WaitPending(c.Addr, 1)
	n := c.Commit()
	first, err := c.Client().HeaderByNumber(ctx, big.NewInt(int64(n)))
	if err != nil {
		t.Fatal(err)
	}
	notDone(t, ch, "before confirmations")
	// Drop block n: the chain goes back to its parent, the transaction back to the pool.
	if err := c.Fork(parent.Hash()); err != nil {
		t.Fatal(err)
	}
	notDone(t, ch, "after the reorganisation")
	for range 3 {
		c.Commit()
	}
	tx := result(t, ch)
	if tx.BlockHash == first.Hash() {
		t.Fatalf("Anchor reported block %s, which was reorganised away", tx.BlockHash.Hex())
	}
	canon, err := c.Client().HeaderByNumber(ctx, big.NewInt(int64(tx.BlockNumber)))
	if err != nil {
		t.Fatal(err)
	}
	if canon.Hash() != tx.BlockHash {
		t.Fatalf("reported block %s is not canonical (%s)", tx.BlockHash.Hex(), canon.Hash().Hex())
	}
	if head := c.Head(); head+1 < tx.BlockNumber+3 {
		t.Fatalf("head %d: block %d not confirmed 3 times", head, tx.BlockNumber)
	}
	if !strings.Contains(logs.String(), "reorganisation") {
		t.Fatalf("the sender did not notice the reorganisation; log:\n%s", logs)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestSenderSerializes: concurrent Anchor calls each get their own nonce.
func TestSenderSerializes(t *testing.T) {
	c := ethtest.NewChain(t)
	c.Commit()
	c.AutoMine(10 * time.Millisecond)
	s := newTestSender(t, c, c.URL, SenderConfig{})
	const n = 4
	var wg sync.WaitGroup
	txs := make([]Transaction, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			txs[i], errs[i] = s.Anchor(ctx, testRoot(t, "concurrent "+string(rune('a'+i))))
		}()
	}
	wg.Wait()
	nonces := map[uint64]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		mined, _, err := c.Client().TransactionByHash(context.Background(), txs[i].Hash)
		if err != nil {
			t.Fatal(err)
		}
		nonces[mined.Nonce()] = true
	}
	if len(nonces) != n {
		t.Fatalf("nonces %v, want %d distinct", nonces, n)
	}
}

func TestSenderErrors(t *testing.T) {
	c := ethtest.NewChain(t)
	c.Commit()
	ctx := context.Background()

	if _, err := NewSender(ctx, SenderConfig{RPCURL: c.URL, Key: c.Key, ChainID: 5}); err == nil ||
		!strings.Contains(err.Error(), "serves eip155:1337, not the configured eip155:5") {
		t.Fatalf("chain id mismatch: %v", err)
	}
	if _, err := NewSender(ctx, SenderConfig{RPCURL: c.URL}); err == nil {
		t.Fatal("no key accepted")
	}
	if _, err := NewSender(ctx, SenderConfig{Key: c.Key}); err == nil {
		t.Fatal("no URL accepted")
	}
	s := newTestSender(t, c, c.URL, SenderConfig{ChainID: 1337})

	// Roots the contract cannot record are refused before anything is sent.
	if _, err := s.Anchor(ctx, cid.NewCidV1(cid.Raw, testRoot(t, "x").Hash())); err == nil {
		t.Fatal("raw-codec root accepted")
	}

	// A contract that reverts: the gas estimate fails, with a hint.
	bad := newTestSender(t, c, c.URL, SenderConfig{Contract: ethtest.RevertingContract})
	_, err := bad.Anchor(ctx, testRoot(t, "reverts"))
	if err == nil || !strings.Contains(err.Error(), "eth_estimateGas") || !strings.Contains(err.Error(), "allowed to call the contract") {
		t.Fatalf("reverting contract: %v", err)
	}

	// An unfunded account: the estimate (or the send) is refused.
	poor, _ := ParsePrivateKey("0x" + strings.Repeat("42", 32))
	ps, err := NewSender(ctx, SenderConfig{RPCURL: c.URL, Key: poor, PollInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	if _, err := ps.Anchor(ctx, testRoot(t, "poor")); err == nil {
		t.Fatal("unfunded account could anchor")
	}

	// A cancelled context stops the wait.
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := s.Anchor(cctx, testRoot(t, "never mined")); err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("cancelled: %v", err)
	}

	// Unreachable endpoint.
	if _, err := NewSender(ctx, SenderConfig{RPCURL: "http://127.0.0.1:1", Key: c.Key}); err == nil {
		t.Fatal("unreachable endpoint accepted")
	}
}

func TestSenderLegacyAndFeeMath(t *testing.T) {
	s := &Sender{chainID: big.NewInt(1337), contract: ContractAddress}
	s.signer = types.LatestSignerForChainID(s.chainID)
	s.key, _ = ParsePrivateKey("0x" + strings.Repeat("11", 32))
	data, _ := Calldata(testRoot(t, "legacy"))
	tx, err := s.sign(7, 50000, data, fees{price: big.NewInt(3e9)})
	if err != nil {
		t.Fatal(err)
	}
	if tx.Type() != types.LegacyTxType || tx.ChainId().Int64() != 1337 || !tx.Protected() || tx.GasPrice().Int64() != 3e9 {
		t.Fatalf("legacy tx: type %d chain %s protected %v", tx.Type(), tx.ChainId(), tx.Protected())
	}
	from, err := types.Sender(s.signer, tx)
	if err != nil || from == (common.Address{}) {
		t.Fatalf("sender: %s, %v", from.Hex(), err)
	}
	if f := feesOf(tx); f.price.Int64() != 3e9 || f.tip != nil {
		t.Fatalf("feesOf legacy: %+v", f)
	}
	for _, x := range []int64{0, 1, 9, 10, 100, 1e9, 123456789} {
		b := bump(big.NewInt(x))
		if b.Cmp(minReplacement(big.NewInt(x))) < 0 || b.Cmp(big.NewInt(x)) <= 0 {
			t.Errorf("bump(%d) = %s, not > +10%%", x, b)
		}
	}
	s.maxFee = big.NewInt(100)
	if s.capFee(big.NewInt(1000)).Int64() != 100 || s.capFee(big.NewInt(50)).Int64() != 50 {
		t.Error("capFee")
	}
}

// TestSenderNonceTakenElsewhere: another transaction of the same account takes the nonce
// (the key is used elsewhere); Anchor gives up with an explanation instead of waiting
// forever.
func TestSenderNonceTakenElsewhere(t *testing.T) {
	c := ethtest.NewChain(t)
	c.Commit()
	s := newTestSender(t, c, c.URL, SenderConfig{ResendAfter: 30 * time.Millisecond})
	ch := anchorAsync(t, s, testRoot(t, "stolen nonce"))
	c.WaitPending(c.Addr, 1)
	// Same key, same nonce, much higher fees: replaces the anchor in the pool.
	to := common.HexToAddress("0x000000000000000000000000000000000000beef")
	c.SignAndSend(c.Key, &types.DynamicFeeTx{
		Nonce: 0, GasTipCap: big.NewInt(500e9), GasFeeCap: big.NewInt(1000e9), Gas: 21000, To: &to,
	})
	c.Commit()
	select {
	case r := <-ch:
		if r.err == nil || !strings.Contains(r.err.Error(), "nonce 0 of "+c.Addr.Hex()+" was used by a transaction this sender did not send") {
			t.Fatalf("got %+v, %v", r.tx, r.err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Anchor did not give up")
	}
}
