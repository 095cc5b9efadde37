package node

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/pprof"
	"strings"

	oldcmds "github.com/ipfs/kubo/commands"
	"github.com/ipfs/kubo/core"
	"github.com/ipfs/kubo/core/corehttp"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricsHandler serves the node's Prometheus registry at /metrics, and Go's profiles at
// /debug/pprof/ on the same (operator-only) port.
func (n *Node) metricsHandler() http.Handler {
	mux := http.NewServeMux()
	if n.opts.gatherer != nil {
		mux.Handle("/metrics", promhttp.HandlerFor(n.opts.gatherer, promhttp.HandlerOpts{}))
	}
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// serveKuboRPC serves kubo's RPC API (the commands the `ipfs` CLI sends) for the embedded node
// at ipfs.api-address, so operators can inspect it with their usual tools.
func (n *Node) serveKuboRPC() error {
	b, ok := n.ipfs.(*bundledIPFS)
	if !ok {
		n.log.Warn("ipfs.api-address is ignored in remote mode: the remote IPFS node serves its own API")
		return nil
	}
	addr, err := ma.NewMultiaddr(n.cfg.IPFS.APIAddress)
	if err != nil {
		return fmt.Errorf("invalid value for ipfs.api-address: %q (allowed: a multiaddr such as /ip4/127.0.0.1/tcp/5001): %w", n.cfg.IPFS.APIAddress, err)
	}
	lis, err := manet.Listen(addr)
	if err != nil {
		if errors.Is(err, errAddrInUse) {
			return fmt.Errorf("ipfs-rpc address %s is %w by another process", addr, ErrInUse)
		}
		return fmt.Errorf("listen for the IPFS RPC API on %s: %w", addr, err)
	}
	cctx := oldcmds.Context{
		ConfigRoot:    n.cfg.IPFS.RepoPath,
		ReqLog:        &oldcmds.ReqLog{},
		ConstructNode: func() (*core.IpfsNode, error) { return b.node, nil },
	}
	h, err := corehttp.MakeHandler(b.node, manet.NetListener(lis), corehttp.CommandsOption(cctx), corehttp.VersionOption())
	if err != nil {
		lis.Close()
		return fmt.Errorf("build the IPFS RPC API: %w", err)
	}
	n.serve("ipfs-rpc", manet.NetListener(lis), refuseShutdown(h))
	return nil
}

// refuseShutdown keeps `ipfs shutdown` from stopping the embedded IPFS under the Ceramic node.
func refuseShutdown(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(strings.TrimRight(r.URL.Path, "/"), "/api/v0/shutdown") {
			http.Error(w, "the embedded IPFS node stops with the Ceramic node: send SIGTERM to the ceramic daemon", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}
