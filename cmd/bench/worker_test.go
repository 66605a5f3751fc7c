package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/dlgo/dlgo/datasets"
)

// randomImages returns n random 1×28×28 images with labels 0 to 9.
func randomImages(n int, seed uint64) *datasets.Dataset {
	rng := rand.New(rand.NewPCG(seed, 7))
	d := &datasets.Dataset{Name: "random", Shape: []int{1, 28, 28}, Targets: []string{"label"},
		X: make([]float32, n*784), Y: make([]float32, n)}
	for i := range d.X {
		d.X[i] = rng.Float32()
	}
	for i := range d.Y {
		d.Y[i] = float32(i % 10)
	}
	for k := range 10 {
		d.Classes = append(d.Classes, strconv.Itoa(k))
	}
	return d
}

func TestDlgoWorker(t *testing.T) {
	train, test := randomImages(256, 1), randomImages(70, 2)
	s := settings{EpochsMLP: 2, EpochsConvNet: 1, BatchSize: 100, LearningRate: 1e-3, InferBatch: 32, InferRuns: 2, Seed: 1, LatencyCalls: 25}
	for _, model := range allModels {
		t.Run(model, func(t *testing.T) {
			r, err := dlgoWorker(context.Background(), model, train, test, s)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.check(); err != nil {
				t.Fatal(err)
			}
			if r.Impl != implDlgo || r.Model != model || r.DType != "float32" {
				t.Errorf("impl %q model %q dtype %q", r.Impl, r.Model, r.DType)
			}
			if r.Epochs != s.epochs(model) || len(r.TrainLoss) != r.Epochs || len(r.InferSeconds) != 2 {
				t.Errorf("%d epochs, %d losses, %d inference times", r.Epochs, len(r.TrainLoss), len(r.InferSeconds))
			}
			if r.TrainSize != 256 || r.TestSize != 70 || r.BatchSize != 100 || r.InferBatch != 32 {
				t.Errorf("sizes: train %d test %d batch %d infer batch %d", r.TrainSize, r.TestSize, r.BatchSize, r.InferBatch)
			}
			if want := float64(70) / minOf(r.InferSeconds); r.ImagesPerSecond != want {
				t.Errorf("images per second %v, want %v", r.ImagesPerSecond, want)
			}
			for _, l := range r.TrainLoss {
				if !(l > 0 && l < 10) {
					t.Errorf("training loss %v", l)
				}
			}
			wantParams := map[string]int{modelMLP: 784*128 + 128 + 128*64 + 64 + 64*10 + 10,
				modelConvNet: 32*9 + 32 + 64*32*9 + 64 + 1600*10 + 10}[model]
			if r.Info.Parameters != wantParams || r.Threads < 1 || r.Info.Go == "" {
				t.Errorf("info %+v, threads %d; want %d parameters", r.Info, r.Threads, wantParams)
			}
			if r.PredictCalls != 25 || len(r.PredictSeconds) != 2 || !(r.PredictSeconds[0] > 0) || r.PredictSeconds[1] < r.PredictSeconds[0] {
				t.Errorf("%d predictions timed, percentiles %v", r.PredictCalls, r.PredictSeconds)
			}
		})
	}
}

// A ConvNet of other filter counts has their parameters.
func TestDlgoWorkerFilters(t *testing.T) {
	train, test := randomImages(64, 1), randomImages(20, 2)
	s := settings{EpochsConvNet: 1, BatchSize: 32, LearningRate: 1e-3, InferBatch: 20, InferRuns: 1, Seed: 1, Filters: []int{8, 16}}
	r, err := dlgoWorker(context.Background(), modelConvNet, train, test, s)
	if err != nil {
		t.Fatal(err)
	}
	if want := 8*9 + 8 + 16*8*9 + 16 + 400*10 + 10; r.Info.Parameters != want || len(r.Filters) != 2 || r.Filters[1] != 16 {
		t.Errorf("%d parameters, filters %v; want %d", r.Info.Parameters, r.Filters, want)
	}
}

func TestPercentiles(t *testing.T) {
	v := make([]float64, 200)
	for i := range v {
		v[i] = float64(200 - i)
	}
	if got := percentiles(v); got[0] != 100 || got[1] != 199 {
		t.Errorf("percentiles of 1..200 = %v, want [100 199]", got)
	}
}

// The GEMM peak worker prints a line the parent reads.
func TestPeakWorker(t *testing.T) {
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"-worker", workerPeak, "-peak-n", "64"}, &stdout, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	p, err := parsePeak(stdout.Bytes())
	if err != nil || p.N != 64 || len(p.Seconds) != 10 || !(p.GFLOPs > 0) {
		t.Errorf("peak %+v, %v", p, err)
	}
	for _, bad := range []string{"", "{}\n", `{"gemm_n": 64, "gemm_seconds": [1], "gemm_gflops": 0}`} {
		if _, err := parsePeak([]byte(bad)); err == nil {
			t.Errorf("parsePeak(%q): no error", bad)
		}
	}
}

// TestWorkerFlag runs the worker as the benchmark starts it, in this
// process, on MNIST-like files.
func TestWorkerFlag(t *testing.T) {
	dir := fakeMNIST(t, 200, 50)
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-worker", "dlgo-mlp", "-mnist", dir, "-epochs-mlp", "1", "-infer-runs", "1", "-infer-batch", "1000"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	rs, err := parseResults(stdout.Bytes())
	if err != nil {
		t.Fatalf("%v in %q", err, stdout.String())
	}
	if len(rs) != 1 || rs[0].TrainSize != 200 || rs[0].TestSize != 50 || rs[0].Epochs != 1 {
		t.Errorf("results %+v", rs)
	}
}
