package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dlgo/dlgo/models"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// twoVersions returns two models of the same architecture with different
// weights, and an input on which they disagree.
func twoVersions(t *testing.T) (a, b *models.Model, x []float32) {
	t.Helper()
	spec := models.Sequential([]int{3}, models.Dense(4, models.ReLU), models.Dense(2, models.Softmax))
	var err error
	if a, err = models.New(spec, models.WithSeed(1)); err != nil {
		t.Fatal(err)
	}
	if b, err = models.New(spec, models.WithSeed(2)); err != nil {
		t.Fatal(err)
	}
	return a, b, []float32{0.3, -1.2, 2}
}

// logitsOf asks the server for the logits of x.
func logitsOf(url string, x []float32) ([]float32, error) {
	body := inferBody([]int{1, len(x)}, x)
	body = append(body[:len(body)-1], `,"outputs":[{"name":"logits"}]}`...)
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var ans struct {
		Outputs []struct {
			Data []float32 `json:"data"`
		} `json:"outputs"`
		Error string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d: %s", resp.StatusCode, ans.Error)
	}
	return ans.Outputs[0].Data, nil
}

func TestReload(t *testing.T) {
	a, b, x := twoVersions(t)
	wantA, _ := a.Logits(x)
	wantB, _ := b.Logits(x)
	dir := t.TempDir()
	path := filepath.Join(dir, "m.dlgo")
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	srv, ts := newTestServer(t, Config{}, nil)
	if err := srv.AddFile("", path); err != nil {
		t.Fatal(err)
	}
	url := ts.URL + "/v2/models/m/infer"
	check := func(when string, want []float32) {
		t.Helper()
		got, err := logitsOf(url, x)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s: logits %v, %v; want %v", when, got, err, want)
		}
	}
	check("first load", wantA)
	srv.Reload()
	check("unchanged file", wantA)
	if err := b.Save(path); err != nil {
		t.Fatal(err)
	}
	srv.Reload()
	check("after saving another model", wantB)

	// A broken file leaves the model serving, and is counted.
	if err := os.WriteFile(path, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv.Reload()
	check("after a broken file", wantB)
	if n := testutil.ToFloat64(srv.metrics.reloads.WithLabelValues("m", "error")); n != 1 {
		t.Errorf("reload errors counted: %v; want 1", n)
	}
	srv.Reload()
	if n := testutil.ToFloat64(srv.metrics.reloads.WithLabelValues("m", "error")); n != 1 {
		t.Errorf("the same broken file was tried again: %v errors", n)
	}
	// A file that disappears leaves the model serving; one that comes back
	// is loaded.
	os.Remove(path)
	srv.Reload()
	check("after the file was removed", wantB)
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	srv.Reload()
	check("after the file came back", wantA)
	if n := testutil.ToFloat64(srv.metrics.reloads.WithLabelValues("m", "ok")); n != 2 {
		t.Errorf("reloads counted: %v; want 2", n)
	}
}

func TestAddDir(t *testing.T) {
	a, b, x := twoVersions(t)
	dir := t.TempDir()
	if err := a.Save(filepath.Join(dir, "first.dlgo")); err != nil {
		t.Fatal(err)
	}
	// Not model files: a file being written, another extension.
	os.WriteFile(filepath.Join(dir, ".second.dlgo.123.tmp"), []byte("partial"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644)
	srv, ts := newTestServer(t, Config{}, nil)
	if err := srv.AddDir(dir); err != nil {
		t.Fatal(err)
	}
	if got := srv.Models(); !slices.Equal(got, []string{"first"}) {
		t.Fatalf("models %v; want [first]", got)
	}
	if err := b.Save(filepath.Join(dir, "second.dlgo")); err != nil {
		t.Fatal(err)
	}
	srv.Reload()
	if got := srv.Models(); !slices.Equal(got, []string{"first", "second"}) {
		t.Fatalf("after a new file, models %v; want [first second]", got)
	}
	want, _ := b.Logits(x)
	if got, err := logitsOf(ts.URL+"/v2/models/second/infer", x); err != nil || !slices.Equal(got, want) {
		t.Errorf("the new model answers %v, %v; want %v", got, err, want)
	}
	// A directory with a broken model file does not start.
	os.WriteFile(filepath.Join(dir, "broken.dlgo"), []byte("x"), 0o644)
	srv2, _ := New(Config{Logger: quietLogger()})
	defer srv2.Close()
	if err := srv2.AddDir(dir); err == nil {
		t.Error("AddDir with a broken model file: no error")
	}
}

// Replacing the model file again and again while clients keep asking
// fails no request, and every answer is one of the two versions'.
func TestReloadUnderLoad(t *testing.T) {
	a, b, x := twoVersions(t)
	wantA, _ := a.Logits(x)
	wantB, _ := b.Logits(x)
	path := filepath.Join(t.TempDir(), "m.dlgo")
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	srv, ts := newTestServer(t, Config{}, nil)
	if err := srv.AddFile("m", path); err != nil {
		t.Fatal(err)
	}
	ctxDone := make(chan struct{})
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		for {
			select {
			case <-ctxDone:
				return
			case <-time.After(time.Millisecond):
				srv.Reload()
			}
		}
	}()
	var answered, failed atomic.Int64
	var sawA, sawB atomic.Bool
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				got, err := logitsOf(ts.URL+"/v2/models/m/infer", x)
				switch {
				case err != nil:
					failed.Add(1)
					t.Error(err)
				case slices.Equal(got, wantA):
					sawA.Store(true)
				case slices.Equal(got, wantB):
					sawB.Store(true)
				default:
					failed.Add(1)
					t.Errorf("logits %v are neither version's", got)
				}
				answered.Add(1)
			}
		})
	}
	for i := range 40 {
		m := a
		if i%2 == 0 {
			m = b
		}
		if err := m.Save(path); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	close(ctxDone)
	<-watchDone
	if failed.Load() != 0 || answered.Load() == 0 {
		t.Errorf("%d of %d requests failed", failed.Load(), answered.Load())
	}
	if !sawA.Load() || !sawB.Load() {
		t.Errorf("answers from version A: %v, from B: %v; want both", sawA.Load(), sawB.Load())
	}
	if n := testutil.ToFloat64(srv.metrics.reloads.WithLabelValues("m", "ok")); n < 2 {
		t.Errorf("%v reloads; want several", n)
	}
}
