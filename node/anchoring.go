package node

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/anchor"
	"github.com/goceramic/ceramic/anchor/cas"
	"github.com/goceramic/ceramic/anchor/ethereum"
	"github.com/goceramic/ceramic/config"
	"github.com/goceramic/ceramic/internal/buildinfo"
	"github.com/goceramic/ceramic/internal/didjws"
	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
)

// publicRPC are the JSON-RPC endpoints used to verify proofs of public chains when
// anchor.ethereum-rpc-url does not cover them (js-ceramic used ethers' default providers).
var publicRPC = map[string]string{
	"eip155:1":        "https://ethereum-rpc.publicnode.com",
	"eip155:100":      "https://rpc.gnosischain.com",
	"eip155:11155111": "https://ethereum-sepolia-rpc.publicnode.com",
}

// chainsRetryInterval is how often a node whose anchor service was unreachable at start asks
// it again for its chains.
const chainsRetryInterval = time.Minute

// anchoring is how the node anchors its streams and verifies anchors. Exactly one way of
// anchoring is set up: the in-memory service (inmemory network, or local without an anchor
// service URL), the built-in anchor service (anchor-service.enabled), or a Ceramic Anchor
// Service over HTTP. A read-only node anchors nothing but still verifies.
type anchoring struct {
	n   *Node
	cfg config.Config

	inMemory  *anchor.InMemory
	requester *anchor.Requester
	casClient *cas.Client
	builtin   *builtinService

	verifier *anchor.Verifier
	evm      evmValidator

	mu     sync.Mutex
	chains []string
}

// evmValidator is the eip155 part of the verifier. It is replaced once the node knows the
// chain its anchor service uses (the legacy-anchor threshold depends on it).
type evmValidator struct {
	v atomic.Pointer[ethereum.Validator]
}

func (e *evmValidator) ValidateChainInclusion(ctx context.Context, proof *codec.AnchorProof) (int64, error) {
	v := e.v.Load()
	if v == nil {
		return 0, fmt.Errorf("%w: the node is shutting down", streams.ErrProofUnavailable)
	}
	return v.ValidateChainInclusion(ctx, proof)
}

func (e *evmValidator) set(v *ethereum.Validator) {
	if old := e.v.Swap(v); old != nil {
		_ = old.Close()
	}
}

func (e *evmValidator) close() {
	e.set(nil)
}

// newAnchoring sets up anchoring for the node; the stream engine is created afterwards with
// a.service() and a.verifier, and Start finishes the set-up.
func newAnchoring(n *Node) (*anchoring, error) {
	a := &anchoring{n: n, cfg: n.cfg}
	if err := a.setValidator(""); err != nil {
		return nil, err
	}
	validators := map[string]anchor.ChainValidator{"eip155": &a.evm}
	cfg := n.cfg
	readOnly := cfg.Node.IsReadOnly()
	inMemory := cfg.Network.Canonical() == config.NetworkInMemory ||
		(cfg.Network.Canonical() == config.NetworkLocal && cfg.Anchor.AnchorServiceURL == "" && !cfg.AnchorService.Enabled)
	switch {
	case readOnly:
	case cfg.AnchorService.Enabled:
		b, err := newBuiltinService(n)
		if err != nil {
			return nil, err
		}
		a.builtin = b
	case inMemory:
		a.inMemory = anchor.NewInMemory(ipfsBlocks{n}, nil)
		validators["inmemory"] = a.inMemory
		a.chains = []string{anchor.InMemoryChainID}
	default:
		var opts []cas.Option
		if cfg.Anchor.AuthMethod != "" {
			seed, err := config.ParseSeedURL(cfg.Node.PrivateSeedURL)
			if err != nil {
				return nil, fmt.Errorf("node: anchor authentication: %w", err)
			}
			signer, err := didjws.NewSigner(seed)
			if err != nil {
				return nil, fmt.Errorf("node: anchor authentication: %w", err)
			}
			opts = append(opts, cas.WithAuthenticator(cas.DIDAuth{Signer: signer}))
		}
		opts = append(opts, cas.WithUserAgent("goceramic/"+buildinfo.Version()))
		client, err := cas.NewClient(cfg.AnchorServiceURL(), opts...)
		if err != nil {
			return nil, fmt.Errorf("node: anchor.anchor-service-url: %w", err)
		}
		a.casClient = client
	}
	a.verifier = anchor.NewVerifier(validators)
	var backend anchor.Backend
	switch {
	case a.casClient != nil:
		backend = anchor.CASBackend{Client: a.casClient}
	case a.builtin != nil:
		backend = a.builtin.backend()
	}
	if backend != nil {
		r, err := anchor.NewRequester(anchor.RequesterConfig{
			Backend:      backend,
			Store:        n.stores.AnchorRequests,
			Blocks:       ipfsBlocks{n},
			Sink:         streamSink{n},
			PollInterval: n.opts.anchorPoll,
			Logger:       n.log.With("component", "anchor"),
		})
		if err != nil {
			return nil, err
		}
		a.requester = r
	}
	return a, nil
}

