package api

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	th := newTestHandler(t, Options{Registerer: reg}, nil)
	requests := []struct{ method, target string }{
		{"GET", "/api/v0/node/healthcheck?checkIpfs=false"},
		{"GET", "/API/V0//node/healthcheck/?checkIpfs=false"},
		{"HEAD", "/api/v0/node/healthcheck?checkIpfs=false"},
		{"GET", "/api/v0/test/items/QmAAA"},
		{"GET", "/api/v0/test/items/QmBBB"},
		{"GET", "/api/v0/nope"},
		{"GET", "/api/v0/nope/" + strings.Repeat("x", 10)},
		{"POST", "/api/v0/node/healthcheck"},
		{"BREW", "/api/v0/node/healthcheck"},
		{"OPTIONS", "/api/v0/test/items/QmCCC"},
		{"OPTIONS", "/elsewhere"},
	}
	for _, r := range requests {
		do(t, th, r.method, r.target, "", nil)
	}

	const want = `
# HELP ceramic_http_requests_total HTTP API requests by method, matched route pattern and status code.
# TYPE ceramic_http_requests_total counter
ceramic_http_requests_total{method="GET",route="/api/v0/node/healthcheck",status="200"} 2
ceramic_http_requests_total{method="GET",route="/api/v0/test/items/{id}",status="200"} 2
ceramic_http_requests_total{method="GET",route="unmatched",status="404"} 2
ceramic_http_requests_total{method="HEAD",route="/api/v0/node/healthcheck",status="200"} 1
ceramic_http_requests_total{method="OPTIONS",route="/api/v0/test/items/{id}",status="204"} 1
ceramic_http_requests_total{method="OPTIONS",route="unmatched",status="204"} 1
ceramic_http_requests_total{method="OTHER",route="unmatched",status="404"} 1
ceramic_http_requests_total{method="POST",route="unmatched",status="404"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "ceramic_http_requests_total"); err != nil {
		t.Error(err)
	}
	// One histogram series per method and route.
	if got := testutil.CollectAndCount(th.metrics.duration); got != 8 {
		t.Errorf("%d duration series, want 8", got)
	}
}

func TestMetricsRegistries(t *testing.T) {
	t.Run("two handlers, two registries", func(t *testing.T) {
		regA, regB := prometheus.NewRegistry(), prometheus.NewRegistry()
		a := newTestHandler(t, Options{Registerer: regA}, nil)
		b := newTestHandler(t, Options{Registerer: regB}, nil)
		do(t, a, "GET", "/api/v0/node/healthcheck?checkIpfs=false", "", nil)
		got := testutil.ToFloat64(a.metrics.requests.WithLabelValues("GET", "/api/v0/node/healthcheck", "200"))
		if got != 1 {
			t.Errorf("handler A counted %v, want 1", got)
		}
		if n := testutil.CollectAndCount(b.metrics.requests); n != 0 {
			t.Errorf("handler B has %d series, want 0", n)
		}
	})
	t.Run("same registry twice is an error", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		if _, err := NewHandler(Options{Registerer: reg}, &fakeBackend{}); err != nil {
			t.Fatal(err)
		}
		if _, err := NewHandler(Options{Registerer: reg}, &fakeBackend{}); err == nil {
			t.Fatal("second registration succeeded")
		}
	})
	t.Run("failed registration leaves the registry as it was", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		reg.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "ceramic_http_request_duration_seconds", Help: "squatter"}))
		if _, err := NewHandler(Options{Registerer: reg}, &fakeBackend{}); err == nil {
			t.Fatal("registration clash not reported")
		}
		// Unregister reports whether a collector with the same description was registered.
		if reg.Unregister(prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ceramic_http_requests_total",
			Help: "HTTP API requests by method, matched route pattern and status code.",
		}, []string{"method", "route", "status"})) {
			t.Error("requests counter still registered after a failed NewHandler")
		}
	})
	t.Run("no registerer, no metrics", func(t *testing.T) {
		th := newTestHandler(t, Options{}, nil)
		if th.metrics != nil {
			t.Error("metrics created without a Registerer")
		}
		do(t, th, "GET", "/api/v0/nope", "", nil) // must not panic
	})
}
