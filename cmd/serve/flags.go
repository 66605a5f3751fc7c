package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
)

// modelArg is one -model flag: a file, name=file, or a directory.
type modelArg struct{ name, path string }

// modelList collects the -model flags.
type modelList []modelArg

func (l *modelList) String() string { return "" }

func (l *modelList) Set(v string) error {
	name, path, ok := strings.Cut(v, "=")
	if !ok {
		name, path = "", v
	}
	if path == "" {
		return fmt.Errorf("%q names no file", v)
	}
	*l = append(*l, modelArg{name, path})
	return nil
}

// config holds the settings of one run, from the command line.
type config struct {
	models          modelList
	addr            string
	maxBody         int64
	maxSamples      int
	maxBatch        int
	batchWindow     time.Duration
	workers         int
	timeout         time.Duration
	reload          time.Duration
	shutdownTimeout time.Duration
	logLevel        string
	logJSON         bool
}

// usageError is a mistake on the command line; serve exits with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

const usageHead = `Usage: serve -model FILE [-model NAME=FILE | -model DIR ...] [flags]

Serve answers predictions of dlgo models over HTTP with the Open Inference
Protocol (KServe v2), the REST protocol of Triton and KServe, until it gets
SIGINT or SIGTERM; then it finishes the requests in flight and exits. A model
is named by its file's base name without .dlgo, or by NAME=FILE; a directory
serves every .dlgo file in it, and the files added to it later. A model file
that is replaced is loaded again, and served from the next request on.

Endpoints:
  GET  /v2/health/live, /v2/health/ready     health
  GET  /v2/models/NAME                        metadata: input, outputs, classes
  GET  /v2/models/NAME/ready                  200 if NAME is served
  POST /v2/models/NAME/infer                  predict tensors
  POST /v2/models/NAME/rows                   predict rows keyed by feature name
  GET  /metrics                               Prometheus metrics

Examples:
  serve -model runs/mlp-mnist-20261127-124730/model.dlgo
  serve -model mnist=mlp.dlgo -model iris=iris.dlgo -addr :8080
  curl -s localhost:8080/v2/models/mnist

Flags:
`

const usageTail = `
Request logs go to standard error, one line per request.
Exit status: 0 after a clean shutdown, 1 on an error, 2 on a usage error.
`

// newFlagSet defines the flags, storing into cfg. Usage strings state the
// defaults that the flag package does not print (those of zero value).
func newFlagSet(cfg *config) *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // run reports errors and prints -h itself
	fs.Usage = func() {}
	fs.Var(&cfg.models, "model", "a model `FILE` to serve, NAME=FILE, or a directory of .dlgo files;\nrepeat it for several (required)")
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "the `ADDRESS` to listen on (\":8080\": every interface)")
	fs.Int64Var(&cfg.maxBody, "max-body", 32<<20, "the largest request body, in `BYTES`; larger ones get 413")
	fs.IntVar(&cfg.maxSamples, "max-samples", 1024, "the most samples in one request; more get 413")
	fs.IntVar(&cfg.maxBatch, "max-batch", 64, "the most samples predicted in one call when requests that wait\ntogether are batched")
	fs.DurationVar(&cfg.batchWindow, "batch-window", time.Millisecond, "how long a batch waits for the requests being parsed to join it\n(negative: never); a request alone never waits")
	fs.IntVar(&cfg.workers, "workers", 0, "predictions each model runs at once (default GOMAXPROCS)")
	fs.DurationVar(&cfg.timeout, "timeout", 30*time.Second, "the longest a request may take; a prediction that takes longer gets 503")
	fs.DurationVar(&cfg.reload, "reload", time.Second, "how often to look for changed model files (0: never)")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long to wait for requests in flight on SIGINT or SIGTERM")
	fs.StringVar(&cfg.logLevel, "log-level", "info", "the least `LEVEL` logged: debug, info (every request), warn (errors\nonly), error")
	fs.BoolVar(&cfg.logJSON, "log-json", false, "log JSON lines instead of text (default false)")
	return fs
}

// parseFlags reads the command line. It returns flag.ErrHelp for -h and a
// usageError for a mistake.
func parseFlags(args []string) (*config, error) {
	cfg := &config{}
	fs := newFlagSet(cfg)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err}
	}
	switch {
	case fs.NArg() > 0:
		return nil, usagef("unexpected argument %q: name models with -model", fs.Arg(0))
	case len(cfg.models) == 0:
		return nil, usagef("-model is required: name a model file (written by cmd/train or Model.Save) or a directory of them")
	case cfg.maxBody < 1, cfg.maxSamples < 1, cfg.maxBatch < 1, cfg.workers < 0:
		return nil, usagef("-max-body, -max-samples and -max-batch must be at least 1, -workers at least 0")
	case cfg.timeout <= 0, cfg.reload < 0, cfg.shutdownTimeout < 0:
		return nil, usagef("-timeout must be positive, and -reload and -shutdown-timeout not negative")
	}
	if _, err := logrus.ParseLevel(cfg.logLevel); err != nil {
		return nil, usagef("-log-level %q: want debug, info, warn or error", cfg.logLevel)
	}
	return cfg, nil
}

// isDir reports whether path is a directory.
func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// writeUsage writes the -h text.
func writeUsage(w io.Writer) error {
	fs := newFlagSet(&config{})
	if _, err := io.WriteString(w, usageHead); err != nil {
		return err
	}
	fs.SetOutput(w)
	fs.PrintDefaults()
	_, err := io.WriteString(w, usageTail)
	return err
}
