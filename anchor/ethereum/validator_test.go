package ethereum

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/anchor/ethereum/ethtest"
	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/codec"
)

// newAnchoredChain returns a test chain with one contract anchor, made by a Sender, in a
// block after the eip155:1337 threshold, with a proxy in front of the chain, the anchor
// transaction and its proof.
func newAnchoredChain(t *testing.T) (*ethtest.Chain, *ethtest.Proxy, Transaction, *codec.AnchorProof) {
	t.Helper()
	c := ethtest.NewChain(t)
	c.Commit() // block 1 stays empty: anchors below are past the threshold (1)
	c.AutoMine(10 * time.Millisecond)
	s := newTestSender(t, c, c.URL, SenderConfig{})
	root := testRoot(t, t.Name())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tx, err := s.Anchor(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	if tx.BlockNumber <= 1 {
		t.Fatalf("anchor in block %d, want > 1", tx.BlockNumber)
	}
	return c, ethtest.NewProxy(t, c.URL), tx, contractProof(tx, root)
}

func TestValidatorAcceptsSenderAnchor(t *testing.T) {
	c, proxy, tx, proof := newAnchoredChain(t)
	v := newTestValidator(t, ValidatorConfig{Chain: "eip155:1337", Endpoints: map[string]string{"eip155:1337": proxy.URL}})
	ctx := context.Background()
	ts, err := v.ValidateChainInclusion(ctx, proof)
	if err != nil {
		t.Fatal(err)
	}
	if ts != tx.BlockTime || ts == 0 {
		t.Fatalf("timestamp %d, want block time %d", ts, tx.BlockTime)
	}
	blk, err := c.Client().HeaderByNumber(ctx, new(big.Int).SetUint64(tx.BlockNumber))
	if err != nil {
		t.Fatal(err)
	}
	if uint64(ts) != blk.Time || blk.Hash() != tx.BlockHash {
		t.Fatalf("timestamp %d, block %s; chain has %d, %s", ts, tx.BlockHash.Hex(), blk.Time, blk.Hash().Hex())
	}
	first := proxy.Count("")
	if first == 0 {
		t.Fatal("the validator made no requests through the proxy")
	}
	for _, m := range []string{"eth_chainId", "eth_getTransactionByHash", "eth_getBlockByHash"} {
		if proxy.Count(m) != 1 {
			t.Errorf("%s requested %d times, want 1", m, proxy.Count(m))
		}
	}

	// Cached: the same proof again makes no request.
	ts2, err := v.ValidateChainInclusion(ctx, proof)
	if err != nil || ts2 != ts {
		t.Fatalf("second validation: %d, %v", ts2, err)
	}
	if n := proxy.Count(""); n != first {
		t.Fatalf("second validation made %d new requests, want 0", n-first)
	}

	// A proof whose root has another codec but the same digest names the same root.
	other := *proof
	other.Root = rawCodec(proof.Root)
	if _, err := v.ValidateChainInclusion(ctx, &other); err != nil {
		t.Fatalf("codec-agnostic root: %v", err)
	}

	// A read-only node (no chain of its own) accepts contract anchors on any eip155 chain
	// it has an endpoint for.
	ro := newTestValidator(t, ValidatorConfig{Endpoints: map[string]string{"eip155:1337": c.URL}})
	if got, err := ro.ValidateChainInclusion(ctx, proof); err != nil || got != ts {
		t.Fatalf("read-only validator: %d, %v", got, err)
	}
}

func TestValidatorRejects(t *testing.T) {
	c, _, tx, proof := newAnchoredChain(t)
	v := newTestValidator(t, ValidatorConfig{Chain: "eip155:1337", Endpoints: map[string]string{"eip155:1337": c.URL}})
	ctx := context.Background()

	// A transaction with valid calldata, to another address, after the threshold.
	calldata, _ := Calldata(proof.Root)
	elsewhere := common.HexToAddress("0x000000000000000000000000000000000000dEaD")
	strayHash := c.Send(elsewhere, calldata)
	// A legacy-format transaction after the threshold.
	legacyRoot := testRoot(t, "legacy after threshold")
	legacyHash := c.Send(c.OtherAddr, append([]byte{0x0f}, legacyRoot.Bytes()...))
	c.WaitMined(strayHash, legacyHash)

	tampered := *proof
	tampered.Root = testRoot(t, "some other root")
	stray := *proof
	stray.TxHash = TxHashCID(strayHash)
	wrongChain := *proof
	wrongChain.ChainID = "eip155:5"
	unknown := *proof
	unknown.TxHash = TxHashCID(common.HexToHash("0x1234"))
	legacy := &codec.AnchorProof{ChainID: "eip155:1337", TxHash: TxHashCID(legacyHash), Root: legacyRoot}
	legacyTyped := *proof
	legacyTyped.TxType = ""
	notEIP155 := *proof
	notEIP155.ChainID = "inmemory:12345"

	for _, tc := range []struct {
		name  string
		proof *codec.AnchorProof
		want  string
	}{
		{"tampered root", &tampered, fmt.Sprintf("anchors root %s, not the proof's root %s", proof.Root, tampered.Root)},
		{"other address", &stray, "was sent to 0x000000000000000000000000000000000000dEaD, not to the anchor contract 0x231055A0852D67C7107Ad0d0DFeab60278fE6AdC"},
		{"other chain", &wrongChain, "anchor proof is for chain eip155:5 but this node anchors on eip155:1337"},
		{"unknown tx", &unknown, "transaction 0x0000000000000000000000000000000000000000000000000000000000001234 not found on eip155:1337"},
		{"legacy after threshold", legacy, "after the last block that accepts legacy anchors"},
		{"contract tx read as legacy", &legacyTyped, "does not anchor a root"},
		{"not eip155", &notEIP155, `chain "inmemory:12345" is not supported`},
		{"nil proof", nil, "missing"},
	} {
		ts, err := v.ValidateChainInclusion(ctx, tc.proof)
		if err == nil {
			t.Errorf("%s: accepted (timestamp %d)", tc.name, ts)
			continue
		}
		if errors.Is(err, streams.ErrProofUnavailable) {
			t.Errorf("%s: %v is 'unavailable', want invalid", tc.name, err)
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q does not say %q", tc.name, err, tc.want)
		}
	}
	// The genuine proof still passes.
	if got, err := v.ValidateChainInclusion(ctx, proof); err != nil || got != tx.BlockTime {
		t.Fatalf("genuine proof: %d, %v", got, err)
	}
}

// TestValidatorLegacyThreshold puts legacy anchors (raw data 0x0f + CID to self, as the
// CAS did) in block 1, the eip155:1337 threshold, and block 2.
func TestValidatorLegacyThreshold(t *testing.T) {
	c := ethtest.NewChain(t)
	ctx := context.Background()
	root1 := testRoot(t, "legacy in block 1")
	h1 := c.Send(c.OtherAddr, append([]byte{0x0f}, root1.Bytes()...))
	if n := c.Commit(); n != 1 {
		t.Fatalf("mined block %d, want 1", n)
	}
	root2 := testRoot(t, "legacy in block 2")
	h2 := c.Send(c.OtherAddr, append([]byte{0x0f}, root2.Bytes()...))
	if n := c.Commit(); n != 2 {
		t.Fatalf("mined block %d, want 2", n)
	}
	p1 := &codec.AnchorProof{ChainID: "eip155:1337", TxHash: TxHashCID(h1), Root: root1}
	p2 := &codec.AnchorProof{ChainID: "eip155:1337", TxHash: TxHashCID(h2), Root: root2}
	eps := map[string]string{"eip155:1337": c.URL}

	v := newTestValidator(t, ValidatorConfig{Chain: "eip155:1337", Endpoints: eps})
	ts, err := v.ValidateChainInclusion(ctx, p1)
	if err != nil {
		t.Fatalf("legacy anchor in block 1: %v", err)
	}
	blk, err := c.Client().HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ts <= 0 || uint64(ts) > blk.Time {
		t.Fatalf("timestamp %d, head time %d", ts, blk.Time)
	}
	if _, err := v.ValidateChainInclusion(ctx, p2); err == nil || !strings.Contains(err.Error(), "legacy") {
		t.Fatalf("legacy anchor in block 2: %v, want rejected", err)
	}
	// A legacy proof claiming the wrong root.
	bad := *p1
	bad.Root = root2
	if _, err := v.ValidateChainInclusion(ctx, &bad); err == nil || !strings.Contains(err.Error(), "not the proof's root") {
		t.Fatalf("legacy anchor with another root: %v", err)
	}

	// A read-only node applies no threshold (js-ceramic quirk): legacy anchors always fail.
	ro := newTestValidator(t, ValidatorConfig{Endpoints: eps})
	if _, err := ro.ValidateChainInclusion(ctx, p1); err == nil {
		t.Fatal("read-only validator accepted a legacy anchor")
	}

	// A custom threshold table moves the limit.
	custom := newTestValidator(t, ValidatorConfig{Chain: "eip155:1337", Endpoints: eps,
		Thresholds: map[string]uint64{"eip155:1337": 2}})
	if _, err := custom.ValidateChainInclusion(ctx, p2); err != nil {
		t.Fatalf("legacy anchor in block 2 with threshold 2: %v", err)
	}
	none := newTestValidator(t, ValidatorConfig{Chain: "eip155:1337", Endpoints: eps, Thresholds: map[string]uint64{}})
	if _, err := none.ValidateChainInclusion(ctx, p1); err == nil {
		t.Fatal("legacy anchor accepted without a threshold")
	}
}

// TestValidatorPendingTransaction: a transaction not yet mined cannot be checked now, and
// is not cached as such.
func TestValidatorPendingTransaction(t *testing.T) {
	c := ethtest.NewChain(t)
	c.Commit()
	ctx := context.Background()
	root := testRoot(t, "pending")
	data, _ := Calldata(root)
	h := c.Send(ContractAddress, data)
	p := &codec.AnchorProof{ChainID: "eip155:1337", TxHash: TxHashCID(h), Root: root, TxType: TxTypeContract}
	v := newTestValidator(t, ValidatorConfig{Chain: "eip155:1337", Endpoints: map[string]string{"eip155:1337": c.URL}})
	_, err := v.ValidateChainInclusion(ctx, p)
	if !errors.Is(err, streams.ErrProofUnavailable) || !strings.Contains(err.Error(), "not mined yet") {
		t.Fatalf("pending transaction: %v, want unavailable", err)
	}
	c.Commit()
	if _, err := v.ValidateChainInclusion(ctx, p); err != nil {
		t.Fatalf("after mining: %v", err)
	}
}

func TestValidatorConfigurationProblems(t *testing.T) {
	c := ethtest.NewChain(t)
	c.Commit()
	ctx := context.Background()
	root := testRoot(t, "config")
	data, _ := Calldata(root)
	h := c.Send(ContractAddress, data)
	c.Commit()
	proof := &codec.AnchorProof{ChainID: "eip155:1337", TxHash: TxHashCID(h), Root: root, TxType: TxTypeContract}

	// No endpoint for the proof's chain.
	v := newTestValidator(t, ValidatorConfig{Endpoints: map[string]string{"eip155:1": c.URL}})
	_, err := v.ValidateChainInclusion(ctx, proof)
	if !errors.Is(err, streams.ErrProofUnavailable) || !strings.Contains(err.Error(), "anchor.ethereum-rpc-url") {
		t.Fatalf("no endpoint: %v", err)
	}

	// The endpoint configured for eip155:5 serves eip155:1337: a configuration problem,
	// not an invalid proof; asked once.
	proxy := ethtest.NewProxy(t, c.URL)
	v = newTestValidator(t, ValidatorConfig{Endpoints: map[string]string{"eip155:5": proxy.URL}})
	wrong := *proof
	wrong.ChainID = "eip155:5"
	for range 2 {
		_, err = v.ValidateChainInclusion(ctx, &wrong)
		if !errors.Is(err, streams.ErrProofUnavailable) || !strings.Contains(err.Error(), "serves eip155:1337, not eip155:5") {
			t.Fatalf("wrong endpoint: %v", err)
		}
	}
	if n := proxy.Count(""); n != 1 {
		t.Fatalf("wrong endpoint: %d requests, want 1 (eth_chainId)", n)
	}

	// Bad configurations are refused up front.
	for _, cfg := range []ValidatorConfig{
		{Chain: "inmemory:12345"},
		{Chain: "eip155:x"},
		{Endpoints: map[string]string{"mainnet": c.URL}},
		{Endpoints: map[string]string{"eip155:1": ""}},
	} {
		if _, err := NewValidator(cfg); err == nil {
			t.Errorf("NewValidator(%+v) succeeded", cfg)
		}
	}

	// After Close, proofs cannot be checked.
	v = newTestValidator(t, ValidatorConfig{Endpoints: map[string]string{"eip155:1337": c.URL}})
	v.Close()
	if _, err := v.ValidateChainInclusion(ctx, proof); !errors.Is(err, streams.ErrProofUnavailable) {
		t.Fatalf("closed validator: %v", err)
	}
}

func TestValidatorRPCDown(t *testing.T) {
	ctx := context.Background()
	root := testRoot(t, "down")
	proof := &codec.AnchorProof{ChainID: "eip155:1337", TxHash: TxHashCID(common.HexToHash("0xabcd")), Root: root, TxType: TxTypeContract}
	closed := fmt.Sprintf("http://127.0.0.1:%d", ethtest.FreePort(t))
	v := newTestValidator(t, ValidatorConfig{Chain: "eip155:1337", Endpoints: map[string]string{"eip155:1337": closed},
		RequestTimeout: 2 * time.Second})
	for range 2 { // failures are not cached
		if _, err := v.ValidateChainInclusion(ctx, proof); !errors.Is(err, streams.ErrProofUnavailable) {
			t.Fatalf("closed port: %v, want unavailable", err)
		}
	}

	// An endpoint that accepts connections and drops them.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			conn.Close()
		}
	}()
	v = newTestValidator(t, ValidatorConfig{Chain: "eip155:1337", Endpoints: map[string]string{"eip155:1337": "http://" + l.Addr().String()}})
	if _, err := v.ValidateChainInclusion(ctx, proof); !errors.Is(err, streams.ErrProofUnavailable) {
		t.Fatalf("dropped connection: %v, want unavailable", err)
	}

	// A timeout.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body) // then the server notices when the client hangs up
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	v = newTestValidator(t, ValidatorConfig{Chain: "eip155:1337", Endpoints: map[string]string{"eip155:1337": slow.URL},
		RequestTimeout: 50 * time.Millisecond})
	_, err = v.ValidateChainInclusion(ctx, proof)
	if !errors.Is(err, streams.ErrProofUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("timeout: %v, want unavailable (deadline exceeded)", err)
	}
}

