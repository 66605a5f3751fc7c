package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/internal/atomicfile"
	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/trainers"
)

// options are the command's settings.
type options struct {
	models      []string
	samples     []int
	concurrency []int
	peerWorkers []int
	duration    time.Duration
	warmup      time.Duration
	epochs      int
	dir         string
	python      string
	scripts     string
	jsonOut     string
	maxBatch    int
	batchWindow time.Duration
	peers       bool

	// child is set in the dlgo server's own process.
	child      bool
	childModel modelFlags
}

type modelFlags []string

func (m *modelFlags) String() string     { return strings.Join(*m, ",") }
func (m *modelFlags) Set(v string) error { *m = append(*m, v); return nil }

const usage = `Usage: servebench [flags]

Servebench measures dlgo's server (package serve, as cmd/serve runs it)
against the same models served by FastAPI + uvicorn + PyTorch
(bench/torch_serve.py), with one load generator, in one run: throughput and
p50/p99 latency of closed-loop clients sending requests of MNIST images.
It prints a Markdown table; see 'go doc ./cmd/servebench'.

Flags:
`

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("servebench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var modelList, samples, conc, workers string
	fs.StringVar(&modelList, "models", "mlp,convnet", "the models: mlp, convnet or both")
	fs.StringVar(&samples, "samples", "1,64", "samples per request, comma-separated")
	fs.StringVar(&conc, "concurrency", "1,8,64", "concurrent clients, comma-separated")
	fs.StringVar(&workers, "peer-workers", "1,2", "uvicorn worker processes of each peer configuration (each with one torch thread)")
	fs.BoolVar(&o.peers, "peers", true, "measure the FastAPI peers too (needs /usr/bin/python3 with torch, fastapi, uvicorn)")
	fs.DurationVar(&o.duration, "duration", 3*time.Second, "how long each measurement lasts")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "the warm-up before each measurement")
	fs.IntVar(&o.epochs, "epochs", 1, "training epochs of the models on MNIST (0: random weights; serving speed does not depend on them)")
	fs.StringVar(&o.dir, "dir", filepath.Join(os.TempDir(), "dlgo-servebench"), "where the trained models are kept, and reused")
	fs.StringVar(&o.python, "python", "/usr/bin/python3", "the Python with torch, fastapi and uvicorn")
	fs.StringVar(&o.scripts, "scripts", "", "the directory of torch_serve.py (default: bench/ of the repository)")
	fs.StringVar(&o.jsonOut, "json", "", "also write the raw results to this file")
	fs.IntVar(&o.maxBatch, "max-batch", 64, "the dlgo server's -max-batch")
	fs.DurationVar(&o.batchWindow, "batch-window", time.Millisecond, "the dlgo server's -batch-window")
	fs.BoolVar(&o.child, "serve-child", false, "(internal) run the dlgo server in this process")
	fs.Var(&o.childModel, "child-model", "(internal) NAME=FILE for -serve-child")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			var b strings.Builder
			b.WriteString(usage)
			fs.SetOutput(&b)
			fs.PrintDefaults()
			return o, helpError(b.String())
		}
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, m := range strings.Split(modelList, ",") {
		if m != modelMLP && m != modelConvNet {
			return o, fmt.Errorf("-models: unknown model %q (want mlp, convnet)", m)
		}
		o.models = append(o.models, m)
	}
	var err error
	if o.samples, err = intList("-samples", samples); err != nil {
		return o, err
	}
	if o.concurrency, err = intList("-concurrency", conc); err != nil {
		return o, err
	}
	if o.peerWorkers, err = intList("-peer-workers", workers); err != nil {
		return o, err
	}
	if o.duration <= 0 || o.warmup < 0 || o.epochs < 0 {
		return o, errors.New("-duration must be positive, -warmup and -epochs not negative")
	}
	return o, nil
}

// helpError carries the -h text.
type helpError string

func (h helpError) Error() string { return string(h) }

func intList(flagName, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s: %q is not a positive number", flagName, f)
		}
		out = append(out, n)
	}
	return out, nil
}

// run is the whole command.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args)
	var help helpError
	if errors.As(err, &help) {
		_, err := io.WriteString(stdout, string(help))
		return err
	}
	if err != nil {
		return err
	}
	if o.child {
		return serveChild(ctx, o, stdout)
	}
	return bench(ctx, o, args, stdout, stderr)
}

// The benchmark's models.
const (
	modelMLP     = "mlp"
	modelConvNet = "convnet"
)

