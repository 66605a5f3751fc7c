package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// load is one measurement: concurrency clients, each sending the next of
// bodies as soon as it has its previous answer (a closed loop), for
// duration after a warm-up.
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
}

// run measures the load. Requests are counted from the end of the
// warm-up to the end of the measurement; a request that fails (no answer,
// or a status other than 200) is an error, and its latency is not counted.
func (l load) run(ctx context.Context) (stats, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: l.concurrency, MaxConnsPerHost: l.concurrency, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: time.Minute}
	start := time.Now()
	measureFrom, end := start.Add(l.warmup), start.Add(l.warmup+l.duration)
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
			for i := c; ; i++ {
				t0 := time.Now()
				if t0.After(end) || ctx.Err() != nil {
					return
				}
				err := post(ctx, client, l.url, l.bodies[i%len(l.bodies)])
				t1 := time.Now()
				if t0.Before(measureFrom) || t1.After(end) {
					continue
				}
				if err != nil {
					cs.errors++
					if cs.firstErr == nil {
						cs.firstErr = err
					}
					continue
				}
				cs.latencies = append(cs.latencies, t1.Sub(t0))
			}
		})
	}
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
	s.Seconds = l.duration.Seconds()
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
