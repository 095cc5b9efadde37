package node

import (
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Option injects a live dependency into a node.
type Option func(*nodeOptions)

type nodeOptions struct {
	logger     *slog.Logger
	registerer prometheus.Registerer
	gatherer   prometheus.Gatherer
	// anchorPoll, when set, replaces the first wait between anchor status requests (tests).
	anchorPoll time.Duration
}

// WithLogger sets the logger for the node's diagnostics. Without it the node logs nothing to
// the console (log files, when configured, are still written).
func WithLogger(l *slog.Logger) Option { return func(o *nodeOptions) { o.logger = l } }

// WithRegisterer sets where the node registers its Prometheus metrics. If r is also a
// prometheus.Gatherer (a *prometheus.Registry is), the metrics exporter serves it. Without
// this option the node uses a registry of its own, never the global one.
func WithRegisterer(r prometheus.Registerer) Option {
	return func(o *nodeOptions) {
		o.registerer = r
		if g, ok := r.(prometheus.Gatherer); ok {
			o.gatherer = g
		}
	}
}
