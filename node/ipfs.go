package node

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	_ "github.com/ceramicnetwork/go-dag-jose/dagjose" // registers the dag-jose codec (0x85)
	"github.com/ipfs/boxo/keystore"
	pin "github.com/ipfs/boxo/pinning/pinner"
	"github.com/ipfs/go-cid"
	datastore "github.com/ipfs/go-datastore"
	dssync "github.com/ipfs/go-datastore/sync"
	fslock "github.com/ipfs/go-fs-lock"
	kuboversion "github.com/ipfs/kubo"
	kconfig "github.com/ipfs/kubo/config"
	"github.com/ipfs/kubo/core"
	"github.com/ipfs/kubo/core/coreapi"
	coreiface "github.com/ipfs/kubo/core/coreiface"
	coreopts "github.com/ipfs/kubo/core/coreiface/options"
	"github.com/ipfs/kubo/core/node/libp2p"
	"github.com/ipfs/kubo/plugin/loader"
	"github.com/ipfs/kubo/repo"
	"github.com/ipfs/kubo/repo/fsrepo"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	drouting "github.com/libp2p/go-libp2p/p2p/discovery/routing"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/goceramic/ceramic/config"
	"github.com/goceramic/ceramic/p2p"
)

// ipfsBackend is what the node needs from its IPFS node, embedded or remote. Everything above
// this file sees only coreiface.CoreAPI and p2p.PubSub, so nothing knows which mode runs.
type ipfsBackend interface {
	// start brings the node online (bundled) or checks that it answers (remote).
	start(ctx context.Context) error
	api() coreiface.CoreAPI
	pubsub() p2p.PubSub
	peerID() string
	// listenAddrs are the swarm addresses the node listens on, with its peer ID appended.
	listenAddrs(ctx context.Context) ([]ma.Multiaddr, error)
	version() string
	// sync makes the writes made so far durable.
	sync(ctx context.Context) error
	// hasLocal tells whether a block is stored locally, without asking the network.
	hasLocal(ctx context.Context, c cid.Cid) (bool, error)
	// isPinned tells whether a block is pinned.
	isPinned(ctx context.Context, c cid.Cid) (bool, error)
	// pinDirect pins blocks (non-recursively) and makes the pins and every block written
	// before them durable.
	pinDirect(ctx context.Context, cids []cid.Cid) error
	close() error
}

var (
	pluginsOnce sync.Once
	pluginsErr  error
)

// loadPlugins injects kubo's preloaded plugins (datastores, codecs) into kubo's process-wide
// registries. It runs once per process, however many nodes the process embeds.
func loadPlugins() error {
	pluginsOnce.Do(func() {
		if os.Getenv("IPFS_TELEMETRY") == "" {
			// The telemetry plugin sends nothing in this kubo version; make that explicit.
			_ = os.Setenv("IPFS_TELEMETRY", "off")
		}
		loader.Preload(s3Plugin{})
		pl, err := loader.NewPluginLoader("")
		if err != nil {
			pluginsErr = fmt.Errorf("load IPFS plugins: %w", err)
			return
		}
		if err := pl.Initialize(); err != nil {
			pluginsErr = fmt.Errorf("initialize IPFS plugins: %w", err)
			return
		}
		if err := pl.Inject(); err != nil {
			pluginsErr = fmt.Errorf("inject IPFS plugins: %w", err)
		}
	})
	return pluginsErr
}

// bundledSettings are the parts of the Ceramic config the embedded kubo node is built from.
type bundledSettings struct {
	repoPath  string // "" = an in-memory repository
	swarm     []string
	announce  []string
	peering   []peer.AddrInfo
	publicDHT bool // DHT routing for public networks; none for local and inmemory
	// datastore is the engine of a new repository: "pebbleds" (default) or "flatfs".
	datastore string
	// s3, when its bucket is set, keeps the blocks of a new repository in S3; its Identity,
	// when set, is the peer identity of a new repository.
	s3 config.IPFS
}

