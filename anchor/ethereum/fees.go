package ethereum

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/core/types"
)

// fees are the fee fields of a transaction: tip and cap for an EIP-1559 transaction, or
// price for a legacy one.
type fees struct {
	tip, cap *big.Int // EIP-1559
	price    *big.Int // legacy; nil for EIP-1559
}

// feesOf returns the fees of a signed transaction.
func feesOf(tx *types.Transaction) fees {
	if tx.Type() == types.LegacyTxType {
		return fees{price: tx.GasPrice()}
	}
	return fees{tip: tx.GasTipCap(), cap: tx.GasFeeCap()}
}

// suggestFees returns current fees: EIP-1559 (cap = 2 × base fee + tip) when the latest
// block has a base fee, legacy (eth_gasPrice) otherwise; capped by MaxFeePerGas.
func (s *Sender) suggestFees(ctx context.Context) (fees, error) {
	var head *rpcBlock
	if err := call(ctx, s.rpc, s.timeout, &head, "eth_getBlockByNumber", "latest", false); err != nil {
		return fees{}, fmt.Errorf("reading the latest block: %w", err)
	}
	if head == nil {
		return fees{}, errors.New("reading the latest block: endpoint returned none")
	}
	rctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if head.BaseFee == nil {
		price, err := s.eth.SuggestGasPrice(rctx)
		if err != nil {
			return fees{}, fmt.Errorf("eth_gasPrice: %w", err)
		}
		return fees{price: s.capFee(price)}, nil
	}
	base := head.BaseFee.ToInt()
	tip, err := s.eth.SuggestGasTipCap(rctx)
	if err != nil {
		// Some endpoints lack eth_maxPriorityFeePerGas: derive the tip from the gas price.
		price, err2 := s.eth.SuggestGasPrice(rctx)
		if err2 != nil {
			return fees{}, fmt.Errorf("eth_maxPriorityFeePerGas: %w", err)
		}
		tip = new(big.Int).Sub(price, base)
		if tip.Sign() <= 0 {
			tip = big.NewInt(1_000_000_000) // 1 gwei
		}
	}
	feeCap := new(big.Int).Add(new(big.Int).Mul(base, big.NewInt(2)), tip)
	feeCap = s.capFee(feeCap)
	return fees{tip: minBig(tip, feeCap), cap: feeCap}, nil
}

// capFee limits a fee per gas to MaxFeePerGas.
func (s *Sender) capFee(x *big.Int) *big.Int {
	if s.maxFee != nil && x.Cmp(s.maxFee) > 0 {
		return new(big.Int).Set(s.maxFee)
	}
	return x
}

// bump raises x by 12.5% plus one.
func bump(x *big.Int) *big.Int {
	y := new(big.Int).Mul(x, big.NewInt(9))
	y.Div(y, big.NewInt(8))
	return y.Add(y, big.NewInt(1))
}

// minReplacement is the smallest fee a node accepts to replace one of x: x + 10%.
func minReplacement(x *big.Int) *big.Int {
	y := new(big.Int).Mul(x, big.NewInt(110))
	return y.Div(y, big.NewInt(100))
}

func maxBig(a, b *big.Int) *big.Int {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}

func minBig(a, b *big.Int) *big.Int {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}
