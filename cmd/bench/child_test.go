package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1}, 3},
		{[]float64{9, 1, 4}, 4},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{2, 2, 7, 1, 100}, 2},
	} {
		in := append([]float64(nil), c.in...)
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
		for i := range in {
			if in[i] != c.in[i] {
				t.Errorf("median reordered its input: %v", c.in)
			}
		}
	}
	if !math.IsNaN(median(nil)) || !math.IsNaN(minOf(nil)) {
		t.Error("median or minimum of nothing is not NaN")
	}
	if got := minOf([]float64{0.3, 0.1, 0.2}); got != 0.1 {
		t.Errorf("minOf = %v", got)
	}
}

// torchLine is a line as torch_mnist.py prints it (its config_show cut).
const torchLine = `{"impl": "pytorch", "config": "pytorch-1t", "model": "convnet", "dtype": "float32", "epochs": 2, "batch_size": 128, "train_size": 60000, "test_size": 10000, "epoch_seconds": [20.5, 19.5], "train_loss": [0.25, 0.08], "train_accuracy": [0.92, 0.97], "infer_batch": 1000, "infer_seconds": [1.1, 1.0, 1.2], "images_per_second": 10000.0, "test_accuracy": 0.9851, "threads": 1, "info": {"python": "3.11.2", "numpy": "1.24.2", "torch": "1.13.0a0", "torch_threads": 1, "torch_interop_threads": 1, "set_num_threads": 1, "env": {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}, "blas_threads": [{"library": "openblas", "threads": 1, "version": "0.3.21"}, {"library": "openmp", "threads": 1, "version": null}], "mkldnn": true, "cpu_capability": "AVX2", "parameters": 34826, "config_show": "PyTorch built with:\n  - GCC 12.2\n"}}`

