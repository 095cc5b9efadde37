package node

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/ipfs/go-cid"
	coreiface "github.com/ipfs/kubo/core/coreiface"
	coreopts "github.com/ipfs/kubo/core/coreiface/options"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/goceramic/ceramic/api"
	"github.com/goceramic/ceramic/config"
	"github.com/goceramic/ceramic/internal/buildinfo"
	"github.com/goceramic/ceramic/internal/logging"
	"github.com/goceramic/ceramic/p2p"
	"github.com/goceramic/ceramic/statestore"
	fsstore "github.com/goceramic/ceramic/statestore/fs"
	"github.com/goceramic/ceramic/streams"
)

// ErrInUse is wrapped by start-up errors caused by a port or a directory that another
// process holds.
var ErrInUse = errors.New("already in use")

// ErrStarted is returned by a second call to Start.
var ErrStarted = errors.New("node: already started")

// shutdownTimeout bounds Close: HTTP draining and the IPFS shutdown together.
const shutdownTimeout = 8 * time.Second

// Node is a running (or ready to run) Ceramic node. Its methods are safe for concurrent use.
type Node struct {
	cfg     config.Config
	opts    nodeOptions
	log     *slog.Logger
	network config.NetworkInfo
	topic   string

	ipfs    ipfsBackend
	mode    string // "bundled" or "remote"
	stores  statestore.Stores
	streams *streams.Service
	// anchoring anchors the node's streams and verifies anchors.
	anchoring *anchoring
	handler   http.Handler
	pubsub    *p2p.Service
	syncer    *p2p.Syncer
	logFiles  []*logging.File
	access    *logging.File // http-access.log, when log-to-files is on
	psLog     *logging.File // pubsub.log, when log-to-files is on

	mu       sync.Mutex
	started  bool
	servers  []*server
	apiAddr  net.Addr
	endpoint map[string]net.Addr

	runID     string
	startedAt time.Time

	ready     chan struct{}
	errc      chan error
	stopBG    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// New validates cfg and prepares a node: it opens the log files and the IPFS repository
// (creating it on first use). Nothing listens and nothing connects until Start. On error,
// whatever New opened is closed again.
func New(cfg config.Config, opts ...Option) (_ *Node, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var o nodeOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = logging.Discard()
	}
	if o.registerer == nil {
		reg := prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		o.registerer, o.gatherer = reg, reg
	}
	n := &Node{
		cfg:      cfg,
		opts:     o,
		log:      o.logger,
		ready:    make(chan struct{}),
		errc:     make(chan error, 8),
		endpoint: map[string]net.Addr{},
		runID:    newRunID(),
	}
	defer func() {
		if err != nil {
			n.closeResources()
		}
	}()
	if err := n.openLogFiles(); err != nil {
		return nil, err
	}

	info, ok := config.LookupNetwork(cfg.Network.Name)
	if !ok {
		return nil, fmt.Errorf("node: unknown network %q", cfg.Network.Name)
	}
	n.network = info
	if n.topic, err = info.Topic(cfg.Network.PubsubTopic, nil); err != nil {
		return nil, err
	}

	peers, err := n.bootstrapPeers()
	if err != nil {
		return nil, err
	}
	if cfg.IPFS.Mode == "remote" {
		n.mode = "remote"
		r, err := openRemote(cfg.IPFS.Host)
		if err != nil {
			return nil, err
		}
		n.ipfs = r
	} else {
		n.mode = "bundled"
		swarm := cfg.IPFS.SwarmAddresses
		if len(swarm) == 0 {
			swarm = config.Default().IPFS.SwarmAddresses
		}
		for _, a := range append(append([]string(nil), swarm...), cfg.IPFS.AnnounceAddresses...) {
			if _, err := ma.NewMultiaddr(a); err != nil {
				return nil, fmt.Errorf("invalid value for ipfs.swarm-addresses or ipfs.announce-addresses: %q is not a multiaddr: %w", a, err)
			}
		}
		b, err := openBundled(bundledSettings{
			repoPath:  cfg.IPFS.RepoPath,
			swarm:     swarm,
			announce:  cfg.IPFS.AnnounceAddresses,
			peering:   peers,
			publicDHT: isPublic(info),
			datastore: cfg.IPFS.Datastore,
			s3:        cfg.IPFS,
		}, n.log.With("component", "ipfs"))
		if err != nil {
			return nil, err
		}
		n.ipfs = b
	}

	if n.stores, err = n.openStateStore(context.Background()); err != nil {
		if errors.Is(err, fsstore.ErrLocked) {
			return nil, fmt.Errorf("state store %s is %w by another process (another ceramic daemon?)", cfg.StateStore.LocalDirectory, ErrInUse)
		}
		return nil, fmt.Errorf("node: open state store: %w", err)
	}
	if n.anchoring, err = newAnchoring(n); err != nil {
		return nil, err
	}
	n.streams, err = streams.NewService(streams.Config{
		Anchors:    n.anchoring.service(),
		Network:    networkQuerier{n},
		Verifier:   n.anchoring.verifier,
		Blocks:     ipfsBlocks{n},
		Pins:       n.stores.State,
		Publisher:  updatePublisher{n: n, disabled: cfg.Node.DisablePubsubUpdates},
		CacheLimit: cfg.Node.StreamCacheLimit,
		ReadOnly:   cfg.Node.IsReadOnly(),
		Logger:     n.log.With("component", "streams"),
	})
	if err != nil {
		return nil, err
	}

	n.handler, err = api.NewHandler(api.Options{
		CORSAllowedOrigins: cfg.HTTPAPI.CORSAllowedOrigins,
		ReadOnly:           cfg.Node.ReadOnly || cfg.Node.Gateway,
		Logger:             n.log.With("component", "http-api"),
		OnRequest:          n.logRequest,
		Registerer:         o.registerer,
		Streams:            n.streams,
		AdminDIDs:          cfg.HTTPAPI.AdminDIDs,
		Status:             n.status,
		SupportedChains:    n.anchoring.supportedChains,
		SyncOverride:       cfg.Node.SyncOverride,
	}, n)
	if err != nil {
		return nil, fmt.Errorf("node: build HTTP API: %w", err)
	}
	return n, nil
}

