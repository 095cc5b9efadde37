package node

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/anchor"
	"github.com/goceramic/ceramic/anchor/cas"
	"github.com/goceramic/ceramic/anchor/ethereum"
	"github.com/goceramic/ceramic/anchor/service"
	"github.com/goceramic/ceramic/config"
	"github.com/goceramic/ceramic/internal/logging"
	"github.com/goceramic/ceramic/statestore"
	fsstore "github.com/goceramic/ceramic/statestore/fs"
	"github.com/goceramic/ceramic/statestore/mem"
	"github.com/goceramic/ceramic/streams/streamid"
)

// AnchorService is the built-in anchor service in Ethereum mode: it batches anchor requests,
// anchors each batch's Merkle root with one anchorDagCbor(bytes32) transaction, and makes
// the anchor commits and witnesses that Ceramic nodes (js-ceramic included) verify. A node
// with anchor-service.enabled runs one for itself; `ceramic anchor-service` runs one alone,
// serving the Ceramic Anchor Service HTTP API. Its requests are kept in a LevelDB store, so
// a restart loses none.
type AnchorService struct {
	cfg    config.Config
	log    *slog.Logger
	key    *ecdsa.PrivateKey
	blocks service.BlockPutter
	// onComplete is told when a batch completes (the node's requester then polls at once).
	onComplete func()

	store  statestore.Store
	sender *ethereum.Sender
	svc    *service.Service

	mu   sync.Mutex
	srv  *http.Server
	addr net.Addr
	wg   sync.WaitGroup
}

// NewAnchorService prepares the anchor service of cfg.AnchorService: it reads the sending
// account's key and opens the request store. Nothing connects until Start.
func NewAnchorService(cfg config.Config, opts ...Option) (*AnchorService, error) {
	if !cfg.AnchorService.Enabled {
		return nil, errors.New("anchor-service.enabled is not set")
	}
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
	a := &AnchorService{cfg: cfg, log: o.logger.With("component", "anchor-service")}
	key, err := anchorKey(cfg.AnchorService)
	if err != nil {
		return nil, err
	}
	a.key = key
	if dir := cfg.AnchorServiceDirectory(); dir != "" {
		st, err := fsstore.Open(dir, &fsstore.Options{Logger: a.log})
		if err != nil {
			if errors.Is(err, fsstore.ErrLocked) {
				return nil, fmt.Errorf("anchor service store %s is %w by another process", dir, ErrInUse)
			}
			return nil, fmt.Errorf("open anchor service store: %w", err)
		}
		a.store = st
	} else {
		a.store = mem.New()
	}
	return a, nil
}

// anchorKey reads the sending account's private key: CERAMIC_ANCHOR_SERVICE_PRIVATE_KEY (put
// in PrivateKey by config.Load), else anchor-service.private-key-file. Messages never quote
// the key.
func anchorKey(c config.AnchorService) (*ecdsa.PrivateKey, error) {
	raw, from := c.PrivateKey, "CERAMIC_ANCHOR_SERVICE_PRIVATE_KEY"
	if raw == "" {
		data, err := os.ReadFile(c.PrivateKeyFile)
		if err != nil {
			return nil, fmt.Errorf("anchor-service.private-key-file: %w", err)
		}
		raw, from = strings.TrimSpace(string(data)), "anchor-service.private-key-file "+c.PrivateKeyFile
	}
	key, err := ethereum.ParsePrivateKey(raw)
	if err != nil {
		return nil, fmt.Errorf("invalid anchor service key in %s: %w", from, err)
	}
	return key, nil
}

