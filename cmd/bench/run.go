package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/dlgo/dlgo/datasets"
)

// errUsage reports bad flags; the flag package has already said why.
var errUsage = errors.New("usage")

// Model names, as the flags, the scripts and the JSON spell them.
const (
	modelMLP     = "mlp"
	modelConvNet = "convnet"
)

var allModels = []string{modelMLP, modelConvNet}

// Peer names.
const (
	peerTorch   = "pytorch"
	peerTorch1  = "pytorch-1t"
	peerTorchN  = "pytorch-nt"
	peerSklearn = "sklearn"
	implDlgo    = "dlgo"
)

var allPeers = []string{peerTorch, peerTorch1, peerTorchN, peerSklearn}

// Smoke runs train on this many training and test images, as the scripts'
// --smoke does, time this many predictions and measure the GEMM peak on a
// product this large.
const (
	smokeTrain   = 512
	smokeTest    = 256
	smokeLatency = 100
	smokePeakN   = 256
)

// workerPeak is the worker that measures dlgo's GEMM peak.
const workerPeak = "dlgo-peak"

// settings are what every implementation is run with.
type settings struct {
	EpochsMLP     int     `json:"epochs_mlp"`
	EpochsConvNet int     `json:"epochs_convnet"`
	BatchSize     int     `json:"batch_size"`
	LearningRate  float64 `json:"learning_rate"`
	InferBatch    int     `json:"infer_batch"`
	InferRuns     int     `json:"infer_runs"`
	Seed          int64   `json:"seed"`
	Smoke         bool    `json:"smoke,omitempty"`
	// Hidden are the MLP's hidden widths, Filters the ConvNet's two
	// filter counts.
	Hidden  []int `json:"hidden"`
	Filters []int `json:"filters"`
	// TrainLimit, if positive, trains on the first TrainLimit images.
	TrainLimit int `json:"train_limit,omitempty"`
	// LatencyCalls is the number of single-image predictions timed.
	LatencyCalls int `json:"latency_calls"`
	// PeakN is the size of the square matrices of the GEMM peak.
	PeakN int `json:"peak_n"`
}

// epochs returns the number of epochs for model.
func (s settings) epochs(model string) int {
	if model == modelConvNet {
		return s.EpochsConvNet
	}
	return s.EpochsMLP
}

// options are the parsed flags.
type options struct {
	settings
	scaling  bool
	models   []string
	peers    []string
	python   string
	scripts  string
	mnist    string
	jsonPath string
	verbose  bool
	worker   string // hidden: run one dlgo model and print its JSON line
}