// status reports the node for GET /api/v0/admin/status.
func (n *Node) status() api.NodeStatus {
	st := api.NodeStatus{RunID: n.runID, Network: n.cfg.Network.Name, UptimeMs: func() int64 { return time.Since(n.startedAt).Milliseconds() }}
	if n.isStarted() {
		st.PeerID = n.ipfs.peerID()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if addrs, err := n.ipfs.listenAddrs(ctx); err == nil {
			for _, a := range addrs {
				st.Addrs = append(st.Addrs, a.String())
			}
		}
	}
	st.Anchor = n.anchoring.status()
	return st
}

// newRunID returns a random UUIDv4 identifying this run of the node.
func newRunID() string {
	var b [16]byte
	_, _ = crand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// checkPins compares the state store with the IPFS block store in the background after
// start: lost pins are restored, and pinned streams whose commits are missing from IPFS are
// reported (their stored state is still served). It never stops the node.
func (n *Node) checkPins(ctx context.Context) {
	start := time.Now()
	res, err := n.streams.CheckPins(ctx, n.ipfs.hasLocal, n.ipfs.isPinned)
	if err != nil {
		if ctx.Err() == nil {
			n.log.Warn("State store check did not finish", "err", err)
		}
		return
	}
	missingCommits := 0
	for _, cs := range res.Missing {
		missingCommits += len(cs)
	}
	lg := n.log.With("streams", res.Streams, "repinned", res.Repinned, "unreadable", len(res.Unreadable),
		"streams_missing_blocks", len(res.Missing), "missing_commits", missingCommits, "elapsed", time.Since(start).Round(time.Millisecond))
	if len(res.Missing) == 0 && len(res.Unreadable) == 0 {
		lg.Info("State store and IPFS block store agree")
		return
	}
	for id, cs := range res.Missing {
		n.log.Warn("Pinned stream has commits missing from IPFS; its stored state is served, its history is not until the blocks are available", "stream", id, "missing", len(cs), "first_missing", cs[0].String())
	}
	for _, id := range res.Unreadable {
		n.log.Warn("Pinned state cannot be decoded", "stream", id)
	}
	lg.Warn("State store and IPFS block store disagree (is this the IPFS repository the state store was written with?)")
}

// isPublic tells the shared networks (fixed topic, DHT routing) from the private ones
// (local and inmemory: a topic of their own, no DHT).
func isPublic(info config.NetworkInfo) bool { return info.RandomTopicPrefix == "" }

// bootstrapPeers parses ipfs.bootstrap-peers, or takes the network's list when it is unset.
func (n *Node) bootstrapPeers() ([]peer.AddrInfo, error) {
	list := n.network.BootstrapPeers
	if n.cfg.IPFS.BootstrapPeers != nil {
		list = n.cfg.IPFS.BootstrapPeers
	}
	byID := map[peer.ID]*peer.AddrInfo{}
	var order []peer.ID
	for _, s := range list {
		ai, err := peer.AddrInfoFromString(s)
		if err != nil {
			return nil, fmt.Errorf("invalid value for ipfs.bootstrap-peers: %q (allowed: a multiaddr ending in /p2p/<peer id>): %w", s, err)
		}
		if prev, ok := byID[ai.ID]; ok {
			prev.Addrs = append(prev.Addrs, ai.Addrs...)
			continue
		}
		byID[ai.ID] = ai
		order = append(order, ai.ID)
	}
	out := make([]peer.AddrInfo, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	return out, nil
}

// Start brings the node online. ctx bounds start-up only, not the node's lifetime. The HTTP API
// listener opens last, so a node that answers is a node that is fully up.
func (n *Node) Start(ctx context.Context) error {
	n.mu.Lock()
	if n.started {
		n.mu.Unlock()
		return ErrStarted
	}
	n.started = true
	n.mu.Unlock()

	bg, cancel := context.WithCancel(context.Background())
	n.stopBG = cancel
	n.startedAt = time.Now()

	n.log.Info("Starting Ceramic node", "version", buildinfo.Version(), "network", n.cfg.Network.Name, "topic", n.topic, "ipfs_mode", n.mode, "config", configJSON(n.cfg))
	if err := n.ipfs.start(ctx); err != nil {
		return err
	}
	addrs, err := n.ipfs.listenAddrs(ctx)
	if err != nil {
		return fmt.Errorf("node: read IPFS listen addresses: %w", err)
	}
	n.log.Info("IPFS node online", "mode", n.mode, "peer_id", n.ipfs.peerID(), "version", n.ipfs.version(), "addresses", fmt.Sprint(addrs))
	n.storeEmptyDirectory(ctx)

	n.pubsub, err = p2p.New(n.ipfs.pubsub(), p2p.Config{
		Topic:       n.topic,
		SelfID:      n.ipfs.peerID(),
		Version:     buildinfo.Version(),
		IPFSVersion: n.ipfs.version(),
		Logger:      n.log,
		EventLog:    n.logPubsub,
		Registerer:  n.opts.registerer,
	})
	if err != nil {
		return err
	}
	if err := n.pubsub.Start(ctx); err != nil {
		return err
	}
	if err := n.startSync(bg); err != nil {
		return err
	}
	if err := n.anchoring.start(ctx, bg); err != nil {
		return err
	}
	n.wg.Add(1)
	go func() { defer n.wg.Done(); n.checkPins(bg) }()
	if n.mode == "remote" {
		peers, _ := n.bootstrapPeers() // already validated in New
		n.wg.Add(1)
		go func() { defer n.wg.Done(); n.connectLoop(bg, peers) }()
	}

	if n.cfg.IPFS.HealthcheckEnabled {
		if err := n.listen("ipfs-healthcheck", n.cfg.IPFS.HealthcheckHostname, int(n.cfg.IPFS.HealthcheckPort), n.healthcheckHandler()); err != nil {
			return err
		}
	}
	if n.cfg.IPFS.APIAddress != "" {
		if err := n.serveKuboRPC(); err != nil {
			return err
		}
	}
	if n.cfg.Metrics.PrometheusExporterEnabled {
		port := 9464
		if p := n.cfg.Metrics.PrometheusExporterPort; p != nil {
			port = int(*p)
		}
		if err := n.listen("metrics", n.cfg.Metrics.PrometheusExporterHostname, port, n.metricsHandler()); err != nil {
			return err
		}
	}
	if err := n.listen("api", n.cfg.HTTPAPI.Hostname, int(n.cfg.HTTPAPI.Port), n.handler); err != nil {
		return err
	}
	n.log.Info("Ceramic API running", "addr", n.HTTPAddr())
	close(n.ready)
	return nil
}

// configJSON renders the effective configuration without secrets, for the start-up log.
func configJSON(c config.Config) string {
	b, err := json.Marshal(c.Redacted())
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func (n *Node) isReady() bool {
	select {
	case <-n.ready:
		return true
	default:
		return false
	}
}

func (n *Node) isStarted() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.started
}

// Streams is the node's stream engine.
func (n *Node) Streams() *streams.Service { return n.streams }

// Ready is closed once Start has finished and every listener accepts connections.
func (n *Node) Ready() <-chan struct{} { return n.ready }

// Err delivers errors that stop part of a running node (a listener that fails after start).
func (n *Node) Err() <-chan error { return n.errc }

// Handler is the /api/v0 HTTP handler, for programs that mount it in their own server.
func (n *Node) Handler() http.Handler { return n.handler }

// IPFS is the node's IPFS API (embedded or remote).
func (n *Node) IPFS() coreiface.CoreAPI { return n.ipfs.api() }

// PeerID is the IPFS peer ID, known once Start has brought IPFS online.
func (n *Node) PeerID() string { return n.ipfs.peerID() }

// Topic is the Ceramic pubsub topic the node runs on.
func (n *Node) Topic() string { return n.topic }

// PubSub is the node's Ceramic pubsub service (nil before Start).
func (n *Node) PubSub() *p2p.Service { return n.pubsub }

// SwarmAddrs are the libp2p addresses the node listens on, each ending in /p2p/<peer id>.
func (n *Node) SwarmAddrs(ctx context.Context) ([]ma.Multiaddr, error) {
	return n.ipfs.listenAddrs(ctx)
}

// HTTPAddr is the address the HTTP API listens on (useful with port 0), or "" before Start.
func (n *Node) HTTPAddr() string { return n.Addr("api") }

// Addr returns the listen address of one of the node's servers: "api", "metrics",
// "ipfs-healthcheck" or "ipfs-rpc"; "" if it does not run.
func (n *Node) Addr(name string) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if a, ok := n.endpoint[name]; ok {
		return a.String()
	}
	return ""
}

// IPFSOnline reports whether the IPFS node answers and listens on at least one address. It
// backs the /api/v0/node/healthcheck route.
func (n *Node) IPFSOnline(ctx context.Context) error {
	n.mu.Lock()
	started := n.started
	n.mu.Unlock()
	if !started {
		return errors.New("IPFS is not started")
	}
	addrs, err := n.ipfs.api().Swarm().ListenAddrs(ctx)
	if err != nil {
		return err
	}
	if len(addrs) == 0 {
		return errors.New("IPFS has no listen addresses")
	}
	return nil
}

var _ api.Backend = (*Node)(nil)

// emptyDirectory is the unixfs empty directory, dag-pb encoded; its CID is the
// go-ipfs-healthcheck probe target QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn.
var emptyDirectory = []byte{0x0a, 0x02, 0x08, 0x01}

var emptyDirectoryCID = cid.MustParse("QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn")

// storeEmptyDirectory makes sure the healthcheck probe block is local.
func (n *Node) storeEmptyDirectory(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := n.ipfs.api().Block().Put(ctx, bytes.NewReader(emptyDirectory), coreopts.Block.Format("v0")); err != nil {
		n.log.Warn("Could not store the healthcheck block", "err", err)
	}
}

// healthcheckHandler answers every path as the go-ipfs-healthcheck plugin does: it reads the
// empty directory through the IPFS DAG API.
func (n *Node) healthcheckHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		defer cancel()
		if _, err := n.ipfs.api().Dag().Get(ctx, emptyDirectoryCID); err != nil {
			n.log.Warn("IPFS healthcheck failed", "err", err)
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte("Health check failed"))
			return
		}
		_, _ = w.Write([]byte("Health check succeeded"))
	})
}

