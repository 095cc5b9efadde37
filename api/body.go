package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxBodyBytes is the request body limit, the same as the js daemon's JSON parser ("1mb").
const maxBodyBytes = 1 << 20

const msgTooLarge = "request entity too large"

// decodeJSON reads the request body into v the way the js daemon's JSON body parser does:
//
//   - only a Content-Type of application/json (parameters such as charset allowed) is
//     parsed; any other type, and an empty body, decode as the empty object {};
//   - the top-level value must be an object or an array;
//   - a body over 1 MB is a 413 [*Error] "request entity too large";
//   - malformed JSON, trailing data, or JSON that does not fit v is a 400 [*Error]
//     "invalid JSON body: <detail>" (js-ceramic answers 500 to this and to the 413);
//   - a body that breaks off is a 400 [*Error] "request aborted".
//
// Non-UTF-8 charsets are not rejected; the body is read as UTF-8.
func decodeJSON(r *http.Request, v any) error {
	if !isJSONContentType(r.Header.Get("Content-Type")) || r.Body == nil {
		return json.Unmarshal([]byte("{}"), v)
	}
	if r.ContentLength > maxBodyBytes {
		return &Error{Status: http.StatusRequestEntityTooLarge, Msg: msgTooLarge,
			Err: &http.MaxBytesError{Limit: maxBodyBytes}}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &Error{Status: http.StatusRequestEntityTooLarge, Msg: msgTooLarge, Err: err}
		}
		// The client stopped sending (or the connection broke) mid-body.
		return &Error{Status: http.StatusBadRequest, Msg: "request aborted", Err: err}
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return json.Unmarshal([]byte("{}"), v)
	}
	if trimmed[0] != '{' && trimmed[0] != '[' {
		return invalidJSON(errors.New("top-level value must be an object or an array"))
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(v); err != nil {
		return invalidJSON(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return invalidJSON(errors.New("unexpected data after the JSON value"))
	}
	return nil
}

func invalidJSON(err error) *Error {
	return &Error{Status: http.StatusBadRequest, Msg: "invalid JSON body: " + err.Error(), Err: err}
}

// isJSONContentType reports whether ct is application/json, ignoring case and parameters.
func isJSONContentType(ct string) bool {
	mediaType, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(mediaType), "application/json")
}

// writeJSON sends v as JSON with status. Like the js daemon it does not escape <, > and &,
// and sends no trailing newline. It returns an error without writing anything when v cannot
// be encoded, so a handler can simply return writeJSON(...).
func writeJSON(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("api: encoding response: %w", err)
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	return writeBody(w, status, "application/json; charset=utf-8", body)
}

// writeText sends a plain string the way Express's res.send does: labelled as HTML.
// The healthcheck's probes compare these bodies exactly.
func writeText(w http.ResponseWriter, status int, s string) error {
	return writeBody(w, status, "text/html; charset=utf-8", []byte(s))
}

func writeBody(w http.ResponseWriter, status int, contentType string, body []byte) error {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}
