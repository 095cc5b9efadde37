package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/goceramic/ceramic/streams"
)

// Backend is what the handlers need from the node. The node implements it and checks that at
// compile time with var _ api.Backend = (*T)(nil). Its methods may be called concurrently and
// must honour context cancellation.
type Backend interface {
	// IPFSOnline reports nil when the IPFS node answers its identity call and has at least
	// one listen address.
	IPFSOnline(ctx context.Context) error
}

// Options configures [NewHandler]. The zero value is usable: any CORS origin, no logging,
// no access records, no metrics, no stream engine (the stream routes answer 501) and no
// admin DIDs (the authenticated admin routes answer 401).
type Options struct {
	// CORSAllowedOrigins are regular expressions (Go RE2 syntax) matched, unanchored, against
	// the request's Origin header. On a match the Origin is echoed in
	// Access-Control-Allow-Origin. nil allows any origin with "*"; an empty non-nil slice
	// allows none (the header is omitted, the request is still served).
	CORSAllowedOrigins []string

	// ReadOnly marks a read-only node (node.readOnly), as the js daemon serves it:
	// POST /streams creates with anchor and publish forced off, POST /commits (and the 2.x
	// POST /records) answer 400 "Method not supported by read only Ceramic",
	// GET /node/chains answers {}, and POST and DELETE /admin/pins/{streamid} answer 404
	// after authenticating the request.
	ReadOnly bool

	// Streams is the stream engine behind the stream, commit, multiquery and pin routes.
	// nil answers those routes with 501.
	Streams Streams

	// AdminDIDs are the DIDs allowed to use the admin API (http-api.admin-dids). A request
	// is let through when its signing key's DID URL (kid), without the #fragment, equals
	// one of them, or, as the js daemon decides it, starts with one of them. Empty entries
	// are ignored. An empty list lets nobody in.
	AdminDIDs []string

	// Status, when set, reports what GET /admin/status returns. nil reports empty values.
	Status func() NodeStatus

	// SupportedChains returns the anchor chains GET /node/chains lists, such as
	// ["eip155:100"] (the node learns them from its anchor service after it starts). They
	// are not reported in read-only mode. nil lists none.
	SupportedChains func() []string

	// SyncOverride is node.sync-override: "prefer-cache", "sync-always" or "never-sync"
	// replaces the sync option of every load and write. Any other value, including "", is
	// ignored, as the js daemon ignores it.
	SyncOverride string

	// Logger receives warnings and errors. nil discards them.
	Logger *slog.Logger

	// OnRequest, when set, is called once per request after the response has been written,
	// for every request including 404s, preflights and errors. It runs on the request's
	// goroutine, so it should not block.
	OnRequest func(AccessRecord)

	// Registerer, when set, receives the HTTP metrics. nil means no metrics. The global
	// registry is never used implicitly, so several handlers can live in one process as long
	// as each gets its own registry.
	Registerer prometheus.Registerer

	// IPFSCheckTimeout bounds each IPFS attempt of the healthcheck. Zero or negative means
	// 10 seconds.
	IPFSCheckTimeout time.Duration
}

// defaultIPFSCheckTimeout is used when Options.IPFSCheckTimeout is not positive.
const defaultIPFSCheckTimeout = 10 * time.Second

// prefix is where the API is mounted inside the handler.
const prefix = "/api/v0"

// NewHandler builds the /api/v0 handler. It returns an error when a CORS origin is not a valid
// regular expression, when the metrics cannot be registered with opts.Registerer (for example
// because another handler already registered them there), or when b is nil.
func NewHandler(opts Options, b Backend) (http.Handler, error) {
	return newHandler(opts, b, nil)
}

// handler is the http.Handler returned by NewHandler.
type handler struct {
	opts        Options
	backend     Backend
	log         *slog.Logger
	cors        *cors
	metrics     *metrics
	mux         *chi.Mux
	routes      *router
	ipfsTimeout time.Duration
	now         func() time.Time

	streams      Streams
	syncOverride *streams.SyncOption // nil when Options.SyncOverride is not applied
	codes        *adminCodes
}

