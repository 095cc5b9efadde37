package cas

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/internal/buildinfo"
	"github.com/goceramic/ceramic/internal/didjws"
)

// API paths of a Ceramic Anchor Service.
const (
	// PathRequests is where anchor requests are created (POST) and, followed by
	// "/<tip CID>", read (GET).
	PathRequests = "/api/v0/requests"
	// PathSupportedChains lists the chains the service anchors on (GET).
	PathSupportedChains = "/api/v0/service-info/supported_chains"
	// PathHealthcheck answers 200 "Alive!" (GET).
	PathHealthcheck = "/api/v0/healthcheck"
)

// MaxResponseBytes bounds the response bodies the [Client] reads. A witness CAR holds an
// anchor commit, a proof and one Merkle node per tree level, a few kilobytes.
const MaxResponseBytes = 8 << 20

// DefaultTimeout is the timeout of the HTTP client a [Client] uses unless given one.
const DefaultTimeout = 60 * time.Second

// ErrUnavailable is wrapped by every [Client] error worth retrying later: the service could
// not be reached, timed out, or answered 5xx or 429 Too Many Requests. (The error also wraps
// the cause, such as context.DeadlineExceeded.)
var ErrUnavailable = errors.New("cas: anchor service unavailable")

// HTTPError is the error of a [Client] call that the anchor service refused with a 4xx
// status other than 429: retrying the same request will not help.
type HTTPError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Message is the service's explanation: the "error" of a {"error": …} body, else the
	// start of the body, else the status text.
	Message string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("cas: the anchor service answered %d: %s", e.StatusCode, e.Message)
}

// Authenticator makes the Authorization header of a request to an anchor service.
type Authenticator interface {
	// Authorization returns the Authorization header value for a request to url (the full
	// URL). digest identifies the body: the CAR root CID string for CAR bodies,
	// "0x" + hex(sha256(body)) for JSON bodies, "" for requests without a body.
	Authorization(url string, digest string) (string, error)
}

// DIDAuth authenticates requests as js-ceramic's "did" anchor service auth method does: the
// header is "Bearer <compact JWS>", signed by the node's DID, over the JSON payload
// {"url": <full request URL>, "nonce": <random UUID v4>, "digest": <digest>}, with digest
// left out for requests without a body.
type DIDAuth struct {
	// Signer is the node's DID signer.
	Signer *didjws.Signer
}

// Authorization implements [Authenticator].
func (a DIDAuth) Authorization(url, digest string) (string, error) {
	if a.Signer == nil {
		return "", errors.New("cas: DIDAuth has no signer")
	}
	payload := map[string]string{"url": url, "nonce": newUUID()}
	if digest != "" {
		payload["digest"] = digest
	}
	token, err := a.Signer.SignJSON(payload)
	if err != nil {
		return "", err
	}
	return "Bearer " + token, nil
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// jsonDigest is the digest of a JSON body in DID authentication: "0x" + hex(sha256(body)).
func jsonDigest(body []byte) string {
	sum := sha256.Sum256(body)
	return "0x" + hex.EncodeToString(sum[:])
}

// Option configures a [Client].
type Option func(*Client)

// WithAuthenticator makes the client authorize every request with a.
func WithAuthenticator(a Authenticator) Option { return func(c *Client) { c.auth = a } }

// WithHTTPClient makes the client send requests with hc instead of a client with
// [DefaultTimeout].
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.http = hc } }

// WithUserAgent sets the User-Agent header of requests.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// Client talks to a Ceramic Anchor Service over HTTP, as js-ceramic 3.x does.
//
// Errors come in three kinds, so that callers can retry what is worth retrying: errors
// wrapping [ErrUnavailable] (transport failures, timeouts, 5xx, 429) are transient; a
// [*HTTPError] (other non-2xx statuses) is permanent; and a 2xx answer that is an
// {"error": …} body, or cannot be understood, is not an error but a [Response] with status
// FAILED and the reason as its message, as js-ceramic treats it.
type Client struct {
	base      string
	auth      Authenticator
	http      *http.Client
	userAgent string
}

// NewClient returns a client of the anchor service at baseURL (an http or https URL such as
// "https://cas.3boxlabs.com"; trailing slashes are ignored).
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	base := strings.TrimRight(baseURL, "/")
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("cas: invalid anchor service URL %q: %w", baseURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("cas: invalid anchor service URL %q: need an http or https URL with a host", baseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("cas: invalid anchor service URL %q: it must have no query or fragment", baseURL)
	}
	c := &Client{base: base, userAgent: "goceramic/" + buildinfo.Version()}
	for _, o := range opts {
		o(c)
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: DefaultTimeout}
	}
	return c, nil
}

// BaseURL returns the service URL, without trailing slashes.
func (c *Client) BaseURL() string { return c.base }

