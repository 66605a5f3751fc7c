package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dlgo/dlgo/models"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestHelp(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-h"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "help.golden")
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(path, out.Bytes(), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("serve -h =\n%s\nwant\n%s", out.String(), want)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "-model is required"},
		{[]string{"-model", "a.dlgo", "extra"}, `unexpected argument "extra"`},
		{[]string{"-model", "name="}, "names no file"},
		{[]string{"-model", "a.dlgo", "-max-samples", "0"}, "at least 1"},
		{[]string{"-model", "a.dlgo", "-timeout", "0s"}, "-timeout must be positive"},
		{[]string{"-model", "a.dlgo", "-log-level", "loud"}, `-log-level "loud"`},
		{[]string{"-modle", "a.dlgo"}, "flag provided but not defined"},
	} {
		err := run(context.Background(), tc.args, io.Discard, io.Discard)
		if !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("serve %v: %v; want a usage error with %q", tc.args, err, tc.want)
		}
		if code := exitCode(err, io.Discard); code != 2 {
			t.Errorf("serve %v: exit code %d; want 2", tc.args, code)
		}
	}
}

func TestBadModels(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.dlgo")
	os.WriteFile(bad, []byte("not a model"), 0o644)
	m := saveModel(t, dir, "good")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-model", filepath.Join(dir, "missing.dlgo")}, "no such file"},
		{[]string{"-model", bad}, "bad.dlgo"},
		{[]string{"-model", m, "-model", m}, `two models named "good"`},
		{[]string{"-model", "bad name=" + m}, `model name "bad name"`},
		{[]string{"-model", m, "-addr", "256.0.0.1:1"}, "listen"},
	} {
		err := run(context.Background(), append(tc.args, "-log-level", "error"), io.Discard, io.Discard)
		if err == nil || errors.As(err, new(usageError)) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("serve %v: %v; want an error with %q", tc.args, err, tc.want)
		}
	}
}

// saveModel saves a small classifier as dir/name.dlgo.
func saveModel(t *testing.T, dir, name string) string {
	t.Helper()
	spec := models.Sequential([]int{2}, models.Dense(3, models.Softmax))
	spec.Classes = []string{"a", "b", "c"}
	m, err := models.New(spec, models.WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".dlgo")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// startServer runs the command on a free port and returns its address,
// its log and a function that stops it and returns run's error.
func startServer(t *testing.T, args ...string) (addr string, log *syncBuffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log = &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0", "-log-json"}, args...), io.Discard, log)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for addr == "" {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve stopped: %v\n%s", err, log)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not say where it listens:\n%s", log)
		}
		time.Sleep(10 * time.Millisecond)
		sc := bufio.NewScanner(strings.NewReader(log.String()))
		for sc.Scan() {
			var entry map[string]any
			if json.Unmarshal(sc.Bytes(), &entry) == nil && entry["msg"] == "serve: listening" {
				addr, _ = entry["addr"].(string)
			}
		}
	}
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				err = errors.New("serve did not stop")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return addr, log, stop
}

func TestServe(t *testing.T) {
	dir := t.TempDir()
	saveModel(t, dir, "first")
	addr, log, stop := startServer(t, "-model", dir, "-model", "other="+filepath.Join(dir, "first.dlgo"))
	resp, err := http.Get(addr + "/v2/health/ready")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("ready: %d", resp.StatusCode)
	}
	for _, name := range []string{"first", "other"} {
		resp, err = http.Post(addr+"/v2/models/"+name+"/infer", "application/json",
			strings.NewReader(`{"inputs":[{"name":"input","datatype":"FP32","shape":[1,2],"data":[1,2]}]}`))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"name":"class"`) {
			t.Errorf("infer %s: %d %s", name, resp.StatusCode, body)
		}
	}
	// A model file added to the directory is served within -reload.
	saveModel(t, dir, "second")
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err = http.Get(addr + "/v2/models/second/ready")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the new model file is not served:\n%s", log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	// One structured line per request.
	var requests int
	sc := bufio.NewScanner(strings.NewReader(log.String()))
	for sc.Scan() {
		var entry map[string]any
		if err := json.Unmarshal(sc.Bytes(), &entry); err != nil {
			t.Errorf("log line %q is not JSON", sc.Text())
			continue
		}
		if entry["msg"] == "request" && entry["path"] == "/v2/models/first/infer" {
			requests++
			if entry["status"] != 200.0 || entry["model"] != "first" || entry["samples"] != 1.0 || entry["duration_ms"] == nil {
				t.Errorf("request log entry %v", entry)
			}
		}
	}
	if requests != 1 {
		t.Errorf("%d log entries for the one request to first", requests)
	}
}

// On shutdown, a request in flight finishes and gets its answer; new
// connections are refused.
func TestGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	path := saveModel(t, dir, "m")
	addr, log, stop := startServer(t, "-model", path)
	pr, pw := io.Pipe()
	type answer struct {
		status int
		body   string
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		resp, err := http.Post(addr+"/v2/models/m/infer", "application/json", pr)
		if err != nil {
			answered <- answer{err: err}
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		answered <- answer{resp.StatusCode, string(body), nil}
	}()
	io.WriteString(pw, `{"inputs":[{"name":"input","datatype":"FP32",`)
	// Wait until the server is reading that request: two in flight, it
	// and the metrics request.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(metrics(t, addr), "dlgo_requests_in_flight 2") {
		if time.Now().After(deadline) {
			t.Fatalf("the request never got to the server:\n%s", log)
		}
		time.Sleep(10 * time.Millisecond)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	// Shutdown has begun when the server refuses new connections.
	for {
		if _, err := http.Get(addr + "/v2/health/live"); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-stopped:
		t.Fatalf("serve stopped (%v) before the request in flight finished", err)
	default:
	}
	io.WriteString(pw, `"shape":[1,2],"data":[1,2]}]}`)
	pw.Close()
	a := <-answered
	if a.err != nil || a.status != 200 || !strings.Contains(a.body, `"outputs"`) {
		t.Errorf("the request in flight got %d %q, %v; want its answer", a.status, a.body, a.err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("serve returned %v after a graceful shutdown", err)
	}
	if !strings.Contains(log.String(), "serve: stopped") {
		t.Errorf("log:\n%s", log)
	}
}

func metrics(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get(addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return fmt.Sprint(string(b))
}
