// Package ethtest runs go-ethereum's simulated chain over loopback JSON-RPC for tests of
// this module; only test code imports it.
package ethtest

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
)

const (
	// ChainID is the chain id of the simulated chain.
	ChainID = 1337
	// CAIP2 is the simulated chain's CAIP-2 name, as anchor proofs and configurations
	// spell it.
	CAIP2 = "eip155:1337"
)

// RevertingContract is an address whose code always reverts: on the simulated chain
// every call to it (and every gas estimate for one) fails.
var RevertingContract = common.HexToAddress("0x000000000000000000000000000000000000bad0")

// Funds is the genesis balance of each funded account: 1000 ether.
var Funds = new(big.Int).Mul(big.NewInt(1000), big.NewInt(1e18))

// Chain is go-ethereum's simulated chain (chain id [ChainID]) served over loopback HTTP
// JSON-RPC (modules eth, net and web3). Blocks are mined only by [Chain.Commit] (or by
// [Chain.AutoMine]). The chain stops when the test ends.
type Chain struct {
	// URL is the chain's HTTP JSON-RPC endpoint, http://127.0.0.1:<port>.
	URL string

	// Key is a funded account meant for the code under test (an anchoring service's
	// key); Addr is its address.
	Key  *ecdsa.PrivateKey
	Addr common.Address

	// OtherKey is a second funded account, used by [Chain.Send] for hand-made
	// transactions; OtherAddr is its address.
	OtherKey  *ecdsa.PrivateKey
	OtherAddr common.Address

	t   testing.TB
	sim *simulated.Backend

	mu         sync.Mutex
	otherNonce uint64 // next nonce of OtherKey (counted here: the pool's view lags while blocks are mined)
}

type config struct {
	key   *ecdsa.PrivateKey
	alloc types.GenesisAlloc
}

// Option configures [NewChain].
type Option func(*config)

// WithKey makes key the funded account [Chain.Key] instead of a fresh random key (for a
// key that must also appear in a configuration file, say).
func WithKey(key *ecdsa.PrivateKey) Option {
	return func(c *config) { c.key = key }
}

// WithAccount adds an account (a balance, code, storage) to the genesis block.
func WithAccount(addr common.Address, account types.Account) Option {
	return func(c *config) { c.alloc[addr] = account }
}

// NewChain starts a simulated chain with the funded accounts [Chain.Key] and
// [Chain.OtherKey] (each holding [Funds]) and the contract [RevertingContract], and
// stops it when the test ends. The genesis block is block 0; no other block is mined.
func NewChain(t testing.TB, opts ...Option) *Chain {
	t.Helper()
	cfg := config{alloc: types.GenesisAlloc{}}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.key == nil {
		cfg.key = mustKey(t)
	}
	other := mustKey(t)
	c := &Chain{t: t,
		Key: cfg.key, Addr: crypto.PubkeyToAddress(cfg.key.PublicKey),
		OtherKey: other, OtherAddr: crypto.PubkeyToAddress(other.PublicKey)}
	alloc := types.GenesisAlloc{
		c.Addr:      {Balance: new(big.Int).Set(Funds)},
		c.OtherAddr: {Balance: new(big.Int).Set(Funds)},
		// PUSH1 0 PUSH1 0 REVERT
		RevertingContract: {Code: []byte{0x60, 0x00, 0x60, 0x00, 0xfd}},
	}
	for addr, acct := range cfg.alloc {
		alloc[addr] = acct
	}
	// The port is free when chosen but may be taken (by a parallel test process) before
	// the node binds it: then try another.
	for attempt := 0; c.sim == nil; attempt++ {
		port := FreePort(t)
		sim, err := newSimBackend(alloc, port)
		if err != nil {
			if attempt < 5 && strings.Contains(err.Error(), "address already in use") {
				continue
			}
			t.Fatal(err)
		}
		c.sim = sim
		c.URL = fmt.Sprintf("http://127.0.0.1:%d", port)
	}
	t.Cleanup(func() { c.sim.Close() })
	return c
}

func mustKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// newSimBackend starts a simulated chain serving HTTP JSON-RPC on 127.0.0.1:port.
// simulated.NewBackend panics when the node cannot start; that becomes an error.
func newSimBackend(alloc types.GenesisAlloc, port int) (sim *simulated.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("starting the simulated chain: %v", r)
		}
	}()
	return simulated.NewBackend(alloc, func(nc *node.Config, _ *ethconfig.Config) {
		nc.HTTPHost = "127.0.0.1"
		nc.HTTPPort = port
		nc.HTTPModules = []string{"eth", "net", "web3"}
		nc.HTTPVirtualHosts = []string{"*"}
	}), nil
}

// FreePort returns a loopback TCP port that was free a moment ago (and most likely still
// is: nothing listens on it).
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Client returns an in-process client of the chain (not going through [Chain.URL]).
func (c *Chain) Client() simulated.Client { return c.sim.Client() }

// Backend returns the simulated backend, for what Chain has no method for (adjusting the
// clock, say).
func (c *Chain) Backend() *simulated.Backend { return c.sim }

// Commit mines a block with the pending transactions and returns its number.
func (c *Chain) Commit() uint64 {
	c.sim.Commit()
	return c.Head()
}

// Head returns the number of the latest block.
func (c *Chain) Head() uint64 {
	n, err := c.sim.Client().BlockNumber(context.Background())
	if err != nil {
		c.t.Fatal(err)
	}
	return n
}

// Fork drops the blocks after the one with hash parent: the chain goes back to it and
// their transactions back to the pool. The next [Chain.Commit] builds on parent.
func (c *Chain) Fork(parent common.Hash) error { return c.sim.Fork(parent) }

// AutoMine commits a block every interval until the test ends.
func (c *Chain) AutoMine(interval time.Duration) {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				c.sim.Commit()
			}
		}
	}()
	c.t.Cleanup(func() { close(done); <-stopped })
}

// Send signs with [Chain.OtherKey] a transaction to to with data (gas limit 100000) and
// submits it; it is mined by the next commit. It returns the transaction's hash.
func (c *Chain) Send(to common.Address, data []byte) common.Hash {
	c.t.Helper()
	c.mu.Lock()
	nonce := c.otherNonce
	c.otherNonce++
	c.mu.Unlock()
	return c.SignAndSend(c.OtherKey, &types.DynamicFeeTx{
		Nonce: nonce, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(100e9),
		Gas: 100000, To: &to, Data: data,
	})
}

// SignAndSend sets the chain id of tx, signs it with key and submits it; it returns the
// transaction's hash. The caller chooses the nonce, gas and fees (do not use it with
// [Chain.OtherKey] together with [Chain.Send], which counts that account's nonces).
func (c *Chain) SignAndSend(key *ecdsa.PrivateKey, tx *types.DynamicFeeTx) common.Hash {
	c.t.Helper()
	tx.ChainID = big.NewInt(ChainID)
	signed, err := types.SignNewTx(key, types.LatestSignerForChainID(tx.ChainID), tx)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.sim.Client().SendTransaction(context.Background(), signed); err != nil {
		c.t.Fatal(err)
	}
	return signed.Hash()
}

// WaitPending waits until the account has n transactions sent (mined or pending).
func (c *Chain) WaitPending(addr common.Address, n uint64) {
	c.t.Helper()
	WaitFor(c.t, fmt.Sprintf("pending nonce of %s to reach %d", addr, n), func() bool {
		got, err := c.sim.Client().PendingNonceAt(context.Background(), addr)
		return err == nil && got >= n
	})
}

// WaitMined waits until the transactions are mined (have receipts) and returns their
// receipts. Something must mine them: [Chain.AutoMine], or another goroutine.
func (c *Chain) WaitMined(hashes ...common.Hash) []*types.Receipt {
	c.t.Helper()
	receipts := make([]*types.Receipt, len(hashes))
	for i, h := range hashes {
		WaitFor(c.t, "transaction "+h.Hex(), func() bool {
			r, err := c.sim.Client().TransactionReceipt(context.Background(), h)
			receipts[i] = r
			return err == nil && r != nil
		})
	}
	return receipts
}

// WaitFor polls cond every few milliseconds for up to 10 seconds, and fails the test if
// it does not come true.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
