package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"
)

// handlerFunc is the shape of every route handler. A handler writes its successful response
// itself and returns an error for anything else; the adapter hands the error to writeError,
// the one place that turns errors into responses. A handler that has already started its
// response should not return an error (it can only be logged at that point).
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// registerRoutes is the route table. Each group is a router mount, like an Express router:
// its prefix is the access record's base_url, and one empty segment may follow it in a
// request path. Paths use chi syntax with plain parameters ({streamid}); static segments are
// matched case-insensitively without further work.
//
// The ComposeDB routes (/collection, /admin/models, /admin/modelData, /feed) and
// POST /streams/{streamid}/anchor are not served.
func (h *handler) registerRoutes(rt *router) {
	rt.group("/streams", func(g *group) {
		g.get("/{streamid}", h.getStream)
		g.get("/{streamid}/content", h.getStreamContent)
		g.post("/", h.createStream)
		if !h.opts.ReadOnly {
			g.post("/{streamid}/anchor", h.requestAnchor)
		}
	})
	rt.group("/commits", func(g *group) {
		g.get("/{streamid}", h.getCommits)
		g.post("/", h.applyCommit)
	})
	rt.group("/multiqueries", func(g *group) {
		g.post("/", h.multiQuery)
	})
	rt.group("/node", func(g *group) {
		g.get("/healthcheck", h.healthcheck)
		g.get("/chains", h.supportedChains)
	})
	rt.group("/admin", func(g *group) {
		g.get("/getCode", h.adminGetCode)
		g.get("/status", h.adminStatus)
		g.group("/pins", func(p *group) {
			p.get("/", h.adminListPins)
			p.get("/{streamid}", h.adminListPins)
			// Registered in read-only mode too: they authenticate, then answer 404.
			p.post("/{streamid}", h.adminPin)
			p.delete("/{streamid}", h.adminUnpin)
		})
	})
	// Legacy routes: /pins as the 3.x daemon answers it, and the 2.x aliases.
	rt.group("/pins", func(g *group) {
		g.get("/", h.legacyPins)
		g.get("/{streamid}", h.legacyPins)
		g.delete("/{streamid}", h.legacyPins)
		g.post("/{streamid}", h.legacyPinAdd)
	})
	rt.group("/documents", func(g *group) {
		g.get("/{docid}", h.getDocument)
		g.post("/", h.createDocument)
	})
	rt.group("/records", func(g *group) {
		g.get("/{streamid}", h.getCommits)
		g.post("/", h.applyCommit)
	})
}

// notFound answers like Express's final handler, but in the API's JSON error shape.
func (h *handler) notFound(_ http.ResponseWriter, r *http.Request) error {
	return &Error{Status: http.StatusNotFound, Msg: "Cannot " + r.Method + " " + r.URL.EscapedPath()}
}

// adapt turns a handlerFunc into the http.Handler registered with chi. It records the matched
// route for metrics and the access record, and sends a returned error through writeError.
func (h *handler) adapt(rt route, fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st := stateFrom(r.Context())
		st.route = rt
		if rctx := chi.RouteContext(r.Context()); rctx != nil && rt.pattern != "" {
			st.params = make([]RouteParam, len(rctx.URLParams.Keys))
			for i, k := range rctx.URLParams.Keys {
				st.params[i] = RouteParam{Name: k, Value: unescapeParam(rctx.URLParams.Values[i])}
			}
		}
		if err := fn(w, r); err != nil {
			h.writeError(w, r, err)
		}
	}
}

// pathParam returns the route parameter name, percent-decoded. Use it rather than
// chi.URLParam or r.PathValue, which return the raw (still escaped) text.
func pathParam(r *http.Request, name string) string {
	return unescapeParam(chi.URLParam(r, name))
}

func unescapeParam(s string) string {
	if v, err := url.PathUnescape(s); err == nil {
		return v
	}
	return s
}

// route describes one registered route.
type route struct {
	pattern string // full chi pattern, e.g. /api/v0/streams/{streamid}; "" when unmatched
	base    string // innermost mount, e.g. /api/v0/streams
}

// router registers routes with chi and, from the same registrations, keeps a tree of path
// segments that canonicalizes request paths before chi sees them.
type router struct {
	mux   *chi.Mux
	root  *segment
	top   *group
	adapt func(route, handlerFunc) http.HandlerFunc
}

func newRouter(mux *chi.Mux, prefix string, adapt func(route, handlerFunc) http.HandlerFunc) *router {
	rt := &router{mux: mux, root: &segment{}, adapt: adapt}
	rt.root.insert(prefix).mount = true
	rt.top = &group{rt: rt, base: prefix}
	return rt
}

// group adds a router mount under the API prefix; fn registers its routes.
func (rt *router) group(sub string, fn func(*group)) { rt.top.group(sub, fn) }

// group is a router mount: the routes registered on it share its base path.
type group struct {
	rt   *router
	base string
}

// group adds a nested mount (for example /admin, then /pins inside it).
func (g *group) group(sub string, fn func(*group)) {
	base := joinPattern(g.base, sub)
	g.rt.root.insert(base).mount = true
	fn(&group{rt: g.rt, base: base})
}

// get registers a GET route and the matching HEAD route.
func (g *group) get(sub string, fn handlerFunc) {
	g.handle(http.MethodGet, sub, fn)
	g.handle(http.MethodHead, sub, fn)
}

