package playground

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/trainers"
)

// apiServer starts a playground server for a test.
func apiServer(t *testing.T, o ServerOptions) (*Server, *httptest.Server) {
	t.Helper()
	srv := NewServer(o)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	return srv, ts
}

// call sends a request and decodes a JSON answer into out (if not nil).
func call(t *testing.T, method, url, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v in %q", method, url, err, data)
		}
	}
	return res.StatusCode
}

func create(t *testing.T, ts *httptest.Server, body string) Status {
	t.Helper()
	var st Status
	if code := call(t, "POST", ts.URL+"/api/sessions", body, &st); code != http.StatusCreated {
		t.Fatalf("POST /api/sessions %s: status %d", body, code)
	}
	return st
}

func TestAPIStepPlayPause(t *testing.T) {
	_, ts := apiServer(t, ServerOptions{})
	st := create(t, ts, `{"dataset": "xor", "layers": [4, 4], "optimizer": "adam", "seed": 7}`)
	if st.ID == "" || st.Config.Dataset != "xor" || st.Config.Points != 500 || st.Task != "classification" || len(st.Train)+len(st.Test) != 500 {
		t.Fatalf("created %+v", st)
	}
	base := ts.URL + "/api/sessions/" + st.ID
	var f map[string]any
	if code := call(t, "POST", base+"/step", `{"epochs": 5}`, &f); code != http.StatusOK {
		t.Fatalf("step: status %d, %v", code, f)
	}
	for _, k := range []string{"epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy"} {
		if _, ok := f[k]; !ok {
			t.Errorf("step answer %v lacks %q", f, k)
		}
	}
	if f["epoch"] != 5.0 {
		t.Errorf("after step 5: epoch %v", f["epoch"])
	}
	if code := call(t, "POST", base+"/step", "", &f); code != http.StatusOK || f["epoch"] != 6.0 {
		t.Errorf("step with no body: status %d, %v; want epoch 6", code, f)
	}
	if code := call(t, "POST", base+"/play", "", nil); code != http.StatusOK {
		t.Fatalf("play: status %d", code)
	}
	var e apiError
	if code := call(t, "POST", base+"/step", `{"epochs": 1}`, &e); code != http.StatusConflict || !strings.Contains(e.Error, "playing") {
		t.Errorf("step while playing: %d %q; want 409 about playing", code, e.Error)
	}
	time.Sleep(100 * time.Millisecond)
	// Export while playing: the model is copied between two epochs.
	res, err := http.Get(base + "/model.dlgo")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if _, err := models.Read(bytes.NewReader(data), int64(len(data))); res.StatusCode != http.StatusOK || err != nil {
		t.Errorf("export while playing: %d, %v", res.StatusCode, err)
	}
	if code := call(t, "POST", base+"/pause", "", nil); code != http.StatusOK {
		t.Fatalf("pause: status %d", code)
	}
	call(t, "GET", base, "", &st)
	if st.Epoch <= 6 || st.Playing || len(st.History) < st.Epoch {
		t.Errorf("after playing: epoch %d, playing %v, %d figures", st.Epoch, st.Playing, len(st.History))
	}
	if !strings.Contains(st.Command, "-epochs ") || !strings.Contains(st.Command, "-hidden 4,4") {
		t.Errorf("command %q", st.Command)
	}
	if code := call(t, "DELETE", base, "", nil); code != http.StatusNoContent {
		t.Errorf("delete: status %d", code)
	}
	if code := call(t, "GET", base, "", &e); code != http.StatusNotFound {
		t.Errorf("after delete: status %d", code)
	}
}

// The same configuration gives the same run through the API too.
func TestAPISeeded(t *testing.T) {
	_, ts := apiServer(t, ServerOptions{})
	var figs [2]Figures
	for i := range figs {
		st := create(t, ts, `{"dataset": "moons", "optimizer": "adam", "dropout": 0.2, "seed": 3}`)
		call(t, "POST", ts.URL+"/api/sessions/"+st.ID+"/step", `{"epochs": 4}`, &figs[i])
	}
	if !sameFigures(figs[0], figs[1]) {
		t.Errorf("two runs of one configuration: %+v and %+v", figs[0], figs[1])
	}
}