// connectLoop connects a remote IPFS node to the network's peers at start and every hour,
// like js-ceramic. (The embedded node keeps them connected through kubo's peering instead.)
func (n *Node) connectLoop(ctx context.Context, peers []peer.AddrInfo) {
	if len(peers) == 0 {
		return
	}
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		for _, p := range peers {
			if p.ID.String() == n.ipfs.peerID() {
				continue
			}
			cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			if err := n.ipfs.api().Swarm().Connect(cctx, p); err != nil && ctx.Err() == nil {
				n.log.Warn("Could not connect to bootstrap peer", "peer", p.ID.String(), "err", err)
			}
			cancel()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close stops the node in order: the HTTP API stops accepting and drains in-flight requests,
// then the other listeners stop, the node leaves the pubsub topic, background loops end, IPFS
// shuts down and the log files are closed. It returns after every goroutine has exited and
// may be called more than once.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		var errs []error
		n.mu.Lock()
		servers := n.servers
		n.mu.Unlock()
		// The API first, so that no request starts while the rest shuts down.
		for i := len(servers) - 1; i >= 0; i-- {
			if err := servers[i].srv.Shutdown(ctx); err != nil {
				errs = append(errs, fmt.Errorf("stop %s server: %w", servers[i].name, err))
				_ = servers[i].srv.Close()
			}
		}
		if n.stopBG != nil {
			n.stopBG()
		}
		if n.anchoring != nil {
			errs = append(errs, n.anchoring.close())
		}
		n.mu.Lock()
		syncer := n.syncer
		n.mu.Unlock()
		if syncer != nil {
			errs = append(errs, syncer.Close())
		}
		if n.streams != nil {
			errs = append(errs, n.streams.Close())
		}
		if n.pubsub != nil {
			errs = append(errs, n.pubsub.Close())
		}
		n.wg.Wait()
		errs = append(errs, n.closeResources())
		n.closeErr = errors.Join(errs...)
		if n.closeErr == nil && n.isReady() {
			n.log.Info("Ceramic node stopped")
		}
	})
	return n.closeErr
}

