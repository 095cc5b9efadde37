package p2p

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// PubSub is the publish/subscribe transport the Ceramic topic runs on. Implementations must
// sign what they publish (libp2p StrictSign) and report the sender of what they deliver.
type PubSub interface {
	Publish(ctx context.Context, topic string, data []byte) error
	Subscribe(ctx context.Context, topic string) (Subscription, error)
	// Peers lists the peer IDs subscribed to topic that this node knows of.
	Peers(ctx context.Context, topic string) ([]string, error)
}

// Subscription delivers the messages of one topic until it is closed.
type Subscription interface {
	Next(ctx context.Context) (Delivery, error)
	Close() error
}

// Delivery is one pubsub message as the transport hands it over.
type Delivery struct {
	From string // sender's peer ID
	Data []byte
}

// Received is a decoded message and the peer that sent it.
type Received struct {
	From    string
	Message Message
}

// Config configures a Service.
type Config struct {
	Topic string
	// SelfID is this node's peer ID; its own messages are ignored.
	SelfID string
	// Version and IPFSVersion are announced in keepalives.
	Version, IPFSVersion string
	// KeepaliveInterval: a keepalive is sent when nothing was published for this long.
	// Default 30s.
	KeepaliveInterval time.Duration
	// ResubscribeDelay is the pause before resubscribing after the subscription fails. Default 1s,
	// doubling to 15s.
	ResubscribeDelay time.Duration
	// PeerPollInterval is how often the topic's peers are listed to greet newcomers with a
	// keepalive. Default 2s.
	PeerPollInterval time.Duration
	// MaxMessageSize: larger payloads are dropped undecoded (counted with reason "oversized").
	// Default 64 KiB, far above any Ceramic message (a RESPONSE carries one stream's tip);
	// negative means no limit.
	MaxMessageSize int
	Logger         *slog.Logger
	// EventLog, when set, receives one logfmt line per pubsub event (js-ceramic's pubsub.log).
	EventLog func(line string)
	// Registerer, when set, receives the message counters.
	Registerer prometheus.Registerer
}

// DefaultMaxMessageSize is the default [Config.MaxMessageSize].
const DefaultMaxMessageSize = 64 << 10

// Service keeps the node subscribed to the network topic. It is safe for concurrent use.
type Service struct {
	ps  PubSub
	cfg Config
	log *slog.Logger

	messages chan Received

	mu            sync.Mutex
	lastPublished time.Time

	received *prometheus.CounterVec
	dropped  *prometheus.CounterVec
	sent     *prometheus.CounterVec

	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// New returns a Service for the given transport. Call Start to subscribe.
func New(ps PubSub, cfg Config) (*Service, error) {
	if cfg.KeepaliveInterval <= 0 {
		cfg.KeepaliveInterval = 30 * time.Second
	}
	if cfg.ResubscribeDelay <= 0 {
		cfg.ResubscribeDelay = time.Second
	}
	if cfg.PeerPollInterval <= 0 {
		cfg.PeerPollInterval = 2 * time.Second
	}
	if cfg.MaxMessageSize == 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	lg := cfg.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	s := &Service{
		ps: ps, cfg: cfg, log: lg.With("component", "pubsub", "topic", cfg.Topic),
		messages: make(chan Received, 256),
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ceramic_pubsub_messages_received_total", Help: "Valid Ceramic pubsub messages received, by type.",
		}, []string{"type"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ceramic_pubsub_messages_dropped_total", Help: "Pubsub messages dropped, by reason.",
		}, []string{"reason"}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ceramic_pubsub_messages_published_total", Help: "Ceramic pubsub messages published, by type.",
		}, []string{"type"}),
	}
	if cfg.Registerer != nil {
		for _, c := range []prometheus.Collector{s.received, s.dropped, s.sent} {
			if err := cfg.Registerer.Register(c); err != nil {
				return nil, fmt.Errorf("p2p: register metrics: %w", err)
			}
		}
	}
	return s, nil
}

// Topic is the pubsub topic the service runs on.
func (s *Service) Topic() string { return s.cfg.Topic }

// Messages delivers the valid messages other peers send. When the consumer falls behind,
// messages are dropped (and counted) rather than blocking the subscription.
func (s *Service) Messages() <-chan Received { return s.messages }

// Start subscribes to the topic. A failure to subscribe the first time is returned; later
// failures are retried in the background until Close.
func (s *Service) Start(ctx context.Context) error {
	sub, err := s.ps.Subscribe(ctx, s.cfg.Topic)
	if err != nil {
		return fmt.Errorf("p2p: subscribe to %s: %w", s.cfg.Topic, err)
	}
	s.event("subscribed", nil, "")
	s.log.Info("Subscribed to pubsub topic")
	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.wg.Add(2)
	go func() { defer s.wg.Done(); s.receiveLoop(runCtx, sub) }()
	go func() { defer s.wg.Done(); s.keepaliveLoop(runCtx) }()
	return nil
}

// Close leaves the topic and waits for the service's goroutines. It is idempotent.
func (s *Service) Close() error {
	s.once.Do(func() {
		if s.cancel != nil {
			s.cancel()
		}
		s.wg.Wait()
		close(s.messages)
	})
	return nil
}

