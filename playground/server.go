package playground

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"sync"
	"time"
)

//go:embed web
var web embed.FS

// ServerOptions bound a Server. Zero fields take the defaults.
type ServerOptions struct {
	// MaxSessions is the most sessions (browser tabs) at once (default 16).
	MaxSessions int
	// MaxPoints is the most points a session may generate (default 2000).
	MaxPoints int
	// IdleTimeout closes a session that had no request and no open event
	// stream for this long (default 10 minutes).
	IdleTimeout time.Duration
	// Session holds every session's options.
	Session Options
}

func (o ServerOptions) withDefaults() ServerOptions {
	if o.MaxSessions <= 0 {
		o.MaxSessions = 16
	}
	if o.MaxPoints <= 0 {
		o.MaxPoints = 2000
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 10 * time.Minute
	}
	return o
}

// Server serves the playground: the page and the JSON API under /api/
// that the page uses (see the package documentation). Create it with
// NewServer and Close it when done.
type Server struct {
	opts ServerOptions
	mux  *http.ServeMux
	now  func() time.Time

	mu       sync.Mutex
	sessions map[string]*entry
	stop     chan struct{}
	stopOnce sync.Once
	reaper   sync.WaitGroup
}

// entry is a session with what the server needs to free it when idle.
type entry struct {
	s       *Session
	lastUse time.Time
	streams int
}

// NewServer returns a server with the given limits. It frees idle sessions
// in a goroutine of its own until Close.
func NewServer(o ServerOptions) *Server {
	srv := &Server{opts: o.withDefaults(), mux: http.NewServeMux(), now: time.Now,
		sessions: map[string]*entry{}, stop: make(chan struct{})}
	static, _ := fs.Sub(web, "web")
	srv.mux.Handle("GET /", http.FileServerFS(static))
	srv.mux.HandleFunc("GET /api/options", srv.options)
	srv.mux.HandleFunc("POST /api/sessions", srv.create)
	srv.mux.HandleFunc("GET /api/sessions/{id}", srv.withSession(srv.status))
	srv.mux.HandleFunc("DELETE /api/sessions/{id}", srv.delete)
	srv.mux.HandleFunc("POST /api/sessions/{id}/step", srv.withSession(srv.step))
	srv.mux.HandleFunc("POST /api/sessions/{id}/play", srv.withSession(srv.play(true)))
	srv.mux.HandleFunc("POST /api/sessions/{id}/pause", srv.withSession(srv.play(false)))
	srv.mux.HandleFunc("GET /api/sessions/{id}/events", srv.withSession(srv.events))
	srv.mux.HandleFunc("GET /api/sessions/{id}/model.dlgo", srv.withSession(srv.export))
	srv.mux.HandleFunc("GET /api/sessions/{id}/train.csv", srv.withSession(srv.csv(false)))
	srv.mux.HandleFunc("GET /api/sessions/{id}/test.csv", srv.withSession(srv.csv(true)))
	srv.reaper.Add(1)
	go srv.reap()
	return srv
}

// ServeHTTP serves the page and the API.
func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { srv.mux.ServeHTTP(w, r) }

// Close closes every session, ends the event streams and stops freeing
// idle sessions. The server answers no more API calls after it.
func (srv *Server) Close() {
	srv.stopOnce.Do(func() { close(srv.stop) })
	srv.reaper.Wait()
	srv.mu.Lock()
	all := srv.sessions
	srv.sessions = map[string]*entry{}
	srv.mu.Unlock()
	for _, e := range all {
		e.s.Close()
	}
}

// reap closes idle sessions every tenth of the idle timeout.
func (srv *Server) reap() {
	defer srv.reaper.Done()
	t := time.NewTicker(max(srv.opts.IdleTimeout/10, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-srv.stop:
			return
		case <-t.C:
			srv.closeIdle()
		}
	}
}

