package serve

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dlgo/dlgo/models"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/sirupsen/logrus"
)

// Config configures a Server. Zero fields take the defaults.
type Config struct {
	// MaxBodyBytes is the largest request body accepted (default 32 MiB);
	// a larger one is answered 413.
	MaxBodyBytes int64
	// MaxSamples is the most samples one request may hold (default 1024);
	// more are answered 413.
	MaxSamples int
	// MaxBatch is the most samples a model predicts in one call when it
	// batches requests that wait together (default 64). A request of more
	// samples is predicted alone.
	MaxBatch int
	// BatchWindow is how long a worker that has a batch waits for the
	// requests already arriving (whose bodies are being read and parsed)
	// to fill it (default 1 ms; negative: never). A request that comes
	// alone never waits.
	BatchWindow time.Duration
	// Workers is the number of predictions a model runs at once (default
	// GOMAXPROCS).
	Workers int
	// Timeout bounds a prediction request from its arrival to its
	// prediction (default 30 s); one whose prediction is not done by then
	// is answered 503. Reading a slow body is bounded by the http.Server's
	// ReadTimeout, as cmd/serve sets it.
	Timeout time.Duration
	// Logger receives one structured entry per request and the reloads
	// (default logrus.StandardLogger()).
	Logger logrus.FieldLogger
	// Registry receives the server's metrics, for a program that serves
	// its own; by default the server has a registry of its own, with Go's
	// runtime and process metrics. Either way, GET /metrics serves it.
	Registry *prometheus.Registry
}

func (c Config) withDefaults() Config {
	c.MaxBodyBytes = cmp.Or(c.MaxBodyBytes, 32<<20)
	c.MaxSamples = cmp.Or(c.MaxSamples, 1024)
	c.MaxBatch = cmp.Or(c.MaxBatch, 64)
	c.BatchWindow = cmp.Or(c.BatchWindow, time.Millisecond)
	c.Workers = cmp.Or(c.Workers, runtime.GOMAXPROCS(0))
	c.Timeout = cmp.Or(c.Timeout, 30*time.Second)
	if c.Logger == nil {
		c.Logger = logrus.StandardLogger()
	}
	return c
}

// Server serves dlgo models over HTTP with the Open Inference Protocol
// (KServe v2), the REST protocol Triton and KServe speak. It is an
// http.Handler:
//
//	GET  /v2                             server metadata
//	GET  /v2/health/live                 200 while the server runs
//	GET  /v2/health/ready                200 when it serves at least one model
//	GET  /v2/models/{name}               model metadata: input, outputs, class names
//	GET  /v2/models/{name}/ready         200 for a served model, 404 otherwise
//	POST /v2/models/{name}/infer         predict (see the package documentation)
//	POST /v2/models/{name}/rows          predict rows keyed by feature name (dlgo's extension)
//	GET  /metrics                        Prometheus metrics
//
// Requests for a model run in parallel; see Config for batching, limits
// and timeouts. Every answer is JSON, errors included ({"error": "..."}).
type Server struct {
	cfg     Config
	log     logrus.FieldLogger
	metrics *metrics
	mux     *http.ServeMux
	closed  atomic.Bool

	mu     sync.RWMutex
	models map[string]*entry
	dirs   []string

	reloadMu sync.Mutex // one Reload at a time
}

// entry is one served model: its current version, which a reload
// replaces, and the workers that run its predictions.
type entry struct {
	name    string
	path    string // the file it is loaded from; "" for a model added by Add
	current atomic.Pointer[served]
	stamp   fileStamp // of the file last tried, under reloadMu
	batcher *batcher
}

// New returns a server with no models; add them with Add, AddFile or
// AddDir. It is an error only if the metrics cannot be registered on
// cfg.Registry (because another server's already are).
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	m, err := newMetrics(cfg.Registry)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger, metrics: m, models: map[string]*entry{}}
	s.mux = http.NewServeMux()
	s.route("/v2", "server", s.serverMetadata, http.MethodGet)
	s.route("/v2/{$}", "server", s.serverMetadata, http.MethodGet)
	s.route("/v2/health/live", "live", s.live, http.MethodGet)
	s.route("/v2/health/ready", "ready", s.ready, http.MethodGet)
	s.route("/v2/models/{name}", "metadata", s.modelMetadata, http.MethodGet)
	s.route("/v2/models/{name}/ready", "model_ready", s.modelReady, http.MethodGet)
	s.route("/v2/models/{name}/infer", "infer", s.infer, http.MethodPost)
	s.route("/v2/models/{name}/rows", "rows", s.rows, http.MethodPost)
	metricsHandler := promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
	s.route("/metrics", "metrics", func(w *reply, r *http.Request) { metricsHandler.ServeHTTP(w, r) }, http.MethodGet)
	s.route("/", "other", func(w *reply, r *http.Request) {
		w.fail(http.StatusNotFound, fmt.Sprintf("no endpoint %s: see /v2/models/{name}/infer", r.URL.Path))
	}, "")
	return s, nil
}

