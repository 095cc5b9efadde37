//go:build integration

package integration

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/anchor/ethereum"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamstest"
)

var casAddrRe = regexp.MustCompile(`msg="Anchor service API listening".* addr=(\S+)`)

// anchorKey makes a fresh account key, funds it from geth's developer account and returns it
// as hex.
func anchorKey(t *testing.T, g *geth) string {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	g.send(t, crypto.PubkeyToAddress(key.PublicKey).Hex(), "0xde0b6b3a7640000", "") // 1 ether
	return hex.EncodeToString(crypto.FromECDSA(key))
}

// startCAS runs `ceramic anchor-service` against geth and returns its URL.
func startCAS(t *testing.T, home, rpcURL, key string, interval int) (*daemon, string) {
	t.Helper()
	writeConfig(t, home, map[string]any{
		"network": map[string]any{"name": "local"},
		"anchor-service": map[string]any{
			"ethereum-rpc-url": rpcURL, "interval-seconds": interval, "confirmations": 2,
			"hostname": "127.0.0.1", "port": 0,
		},
		"state-store": map[string]any{"mode": "fs"},
	})
	d := startCommand(t, home, []string{"CERAMIC_ANCHOR_SERVICE_PRIVATE_KEY=" + key}, "anchor-service")
	return d, "http://" + d.waitLog(casAddrRe, 60*time.Second)[1]
}

// anchoredNodeConfig is a loopback node that anchors through casURL and verifies on rpcURL.
func anchoredNodeConfig(topic string, bootstrap []string, casURL, rpcURL string) map[string]any {
	cfg := nodeConfig(topic, bootstrap)
	cfg["anchor"] = map[string]any{"anchor-service-url": casURL, "ethereum-rpc-url": rpcURL}
	return cfg
}

