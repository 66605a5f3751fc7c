package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// fakeResults are fixed results of every kind: figures, a failure and a
// peer that did not run.
func fakeResults() []result {
	const mb = 1 << 20
	torchInfo := func(threads, blas int) info {
		return info{Python: "3.11.2", Numpy: "1.24.2", Torch: "1.13.0a0", TorchThreads: threads, TorchInteropThreads: 1,
			BlasThreads: []blasThreads{{Library: "openblas", Threads: blas}, {Library: "openmp", Threads: 2}},
			MKLDNN:      true, CPUCapability: "AVX2"}
	}
	return []result{
		{Impl: implDlgo, Name: implDlgo, Label: "dlgo", Model: modelMLP, DType: "float32", Epochs: 3, TrainSize: 60000, TestSize: 10000,
			EpochSeconds: []float64{5, 4, 4.5}, InferSeconds: []float64{0.1, 0.12, 0.11}, ImagesPerSecond: 100000,
			TestAccuracy: 0.97125, Threads: 2, MaxRSSBytes: 300 * mb, Info: info{Go: "go1.26.8", GOMAXPROCS: 2, NumCPU: 2},
			PredictCalls: 10000, PredictSeconds: []float64{20e-6, 45e-6}},
		{Impl: peerTorch, Name: peerTorch, Label: "PyTorch, default threads", Model: modelMLP, DType: "float32", Epochs: 3,
			EpochSeconds: []float64{3, 2, 2.5}, ImagesPerSecond: 200000, TestAccuracy: 0.9688, MaxRSSBytes: 450 * mb, Info: torchInfo(1, 2),
			TrainSize: 60000, PredictCalls: 10000, PredictSeconds: []float64{90e-6, 150e-6}},
		{Impl: peerTorch, Name: peerTorch1, Label: "PyTorch, 1 thread", Model: modelMLP, DType: "float32", Epochs: 3,
			EpochSeconds: []float64{2, 1.8, 1.9}, ImagesPerSecond: 250000, TestAccuracy: 0.9701, MaxRSSBytes: 440 * mb, Info: torchInfo(1, 1),
			TrainSize: 60000, PredictCalls: 10000, PredictSeconds: []float64{80e-6, 200e-6}},
		{Impl: peerTorch, Name: peerTorchN, Label: "PyTorch, 2 threads", Model: modelMLP,
			Error: "exit status 1: RuntimeError: out of memory"},
		{Impl: peerSklearn, Name: peerSklearn, Label: "scikit-learn", Model: modelMLP, DType: "float32", Epochs: 3,
			EpochSeconds: []float64{6, 5, 5.5}, ImagesPerSecond: 150000, TestAccuracy: 0.9655, MaxRSSBytes: 320 * mb, TrainSize: 60000,
			Info: info{Python: "3.11.2", Numpy: "1.24.2", Sklearn: "1.2.1", BlasThreads: []blasThreads{{Library: "openblas", Threads: 2}}}},
		{Impl: implDlgo, Name: implDlgo, Label: "dlgo", Model: modelConvNet, DType: "float32", Epochs: 2,
			EpochSeconds: []float64{60, 50}, ImagesPerSecond: 1500, TestAccuracy: 0.98, Threads: 2, MaxRSSBytes: 600 * mb, TrainSize: 60000},
		{Impl: peerTorch, Name: peerTorch, Label: "PyTorch, default threads", Model: modelConvNet, DType: "float32", Epochs: 2,
			EpochSeconds: []float64{22, 20}, ImagesPerSecond: 4000.4, TestAccuracy: 0.9849, MaxRSSBytes: 560 * mb, Info: torchInfo(1, 2), TrainSize: 60000},
		{Impl: peerTorch, Name: peerTorch1, Label: "PyTorch, 1 thread", Model: modelConvNet, NotRun: true,
			Error: "/usr/bin/python3 cannot import torch (on Debian: apt-get install python3-torch python3-sklearn; or -python PATH)"},
	}
}

// fakeSettings are the settings of fakeResults.
var fakeSettings = settings{EpochsMLP: 3, EpochsConvNet: 2, BatchSize: 128, LearningRate: 1e-3, InferBatch: 1000, InferRuns: 3, Seed: 1,
	Hidden: []int{128, 64}, Filters: []int{32, 64}, LatencyCalls: 10000, PeakN: 2048}

// fakePeaks are the GEMM peaks of fakeReport: the fastest is 100 GFLOP/s.
var fakePeaks = []peak{
	{Impl: implDlgo, Name: implDlgo, Label: "dlgo", N: 2048, Seconds: []float64{0.2, 0.1718, 0.19}, GFLOPs: 100, Threads: 2},
	{Impl: peerTorch, Name: peerTorch, Label: "PyTorch, default threads", N: 2048, Seconds: []float64{0.3, 0.35, 0.4}, GFLOPs: 57.3, Threads: 1},
	{Impl: peerTorch, Name: peerTorch1, Label: "PyTorch, 1 thread", Error: "exit status 1: no torch"},
}

