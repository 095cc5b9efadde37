package api

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// AccessRecord describes one finished request, for the access log. [Options.OnRequest]
// receives one per request.
type AccessRecord struct {
	// RequestID identifies the request in the handler's own log lines. It is not part of
	// the js-ceramic line, so Logfmt leaves it out.
	RequestID string
	// ClientIP is the left-most X-Forwarded-For entry, else the host of the remote address
	// (the js daemon trusts proxies).
	ClientIP string
	// Time is when the request arrived.
	Time time.Time
	// Method is the request method.
	Method string
	// OriginalURL is the path and query as the client sent them.
	OriginalURL string
	// BaseURL is the router mount that served the request, such as /api/v0/node. It is empty
	// when no route matched, including preflights.
	BaseURL string
	// Path is the rest of the path below BaseURL (static segments in their canonical case),
	// or the whole request path when no route matched.
	Path string
	// Route is the matched route pattern, such as /api/v0/streams/{streamid}; empty when no
	// route matched.
	Route string
	// Params are the route parameters, percent-decoded, in pattern order.
	Params []RouteParam
	// HTTPVersion is "1.1", "2.0" and so on.
	HTTPVersion string
	// Status is the status sent, or 499 when the client left before the response.
	Status int
	// Bytes counts the response body bytes (for HEAD, the bytes a GET would have sent).
	Bytes int64
	// ContentType is the response Content-Type.
	ContentType string
	// Referer and UserAgent are the request headers of those names.
	Referer, UserAgent string
	// Elapsed is the time from arrival to the end of the response.
	Elapsed time.Duration
	// ErrorMessage is the message of the error response, when a handler failed.
	ErrorMessage string
	// ErrorCode is the status the error mapping chose, or 0 when no handler failed.
	ErrorCode int
}

// RouteParam is one route parameter of an [AccessRecord].
type RouteParam struct {
	Name, Value string
}

// Logfmt renders the record as the js-ceramic 3.x access-log line, with the same field names
// in the same order, so that existing log pipelines keep parsing it:
//
//	ip=10.0.0.5 ts=2024-02-01T19:43:08.123Z method=GET original_url=/api/v0/node/healthcheck base_url=/api/v0/node path=/healthcheck params=- http_version=1.1 req_header- status=200 content_length=6 content_type="text/html; charset=utf-8" ref=- user_agent="curl/8.5.0" elapsed_ms=1.234 error_message="-" error_code=-
//
// Values are logfmt: quoted (with Go escapes) when they contain spaces, quotes, "=" or
// control characters, and "-" when missing. An original_url with a query string is
// therefore quoted, where upstream leaves it bare. content_type, user_agent and
// error_message are always quoted, as upstream writes them. Each route parameter appears as
// params.<name>=<value>, or params=- when there is none. ts is UTC with milliseconds and
// elapsed_ms has three decimals.
func (a AccessRecord) Logfmt() string {
	var b strings.Builder
	b.Grow(256)
	field := func(key, val string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(key)
		b.WriteByte('=')
		b.WriteString(val)
	}
	ts := "-"
	if !a.Time.IsZero() {
		ts = a.Time.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	field("ip", logfmtValue(a.ClientIP))
	field("ts", ts)
	field("method", logfmtValue(a.Method))
	field("original_url", logfmtValue(a.OriginalURL))
	field("base_url", logfmtValue(a.BaseURL))
	field("path", logfmtValue(a.Path))
	if len(a.Params) == 0 {
		field("params", "-")
	}
	for _, p := range a.Params {
		field("params."+p.Name, logfmtValue(p.Value))
	}
	field("http_version", logfmtValue(a.HTTPVersion))
	// Upstream's format has a typo that prints "req_header" followed by the value of a
	// request header literally named "header" (in practice always "-"). The token is kept
	// verbatim, as a constant, so parsers written for upstream lines keep matching.
	b.WriteString(" req_header-")
	field("status", intOrDash(int64(a.Status)))
	field("content_length", intOrDash(a.Bytes))
	field("content_type", logfmtQuoted(a.ContentType))
	field("ref", logfmtValue(a.Referer))
	field("user_agent", logfmtQuoted(a.UserAgent))
	field("elapsed_ms", strconv.FormatFloat(float64(a.Elapsed)/float64(time.Millisecond), 'f', 3, 64))
	field("error_message", logfmtQuoted(a.ErrorMessage))
	field("error_code", intOrDash(int64(a.ErrorCode)))
	return b.String()
}

// logfmtValue renders v bare when logfmt allows it, quoted otherwise, "-" when empty.
func logfmtValue(v string) string {
	if v == "" {
		return "-"
	}
	for _, r := range v {
		if r <= ' ' || r == '=' || r == '"' || r == 0x7f || r == utf8.RuneError {
			return strconv.Quote(v)
		}
	}
	return v
}

// logfmtQuoted always quotes, "-" standing for an empty value.
func logfmtQuoted(v string) string {
	if v == "" {
		v = "-"
	}
	return strconv.Quote(v)
}

func intOrDash(n int64) string {
	if n == 0 {
		return "-"
	}
	return strconv.FormatInt(n, 10)
}

// clientIP is the left-most X-Forwarded-For entry, else the host part of RemoteAddr.
func clientIP(r *http.Request) string {
	if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
		first, _, _ := strings.Cut(xff, ",")
		if ip := strings.TrimSpace(first); ip != "" {
			return ip
		}
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}