// Publish sends a message on the topic.
func (s *Service) Publish(ctx context.Context, m Message) error {
	data, err := Encode(m)
	if err != nil {
		return err
	}
	if err := s.ps.Publish(ctx, s.cfg.Topic, data); err != nil {
		s.event("publish-error", &m, "")
		return fmt.Errorf("p2p: publish %s: %w", m.Type, err)
	}
	s.mu.Lock()
	s.lastPublished = time.Now()
	s.mu.Unlock()
	s.sent.WithLabelValues(m.Type.String()).Inc()
	s.event("published", &m, "")
	return nil
}

func (s *Service) receiveLoop(ctx context.Context, sub Subscription) {
	delay := s.cfg.ResubscribeDelay
	for {
		for {
			d, err := sub.Next(ctx)
			if err != nil {
				if ctx.Err() != nil {
					_ = sub.Close()
					return
				}
				s.log.Warn("Pubsub subscription failed; resubscribing", "err", err, "delay", delay)
				_ = sub.Close()
				break
			}
			delay = s.cfg.ResubscribeDelay
			s.handle(d)
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(delay):
			}
			var err error
			sub, err = s.ps.Subscribe(ctx, s.cfg.Topic)
			if err == nil {
				s.event("subscribed", nil, "")
				s.log.Info("Resubscribed to pubsub topic")
				break
			}
			if ctx.Err() != nil {
				return
			}
			s.log.Warn("Pubsub resubscription failed", "err", err)
			delay = min(delay*2, 15*time.Second)
		}
	}
}

func (s *Service) handle(d Delivery) {
	if d.From == s.cfg.SelfID {
		return
	}
	if s.cfg.MaxMessageSize > 0 && len(d.Data) > s.cfg.MaxMessageSize {
		s.dropped.WithLabelValues("oversized").Inc()
		s.log.Debug("Dropped oversized pubsub message", "from", d.From, "size", len(d.Data))
		return
	}
	m, err := Decode(d.Data)
	if err != nil {
		s.dropped.WithLabelValues("malformed").Inc()
		s.log.Debug("Dropped malformed pubsub message", "from", d.From, "err", err)
		return
	}
	s.received.WithLabelValues(m.Type.String()).Inc()
	s.event("received", &m, d.From)
	select {
	case s.messages <- Received{From: d.From, Message: m}:
	default:
		s.dropped.WithLabelValues("backlog").Inc()
	}
}

// keepaliveLoop sends a keepalive when nothing was published for KeepaliveInterval, and
// greets peers that newly joined the topic, so that they learn of this node promptly.
func (s *Service) keepaliveLoop(ctx context.Context) {
	check := time.NewTicker(min(s.cfg.KeepaliveInterval, s.cfg.PeerPollInterval))
	defer check.Stop()
	known := map[string]bool{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-check.C:
		}
		greet := false
		if peers, err := s.ps.Peers(ctx, s.cfg.Topic); err == nil {
			current := make(map[string]bool, len(peers))
			for _, p := range peers {
				current[p] = true
				if !known[p] {
					greet = true
				}
			}
			known = current
		}
		s.mu.Lock()
		idle := time.Since(s.lastPublished) >= s.cfg.KeepaliveInterval
		s.mu.Unlock()
		if greet || idle {
			ka := Message{Type: TypeKeepalive, Timestamp: time.Now().UnixMilli(), Version: s.cfg.Version, IPFSVersion: s.cfg.IPFSVersion}
			if err := s.Publish(ctx, ka); err != nil && ctx.Err() == nil {
				s.log.Debug("Keepalive not sent", "err", err)
			}
		}
	}
}

// event writes one pubsub.log line: peer=<self> event=<e> topic=<t> [from=<peer>] message.<k>=<v>…
func (s *Service) event(name string, m *Message, from string) {
	if s.cfg.EventLog == nil {
		return
	}
	var b strings.Builder
	b.WriteString("peer=" + s.cfg.SelfID + " event=" + name + " topic=" + logfmtValue(s.cfg.Topic))
	if from != "" {
		b.WriteString(" from=" + from)
	}
	if m != nil {
		fields := [][2]string{{"typ", strconv.Itoa(int(m.Type))}}
		add := func(k, v string) {
			if v != "" {
				fields = append(fields, [2]string{k, v})
			}
		}
		add("stream", m.Stream)
		add("tip", m.Tip)
		add("model", m.Model)
		add("id", m.ID)
		if m.Type == TypeKeepalive {
			add("ts", strconv.FormatInt(m.Timestamp, 10))
			add("ver", m.Version)
			add("ipfsVer", m.IPFSVersion)
		}
		keys := make([]string, 0, len(m.Tips))
		for k := range m.Tips {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			add("tips."+k, m.Tips[k])
		}
		for _, f := range fields {
			b.WriteString(" message." + f[0] + "=" + logfmtValue(f[1]))
		}
	}
	s.cfg.EventLog(b.String())
}

func logfmtValue(v string) string {
	if v == "" || strings.ContainsAny(v, " =\"\t\n") {
		return strconv.Quote(v)
	}
	return v
}
