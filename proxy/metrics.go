package proxy

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are a gateway's Prometheus metrics, on a registry of its own;
// [Metrics.Handler] serves them.
type Metrics struct {
	registry       *prometheus.Registry
	requests       *prometheus.CounterVec
	byOutcome      map[string]prometheus.Counter // resolved once: no label hashing per request
	upstream       prometheus.Histogram
	upstreamErrors *prometheus.CounterVec
	reloads        *prometheus.CounterVec
	handoffs       prometheus.Counter
}

func newMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: counterVec("corskit_proxy_requests_total",
			"Requests by CORS outcome: non_cors, preflight_allowed, preflight_denied, actual_allowed, actual_denied, websocket_denied.", "outcome"),
		upstream: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "corskit_proxy_upstream_duration_seconds",
			Help:    "Time to the upstream's response headers.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}),
		upstreamErrors: counterVec("corskit_proxy_upstream_errors_total",
			"Requests the upstream did not answer, by kind.", "kind"),
		reloads: counterVec("corskit_proxy_reloads_total",
			"Policy reloads by result: ok, or error (the old policy stayed).", "result"),
	}
	m.handoffs = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "corskit_proxy_handoffs_total",
		Help: "Connections the fast path handed to net/http's server, at a request with a body, an upgrade or unusual syntax.",
	})
	m.registry.MustRegister(m.requests, m.upstream, m.upstreamErrors, m.reloads, m.handoffs)
	m.byOutcome = map[string]prometheus.Counter{}
	for _, o := range []string{"non_cors", "preflight_allowed", "preflight_denied", "actual_allowed", "actual_denied", "websocket_denied"} {
		m.byOutcome[o] = m.requests.WithLabelValues(o)
	}
	return m
}

// counterVec returns a counter named name, described by help, with the one
// label label.
func counterVec(name, help, label string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{label})
}

// count adds one request of the outcome.
func (m *Metrics) count(outcome string) {
	if c, ok := m.byOutcome[outcome]; ok {
		c.Inc()
		return
	}
	m.requests.WithLabelValues(outcome).Inc()
}

// Handler serves the metrics in Prometheus's text exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// AdminHandler serves /healthz, /readyz and /metrics for the admin listener.
// ready reports whether the gateway can serve (its upstream answers).
func (g *Gateway) AdminHandler(ready func() error) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if ready != nil {
			if err := ready(); err != nil {
				http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", g.Metrics.Handler())
	return mux
}