// closeIdle closes the sessions idle for longer than the timeout.
func (srv *Server) closeIdle() {
	now := srv.now()
	var idle []*Session
	srv.mu.Lock()
	for id, e := range srv.sessions {
		if e.streams == 0 && now.Sub(e.lastUse) > srv.opts.IdleTimeout {
			idle = append(idle, e.s)
			delete(srv.sessions, id)
		}
	}
	srv.mu.Unlock()
	for _, s := range idle {
		s.Close()
	}
}

// apiError is the body of every error answer.
type apiError struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		code, buf = http.StatusInternalServerError, bytes.Buffer{}
		fmt.Fprintf(&buf, "{\"error\":%q}\n", "playground: encoding the answer: "+err.Error())
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

func writeError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, apiError{Error: err.Error()})
}

// maxBody bounds request bodies.
const maxBody = 64 << 10

// sessionHandler serves a request about one session.
type sessionHandler func(w http.ResponseWriter, r *http.Request, s *Session, id string)

// withSession finds the session of the path and marks it used.
func (srv *Server) withSession(h sessionHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		srv.mu.Lock()
		e, ok := srv.sessions[id]
		if ok {
			e.lastUse = srv.now()
		}
		srv.mu.Unlock()
		if !ok {
			writeError(w, http.StatusNotFound, fmt.Errorf("playground: no session %q (it may have been freed after %v without use)", id, srv.opts.IdleTimeout))
			return
		}
		h(w, r, e.s, id)
	}
}

// Choice is one option of a list the page offers.
type Choice struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	// Task is a data set's: classification or regression.
	Task string `json:"task,omitempty"`
}

// options tells the page what it can offer: the defaults, the choices and
// the limits.
func (srv *Server) options(w http.ResponseWriter, _ *http.Request) {
	var sets, feats []Choice
	for _, d := range datasetList {
		task := "classification"
		if d.regression {
			task = "regression"
		}
		sets = append(sets, Choice{Name: d.name, Label: d.label, Task: task})
	}
	for _, f := range featureList {
		feats = append(feats, Choice{Name: f.name, Label: f.label})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"defaults": Defaults(), "datasets": sets, "features": feats,
		"activations": activationNames, "optimizers": optimizerNames, "regularizations": regularizationNames,
		"max_layers": MaxLayers, "max_neurons": MaxNeurons, "max_points": srv.opts.MaxPoints,
		"grid_size": GridSize, "neuron_grid_size": NeuronGridSize, "view": View,
	})
}

// create starts a session: POST /api/sessions with a configuration.
func (srv *Server) create(w http.ResponseWriter, r *http.Request) {
	c, err := DecodeConfig(http.MaxBytesReader(w, r.Body, maxBody), srv.opts.MaxPoints)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	srv.closeIdle()
	srv.mu.Lock()
	full := len(srv.sessions) >= srv.opts.MaxSessions
	srv.mu.Unlock()
	if full {
		writeError(w, http.StatusServiceUnavailable, fmt.Errorf("playground: %d sessions are open, the most this server allows: close a tab, or wait until idle ones are freed", srv.opts.MaxSessions))
		return
	}
	select {
	case <-srv.stop:
		writeError(w, http.StatusServiceUnavailable, errors.New("playground: the server is shutting down"))
		return
	default:
	}
	s, err := NewSession(c, srv.opts.Session)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	id := newID()
	srv.mu.Lock()
	if len(srv.sessions) >= srv.opts.MaxSessions {
		srv.mu.Unlock()
		s.Close()
		writeError(w, http.StatusServiceUnavailable, fmt.Errorf("playground: %d sessions are open, the most this server allows", srv.opts.MaxSessions))
		return
	}
	srv.sessions[id] = &entry{s: s, lastUse: srv.now()}
	srv.mu.Unlock()
	writeJSON(w, http.StatusCreated, s.status(id))
}

// newID returns a random session ID.
func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (srv *Server) status(w http.ResponseWriter, _ *http.Request, s *Session, id string) {
	writeJSON(w, http.StatusOK, s.status(id))
}

func (srv *Server) delete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	srv.mu.Lock()
	e, ok := srv.sessions[id]
	delete(srv.sessions, id)
	srv.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Errorf("playground: no session %q", id))
		return
	}
	e.s.Close()
	w.WriteHeader(http.StatusNoContent)
}