// prepareModel returns the path of the model file, training it on MNIST
// for the given epochs (or leaving its random weights) unless a file made
// with the same settings is already in dir.
func prepareModel(ctx context.Context, name string, epochs int, dir string, train *datasets.Dataset, log io.Writer) (string, error) {
	path := filepath.Join(dir, fmt.Sprintf("%s-%depochs.dlgo", name, epochs))
	if _, err := os.Stat(path); err == nil {
		fmt.Fprintf(log, "using %s\n", path)
		return path, nil
	}
	var m *models.Model
	var err error
	data := train
	switch name {
	case modelMLP:
		data = train.Flatten()
		m, err = models.NewMLP(784, []models.Hidden{{Units: 128, Activation: models.ReLU}, {Units: 64, Activation: models.ReLU}},
			models.MulticlassOutput(10), models.WithSeed(1), models.WithDataInfo(data), models.WithName(name))
	case modelConvNet:
		m, err = models.NewConvNet([]int{1, 28, 28}, 10, models.WithSeed(1), models.WithDataInfo(data), models.WithName(name))
	}
	if err != nil {
		return "", err
	}
	if epochs > 0 {
		start := time.Now()
		_, err := trainers.Fit(ctx, m, data, trainers.Config{Optimizer: trainers.Adam{LearningRate: 1e-3}, Epochs: epochs, BatchSize: 128, Seed: 1})
		if err != nil {
			return "", fmt.Errorf("training %s: %w", name, err)
		}
		fmt.Fprintf(log, "trained %s for %d epoch(s) in %v\n", name, epochs, time.Since(start).Round(time.Second))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return path, m.Save(path)
}

// requestBodies returns count different infer requests of n MNIST test
// images each, for the model's input shape, as a client would write them.
func requestBodies(test *datasets.Dataset, shape []int, n, count int) [][]byte {
	dim := test.Dim()
	bodies := make([][]byte, count)
	for b := range bodies {
		var buf []byte
		buf = append(buf, `{"inputs":[{"name":"input","datatype":"FP32","shape":[`...)
		buf = strconv.AppendInt(buf, int64(n), 10)
		for _, d := range shape {
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(d), 10)
		}
		buf = append(buf, `],"data":[`...)
		for i := range n {
			img := ((b*n + i) % test.Len()) * dim
			for j, v := range test.X[img : img+dim] {
				if i > 0 || j > 0 {
					buf = append(buf, ',')
				}
				buf = strconv.AppendFloat(buf, float64(v), 'g', -1, 32)
			}
		}
		bodies[b] = append(buf, "]}]}"...)
	}
	return bodies
}

// cell is one measured configuration.
type cell struct {
	Model       string `json:"model"`
	Samples     int    `json:"samples_per_request"`
	Concurrency int    `json:"concurrency"`
	Server      string `json:"server"`
	stats
}

// report is the whole run, for -json.
type report struct {
	Command   string   `json:"command"`
	Machine   string   `json:"machine"`
	Started   string   `json:"started"`
	Agreement []string `json:"agreement"`
	Cells     []cell   `json:"cells"`
}

func bench(ctx context.Context, o options, args []string, stdout, stderr io.Writer) error {
	rep := report{Command: "go run ./cmd/servebench " + strings.Join(args, " "), Machine: machine(), Started: time.Now().UTC().Format(time.RFC3339)}
	train, err := datasets.LoadMNIST("train", datasets.MNISTOptions{})
	if err != nil {
		return err
	}
	test, err := datasets.LoadMNIST("test", datasets.MNISTOptions{})
	if err != nil {
		return err
	}
	paths := map[string]string{}
	for _, m := range o.models {
		if paths[m], err = prepareModel(ctx, m, o.epochs, o.dir, train, stderr); err != nil {
			return err
		}
	}
	var servers []*server
	dl, err := startDlgo(ctx, o, paths)
	if err != nil {
		return err
	}
	defer dl.stop()
	servers = append(servers, dl)
	if o.peers {
		scripts, err := findScripts(o.scripts)
		if err != nil {
			return err
		}
		if err := checkPython(ctx, o.python); err != nil {
			fmt.Fprintf(stderr, "servebench: no peer: %v\n", err)
		} else {
			for _, w := range o.peerWorkers {
				p, err := startPeer(ctx, o.python, scripts, paths, w)
				if err != nil {
					return err
				}
				defer p.stop()
				servers = append(servers, p)
			}
		}
	}
	shapes := map[string][]int{modelMLP: {784}, modelConvNet: {1, 28, 28}}
	// Every server must compute the same model: compare their answers.
	for _, m := range o.models {
		body := requestBodies(test, shapes[m], 64, 1)[0]
		for _, s := range servers[1:] {
			d, err := compareAnswers(ctx, servers[0], s, m, body)
			if err != nil {
				return err
			}
			line := fmt.Sprintf("%s: %s and %s agree on 64 images: max |Δ probability| = %.1e", m, servers[0].name, s.name, d)
			rep.Agreement = append(rep.Agreement, line)
			fmt.Fprintln(stderr, line)
		}
	}
	for _, m := range o.models {
		for _, n := range o.samples {
			bodies := requestBodies(test, shapes[m], n, 16)
			for _, c := range o.concurrency {
				// The servers take turns at each configuration, so that
				// a change in the machine's load hits them alike.
				for i, s := range servers {
					l := load{url: s.url + "/v2/models/" + m + "/infer", bodies: bodies, concurrency: c, warmup: o.warmup, duration: o.duration}
					var before batchStats
					if i == 0 {
						before = dlgoBatches(s.url, m)
					}
					st, err := l.run(ctx)
					if err != nil {
						return err
					}
					if i == 0 {
						after := dlgoBatches(s.url, m)
						if calls := after.calls - before.calls; calls > 0 {
							st.MeanBatch = (after.samples - before.samples) / calls
						}
					}
					rep.Cells = append(rep.Cells, cell{m, n, c, s.name, st})
					fmt.Fprintf(stderr, "%-8s %3d samples  %3d clients  %-22s %8.1f req/s  p50 %7.2f ms  p99 %7.2f ms  %d errors\n",
						m, n, c, s.name, st.Throughput, st.P50, st.P99, st.Errors)
				}
			}
		}
	}
	writeTable(stdout, rep)
	if o.jsonOut != "" {
		js, _ := json.MarshalIndent(rep, "", "  ")
		if err := atomicfile.Write(o.jsonOut, func(w io.Writer) error { _, err := w.Write(js); return err }); err != nil {
			return err
		}
	}
	return nil
}

// machine describes where the benchmark runs.
func machine() string {
	return fmt.Sprintf("%s/%s, %d CPUs, GOMAXPROCS %d, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
}

// findScripts returns the directory of torch_serve.py.
func findScripts(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "bench", "torch_serve.py")); err == nil {
			return filepath.Join(d, "bench"), nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("bench/torch_serve.py not found: run from the repository, or give -scripts")
		}
	}
}