// setValidator installs the eip155 validator for the node's anchor chain ("" while unknown).
// anchor.ethereum-rpc-url serves that chain; the public chains have default endpoints.
func (a *anchoring) setValidator(chain string) error {
	endpoints := map[string]string{}
	for c, u := range publicRPC {
		endpoints[c] = u
	}
	if u := a.rpcURL(); u != "" && chain != "" {
		endpoints[chain] = u
	}
	v, err := ethereum.NewValidator(ethereum.ValidatorConfig{Chain: chain, Endpoints: endpoints, Logger: a.n.log.With("component", "anchor")})
	if err != nil {
		return fmt.Errorf("node: anchor verification: %w", err)
	}
	a.evm.set(v)
	return nil
}

// rpcURL is the Ethereum endpoint of the node's anchor chain.
func (a *anchoring) rpcURL() string {
	if a.cfg.AnchorService.Enabled {
		return a.cfg.AnchorServiceRPCURL()
	}
	if u := a.cfg.Anchor.EthereumRPCURL; u != "" {
		return u
	}
	info, _ := a.cfg.Network.Info()
	return info.DefaultEthereumRPCURL
}

// service is the stream engine's anchor service; nil when the node does not anchor.
func (a *anchoring) service() streams.AnchorService {
	switch {
	case a.inMemory != nil:
		return a.inMemory
	case a.requester != nil:
		return a.requester
	}
	return nil
}

// supportedChains lists the chains the node anchors to (GET /node/chains).
func (a *anchoring) supportedChains() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.chains)
}

// pending counts the anchor requests the node follows.
func (a *anchoring) pending() int {
	if a.requester == nil {
		return 0
	}
	return a.requester.Pending()
}

// start finishes the set-up once IPFS is online: the in-memory service learns where its
// anchors go, the built-in service starts, the node learns its anchor service's chain, and
// the requests of an earlier run are followed again.
func (a *anchoring) start(ctx, bg context.Context) error {
	if a.inMemory != nil {
		a.inMemory.SetSink(a.n.streams.ApplyAnchor)
		return nil
	}
	if a.builtin != nil {
		if err := a.builtin.start(ctx); err != nil {
			return err
		}
		if err := a.useChain(a.builtin.chain()); err != nil {
			return err
		}
	}
	if a.casClient != nil {
		if err := a.askChains(ctx); err != nil {
			var mismatch *chainError
			if errors.As(err, &mismatch) {
				return err
			}
			a.n.log.Warn("Anchor service unreachable; anchor requests are kept and sent when it answers", "url", a.casClient.BaseURL(), "err", err)
			a.n.wg.Add(1)
			go func() { defer a.n.wg.Done(); a.retryChains(bg) }()
		}
	}
	if a.requester != nil {
		if err := a.requester.Start(ctx); err != nil {
			return err
		}
	}
	return nil
}

// chainError is a configuration mismatch that stops the node from starting.
type chainError struct{ msg string }

func (e *chainError) Error() string { return e.msg }

