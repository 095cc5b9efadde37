package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/goceramic/ceramic/streams"
	"github.com/goceramic/ceramic/streams/codec"
	"github.com/goceramic/ceramic/streams/streamid"
)

// TestClassify is the table of the error → HTTP mapping.
func TestClassify(t *testing.T) {
	errPlain := errors.New("streams: stream not found")
	tooLarge := &codec.BlockTooLargeError{CID: codec.CIDFor(codec.DagCBOR, []byte("x")), Size: 300000}
	_, badID := streamid.Parse("nope")
	tests := []struct {
		name       string
		err        error
		clientGone bool
		wantStatus int
		wantMsg    string
	}{
		{"unknown error keeps its text", errPlain, false, 500, "streams: stream not found"},
		{"wrapped unknown error", fmt.Errorf("loading kjz: %w", errPlain), false, 500, "loading kjz: streams: stream not found"},
		{"BadRequest", BadRequest(errors.New("Method not supported by read only Ceramic")), false, 400, "Method not supported by read only Ceramic"},
		{"NotFound", NotFound(errPlain), false, 404, "streams: stream not found"},
		{"Errorf", Errorf(422, "bad %s", "code"), false, 422, "bad code"},
		{"Error with message and cause sends the message", &Error{Status: 401, Msg: "Unauthorized", Err: errPlain}, false, 401, "Unauthorized"},
		{"Error without status is 500", &Error{Msg: "oops"}, false, 500, "oops"},
		{"Error without text uses the status text", &Error{Status: 403}, false, 403, "Forbidden"},
		{"wrapped Error", fmt.Errorf("handler: %w", BadRequest(errPlain)), false, 400, "streams: stream not found"},
		{"Error wrapping a deadline keeps its status", BadRequest(context.DeadlineExceeded), false, 400, "context deadline exceeded"},
		{"body too large", &http.MaxBytesError{Limit: maxBodyBytes}, false, 413, "request entity too large"},
		{"wrapped body too large", fmt.Errorf("read: %w", &http.MaxBytesError{Limit: 1}), false, 413, "request entity too large"},
		{"invalid JSON", invalidJSON(errors.New("unexpected EOF")), false, 400, "invalid JSON body: unexpected EOF"},
		{"deadline exceeded", fmt.Errorf("query: %w", context.DeadlineExceeded), false, 504, "query: context deadline exceeded"},
		{"deadline exceeded, client gone", context.DeadlineExceeded, true, 504, "context deadline exceeded"},
		{"canceled, client gone", fmt.Errorf("load: %w", context.Canceled), true, 499, "client closed request"},
		{"canceled, client still there", context.Canceled, false, 500, "context canceled"},
		{"admin auth 401", &authError{status: 401, msg: msgInvalidCode}, false, 401, msgInvalidCode},
		{"admin auth 400 with cause", &authError{status: 400, msg: msgBadAuthHeader, err: errPlain}, false, 400, msgBadAuthHeader},
		{"block too large", tooLarge, false, 400, tooLarge.Error()},
		{"block too large, wrapped by the engine", &streams.CommitError{StreamID: "kjz", CID: tooLarge.CID, Err: fmt.Errorf("load: %w", tooLarge)}, false, 400, tooLarge.Error()},
		{"malformed StreamID", badID, false, 400, badID.Error()},
		{"CommitID for a StreamID", &notStreamIDError{input: "k1dp", err: badID}, false, 400, "Not StreamID: k1dp: contains commit"},
		{"not found", fmt.Errorf("%w: stream kjz", streams.ErrNotFound), false, 404, "streams: not found: stream kjz"},
		{"not found after a deadline", fmt.Errorf("%w: block: %w", streams.ErrNotFound, context.DeadlineExceeded), false, 404, "streams: not found: block: context deadline exceeded"},
		{"invalid commit", fmt.Errorf("%w: bad patch", streams.ErrInvalidCommit), false, 400, "streams: invalid commit: bad patch"},
		{"invalid commit caused by something missing", errors.Join(streams.ErrInvalidCommit, streams.ErrNotFound), false, 400, "streams: invalid commit\nstreams: not found"},
		{"codec invalid commit", fmt.Errorf("%w: no header", codec.ErrInvalidCommit), false, 400, "codec: invalid commit: no header"},
		{"codec invalid JWS", codec.ErrInvalidJWS, false, 400, codec.ErrInvalidJWS.Error()},
		{"codec invalid block", codec.ErrInvalidBlock, false, 400, codec.ErrInvalidBlock.Error()},
		{"codec unsupported value", codec.ErrUnsupportedValue, false, 400, codec.ErrUnsupportedValue.Error()},
		{"codec hash mismatch", codec.ErrHashMismatch, false, 400, codec.ErrHashMismatch.Error()},
		{"unauthorized", &streams.CommitError{StreamID: "kjz", CID: tooLarge.CID, Err: streams.ErrUnauthorized}, false, 422, "commit " + tooLarge.CID.String() + " of stream kjz: streams: unauthorized"},
		{"schema", fmt.Errorf("%w: /a must be string", streams.ErrSchema), false, 422, "streams: schema validation failed: /a must be string"},
		{"conflict", fmt.Errorf("%w: stale", streams.ErrConflict), false, 409, "streams: conflict: stale"},
		{"read-only", streams.ErrReadOnly, false, 400, "Method not supported by read only Ceramic"},
		{"unsupported", fmt.Errorf("%w: model streams", streams.ErrUnsupported), false, 501, "streams: not supported: model streams"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, msg := classify(tc.err, tc.clientGone)
			if status != tc.wantStatus || msg != tc.wantMsg {
				t.Errorf("classify(%v, %v) = %d %q, want %d %q", tc.err, tc.clientGone, status, msg, tc.wantStatus, tc.wantMsg)
			}
		})
	}
}

