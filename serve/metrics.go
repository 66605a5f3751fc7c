package serve

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's Prometheus metrics. Requests are labelled by
// model (empty for requests that name no served model: a label per unknown
// name would let clients grow the metrics without bound), endpoint and
// status code.
type metrics struct {
	requests *prometheus.CounterVec
	errors   *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	inFlight prometheus.Gauge
	samples  *prometheus.CounterVec
	batches  *prometheus.HistogramVec
	reloads  *prometheus.CounterVec
	loadedAt *prometheus.GaugeVec
	registry *prometheus.Registry
}

// newMetrics registers the metrics on reg, or on a registry of their own
// with Go's runtime and process metrics when reg is nil.
func newMetrics(reg *prometheus.Registry) (*metrics, error) {
	own := reg == nil
	if own {
		reg = prometheus.NewRegistry()
	}
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dlgo_requests_total", Help: "HTTP requests answered, by model, endpoint and status code.",
		}, []string{"model", "endpoint", "code"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dlgo_request_errors_total", Help: "HTTP requests answered with an error status (4xx, 5xx), by model, endpoint and status code.",
		}, []string{"model", "endpoint", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "dlgo_request_duration_seconds", Help: "Time from a request's arrival to its answer, by model and endpoint.",
			Buckets: prometheus.ExponentialBuckets(100e-6, 2, 18), // 100 µs to 13 s
		}, []string{"model", "endpoint"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dlgo_requests_in_flight", Help: "Requests being answered.",
		}),
		samples: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dlgo_samples_total", Help: "Samples predicted, by model.",
		}, []string{"model"}),
		batches: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "dlgo_batch_samples", Help: "Samples per prediction call, after requests waiting together were batched, by model.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 11), // 1 to 1024
		}, []string{"model"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dlgo_model_reloads_total", Help: "Attempts to load a changed model file, by model and result (ok, error).",
		}, []string{"model", "result"}),
		loadedAt: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "dlgo_model_loaded_timestamp_seconds", Help: "When the model now served was loaded, in Unix time.",
		}, []string{"model"}),
		registry: reg,
	}
	cs := []prometheus.Collector{m.requests, m.errors, m.latency, m.inFlight, m.samples, m.batches, m.reloads, m.loadedAt}
	if own {
		cs = append(cs, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("serve: registering metrics: %w", err)
		}
	}
	return m, nil
}
