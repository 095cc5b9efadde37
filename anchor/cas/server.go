package cas

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/internal/didjws"
)

// ErrNotFound is returned (possibly wrapped) by [Backend.Get] for a tip the service has no
// request for; the handler answers 404.
var ErrNotFound = errors.New("cas: anchor request not found")

// Backend is the anchor service behind the HTTP handler of [NewHandler]: it stores
// requests, batches and anchors them.
type Backend interface {
	// Submit records an anchor request. created is false when a request for the same tip
	// already existed, whose response is then returned. An error wrapping
	// [ErrInvalidRequest] is answered with 400 and its message; any other error with 500.
	Submit(ctx context.Context, s Submission) (resp *Response, created bool, err error)
	// Get returns the request for tip, or an error wrapping [ErrNotFound].
	Get(ctx context.Context, tip cid.Cid) (*Response, error)
	// SupportedChains returns the CAIP-2 chain ids the service anchors on. js-ceramic nodes
	// require exactly one.
	SupportedChains() []string
}

// DefaultMaxBodyBytes is the request body limit of a handler whose options set none. An
// anchor request CAR holds at most five blocks of at most 256000 bytes each.
const DefaultMaxBodyBytes = 4 << 20

// HandlerOptions configures [NewHandler].
type HandlerOptions struct {
	// AllowedDIDs are the DIDs (did:key, without #fragment) allowed to create and read
	// anchor requests. When empty, no authentication is required. When set, requests to
	// /api/v0/requests must carry "Authorization: Bearer <compact JWS>" made as [DIDAuth]
	// makes it; the service-info and healthcheck routes stay open.
	AllowedDIDs []string
	// Logger receives request failures; nil discards them.
	Logger *slog.Logger
	// MaxBodyBytes bounds request bodies; 0 means [DefaultMaxBodyBytes].
	MaxBodyBytes int64
}

// NewHandler returns the HTTP API of a Ceramic Anchor Service backed by b:
//
//   - POST /api/v0/requests: create an anchor request from a CAR or legacy JSON body (see
//     [DecodeRequest]); 201 with the [Response] when created, 202 when a request for the
//     tip already existed, 400 {"error": …} for an invalid body, 413 for one too large.
//   - GET /api/v0/requests/{cid}: the request for a tip; 400 for a malformed CID, 404 when
//     unknown.
//   - GET /api/v0/service-info/supported_chains: {"supportedChains": […]}.
//   - GET /api/v0/healthcheck: 200 "Alive!".
//
// With [HandlerOptions.AllowedDIDs] set, the two request routes answer 401 {"error": …}
// unless the Authorization header is a valid DID JWS of an allowed DID whose payload has a
// nonce, names the request URL, and (for POST) carries the digest of the body. Only the path
// and query of the signed URL are compared with the request: the client signs the URL it
// sends to, and a reverse proxy or load balancer in front of the service may terminate TLS
// and rewrite the scheme, host and port the handler sees, but it leaves the path and query
// as they are. A token can be replayed for the same URL and body (the payload holds no time);
// that only repeats an idempotent request.
func NewHandler(b Backend, opts HandlerOptions) http.Handler {
	h := &handler{backend: b, opts: opts, log: opts.Logger}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.opts.MaxBodyBytes <= 0 {
		h.opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PathRequests, h.create)
	mux.HandleFunc("GET "+PathRequests+"/{cid}", h.get)
	mux.HandleFunc("GET "+PathSupportedChains, h.supportedChains)
	mux.HandleFunc("GET "+PathHealthcheck, h.healthcheck)
	return mux
}

type handler struct {
	backend Backend
	opts    HandlerOptions
	log     *slog.Logger
}

// authError is a failed authentication, answered with 401.
type authError struct{ msg string }

func (e *authError) Error() string { return e.msg }

// authPayload is the JWS payload of DID authentication.
type authPayload struct {
	URL    string `json:"url"`
	Nonce  string `json:"nonce"`
	Digest string `json:"digest"`
}

