package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The reference scripts, in the scripts directory.
const (
	torchScript   = "torch_mnist.py"
	sklearnScript = "sklearn_mlp.py"
)

// installHint says how to get the peers on Debian.
const installHint = "apt-get install python3-torch python3-sklearn"

// result is one implementation's figures for one model. The worker or
// script prints the fields up to Info as one JSON line; the parent adds
// the rest.
type result struct {
	Impl            string    `json:"impl"`             // dlgo, pytorch, sklearn
	Config          string    `json:"config,omitempty"` // the script's --label
	Model           string    `json:"model"`
	DType           string    `json:"dtype"`
	Epochs          int       `json:"epochs"`
	BatchSize       int       `json:"batch_size"`
	TrainSize       int       `json:"train_size"`
	TestSize        int       `json:"test_size"`
	EpochSeconds    []float64 `json:"epoch_seconds"`
	TrainLoss       []float64 `json:"train_loss"`
	TrainAccuracy   []float64 `json:"train_accuracy,omitempty"`
	InferBatch      int       `json:"infer_batch"`
	InferSeconds    []float64 `json:"infer_seconds"`
	ImagesPerSecond float64   `json:"images_per_second"`
	TestAccuracy    float64   `json:"test_accuracy"`
	Threads         int       `json:"threads"`
	Info            info      `json:"info"`
	Hidden          []int     `json:"hidden,omitempty"`  // the MLP's hidden widths
	Filters         []int     `json:"filters,omitempty"` // the ConvNet's filter counts
	// PredictSeconds are the 50th and 99th percentiles of PredictCalls
	// single-image predictions.
	PredictCalls   int       `json:"predict_calls,omitempty"`
	PredictSeconds []float64 `json:"predict_seconds,omitempty"`

	Name          string   `json:"name"`  // dlgo, pytorch, pytorch-1t, ...
	Label         string   `json:"label"` // for the table
	SecondsMedian float64  `json:"seconds_per_epoch_median"`
	MaxRSSBytes   int64    `json:"max_rss_bytes"`
	WallSeconds   float64  `json:"wall_seconds"`
	Command       []string `json:"command,omitempty"`
	Env           []string `json:"env,omitempty"`
	Error         string   `json:"error,omitempty"`
	NotRun        bool     `json:"not_run,omitempty"`
	OutputTail    string   `json:"stderr_tail,omitempty"`
}

// info holds what an implementation says of itself.
type info struct {
	Go                  string            `json:"go,omitempty"`
	GOMAXPROCS          int               `json:"gomaxprocs,omitempty"`
	NumCPU              int               `json:"num_cpu,omitempty"`
	Dlgo                string            `json:"dlgo,omitempty"`
	Gorgonia            string            `json:"gorgonia,omitempty"`
	Python              string            `json:"python,omitempty"`
	Numpy               string            `json:"numpy,omitempty"`
	Torch               string            `json:"torch,omitempty"`
	Sklearn             string            `json:"sklearn,omitempty"`
	TorchThreads        int               `json:"torch_threads,omitempty"`
	TorchInteropThreads int               `json:"torch_interop_threads,omitempty"`
	SetNumThreads       int               `json:"set_num_threads,omitempty"`
	Env                 map[string]string `json:"env,omitempty"`
	BlasThreads         []blasThreads     `json:"blas_threads,omitempty"`
	MKLDNN              bool              `json:"mkldnn,omitempty"`
	CPUCapability       string            `json:"cpu_capability,omitempty"`
	Parameters          int               `json:"parameters,omitempty"`
	ConfigShow          string            `json:"config_show,omitempty"`
}

// blasThreads is one thread pool threadpoolctl found in a Python process.
type blasThreads struct {
	Library string `json:"library"`
	Threads int    `json:"threads"`
	Version string `json:"version,omitempty"`
}

// secondsPerEpoch is the median epoch time, every epoch counted.
func (r result) secondsPerEpoch() float64 { return median(r.EpochSeconds) }

// ok reports whether r holds figures.
func (r result) ok() bool { return r.Error == "" }

// blas returns the threads of the BLAS library threadpoolctl saw, or 0.
func (r result) blas() int {
	for _, b := range r.Info.BlasThreads {
		if b.Library == "openblas" || b.Library == "mkl" || b.Library == "blis" {
			return b.Threads
		}
	}
	return 0
}

// median returns the median of v (the mean of the middle two for an even
// count), or NaN for none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	for i := 1; i < len(s); i++ { // insertion sort: a handful of values
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

// minOf returns the smallest of v, or NaN for none.
func minOf(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	m := v[0]
	for _, x := range v[1:] {
		m = min(m, x)
	}
	return m
}