// bundledIPFS is kubo running inside this process.
type bundledIPFS struct {
	settings bundledSettings
	repo     repo.Repo
	log      *slog.Logger

	node    *core.IpfsNode
	coreAPI coreiface.CoreAPI
	ps      *p2p.Libp2pPubSub
	cancel  context.CancelFunc

	pins     chan pinRequest
	stopped  chan struct{} // closed by close
	loopDone chan struct{} // closed when pinLoop returns
}

// openBundled opens (creating on first use) the repository and takes its lock. The node is
// not online until start.
func openBundled(s bundledSettings, log *slog.Logger) (*bundledIPFS, error) {
	if err := loadPlugins(); err != nil {
		return nil, err
	}
	b := &bundledIPFS{settings: s, log: log}
	if s.repoPath == "" {
		cfg, err := newKuboConfig()
		if err != nil {
			return nil, err
		}
		if err := applyKuboSettings(cfg, s); err != nil {
			return nil, err
		}
		ds := dssync.MutexWrap(datastore.NewMapDatastore())
		b.repo = &repo.Mock{C: *cfg, D: ds, K: keystore.NewMemKeystore()}
		return b, nil
	}
	if !fsrepo.IsInitialized(s.repoPath) {
		cfg, err := newKuboConfig()
		if err != nil {
			return nil, err
		}
		if id := s.s3.Identity; id.IsSet() {
			pid, err := checkIdentity(id)
			if err != nil {
				return nil, err
			}
			cfg.Identity = kconfig.Identity{PeerID: pid, PrivKey: id.PrivateKey}
		}
		if s.datastore != "flatfs" || s.s3.S3Bucket != "" {
			// One write-ahead-logged store for blocks, pins and metadata: a commit costs an
			// append and a shared fsync instead of a new file per block.
			if err := kconfig.Profiles["pebbleds"].Transform(cfg); err != nil {
				return nil, fmt.Errorf("configure the IPFS datastore: %w", err)
			}
		}
		if s.s3.S3Bucket != "" {
			// Blocks in S3, the rest (pins, keys, metadata) in the local pebble store.
			local := map[string]any{}
			for k, v := range cfg.Datastore.Spec {
				local[k] = v
			}
			local["mountpoint"] = "/"
			spec := s3DatastoreSpec(s.s3)
			spec["mounts"] = []any{spec["mounts"].([]any)[0], local}
			cfg.Datastore.Spec = spec
		}
		if err := applyKuboSettings(cfg, s); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(s.repoPath, 0o700); err != nil {
			return nil, fmt.Errorf("create IPFS repository directory %s: %w", s.repoPath, err)
		}
		if err := fsrepo.Init(s.repoPath, cfg); err != nil {
			return nil, fmt.Errorf("initialize IPFS repository %s: %w", s.repoPath, err)
		}
	}
	setS3Credentials(s.s3.S3AccessKeyID, s.s3.S3SecretAccessKey)
	r, err := fsrepo.Open(s.repoPath)
	if err != nil {
		var locked fslock.LockedError
		if errors.As(err, &locked) {
			return nil, fmt.Errorf("IPFS repository %s is %w by another process (another ceramic daemon or ipfs daemon?)", s.repoPath, ErrInUse)
		}
		return nil, fmt.Errorf("open IPFS repository %s: %w", s.repoPath, err)
	}
	cfg, err := r.Config()
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("read IPFS repository config: %w", err)
	}
	if id := s.s3.Identity; id.IsSet() && id.PeerID != "" && id.PeerID != cfg.Identity.PeerID {
		log.Warn("IPFS_PEER_ID differs from the identity of the existing IPFS repository; the repository's is used", "repository_peer_id", cfg.Identity.PeerID, "IPFS_PEER_ID", id.PeerID)
	}
	if s.s3.S3Bucket != "" && !strings.Contains(fmt.Sprint(cfg.Datastore.Spec), s3DatastoreType) {
		r.Close()
		return nil, fmt.Errorf("ipfs.s3-bucket is set, but the IPFS repository %s was created with its blocks on disk; the S3 blockstore applies to new repositories (move or remove %s to create one)", s.repoPath, s.repoPath)
	}
	// The Ceramic config is the source of truth for the settings it manages; apply it on
	// every start so that edits to daemon.config.json take effect.
	updated, err := cfg.Clone()
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("copy IPFS repository config: %w", err)
	}
	if err := applyKuboSettings(updated, s); err != nil {
		r.Close()
		return nil, err
	}
	if err := r.SetConfig(updated); err != nil {
		r.Close()
		return nil, fmt.Errorf("update IPFS repository config: %w", err)
	}
	b.repo = r
	return b, nil
}

