package ethereum

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"

	"github.com/goceramic/ceramic/streams/codec"
)

// RPCURLSetting is the configuration key that names a node's Ethereum JSON-RPC endpoint;
// error messages about a missing or wrong endpoint refer to it.
const RPCURLSetting = "anchor.ethereum-rpc-url"

// DefaultCacheSize is the number of transactions, and of blocks, a [Validator] caches when
// [ValidatorConfig.CacheSize] is 0.
const DefaultCacheSize = 1000

// ValidatorConfig configures a [Validator].
type ValidatorConfig struct {
	// Chain is the chain this node anchors on (its anchor service's chain, such as
	// "eip155:1"). Proofs for other chains are rejected, and the legacy-anchor threshold of
	// this chain applies. Empty means a read-only node: proofs for any eip155 chain with an
	// endpoint are checked, and, as in js-ceramic, no threshold applies, so every proof must
	// be a contract anchor.
	Chain string
	// Endpoints maps a chain ("eip155:<n>") to the JSON-RPC URL (http, https, ws or wss)
	// used to check its proofs. Proofs for a chain without an endpoint cannot be checked.
	Endpoints map[string]string
	// Contract is the anchor contract; the zero address means [ContractAddress].
	Contract common.Address
	// Thresholds replaces the legacy-anchor thresholds; nil means [Thresholds].
	Thresholds map[string]uint64
	// CacheSize is the size of the transaction cache and of the block cache; 0 means
	// [DefaultCacheSize].
	CacheSize int
	// RequestTimeout bounds each JSON-RPC request; 0 means 30 seconds.
	RequestTimeout time.Duration
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
}

// Validator checks anchor proofs against Ethereum chains through their JSON-RPC endpoints
// (protocol spec §7.6). It implements anchor.ChainValidator and is safe for concurrent use.
// It dials each endpoint on first use and caches the transactions and blocks it has read
// (only complete, successful reads: a pending transaction or a failed request is asked
// again next time).
type Validator struct {
	chain      string
	endpoints  map[string]string
	contract   common.Address
	thresholds map[string]uint64
	timeout    time.Duration
	log        *slog.Logger

	txs    *lru[chainHash, rpcTx]
	blocks *lru[chainHash, rpcBlock]

	mu     sync.Mutex
	conns  map[string]*endpoint // by URL
	closed bool
}

// chainHash keys the caches: a hash on a chain.
type chainHash struct {
	chain string
	hash  common.Hash
}

// endpoint is one dialed JSON-RPC endpoint.
type endpoint struct {
	url    string
	client *rpc.Client

	mu         sync.Mutex
	chainID    int64 // as reported by eth_chainId; 0 until known
	mismatched bool  // the mismatch was logged
}

// NewValidator returns a Validator for cfg. It checks the configuration but does not
// contact any endpoint.
func NewValidator(cfg ValidatorConfig) (*Validator, error) {
	if cfg.Chain != "" {
		if _, err := ParseChainID(cfg.Chain); err != nil {
			return nil, fmt.Errorf("ethereum: validator chain: %w", err)
		}
	}
	endpoints := make(map[string]string, len(cfg.Endpoints))
	for chain, u := range cfg.Endpoints {
		if _, err := ParseChainID(chain); err != nil {
			return nil, fmt.Errorf("ethereum: validator endpoints: %w", err)
		}
		if u == "" {
			return nil, fmt.Errorf("ethereum: validator endpoints: empty URL for %s", chain)
		}
		endpoints[chain] = u
	}
	thresholds := cfg.Thresholds
	if thresholds == nil {
		thresholds = Thresholds
	}
	v := &Validator{
		chain:      cfg.Chain,
		endpoints:  endpoints,
		contract:   cfg.Contract,
		thresholds: make(map[string]uint64, len(thresholds)),
		timeout:    cfg.RequestTimeout,
		log:        cfg.Logger,
		conns:      make(map[string]*endpoint),
	}
	for k, n := range thresholds {
		v.thresholds[k] = n
	}
	if v.contract == (common.Address{}) {
		v.contract = ContractAddress
	}
	if v.timeout <= 0 {
		v.timeout = defaultRequestTimeout
	}
	if v.log == nil {
		v.log = slog.New(slog.DiscardHandler)
	}
	size := cfg.CacheSize
	if size <= 0 {
		size = DefaultCacheSize
	}
	v.txs = newLRU[chainHash, rpcTx](size)
	v.blocks = newLRU[chainHash, rpcBlock](size)
	return v, nil
}