// TestErrorResponses checks what the mapping produces on the wire and in the log.
func TestErrorResponses(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	th := newTestHandler(t, Options{Logger: logger}, nil)
	tests := []struct {
		name       string
		err        error
		target     string
		wantStatus int
		wantBody   string
		wantLog    string // substring of the log; "" means nothing logged at info or above
	}{
		{"internal error", errors.New(`state: "x" <broken>`), "/api/v0/test/fail", 500, `{"error":"state: \"x\" <broken>"}`, `msg="request failed"`},
		{"bad request is not logged", BadRequest(errors.New("invalid streamid")), "/api/v0/test/fail", 400, `{"error":"invalid streamid"}`, ""},
		{"deadline", context.DeadlineExceeded, "/api/v0/test/fail", 504, `{"error":"context deadline exceeded"}`, `msg="request failed"`},
		{"panic", nil, "/api/v0/test/panic", 500, `{"error":"api: panic: boom"}`, `msg="panic serving request"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs.Reset()
			th.failWith = tc.err
			rec := do(t, th, "GET", tc.target, "", nil)
			checkResponse(t, rec, tc.wantStatus, typeJSON, tc.wantBody)
			a := th.lastRecord(t)
			if a.ErrorCode != tc.wantStatus || a.Status != tc.wantStatus {
				t.Errorf("access record status %d, error code %d; want %d", a.Status, a.ErrorCode, tc.wantStatus)
			}
			if tc.wantLog == "" {
				if logs.Len() != 0 {
					t.Errorf("unexpected log: %s", logs.String())
				}
				return
			}
			if !strings.Contains(logs.String(), tc.wantLog) || !strings.Contains(logs.String(), "request_id="+a.RequestID) {
				t.Errorf("log %q lacks %q or request_id=%s", logs.String(), tc.wantLog, a.RequestID)
			}
		})
	}
}

// TestClientGone checks that nothing is written when the client has left, and that the
// request is recorded as 499.
func TestClientGone(t *testing.T) {
	th := newTestHandler(t, Options{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	th.failWith = fmt.Errorf("loading: %w", context.Canceled)
	req := httptest.NewRequest("GET", "/api/v0/test/fail", nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	th.ServeHTTP(rec, req)
	if rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "" {
		t.Errorf("wrote a response for a client that left: %d %q", rec.Code, rec.Body.String())
	}
	a := th.lastRecord(t)
	if a.Status != StatusClientClosedRequest || a.ErrorCode != StatusClientClosedRequest {
		t.Errorf("recorded status %d, error code %d; want 499", a.Status, a.ErrorCode)
	}
}

// TestErrorAfterResponseStarted checks that an error returned after the handler wrote its
// response is only logged.
func TestErrorAfterResponseStarted(t *testing.T) {
	var logs bytes.Buffer
	th := newTestHandler(t, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, nil)
	th.routes.group("/late", func(g *group) {
		g.get("/", func(w http.ResponseWriter, r *http.Request) error {
			_ = writeText(w, http.StatusOK, "partial")
			return errors.New("stream broke")
		})
	})
	rec := do(t, th, "GET", "/api/v0/late", "", nil)
	checkResponse(t, rec, 200, typeHTML, "partial")
	if !strings.Contains(logs.String(), "request failed after the response started") {
		t.Errorf("log = %q", logs.String())
	}
}