// newKuboConfig creates a kubo configuration with a fresh Ed25519 identity.
func newKuboConfig() (*kconfig.Config, error) {
	id, err := kconfig.CreateIdentity(io.Discard, []coreopts.KeyGenerateOption{coreopts.Key.Type(coreopts.Ed25519Key)})
	if err != nil {
		return nil, fmt.Errorf("create IPFS identity: %w", err)
	}
	cfg, err := kconfig.InitWithIdentity(id)
	if err != nil {
		return nil, fmt.Errorf("create IPFS config: %w", err)
	}
	return cfg, nil
}

// applyKuboSettings sets every kubo option the Ceramic node depends on.
func applyKuboSettings(cfg *kconfig.Config, s bundledSettings) error {
	// The "test" profile turns off everything that reaches out on its own (AutoConf, AutoTLS,
	// MDNS, the public bootstrap list, delegated routers); the Ceramic network decides peers.
	if err := kconfig.Profiles["test"].Transform(cfg); err != nil {
		return fmt.Errorf("apply IPFS profile: %w", err)
	}
	cfg.Addresses.Swarm = append([]string(nil), s.swarm...)
	cfg.Addresses.Announce = append([]string(nil), s.announce...)
	cfg.Addresses.API = nil     // the kubo RPC API, when enabled, is served by the node itself
	cfg.Addresses.Gateway = nil // no HTTP gateway
	cfg.Bootstrap = []string{}
	cfg.Peering.Peers = append([]peer.AddrInfo(nil), s.peering...)
	if s.publicDHT {
		cfg.Routing.Type = kconfig.NewOptionalString("dht")
		cfg.Routing.LoopbackAddressesOnLanDHT = kconfig.Default
	} else {
		cfg.Routing.Type = kconfig.NewOptionalString("none")
	}
	// Pubsub is created by the node itself (see start): kubo's own router would install a
	// sequence-number validator that silently drops reordered messages.
	cfg.Pubsub.Enabled = kconfig.False
	cfg.Ipns.UsePubsub = kconfig.False
	t := &cfg.Swarm.Transports.Network
	t.TCP = kconfig.True
	t.Websocket = kconfig.True
	t.QUIC = kconfig.False
	t.WebTransport = kconfig.False
	t.WebRTCDirect = kconfig.False
	t.Relay = kconfig.False
	cfg.Swarm.RelayClient.Enabled = kconfig.False
	cfg.Swarm.RelayService.Enabled = kconfig.False
	cfg.Swarm.EnableHolePunching = kconfig.False
	cfg.Swarm.DisableNatPortMap = true
	return nil
}