// closeResources releases what New opened: the IPFS node and repository, and the log files.
func (n *Node) closeResources() error {
	var errs []error
	if n.ipfs != nil {
		if err := n.ipfs.close(); err != nil {
			errs = append(errs, fmt.Errorf("close IPFS: %w", err))
		}
	}
	if err := n.stores.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close state store: %w", err))
	}
	for _, f := range n.logFiles {
		errs = append(errs, f.Close())
	}
	n.logFiles = nil
	return errors.Join(errs...)
}

// server is one HTTP listener owned by the node.
type server struct {
	name string
	srv  *http.Server
}

// listen opens host:port and serves h there until Close.
func (n *Node) listen(name, host string, port int, h http.Handler) error {
	if host == "" {
		host = "0.0.0.0"
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if errors.Is(err, errAddrInUse) {
			return fmt.Errorf("%s address %s is %w by another process", name, addr, ErrInUse)
		}
		return fmt.Errorf("listen for %s on %s: %w", name, addr, err)
	}
	n.serve(name, ln, h)
	return nil
}

func (n *Node) serve(name string, ln net.Listener, h http.Handler) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       60 * time.Second, // js-ceramic's keep-alive timeout
		ErrorLog:          slog.NewLogLogger(n.log.Handler(), slog.LevelDebug),
	}
	n.mu.Lock()
	n.servers = append(n.servers, &server{name: name, srv: srv})
	n.endpoint[name] = ln.Addr()
	n.mu.Unlock()
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.fail(fmt.Errorf("%s server: %w", name, err))
		}
	}()
	n.log.Info("Listening", "server", name, "addr", ln.Addr().String())
}

// fail reports an error that stopped part of the running node.
func (n *Node) fail(err error) {
	n.log.Error("Node component failed", "err", err)
	select {
	case n.errc <- err:
	default:
	}
}

// peerAddrInfo parses a multiaddr ending in /p2p/<id>.
func peerAddrInfo(s string) (peer.AddrInfo, error) {
	ai, err := peer.AddrInfoFromString(s)
	if err != nil {
		return peer.AddrInfo{}, err
	}
	return *ai, nil
}
