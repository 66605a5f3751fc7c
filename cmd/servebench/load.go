package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// load is one measurement: concurrency clients, each sending the next of
// bodies as soon as it has its previous answer (a closed loop). A warm-up
// lasts at least warmup and until every client has had an answer; the
// measurement then lasts duration, or five times the slowest warm-up
// request if that is longer, so that slow requests are measured in the
// steady state too.
type load struct {
	url         string
	bodies      [][]byte
	concurrency int
	warmup      time.Duration
	duration    time.Duration
}

// stats is what a load measured.
type stats struct {
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	Seconds    float64 `json:"seconds"`
	Throughput float64 `json:"requests_per_second"`
	P50        float64 `json:"p50_ms"`
	P99        float64 `json:"p99_ms"`
	FirstError string  `json:"first_error,omitempty"`
	// MeanBatch is the dlgo server's mean samples per prediction call
	// during the load (warm-up included), from its metrics.
	MeanBatch float64 `json:"mean_batch,omitempty"`
}

// run measures the load. The requests counted are those answered within
// the measurement (whenever they were sent): throughput is their number
// over its duration, and p50 and p99 are of their latencies. A request
// that fails (no answer, or a status other than 200) is an error, apart.
func (l load) run(ctx context.Context) (stats, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: l.concurrency, MaxConnsPerHost: l.concurrency, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Minute}
	start := time.Now()
	// The measurement's bounds, in nanoseconds since start; 0 until the
	// warm-up is over.
	var from, end atomic.Int64
	var answered atomic.Int64 // clients with at least one answer
	var slowest atomic.Int64  // the slowest warm-up request, in ns
	warmedUp := make(chan struct{})
	type clientStats struct {
		latencies []time.Duration
		errors    int
		firstErr  error
	}
	results := make([]clientStats, l.concurrency)
	var wg sync.WaitGroup
	for c := range l.concurrency {
		wg.Go(func() {
			cs := &results[c]
			first := true
			for i := c; ; i++ {
				t0 := time.Since(start)
				if e := end.Load(); (e != 0 && int64(t0) > e) || ctx.Err() != nil {
					return
				}
				err := post(ctx, client, l.url, l.bodies[i%len(l.bodies)])
				t1 := time.Since(start)
				if f := from.Load(); f == 0 || int64(t1) < f {
					for d := int64(t1 - t0); ; {
						s := slowest.Load()
						if d <= s || slowest.CompareAndSwap(s, d) {
							break
						}
					}
					if first {
						first = false
						if answered.Add(1) == int64(l.concurrency) {
							close(warmedUp)
						}
					}
					continue
				}
				if e := end.Load(); int64(t1) > e {
					return
				}
				if err != nil {
					cs.errors++
					if cs.firstErr == nil {
						cs.firstErr = err
					}
					continue
				}
				cs.latencies = append(cs.latencies, t1-t0)
			}
		})
	}
	select {
	case <-warmedUp:
	case <-ctx.Done():
	}
	if wait := l.warmup - time.Since(start); wait > 0 {
		time.Sleep(wait)
	}
	d := max(l.duration, 5*time.Duration(slowest.Load()))
	f := time.Since(start)
	end.Store(int64(f + d))
	from.Store(int64(f))
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return stats{}, err
	}
	var all []time.Duration
	var s stats
	for _, cs := range results {
		all = append(all, cs.latencies...)
		s.Errors += cs.errors
		if cs.firstErr != nil && s.FirstError == "" {
			s.FirstError = cs.firstErr.Error()
		}
	}
	slices.Sort(all)
	s.Requests = len(all)
	s.Seconds = d.Seconds()
	s.Throughput = float64(len(all)) / s.Seconds
	s.P50 = quantile(all, 0.50)
	s.P99 = quantile(all, 0.99)
	return s, nil
}

// quantile returns the q-quantile of sorted latencies in milliseconds (the
// nearest rank), or 0 for none.
func quantile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	i = max(0, min(i, len(sorted)-1))
	return float64(sorted[i].Microseconds()) / 1000
}

// post sends one request and reads its whole answer.
func post(ctx context.Context, client *http.Client, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %.200s", resp.StatusCode, answer)
	}
	return nil
}
