package ethtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
)

// Proxy is a reverse proxy in front of a JSON-RPC endpoint that records the calls
// (methods and parameters) of the requests it forwards, single or batched.
type Proxy struct {
	// URL is the proxy's endpoint, http://127.0.0.1:<port>.
	URL string

	t     testing.TB
	srv   *httptest.Server
	mu    sync.Mutex
	calls []Call
}

// Call is a JSON-RPC call: its method and parameters. It also decodes a request.
type Call struct {
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
}

// NewProxy starts a proxy in front of the JSON-RPC endpoint target (a [Chain.URL], say)
// and stops it when the test ends.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{t: t}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var one Call
		var batch []Call
		p.mu.Lock()
		if json.Unmarshal(body, &one) == nil {
			p.calls = append(p.calls, one)
		} else if json.Unmarshal(body, &batch) == nil {
			p.calls = append(p.calls, batch...)
		}
		p.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	p.URL = p.srv.URL
	t.Cleanup(p.srv.Close)
	return p
}

// Calls returns the calls forwarded so far, in order.
func (p *Proxy) Calls() []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Call(nil), p.calls...)
}

// Count returns how many calls of method (of all methods if "") were forwarded.
func (p *Proxy) Count(method string) int {
	n := 0
	for _, c := range p.Calls() {
		if method == "" || c.Method == method {
			n++
		}
	}
	return n
}

// SentTxs decodes the transactions forwarded with eth_sendRawTransaction, in order.
func (p *Proxy) SentTxs() []*types.Transaction {
	p.t.Helper()
	var out []*types.Transaction
	for _, c := range p.Calls() {
		if c.Method != "eth_sendRawTransaction" || len(c.Params) != 1 {
			continue
		}
		var raw hexutil.Bytes
		if err := json.Unmarshal(c.Params[0], &raw); err != nil {
			p.t.Fatal(err)
		}
		tx := new(types.Transaction)
		if err := tx.UnmarshalBinary(raw); err != nil {
			p.t.Fatal(err)
		}
		out = append(out, tx)
	}
	return out
}
