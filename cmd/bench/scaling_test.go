package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeScaling is a scaling report with a result for each kind of row.
func fakeScaling() *scalingReport {
	s := fakeSettings
	s.TrainLimit, s.EpochsMLP, s.EpochsConvNet = 12800, 3, 3
	res := fakeResults()
	mlp, torchMLP, conv := res[0], res[2], res[5]
	mlp.TrainSize, torchMLP.TrainSize, conv.TrainSize = 12800, 12800, 12800
	wide := mlp
	wide.EpochSeconds = []float64{3, 2, 2.5}
	return &scalingReport{
		Command: "go run ./cmd/bench -scaling", Settings: s, Peaks: fakePeaks, PeakGFLOPs: fastestPeak(fakePeaks),
		Machine: machine{CPU: "AMD EPYC", CPUs: 2, GOOS: "linux", GOARCH: "amd64", Go: "go1.26.8", GOMAXPROCS: 2, GOMAXPROCSFrom: "Go's default"},
		Rows: []scalingRow{
			{Config: scalingConfig{Model: modelMLP, Batch: 32, Hidden: []int{128, 64}}, TrainFLOPs: trainFLOPs(modelMLP, s), Results: []result{mlp, torchMLP}},
			{Config: scalingConfig{Model: modelMLP, Batch: 128, Hidden: []int{2048, 1024}},
				TrainFLOPs: trainFLOPs(modelMLP, settings{Hidden: []int{2048, 1024}}), Results: []result{wide, res[3]}},
			{Config: scalingConfig{Model: modelConvNet, Batch: 128, Filters: []int{32, 64}}, TrainFLOPs: trainFLOPs(modelConvNet, s), Results: []result{conv}},
		},
	}
}

// TestScalingGolden checks the scaling table against
// testdata/scaling.golden; go test -update rewrites it.
func TestScalingGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := writeScalingMarkdown(&buf, fakeScaling()); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "scaling.golden")
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

// TestScalingRun runs the scaling mode for the MLP on MNIST-like files,
// dlgo alone.
func TestScalingRun(t *testing.T) {
	dir := fakeMNIST(t, 300, 40)
	jsonPath := filepath.Join(t.TempDir(), "scaling.json")
	var stdout, stderr bytes.Buffer
	args := []string{"-scaling", "-mnist", dir, "-models", "mlp", "-peers", "none", "-train-limit", "256",
		"-epochs-mlp", "1", "-peak-n", "128", "-json", jsonPath}
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"| MLP 784-128-64-10 | 32 |", "| MLP 784-2048-1024-10 | 128 |", "GEMM peak, float32 128×128", "the first 256 training images"} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var rep scalingReport
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 5 || len(rep.Peaks) != 1 || !(rep.PeakGFLOPs > 0) {
		t.Fatalf("%d rows, peaks %+v", len(rep.Rows), rep.Peaks)
	}
	for _, row := range rep.Rows {
		if len(row.Results) != 1 || !row.Results[0].ok() || row.Results[0].TrainSize != 256 || row.Results[0].BatchSize != row.Config.Batch {
			t.Errorf("row %+v", row)
		}
		if got := row.Results[0].Hidden; len(got) != 2 || got[0] != row.Config.Hidden[0] {
			t.Errorf("row %+v trained widths %v", row.Config, got)
		}
	}
}