// modelName is what a model's name may be: it is a path segment.
var modelName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

// Add serves m under name. A model added this way is never reloaded.
func (s *Server) Add(name string, m *models.Model) error {
	return s.add(name, "", m, fileStamp{})
}

func (s *Server) add(name, path string, m *models.Model, st fileStamp) error {
	if !modelName.MatchString(name) {
		return fmt.Errorf("serve: model name %q: use letters, digits, '_', '-' and '.', not starting with '.' or '-'", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return errClosed
	}
	if old, ok := s.models[name]; ok {
		return fmt.Errorf("serve: two models named %q (%s and %s): name them with name=path", name, cmp.Or(old.path, "added in memory"), cmp.Or(path, "added in memory"))
	}
	e := &entry{name: name, path: path, stamp: st}
	e.current.Store(newServed(name, m, path))
	observe := func(samples, requests int) {
		s.metrics.batches.WithLabelValues(name).Observe(float64(samples))
	}
	e.batcher = newBatcher(s.cfg.Workers, s.cfg.MaxBatch, s.cfg.BatchWindow, observe)
	s.models[name] = e
	s.metrics.loadedAt.WithLabelValues(name).SetToCurrentTime()
	return nil
}

// Models returns the names of the models served, sorted.
func (s *Server) Models() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.models))
	for n := range s.models {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Model returns the model served under name, or nil.
func (s *Server) Model(name string) *models.Model {
	if e := s.entry(name); e != nil {
		return e.current.Load().model
	}
	return nil
}

func (s *Server) entry(name string) *entry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.models[name]
}

// Close stops the server's workers after the batches they are running;
// requests after it are answered 503. Stop the http.Server first (its
// Shutdown lets requests in flight finish), then Close. Closing twice is
// harmless.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed.Store(true)
	es := make([]*entry, 0, len(s.models))
	for _, e := range s.models {
		es = append(es, e)
	}
	s.mu.Unlock()
	for _, e := range es {
		e.batcher.close()
	}
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// reply is the response writer handlers get: it records the status and
// what the request log and metrics need.
type reply struct {
	http.ResponseWriter
	start   time.Time // the request's arrival
	status  int
	model   string
	samples int
	errMsg  string
}

func (w *reply) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *reply) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// json writes a JSON answer.
func (w *reply) json(status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// fail writes the protocol's error answer, {"error": msg}.
func (w *reply) fail(status int, msg string) {
	w.errMsg = msg
	b := append(appendJSON([]byte(`{"error":`), msg), '}')
	w.json(status, b)
}

// route registers a handler for one endpoint, with the methods it accepts
// (GET also accepts HEAD; "" accepts any), wrapped in the request log, the
// metrics and a guard against panics.
func (s *Server) route(pattern, endpoint string, h func(*reply, *http.Request), method string) {
	s.mux.HandleFunc(pattern, func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.metrics.inFlight.Inc()
		w := &reply{ResponseWriter: rw, start: start}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.WithField("panic", p).Error("serve: handler panicked")
				if w.status == 0 {
					w.fail(http.StatusInternalServerError, fmt.Sprintf("internal error: %v", p))
				}
			}
			s.metrics.inFlight.Dec()
			s.finish(w, r, endpoint, start)
		}()
		if method != "" && r.Method != method && !(method == http.MethodGet && r.Method == http.MethodHead) {
			w.Header().Set("Allow", method)
			w.fail(http.StatusMethodNotAllowed, fmt.Sprintf("%s takes %s, not %s", r.URL.Path, method, r.Method))
			return
		}
		h(w, r)
	})
}