// writeResultLine writes r as one JSON line.
func writeResultLine(w io.Writer, r result) error {
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encoding the result: %w", err)
	}
	if _, err := fmt.Fprintf(w, "%s\n", data); err != nil {
		return fmt.Errorf("writing the result: %w", err)
	}
	return nil
}

// parseResults decodes the JSON lines of a worker's or script's output
// (lines that do not start with '{' are ignored) and checks that each is
// sane.
func parseResults(out []byte) ([]result, error) {
	var rs []result
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var r result
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, fmt.Errorf("output line %d: %w", n, err)
		}
		if err := r.check(); err != nil {
			return nil, fmt.Errorf("output line %d: %w", n, err)
		}
		rs = append(rs, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the output: %w", err)
	}
	if len(rs) == 0 {
		return nil, errors.New("no JSON result line in the output")
	}
	return rs, nil
}

// check reports figures that cannot be right.
func (r result) check() error {
	pos := func(v float64) bool { return v > 0 && !math.IsInf(v, 0) }
	switch {
	case r.Impl == "" || r.Model == "":
		return fmt.Errorf("result without impl or model: %q, %q", r.Impl, r.Model)
	case len(r.EpochSeconds) == 0:
		return fmt.Errorf("%s %s: no epoch times", r.Impl, r.Model)
	case r.Epochs != len(r.EpochSeconds):
		return fmt.Errorf("%s %s: %d epochs but %d epoch times", r.Impl, r.Model, r.Epochs, len(r.EpochSeconds))
	case len(r.InferSeconds) == 0:
		return fmt.Errorf("%s %s: no inference times", r.Impl, r.Model)
	case !pos(r.ImagesPerSecond):
		return fmt.Errorf("%s %s: images per second %v", r.Impl, r.Model, r.ImagesPerSecond)
	case !(r.TestAccuracy >= 0 && r.TestAccuracy <= 1):
		return fmt.Errorf("%s %s: test accuracy %v is not in [0, 1]", r.Impl, r.Model, r.TestAccuracy)
	case r.TrainSize < 1 || r.TestSize < 1:
		return fmt.Errorf("%s %s: %d training and %d test samples", r.Impl, r.Model, r.TrainSize, r.TestSize)
	case r.PredictCalls > 0 && (len(r.PredictSeconds) != 2 || !pos(r.PredictSeconds[0]) || r.PredictSeconds[1] < r.PredictSeconds[0]):
		return fmt.Errorf("%s %s: prediction latency percentiles %v", r.Impl, r.Model, r.PredictSeconds)
	}
	for _, v := range append(append([]float64(nil), r.EpochSeconds...), r.InferSeconds...) {
		if !pos(v) {
			return fmt.Errorf("%s %s: a time of %v s", r.Impl, r.Model, v)
		}
	}
	return nil
}

// job is one child process to run: one implementation of one model.
type job struct {
	name, label, model string
	python             bool   // a Python script, which needs module
	module             string // the Python module it needs
	path               string
	args               []string
	env                []string // added to this process's environment
}

// dlgoJob runs this program as the dlgo worker for model.
func dlgoJob(self, model, mnist string, o options) job {
	args := []string{"-worker", implDlgo + "-" + model, "-mnist", mnist,
		"-epochs-mlp", itoa(o.EpochsMLP), "-epochs-convnet", itoa(o.EpochsConvNet),
		"-batch", itoa(o.BatchSize), "-lr", fmt.Sprint(o.LearningRate),
		"-infer-batch", itoa(o.InferBatch), "-infer-runs", itoa(o.InferRuns),
		"-seed", fmt.Sprint(o.Seed), "-hidden", joinInts(o.Hidden, ","), "-filters", joinInts(o.Filters, ","),
		"-train-limit", itoa(o.TrainLimit), "-latency-calls", itoa(o.LatencyCalls)}
	if o.Smoke {
		args = append(args, "-smoke")
	}
	return job{name: implDlgo, label: "dlgo", model: model, path: self, args: args}
}

// peakJob measures the GEMM peak of dlgo (peer "") or of a PyTorch
// configuration, with its threads.
func peakJob(self, peer string, o options, scripts string) (job, bool) {
	n := itoa(o.PeakN)
	if peer == "" {
		return job{name: implDlgo, label: "dlgo", path: self, args: []string{"-worker", workerPeak, "-peak-n", n}}, true
	}
	j, ok := peerJob(peer, modelMLP, "", o, scripts)
	if !ok || j.module != "torch" {
		return job{}, false
	}
	j.model = ""
	j.args = append([]string{j.args[0], "--peak-only", "--peak-n", n, "--data", "-", "--label", peer}, threadArgs(j.args)...)
	return j, true
}

