package ethereum

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/ipfs/go-cid"
)

// Defaults of [SenderConfig].
const (
	// DefaultPollInterval is how often a Sender reads receipts and the chain head.
	DefaultPollInterval = 2 * time.Second
	// DefaultResendAfter is how long a Sender waits for a transaction to be mined before
	// replacing it with higher fees (the CAS's transaction timeout).
	DefaultResendAfter = 60 * time.Second
)

// SenderConfig configures a [Sender].
type SenderConfig struct {
	// RPCURL is the JSON-RPC endpoint of the chain to anchor on.
	RPCURL string
	// ChainID is the chain to anchor on. 0 means the endpoint's chain; otherwise it must
	// equal the endpoint's eth_chainId.
	ChainID int64
	// Key signs the transactions; its account pays for them and must be allowed to call
	// the contract.
	Key *ecdsa.PrivateKey
	// Contract is the anchor contract; the zero address means [ContractAddress].
	Contract common.Address
	// Confirmations is how many blocks, counting the one that includes the transaction,
	// must be on the chain before Anchor returns; 0 means 1 (mined).
	Confirmations uint64
	// PollInterval is how often receipts and the chain head are read; 0 means
	// [DefaultPollInterval].
	PollInterval time.Duration
	// ResendAfter is how long a transaction may stay unmined before it is replaced by one
	// with the same nonce and fees raised by at least 10%; 0 means [DefaultResendAfter].
	ResendAfter time.Duration
	// MaxFeePerGas caps the fee per gas (EIP-1559 fee cap, or legacy gas price) the sender
	// offers, so that repeated replacements cannot raise it without bound; nil means no cap.
	MaxFeePerGas *big.Int
	// RequestTimeout bounds each JSON-RPC request; 0 means 30 seconds.
	RequestTimeout time.Duration
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
}

// Transaction is a mined anchor transaction.
type Transaction struct {
	// Hash is the transaction hash. When a transaction had to be replaced, this is the
	// hash of the one that was mined.
	Hash common.Hash
	// CID is Hash as anchor proofs record it ([TxHashCID]).
	CID cid.Cid
	// BlockNumber and BlockHash identify the block that includes the transaction.
	BlockNumber uint64
	BlockHash   common.Hash
	// BlockTime is the block's timestamp, in unix seconds: the anchor time.
	BlockTime int64
	// TxType is the anchor proof txType, always [TxTypeContract].
	TxType string
}

// Sender sends anchor transactions: calls of anchorDagCbor(root) on the anchor contract.
// It is safe for concurrent use, but sends one transaction at a time, because each needs
// the account's next nonce.
type Sender struct {
	rpc      *rpc.Client
	eth      *ethclient.Client
	chainID  *big.Int
	signer   types.Signer
	key      *ecdsa.PrivateKey
	from     common.Address
	contract common.Address
	confirms uint64
	poll     time.Duration
	resend   time.Duration
	maxFee   *big.Int
	timeout  time.Duration
	log      *slog.Logger

	sem chan struct{} // holds one token; taken by Anchor
}

// NewSender dials cfg.RPCURL and checks the endpoint's chain id.
func NewSender(ctx context.Context, cfg SenderConfig) (*Sender, error) {
	if cfg.RPCURL == "" {
		return nil, errors.New("ethereum: sender: no RPC URL")
	}
	if cfg.Key == nil {
		return nil, errors.New("ethereum: sender: no private key")
	}
	if cfg.ChainID < 0 {
		return nil, fmt.Errorf("ethereum: sender: invalid chain id %d", cfg.ChainID)
	}
	s := &Sender{
		key:      cfg.Key,
		from:     crypto.PubkeyToAddress(cfg.Key.PublicKey),
		contract: cfg.Contract,
		confirms: cfg.Confirmations,
		poll:     cfg.PollInterval,
		resend:   cfg.ResendAfter,
		timeout:  cfg.RequestTimeout,
		log:      cfg.Logger,
		sem:      make(chan struct{}, 1),
	}
	if cfg.MaxFeePerGas != nil {
		s.maxFee = new(big.Int).Set(cfg.MaxFeePerGas)
	}
	if s.contract == (common.Address{}) {
		s.contract = ContractAddress
	}
	if s.confirms == 0 {
		s.confirms = 1
	}
	if s.poll <= 0 {
		s.poll = DefaultPollInterval
	}
	if s.resend <= 0 {
		s.resend = DefaultResendAfter
	}
	if s.timeout <= 0 {
		s.timeout = defaultRequestTimeout
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	c, err := rpc.DialContext(ctx, cfg.RPCURL)
	if err != nil {
		return nil, fmt.Errorf("ethereum: sender: cannot use RPC endpoint %s: %w", redactURL(cfg.RPCURL), err)
	}
	id, err := chainIDOf(ctx, c, s.timeout)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("ethereum: sender: eth_chainId on %s: %w", redactURL(cfg.RPCURL), err)
	}
	if cfg.ChainID != 0 && cfg.ChainID != id {
		c.Close()
		return nil, fmt.Errorf("ethereum: sender: the endpoint %s serves %s, not the configured %s",
			redactURL(cfg.RPCURL), chainName(id), chainName(cfg.ChainID))
	}
	s.rpc = c
	s.eth = ethclient.NewClient(c)
	s.chainID = big.NewInt(id)
	s.signer = types.LatestSignerForChainID(s.chainID)
	s.sem <- struct{}{}
	return s, nil
}