// ValidateChainInclusion checks that proof's transaction is on proof's chain, anchors
// proof's root and (after the chain's legacy threshold) calls the anchor contract, and
// returns the timestamp (unix seconds) of the transaction's block.
//
// An error wrapping streams.ErrProofUnavailable means the chain could not be asked: no
// endpoint is configured for it, the endpoint serves another chain, the transaction is
// still pending, or a request failed. Any other error means the proof is invalid.
func (v *Validator) ValidateChainInclusion(ctx context.Context, proof *codec.AnchorProof) (int64, error) {
	if proof == nil {
		return 0, errors.New("anchor proof is missing")
	}
	chain := proof.ChainID
	chainID, err := ParseChainID(chain)
	if err != nil {
		return 0, fmt.Errorf("anchor proof chain %q is not supported: only eip155 chains are", chain)
	}
	if v.chain != "" && chain != v.chain {
		return 0, fmt.Errorf("anchor proof is for chain %s but this node anchors on %s", chain, v.chain)
	}
	txHash, err := TxHashFromCID(proof.TxHash)
	if err != nil {
		return 0, fmt.Errorf("anchor proof txHash: %w", err)
	}
	if !proof.Root.Defined() {
		return 0, errors.New("anchor proof has no root")
	}

	tx, block, err := v.fetch(ctx, chain, chainID, txHash)
	if err != nil {
		return 0, err
	}

	var root cid.Cid
	if proof.TxType == TxTypeContract {
		root, err = RootFromCalldata(tx.input())
	} else {
		root, err = RootFromLegacyInput(tx.input())
	}
	if err != nil {
		return 0, fmt.Errorf("transaction %s on %s does not anchor a root: %w", txHash.Hex(), chain, err)
	}
	if !sameDigest(root, proof.Root) {
		return 0, fmt.Errorf("transaction %s on %s anchors root %s, not the proof's root %s", txHash.Hex(), chain, root, proof.Root)
	}

	number := uint64(*tx.BlockNumber)
	if threshold, ok := v.thresholds[v.chain]; v.chain != "" && ok && number <= threshold {
		return int64(block.Timestamp), nil
	}
	if proof.TxType != TxTypeContract {
		return 0, fmt.Errorf("transaction %s is in block %d of %s, after the last block that accepts legacy anchors; the proof must have txType %q",
			txHash.Hex(), number, chain, TxTypeContract)
	}
	if tx.To == nil || *tx.To != v.contract {
		to := "nowhere (contract creation)"
		if tx.To != nil {
			to = tx.To.Hex()
		}
		return 0, fmt.Errorf("transaction %s on %s was sent to %s, not to the anchor contract %s", txHash.Hex(), chain, to, v.contract.Hex())
	}
	return int64(block.Timestamp), nil
}

// sameDigest reports whether two CIDs have the same multihash digest, whatever their
// codecs: the chain only records the digest.
func sameDigest(a, b cid.Cid) bool {
	da, errA := mh.Decode(a.Hash())
	db, errB := mh.Decode(b.Hash())
	return errA == nil && errB == nil && bytes.Equal(da.Digest, db.Digest)
}