func TestAPIBadConfigurations(t *testing.T) {
	_, ts := apiServer(t, ServerOptions{MaxPoints: 1000})
	for _, tt := range []struct{ body, want string }{
		{`{"dataset": "iris"}`, `dataset: "iris" is not one of circles, xor`},
		{`{"points": 5000}`, "points: 5000 is not between 10 and 1000"},
		{`{"points": 3}`, "points: 3"},
		{`{"noise": -0.1}`, "noise"},
		{`{"train_ratio": 1}`, "train_ratio"},
		{`{"batch": 0}`, "batch: 0"},
		{`{"batch": 400}`, "batch: 400 is not between 1 and the 250 training points"},
		{`{"features": []}`, "features: none chosen"},
		{`{"features": ["x1", "x3"]}`, `features: "x3" is not one of x1, x2, x1_sq`},
		{`{"features": ["x1", "x1"]}`, "given twice"},
		{`{"layers": [1, 2, 3, 4, 5, 6, 7]}`, "layers: 7 hidden layers; at most 6"},
		{`{"layers": [4, 9]}`, "layers: layer 2 has 9 neurons; want 1 to 8"},
		{`{"layers": [0]}`, "layer 1 has 0 neurons"},
		{`{"activation": "softmax"}`, "activation"},
		{`{"optimizer": "rmsprop"}`, "optimizer"},
		{`{"lr": 0}`, "lr: 0"},
		{`{"lr": 100}`, "lr: 100"},
		{`{"regularization": "l3"}`, "regularization"},
		{`{"reg_rate": -1}`, "reg_rate"},
		{`{"dropout": 0.95}`, "dropout"},
		{`{"dataset": "xor", "colour": "red"}`, `unknown field "colour"`},
		{`{"layers": "4,2"}`, "cannot unmarshal"},
		{`{"seed": 1} {"seed": 2}`, "more than one JSON value"},
		{`not json`, "invalid character"},
	} {
		var e apiError
		code := call(t, "POST", ts.URL+"/api/sessions", tt.body, &e)
		if code != http.StatusBadRequest || !strings.Contains(e.Error, tt.want) {
			t.Errorf("POST %s: %d %q; want 400 containing %q", tt.body, code, e.Error, tt.want)
		}
	}
	st := create(t, ts, `{}`)
	for _, tt := range []struct{ body, want string }{
		{`{"epochs": 0}`, "epochs 0"},
		{`{"epochs": 20000}`, "epochs 20000"},
		{`{"epoch": 2}`, `unknown field "epoch"`},
	} {
		var e apiError
		if code := call(t, "POST", ts.URL+"/api/sessions/"+st.ID+"/step", tt.body, &e); code != http.StatusBadRequest || !strings.Contains(e.Error, tt.want) {
			t.Errorf("step %s: %d %q; want 400 containing %q", tt.body, code, e.Error, tt.want)
		}
	}
	var e apiError
	if code := call(t, "POST", ts.URL+"/api/sessions/nope/step", `{}`, &e); code != http.StatusNotFound || !strings.Contains(e.Error, "no session") {
		t.Errorf("unknown session: %d %q", code, e.Error)
	}
	big := `{"dataset": "` + strings.Repeat("x", 100<<10) + `"}`
	if code := call(t, "POST", ts.URL+"/api/sessions", big, &e); code != http.StatusBadRequest {
		t.Errorf("a 100 KB body: status %d; want 400", code)
	}
	// The server still serves.
	create(t, ts, `{"dataset": "spiral"}`)
}

func TestAPISessionCapAndIdle(t *testing.T) {
	srv, ts := apiServer(t, ServerOptions{MaxSessions: 2, IdleTimeout: time.Hour})
	now := time.Now()
	srv.mu.Lock()
	srv.now = func() time.Time { return now }
	srv.mu.Unlock()
	a := create(t, ts, `{}`)
	create(t, ts, `{}`)
	var e apiError
	if code := call(t, "POST", ts.URL+"/api/sessions", `{}`, &e); code != http.StatusServiceUnavailable || !strings.Contains(e.Error, "2 sessions") {
		t.Errorf("a third session: %d %q; want 503 about the cap", code, e.Error)
	}
	// An open event stream keeps a session from being idle.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/api/sessions/"+a.ID+"/events", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if _, err := bufio.NewReader(res.Body).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	later := now.Add(2 * time.Hour)
	srv.mu.Lock()
	srv.now = func() time.Time { return later }
	srv.mu.Unlock()
	srv.closeIdle()
	srv.mu.Lock()
	n := len(srv.sessions)
	_, kept := srv.sessions[a.ID]
	srv.mu.Unlock()
	if n != 1 || !kept {
		t.Errorf("after the idle timeout: %d sessions (streamed one kept: %v); want only the streamed one", n, kept)
	}
	create(t, ts, `{}`) // room again
}

// readFrames reads server-sent frames until stop says so.
func readFrames(t *testing.T, r io.Reader, stop func(Frame) bool) []Frame {
	t.Helper()
	var frames []Frame
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && event == "frame":
			var f Frame
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &f); err != nil {
				t.Fatal(err)
			}
			frames = append(frames, f)
			if stop(f) {
				return frames
			}
		}
	}
	t.Fatalf("the stream ended after %d frames: %v", len(frames), sc.Err())
	return nil
}