// askChains asks the CAS for its chain (GET /api/v0/service-info/supported_chains), checks
// that the network allows it and that the Ethereum endpoint serves it, and adopts it.
func (a *anchoring) askChains(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	chains, err := a.casClient.SupportedChains(cctx)
	if err != nil {
		return err
	}
	if len(chains) != 1 {
		return &chainError{fmt.Sprintf("anchor service %s reports %d supported chains %v; a node needs exactly one", a.casClient.BaseURL(), len(chains), chains)}
	}
	chain := chains[0]
	info, _ := a.cfg.Network.Info()
	if !slices.Contains(info.AnchorChains, chain) {
		return &chainError{fmt.Sprintf("anchor service %s anchors on %s, which the %s network does not use (allowed: %v)", a.casClient.BaseURL(), chain, info.Name, info.AnchorChains)}
	}
	return a.useChain(chain)
}

// useChain checks the Ethereum endpoint against chain (unreachable: a warning, verification
// waits) and adopts chain.
func (a *anchoring) useChain(chain string) error {
	if u := a.rpcURL(); u != "" {
		want, err := ethereum.ParseChainID(chain)
		if err != nil {
			return &chainError{err.Error()}
		}
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		got, err := ethereum.ChainIDOf(cctx, u)
		cancel()
		switch {
		case err != nil:
			a.n.log.Warn("Ethereum RPC endpoint unreachable; anchor proofs are verified when it answers", "err", err)
		case got != want:
			return &chainError{fmt.Sprintf("the Ethereum RPC endpoint serves chain eip155:%d, but the anchor service anchors on %s; set anchor.ethereum-rpc-url to an endpoint of %s", got, chain, chain)}
		}
	}
	if err := a.setValidator(chain); err != nil {
		return err
	}
	a.mu.Lock()
	a.chains = []string{chain}
	a.mu.Unlock()
	a.n.log.Info("Anchoring", "chain", chain)
	return nil
}

func (a *anchoring) retryChains(ctx context.Context) {
	t := time.NewTicker(chainsRetryInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := a.askChains(ctx)
		if err == nil {
			return
		}
		var mismatch *chainError
		if errors.As(err, &mismatch) {
			a.n.log.Error("Anchor service cannot be used", "err", err)
			return
		}
	}
}

// status reports anchoring for GET /admin/status.
func (a *anchoring) status() map[string]any {
	st := map[string]any{"anchorServiceUrl": nil, "ethereumRpcEndpoint": nil, "pendingAnchors": a.pending()}
	if u := a.cfg.AnchorServiceURL(); u != "" {
		st["anchorServiceUrl"] = u
	}
	switch {
	case a.inMemory != nil:
		st["anchorServiceUrl"] = "<inmemory>" // what js-ceramic's in-memory anchor service reports
	case a.casClient != nil:
		st["anchorServiceUrl"] = a.casClient.BaseURL()
	case a.builtin != nil:
		st["anchorServiceUrl"] = a.builtin.url()
	}
	if u := a.rpcURL(); u != "" {
		st["ethereumRpcEndpoint"] = u
	}
	if chains := a.supportedChains(); len(chains) > 0 {
		st["chainId"] = chains[0]
	}
	return st
}

// close stops anchoring; requests stay stored for the next start.
func (a *anchoring) close() error {
	var errs []error
	if a.requester != nil {
		errs = append(errs, a.requester.Close())
	}
	if a.inMemory != nil {
		errs = append(errs, a.inMemory.Close())
	}
	if a.builtin != nil {
		errs = append(errs, a.builtin.close())
	}
	a.evm.close()
	return errors.Join(errs...)
}

// streamSink hands the requester's outcomes to the node's stream engine.
type streamSink struct{ n *Node }

func (s streamSink) SetAnchorStatus(ctx context.Context, id streamid.StreamID, tip cid.Cid, status streams.AnchorStatus) error {
	return s.n.streams.SetAnchorStatus(ctx, id, tip, status)
}

func (s streamSink) ApplyAnchor(ctx context.Context, id streamid.StreamID, anchorCommit cid.Cid) error {
	return s.n.streams.ApplyAnchor(ctx, id, anchorCommit)
}

// chainName is the CAIP-2 name of an EVM chain id.
func chainName(id int64) string { return "eip155:" + strconv.FormatInt(id, 10) }
