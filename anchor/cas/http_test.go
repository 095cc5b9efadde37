package cas

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/goceramic/ceramic/internal/didjws"
)

// memBackend is an in-memory anchor service for the tests.
type memBackend struct {
	mu        sync.Mutex
	requests  map[cid.Cid]*Response
	submitted []Submission
	submitErr error
}

func newMemBackend() *memBackend { return &memBackend{requests: map[cid.Cid]*Response{}} }

func (m *memBackend) Submit(_ context.Context, s Submission) (*Response, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.submitErr != nil {
		return nil, false, m.submitErr
	}
	m.submitted = append(m.submitted, s)
	if r, ok := m.requests[s.Tip]; ok {
		c := *r
		return &c, false, nil
	}
	now := time.Now().UnixMilli()
	r := &Response{ID: newUUID(), Status: StatusPending, CID: s.Tip.String(), StreamID: s.StreamID.String(),
		Message: "Request is pending.", CreatedAt: now, UpdatedAt: now}
	m.requests[s.Tip] = r
	c := *r
	return &c, true, nil
}

func (m *memBackend) Get(_ context.Context, tip cid.Cid) (*Response, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.requests[tip]
	if !ok {
		return nil, fmt.Errorf("tip %s: %w", tip, ErrNotFound)
	}
	c := *r
	return &c, nil
}

func (m *memBackend) SupportedChains() []string { return []string{"eip155:1337"} }

// statusRecorder remembers the status of the last answer of a handler.
type statusRecorder struct {
	mu   sync.Mutex
	last int
	next http.Handler
}

