package node

import (
	"context"
	"log/slog"

	"github.com/goceramic/ceramic/api"
	"github.com/goceramic/ceramic/internal/logging"
)

// openLogFiles opens js-ceramic's log files in logger.log-directory when log-to-files is on:
// diagnostics.log receives the node's diagnostics (at logger.log-level), http-access.log one
// line per API request and pubsub.log one line per pubsub event.
func (n *Node) openLogFiles() error {
	lc := n.cfg.Logger
	if !lc.LogToFiles {
		return nil
	}
	level := 2
	if lc.LogLevel != nil {
		level = *lc.LogLevel
	}
	diag, err := logging.OpenFile(lc.LogDirectory, "diagnostics.log", "")
	if err != nil {
		return err
	}
	n.logFiles = append(n.logFiles, diag)
	if n.access, err = logging.OpenFile(lc.LogDirectory, "http-access.log", "http-access"); err != nil {
		return err
	}
	n.logFiles = append(n.logFiles, n.access)
	if n.psLog, err = logging.OpenFile(lc.LogDirectory, "pubsub.log", "pubsub"); err != nil {
		return err
	}
	n.logFiles = append(n.logFiles, n.psLog)
	n.log = slog.New(logging.Tee(n.log.Handler(), logging.FileHandler(diag, logging.Level(level))))
	return nil
}

// logRequest writes an API request to http-access.log and, at debug level, to the console.
func (n *Node) logRequest(rec api.AccessRecord) {
	debug := n.opts.logger.Enabled(context.Background(), slog.LevelDebug)
	if n.access == nil && !debug {
		return
	}
	line := rec.Logfmt()
	if n.access != nil {
		if err := n.access.WriteLine(line); err != nil {
			n.log.Warn("Could not write the access log", "err", err)
		}
	}
	if debug {
		n.opts.logger.Debug("HTTP request", "service", "http-access", "line", line)
	}
}

// logPubsub writes a pubsub event to pubsub.log and, at debug level, to the console.
func (n *Node) logPubsub(line string) {
	if n.psLog != nil {
		if err := n.psLog.WriteLine(line); err != nil {
			n.log.Warn("Could not write the pubsub log", "err", err)
		}
	}
	if n.opts.logger.Enabled(context.Background(), slog.LevelDebug) {
		n.opts.logger.Debug("Pubsub event", "service", "pubsub", "line", line)
	}
}