// parseFlags parses args. Its errors wrap errUsage or flag.ErrHelp.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	var models, peers, hidden, filters string
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&models, "models", strings.Join(allModels, ","), "models to benchmark, comma-separated: mlp, convnet")
	fs.StringVar(&peers, "peers", strings.Join(allPeers, ","), "peers to run, comma-separated: pytorch (default threads), pytorch-1t (one thread), pytorch-nt (one thread per CPU), sklearn (MLP only); \"none\" for dlgo alone")
	fs.IntVar(&o.EpochsMLP, "epochs-mlp", 3, "training epochs of the MLP")
	fs.IntVar(&o.EpochsConvNet, "epochs-convnet", 2, "training epochs of the ConvNet")
	fs.IntVar(&o.BatchSize, "batch", 128, "training batch size")
	fs.Float64Var(&o.LearningRate, "lr", 1e-3, "Adam's learning rate")
	fs.IntVar(&o.InferBatch, "infer-batch", 1000, "inference batch size")
	fs.IntVar(&o.InferRuns, "infer-runs", 3, "timed inference passes over the test set; the best counts")
	fs.Int64Var(&o.Seed, "seed", 1, "seed of the initial weights, the shuffling and dropout in every implementation")
	fs.BoolVar(&o.Smoke, "smoke", false, fmt.Sprintf("check the setup quickly: %d training and %d test images, 1 epoch, 1 inference pass, %d timed predictions, a %d×%d product for the GEMM peak", smokeTrain, smokeTest, smokeLatency, smokePeakN, smokePeakN))
	fs.BoolVar(&o.scaling, "scaling", false, fmt.Sprintf("measure how the cost grows with the work instead: s/epoch and %% of the GEMM peak of dlgo and PyTorch for batch sizes %s, MLP widths %s and ConvNet filters %s, each trained for %d epochs on the first %d training images (-train-limit)", joinInts(scalingBatches, ", "), joinInts(scalingWidths, ", "), scalingFiltersText(), scalingEpochs, scalingTrain))
	fs.StringVar(&hidden, "hidden", "128,64", "the MLP's hidden `widths`, comma-separated")
	fs.StringVar(&filters, "filters", "32,64", "the ConvNet's two filter `counts`, comma-separated")
	fs.IntVar(&o.TrainLimit, "train-limit", 0, "train on the first `N` training images only (0: all; -scaling's default: "+itoa(scalingTrain)+")")
	fs.IntVar(&o.LatencyCalls, "latency-calls", 10000, "single-image predictions timed for the latency percentiles (0: none)")
	fs.IntVar(&o.PeakN, "peak-n", 2048, "size `N` of the N×N float32 matrix product whose speed is the GEMM peak")
	fs.StringVar(&o.python, "python", "/usr/bin/python3", "the Python 3 with numpy, torch and scikit-learn")
	fs.StringVar(&o.scripts, "scripts", "", "directory of torch_mnist.py and sklearn_mlp.py (default: bench/ of the repository holding the working directory)")
	fs.StringVar(&o.mnist, "mnist", "", "directory of the four MNIST IDX files, gzipped or not (default: dlgo's cache, filled by its loader)")
	fs.StringVar(&o.jsonPath, "json", "", "also write the raw results as JSON to this file")
	fs.BoolVar(&o.verbose, "v", false, "pass on the children's standard error")
	fs.StringVar(&o.worker, "worker", "", "")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: bench [flags]\n\nTrains and runs MNIST models with dlgo, PyTorch and scikit-learn and compares their speed and memory.\n\n")
		fs.VisitAll(func(f *flag.Flag) {
			if f.Name == "worker" {
				return
			}
			name, usage := flag.UnquoteUsage(f)
			if name != "" {
				name = " " + name
			}
			fmt.Fprintf(fs.Output(), "  -%s%s\n    \t%s", f.Name, name, usage)
			switch {
			case f.DefValue == "" || f.DefValue == "false":
			case name == " string":
				fmt.Fprintf(fs.Output(), " (default %q)", f.DefValue)
			default:
				fmt.Fprintf(fs.Output(), " (default %s)", f.DefValue)
			}
			fmt.Fprintln(fs.Output())
		})
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, fmt.Errorf("%w: %w", errUsage, err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if o.scaling {
		// The scaling mode's defaults.
		if !set["epochs-mlp"] {
			o.EpochsMLP = scalingEpochs
		}
		if !set["epochs-convnet"] {
			o.EpochsConvNet = scalingEpochs
		}
		if !set["train-limit"] {
			o.TrainLimit = scalingTrain
		}
		if !set["peers"] {
			peers = strings.Join(scalingPeers, ",")
		}
		o.LatencyCalls, o.InferRuns = 0, 1
	}
	bad := func(format string, a ...any) (options, error) {
		fmt.Fprintf(stderr, "bench: "+format+"\n", a...)
		return o, fmt.Errorf("%w: "+format, append([]any{errUsage}, a...)...)
	}
	if fs.NArg() > 0 {
		return bad("unexpected arguments %q", fs.Args())
	}
	var err error
	if o.models, err = parseList(models, allModels, false); err != nil {
		return bad("-models: %v", err)
	}
	if o.peers, err = parseList(peers, allPeers, true); err != nil {
		return bad("-peers: %v", err)
	}
	for _, v := range []struct {
		name string
		n    int
	}{{"epochs-mlp", o.EpochsMLP}, {"epochs-convnet", o.EpochsConvNet}, {"batch", o.BatchSize},
		{"infer-batch", o.InferBatch}, {"infer-runs", o.InferRuns}, {"peak-n", o.PeakN}} {
		if v.n < 1 {
			return bad("-%s %d: want at least 1", v.name, v.n)
		}
	}
	if o.TrainLimit < 0 || o.LatencyCalls < 0 {
		return bad("-train-limit %d, -latency-calls %d: want 0 or more", o.TrainLimit, o.LatencyCalls)
	}
	if o.Hidden, err = parseInts(hidden); err != nil {
		return bad("-hidden %q: %v", hidden, err)
	}
	if o.Filters, err = parseInts(filters); err != nil || len(o.Filters) != 2 {
		return bad("-filters %q: want two positive counts", filters)
	}
	if !(o.LearningRate > 0) {
		return bad("-lr %v: want a positive number", o.LearningRate)
	}
	if o.worker != "" && !slices.Contains([]string{implDlgo + "-" + modelMLP, implDlgo + "-" + modelConvNet, workerPeak}, o.worker) {
		return bad("-worker %q: want dlgo-mlp, dlgo-convnet or %s", o.worker, workerPeak)
	}
	if o.Smoke {
		o.EpochsMLP, o.EpochsConvNet, o.InferRuns = 1, 1, 1
		o.LatencyCalls, o.PeakN = min(o.LatencyCalls, smokeLatency), min(o.PeakN, smokePeakN)
	}
	return o, nil
}