// Address returns the account that sends (and pays for) the transactions.
func (s *Sender) Address() common.Address { return s.from }

// ChainID returns the chain id the sender anchors on.
func (s *Sender) ChainID() int64 { return s.chainID.Int64() }

// Close closes the connection to the endpoint.
func (s *Sender) Close() error {
	s.rpc.Close()
	return nil
}

// Anchor sends a transaction that calls anchorDagCbor(root) on the anchor contract and
// waits until it is mined, successful and confirmed. A transaction not mined within
// ResendAfter is replaced by one with the same nonce and fees raised by at least 10%; a
// transaction whose block is reorganised away is waited for again. Anchor returns when ctx
// ends, with ctx's error; a transaction already sent may still be mined later.
//
// Read errors while waiting are logged and retried; errors before the first transaction is
// sent, a rejected first transaction, a reverted transaction and a nonce taken by another
// transaction of the same account are returned.
func (s *Sender) Anchor(ctx context.Context, root cid.Cid) (Transaction, error) {
	data, err := Calldata(root)
	if err != nil {
		return Transaction{}, err
	}
	select {
	case <-s.sem:
		defer func() { s.sem <- struct{}{} }()
	case <-ctx.Done():
		return Transaction{}, fmt.Errorf("ethereum: anchor %s: %w", root, ctx.Err())
	}

	rctx, cancel := context.WithTimeout(ctx, s.timeout)
	nonce, err := s.eth.PendingNonceAt(rctx, s.from)
	cancel()
	if err != nil {
		return Transaction{}, fmt.Errorf("ethereum: anchor %s: next nonce of %s: %w", root, s.from.Hex(), err)
	}
	gas, err := s.estimateGas(ctx, data)
	if err != nil {
		return Transaction{}, fmt.Errorf("ethereum: anchor %s: %w", root, err)
	}
	f, err := s.suggestFees(ctx)
	if err != nil {
		return Transaction{}, fmt.Errorf("ethereum: anchor %s: %w", root, err)
	}
	tx, err := s.sign(nonce, gas, data, f)
	if err != nil {
		return Transaction{}, fmt.Errorf("ethereum: anchor %s: %w", root, err)
	}
	if err := s.sendTx(ctx, tx); err != nil {
		var rpcErr rpc.Error
		if errors.As(err, &rpcErr) || ctx.Err() != nil {
			return Transaction{}, fmt.Errorf("ethereum: anchor %s: eth_sendRawTransaction %s: %w", root, tx.Hash().Hex(), err)
		}
		// A transport error leaves it open whether the endpoint got the transaction: wait
		// for it as if it had, and replace it if it does not show up.
		s.log.Warn("ethereum: anchor transaction may not have been sent; will wait and resend",
			"tx", tx.Hash().Hex(), "nonce", nonce, "err", err)
	} else {
		s.log.Info("ethereum: anchor transaction sent", "tx", tx.Hash().Hex(), "root", root.String(),
			"nonce", nonce, "chain", chainName(s.ChainID()))
	}
	out, err := s.wait(ctx, nonce, tx)
	if err != nil {
		return Transaction{}, fmt.Errorf("ethereum: anchor %s: %w", root, err)
	}
	return out, nil
}

