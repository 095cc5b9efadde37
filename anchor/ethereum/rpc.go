package ethereum

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/goceramic/ceramic/streams"
)

// defaultRequestTimeout bounds each JSON-RPC request when no timeout is configured.
const defaultRequestTimeout = 30 * time.Second

// rpcTx is the part of an eth_getTransactionByHash result the validator needs. Decoding
// only these fields keeps transactions of types go-ethereum does not know (from other
// chains) readable.
type rpcTx struct {
	Hash        common.Hash     `json:"hash"`
	BlockHash   *common.Hash    `json:"blockHash"`
	BlockNumber *hexutil.Uint64 `json:"blockNumber"`
	To          *common.Address `json:"to"`
	Input       hexutil.Bytes   `json:"input"`
	Data        hexutil.Bytes   `json:"data"` // some old nodes name the input "data"
}

// input returns the transaction's input data.
func (t *rpcTx) input() []byte {
	if len(t.Input) == 0 {
		return t.Data
	}
	return t.Input
}

// rpcBlock is the part of an eth_getBlockBy{Hash,Number}(…, false) result this package
// needs.
type rpcBlock struct {
	Hash      common.Hash    `json:"hash"`
	Number    hexutil.Uint64 `json:"number"`
	Timestamp hexutil.Uint64 `json:"timestamp"`
	BaseFee   *hexutil.Big   `json:"baseFeePerGas"`
}

// rpcReceipt is the part of an eth_getTransactionReceipt result the sender needs.
type rpcReceipt struct {
	TxHash      common.Hash     `json:"transactionHash"`
	BlockHash   common.Hash     `json:"blockHash"`
	BlockNumber hexutil.Uint64  `json:"blockNumber"`
	Status      *hexutil.Uint64 `json:"status"`
	GasUsed     hexutil.Uint64  `json:"gasUsed"`
}

// call makes one JSON-RPC request bounded by timeout. A null result leaves result unchanged
// (so a pointer result stays nil).
func call(ctx context.Context, c *rpc.Client, timeout time.Duration, result any, method string, args ...any) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	return c.CallContext(ctx, result, method, args...)
}

// chainIDOf asks an endpoint for its chain id (eth_chainId).
func chainIDOf(ctx context.Context, c *rpc.Client, timeout time.Duration) (int64, error) {
	var id hexutil.Big
	if err := call(ctx, c, timeout, &id, "eth_chainId"); err != nil {
		return 0, err
	}
	n := id.ToInt()
	if n.Sign() <= 0 || !n.IsInt64() {
		return 0, fmt.Errorf("eth_chainId returned %s, not a usable chain id", n)
	}
	return n.Int64(), nil
}

// ChainIDOf dials the JSON-RPC endpoint at url and returns its chain id (eth_chainId). A
// node uses it at startup to check that its Ethereum endpoint serves the chain its anchor
// service uses.
func ChainIDOf(ctx context.Context, url string) (int64, error) {
	c, err := rpc.DialContext(ctx, url)
	if err != nil {
		return 0, fmt.Errorf("ethereum: cannot use RPC endpoint %s: %w", redactURL(url), err)
	}
	defer c.Close()
	id, err := chainIDOf(ctx, c, defaultRequestTimeout)
	if err != nil {
		return 0, fmt.Errorf("ethereum: eth_chainId on %s: %w", redactURL(url), err)
	}
	return id, nil
}

// unavailableError says that a proof could not be checked for now. It wraps
// streams.ErrProofUnavailable and, when there is one, the underlying error.
type unavailableError struct {
	msg string
	err error
}

func (e *unavailableError) Error() string {
	if e.err == nil {
		return e.msg
	}
	return e.msg + ": " + e.err.Error()
}

func (e *unavailableError) Unwrap() []error {
	if e.err == nil {
		return []error{streams.ErrProofUnavailable}
	}
	return []error{streams.ErrProofUnavailable, e.err}
}

// unavailable returns an error wrapping streams.ErrProofUnavailable and err (may be nil).
func unavailable(err error, format string, args ...any) error {
	return &unavailableError{msg: fmt.Sprintf(format, args...), err: err}
}

// redactURL renders an endpoint URL for messages and logs without the parts that often
// hold credentials (user info, path, query): hosted RPC URLs carry API keys there.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(unparsable URL)"
	}
	s := u.Scheme + "://" + u.Host
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		s += "/…"
	}
	return s
}