// post registers a POST route.
func (g *group) post(sub string, fn handlerFunc) { g.handle(http.MethodPost, sub, fn) }

// put registers a PUT route.
func (g *group) put(sub string, fn handlerFunc) { g.handle(http.MethodPut, sub, fn) }

// patch registers a PATCH route.
func (g *group) patch(sub string, fn handlerFunc) { g.handle(http.MethodPatch, sub, fn) }

// delete registers a DELETE route.
func (g *group) delete(sub string, fn handlerFunc) { g.handle(http.MethodDelete, sub, fn) }

// handle registers fn for method at the group's base plus sub ("/" or "" is the base itself).
func (g *group) handle(method, sub string, fn handlerFunc) {
	pattern := joinPattern(g.base, sub)
	g.rt.root.insert(pattern).pattern = pattern
	g.rt.mux.Method(method, pattern, g.rt.adapt(route{pattern: pattern, base: g.base}, fn))
}

// joinPattern appends sub to base. It panics on forms the router does not support, since
// route registration is a programming error, caught by any test that builds the handler.
func joinPattern(base, sub string) string {
	if sub == "" || sub == "/" {
		return base
	}
	if !strings.HasPrefix(sub, "/") || strings.HasSuffix(sub, "/") || strings.Contains(sub, "//") {
		panic(fmt.Sprintf("api: route %q must start with one slash, have no empty segment and no trailing slash", sub))
	}
	return base + sub
}

// segment is a node of the route tree. Static children are keyed by their lower-case text.
type segment struct {
	static  map[string]*segment
	text    string   // registered spelling of this static segment
	param   *segment // child for a {name} segment
	mount   bool     // a router mount ends here
	pattern string   // full route pattern when a route ends here
}

// insert adds the segments of pattern below n and returns the last node.
func (n *segment) insert(pattern string) *segment {
	cur := n
	for _, s := range strings.Split(strings.TrimPrefix(pattern, "/"), "/") {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			name := s[1 : len(s)-1]
			if name == "" || strings.ContainsAny(name, ":{}*") {
				panic(fmt.Sprintf("api: route %q: only plain {name} parameters are supported", pattern))
			}
			if cur.param == nil {
				cur.param = &segment{}
			}
			cur = cur.param
			continue
		}
		if s == "" || strings.ContainsAny(s, "{}*") {
			panic(fmt.Sprintf("api: route %q: unsupported segment %q", pattern, s))
		}
		key := strings.ToLower(s)
		child := cur.static[key]
		if child == nil {
			if cur.static == nil {
				cur.static = make(map[string]*segment)
			}
			child = &segment{text: s}
			cur.static[key] = child
		} else if child.text != s {
			panic(fmt.Sprintf("api: route %q: segment %q differs only in case from %q", pattern, s, child.text))
		}
		cur = child
	}
	return cur
}

// match canonicalizes an escaped request path against the registered routes. It accepts
// what Express 4 accepts: static segments in any case, one trailing slash, and one empty
// segment right after a mount. On success it returns the path chi should route (static
// segments in their registered spelling, parameters untouched) and the route pattern.
func (rt *router) match(escapedPath string) (canonical, pattern string, ok bool) {
	if !strings.HasPrefix(escapedPath, "/") {
		return "", "", false
	}
	segs := strings.Split(escapedPath[1:], "/")
	if len(segs) > 1 && segs[len(segs)-1] == "" {
		segs = segs[:len(segs)-1]
	}
	out := make([]string, 0, len(segs))
	leaf, out := rt.root.walk(segs, out, true)
	if leaf == nil {
		return "", "", false
	}
	return "/" + strings.Join(out, "/"), leaf.pattern, true
}

// walk matches segs below n, appending canonical segments to out. Static children are tried
// before the parameter child, with backtracking, as chi does.
func (n *segment) walk(segs, out []string, maySkip bool) (*segment, []string) {
	if len(segs) == 0 {
		if n.pattern != "" {
			return n, out
		}
		return nil, out
	}
	s, rest := segs[0], segs[1:]
	if child := n.static[strings.ToLower(s)]; child != nil {
		if leaf, o := child.walk(rest, append(out, child.text), true); leaf != nil {
			return leaf, o
		}
	}
	if n.param != nil && s != "" {
		if leaf, o := n.param.walk(rest, append(out, s), true); leaf != nil {
			return leaf, o
		}
	}
	// Express strips "<mount>/" and lets the rest start with "/": one empty segment is free.
	if s == "" && n.mount && maySkip && len(rest) > 0 {
		return n.walk(rest, out, false)
	}
	return nil, out
}

// canonicalize is the chi middleware that routes on the canonical path. The request URL is
// left untouched, so handlers and the access record see what the client sent.
func (rt *router) canonicalize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.EscapedPath()
		if canonical, _, ok := rt.match(p); ok {
			p = canonical
		}
		if p == "" {
			p = "/"
		}
		chi.RouteContext(r.Context()).RoutePath = p
		stateFrom(r.Context()).path = p
		next.ServeHTTP(w, r)
	})
}

// subPath is the part of the canonical path below the mount base, as Express reports it.
func subPath(canonical, base string) string {
	rest := strings.TrimPrefix(canonical, base)
	if rest == "" {
		return "/"
	}
	return rest
}