// parseInts parses a comma-separated list of positive integers.
func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive integer", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// joinInts formats v with sep between the numbers.
func joinInts(v []int, sep string) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = itoa(n)
	}
	return strings.Join(s, sep)
}

// parseList splits a comma-separated list and checks each name against
// known; with allowNone, "none" is the empty list.
func parseList(s string, known []string, allowNone bool) ([]string, error) {
	if allowNone && strings.TrimSpace(s) == "none" {
		return nil, nil
	}
	var out []string
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if !slices.Contains(known, name) {
			return nil, fmt.Errorf("unknown name %q: want some of %s", name, strings.Join(known, ", "))
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out, nil
}

// run runs the command with args: the benchmark, or with -worker one dlgo
// model in this process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	switch {
	case o.worker == workerPeak:
		return writePeakLine(stdout, dlgoPeak(o.PeakN))
	case o.worker != "":
		return runWorker(ctx, o, stdout)
	case o.scaling:
		return runScaling(ctx, o, args, stdout, stderr)
	}
	return runBench(ctx, o, args, stdout, stderr)
}

// runBench runs every implementation of every model in its own child
// process, then prints the table and writes the JSON.
func runBench(ctx context.Context, o options, args []string, stdout, stderr io.Writer) error {
	rep := &report{
		Command:  commandLine(args),
		Machine:  machineInfo(),
		Settings: o.settings,
		Models:   o.models,
	}
	env, err := prepare(ctx, o, stderr)
	if err != nil {
		return err
	}
	rep.Peaks = env.peaks(ctx, o, stderr)
	rep.PeakGFLOPs = fastestPeak(rep.Peaks)

	// One child at a time. On an interruption, report what was measured.
	for _, model := range o.models {
		if ctx.Err() != nil {
			break
		}
		rep.Results = append(rep.Results, env.runModel(ctx, model, o, stderr)...)
	}
	rep.Python = env.py
	if env.pyErr != nil {
		rep.PeerProblem = env.pyErr.Error()
	}
	rep.Ratios = computeRatios(rep.Results, o.models, o.settings, rep.PeakGFLOPs)

	if err := writeMarkdown(stdout, rep); err != nil {
		return fmt.Errorf("writing the table: %w", err)
	}
	if o.jsonPath != "" {
		if err := writeJSON(o.jsonPath, rep); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted; the table holds what was measured before: %w", context.Cause(ctx))
	}
	var failed []string
	for _, r := range rep.Results {
		if r.Impl == implDlgo && r.Error != "" {
			failed = append(failed, fmt.Sprintf("dlgo %s: %s", r.Model, r.Error))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%s", strings.Join(failed, "; "))
	}
	return nil
}

// benchEnv is what the children need: the MNIST files, this program (the
// dlgo worker), the scripts and the Python that runs them.
type benchEnv struct {
	dir, self, scripts string
	py                 *pythonInfo
	pyErr              error // why the peers cannot run
}

// prepare finds the MNIST files, this program and, if peers are wanted, the
// scripts and a Python that can run them.
func prepare(ctx context.Context, o options, stderr io.Writer) (*benchEnv, error) {
	dir, err := mnistDir(ctx, o.mnist, stderr)
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding this program to run the dlgo worker: %w", err)
	}
	env := &benchEnv{dir: dir, self: self, scripts: o.scripts}
	if len(o.peers) > 0 {
		if env.scripts == "" {
			env.scripts, env.pyErr = findScripts()
		} else if _, err := os.Stat(filepath.Join(env.scripts, torchScript)); err != nil {
			env.pyErr = fmt.Errorf("-scripts %s: %w", env.scripts, err)
		}
		if env.pyErr == nil {
			env.py, env.pyErr = probePython(ctx, o.python)
		}
		if env.pyErr != nil {
			fmt.Fprintf(stderr, "bench: the peers cannot run: %v\n", env.pyErr)
		}
	}
	return env, nil
}