// authenticate checks the Authorization header of r when authentication is required, and
// returns the signed payload (nil when no authentication is required).
func (h *handler) authenticate(r *http.Request) (*authPayload, error) {
	if len(h.opts.AllowedDIDs) == 0 {
		return nil, nil
	}
	header := r.Header.Get("Authorization")
	if header == "" {
		return nil, &authError{"missing Authorization header"}
	}
	scheme, token, _ := strings.Cut(strings.TrimSpace(header), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return nil, &authError{"the Authorization header must be 'Bearer <JWS>'"}
	}
	tok, err := didjws.Verify(token)
	if err != nil {
		return nil, &authError{"invalid authorization token: " + err.Error()}
	}
	if !slices.Contains(h.opts.AllowedDIDs, tok.DID) {
		return nil, &authError{fmt.Sprintf("DID %s is not allowed to use this anchor service", tok.DID)}
	}
	var p authPayload
	if err := json.Unmarshal(tok.Payload, &p); err != nil {
		return nil, &authError{"the authorization token's payload is not a JSON object {url, nonce, digest?}"}
	}
	if p.Nonce == "" {
		return nil, &authError{"the authorization token has no nonce"}
	}
	signed, err := url.Parse(p.URL)
	if err != nil || p.URL == "" {
		return nil, &authError{"the authorization token has no valid url"}
	}
	if signed.Path != r.URL.Path || signed.RawQuery != r.URL.RawQuery {
		return nil, &authError{fmt.Sprintf("the authorization token was signed for %s, not for this request", truncate(p.URL, 200))}
	}
	return &p, nil
}

func (h *handler) create(w http.ResponseWriter, r *http.Request) {
	auth, err := h.authenticate(r)
	if err != nil {
		h.fail(w, r, http.StatusUnauthorized, err.Error(), nil)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.opts.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.fail(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", h.opts.MaxBodyBytes), nil)
			return
		}
		h.fail(w, r, http.StatusBadRequest, "can not read the request body", err)
		return
	}
	var checkDigest func(string) error
	if auth != nil {
		checkDigest = func(digest string) error {
			if !digestsEqual(auth.Digest, digest) {
				return &authError{"the authorization token's digest does not match the request body"}
			}
			return nil
		}
	}
	sub, err := decodeRequest(r.Header.Get("Content-Type"), body, checkDigest)
	if err != nil {
		var ae *authError
		if errors.As(err, &ae) {
			h.fail(w, r, http.StatusUnauthorized, ae.msg, nil)
		} else {
			h.fail(w, r, http.StatusBadRequest, err.Error(), nil)
		}
		return
	}
	if sub.Timestamp.IsZero() {
		sub.Timestamp = time.Now().UTC()
	}
	resp, created, err := h.backend.Submit(r.Context(), sub)
	switch {
	case errors.Is(err, ErrInvalidRequest):
		h.fail(w, r, http.StatusBadRequest, err.Error(), nil)
		return
	case err != nil:
		h.fail(w, r, http.StatusInternalServerError, "internal error", err)
		return
	case resp == nil:
		h.fail(w, r, http.StatusInternalServerError, "internal error", errors.New("the backend returned no response"))
		return
	}
	status := http.StatusAccepted
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, resp)
}

// digestsEqual compares the signed digest with the body's: CIDs by value (any multibase),
// hex digests as strings.
func digestsEqual(signed, actual string) bool {
	if signed == actual {
		return true
	}
	a, errA := cid.Decode(signed)
	b, errB := cid.Decode(actual)
	return errA == nil && errB == nil && a.Equals(b)
}

func (h *handler) get(w http.ResponseWriter, r *http.Request) {
	if _, err := h.authenticate(r); err != nil {
		h.fail(w, r, http.StatusUnauthorized, err.Error(), nil)
		return
	}
	raw := r.PathValue("cid")
	tip, err := cid.Decode(raw)
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, fmt.Sprintf("%q is not a CID: %v", truncate(raw, 120), err), nil)
		return
	}
	resp, err := h.backend.Get(r.Context(), tip)
	switch {
	case errors.Is(err, ErrNotFound):
		h.fail(w, r, http.StatusNotFound, fmt.Sprintf("no anchor request for CID %s", tip), nil)
		return
	case err != nil:
		h.fail(w, r, http.StatusInternalServerError, "internal error", err)
		return
	case resp == nil:
		h.fail(w, r, http.StatusInternalServerError, "internal error", errors.New("the backend returned no response"))
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (h *handler) supportedChains(w http.ResponseWriter, _ *http.Request) {
	chains := h.backend.SupportedChains()
	if chains == nil {
		chains = []string{}
	}
	writeJSON(w, http.StatusOK, map[string][]string{"supportedChains": chains})
}

func (h *handler) healthcheck(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "Alive!")
}

// fail answers {"error": msg} with status and logs the failure (with its cause, when given).
func (h *handler) fail(w http.ResponseWriter, r *http.Request, status int, msg string, cause error) {
	level := slog.LevelDebug
	if status >= 500 {
		level = slog.LevelError
	}
	attrs := []any{"method", r.Method, "path", r.URL.Path, "status", status, "error", msg}
	if cause != nil {
		attrs = append(attrs, "cause", cause.Error())
	}
	h.log.Log(r.Context(), level, "anchor service request failed", attrs...)
	writeJSON(w, status, map[string]string{"error": msg})
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		data = []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}