// newHandler is NewHandler with a hook that registers extra routes (tests use it).
func newHandler(opts Options, b Backend, extra func(*router)) (*handler, error) {
	if b == nil {
		return nil, errors.New("api: nil Backend")
	}
	c, err := newCORS(opts.CORSAllowedOrigins)
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	opts.AdminDIDs = slices.Clone(opts.AdminDIDs)
	h := &handler{
		opts:        opts,
		backend:     b,
		log:         opts.Logger,
		cors:        c,
		metrics:     m,
		ipfsTimeout: opts.IPFSCheckTimeout,
		now:         time.Now,
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.ipfsTimeout <= 0 {
		h.ipfsTimeout = defaultIPFSCheckTimeout
	}
	h.streams = opts.Streams
	if h.streams == nil {
		h.streams = noStreams{}
	}
	if s, ok := syncOverrides[opts.SyncOverride]; ok {
		h.syncOverride = &s
	}
	h.codes = newAdminCodes(func() time.Time { return h.now() })
	h.mux = chi.NewMux()
	h.routes = newRouter(h.mux, prefix, h.adapt)
	h.mux.Use(h.routes.canonicalize)
	notFound := h.adapt(route{}, h.notFound)
	h.mux.NotFound(notFound)
	h.mux.MethodNotAllowed(notFound) // Express has no 405: a wrong method is a 404
	h.registerRoutes(h.routes)
	if extra != nil {
		extra(h.routes)
	}
	return h, nil
}

// reqState is the per-request bookkeeping shared by the pipeline, the route adapter and the
// error mapping. It lives in the request context.
type reqState struct {
	id     string
	start  time.Time
	rec    *responseRecorder
	route  route        // zero when no route matched
	path   string       // canonical routing path
	params []RouteParam // decoded route parameters
	err    error        // the error a handler returned, if any
	errMsg string       // message sent (or that would have been sent) to the client
	status int          // status forced by the error mapping (499), else 0
}

type stateKey struct{}

// stateFrom returns the request state, or a fresh one for requests that did not come
// through the handler (tests calling handlers directly).
func stateFrom(ctx context.Context) *reqState {
	if st, ok := ctx.Value(stateKey{}).(*reqState); ok {
		return st
	}
	return &reqState{}
}

// requestID returns the id of the request being served, or "".
func requestID(ctx context.Context) string { return stateFrom(ctx).id }

func newRequestID() string { return fmt.Sprintf("%016x", rand.Uint64()) }

// ServeHTTP runs the pipeline: CORS, then either the preflight answer or the router, then
// metrics and the access record.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	st := &reqState{id: newRequestID(), start: h.now()}
	st.rec = &responseRecorder{ResponseWriter: w, discardBody: r.Method == http.MethodHead}
	r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
	defer h.finish(r, st)

	h.cors.setHeaders(st.rec.Header(), r)
	if r.Method == http.MethodOptions {
		h.cors.preflight(st.rec, r)
		return
	}
	h.serve(st.rec, r)
}

// serve routes the request and turns a panic into a 500, the way Express turns a thrown
// exception into an error response.
func (h *handler) serve(w *responseRecorder, r *http.Request) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		h.log.Error("panic serving request", "request_id", requestID(r.Context()),
			"method", r.Method, "url", r.URL.RequestURI(), "panic", v, "stack", string(debug.Stack()))
		h.writeError(w, r, fmt.Errorf("api: panic: %v", v))
	}()
	h.mux.ServeHTTP(w, r)
}

// finish records metrics and emits the access record once the response is written.
func (h *handler) finish(r *http.Request, st *reqState) {
	elapsed := h.now().Sub(st.start)
	status := st.rec.status
	switch {
	case st.status != 0:
		status = st.status
	case status == 0:
		status = http.StatusOK // nothing written: net/http sends an empty 200
	}
	routeLabel := st.route.pattern
	if r.Method == http.MethodOptions {
		// Preflights never reach the router; label them with the route they target.
		if _, pattern, ok := h.routes.match(r.URL.EscapedPath()); ok {
			routeLabel = pattern
		}
	}
	h.metrics.observe(r.Method, routeLabel, status, elapsed)
	if h.opts.OnRequest == nil {
		return
	}
	rec := AccessRecord{
		RequestID:    st.id,
		ClientIP:     clientIP(r),
		Time:         st.start,
		Method:       r.Method,
		OriginalURL:  r.URL.RequestURI(),
		BaseURL:      st.route.base,
		Path:         r.URL.EscapedPath(),
		Route:        st.route.pattern,
		Params:       st.params,
		HTTPVersion:  strconv.Itoa(r.ProtoMajor) + "." + strconv.Itoa(r.ProtoMinor),
		Status:       status,
		Bytes:        st.rec.bytes,
		ContentType:  st.rec.Header().Get("Content-Type"),
		Referer:      r.Referer(),
		UserAgent:    r.UserAgent(),
		Elapsed:      elapsed,
		ErrorMessage: st.errMsg,
	}
	if st.route.pattern != "" {
		rec.Path = subPath(st.path, st.route.base)
	}
	if st.err != nil {
		rec.ErrorCode = status
	}
	h.opts.OnRequest(rec)
}

// responseRecorder remembers the status and the number of body bytes. For HEAD requests it
// swallows the body (handlers set Content-Length themselves, so HEAD still reports it).
type responseRecorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
	discardBody bool
}

// WriteHeader records the first final status and forwards it.
func (w *responseRecorder) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code) // informational: the final status is still to come
		return
	}
	w.status = code
	w.wroteHeader = true
	w.ResponseWriter.WriteHeader(code)
}

// Write sends body bytes (or counts and drops them for HEAD).
func (w *responseRecorder) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.discardBody {
		w.bytes += int64(len(p))
		return len(p), nil
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Flush lets streaming handlers (server-sent events) push data out.
func (w *responseRecorder) Flush() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap exposes the underlying writer to [http.ResponseController].
func (w *responseRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