// threadArgs returns the --threads option of a script's arguments.
func threadArgs(args []string) []string {
	for i, a := range args {
		if a == "--threads" && i+1 < len(args) {
			return args[i : i+2]
		}
	}
	return nil
}

// peerJob returns the job of peer for model, and false if the peer does not
// have that model.
func peerJob(peer, model, mnist string, o options, scripts string) (job, bool) {
	j := job{name: peer, model: model, python: true, path: o.python}
	script := torchScript
	j.module = "torch"
	switch peer {
	case peerTorch:
		j.label = "PyTorch, default threads"
	case peerTorch1:
		j.label = "PyTorch, 1 thread"
		j.env = []string{"OMP_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=1", "MKL_NUM_THREADS=1"}
		j.args = []string{"--threads", "1"}
	case peerTorchN:
		j.label = fmt.Sprintf("PyTorch, %d threads", numCPU())
		j.args = []string{"--threads", itoa(numCPU())}
	case peerSklearn:
		if model != modelMLP {
			return job{}, false
		}
		j.label = "scikit-learn"
		j.module = "sklearn"
		script = sklearnScript
	default:
		return job{}, false
	}
	j.args = append([]string{filepath.Join(scripts, script), "--data", mnist, "--model", model,
		"--epochs", itoa(o.epochs(model)), "--batch-size", itoa(o.BatchSize), "--lr", fmt.Sprint(o.LearningRate),
		"--infer-batch", itoa(o.InferBatch), "--infer-runs", itoa(o.InferRuns),
		"--seed", fmt.Sprint(o.Seed), "--label", peer}, j.args...)
	if j.module == "torch" {
		j.args = append(j.args, "--hidden", joinInts(o.Hidden, ","), "--filters", joinInts(o.Filters, ","),
			"--train-limit", itoa(o.TrainLimit), "--latency-calls", itoa(o.LatencyCalls))
	}
	if o.Smoke {
		j.args = append(j.args, "--smoke")
	}
	return j, true
}

// skipReason says why j cannot run, or "" if it can.
func (j job) skipReason(py *pythonInfo, pyErr error) string {
	if !j.python {
		return ""
	}
	if pyErr != nil {
		return pyErr.Error()
	}
	if py == nil {
		return "Python was not probed"
	}
	if !py.Modules["numpy"] || !py.Modules[j.module] {
		missing := "numpy"
		if py.Modules["numpy"] {
			missing = j.module
		}
		return fmt.Sprintf("%s cannot import %s (on Debian: %s; or -python PATH)", py.Path, missing, installHint)
	}
	return ""
}

// failed returns the result of j that did not run or failed.
func (j job) failed(reason string) result {
	return result{Impl: implName(j.name), Model: j.model, Name: j.name, Label: j.label,
		Error: reason, NotRun: true, Command: append([]string{j.path}, j.args...), Env: j.env}
}

// implName maps a job name to its implementation: dlgo, pytorch, sklearn.
func implName(name string) string {
	if strings.HasPrefix(name, peerTorch) {
		return peerTorch
	}
	return name
}

// maxOutput bounds what is kept of a child's standard output.
const maxOutput = 16 << 20

// tailSize is how much of a child's standard error is kept for the report.
const tailSize = 2000

// runJob runs j in a child process and returns its result with its peak
// RSS, or a result whose Error says what went wrong.
func runJob(ctx context.Context, j job, verbose bool, stderr io.Writer) result {
	out, c := runChild(ctx, j, verbose, stderr)
	fail := func(err error) result {
		r := j.failed(err.Error())
		r.NotRun = false
		r.WallSeconds = c.wall
		r.OutputTail = c.tail
		r.MaxRSSBytes = c.maxRSS
		return r
	}
	if c.err != nil {
		return fail(c.err)
	}
	rs, err := parseResults(out)
	if err != nil {
		return fail(err)
	}
	if len(rs) != 1 || rs[0].Model != j.model {
		return fail(fmt.Errorf("want one result for %s, got %d", j.model, len(rs)))
	}
	r := rs[0]
	r.Name, r.Label = j.name, j.label
	r.SecondsMedian = r.secondsPerEpoch()
	r.MaxRSSBytes = c.maxRSS
	r.WallSeconds = c.wall
	r.Command = append([]string{j.path}, j.args...)
	r.Env = j.env
	return r
}

// child is how a child process ended.
type child struct {
	err    error // with the last lines of its standard error
	tail   string
	wall   float64
	maxRSS int64
}