// peaks measures the GEMM peak of dlgo and of each PyTorch configuration
// among the peers, one child at a time.
func (env *benchEnv) peaks(ctx context.Context, o options, stderr io.Writer) []peak {
	var out []peak
	for _, p := range append([]string{""}, o.peers...) {
		j, ok := peakJob(env.self, p, o, env.scripts)
		if !ok || ctx.Err() != nil {
			continue
		}
		if reason := j.skipReason(env.py, env.pyErr); reason != "" {
			continue // the model runs say why
		}
		fmt.Fprintf(stderr, "bench: %s GEMM peak (%d×%d)...", j.name, o.PeakN, o.PeakN)
		pk := runPeak(ctx, j, o.verbose, stderr)
		if pk.Error != "" {
			fmt.Fprintf(stderr, " failed: %s\n", firstLine(pk.Error))
		} else {
			fmt.Fprintf(stderr, " %.1f GFLOP/s\n", pk.GFLOPs)
		}
		if ctx.Err() == nil {
			out = append(out, pk)
		}
	}
	return out
}

// runModel runs dlgo and every peer that has model, one child at a time,
// and returns their results; on an interruption, those measured before.
func (env *benchEnv) runModel(ctx context.Context, model string, o options, stderr io.Writer) []result {
	jobs := []job{dlgoJob(env.self, model, env.dir, o)}
	for _, p := range o.peers {
		if j, ok := peerJob(p, model, env.dir, o, env.scripts); ok {
			jobs = append(jobs, j)
		}
	}
	var out []result
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		var r result
		if reason := j.skipReason(env.py, env.pyErr); reason != "" {
			r = j.failed(reason)
			fmt.Fprintf(stderr, "bench: %s %s: not run: %s\n", j.name, model, reason)
		} else {
			fmt.Fprintf(stderr, "bench: %s %s (%s)...", j.name, modelTitle(model, o.settings), plural(o.epochs(model), "epoch"))
			r = runJob(ctx, j, o.verbose, stderr)
			if r.Error != "" {
				fmt.Fprintf(stderr, " failed: %s\n", firstLine(r.Error))
			} else {
				fmt.Fprintf(stderr, " %.2f s/epoch, %.0f img/s, %.0f MiB, accuracy %.4f (%.1f s)\n",
					r.secondsPerEpoch(), r.ImagesPerSecond, mib(r.MaxRSSBytes), r.TestAccuracy, r.WallSeconds)
			}
		}
		if ctx.Err() == nil {
			out = append(out, r)
		}
	}
	return out
}