// wait polls until one of the transactions with nonce (first, then its replacements) is
// mined and confirmed, replacing the latest one every ResendAfter while none is mined.
func (s *Sender) wait(ctx context.Context, nonce uint64, first *types.Transaction) (Transaction, error) {
	sent := []*types.Transaction{first}
	lastSend := time.Now()
	var (
		seen      *rpcReceipt // the receipt of the mined transaction, as last read
		nonceGone time.Time   // when the nonce was first seen used without a receipt of ours
	)
	ticker := time.NewTicker(s.poll)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return Transaction{}, fmt.Errorf("waiting for transaction %s: %w", sent[len(sent)-1].Hash().Hex(), ctx.Err())
		case <-ticker.C:
		}
		rcpt, err := s.findReceipt(ctx, sent)
		if err != nil {
			s.log.Warn("ethereum: cannot read anchor transaction receipt; will retry", "err", err)
			continue
		}
		if rcpt == nil {
			if seen != nil {
				s.log.Warn("ethereum: anchor transaction left its block (chain reorganisation); waiting for it again",
					"tx", seen.TxHash.Hex(), "block", uint64(seen.BlockNumber))
				seen = nil
				lastSend = time.Now()
			}
			if time.Since(lastSend) < s.resend {
				continue
			}
			used, err := s.nonceUsed(ctx, nonce)
			if err != nil {
				s.log.Warn("ethereum: cannot read the account nonce; will retry", "err", err)
				continue
			}
			if used {
				// A transaction with this nonce is mined, but no receipt of ours shows up:
				// allow receipts a resend period to appear before giving up.
				if nonceGone.IsZero() {
					nonceGone = time.Now()
				} else if time.Since(nonceGone) >= s.resend {
					return Transaction{}, fmt.Errorf("nonce %d of %s was used by a transaction this sender did not send (is the key used elsewhere?)",
						nonce, s.from.Hex())
				}
				continue
			}
			nonceGone = time.Time{}
			lastSend = time.Now()
			next, err := s.replace(ctx, sent[len(sent)-1])
			if err != nil {
				s.log.Warn("ethereum: cannot replace the unmined anchor transaction; will retry",
					"tx", sent[len(sent)-1].Hash().Hex(), "err", err)
				continue
			}
			if next != nil {
				sent = append(sent, next)
			}
			continue
		}
		if rcpt.Status == nil || *rcpt.Status != 1 {
			return Transaction{}, fmt.Errorf("transaction %s failed (reverted) in block %d: is %s allowed to call the anchor contract %s?",
				rcpt.TxHash.Hex(), uint64(rcpt.BlockNumber), s.from.Hex(), s.contract.Hex())
		}
		if seen == nil || seen.BlockHash != rcpt.BlockHash {
			if seen != nil {
				s.log.Warn("ethereum: anchor transaction moved to another block (chain reorganisation)",
					"tx", rcpt.TxHash.Hex(), "from", uint64(seen.BlockNumber), "to", uint64(rcpt.BlockNumber))
			} else {
				s.log.Info("ethereum: anchor transaction mined", "tx", rcpt.TxHash.Hex(), "block", uint64(rcpt.BlockNumber))
			}
			seen = rcpt
		}
		rctx, cancel := context.WithTimeout(ctx, s.timeout)
		head, err := s.eth.BlockNumber(rctx)
		cancel()
		if err != nil {
			s.log.Warn("ethereum: cannot read the chain head; will retry", "err", err)
			continue
		}
		if head+1 < uint64(seen.BlockNumber)+s.confirms {
			continue
		}
		// Confirmed. Read the receipt again, so that a reorganisation between the first
		// read and now is noticed, and the block for its timestamp.
		again, err := s.receipt(ctx, seen.TxHash)
		if err != nil || again == nil || again.BlockHash != seen.BlockHash {
			continue // the next round sees what happened
		}
		var block *rpcBlock
		if err := call(ctx, s.rpc, s.timeout, &block, "eth_getBlockByHash", seen.BlockHash, false); err != nil || block == nil {
			continue
		}
		return Transaction{
			Hash:        seen.TxHash,
			CID:         TxHashCID(seen.TxHash),
			BlockNumber: uint64(seen.BlockNumber),
			BlockHash:   seen.BlockHash,
			BlockTime:   int64(block.Timestamp),
			TxType:      TxTypeContract,
		}, nil
	}
}

// findReceipt returns the receipt of the first of txs that is mined, or nil.
func (s *Sender) findReceipt(ctx context.Context, txs []*types.Transaction) (*rpcReceipt, error) {
	for _, tx := range txs {
		r, err := s.receipt(ctx, tx.Hash())
		if err != nil || r != nil {
			return r, err
		}
	}
	return nil, nil
}