// Start connects to the chain (its endpoint must answer, and serve anchor-service.chain-id
// when that is set), resumes the stored requests and, with anchor-service.port, serves the
// CAS HTTP API.
func (a *AnchorService) Start(ctx context.Context) error {
	ac := a.cfg.AnchorService
	var chainID int64
	if ac.ChainID != "" {
		id, err := ethereum.ParseChainID(ac.ChainID)
		if err != nil {
			return fmt.Errorf("anchor-service.chain-id: %w", err)
		}
		chainID = id
	}
	var contract common.Address
	if ac.ContractAddress != "" {
		contract = common.HexToAddress(ac.ContractAddress)
	}
	sender, err := ethereum.NewSender(ctx, ethereum.SenderConfig{
		RPCURL:        a.cfg.AnchorServiceRPCURL(),
		ChainID:       chainID,
		Key:           a.key,
		Contract:      contract,
		Confirmations: uint64(max(ac.Confirmations, 1)),
		Logger:        a.log,
	})
	if err != nil {
		return fmt.Errorf("anchor service: %w", err)
	}
	a.sender = sender
	interval := time.Duration(ac.IntervalSeconds) * time.Second
	if interval <= 0 {
		interval = service.DefaultInterval
	}
	a.svc, err = service.New(service.Config{
		Chain:    anchor.EthereumChain{Sender: sender},
		Store:    a.store,
		Interval: interval,
		MaxBatch: ac.MaxBatch,
		Blocks:   a.blocks,
		Logger:   a.log,
		OnComplete: func(service.Record) {
			if a.onComplete != nil {
				a.onComplete()
			}
		},
	})
	if err != nil {
		return fmt.Errorf("anchor service: %w", err)
	}
	a.svc.Start(context.Background())
	a.log.Info("Anchor service running", "chain", a.ChainID(), "account", sender.Address().Hex(), "interval", interval.String())
	if ac.Port != nil {
		host := ac.Hostname
		if host == "" {
			host = "0.0.0.0"
		}
		addr := net.JoinHostPort(host, strconv.Itoa(int(*ac.Port)))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			if errors.Is(err, errAddrInUse) {
				return fmt.Errorf("anchor service address %s is %w by another process", addr, ErrInUse)
			}
			return fmt.Errorf("listen for the anchor service on %s: %w", addr, err)
		}
		srv := &http.Server{
			Handler:           cas.NewHandler(anchor.CASServer{Service: a.svc}, cas.HandlerOptions{AllowedDIDs: ac.AllowedDIDs, Logger: a.log}),
			ReadHeaderTimeout: 30 * time.Second,
			ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelDebug),
		}
		a.mu.Lock()
		a.srv, a.addr = srv, ln.Addr()
		a.mu.Unlock()
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				a.log.Error("Anchor service API stopped", "err", err)
			}
		}()
		a.log.Info("Anchor service API listening", "addr", ln.Addr().String())
	}
	return nil
}

// ChainID is the chain the service anchors on, as CAIP-2; "" before Start.
func (a *AnchorService) ChainID() string {
	if a.sender == nil {
		return ""
	}
	return anchor.EthereumChain{Sender: a.sender}.ChainID()
}

// Addr is the address of the CAS HTTP API; nil when it is not served.
func (a *AnchorService) Addr() net.Addr {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.addr
}

// Service is the running service (nil before Start).
func (a *AnchorService) Service() *service.Service { return a.svc }

// Close stops the API and the batch loop (a batch waiting for its transaction is abandoned
// and anchored again after a restart) and closes the store.
func (a *AnchorService) Close() error {
	var errs []error
	a.mu.Lock()
	srv := a.srv
	a.mu.Unlock()
	if srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, srv.Shutdown(ctx))
		cancel()
	}
	a.wg.Wait()
	if a.svc != nil {
		errs = append(errs, a.svc.Close())
	}
	if a.sender != nil {
		errs = append(errs, a.sender.Close())
	}
	if a.store != nil {
		errs = append(errs, a.store.Close())
	}
	return errors.Join(errs...)
}

// builtinService is the node's own AnchorService, used in process.
type builtinService struct {
	*AnchorService
	n *Node
}

func newBuiltinService(n *Node) (*builtinService, error) {
	a, err := NewAnchorService(n.cfg, WithLogger(n.log))
	if err != nil {
		return nil, err
	}
	a.blocks = ipfsBlocks{n}
	b := &builtinService{AnchorService: a, n: n}
	a.onComplete = func() {
		if r := n.anchoring.requester; r != nil {
			r.Poll()
		}
	}
	return b, nil
}

func (b *builtinService) start(ctx context.Context) error { return b.Start(ctx) }

func (b *builtinService) chain() string { return b.ChainID() }

func (b *builtinService) close() error { return b.Close() }

// url is what the admin status reports as the anchor service: the API it serves, if any.
func (b *builtinService) url() any {
	if addr := b.Addr(); addr != nil {
		return "http://" + addr.String()
	}
	return "built-in"
}

// backend is the requester's view of the service. The service starts with the node, after
// the requester is made, so the backend reads it when it is used.
func (b *builtinService) backend() anchor.Backend {
	return lazyServiceBackend{b}
}

type lazyServiceBackend struct{ b *builtinService }

func (l lazyServiceBackend) Submit(ctx context.Context, s anchor.Submission) (anchor.Outcome, error) {
	if l.b.svc == nil {
		return anchor.Outcome{}, fmt.Errorf("%w: the built-in anchor service is not started", anchor.ErrUnavailable)
	}
	return anchor.ServiceBackend{Service: l.b.svc}.Submit(ctx, s)
}

func (l lazyServiceBackend) Status(ctx context.Context, id streamid.StreamID, tip cid.Cid) (anchor.Outcome, error) {
	if l.b.svc == nil {
		return anchor.Outcome{}, fmt.Errorf("%w: the built-in anchor service is not started", anchor.ErrUnavailable)
	}
	return anchor.ServiceBackend{Service: l.b.svc}.Status(ctx, id, tip)
}
