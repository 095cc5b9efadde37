package api

import (
	"container/list"
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/goceramic/ceramic/streams/streamid"
)

// The admin code rules of the js daemon: codes are valid for 60 seconds, used once, and at
// most 50 are remembered (the oldest is forgotten first).
const (
	adminCodeTTL      = 60 * time.Second
	adminCodeCapacity = 50
)

// The request paths admin JWSs are signed over: the mount paths of the admin endpoints.
// Every pin operation uses the pins mount, without the StreamID.
const (
	adminPinsPath   = prefix + "/admin/pins"
	adminStatusPath = prefix + "/admin/status"
)

// adminCodes issues single-use admin codes. It is safe for concurrent use.
type adminCodes struct {
	now func() time.Time

	mu    sync.Mutex
	order *list.List // of *adminCode, newest at the front
	codes map[string]*list.Element
}

type adminCode struct {
	code   string
	issued time.Time
}

func newAdminCodes(now func() time.Time) *adminCodes {
	return &adminCodes{now: now, order: list.New(), codes: map[string]*list.Element{}}
}

// issue returns a new random code (a UUIDv4 string).
func (c *adminCodes) issue() string {
	code := newUUIDv4()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.codes[code] = c.order.PushFront(&adminCode{code: code, issued: c.now()})
	for c.order.Len() > adminCodeCapacity {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.codes, oldest.Value.(*adminCode).code)
	}
	return code
}

// use consumes code. known is false for a code never issued, already used or forgotten;
// expired is true for a known code older than adminCodeTTL. Either way the code is gone.
func (c *adminCodes) use(code string) (known, expired bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.codes[code]
	if !ok {
		return false, false
	}
	c.order.Remove(el)
	delete(c.codes, code)
	return true, c.now().Sub(el.Value.(*adminCode).issued) >= adminCodeTTL
}

// newUUIDv4 returns a random RFC 9562 version 4 UUID in its canonical text form.
func newUUIDv4() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// authError is a refused admin request. classify answers it with its status and message,
// which are the js daemon's.
type authError struct {
	status int
	msg    string
	err    error // the cause, for logs
}

func (e *authError) Error() string {
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}

func (e *authError) Unwrap() error { return e.err }

// Messages of the admin authentication, as the js daemon words them (including its
// doubled "the").
const (
	msgMissingAuthHeader = "Missing authorization header"
	msgBadAuthHeader     = "Invalid authorization header format. It needs to be 'Authorization: Basic <JWS BLOCK>'"
	msgAuthProcessing    = "Error while processing the authorization header "
	msgMissingCode       = "Admin code is missing from the the jws block"
	msgInvalidCode       = "Unauthorized access: invalid/already used admin code"
	msgExpiredCode       = "Unauthorized access: expired admin code - admin codes are only valid for 60 seconds"
)

// authorizeAdmin authenticates an admin request that carries its JWS in the Authorization
// header, as GET /admin/status and every /admin/pins request do. mountPath is the path the
// JWS must have been signed for. The checks, and their answers, come in the js daemon's
// order:
//
//  1. no Authorization header → 401; no text after "Basic " → 400;
//  2. the JWS does not verify → 401 "Error while processing the authorization header …";
//  3. its requestPath is not mountPath → 401;
//  4. it has no code → 401;
//  5. the code was never issued, was used, or is older than 60 s → 401 (the code is spent);
//  6. the signer is not an admin DID → 401.
//
// The request stops at the first failure. (The js daemon goes on to perform the action
// after some of these 401s; this node does not.)
func (h *handler) authorizeAdmin(r *http.Request, mountPath string) error {
	header := r.Header.Get("Authorization")
	if header == "" {
		return &authError{status: http.StatusUnauthorized, msg: msgMissingAuthHeader}
	}
	_, token, _ := strings.Cut(header, "Basic ")
	token = strings.TrimSpace(token)
	if token == "" {
		return &authError{status: http.StatusBadRequest, msg: msgBadAuthHeader}
	}
	jws, err := verifyCompactJWS(token)
	if err != nil {
		return &authError{status: http.StatusUnauthorized, msg: msgAuthProcessing + err.Error(), err: err}
	}
	// Static path segments match case-insensitively, so the signed path may differ in case
	// from the canonical one, as the client signs the path it requests.
	path, _ := jws.Payload["requestPath"].(string)
	if !strings.EqualFold(path, mountPath) {
		return &authError{status: http.StatusUnauthorized, msg: fmt.Sprintf(
			"The jws block contains a request path (%s) that doesn't match the request (%s)", jsValueText(jws.Payload["requestPath"]), mountPath)}
	}
	if !jsTruthy(jws.Payload["code"]) {
		return &authError{status: http.StatusUnauthorized, msg: msgMissingCode}
	}
	code, _ := jws.Payload["code"].(string)
	switch known, expired := h.codes.use(code); {
	case !known:
		return &authError{status: http.StatusUnauthorized, msg: msgInvalidCode}
	case expired:
		return &authError{status: http.StatusUnauthorized, msg: msgExpiredCode}
	}
	if !h.isAdmin(jws.KID) {
		return &authError{status: http.StatusUnauthorized, msg: fmt.Sprintf(
			"Unauthorized access: DID '%s' does not have admin access permission to this node", jws.KID)}
	}
	return nil
}