// fakeRPC is a JSON-RPC server that answers eth_chainId with 1337 and every other method
// with handler's answer.
func fakeRPC(t *testing.T, handler func(method string, w http.ResponseWriter) bool) (string, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var req ethtest.Call
		var id struct {
			ID any `json:"id"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &req)
		_ = json.Unmarshal(body, &id)
		w.Header().Set("Content-Type", "application/json")
		if req.Method == "eth_chainId" {
			fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%v,"result":"0x539"}`, jsonString(id.ID))
			return
		}
		if !handler(req.Method, w) {
			fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%v,"result":null}`, jsonString(id.ID))
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &calls
}

func TestValidatorEndpointFailures(t *testing.T) {
	ctx := context.Background()
	root := testRoot(t, "failures")
	data, _ := Calldata(root)
	proof := &codec.AnchorProof{ChainID: "eip155:1337", TxHash: TxHashCID(common.HexToHash("0xabcd")), Root: root, TxType: TxTypeContract}
	blockHash := "0x" + strings.Repeat("11", 32)
	minedTx := fmt.Sprintf(`{"hash":"0x%064x","blockHash":"%s","blockNumber":"0x10","to":"%s","input":"0x%x"}`,
		0xabcd, blockHash, ContractAddress.Hex(), data)

	for _, tc := range []struct {
		name        string
		handler     func(method string, w http.ResponseWriter) bool
		unavailable bool
		want        string
	}{
		{"HTTP 500", func(_ string, w http.ResponseWriter) bool {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return true
		}, true, "500"},
		{"HTTP 503", func(_ string, w http.ResponseWriter) bool {
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}, true, "503"},
		{"HTTP 429", func(_ string, w http.ResponseWriter) bool {
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}, true, "429"},
		{"JSON-RPC rate limit", func(_ string, w http.ResponseWriter) bool {
			fmt.Fprint(w, `{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"limit exceeded"}}`)
			return true
		}, true, "limit exceeded"},
		{"garbage", func(_ string, w http.ResponseWriter) bool {
			fmt.Fprint(w, `<html>bad gateway</html>`)
			return true
		}, true, ""},
		{"missing block", func(method string, w http.ResponseWriter) bool {
			if method == "eth_getTransactionByHash" {
				fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"result":%s}`, minedTx)
				return true
			}
			return false
		}, false, "block " + blockHash + " (number 16) of transaction"},
		{"unknown transaction type", func(method string, w http.ResponseWriter) bool {
			switch method {
			case "eth_getTransactionByHash":
				// A type go-ethereum does not know, with extra fields: still readable.
				tx := strings.Replace(minedTx, `{`, `{"type":"0x7e","sourceHash":"0x01","mint":"0x0",`, 1)
				fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"result":%s}`, tx)
			case "eth_getBlockByHash":
				fmt.Fprintf(w, `{"jsonrpc":"2.0","id":1,"result":{"hash":"%s","number":"0x10","timestamp":"0x65b2a000"}}`, blockHash)
			default:
				return false
			}
			return true
		}, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, calls := fakeRPC(t, tc.handler)
			v := newTestValidator(t, ValidatorConfig{Chain: "eip155:1337", Endpoints: map[string]string{"eip155:1337": url}})
			ts, err := v.ValidateChainInclusion(ctx, proof)
			if tc.name == "unknown transaction type" {
				if err != nil || ts != 0x65b2a000 {
					t.Fatalf("got %d, %v", ts, err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if got := errors.Is(err, streams.ErrProofUnavailable); got != tc.unavailable {
				t.Fatalf("%v: unavailable = %v, want %v", err, got, tc.unavailable)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
			// Nothing was cached: the next attempt asks again.
			before := calls.Load()
			_, _ = v.ValidateChainInclusion(ctx, proof)
			if calls.Load() == before {
				t.Fatal("a failed fetch was cached")
			}
		})
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// rawCodec returns c with the raw codec: the same multihash under another codec.
func rawCodec(c cid.Cid) cid.Cid { return cid.NewCidV1(cid.Raw, c.Hash()) }
