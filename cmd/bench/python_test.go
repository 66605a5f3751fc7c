package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
)

// systemPython is the Python with Debian's torch and scikit-learn.
const systemPython = "/usr/bin/python3"

// needModules skips the test unless systemPython imports numpy and module.
func needModules(t *testing.T, module string) *pythonInfo {
	t.Helper()
	py, err := probePython(context.Background(), systemPython)
	if err != nil {
		t.Skipf("no usable %s: %v", systemPython, err)
	}
	if !py.Modules["numpy"] || !py.Modules[module] {
		t.Skipf("%s cannot import numpy and %s", systemPython, module)
	}
	return py
}

// runScript runs a reference script with --smoke on MNIST-like files and
// returns its results, checked by parseResults.
func runScript(t *testing.T, script string, args ...string) []result {
	t.Helper()
	scripts, err := findScripts()
	if err != nil {
		t.Fatal(err)
	}
	dir := fakeMNIST(t, 600, 300)
	cmd := exec.Command(systemPython, append([]string{filepath.Join(scripts, script), "--smoke", "--data", dir}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("%s: %v\n%s", script, err, msg)
	}
	rs, err := parseResults(out)
	if err != nil {
		t.Fatalf("%s: %v in %q", script, err, out)
	}
	for _, r := range rs {
		if r.TrainSize != smokeTrain || r.TestSize != smokeTest || r.Epochs != 1 || r.DType != "float32" {
			t.Errorf("%s %s: train %d test %d epochs %d dtype %q", script, r.Model, r.TrainSize, r.TestSize, r.Epochs, r.DType)
		}
	}
	return rs
}

func TestTorchScriptSmoke(t *testing.T) {
	t.Parallel()
	needModules(t, "torch")
	rs := runScript(t, torchScript, "--model", "mlp,convnet", "--threads", "1", "--label", peerTorch1)
	if len(rs) != 2 || rs[0].Model != modelMLP || rs[1].Model != modelConvNet {
		t.Fatalf("results %+v", rs)
	}
	wantParams := map[string]int{modelMLP: 109386, modelConvNet: 34826}
	for _, r := range rs {
		if r.Impl != peerTorch || r.Config != peerTorch1 || r.Info.Torch == "" || r.Info.TorchThreads != 1 ||
			r.Info.Parameters != wantParams[r.Model] || r.Info.ConfigShow == "" {
			t.Errorf("%s: %+v", r.Model, r)
		}
	}
}

// The script's other widths, filters, latency and GEMM peak.
func TestTorchScriptOptions(t *testing.T) {
	t.Parallel()
	needModules(t, "torch")
	rs := runScript(t, torchScript, "--model", "mlp,convnet", "--threads", "1", "--hidden", "32,16,8", "--filters", "4,8",
		"--latency-calls", "30")
	if len(rs) != 2 {
		t.Fatalf("results %+v", rs)
	}
	mlp, conv := rs[0], rs[1]
	if mlp.Info.Parameters != 784*32+32+32*16+16+16*8+8+8*10+10 || len(mlp.Hidden) != 3 {
		t.Errorf("MLP: %d parameters, widths %v", mlp.Info.Parameters, mlp.Hidden)
	}
	if conv.Info.Parameters != 4*9+4+8*4*9+8+200*10+10 || len(conv.Filters) != 2 {
		t.Errorf("ConvNet: %d parameters, filters %v", conv.Info.Parameters, conv.Filters)
	}
	for _, r := range rs {
		if r.PredictCalls != 30 || len(r.PredictSeconds) != 2 {
			t.Errorf("%s: %d predictions, percentiles %v", r.Model, r.PredictCalls, r.PredictSeconds)
		}
	}
	scripts, err := findScripts()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(systemPython, filepath.Join(scripts, torchScript), "--peak-only", "--peak-n", "64", "--data", "-", "--threads", "1").Output()
	if err != nil {
		t.Fatal(err)
	}
	if p, err := parsePeak(out); err != nil || p.N != 64 || p.Threads != 1 {
		t.Errorf("peak %+v, %v from %q", p, err, out)
	}
}

func TestSklearnScriptSmoke(t *testing.T) {
	t.Parallel()
	needModules(t, "sklearn")
	rs := runScript(t, sklearnScript)
	if len(rs) != 1 || rs[0].Impl != peerSklearn || rs[0].Model != modelMLP || rs[0].Info.Sklearn == "" || rs[0].Info.Parameters != 109386 {
		t.Fatalf("results %+v", rs)
	}
}