// isAdmin reports whether the key kid may use the admin API: its DID (kid without the
// #fragment) is an admin DID, or kid starts with one, which is the js daemon's rule.
func (h *handler) isAdmin(kid string) bool {
	did, _, _ := strings.Cut(kid, "#")
	for _, admin := range h.opts.AdminDIDs {
		if admin != "" && (did == admin || strings.HasPrefix(kid, admin)) {
			return true
		}
	}
	return false
}

// adminGetCode serves GET /admin/getCode: {"code": "<uuid>"}, no authentication.
func (h *handler) adminGetCode(w http.ResponseWriter, _ *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]string{"code": h.codes.issue()})
}

// statusResponse is the body of GET /admin/status. The composeDB block is left out: this
// node does not index models.
type statusResponse struct {
	RunID    string         `json:"runId"`
	UptimeMs int64          `json:"uptimeMs"`
	Network  string         `json:"network"`
	Anchor   map[string]any `json:"anchor"`
	IPFS     statusIPFS     `json:"ipfs"`
}

type statusIPFS struct {
	PeerID    string   `json:"peerId"`
	Addresses []string `json:"addresses"`
}

// adminStatus serves GET /admin/status (admin authentication).
func (h *handler) adminStatus(w http.ResponseWriter, r *http.Request) error {
	if err := h.authorizeAdmin(r, adminStatusPath); err != nil {
		return err
	}
	var s NodeStatus
	if h.opts.Status != nil {
		s = h.opts.Status()
	}
	resp := statusResponse{RunID: s.RunID, Network: s.Network, Anchor: s.Anchor,
		IPFS: statusIPFS{PeerID: s.PeerID, Addresses: s.Addrs}}
	if s.UptimeMs != nil {
		resp.UptimeMs = s.UptimeMs()
	}
	if resp.Anchor == nil {
		resp.Anchor = map[string]any{}
	}
	if resp.IPFS.Addresses == nil {
		resp.IPFS.Addresses = []string{}
	}
	return writeJSON(w, http.StatusOK, resp)
}

// adminListPins serves GET /admin/pins and GET /admin/pins/{streamid} (admin
// authentication): {"pinnedStreamIds": [...]}, every pinned stream, or the one asked about
// if it is pinned.
func (h *handler) adminListPins(w http.ResponseWriter, r *http.Request) error {
	if err := h.authorizeAdmin(r, adminPinsPath); err != nil {
		return err
	}
	var only *streamid.StreamID
	if raw := pathParam(r, "streamid"); raw != "" {
		id, err := parseStreamID(raw)
		if err != nil {
			return err
		}
		only = &id
	}
	ids, err := h.streams.Pinned(r.Context(), only)
	if err != nil {
		return err
	}
	if ids == nil {
		ids = []string{}
	}
	return writeJSON(w, http.StatusOK, map[string][]string{"pinnedStreamIds": ids})
}

// pinResponse is the body of POST and DELETE /admin/pins/{streamid}.
type pinResponse struct {
	StreamID string `json:"streamId"`
	IsPinned bool   `json:"isPinned"`
}

// adminPin serves POST /admin/pins/{streamid} (admin authentication): it loads the stream and
// keeps it in the state store. The body's force flag is accepted and ignored: pinning always
// re-pins every block.
func (h *handler) adminPin(w http.ResponseWriter, r *http.Request) error {
	// force ("pin every commit again") is what Pin always does.
	var body struct {
		Force any `json:"force"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if err := h.authorizeAdmin(r, adminPinsPath); err != nil {
		return err
	}
	if h.opts.ReadOnly {
		return h.notFound(w, r)
	}
	id, err := parseStreamID(pathParam(r, "streamid"))
	if err != nil {
		return err
	}
	if err := h.streams.Pin(r.Context(), id, h.parseOpts(nil).load); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pinResponse{StreamID: id.String(), IsPinned: true})
}

// adminUnpin serves DELETE /admin/pins/{streamid} (admin authentication): it removes the
// stream from the state store and, with opts.publish, announces its tip on the network.
func (h *handler) adminUnpin(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Opts struct {
			Publish any `json:"publish"`
		} `json:"opts"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if err := h.authorizeAdmin(r, adminPinsPath); err != nil {
		return err
	}
	if h.opts.ReadOnly {
		return h.notFound(w, r)
	}
	id, err := parseStreamID(pathParam(r, "streamid"))
	if err != nil {
		return err
	}
	publish, _ := body.Opts.Publish.(bool)
	if err := h.streams.Unpin(r.Context(), id, publish); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pinResponse{StreamID: id.String(), IsPinned: false})
}

// jsTruthy is JavaScript truthiness for a decoded JSON value.
func jsTruthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case float64:
		return x != 0
	}
	return true
}

// jsValueText renders a decoded JSON value as JavaScript's string interpolation would for
// the values a request path can be: strings as they are, a missing value as "undefined".
func jsValueText(v any) string {
	switch x := v.(type) {
	case nil:
		return "undefined"
	case string:
		return x
	}
	return jsonText(v)
}