// runChild runs j and returns its standard output.
func runChild(ctx context.Context, j job, verbose bool, stderr io.Writer) ([]byte, child) {
	cmd := exec.CommandContext(ctx, j.path, j.args...)
	cmd.Env = append(os.Environ(), j.env...)
	var stdout limitedBuffer
	stdout.limit = maxOutput
	tail := &tailBuffer{size: tailSize}
	cmd.Stdout = &stdout
	cmd.Stderr = tail
	if verbose {
		cmd.Stderr = io.MultiWriter(tail, stderr)
	}
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	runErr := cmd.Run()
	c := child{wall: time.Since(start).Seconds(), tail: tail.String()}
	if cmd.ProcessState != nil {
		c.maxRSS = maxRSS(cmd.ProcessState)
	}
	if runErr != nil {
		msg := runErr.Error()
		if t := strings.TrimSpace(c.tail); t != "" {
			msg += ": " + lastLines(t, 3)
		}
		c.err = errors.New(msg)
	}
	return stdout.Bytes(), c
}

// peak is the speed of one implementation's float32 matrix product of two
// N×N matrices: the best of its timed runs.
type peak struct {
	Impl    string    `json:"impl"`
	Name    string    `json:"name"`
	Label   string    `json:"label"`
	N       int       `json:"gemm_n"`
	Seconds []float64 `json:"gemm_seconds"`
	GFLOPs  float64   `json:"gemm_gflops"`
	Threads int       `json:"threads"`
	Error   string    `json:"error,omitempty"`
}

// runPeak runs a peak job.
func runPeak(ctx context.Context, j job, verbose bool, stderr io.Writer) peak {
	out, c := runChild(ctx, j, verbose, stderr)
	p := peak{Impl: implName(j.name), Name: j.name, Label: j.label}
	if c.err != nil {
		p.Error = c.err.Error()
		return p
	}
	got, err := parsePeak(out)
	if err != nil {
		p.Error = err.Error()
		return p
	}
	got.Name, got.Label, got.Impl = j.name, j.label, implName(j.name)
	return got
}

// parsePeak reads the peak line of a child's output.
func parsePeak(out []byte) (peak, error) {
	for _, line := range bytes.Split(out, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var p peak
		if err := json.Unmarshal(line, &p); err != nil {
			return peak{}, fmt.Errorf("the GEMM peak line: %w", err)
		}
		if !(p.GFLOPs > 0) || math.IsInf(p.GFLOPs, 0) || p.N < 1 || len(p.Seconds) == 0 {
			return peak{}, fmt.Errorf("a GEMM peak of %v GFLOP/s for n = %d", p.GFLOPs, p.N)
		}
		return p, nil
	}
	return peak{}, errors.New("no GEMM peak line in the output")
}

// writePeakLine writes p as one JSON line.
func writePeakLine(w io.Writer, p peak) error {
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encoding the GEMM peak: %w", err)
	}
	if _, err := fmt.Fprintf(w, "%s\n", data); err != nil {
		return fmt.Errorf("writing the GEMM peak: %w", err)
	}
	return nil
}

// lastLines returns the last n lines of s, joined by " | ".
func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// limitedBuffer keeps the first limit bytes written to it.
type limitedBuffer struct {
	bytes.Buffer
	limit int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// tailBuffer keeps the last size bytes written to it.
type tailBuffer struct {
	buf  []byte
	size int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*t.size {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.size:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	if len(t.buf) > t.size {
		return string(t.buf[len(t.buf)-t.size:])
	}
	return string(t.buf)
}

// pythonInfo is what probePython found.
type pythonInfo struct {
	Path     string            `json:"path"`
	Version  string            `json:"version"`
	Modules  map[string]bool   `json:"modules"`
	Versions map[string]string `json:"versions"`
}

// probeCode prints the Python version and which modules import.
const probeCode = `
import importlib, json, platform
mods, vers = {}, {}
for m in ("numpy", "torch", "sklearn"):
    try:
        mod = importlib.import_module(m)
        mods[m], vers[m] = True, getattr(mod, "__version__", "")
    except Exception:
        mods[m] = False
print(json.dumps({"version": platform.python_version(), "modules": mods, "versions": vers}))
`

// probePython runs python to learn its version and which of numpy, torch
// and sklearn it can import.
func probePython(ctx context.Context, python string) (*pythonInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", probeCode)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := err.Error()
		if s := strings.TrimSpace(stderr.String()); s != "" {
			msg += ": " + lastLines(s, 2)
		}
		return nil, fmt.Errorf("python %s does not run (%s); the peers need Python 3 with numpy, torch and scikit-learn (on Debian: %s; or -python PATH)", python, msg, installHint)
	}
	var p struct {
		Version  string            `json:"version"`
		Modules  map[string]bool   `json:"modules"`
		Versions map[string]string `json:"versions"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), &p); err != nil {
		return nil, fmt.Errorf("python %s: unexpected output %q: %w", python, firstLine(string(out)), err)
	}
	return &pythonInfo{Path: python, Version: p.Version, Modules: p.Modules, Versions: p.Versions}, nil
}