// waitStatus polls a stream until its anchorStatus is want and returns the state.
func waitStatus(t *testing.T, c *streamClient, id, want string, timeout time.Duration) map[string]any {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last map[string]any
	for time.Now().Before(deadline) {
		resp, _, err := c.get(context.Background(), "/api/v0/streams/"+id)
		if err == nil {
			last, _ = resp["state"].(map[string]any)
			if last["anchorStatus"] == want {
				return last
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("stream %s did not become %s within %s; last state: %v", id, want, timeout, last)
	return nil
}

// putBlock stores a dag-cbor block in a node's IPFS through its kubo RPC API.
func putBlock(t *testing.T, rpcAddr string, b codec.Block) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("data", "data")
	fw.Write(b.Data)
	mw.Close()
	resp, err := http.Post("http://"+rpcAddr+"/api/v0/block/put?cid-codec=dag-cbor&mhtype=sha2-256&pin=false", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("block/put answered %d", resp.StatusCode)
	}
}

func cborBlock(t *testing.T, v any) codec.Block {
	t.Helper()
	data, err := codec.EncodeDagCBOR(v)
	if err != nil {
		t.Fatal(err)
	}
	return codec.NewBlock(codec.DagCBOR, data)
}

// TestAnchoringOnGeth: a stream created on node A is anchored by the standalone anchor service
// on a real geth --dev chain; node B verifies the same anchor against geth on its own;
// tampered proofs, a transaction to another contract, another chain and a missing transaction
// are rejected; and a request pending while node A is killed completes after its restart.
// It logs the anchor latency and the number of anchor service and RPC requests.
func TestAnchoringOnGeth(t *testing.T) {
	g := startGeth(t)
	key := anchorKey(t, g)
	casHome := t.TempDir()
	cas, casURL := startCAS(t, casHome, g.url, key, 2)
	casCount := countingProxy(t, casURL)
	rpcA := countingProxy(t, g.url)
	rpcB := countingProxy(t, g.url)

	topic := fmt.Sprintf("/ceramic/local-anchor-%d", time.Now().UnixNano())
	homeA, homeB := t.TempDir(), t.TempDir()
	writeConfig(t, homeA, anchoredNodeConfig(topic, nil, casCount.URL, rpcA.URL))
	a := startDaemon(t, homeA, nil)
	ca := &streamClient{base: "http://" + a.waitHealthy(), http: http.DefaultClient}
	addrA := a.waitLog(wsAddrRe, 10*time.Second)[1]
	writeConfig(t, homeB, anchoredNodeConfig(topic, []string{addrA}, casURL, rpcB.URL))
	b := startDaemon(t, homeB, nil)
	cb := &streamClient{base: "http://" + b.waitHealthy(), http: http.DefaultClient}
	rpcAddrB := b.waitLog(rpcAddrRe, 10*time.Second)[1]
	ctx := context.Background()

	chains, _, err := ca.get(ctx, "/api/v0/node/chains")
	if err != nil || fmt.Sprint(chains["supportedChains"]) != "[eip155:1337]" {
		t.Fatalf("node/chains = %v, %v", chains, err)
	}

	// Create on A → ANCHORED, with a proof whose transaction is on geth.
	signer := streamstest.NewSigner(nil)
	genesis, err := signer.Genesis(map[string]any{"hello": "anchor"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	resp, _, err := ca.post(ctx, "/api/v0/streams", map[string]any{"type": 0, "genesis": genesis})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := resp["streamId"].(string)
	if st, _ := resp["state"].(map[string]any); st["anchorStatus"] != "PENDING" {
		t.Fatalf("status after create = %v, want PENDING", st["anchorStatus"])
	}
	st := waitStatus(t, ca, id, "ANCHORED", 90*time.Second)
	latency := time.Since(start)
	proof, _ := st["anchorProof"].(map[string]any)
	if proof["chainId"] != "eip155:1337" {
		t.Fatalf("anchorProof = %v", proof)
	}
	txCID, err := cid.Decode(fmt.Sprint(proof["txHash"]))
	if err != nil {
		t.Fatal(err)
	}
	txHash, _ := ethereum.TxHashFromCID(txCID)
	var tx map[string]any
	if err := g.call("eth_getTransactionByHash", &tx, txHash.Hex()); err != nil || tx == nil {
		t.Fatalf("anchor transaction %s is not on geth: %v", txHash.Hex(), err)
	}
	if !strings.EqualFold(fmt.Sprint(tx["to"]), ethereum.ContractAddress.Hex()) {
		t.Fatalf("anchor transaction went to %v", tx["to"])
	}
	log, _ := st["log"].([]any)
	if len(log) != 2 {
		t.Fatalf("log = %v", log)
	}
	anchorEntry, _ := log[1].(map[string]any)
	if anchorEntry["type"] != 2.0 || anchorEntry["timestamp"] == nil {
		t.Fatalf("anchor log entry = %v", anchorEntry)
	}
	t.Logf("Ethereum mode: create → ANCHORED in %s (anchor service batch interval 2 s, 2 confirmations at 1 block/s)", latency.Round(10*time.Millisecond))
	t.Logf("anchor service requests for one anchored stream: %v", casCount.counts())
	t.Logf("node A JSON-RPC requests for one anchored stream: %v", rpcA.counts())

	// B learns the stream and its anchor commit, and verifies the proof against geth itself.
	if _, _, err := cb.post(ctx, "/api/v0/streams", map[string]any{"type": 0, "genesis": genesis, "opts": map[string]any{"anchor": false}}); err != nil {
		t.Fatal(err)
	}
	commits, _, err := ca.get(ctx, "/api/v0/commits/"+id)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := commits["commits"].([]any)
	anchorCommit, _ := list[1].(map[string]any)
	resp, _, err = cb.post(ctx, "/api/v0/commits", map[string]any{"streamId": id, "commit": anchorCommit["value"], "opts": map[string]any{"anchor": false}})
	if err != nil {
		t.Fatalf("node B refused the anchor commit: %v", err)
	}
	if stB, _ := resp["state"].(map[string]any); stB["anchorStatus"] != "ANCHORED" || fmt.Sprint(stB["anchorProof"]) != fmt.Sprint(proof) {
		t.Fatalf("node B state = %v", stB)
	}
	t.Logf("node B JSON-RPC requests to verify one anchor: %v", rpcB.counts())

	t.Run("bad proofs are rejected", func(t *testing.T) {
		// A stream only B knows, never anchored.
		g2, _ := signer.Genesis(map[string]any{"hello": "tamper"}, nil)
		resp, _, err := cb.post(ctx, "/api/v0/streams", map[string]any{"type": 0, "genesis": g2, "opts": map[string]any{"anchor": false}})
		if err != nil {
			t.Fatal(err)
		}
		id2, _ := resp["streamId"].(string)
		genesisCID, _ := cid.Decode(tipOf(resp))
		// A one-leaf Merkle tree over the genesis: the anchor commits below have path "0".
		root := cborBlock(t, []any{genesisCID, nil})
		putBlock(t, rpcAddrB, root)
		calldata, err := ethereum.Calldata(root.CID)
		if err != nil {
			t.Fatal(err)
		}
		realTx := txCID
		otherAddress := "0x000000000000000000000000000000000000dEaD"
		toOther := ethereum.TxHashCID(hashOf(t, g.send(t, otherAddress, "0x0", "0x"+hex.EncodeToString(calldata))))
		toContract := ethereum.TxHashCID(hashOf(t, g.send(t, ethereum.ContractAddress.Hex(), "0x0", "0x"+hex.EncodeToString(calldata))))
		missing := ethereum.TxHashCID(hashOf(t, "0x"+strings.Repeat("ab", 32)))
		try := func(chainID string, txHash cid.Cid) (int, string) {
			p := cborBlock(t, map[string]any{"chainId": chainID, "txHash": txHash, "root": root.CID, "txType": "f(bytes32)"})
			putBlock(t, rpcAddrB, p)
			commit := map[string]any{"id": genesisCID.String(), "prev": genesisCID.String(), "proof": p.CID.String(), "path": "0"}
			out, status, err := cb.post(ctx, "/api/v0/commits", map[string]any{"streamId": id2, "commit": commit, "opts": map[string]any{"anchor": false}})
			if err != nil {
				return status, fmt.Sprint(out["error"])
			}
			st, _ := out["state"].(map[string]any)
			return status, fmt.Sprint(st["anchorStatus"])
		}
		for _, c := range []struct {
			name, chain string
			tx          cid.Cid
			want        string
		}{
			{"tampered proof (the transaction anchors another root)", "eip155:1337", realTx, "root"},
			{"transaction to another contract", "eip155:1337", toOther, "contract"},
			{"another chain", "eip155:5", toContract, "eip155:5"},
			{"missing transaction", "eip155:1337", missing, "not found"},
		} {
			status, msg := try(c.chain, c.tx)
			if status/100 != 4 || !strings.Contains(msg, c.want) {
				t.Errorf("%s: status %d, %q; want a 4xx naming %q", c.name, status, msg, c.want)
			}
			after, _, _ := cb.get(ctx, "/api/v0/streams/"+id2)
			if st, _ := after["state"].(map[string]any); st["anchorStatus"] != "NOT_REQUESTED" || len(st["log"].([]any)) != 1 {
				t.Errorf("%s: the stream changed: %v", c.name, st)
			}
		}
		// The same commit with a transaction to the contract is accepted: the rejections
		// above are due to what was tampered with.
		if status, got := try("eip155:1337", toContract); status != 200 || got != "ANCHORED" {
			t.Errorf("valid proof: status %d, %s", status, got)
		}
	})

	t.Run("a pending anchor survives kill -9", func(t *testing.T) {
		g3, _ := signer.Genesis(map[string]any{"hello": "restart"}, nil)
		resp, _, err := ca.post(ctx, "/api/v0/streams", map[string]any{"type": 0, "genesis": g3})
		if err != nil {
			t.Fatal(err)
		}
		id3, _ := resp["streamId"].(string)
		tip := tipOf(resp)
		// Wait until the anchor service has the request, then kill A at once.
		deadline := time.Now().Add(30 * time.Second)
		for {
			r, err := http.Get(casURL + "/api/v0/requests/" + tip)
			if err == nil {
				r.Body.Close()
				if r.StatusCode == 200 {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatal("the anchor service never received the request")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		a.wait(10 * time.Second)
		a2 := startDaemon(t, homeA, nil)
		ca2 := &streamClient{base: "http://" + a2.waitHealthy(), http: http.DefaultClient}
		a2.waitLog(regexp.MustCompile(`msg="Resumed pending anchor requests".* count=1`), 10*time.Second)
		waitStatus(t, ca2, id3, "ANCHORED", 90*time.Second)
	})

	if code := cas.stop(syscall.SIGTERM, 15*time.Second); code != 0 {
		t.Errorf("anchor service exit code %d", code)
	}
}

// TestSelfAnchoringDaemon: a daemon with the built-in anchor service anchors its own streams
// on geth, with no anchor service URL.
func TestSelfAnchoringDaemon(t *testing.T) {
	g := startGeth(t)
	key := anchorKey(t, g)
	home := t.TempDir()
	cfg := nodeConfig(fmt.Sprintf("/ceramic/local-self-%d", time.Now().UnixNano()), nil)
	cfg["anchor-service"] = map[string]any{"enabled": true, "ethereum-rpc-url": g.url, "interval-seconds": 1}
	writeConfig(t, home, cfg)
	d := startDaemon(t, home, []string{"CERAMIC_ANCHOR_SERVICE_PRIVATE_KEY=" + key})
	c := &streamClient{base: "http://" + d.waitHealthy(), http: http.DefaultClient}
	ctx := context.Background()
	genesis, _ := streamstest.NewSigner(nil).Genesis(map[string]any{"self": true}, nil)
	start := time.Now()
	resp, _, err := c.post(ctx, "/api/v0/streams", map[string]any{"type": 0, "genesis": genesis})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := resp["streamId"].(string)
	st := waitStatus(t, c, id, "ANCHORED", 60*time.Second)
	t.Logf("self-anchoring: create → ANCHORED in %s (batch interval 1 s, 1 confirmation)", time.Since(start).Round(10*time.Millisecond))
	if p, _ := st["anchorProof"].(map[string]any); p["chainId"] != "eip155:1337" {
		t.Fatalf("anchorProof = %v", p)
	}
}

func hashOf(t *testing.T, hexHash string) (h common.Hash) {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimPrefix(hexHash, "0x"))
	if err != nil || len(b) != 32 {
		t.Fatalf("bad transaction hash %q", hexHash)
	}
	copy(h[:], b)
	return h
}