// receipt returns the receipt of a mined transaction, or nil when there is none.
func (s *Sender) receipt(ctx context.Context, h common.Hash) (*rpcReceipt, error) {
	var r *rpcReceipt
	if err := call(ctx, s.rpc, s.timeout, &r, "eth_getTransactionReceipt", h); err != nil {
		return nil, fmt.Errorf("eth_getTransactionReceipt %s: %w", h.Hex(), err)
	}
	if r != nil && r.BlockHash == (common.Hash{}) {
		return nil, nil // some endpoints return receipts of pending transactions
	}
	return r, nil
}

// nonceUsed reports whether a transaction with nonce is mined (latest nonce > nonce).
func (s *Sender) nonceUsed(ctx context.Context, nonce uint64) (bool, error) {
	rctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	n, err := s.eth.NonceAt(rctx, s.from, nil)
	return n > nonce, err
}

// estimateGas estimates the gas of the anchor call and adds a 20% margin.
func (s *Sender) estimateGas(ctx context.Context, data []byte) (uint64, error) {
	msg := map[string]any{"from": s.from, "to": s.contract, "data": hexutil.Bytes(data)}
	var gas hexutil.Uint64
	if err := call(ctx, s.rpc, s.timeout, &gas, "eth_estimateGas", msg); err != nil {
		return 0, fmt.Errorf("eth_estimateGas for anchorDagCbor on %s from %s (is the account funded and allowed to call the contract?): %w",
			s.contract.Hex(), s.from.Hex(), err)
	}
	return uint64(gas) + uint64(gas)/5, nil
}

// replace signs and sends a replacement for prev: same nonce, gas and data, fees raised by
// 12.5% (nodes require at least 10%) or to the current suggestion if that is higher. It
// returns nil, nil when MaxFeePerGas leaves no room for a replacement.
func (s *Sender) replace(ctx context.Context, prev *types.Transaction) (*types.Transaction, error) {
	old := feesOf(prev)
	fresh, err := s.suggestFees(ctx)
	if err != nil {
		return nil, err
	}
	var next fees
	if old.price != nil {
		p := bump(old.price)
		if fresh.price != nil {
			p = maxBig(p, fresh.price)
		}
		next.price = s.capFee(p)
		if next.price.Cmp(minReplacement(old.price)) < 0 {
			s.log.Warn("ethereum: gas price is at MaxFeePerGas; cannot replace the anchor transaction",
				"tx", prev.Hash().Hex())
			return nil, nil
		}
	} else {
		tip, feeCap := bump(old.tip), bump(old.cap)
		if fresh.price == nil {
			tip, feeCap = maxBig(tip, fresh.tip), maxBig(feeCap, fresh.cap)
		}
		next.cap = s.capFee(feeCap)
		next.tip = minBig(tip, next.cap)
		if next.cap.Cmp(minReplacement(old.cap)) < 0 || next.tip.Cmp(minReplacement(old.tip)) < 0 {
			s.log.Warn("ethereum: fee cap is at MaxFeePerGas; cannot replace the anchor transaction",
				"tx", prev.Hash().Hex())
			return nil, nil
		}
	}
	tx, err := s.sign(prev.Nonce(), prev.Gas(), prev.Data(), next)
	if err != nil {
		return nil, err
	}
	if err := s.sendTx(ctx, tx); err != nil {
		return nil, fmt.Errorf("eth_sendRawTransaction %s: %w", tx.Hash().Hex(), err)
	}
	s.log.Info("ethereum: anchor transaction replaced with higher fees", "old", prev.Hash().Hex(),
		"new", tx.Hash().Hex(), "nonce", tx.Nonce())
	return tx, nil
}

// sign builds and signs the anchor transaction.
func (s *Sender) sign(nonce, gas uint64, data []byte, f fees) (*types.Transaction, error) {
	to := s.contract
	var txdata types.TxData
	if f.price != nil {
		txdata = &types.LegacyTx{Nonce: nonce, GasPrice: f.price, Gas: gas, To: &to, Data: data}
	} else {
		txdata = &types.DynamicFeeTx{ChainID: s.chainID, Nonce: nonce, GasTipCap: f.tip, GasFeeCap: f.cap,
			Gas: gas, To: &to, Data: data}
	}
	tx, err := types.SignNewTx(s.key, s.signer, txdata)
	if err != nil {
		return nil, fmt.Errorf("signing the transaction: %w", err)
	}
	return tx, nil
}

// sendTx submits a signed transaction.
func (s *Sender) sendTx(ctx context.Context, tx *types.Transaction) error {
	rctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return s.eth.SendTransaction(rctx, tx)
}
