package node

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/goceramic/ceramic/anchor/ethereum/ethtest"
	"github.com/goceramic/ceramic/config"
	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/streamid"
	"github.com/goceramic/ceramic/streams/streamstest"
)

// TestBuiltinAnchorService: a node with the built-in anchor service anchors its own streams on
// go-ethereum's simulated chain and serves the CAS API; a second node uses that API as its
// anchor service, learns its chain from it, and gets its streams anchored too.
func TestBuiltinAnchorService(t *testing.T) {
	chain := ethtest.NewChain(t)
	chain.AutoMine(50 * time.Millisecond)
	port := config.Port(0)
	cfg := testConfig("/ceramic/local-builtin-anchor")
	cfg.AnchorService = config.AnchorService{
		Enabled: true, EthereumRPCURL: chain.URL, PrivateKey: hex.EncodeToString(crypto.FromECDSA(chain.Key)),
		IntervalSeconds: 1, Hostname: "127.0.0.1", Port: &port,
	}
	a := startNode(t, cfg)
	if code, body := get(t, "http://"+a.HTTPAddr()+"/api/v0/node/chains"); code != 200 || body != `{"supportedChains":["eip155:1337"]}` {
		t.Fatalf("chains = %d %s", code, body)
	}
	casAddr := a.anchoring.builtin.Addr()
	if casAddr == nil {
		t.Fatal("the anchor service API is not served")
	}

	cfgB := testConfig("/ceramic/local-builtin-anchor-b")
	cfgB.Anchor.AnchorServiceURL = "http://" + casAddr.String()
	cfgB.Anchor.EthereumRPCURL = chain.URL
	b := startNode(t, cfgB, func(o *nodeOptions) { o.anchorPoll = 50 * time.Millisecond })
	if code, body := get(t, "http://"+b.HTTPAddr()+"/api/v0/node/chains"); code != 200 || body != `{"supportedChains":["eip155:1337"]}` {
		t.Fatalf("chains of the CAS client = %d %s", code, body)
	}

	for name, n := range map[string]*Node{"self-anchoring": a, "CAS client": b} {
		g, err := streamstest.NewSigner(nil).Genesis(map[string]any{"node": name}, nil)
		if err != nil {
			t.Fatal(err)
		}
		st, err := n.Streams().CreateFromGenesis(context.Background(), streamid.Tile, g, streams.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for st.AnchorStatus != streams.Anchored {
			if time.Now().After(deadline) {
				t.Fatalf("%s: stream not anchored: %v", name, st.AnchorStatus)
			}
			time.Sleep(20 * time.Millisecond)
			if st, err = n.Streams().Load(context.Background(), st.ID(), streams.LoadOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		if st.AnchorProof.ChainID != ethtest.CAIP2 {
			t.Errorf("%s: proof chain %s", name, st.AnchorProof.ChainID)
		}
		if status := n.status().Anchor; status["pendingAnchors"] != 0 || status["chainId"] != ethtest.CAIP2 {
			t.Errorf("%s: admin status anchor = %v", name, status)
		}
	}
}

// TestAnchorServiceOnAnotherChain: a node refuses to start when its Ethereum endpoint serves
// another chain than the anchor service's.
func TestAnchorServiceOnAnotherChain(t *testing.T) {
	chain := ethtest.NewChain(t)
	port := config.Port(0)
	cfg := testConfig("/ceramic/local-anchor-mismatch")
	cfg.AnchorService = config.AnchorService{
		Enabled: true, EthereumRPCURL: chain.URL, ChainID: "eip155:100",
		PrivateKey: hex.EncodeToString(crypto.FromECDSA(chain.Key)), Port: &port, Hostname: "127.0.0.1",
	}
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	err = n.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "1337") {
		t.Fatalf("Start = %v, want an error naming the endpoint's chain", err)
	}
}
