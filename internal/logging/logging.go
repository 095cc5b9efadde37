// Package logging builds the node's loggers: logfmt console output through log/slog, and the
// js-ceramic log files (diagnostics.log, http-access.log, pubsub.log) when log-to-files is on.
//
// Levels follow js-ceramic's logger.log-level: 0 verbose, 1 debug, 2 important (info),
// 3 warnings and errors only.
package logging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// utcDate is the format of JavaScript's Date.toUTCString, used by js-ceramic log lines.
const utcDate = "Mon, 02 Jan 2006 15:04:05 GMT"

// LevelVerbose is below slog's Debug; it carries js-ceramic's "verbose" messages.
const LevelVerbose = slog.Level(-8)

// Level maps a js-ceramic log level (0–3) to a slog level. Out-of-range values clamp.
func Level(logLevel int) slog.Level {
	switch {
	case logLevel <= 0:
		return LevelVerbose
	case logLevel == 1:
		return slog.LevelDebug
	case logLevel == 2:
		return slog.LevelInfo
	default:
		return slog.LevelWarn
	}
}

// NewConsole returns a logfmt logger writing to w at the given level.
func NewConsole(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: levelNames}))
}

// Discard is a logger that drops everything.
func Discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func levelNames(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.LevelKey {
		if l, ok := a.Value.Any().(slog.Level); ok && l <= LevelVerbose {
			return slog.String(slog.LevelKey, "VERBOSE")
		}
	}
	return a
}

// Tee returns a handler that sends each record to every handler that is enabled for it.
func Tee(handlers ...slog.Handler) slog.Handler {
	var hs []slog.Handler
	for _, h := range handlers {
		if h != nil {
			hs = append(hs, h)
		}
	}
	if len(hs) == 1 {
		return hs[0]
	}
	return teeHandler(hs)
}

type teeHandler []slog.Handler

func (t teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range t {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (t teeHandler) Handle(ctx context.Context, r slog.Record) error {
	var errs []error
	for _, h := range t {
		if h.Enabled(ctx, r.Level) {
			errs = append(errs, h.Handle(ctx, r.Clone()))
		}
	}
	return errors.Join(errs...)
}

func (t teeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(teeHandler, len(t))
	for i, h := range t {
		out[i] = h.WithAttrs(as)
	}
	return out
}

func (t teeHandler) WithGroup(name string) slog.Handler {
	out := make(teeHandler, len(t))
	for i, h := range t {
		out[i] = h.WithGroup(name)
	}
	return out
}

// File is an append-only log file whose lines start with "[<RFC1123 UTC date>] ", the prefix
// js-ceramic's log files use. It is safe for concurrent use.
type File struct {
	mu      sync.Mutex
	f       *os.File
	service string // when set, each line reads "[date] service=<name> <message>"
	now     func() time.Time
}

// OpenFile opens (creating as needed, with its directory) dir/name for appending.
// A non-empty service adds "service=<service>" after the date, as js-ceramic's service logs do.
func OpenFile(dir, name, service string) (*File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("logging: create log directory %s: %w", dir, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("logging: open log file: %w", err)
	}
	return &File{f: f, service: service, now: time.Now}, nil
}

// WriteLine appends one line (a trailing newline in msg is dropped).
func (l *File) WriteLine(msg string) error {
	for len(msg) > 0 && msg[len(msg)-1] == '\n' {
		msg = msg[:len(msg)-1]
	}
	prefix := "[" + l.now().UTC().Format(utcDate) + "] "
	if l.service != "" {
		prefix += "service=" + l.service + " "
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return os.ErrClosed
	}
	_, err := io.WriteString(l.f, prefix+msg+"\n")
	return err
}

// Write implements io.Writer: each call is one or more lines, each written with the prefix.
func (l *File) Write(p []byte) (int, error) {
	s := string(p)
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		if err := l.WriteLine(s[:i]); err != nil {
			return 0, err
		}
		if i < len(s) {
			i++
		}
		s = s[i:]
	}
	return len(p), nil
}

// Close closes the file. Later writes fail with os.ErrClosed.
func (l *File) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// FileHandler is a slog handler that writes logfmt records, without the time attribute (the
// line prefix carries the date), to a File.
func FileHandler(f *File, level slog.Leveler) slog.Handler {
	return slog.NewTextHandler(f, &slog.HandlerOptions{Level: level, ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return levelNames(groups, a)
	}})
}