// step trains N epochs: POST /api/sessions/{id}/step with {"epochs": N}
// (an empty body steps one).
func (srv *Server) step(w http.ResponseWriter, r *http.Request, s *Session, _ string) {
	req := struct {
		Epochs int `json:"epochs"`
	}{Epochs: 1}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err == nil && len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err = dec.Decode(&req)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("playground: step: %w", err))
		return
	}
	if req.Epochs < 1 || req.Epochs > 10_000 {
		writeError(w, http.StatusBadRequest, fmt.Errorf("playground: step: epochs %d is not between 1 and 10000", req.Epochs))
		return
	}
	f, err := s.Step(r.Context(), req.Epochs)
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, f)
	case r.Context().Err() != nil:
		// The client went away; the epochs still run.
	default:
		writeError(w, http.StatusConflict, err)
	}
}

// play plays or pauses; both answer {"playing": ..., "epoch": N}, a
// pause once the running epoch has ended.
func (srv *Server) play(on bool) sessionHandler {
	return func(w http.ResponseWriter, r *http.Request, s *Session, _ string) {
		if !on {
			epoch, err := s.Pause(r.Context())
			if err == nil {
				writeJSON(w, http.StatusOK, map[string]any{"playing": false, "epoch": epoch})
			}
			return
		}
		if err := s.Play(); err != nil {
			writeError(w, http.StatusConflict, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"playing": true, "epoch": s.Epoch()})
	}
}

// events streams the session's frames as server-sent events named
// "frame", each with the epochs' figures since the previous one.
func (srv *Server) events(w http.ResponseWriter, r *http.Request, s *Session, id string) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, errors.New("playground: the connection cannot stream"))
		return
	}
	srv.streaming(id, 1)
	defer srv.streaming(id, -1)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	sentSeq, sentEpochs := 0, 0
	heartbeat := time.NewTicker(15 * time.Second)
	defer heartbeat.Stop()
	for {
		f, changed := s.latest()
		if f.Seq != sentSeq {
			out := *f
			out.History = s.historyFrom(sentEpochs)
			data, err := json.Marshal(out)
			if err != nil {
				return
			}
			if _, err := fmt.Fprintf(w, "event: frame\ndata: %s\n\n", data); err != nil {
				return
			}
			flusher.Flush()
			sentSeq, sentEpochs = f.Seq, sentEpochs+len(out.History)
		}
		select {
		case <-changed:
		case <-heartbeat.C:
			if _, err := io.WriteString(w, ": still here\n\n"); err != nil {
				return
			}
			flusher.Flush()
		case <-r.Context().Done():
			return
		case <-srv.stop:
			return
		case <-s.finished:
			// Send the last frame, then keep the stream open until the
			// client leaves, so that it does not reconnect.
			if f2, _ := s.latest(); f2.Seq != sentSeq {
				continue
			}
			select {
			case <-r.Context().Done():
			case <-srv.stop:
			}
			return
		}
	}
}

// streaming counts a session's open event streams, which keep it from
// being idle.
func (srv *Server) streaming(id string, delta int) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if e, ok := srv.sessions[id]; ok {
		e.streams += delta
		e.lastUse = srv.now()
	}
}

// export sends the network as trained so far as a .dlgo model file.
func (srv *Server) export(w http.ResponseWriter, r *http.Request, s *Session, _ string) {
	m, err := s.Model(r.Context())
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, err)
		return
	}
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="playground.dlgo"`)
	w.Write(buf.Bytes())
}

// csv sends the training or test points as CSV.
func (srv *Server) csv(test bool) sessionHandler {
	return func(w http.ResponseWriter, _ *http.Request, s *Session, _ string) {
		var buf bytes.Buffer
		if err := s.WriteData(&buf, test); err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		name := TrainFile
		if test {
			name = TestFile
		}
		w.Header().Set("Content-Type", "text/csv")
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
		w.Write(buf.Bytes())
	}
}