func (s *statusRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	s.next.ServeHTTP(rec, r)
	s.mu.Lock()
	s.last = rec.Code
	s.mu.Unlock()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func (s *statusRecorder) status() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

func newTestServer(t *testing.T, b Backend, opts HandlerOptions) (*httptest.Server, *statusRecorder) {
	t.Helper()
	rec := &statusRecorder{next: NewHandler(b, opts)}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return srv, rec
}

func newTestClient(t *testing.T, base string, opts ...Option) *Client {
	t.Helper()
	c, err := NewClient(base, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func nodeSigner(t *testing.T, b byte) *didjws.Signer {
	t.Helper()
	s, err := didjws.NewSigner(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestClientServerRoundTrip(t *testing.T) {
	ctx := context.Background()
	backend := newMemBackend()
	srv, rec := newTestServer(t, backend, HandlerOptions{})
	client := newTestClient(t, srv.URL+"//")
	if client.BaseURL() != srv.URL {
		t.Errorf("BaseURL = %q, want %q", client.BaseURL(), srv.URL)
	}

	chains, err := client.SupportedChains(ctx)
	if err != nil || len(chains) != 1 || chains[0] != "eip155:1337" {
		t.Fatalf("SupportedChains = %v, %v", chains, err)
	}

	s := newTestStream(t, nil)
	created, err := client.Create(ctx, s.request(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if rec.status() != http.StatusCreated || created.Status != StatusPending || created.CID != s.update.CID().String() || created.StreamID != s.id.String() {
		t.Fatalf("create: HTTP %d, %+v", rec.status(), created)
	}
	if sub := backend.submitted[0]; sub.Controller != s.signer.DID || sub.Genesis == nil || sub.Tip != s.update.CID() {
		t.Errorf("the backend got %+v", sub)
	}

	again, err := client.Create(ctx, s.request(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if rec.status() != http.StatusAccepted || again.ID != created.ID {
		t.Errorf("create again: HTTP %d, id %s, want 202 and %s", rec.status(), again.ID, created.ID)
	}

	got, err := client.Get(ctx, s.update.CID())
	if err != nil || got.ID != created.ID || got.Status != StatusPending || rec.status() != http.StatusOK {
		t.Fatalf("get: HTTP %d, %+v, %v", rec.status(), got, err)
	}

	// Complete it with the real witness, and read it back.
	real, _ := loadRealResponse(t)
	anchor, blocks, err := real.Witness()
	if err != nil {
		t.Fatal(err)
	}
	backend.mu.Lock()
	r := backend.requests[s.update.CID()]
	r.Status, r.Message = StatusCompleted, "CID successfully anchored."
	if err := r.SetWitness(anchor, blocks); err != nil {
		t.Fatal(err)
	}
	backend.mu.Unlock()
	got, err = client.Get(ctx, s.update.CID())
	if err != nil || got.Status != StatusCompleted {
		t.Fatalf("get completed: %+v, %v", got, err)
	}
	if c, bs, err := got.Witness(); err != nil || c != anchor || len(bs) != 10 {
		t.Errorf("witness: %s, %d blocks, %v", c, len(bs), err)
	}

	_, err = client.Get(ctx, s.genesis.CID())
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != http.StatusNotFound || !strings.Contains(he.Message, "no anchor request") {
		t.Errorf("get unknown: %v", err)
	}
	if errors.Is(err, ErrUnavailable) {
		t.Error("a 404 is ErrUnavailable")
	}

	res, err := http.Get(srv.URL + PathHealthcheck)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || string(body) != "Alive!" {
		t.Errorf("healthcheck: %d %q", res.StatusCode, body)
	}
}

// post sends a raw request to the test server and returns the status and body.
func post(t *testing.T, method, url, contentType, auth string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(data)
}

// errorBody returns the "error" of a JSON error body.
func errorBody(t *testing.T, body string) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error == "" {
		t.Fatalf("body %q is not {\"error\": …}", body)
	}
	return e.Error
}

func TestHandlerBadRequests(t *testing.T) {
	backend := newMemBackend()
	srv, _ := newTestServer(t, backend, HandlerOptions{MaxBodyBytes: 64 << 10})
	s := newTestStream(t, nil)

	code, body := post(t, http.MethodPost, srv.URL+PathRequests, ContentTypeCAR, "", []byte("not a car"))
	if code != http.StatusBadRequest || !strings.HasPrefix(errorBody(t, body), "can not decode the CAR file") {
		t.Errorf("malformed CAR: %d %s", code, body)
	}
	code, body = post(t, http.MethodPost, srv.URL+PathRequests, ContentTypeCAR, "", carRequest(t, map[string]any{
		"streamId": s.id.Bytes(), "tip": s.update.CID(), "timestamp": "2024-02-01T12:00:00.000Z"}))
	if code != http.StatusBadRequest || !strings.Contains(errorBody(t, body), "genesis commit") {
		t.Errorf("CAR without genesis: %d %s", code, body)
	}
	code, body = post(t, http.MethodPost, srv.URL+PathRequests, ContentTypeCAR, "", make([]byte, 65<<10))
	if code != http.StatusRequestEntityTooLarge {
		t.Errorf("large body: %d %s", code, body)
	}
	code, body = post(t, http.MethodGet, srv.URL+PathRequests+"/notacid", "", "", nil)
	if code != http.StatusBadRequest || !strings.Contains(errorBody(t, body), "is not a CID") {
		t.Errorf("malformed CID: %d %s", code, body)
	}

	// The legacy JSON body, without a timestamp: the handler stamps it.
	jsonBody := []byte(`{"streamId":"` + s.id.String() + `","cid":"` + s.update.CID().String() + `"}`)
	code, body = post(t, http.MethodPost, srv.URL+PathRequests, ContentTypeJSON, "", jsonBody)
	if code != http.StatusCreated {
		t.Fatalf("JSON body: %d %s", code, body)
	}
	var r Response
	if err := json.Unmarshal([]byte(body), &r); err != nil || r.Status != StatusPending || r.CID != s.update.CID().String() {
		t.Errorf("JSON body: %s", body)
	}
	if sub := backend.submitted[0]; sub.Timestamp.IsZero() || sub.Genesis != nil {
		t.Errorf("JSON submission %+v", sub)
	}

	// Backend errors: invalid requests are 400, others 500 without details.
	backend.submitErr = fmt.Errorf("stream is banned: %w", ErrInvalidRequest)
	code, body = post(t, http.MethodPost, srv.URL+PathRequests, ContentTypeJSON, "", jsonBody)
	if code != http.StatusBadRequest || !strings.Contains(errorBody(t, body), "stream is banned") {
		t.Errorf("backend refusal: %d %s", code, body)
	}
	backend.submitErr = errors.New("database password is hunter2")
	code, body = post(t, http.MethodPost, srv.URL+PathRequests, ContentTypeJSON, "", jsonBody)
	if code != http.StatusInternalServerError || strings.Contains(body, "hunter2") {
		t.Errorf("backend failure: %d %s", code, body)
	}
}

// fixedAuth signs like DIDAuth but with a chosen URL and digest.
type fixedAuth struct {
	signer      *didjws.Signer
	url, digest string
}

func (a fixedAuth) Authorization(url, digest string) (string, error) {
	if a.url != "" {
		url = a.url
	}
	if a.digest != "" {
		digest = a.digest
	}
	return DIDAuth{Signer: a.signer}.Authorization(url, digest)
}

func TestDIDAuthentication(t *testing.T) {
	ctx := context.Background()
	node, stranger := nodeSigner(t, 1), nodeSigner(t, 2)
	backend := newMemBackend()
	handler := NewHandler(backend, HandlerOptions{AllowedDIDs: []string{node.DID()}})

	// Look at what the client sends on the wire.
	var mu sync.Mutex
	var seen []*http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Clone(context.Background()))
		mu.Unlock()
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	lastAuth := func() (header string, payload map[string]string) {
		mu.Lock()
		defer mu.Unlock()
		header = seen[len(seen)-1].Header.Get("Authorization")
		tok, err := didjws.Verify(strings.TrimPrefix(header, "Bearer "))
		if err != nil {
			t.Fatalf("header %q: %v", header, err)
		}
		if err := json.Unmarshal(tok.Payload, &payload); err != nil {
			t.Fatal(err)
		}
		return header, payload
	}

	s := newTestStream(t, nil)
	req := s.request(time.Now())
	_, root, err := EncodeRequest(req)
	if err != nil {
		t.Fatal(err)
	}

	client := newTestClient(t, srv.URL, WithAuthenticator(DIDAuth{Signer: node}), WithUserAgent("test-agent/1"))
	created, err := client.Create(ctx, req)
	if err != nil || created.Status != StatusPending {
		t.Fatalf("authenticated create: %+v, %v", created, err)
	}
	header, payload := lastAuth()
	if !strings.HasPrefix(header, "Bearer ") {
		t.Errorf("Authorization = %q", header)
	}
	if payload["url"] != srv.URL+PathRequests || payload["digest"] != root.String() {
		t.Errorf("payload %v: want url %s digest %s", payload, srv.URL+PathRequests, root)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(payload["nonce"]) {
		t.Errorf("nonce %q is not a UUID v4", payload["nonce"])
	}
	mu.Lock()
	ua := seen[len(seen)-1].Header.Get("User-Agent")
	mu.Unlock()
	if ua != "test-agent/1" {
		t.Errorf("User-Agent = %q", ua)
	}

	if _, err := client.Get(ctx, s.update.CID()); err != nil {
		t.Fatalf("authenticated get: %v", err)
	}
	if _, payload := lastAuth(); payload["url"] != srv.URL+PathRequests+"/"+s.update.CID().String() {
		t.Errorf("get payload %v", payload)
	} else if _, ok := payload["digest"]; ok {
		t.Errorf("get payload %v has a digest", payload)
	}

	// Supported chains and the healthcheck need no authentication.
	if _, err := newTestClient(t, srv.URL).SupportedChains(ctx); err != nil {
		t.Errorf("supported chains without auth: %v", err)
	}

	refused := []struct {
		name    string
		client  *Client
		wantErr string
	}{
		{"no header", newTestClient(t, srv.URL), "missing Authorization header"},
		{"wrong DID", newTestClient(t, srv.URL, WithAuthenticator(DIDAuth{Signer: stranger})), "is not allowed"},
		{"tampered digest", newTestClient(t, srv.URL, WithAuthenticator(fixedAuth{signer: node, digest: "bafyreie5xlnroyt5vqdzdg2w2npnyx5iqq6xtruq3xw6ifsdwdy3d2be5q"})), "digest does not match"},
		{"other URL", newTestClient(t, srv.URL, WithAuthenticator(fixedAuth{signer: node, url: srv.URL + "/api/v0/other"})), "was signed for"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.client.Create(ctx, s.request(time.Now()))
			var he *HTTPError
			if !errors.As(err, &he) || he.StatusCode != http.StatusUnauthorized || !strings.Contains(he.Message, tc.wantErr) {
				t.Errorf("create: %v, want 401 %q", err, tc.wantErr)
			}
			if tc.name == "tampered digest" {
				return // GET requests carry no digest
			}
			if _, err := tc.client.Get(ctx, s.update.CID()); !errors.As(err, &he) || he.StatusCode != http.StatusUnauthorized {
				t.Errorf("get: %v, want 401", err)
			}
		})
	}

	// The host part may differ (proxies), the path and query may not.
	proxied := fixedAuth{signer: node, url: "https://cas.example.com" + PathRequests + "/" + s.update.CID().String()}
	if _, err := newTestClient(t, srv.URL, WithAuthenticator(proxied)).Get(ctx, s.update.CID()); err != nil {
		t.Errorf("URL signed with another host: %v", err)
	}

	// Raw requests: a malformed header, a JWS without nonce, and JSON bodies.
	url := srv.URL + PathRequests
	jsonBody := []byte(`{"streamId":"` + s.id.String() + `","cid":"` + s.genesis.CID().String() + `"}`)
	noNonce, _ := node.SignJSON(map[string]string{"url": url, "digest": jsonDigest(jsonBody)})
	for name, tc := range map[string]struct{ auth, wantErr string }{
		"basic scheme":    {"Basic xyz", "must be 'Bearer <JWS>'"},
		"bad token":       {"Bearer a.b.c", "invalid authorization token"},
		"no nonce":        {"Bearer " + noNonce, "no nonce"},
		"other JSON body": {mustAuth(t, node, url, jsonDigest([]byte(`{}`))), "digest does not match"},
	} {
		code, body := post(t, http.MethodPost, url, ContentTypeJSON, tc.auth, jsonBody)
		if code != http.StatusUnauthorized || !strings.Contains(errorBody(t, body), tc.wantErr) {
			t.Errorf("%s: %d %s, want 401 %q", name, code, body, tc.wantErr)
		}
	}
	code, body := post(t, http.MethodPost, url, ContentTypeJSON, mustAuth(t, node, url, jsonDigest(jsonBody)), jsonBody)
	if code != http.StatusCreated {
		t.Errorf("authenticated JSON body: %d %s", code, body)
	}
}

func mustAuth(t *testing.T, s *didjws.Signer, url, digest string) string {
	t.Helper()
	h, err := DIDAuth{Signer: s}.Authorization(url, digest)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestClientErrorClasses(t *testing.T) {
	ctx := context.Background()
	s := newTestStream(t, nil)
	answer := func(status int, body string) *Client {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}))
		t.Cleanup(srv.Close)
		return newTestClient(t, srv.URL)
	}

	for _, status := range []int{500, 502, 503, 429} {
		_, err := answer(status, `{"error":"busy"}`).Create(ctx, s.request(time.Now()))
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "busy") {
			t.Errorf("%d: %v, want ErrUnavailable", status, err)
		}
		var he *HTTPError
		if errors.As(err, &he) {
			t.Errorf("%d is an HTTPError", status)
		}
	}

	for status, wantMsg := range map[int]string{400: "bad stream", 401: "bad stream", 404: "bad stream"} {
		_, err := answer(status, `{"error":"bad stream"}`).Get(ctx, s.update.CID())
		var he *HTTPError
		if !errors.As(err, &he) || he.StatusCode != status || he.Message != wantMsg || errors.Is(err, ErrUnavailable) {
			t.Errorf("%d: %v", status, err)
		}
	}
	_, err := answer(400, "plain words").Get(ctx, s.update.CID())
	var he *HTTPError
	if !errors.As(err, &he) || he.Message != "plain words" {
		t.Errorf("plain 400: %v", err)
	}

	for name, body := range map[string]string{
		"error body":     `{"error":"x"}`,
		"not JSON":       `<html>oops</html>`,
		"unknown status": `{"id":"1","status":"DONE","cid":"c","streamId":"s","message":"m"}`,
		"no anchor":      `{"id":"1","status":"COMPLETED","cid":"c","streamId":"s","message":"m"}`,
	} {
		r, err := answer(200, body).Create(ctx, s.request(time.Now()))
		if err != nil || r.Status != StatusFailed || r.CID != s.update.CID().String() || r.StreamID != s.id.String() {
			t.Errorf("%s: %+v, %v", name, r, err)
			continue
		}
		if name == "error body" && r.Message != "x" {
			t.Errorf("error body: message %q, want x", r.Message)
		}
	}

	big := answer(200, `{"status":"PENDING","message":"`+strings.Repeat("a", MaxResponseBytes)+`"}`)
	if r, err := big.Get(ctx, s.update.CID()); err != nil || r.Status != StatusFailed || !strings.Contains(r.Message, "larger than") {
		t.Errorf("huge body: %+v, %v", r, err)
	}

	if _, err := answer(200, `{"chains":[]}`).SupportedChains(ctx); err == nil || errors.Is(err, ErrUnavailable) {
		t.Errorf("bad supported chains body: %v", err)
	}

	// Transport failures and timeouts.
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	if _, err := newTestClient(t, closed.URL).Get(ctx, s.update.CID()); !errors.Is(err, ErrUnavailable) {
		t.Errorf("closed server: %v", err)
	}
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)
	tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := newTestClient(t, slow.URL).Get(tctx, s.update.CID()); !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout: %v", err)
	}
	short := newTestClient(t, slow.URL, WithHTTPClient(&http.Client{Timeout: 50 * time.Millisecond}))
	if _, err := short.Get(ctx, s.update.CID()); !errors.Is(err, ErrUnavailable) {
		t.Errorf("client timeout: %v", err)
	}
}

func TestNewClientURLs(t *testing.T) {
	for _, bad := range []string{"", "cas.example.com", "ftp://cas.example.com", "https://", "https://cas.example.com/?x=1", "::"} {
		if _, err := NewClient(bad); err == nil {
			t.Errorf("NewClient(%q) succeeded", bad)
		}
	}
	c, err := NewClient("https://cas.example.com/prefix///")
	if err != nil || c.BaseURL() != "https://cas.example.com/prefix" {
		t.Errorf("NewClient: %v, %v", c, err)
	}
}

func TestDIDAuthPayload(t *testing.T) {
	node := nodeSigner(t, 1)
	h, err := DIDAuth{Signer: node}.Authorization("https://cas.example.com/api/v0/requests?a=1&b=2", "")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := didjws.Verify(strings.TrimPrefix(h, "Bearer "))
	if err != nil {
		t.Fatal(err)
	}
	if tok.DID != node.DID() {
		t.Errorf("signed by %s", tok.DID)
	}
	// Keys sorted, "&" not escaped, no digest: JSON.stringify of js-ceramic's payload.
	if !regexp.MustCompile(`^\{"nonce":"[0-9a-f-]{36}","url":"https://cas.example.com/api/v0/requests\?a=1&b=2"\}$`).Match(tok.Payload) {
		t.Errorf("payload %s", tok.Payload)
	}
	if _, err := (DIDAuth{}).Authorization("u", ""); err == nil {
		t.Error("DIDAuth without a signer signed")
	}
}