// The event stream sends the untrained network first, then frames with
// every epoch's figures exactly once.
func TestAPIEvents(t *testing.T) {
	_, ts := apiServer(t, ServerOptions{Session: Options{FrameInterval: time.Millisecond}})
	st := create(t, ts, `{"dataset": "circles", "layers": [3, 2, 2], "features": ["x1", "x2", "x1_sq"]}`)
	base := ts.URL + "/api/sessions/" + st.ID
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/events", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	go func() {
		for range 3 {
			var f Figures
			call(t, "POST", base+"/step", `{"epochs": 4}`, &f)
		}
	}()
	frames := readFrames(t, res.Body, func(f Frame) bool { return f.Epoch == 12 })
	first := frames[0]
	if first.Epoch != 0 || first.Seq != 1 || len(first.History) != 1 || first.History[0].Epoch != 0 {
		t.Errorf("first frame: epoch %d, seq %d, history %v; want the untrained network", first.Epoch, first.Seq, first.History)
	}
	var epochs []int
	for _, f := range frames {
		for _, h := range f.History {
			epochs = append(epochs, h.Epoch)
		}
	}
	for i, e := range epochs {
		if e != i {
			t.Fatalf("the frames' figures are for epochs %v; want 0 to 12, each once", epochs)
		}
	}
	last := frames[len(frames)-1]
	if len(last.Neurons) != 3 || len(last.Neurons[0]) != 3 || len(last.Neurons[2]) != 2 || len(last.Ranges[1]) != 2 {
		t.Errorf("neuron maps for layers of %d, %d, %d; want 3, 2, 2", len(last.Neurons[0]), len(last.Neurons[1]), len(last.Neurons[2]))
	}
	if len(last.Weights) != 4 || len(last.Weights[0]) != 3 || len(last.Weights[0][0]) != 3 || len(last.Weights[3][0]) != 1 || len(last.GradientNorms) != 4 {
		t.Errorf("weights %d layers, first %dx%d; %d gradient norms; want 4 layers from 3 features, 4 norms",
			len(last.Weights), len(last.Weights[0]), len(last.Weights[0][0]), len(last.GradientNorms))
	}
	if n := len(decodeMap(t, last.Output)); n != GridSize*GridSize {
		t.Errorf("output map of %d cells; want %d", n, GridSize*GridSize)
	}
	if n := len(decodeMap(t, last.Neurons[0][0])); n != NeuronGridSize*NeuronGridSize {
		t.Errorf("neuron map of %d cells; want %d", n, NeuronGridSize*NeuronGridSize)
	}
}

// The exported model is the session's network: it loads, predicts the
// frame's output, and has the session's weights.
func TestAPIExport(t *testing.T) {
	_, ts := apiServer(t, ServerOptions{})
	st := create(t, ts, `{"dataset": "gaussians", "features": ["x1", "x2", "sin_x1", "sin_x2"], "layers": [6], "optimizer": "adam"}`)
	base := ts.URL + "/api/sessions/" + st.ID
	var f Figures
	call(t, "POST", base+"/step", `{"epochs": 3}`, &f)
	res, err := http.Get(base + "/model.dlgo")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), "playground.dlgo") {
		t.Fatalf("export: status %d, %q", res.StatusCode, res.Header.Get("Content-Disposition"))
	}
	m, err := models.Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Spec().Features; strings.Join(got, ",") != "x1,x2,sin_x1,sin_x2" {
		t.Errorf("exported model's features %v", got)
	}
	// Its test loss is the session's.
	test := loadCSV(t, base+"/test.csv", datasets.CSVOptions{Kind: datasets.Numeric})
	logs, err := trainers.Evaluate(m, test)
	if err != nil {
		t.Fatal(err)
	}
	if got := logs[trainers.LossName]; got != f.TestLoss {
		t.Errorf("the exported model's test loss %v; the session's %v", got, f.TestLoss)
	}
	if len(test.X) != len(st.Test)*4 {
		t.Errorf("test.csv: %d values; want %d points × 4 features", len(test.X), len(st.Test))
	}
}

func decodeMap(t *testing.T, b64 string) []byte {
	t.Helper()
	var out []byte
	if err := json.Unmarshal([]byte(`"`+b64+`"`), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// loadCSV fetches a CSV from the API and reads it.
func loadCSV(t *testing.T, url string, o datasets.CSVOptions) *datasets.Dataset {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	d, err := datasets.ReadCSV(res.Body, "points", o)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAPIOptionsAndPage(t *testing.T) {
	_, ts := apiServer(t, ServerOptions{MaxPoints: 800})
	var o struct {
		Defaults  Config   `json:"defaults"`
		Datasets  []Choice `json:"datasets"`
		Features  []Choice `json:"features"`
		MaxPoints int      `json:"max_points"`
	}
	if code := call(t, "GET", ts.URL+"/api/options", "", &o); code != http.StatusOK {
		t.Fatalf("options: %d", code)
	}
	if o.Defaults.Dataset != "circles" || len(o.Datasets) != 7 || len(o.Features) != 7 || o.MaxPoints != 800 {
		t.Errorf("options %+v", o)
	}
	for _, path := range []string{"/", "/playground.js", "/playground.css"} {
		res, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || len(body) < 500 {
			t.Errorf("GET %s: %d, %d bytes", path, res.StatusCode, len(body))
		}
	}
}
