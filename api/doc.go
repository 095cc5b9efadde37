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
// # Routes
//
// Under /api/v0:
//
//   - GET /streams/{streamid} and GET /streams/{streamid}/content load a stream (a StreamID,
//     or a CommitID for the state at that commit; ?atTime=<unix seconds> for the state at
//     that time); POST /streams creates one from its genesis commit;
//   - GET /commits/{streamid} lists a stream's commits; POST /commits applies one;
//   - POST /multiqueries loads many streams and the streams their content links to;
//   - GET /node/healthcheck and GET /node/chains;
//   - GET /admin/getCode, GET /admin/status and GET, POST, DELETE /admin/pins[/{streamid}],
//     authenticated by a JWS signed by a did:key listed in [Options.AdminDIDs];
//   - the legacy routes: /pins as the 3.x daemon answers it (400, or a 200 warning that
//     pins nothing), and the 2.x aliases /documents and /records.
//
// The stream routes need [Options.Streams]. In read-only mode ([Options.ReadOnly]) creates
// neither anchor nor publish and commits are refused. Load options come from the query
// string, typed as the js daemon types it (see parseQuery), or from the request's "opts";
// [Options.SyncOverride] replaces their sync mode.
//
// # Errors
//
// Handlers return an error; a single function, classify, maps it to the response. A
// [*Error] carries its own status. The stream engine's errors map by their sentinel: a
// stream that cannot be found answers 404; a malformed StreamID, commit or request body
// answers 400 (a body over 1 MB: 413); a commit with a bad signature, or content that breaks
// its schema, answers 422; a write on a stale tip answers 409; a stream type this node does
// not support answers 501; a read-only refusal and the admin authentication answer what the
// js daemon answers. js-ceramic answers 500 to most of these; every client treats any
// non-2xx status the same, and the finer statuses tell clients and proxies what happened. A
// [context.DeadlineExceeded] answers 504. When the client has gone away ([context.Canceled]
// on the request context) nothing is written and the request is recorded with status 499.
// Any other error answers 500. Every error body is exactly {"error":"<message>"}, and the
// message is the error text, because clients and tests match on the text js-ceramic sends.
//
// # Observability
//
// [Options.OnRequest] receives one [AccessRecord] per finished request; [AccessRecord.Logfmt]
// renders the js-ceramic access-log line. When [Options.Registerer] is set, the handler
// registers ceramic_http_requests_total and ceramic_http_request_duration_seconds, labelled
// with the matched route pattern (never the raw path).
package api