// commandLine is the command that reruns this benchmark.
func commandLine(args []string) string {
	parts := []string{"go", "run", "./cmd/bench"}
	for _, a := range args {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=,:+@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// mnistNames are the four MNIST files, without ".gz".
var mnistNames = []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}

// mnistFile returns the path of the MNIST file name (without ".gz") in dir,
// gzipped or not.
func mnistFile(dir, name string) (string, error) {
	for _, n := range []string{name + ".gz", name} {
		p := filepath.Join(dir, n)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: no %s.gz or %s", dir, name, name)
}

// mnistDir returns the directory holding the four MNIST files that every
// implementation reads: dir if it is set, else dlgo's cache directory,
// which datasets.LoadMNIST fills (from the Go module cache or a download)
// and checks.
func mnistDir(ctx context.Context, dir string, stderr io.Writer) (string, error) {
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("no cache directory for MNIST (pass -mnist DIR): %w", err)
		}
		dir = filepath.Join(base, "dlgo", "mnist")
		opts := datasets.MNISTOptions{CacheDir: dir, Logf: func(format string, a ...any) {
			fmt.Fprintf(stderr, "bench: "+format+"\n", a...)
		}}
		for _, split := range []string{"train", "test"} {
			if _, err := datasets.LoadMNISTContext(ctx, split, opts); err != nil {
				return "", fmt.Errorf("getting MNIST: %w", err)
			}
		}
		debug.FreeOSMemory() // this process only waits for its children
	}
	for _, name := range mnistNames {
		if _, err := mnistFile(dir, name); err != nil {
			return "", fmt.Errorf("MNIST files: %w (pass -mnist DIR)", err)
		}
	}
	return dir, nil
}

// findScripts returns the bench/ directory of the repository that holds the
// working directory, looking in it and in its parents.
func findScripts() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding bench/torch_mnist.py: %w", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		p := filepath.Join(dir, "bench")
		if _, err := os.Stat(filepath.Join(p, torchScript)); err == nil {
			return p, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no bench/%s in %s or its parents: run from the dlgo repository or pass -scripts DIR", torchScript, wd)
		}
	}
}

// runWorker is the dlgo child: it trains and runs one model on the MNIST
// files of o.mnist and prints its result as one JSON line.
func runWorker(ctx context.Context, o options, stdout io.Writer) error {
	model := strings.TrimPrefix(o.worker, implDlgo+"-")
	if o.mnist == "" {
		return errors.New("the worker needs -mnist DIR")
	}
	train, err := loadMNISTSplit(o.mnist, "train")
	if err != nil {
		return err
	}
	test, err := loadMNISTSplit(o.mnist, "test")
	if err != nil {
		return err
	}
	if o.Smoke {
		train, test = head(train, smokeTrain), head(test, smokeTest)
	}
	if o.TrainLimit > 0 {
		train = head(train, o.TrainLimit)
	}
	r, err := dlgoWorker(ctx, model, train, test, o.settings)
	if err != nil {
		return err
	}
	return writeResultLine(stdout, r)
}

// loadMNISTSplit reads split "train" or "test" from the IDX files in dir.
func loadMNISTSplit(dir, split string) (*datasets.Dataset, error) {
	prefix := map[string]string{"train": "train", "test": "t10k"}[split]
	images, err := mnistFile(dir, prefix+"-images-idx3-ubyte")
	if err != nil {
		return nil, err
	}
	labels, err := mnistFile(dir, prefix+"-labels-idx1-ubyte")
	if err != nil {
		return nil, err
	}
	d, err := datasets.LoadMNISTFiles(images, labels)
	if err != nil {
		return nil, fmt.Errorf("loading MNIST %s: %w", split, err)
	}
	return d, nil
}

// head returns the first n samples of d (all of them if it has fewer).
func head(d *datasets.Dataset, n int) *datasets.Dataset {
	if d.Len() <= n {
		return d
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return d.Subset(idx)
}

// plural returns "1 epoch", "2 epochs", "3 passes".
func plural(n int, noun string) string {
	switch {
	case n == 1:
		return "1 " + noun
	case strings.HasSuffix(noun, "s"):
		return fmt.Sprintf("%d %ses", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// firstLine returns s up to its first newline.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// mib converts bytes to MiB.
func mib(b int64) float64 { return float64(b) / (1 << 20) }

// itoa is strconv.Itoa, short.
func itoa(n int) string { return strconv.Itoa(n) }

// numCPU is the number of CPUs this process may use.
func numCPU() int { return runtime.NumCPU() }
