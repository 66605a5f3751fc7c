package main

import (
	"bytes"
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fakeTest is a small MNIST-shaped test set.
func fakeTest(n int) *datasets.Dataset {
	d := &datasets.Dataset{Shape: []int{1, 28, 28}, X: make([]float32, n*784), Y: make([]float32, n)}
	for i := range d.X {
		d.X[i] = float32(i%256) / 255
	}
	return d
}

// The load generator counts answered requests, errors apart, and measures
// latencies.
func TestLoad(t *testing.T) {
	var calls atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1)%4 == 0 {
			http.Error(w, "no", http.StatusBadRequest)
			return
		}
		time.Sleep(2 * time.Millisecond)
		w.Write([]byte("{}"))
	}))
	defer ts.Close()
	l := load{url: ts.URL, bodies: [][]byte{[]byte("{}")}, concurrency: 4, warmup: 50 * time.Millisecond, duration: 300 * time.Millisecond}
	st, err := l.run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Requests == 0 || st.Errors == 0 || !strings.Contains(st.FirstError, "status 400") {
		t.Errorf("stats %+v; want requests and the 400 errors counted apart", st)
	}
	if st.P50 < 2 || st.P99 < st.P50 {
		t.Errorf("latencies p50 %v ms, p99 %v ms; each request takes ≥ 2 ms", st.P50, st.P99)
	}
	if got := st.Throughput; got < float64(st.Requests)/0.31 || got > float64(st.Requests)/0.29 {
		t.Errorf("throughput %v for %d requests in 0.3 s", got, st.Requests)
	}
}

// Requests are well-formed v2 requests, answered by the dlgo server.
func TestRequestBodiesAndChild(t *testing.T) {
	dir := t.TempDir()
	m, err := models.NewConvNet([]int{1, 28, 28}, 10, models.WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "convnet.dlgo")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- serveChild(ctx, options{maxBatch: 64, childModel: modelFlags{"convnet=" + path}}, &out)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "\n") {
		if time.Now().After(deadline) {
			t.Fatal("the child did not print its address")
		}
		time.Sleep(10 * time.Millisecond)
	}
	url := strings.TrimSpace(out.String())
	bodies := requestBodies(fakeTest(10), []int{1, 28, 28}, 3, 2)
	for _, b := range bodies {
		resp, err := http.Post(url+"/v2/models/convnet/infer", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("status %d for %.100s", resp.StatusCode, b)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("the child returned %v", err)
	}
}

func TestTable(t *testing.T) {
	rep := report{Command: "go run ./cmd/servebench", Machine: "test machine",
		Agreement: []string{"mlp: dlgo and peer agree"},
		Cells: []cell{
			{"mlp", 1, 8, "dlgo", stats{Throughput: 2298, P50: 2.49, P99: 27.45, MeanBatch: 5.25}},
			{"mlp", 1, 8, "peer", stats{Throughput: 166.5, P50: 44.19, P99: 65.43, Errors: 2}},
			{"mlp", 64, 8, "dlgo", stats{Throughput: 30.5, P50: 36, P99: 222}},
			{"mlp", 64, 8, "peer", stats{Throughput: 40.5, P50: 196, P99: 316}},
		}}
	var b bytes.Buffer
	writeTable(&b, rep)
	path := filepath.Join("testdata", "table.golden")
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(path, b.Bytes(), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestFlags(t *testing.T) {
	for _, bad := range [][]string{
		{"-models", "resnet"}, {"-samples", "0"}, {"-concurrency", "a"}, {"-duration", "0s"}, {"extra"},
	} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("servebench %v: no error", bad)
		}
	}
	o, err := parseFlags(nil)
	if err != nil || len(o.models) != 2 || len(o.concurrency) != 3 || len(o.samples) != 2 {
		t.Errorf("defaults %+v, %v", o, err)
	}
}

// The PyTorch peer serves the same model as dlgo: the same answers to
// 1e-4 (when /usr/bin/python3 has torch, fastapi and uvicorn).
func TestPeerServesTheSameModel(t *testing.T) {
	ctx := context.Background()
	if err := checkPython(ctx, "/usr/bin/python3"); err != nil {
		t.Skip(err)
	}
	scripts, err := findScripts("")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mlp, _ := models.NewMLP(784, []models.Hidden{{Units: 16, Activation: models.ReLU}}, models.MulticlassOutput(10), models.WithSeed(1))
	conv, _ := models.NewConvNet([]int{1, 28, 28}, 10, models.WithSeed(2))
	paths := map[string]string{}
	for name, m := range map[string]*models.Model{modelMLP: mlp, modelConvNet: conv} {
		paths[name] = filepath.Join(dir, name+".dlgo")
		if err := m.Save(paths[name]); err != nil {
			t.Fatal(err)
		}
	}
	peer, err := startPeer(ctx, "/usr/bin/python3", scripts, paths, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer peer.stop()
	cctx, cancel := context.WithCancel(ctx)
	var out syncBuffer
	done := make(chan error, 1)
	child := options{maxBatch: 64}
	for name, p := range paths {
		child.childModel = append(child.childModel, name+"="+p)
	}
	go func() { done <- serveChild(cctx, child, &out) }()
	defer func() { cancel(); <-done }()
	for !strings.Contains(out.String(), "\n") {
		time.Sleep(10 * time.Millisecond)
	}
	dl := &server{name: "dlgo", url: strings.TrimSpace(out.String())}
	test := fakeTest(8)
	for name, shape := range map[string][]int{modelMLP: {784}, modelConvNet: {1, 28, 28}} {
		if _, err := compareAnswers(ctx, dl, peer, name, requestBodies(test, shape, 8, 1)[0]); err != nil {
			t.Error(err)
		}
	}
}

// syncBuffer is a buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