// finish logs a request and counts it.
func (s *Server) finish(w *reply, r *http.Request, endpoint string, start time.Time) {
	d := time.Since(start)
	code := fmt.Sprint(cmp.Or(w.status, http.StatusOK))
	s.metrics.requests.WithLabelValues(w.model, endpoint, code).Inc()
	if w.status >= 400 {
		s.metrics.errors.WithLabelValues(w.model, endpoint, code).Inc()
	}
	s.metrics.latency.WithLabelValues(w.model, endpoint).Observe(d.Seconds())
	fields := logrus.Fields{
		"method": r.Method, "path": r.URL.Path, "status": cmp.Or(w.status, http.StatusOK),
		"duration_ms": float64(d.Microseconds()) / 1000, "remote": r.RemoteAddr,
	}
	if w.model != "" {
		fields["model"] = w.model
	}
	if w.samples > 0 {
		fields["samples"] = w.samples
	}
	log := s.log.WithFields(fields)
	switch {
	case w.status >= 500:
		log.WithField("error", w.errMsg).Error("request")
	case w.status >= 400:
		log.WithField("error", w.errMsg).Warn("request")
	default:
		log.Info("request")
	}
}

// lookup finds the model a request names, or answers 404.
func (s *Server) lookup(w *reply, r *http.Request) *entry {
	name := r.PathValue("name")
	e := s.entry(name)
	if e == nil {
		names := s.Models()
		w.fail(http.StatusNotFound, fmt.Sprintf("no model %q (serving %s)", name, quoteList(names)))
		return nil
	}
	w.model = name
	return e
}

func quoteList(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	if len(q) > 10 {
		q = append(q[:10], fmt.Sprintf("… (%d in all)", len(names)))
	}
	return fmt.Sprint(q)
}

func (s *Server) serverMetadata(w *reply, r *http.Request) {
	w.json(http.StatusOK, []byte(`{"name":"dlgo","version":"1","extensions":["dlgo_rows"]}`))
}

func (s *Server) live(w *reply, r *http.Request) {
	w.json(http.StatusOK, []byte(`{"live":true}`))
}

func (s *Server) ready(w *reply, r *http.Request) {
	if s.closed.Load() || len(s.Models()) == 0 {
		w.json(http.StatusServiceUnavailable, []byte(`{"ready":false}`))
		return
	}
	w.json(http.StatusOK, []byte(`{"ready":true}`))
}

func (s *Server) modelMetadata(w *reply, r *http.Request) {
	if e := s.lookup(w, r); e != nil {
		w.json(http.StatusOK, e.current.Load().metadata)
	}
}

func (s *Server) modelReady(w *reply, r *http.Request) {
	if e := s.lookup(w, r); e != nil {
		b := appendJSON([]byte(`{"name":`), e.name)
		w.json(http.StatusOK, append(b, `,"ready":true}`...))
	}
}

// predict runs n samples x through the model of sv, on e's workers, for
// the request of ticket t, and answers the errors it may meet. It returns false when it has answered.
func (s *Server) predict(w *reply, r *http.Request, e *entry, t *ticket, sv *served, x []float32, n int) ([]float32, bool) {
	ctx, cancel := context.WithDeadline(r.Context(), w.start.Add(s.cfg.Timeout))
	defer cancel()
	j := &job{sv: sv, x: x, n: n}
	err := e.batcher.predict(ctx, t, j)
	switch {
	case err == nil:
		w.samples = n
		s.metrics.samples.WithLabelValues(e.name).Add(float64(n))
		return j.logits, true
	case errors.Is(err, context.DeadlineExceeded):
		w.fail(http.StatusServiceUnavailable, fmt.Sprintf("the prediction took longer than the server's timeout, %v", s.cfg.Timeout))
	case errors.Is(err, context.Canceled):
		w.fail(http.StatusServiceUnavailable, "the client went away")
	case errors.Is(err, errClosed):
		w.fail(http.StatusServiceUnavailable, "the server is shutting down")
	default:
		w.fail(http.StatusInternalServerError, err.Error())
	}
	return nil, false
}

// readBody reads a request's body within the size limit, or answers 413
// or 400.
func (s *Server) readBody(w *reply, r *http.Request) ([]byte, bool) {
	if r.ContentLength > s.cfg.MaxBodyBytes {
		w.fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("the body has %d bytes; the limit is %d", r.ContentLength, s.cfg.MaxBodyBytes))
		return nil, false
	}
	body, err := readAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes), r.ContentLength)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		w.fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("the body has more than %d bytes, the limit", s.cfg.MaxBodyBytes))
		return nil, false
	case err != nil:
		w.fail(http.StatusBadRequest, fmt.Sprintf("reading the body: %v", err))
		return nil, false
	}
	return body, true
}

// checkSamples answers 413 when a request holds more samples than allowed.
func (s *Server) checkSamples(w *reply, n int) bool {
	if n > s.cfg.MaxSamples {
		w.fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("%d samples in one request; the limit is %d", n, s.cfg.MaxSamples))
		return false
	}
	return true
}
