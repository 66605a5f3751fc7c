package serve

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// Requests that wait together are predicted in one call, and each gets
// its own logits.
func TestBatcherBatchesWaitingRequests(t *testing.T) {
	m := testModels(t)["iris"]
	sv := newServed("iris", m, "")
	type run struct{ samples, requests int }
	var mu sync.Mutex
	var runs []run
	// One worker that waits up to a minute to fill batches of 6 samples:
	// three requests of 2 samples make one batch as soon as they are in.
	b := newBatcher(1, 6, time.Minute, func(samples, requests int) {
		mu.Lock()
		runs = append(runs, run{samples, requests})
		mu.Unlock()
	})
	defer b.close()
	// The three arrive before any is sent, as when their bodies are
	// still being read: the worker that takes the first waits for the
	// other two.
	tickets := []*ticket{b.arrive(), b.arrive(), b.arrive()}
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			x := randomInput(m, 2, uint64(i))
			j := &job{sv: sv, x: x, n: 2}
			if err := b.predict(context.Background(), tickets[i], j); err != nil {
				t.Error(err)
				return
			}
			want, _ := m.Logits(x)
			if !slices.Equal(j.logits, want) {
				t.Errorf("request %d: logits %v; want %v", i, j.logits, want)
			}
		})
	}
	wg.Wait()
	if !slices.Equal(runs, []run{{6, 3}}) {
		t.Errorf("batches run: %v; want one of 6 samples from 3 requests", runs)
	}
}

// A request that comes alone does not wait for the batch window.
func TestAloneWaitsForNobody(t *testing.T) {
	ms := testModels(t)
	_, ts := newTestServer(t, Config{BatchWindow: time.Minute}, ms)
	good := `{"inputs":[{"name":"input","datatype":"FP32","shape":[1,2],"data":[0.5,-1]}]}`
	start := time.Now()
	for range 3 {
		if status, ans := call(t, http.MethodPost, ts.URL+"/v2/models/binary/infer", []byte(good)); status != 200 {
			t.Fatalf("status %d: %v", status, ans)
		}
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("three requests one after the other took %v: they waited for the window", d)
	}
}

// A request that waits longer than the timeout is answered 503, and one
// that comes after Close too.
func TestTimeoutAndClose(t *testing.T) {
	ms := testModels(t)
	srv, ts := newTestServer(t, Config{Workers: 1, BatchWindow: 10 * time.Second, Timeout: 100 * time.Millisecond}, ms)
	// A request on its way that never comes: the one worker waits ten
	// seconds for it to fill its batch, longer than the timeout.
	srv.entry("binary").batcher.arrive()
	good := `{"inputs":[{"name":"input","datatype":"FP32","shape":[1,2],"data":[0.5,-1]}]}`
	status, ans := call(t, http.MethodPost, ts.URL+"/v2/models/binary/infer", []byte(good))
	if msg, _ := ans["error"].(string); status != http.StatusServiceUnavailable || !strings.Contains(msg, "timeout") {
		t.Errorf("a request past the timeout: %d %v; want 503", status, ans)
	}
	if n := testutil.ToFloat64(srv.metrics.errors.WithLabelValues("binary", "infer", "503")); n != 1 {
		t.Errorf("errors counted: %v; want 1", n)
	}
	srv.Close()
	status, ans = call(t, http.MethodPost, ts.URL+"/v2/models/binary/infer", []byte(good))
	if status != http.StatusServiceUnavailable {
		t.Errorf("after Close: %d %v; want 503", status, ans)
	}
	if status, _ := call(t, http.MethodGet, ts.URL+"/v2/health/ready", nil); status != http.StatusServiceUnavailable {
		t.Errorf("ready after Close: %d; want 503", status)
	}
	if err := srv.Add("late", ms["iris"]); !errors.Is(err, errClosed) {
		t.Errorf("Add after Close: %v", err)
	}
}