func fakeReport() *report {
	results := fakeResults()
	return &report{
		Command: "go run ./cmd/bench -json results.json",
		Machine: machine{CPU: "Intel(R) Xeon(R) Processor", CPUs: 2, GOOS: "linux", GOARCH: "amd64", Go: "go1.26.8",
			GOMAXPROCS: 2, GOMAXPROCSFrom: "Go's default", Gorgonia: "v0.9.18", LoadAverage: "0.10 0.20 0.30"},
		Settings:   fakeSettings,
		Models:     allModels,
		Results:    results,
		Ratios:     computeRatios(results, allModels, fakeSettings, 100),
		Peaks:      fakePeaks,
		PeakGFLOPs: fastestPeak(fakePeaks),
	}
}

func TestRatios(t *testing.T) {
	rs := computeRatios(fakeResults(), allModels, fakeSettings, 100)
	if len(rs) != 2 {
		t.Fatalf("%d ratios", len(rs))
	}
	near := func(p *float64, want float64) bool { return p != nil && math.Abs(*p-want) < 1e-12 }
	mlp, conv := rs[0], rs[1]
	if !near(mlp.Time, 4.5/1.9) || mlp.TimePeer != peerTorch1 {
		t.Errorf("MLP time ratio %v against %s, want %v against pytorch-1t", deref(mlp.Time), mlp.TimePeer, 4.5/1.9)
	}
	if !near(mlp.Throughput, 0.4) || mlp.ThroughputPeer != peerTorch1 {
		t.Errorf("MLP throughput ratio %v against %s", deref(mlp.Throughput), mlp.ThroughputPeer)
	}
	if !near(mlp.Memory, 300.0/440) || mlp.MemoryPeer != peerTorch1 {
		t.Errorf("MLP memory ratio %v against %s (sklearn's smaller RSS must not count)", deref(mlp.Memory), mlp.MemoryPeer)
	}
	if !near(conv.Time, 55.0/21) || conv.TimePeer != peerTorch || !near(conv.Throughput, 1500/4000.4) || !near(conv.Memory, 600.0/560) {
		t.Errorf("ConvNet ratios %+v", conv)
	}
	// 60,000 images × 3 × 4,880,000 FLOP in 55 s, against 100 GFLOP/s.
	if want := 60000 * 3 * forwardFLOPs(modelConvNet, fakeSettings) / 55 / 100e9; !near(conv.PeakFraction, want) {
		t.Errorf("ConvNet FLOP/s ÷ peak %v, want %v", deref(conv.PeakFraction), want)
	}
	if !near(mlp.Latency, 20.0/80) || mlp.LatencyPeer != peerTorch1 || conv.Latency != nil {
		t.Errorf("latency ratios %v against %s, %v", deref(mlp.Latency), mlp.LatencyPeer, deref(conv.Latency))
	}

	// A faster sklearn is the peer for time, not for throughput.
	res := fakeResults()
	res[4].EpochSeconds = []float64{1, 1, 1}
	res[4].ImagesPerSecond = 1e9
	mlp = computeRatios(res, allModels, fakeSettings, 100)[0]
	if !near(mlp.Time, 4.5) || mlp.TimePeer != peerSklearn || mlp.ThroughputPeer != peerTorch1 {
		t.Errorf("with a fast sklearn: %+v", mlp)
	}

	// Without dlgo or without peers there is nothing to compare.
	for _, rs := range [][]result{res[1:5], res[:1]} {
		q := computeRatios(rs, []string{modelMLP}, fakeSettings, 100)[0]
		if q.Time != nil || q.Throughput != nil || q.Memory != nil {
			t.Errorf("ratios from nothing: %+v", q)
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestMarkdownGolden checks the table against testdata/table.golden;
// go test -update rewrites it.
func TestMarkdownGolden(t *testing.T) {
	var buf bytes.Buffer
	rep := fakeReport()
	rep.Python = &pythonInfo{Path: "/usr/bin/python3", Version: "3.11.2"}
	if err := writeMarkdown(&buf, rep); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "table.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != string(want) {
		t.Errorf("table differs from %s (go test -update to rewrite it):\n%s", golden, got)
	}
}

func TestJSONReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	if err := writeJSON(path, fakeReport()); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 8 || len(rep.Ratios) != 2 || rep.Ratios[0].Time == nil || rep.Machine.CPUs != 2 || rep.Settings.BatchSize != 128 {
		t.Errorf("read back %+v", rep)
	}
	if err := writeJSON(filepath.Join(t.TempDir(), "no", "such", "dir.json"), fakeReport()); err == nil {
		t.Error("writing into a missing directory: no error")
	}
}

func TestGroup(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 999.4: "999", 1000: "1,000", 1234567.8: "1,234,568", -12345: "-12,345"} {
		if got := group(v); got != want {
			t.Errorf("group(%v) = %q, want %q", v, got, want)
		}
	}
}