// start checks the swarm ports, then builds the kubo node online with the node's own
// gossipsub router.
func (b *bundledIPFS) start(ctx context.Context) error {
	if err := checkSwarmPorts(b.settings.swarm); err != nil {
		return err
	}
	routing := libp2p.NilRouterOption
	if b.settings.publicDHT {
		routing = libp2p.DHTOption
	}
	// kubo ties the node's lifetime to the context it is built with; ctx only bounds start-up.
	n, err := core.NewNode(context.WithoutCancel(ctx), &core.BuildCfg{
		Online:    true,
		Permanent: true,
		Repo:      b.repo,
		Routing:   routing,
		ExtraOpts: map[string]bool{"pubsub": false, "ipnsps": false},
	})
	if err != nil {
		return fmt.Errorf("start embedded IPFS: %w", err)
	}
	psCtx, cancel := context.WithCancel(context.Background())
	psOpts := []pubsub.Option{
		pubsub.WithMessageSigning(true),
		pubsub.WithStrictSignatureVerification(true),
		pubsub.WithFloodPublish(true),
		pubsub.WithSeenMessagesTTL(10 * time.Minute),
	}
	if b.settings.publicDHT && n.Routing != nil {
		psOpts = append(psOpts, pubsub.WithDiscovery(drouting.NewRoutingDiscovery(n.Routing)))
	}
	ps, err := pubsub.NewGossipSub(psCtx, n.PeerHost, psOpts...)
	if err != nil {
		cancel()
		n.Close()
		return fmt.Errorf("start gossipsub: %w", err)
	}
	// Hand the router to kubo too, so its RPC API (ipfs pubsub …) works on the same router.
	n.PubSub = ps
	api, err := coreapi.NewCoreAPI(n)
	if err != nil {
		cancel()
		n.Close()
		return fmt.Errorf("create IPFS core API: %w", err)
	}
	b.node, b.coreAPI, b.ps, b.cancel = n, api, p2p.NewLibp2pPubSub(ps), cancel
	b.pins, b.stopped, b.loopDone = make(chan pinRequest, 4096), make(chan struct{}), make(chan struct{})
	go b.pinLoop()
	return nil
}

func (b *bundledIPFS) api() coreiface.CoreAPI { return b.coreAPI }

func (b *bundledIPFS) hasLocal(ctx context.Context, c cid.Cid) (bool, error) {
	return b.node.Blockstore.Has(ctx, c)
}

func (b *bundledIPFS) isPinned(ctx context.Context, c cid.Cid) (bool, error) {
	_, pinned, err := b.node.Pinning.IsPinned(ctx, c)
	return pinned, err
}

// pinRequest is one caller's share of a pin batch.
type pinRequest struct {
	cids []cid.Cid
}

// pinDirect makes every block written so far durable, then queues the blocks for pinning and
// returns. Pins only protect blocks from garbage collection, which this node never starts on
// its own, so they are applied in the background: one goroutine takes every queued request,
// pins them all under one GC lock and flushes kubo's pinner once. (Through the core API each
// pin takes the pinner's lock and flushes and syncs on its own, which serializes writers.) A
// crash before the queue drains loses no data: the start-up check pins the blocks of every
// pinned stream again.
func (b *bundledIPFS) pinDirect(ctx context.Context, cids []cid.Cid) error {
	if err := b.sync(ctx); err != nil {
		return fmt.Errorf("sync blocks: %w", err)
	}
	select {
	case b.pins <- pinRequest{cids: cids}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-b.stopped:
		return errors.New("IPFS is shutting down")
	}
}

// pinLoop applies queued pins until stop is closed, then applies what is still queued.
func (b *bundledIPFS) pinLoop() {
	defer close(b.loopDone)
	for {
		select {
		case r := <-b.pins:
			if err := b.pinBatch(b.queuedPins([]pinRequest{r})); err != nil {
				b.log.Warn("Pinning stream blocks failed; the start-up check will pin them again", "err", err)
			}
		case <-b.stopped:
			b.drainPins()
			return
		}
	}
}

// drainPins applies the pins still queued at shutdown.
func (b *bundledIPFS) drainPins() {
	for {
		batch := b.queuedPins(nil)
		if len(batch) == 0 {
			return
		}
		if err := b.pinBatch(batch); err != nil {
			b.log.Warn("Pinning stream blocks failed at shutdown; the start-up check will pin them again", "err", err)
			return
		}
	}
}

// maxPinBatch bounds the pin requests applied under one pin lock and flush.
const maxPinBatch = 1024