// fetch returns a mined transaction and its block, from the caches or the chain's
// endpoint.
func (v *Validator) fetch(ctx context.Context, chain string, chainID int64, txHash common.Hash) (*rpcTx, *rpcBlock, error) {
	tx, txCached := v.txs.get(chainHash{chain, txHash})
	if txCached {
		if block, ok := v.blocks.get(chainHash{chain, *tx.BlockHash}); ok {
			return &tx, &block, nil
		}
	}
	ep, err := v.endpoint(ctx, chain, chainID)
	if err != nil {
		return nil, nil, err
	}
	if !txCached {
		var got *rpcTx
		if err := call(ctx, ep.client, v.timeout, &got, "eth_getTransactionByHash", txHash); err != nil {
			v.log.Warn("ethereum: cannot read anchor transaction", "chain", chain, "tx", txHash.Hex(), "err", err)
			return nil, nil, unavailable(err, "cannot check the anchor on %s now: eth_getTransactionByHash %s", chain, txHash.Hex())
		}
		if got == nil {
			return nil, nil, fmt.Errorf("transaction %s not found on %s", txHash.Hex(), chain)
		}
		if got.BlockHash == nil || got.BlockNumber == nil || *got.BlockHash == (common.Hash{}) {
			return nil, nil, unavailable(nil, "transaction %s on %s is not mined yet", txHash.Hex(), chain)
		}
		tx = *got
	}
	var block *rpcBlock
	if err := call(ctx, ep.client, v.timeout, &block, "eth_getBlockByHash", *tx.BlockHash, false); err != nil {
		v.log.Warn("ethereum: cannot read anchor block", "chain", chain, "block", tx.BlockHash.Hex(), "err", err)
		return nil, nil, unavailable(err, "cannot check the anchor on %s now: eth_getBlockByHash %s", chain, tx.BlockHash.Hex())
	}
	if block == nil {
		return nil, nil, fmt.Errorf("block %s (number %d) of transaction %s not found on %s",
			tx.BlockHash.Hex(), uint64(*tx.BlockNumber), txHash.Hex(), chain)
	}
	v.txs.put(chainHash{chain, txHash}, tx)
	v.blocks.put(chainHash{chain, *tx.BlockHash}, *block)
	return &tx, block, nil
}

// endpoint returns the dialed endpoint of chain, after checking (once) that it serves
// chain.
func (v *Validator) endpoint(ctx context.Context, chain string, chainID int64) (*endpoint, error) {
	u, ok := v.endpoints[chain]
	if !ok {
		return nil, unavailable(nil, "cannot check anchors on %s: no Ethereum JSON-RPC endpoint is configured for it (set %s)", chain, RPCURLSetting)
	}
	ep, err := v.dial(ctx, u)
	if err != nil {
		return nil, err
	}
	ep.mu.Lock()
	known := ep.chainID
	ep.mu.Unlock()
	if known == 0 {
		// Not under ep.mu: while an endpoint is down, concurrent validations each wait
		// for their own request rather than for one another's.
		id, err := chainIDOf(ctx, ep.client, v.timeout)
		if err != nil {
			v.log.Warn("ethereum: eth_chainId failed", "endpoint", redactURL(u), "err", err)
			return nil, unavailable(err, "cannot check anchors on %s now: eth_chainId on %s", chain, redactURL(u))
		}
		ep.mu.Lock()
		ep.chainID = id
		ep.mu.Unlock()
		known = id
	}
	if known != chainID {
		msg := fmt.Sprintf("the Ethereum endpoint %s serves %s, not %s: check %s", redactURL(u), chainName(known), chain, RPCURLSetting)
		ep.mu.Lock()
		first := !ep.mismatched
		ep.mismatched = true
		ep.mu.Unlock()
		if first {
			v.log.Error("ethereum: "+msg, "endpoint", redactURL(u), "chainId", known, "want", chainID)
		}
		return nil, unavailable(nil, "cannot check anchors on %s: %s", chain, msg)
	}
	return ep, nil
}

// dial returns the client of url, dialing it on first use.
func (v *Validator) dial(ctx context.Context, u string) (*endpoint, error) {
	v.mu.Lock()
	ep, ok := v.conns[u]
	closed := v.closed
	v.mu.Unlock()
	if closed {
		return nil, unavailable(nil, "the Ethereum anchor validator is closed")
	}
	if ok {
		return ep, nil
	}
	// Dial outside v.mu: a websocket dial waits for the connection.
	c, err := rpc.DialContext(ctx, u)
	if err != nil {
		v.log.Warn("ethereum: cannot dial RPC endpoint", "endpoint", redactURL(u), "err", err)
		return nil, unavailable(err, "cannot use the Ethereum endpoint %s (%s)", redactURL(u), RPCURLSetting)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		c.Close()
		return nil, unavailable(nil, "the Ethereum anchor validator is closed")
	}
	if ep, ok := v.conns[u]; ok { // another validation dialed it meanwhile
		c.Close()
		return ep, nil
	}
	ep = &endpoint{url: u, client: c}
	v.conns[u] = ep
	return ep, nil
}

// Close closes the validator's connections. Later validations fail with errors wrapping
// streams.ErrProofUnavailable.
func (v *Validator) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.closed = true
	for u, ep := range v.conns {
		ep.client.Close()
		delete(v.conns, u)
	}
	return nil
}
