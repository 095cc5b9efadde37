// Package api serves the Ceramic /api/v0 HTTP API, compatible with the js-ceramic 3.x daemon
// so that the official JS HTTP client works against this node unchanged.
//
// [NewHandler] returns an [http.Handler]; the package never opens a listener. The node (or any
// program embedding it) owns the [http.Server], mounts the handler, and shuts the server down.
// Everything the handlers need from the node comes through the small [Backend] interface.
//
// # Usage
//
//	h, err := api.NewHandler(api.Options{
//		CORSAllowedOrigins: []string{".*"}, // reflect every Origin
//		Logger:             logger,
//		Registerer:         registry,
//		OnRequest: func(a api.AccessRecord) {
//			accessLog.Println(a.Logfmt())
//		},
//	}, backend)
//	if err != nil {
//		return err
//	}
//	srv := &http.Server{Addr: ":7007", Handler: h}
//	go srv.ListenAndServe()
//	defer srv.Shutdown(ctx)
//
// The handler is safe for concurrent use. Options are read once by NewHandler; changing the
// Options value afterwards has no effect.
//
// # Routing
//
// Routing follows what Express 4 accepts, because existing clients depend on it:
//
//   - Static path segments match case-insensitively (/API/V0/Node/HealthCheck works). Route
//     parameters, such as a base58 CID, keep their case.
//   - One trailing slash is optional.
//   - One empty segment right after a router mount point (/api/v0, /api/v0/node, …) is
//     ignored, so /api/v0//node/healthcheck routes like /api/v0/node/healthcheck. Such paths
//     are never redirected: a redirect would turn a POST into a GET.
//   - HEAD is answered for every GET route, without a body.
//   - OPTIONS on any path is a CORS preflight answered with 204.
//   - An unknown path answers 404 {"error":"Cannot GET /the/path"}. A known path requested
//     with a method it does not serve answers the same 404: Express has no 405, and clients
//     never see one from js-ceramic.
//
// # Errors
//
// Handlers return an error; a single function maps it to the response. A [*Error] carries
// its own status. Request bodies over 1 MB answer 413 and malformed JSON answers 400 (js-ceramic
// answers 500 to both). A [context.DeadlineExceeded] answers 504. When the client has gone away
// ([context.Canceled] on the request context) nothing is written and the request is recorded
// with status 499. Any other error answers 500. Every error body is exactly
// {"error":"<message>"}, and the message is the error text, because clients and tests match
// on the text js-ceramic sends.
//
// # Observability
//
// [Options.OnRequest] receives one [AccessRecord] per finished request; [AccessRecord.Logfmt]
// renders the js-ceramic access-log line. When [Options.Registerer] is set, the handler
// registers ceramic_http_requests_total and ceramic_http_request_duration_seconds, labelled
// with the matched route pattern (never the raw path).
package api