// queuedPins adds to batch the pin requests already queued, without waiting, up to
// maxPinBatch.
func (b *bundledIPFS) queuedPins(batch []pinRequest) []pinRequest {
	for len(batch) < maxPinBatch {
		select {
		case r := <-b.pins:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

func (b *bundledIPFS) pinBatch(batch []pinRequest) error {
	ctx := context.Background()
	unlock := b.node.Blockstore.PinLock(ctx)
	defer unlock.Unlock(ctx)
	for _, r := range batch {
		for _, c := range r.cids {
			if err := b.node.Pinning.PinWithMode(ctx, c, pin.Direct, ""); err != nil {
				return fmt.Errorf("pin %s: %w", c, err)
			}
		}
	}
	if err := b.node.Pinning.Flush(ctx); err != nil {
		return fmt.Errorf("flush pins: %w", err)
	}
	return nil
}

// sync makes every write to the repository so far durable (datastores that write ahead
// without syncing each write flush their log here; concurrent calls share one flush).
func (b *bundledIPFS) sync(ctx context.Context) error {
	return b.repo.Datastore().Sync(ctx, datastore.NewKey("/"))
}
func (b *bundledIPFS) pubsub() p2p.PubSub { return b.ps }
func (b *bundledIPFS) peerID() string     { return b.node.Identity.String() }
func (b *bundledIPFS) version() string    { return kuboversion.CurrentVersionNumber }

func (b *bundledIPFS) listenAddrs(context.Context) ([]ma.Multiaddr, error) {
	return withPeerID(b.node.PeerHost.Addrs(), b.node.Identity.String())
}

// close stops the node (if started) and releases the repository.
func (b *bundledIPFS) close() error {
	var errs []error
	if b.node != nil {
		close(b.stopped)
		<-b.loopDone
		b.cancel()
		errs = append(errs, b.node.Close())
	}
	if b.repo != nil {
		// core.IpfsNode.Close closes the repo it was built with; closing twice is harmless
		// for fsrepo and needed when the node never started.
		if err := b.repo.Close(); err != nil && !errors.Is(err, fs.ErrClosed) && b.node == nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func withPeerID(addrs []ma.Multiaddr, id string) ([]ma.Multiaddr, error) {
	p2pPart, err := ma.NewMultiaddr("/p2p/" + id)
	if err != nil {
		return nil, err
	}
	out := make([]ma.Multiaddr, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, a.Encapsulate(p2pPart))
	}
	return out, nil
}

// checkSwarmPorts fails when a fixed TCP port of a swarm address is taken. libp2p binds with
// SO_REUSEPORT, so without this check a second node would silently share the port with the
// first and the kernel would split incoming connections between them.
func checkSwarmPorts(addrs []string) error {
	for _, s := range addrs {
		m, err := ma.NewMultiaddr(s)
		if err != nil {
			return fmt.Errorf("invalid swarm address %q: %w", s, err)
		}
		port, err := m.ValueForProtocol(ma.P_TCP)
		if err != nil || port == "0" {
			continue
		}
		host := "0.0.0.0"
		if v, err := m.ValueForProtocol(ma.P_IP4); err == nil {
			host = v
		} else if v, err := m.ValueForProtocol(ma.P_IP6); err == nil {
			host = v
		}
		l, err := net.Listen("tcp", net.JoinHostPort(host, port))
		if err != nil {
			return fmt.Errorf("swarm address %s: port %s is %w by another process (another IPFS or Ceramic node?)", s, port, ErrInUse)
		}
		l.Close()
	}
	return nil
}

// checkIdentity checks that a configured private key decodes and, when a peer ID is given
// too, that it is the key's; it returns the key's peer ID. Messages never quote the key.
func checkIdentity(id config.IPFSIdentity) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(id.PrivateKey)
	if err != nil {
		return "", errors.New("IPFS_PRIVATE_KEY is not standard base64")
	}
	key, err := crypto.UnmarshalPrivateKey(raw)
	if err != nil {
		return "", fmt.Errorf("IPFS_PRIVATE_KEY is not a libp2p private key: %w", err)
	}
	pid, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return "", fmt.Errorf("IPFS_PRIVATE_KEY: %w", err)
	}
	if id.PeerID != "" && id.PeerID != pid.String() {
		return "", fmt.Errorf("IPFS_PEER_ID %s is not the peer ID of IPFS_PRIVATE_KEY (%s)", id.PeerID, pid)
	}
	return pid.String(), nil
}
