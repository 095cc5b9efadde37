package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/goceramic/ceramic/statestore"
	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
)

// Error is an error with the HTTP status it should be answered with. Handlers return it (or
// wrap it) to choose a status other than 500; errors.As finds it anywhere in the chain.
type Error struct {
	// Status is the HTTP status code. Zero means 500.
	Status int
	// Msg is the message sent to the client. When empty, Err's text is sent, and when Err is
	// nil too, the status text.
	Msg string
	// Err is the underlying error, if any.
	Err error
}

// Error returns the full text, for logs: Msg and Err joined by ": ".
func (e *Error) Error() string {
	switch {
	case e.Msg != "" && e.Err != nil:
		return e.Msg + ": " + e.Err.Error()
	case e.Msg != "":
		return e.Msg
	case e.Err != nil:
		return e.Err.Error()
	default:
		return http.StatusText(e.status())
	}
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// clientMessage is the text sent in the {"error": ...} body.
func (e *Error) clientMessage() string {
	switch {
	case e.Msg != "":
		return e.Msg
	case e.Err != nil:
		return e.Err.Error()
	default:
		return http.StatusText(e.status())
	}
}

func (e *Error) status() int {
	if e.Status == 0 {
		return http.StatusInternalServerError
	}
	return e.Status
}

// BadRequest wraps err as a 400 whose body carries err's message.
func BadRequest(err error) *Error { return &Error{Status: http.StatusBadRequest, Err: err} }

// NotFound wraps err as a 404 whose body carries err's message.
func NotFound(err error) *Error { return &Error{Status: http.StatusNotFound, Err: err} }

// Errorf returns an error answered with status; the message is formatted as by fmt.Errorf,
// so %w wraps an underlying error.
func Errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Err: fmt.Errorf(format, args...)}
}

// StatusClientClosedRequest is the status recorded (in metrics and access records, never
// sent) when the client goes away before the response is ready. The number is nginx's.
const StatusClientClosedRequest = 499

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Error string `json:"error"`
}

// msgReadOnly is the js daemon's answer to a write on a read-only node.
const msgReadOnly = "Method not supported by read only Ceramic"

// classify maps an error to its HTTP status and client message. It is the only place that
// does so. clientGone reports that the request context was canceled (the client left).
// The first rule that matches wins:
//
//   - context.Canceled while the client is gone → 499, nothing is written;
//   - *Error anywhere in the chain → its Status and message;
//   - a refused admin request → its status (400 or 401) and the js daemon's message;
//   - *http.MaxBytesError (a body over the limit) → 413 "request entity too large";
//   - a block over 256000 bytes → 400 "<cid> commit size <n> exceeds the maximum block
//     size of 256000", exactly, however it was wrapped;
//   - a malformed StreamID or CommitID (streamid.ErrInvalid) → 400;
//   - an invalid commit (streams.ErrInvalidCommit, or a codec error: invalid commit, JWS
//     envelope, block, value, or a block that does not match its CID) → 400, also when
//     the cause is something missing, such as the schema a commit names;
//   - streams.ErrNotFound → 404;
//   - streams.ErrUnauthorized (a bad signature or capability) and streams.ErrSchema → 422;
//   - streams.ErrConflict (a stale or losing write) → 409;
//   - streams.ErrReadOnly → 400 "Method not supported by read only Ceramic";
//   - streams.ErrUnsupported (a stream type or feature this node lacks) → 501;
//   - context.DeadlineExceeded → 504 with the error text;
//   - anything else → 500 with the error text.
//
// Stream errors keep their own text, which the streams package writes for users; clients
// match on such texts as they do with js-ceramic's messages. js-ceramic answers 500 to all
// of these except the admin and read-only errors; any non-2xx status fails a client
// request the same way, and the finer statuses tell clients and proxies what happened.
// The sentinels are checked before the deadline, because a stream that could not be found
// in time wraps both.
func classify(err error, clientGone bool) (status int, msg string) {
	var (
		apiErr  *Error
		authErr *authError
		tooBig  *http.MaxBytesError
		block   *codec.BlockTooLargeError
		errText = err.Error()
	)
	switch {
	case clientGone && errors.Is(err, context.Canceled):
		return StatusClientClosedRequest, "client closed request"
	case errors.As(err, &apiErr):
		return apiErr.status(), apiErr.clientMessage()
	case errors.As(err, &authErr):
		return authErr.status, authErr.msg
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, msgTooLarge
	case errors.As(err, &block):
		return http.StatusBadRequest, block.Error()
	case errors.Is(err, streamid.ErrInvalid):
		return http.StatusBadRequest, errText
	case isInvalidCommit(err):
		return http.StatusBadRequest, errText
	case errors.Is(err, streams.ErrNotFound):
		return http.StatusNotFound, errText
	case errors.Is(err, streams.ErrUnauthorized), errors.Is(err, streams.ErrSchema):
		return http.StatusUnprocessableEntity, errText
	case errors.Is(err, streams.ErrConflict):
		return http.StatusConflict, errText
	case errors.Is(err, streams.ErrReadOnly):
		return http.StatusBadRequest, msgReadOnly
	case errors.Is(err, streams.ErrUnsupported):
		return http.StatusNotImplemented, errText
	case errors.Is(err, streams.ErrProofUnavailable), errors.Is(err, statestore.ErrUnavailable):
		return http.StatusServiceUnavailable, errText
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, errText
	default:
		return http.StatusInternalServerError, errText
	}
}

// isInvalidCommit reports whether err says a commit sent by the client, or one it refers
// to, is unusable.
func isInvalidCommit(err error) bool {
	for _, target := range []error{
		streams.ErrInvalidCommit, codec.ErrInvalidCommit, codec.ErrInvalidJWS, codec.ErrInvalidBlock,
		codec.ErrUnsupportedValue, codec.ErrHashMismatch,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// writeError answers a request whose handler failed. It logs server-side failures with the
// request id, and only logs (writes nothing) when the response has already started or the
// client has gone away.
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	st := stateFrom(r.Context())
	clientGone := errors.Is(r.Context().Err(), context.Canceled)
	status, msg := classify(err, clientGone)
	st.err, st.errMsg = err, msg
	started := st.rec != nil && st.rec.wroteHeader

	attrs := []any{"request_id", st.id, "method", r.Method, "url", r.URL.RequestURI(), "status", status, "err", err}
	switch {
	case started && clientGone:
		h.log.Debug("client went away during the response", attrs...)
		return
	case started:
		h.log.Warn("request failed after the response started", attrs...)
		return
	case status == StatusClientClosedRequest:
		st.status = status
		h.log.Debug("client closed request", attrs...)
		return
	case status >= http.StatusInternalServerError && status != http.StatusNotImplemented:
		h.log.Error("request failed", attrs...)
	default:
		h.log.Debug("request rejected", attrs...)
	}
	if werr := writeJSON(w, status, errorBody{Error: msg}); werr != nil {
		h.log.Debug("writing error response", "request_id", st.id, "err", werr)
	}
}
