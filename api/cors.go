package api

import (
	"fmt"
	"net/http"
	"regexp"
)

// cors applies the CORS behaviour of the js daemon (3.x): credentials allowed, preflights
// cached for two hours, origins either "*" or reflected when one of the configured regular
// expressions matches. CORS never blocks a request on the server side.
type cors struct {
	anyOrigin bool // no origins configured: answer "*"
	origins   []*regexp.Regexp
}

const (
	corsAllowMethods = "GET,HEAD,PUT,PATCH,POST,DELETE"
	corsMaxAge       = "7200"
)

func newCORS(patterns []string) (*cors, error) {
	if patterns == nil {
		return &cors{anyOrigin: true}, nil
	}
	c := &cors{origins: make([]*regexp.Regexp, 0, len(patterns))}
	for _, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("api: invalid CORS origin pattern %q: %w", p, err)
		}
		c.origins = append(c.origins, re)
	}
	return c, nil
}

// setHeaders adds the headers every response carries.
func (c *cors) setHeaders(h http.Header, r *http.Request) {
	if c.anyOrigin {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		// The answer depends on Origin whether or not it matches, so caches must know.
		h.Add("Vary", "Origin")
		if origin := r.Header.Get("Origin"); origin != "" && c.allowed(origin) {
			h.Set("Access-Control-Allow-Origin", origin)
		}
	}
	h.Set("Access-Control-Allow-Credentials", "true")
}

func (c *cors) allowed(origin string) bool {
	for _, re := range c.origins {
		if re.MatchString(origin) {
			return true
		}
	}
	return false
}

// preflight answers any OPTIONS request, whatever its path.
func (c *cors) preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", corsAllowMethods)
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	}
	h.Add("Vary", "Access-Control-Request-Headers")
	h.Set("Access-Control-Max-Age", corsMaxAge)
	w.WriteHeader(http.StatusNoContent)
}