func TestParseResults(t *testing.T) {
	out := "some warning\n\n" + torchLine + "\n"
	rs, err := parseResults([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("%d results", len(rs))
	}
	r := rs[0]
	if r.Impl != peerTorch || r.Model != modelConvNet || r.Config != peerTorch1 || r.Epochs != 2 || r.TestAccuracy != 0.9851 {
		t.Errorf("parsed %+v", r)
	}
	if r.secondsPerEpoch() != 20 || r.ImagesPerSecond != 10000 || r.blas() != 1 || r.Info.TorchThreads != 1 ||
		!r.Info.MKLDNN || r.Info.CPUCapability != "AVX2" || r.Info.Env["OPENBLAS_NUM_THREADS"] != "1" || r.Info.Parameters != 34826 {
		t.Errorf("parsed %+v", r)
	}
	if threadsLabel(r) != "torch 1, OpenBLAS 1" {
		t.Errorf("threads label %q", threadsLabel(r))
	}

	two, err := parseResults([]byte(torchLine + "\n" + strings.Replace(torchLine, `"convnet"`, `"mlp"`, 1) + "\n"))
	if err != nil || len(two) != 2 || two[1].Model != modelMLP {
		t.Errorf("two lines: %v, %+v", err, two)
	}

	bad := map[string]string{
		"no line":        "Traceback (most recent call last):\n",
		"not json":       "{not json}\n",
		"accuracy > 1":   strings.Replace(torchLine, `"test_accuracy": 0.9851`, `"test_accuracy": 98.51`, 1),
		"no epochs":      strings.Replace(torchLine, `"epoch_seconds": [20.5, 19.5]`, `"epoch_seconds": []`, 1),
		"epochs differ":  strings.Replace(torchLine, `"epochs": 2`, `"epochs": 3`, 1),
		"zero time":      strings.Replace(torchLine, `[1.1, 1.0, 1.2]`, `[1.1, 0, 1.2]`, 1),
		"no throughput":  strings.Replace(torchLine, `"images_per_second": 10000.0`, `"images_per_second": 0`, 1),
		"no model":       strings.Replace(torchLine, `"model": "convnet"`, `"model": ""`, 1),
		"no test images": strings.Replace(torchLine, `"test_size": 10000`, `"test_size": 0`, 1),
	}
	for name, out := range bad {
		if _, err := parseResults([]byte(out)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestWorkerLineRoundTrip checks that what the worker writes the parent
// reads back.
func TestWorkerLineRoundTrip(t *testing.T) {
	r := fakeResults()[0]
	var buf bytes.Buffer
	if err := writeResultLine(&buf, r); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != 1 {
		t.Fatalf("%d lines", n)
	}
	rs, err := parseResults(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].secondsPerEpoch() != r.secondsPerEpoch() || rs[0].Info.GOMAXPROCS != r.Info.GOMAXPROCS {
		t.Errorf("read back %+v", rs[0])
	}
}

func TestParseFlags(t *testing.T) {
	o, err := parseFlags(nil, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if o.EpochsMLP != 3 || o.EpochsConvNet != 2 || o.BatchSize != 128 || o.LearningRate != 1e-3 ||
		o.InferBatch != 1000 || o.InferRuns != 3 || o.Seed != 1 || o.python != "/usr/bin/python3" ||
		strings.Join(o.models, ",") != "mlp,convnet" || strings.Join(o.peers, ",") != strings.Join(allPeers, ",") {
		t.Errorf("defaults %+v", o)
	}
	o, err = parseFlags([]string{"-peers", "none", "-models", "convnet,convnet", "-smoke"}, &bytes.Buffer{})
	if err != nil || o.peers != nil || len(o.models) != 1 || o.EpochsConvNet != 1 || o.InferRuns != 1 {
		t.Errorf("-peers none -smoke: %v %+v", err, o)
	}
	for _, args := range [][]string{
		{"-models", "resnet"}, {"-peers", "tensorflow"}, {"-epochs-mlp", "0"}, {"-batch", "-1"},
		{"-lr", "0"}, {"-worker", "pytorch-mlp"}, {"extra"}, {"-nosuchflag"},
	} {
		var stderr bytes.Buffer
		if _, err := parseFlags(args, &stderr); !errors.Is(err, errUsage) || stderr.Len() == 0 {
			t.Errorf("%q: error %v, stderr %q", args, err, stderr.String())
		}
	}
	var stderr bytes.Buffer
	if _, err := parseFlags([]string{"-h"}, &stderr); !errors.Is(err, flag.ErrHelp) || strings.Contains(stderr.String(), "-worker") {
		t.Errorf("-h: %v; the usage shows the hidden flag: %s", err, stderr.String())
	}
}

func TestShellQuote(t *testing.T) {
	got := commandLine([]string{"-models", "mlp,convnet", "-json", "my results.json", "-python", "it's"})
	want := `go run ./cmd/bench -models mlp,convnet -json 'my results.json' -python 'it'\''s'`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestMissingPeers runs the whole benchmark with a Python that is missing
// or fails: dlgo is still measured and reported, and the report says how to
// install the peers.
func TestMissingPeers(t *testing.T) {
	dir := fakeMNIST(t, 300, 100)
	failing := filepath.Join(t.TempDir(), "python3")
	if err := os.WriteFile(failing, []byte("#!/bin/sh\necho 'no python here' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, python := range map[string]string{"missing": filepath.Join(t.TempDir(), "nothing"), "exits 1": failing} {
		t.Run(name, func(t *testing.T) {
			jsonPath := filepath.Join(t.TempDir(), "results.json")
			var stdout, stderr bytes.Buffer
			args := []string{"-mnist", dir, "-models", "mlp", "-epochs-mlp", "1", "-infer-runs", "1",
				"-python", python, "-json", jsonPath}
			if err := run(context.Background(), args, &stdout, &stderr); err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			out := stdout.String()
			for _, want := range []string{"| MLP 784-128-64-10 | dlgo | GOMAXPROCS", "not run", installHint, "n/a", "-python " + python} {
				if !strings.Contains(out, want) {
					t.Errorf("the report lacks %q:\n%s", want, out)
				}
			}
			if !strings.Contains(stderr.String(), installHint) {
				t.Errorf("stderr lacks the install hint:\n%s", stderr.String())
			}
			data, err := os.ReadFile(jsonPath)
			if err != nil {
				t.Fatal(err)
			}
			var rep report
			if err := json.Unmarshal(data, &rep); err != nil {
				t.Fatal(err)
			}
			if len(rep.Results) != 5 { // dlgo, three PyTorch configurations, sklearn
				t.Fatalf("%d results", len(rep.Results))
			}
			dl := rep.Results[0]
			if dl.Impl != implDlgo || !dl.ok() || dl.MaxRSSBytes <= 0 || dl.TrainSize != 300 || dl.TestSize != 100 || dl.SecondsMedian <= 0 {
				t.Errorf("dlgo result %+v", dl)
			}
			for _, r := range rep.Results[1:] {
				if r.ok() || !r.NotRun || !strings.Contains(r.Error, installHint) {
					t.Errorf("peer result %+v", r)
				}
			}
			if len(rep.Ratios) != 1 || rep.Ratios[0].Time != nil || rep.PeerProblem == "" {
				t.Errorf("ratios %+v, peer problem %q", rep.Ratios, rep.PeerProblem)
			}
		})
	}
}

// TestPeerFails runs the benchmark with a Python that passes the probe but
// whose scripts fail: the failure is reported and dlgo still measured.
func TestPeerFails(t *testing.T) {
	dir := fakeMNIST(t, 200, 50)
	python := filepath.Join(t.TempDir(), "python3")
	script := `#!/bin/sh
if [ "$1" = "-c" ]; then
  echo '{"version": "3.99.0", "modules": {"numpy": true, "torch": true, "sklearn": true}, "versions": {"torch": "9.9"}}'
  exit 0
fi
echo 'Traceback (most recent call last):' >&2
echo 'RuntimeError: something broke' >&2
exit 1
`
	if err := os.WriteFile(python, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	args := []string{"-mnist", dir, "-models", "mlp", "-peers", "pytorch-1t,sklearn", "-epochs-mlp", "1", "-infer-runs", "1", "-python", python}
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"| MLP 784-128-64-10 | dlgo |", "- PyTorch, 1 thread, MLP 784-128-64-10: failed: exit status 1: ", "RuntimeError: something broke", "- Python 3.99.0"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, installHint) {
		t.Errorf("the install hint for a failing script:\n%s", out)
	}
}

// TestInterrupted checks that a cancelled run still prints its table and
// returns the cancellation.
func TestInterrupted(t *testing.T) {
	dir := fakeMNIST(t, 20, 10)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"-mnist", dir, "-peers", "none"}, &stdout, &stderr)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want one wrapping context.Canceled", err)
	}
	if !strings.Contains(stdout.String(), "| model | implementation |") {
		t.Errorf("no table:\n%s", stdout.String())
	}
}

func TestPlural(t *testing.T) {
	for _, c := range [][3]any{{1, "epoch", "1 epoch"}, {3, "epoch", "3 epochs"}, {2, "pass", "2 passes"}, {1, "pass", "1 pass"}} {
		if got := plural(c[0].(int), c[1].(string)); got != c[2] {
			t.Errorf("plural(%v, %v) = %q", c[0], c[1], got)
		}
	}
}