// SupportedChains returns the chains the service anchors on (CAIP-2 ids such as
// "eip155:1"), from GET /api/v0/service-info/supported_chains. js-ceramic requires exactly
// one; checking that is left to the caller. A 2xx body without a list of strings is an error
// that is neither [ErrUnavailable] nor [*HTTPError].
func (c *Client) SupportedChains(ctx context.Context) ([]string, error) {
	body, err := c.do(ctx, http.MethodGet, PathSupportedChains, "", nil, "")
	if err != nil {
		return nil, err
	}
	var out struct {
		SupportedChains []string `json:"supportedChains"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.SupportedChains == nil {
		return nil, fmt.Errorf("cas: the supported chains response %q is not {\"supportedChains\": [...]}", truncate(string(body), 200))
	}
	return out.SupportedChains, nil
}

// Create requests an anchor of req.Tip: POST /api/v0/requests with the CAR of
// [EncodeRequest]. A successful answer (201 for a new request, 202 when the service already
// had one for the tip) gives the request's status, usually PENDING.
func (c *Client) Create(ctx context.Context, req Request) (*Response, error) {
	body, root, err := EncodeRequest(req)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, http.MethodPost, PathRequests, ContentTypeCAR, body, root.String())
	if err != nil && !errors.Is(err, errTooLarge) {
		return nil, err
	}
	return parseResponse(resp, err, req.Tip, req.StreamID.String()), nil
}

// Get returns the status of the anchor request for tip: GET /api/v0/requests/<tip>. An
// unknown tip is a [*HTTPError] with status 404.
func (c *Client) Get(ctx context.Context, tip cid.Cid) (*Response, error) {
	if !tip.Defined() {
		return nil, errors.New("cas: undefined tip CID")
	}
	resp, err := c.do(ctx, http.MethodGet, PathRequests+"/"+tip.String(), "", nil, "")
	if err != nil && !errors.Is(err, errTooLarge) {
		return nil, err
	}
	return parseResponse(resp, err, tip, ""), nil
}

// errTooLarge is returned by do for a 2xx body larger than MaxResponseBytes.
var errTooLarge = fmt.Errorf("cas: the response is larger than %d bytes", MaxResponseBytes)

// do sends a request and returns the body of a 2xx answer. For a 2xx body that is too large
// it returns errTooLarge, which Create and Get report as for any unusable body.
func (c *Client) do(ctx context.Context, method, path, contentType string, body []byte, digest string) ([]byte, error) {
	target := c.base + path
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return nil, fmt.Errorf("cas: %w", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if c.auth != nil {
		h, err := c.auth.Authorization(target, digest)
		if err != nil {
			return nil, fmt.Errorf("cas: authorize the request: %w", err)
		}
		req.Header.Set("Authorization", h)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %s %s: %w", ErrUnavailable, method, target, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s %s: reading the response: %w", ErrUnavailable, method, target, err)
	}
	tooLarge := len(data) > MaxResponseBytes
	if tooLarge {
		data = data[:MaxResponseBytes]
	}
	switch code := res.StatusCode; {
	case code >= 200 && code < 300:
		if tooLarge {
			return nil, errTooLarge
		}
		return data, nil
	case code >= 500 || code == http.StatusTooManyRequests:
		return nil, fmt.Errorf("%w: %s %s answered %d: %s", ErrUnavailable, method, target, code, errorMessage(code, data))
	default:
		return nil, &HTTPError{StatusCode: code, Message: errorMessage(code, data)}
	}
}

// errorMessage extracts the explanation of an error response.
func errorMessage(code int, body []byte) string {
	var e struct {
		Error *string `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != nil {
		return *e.Error
	}
	if s := strings.TrimSpace(string(body)); s != "" {
		return truncate(s, 200)
	}
	return http.StatusText(code)
}

// parseResponse reads a 2xx response body (readErr is errTooLarge when it was too large).
// An {"error": …} body or an unusable one gives a FAILED response naming tip (and
// streamID, when known) whose message says why.
func parseResponse(body []byte, readErr error, tip cid.Cid, streamID string) *Response {
	failed := func(msg string) *Response {
		return &Response{Status: StatusFailed, CID: tip.String(), StreamID: streamID, Message: msg}
	}
	if readErr != nil {
		return failed(readErr.Error())
	}
	var r struct {
		Response
		Error *string `json:"error"`
	}
	err := json.Unmarshal(body, &r)
	if err == nil {
		if err = r.Response.check(); err == nil {
			return &r.Response
		}
	}
	if r.Error != nil {
		return failed(*r.Error)
	}
	return failed(fmt.Sprintf("the anchor service sent an unusable response (%v): %s", err, truncate(string(body), 200)))
}
