package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/dlgo/dlgo/internal/atomicfile"
	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/trainers"
	"github.com/sirupsen/logrus"
)

// chunk is the number of samples predicted between checks of the context.
const chunk = 256

// run is the whole command: it reads the flags in args, predicts, and
// writes results to stdout and diagnostics to stderr. It returns nil after
// -h, a usageError for a mistake on the command line, and otherwise any
// error that stopped it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		return writeUsage(stdout)
	}
	if err != nil {
		return err
	}
	return infer(ctx, cfg, stdout, newLogger(stderr))
}

// exitCode reports err on stderr and returns the exit status for it: 0 for
// nil, 2 for a usage error, 1 otherwise.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "infer: %v\n", err)
	if errors.As(err, new(usageError)) {
		fmt.Fprintln(stderr, "run 'infer -h' for help")
		return 2
	}
	return 1
}

// newLogger returns the logger for diagnostics: text lines on w, without
// timestamps.
func newLogger(w io.Writer) *logrus.Logger {
	log := logrus.New()
	log.SetOutput(w)
	log.SetFormatter(&logrus.TextFormatter{DisableTimestamp: true})
	return log
}

// infer loads the model and the input, predicts, and writes the results.
func infer(ctx context.Context, cfg *config, stdout io.Writer, log *logrus.Logger) error {
	start := time.Now()
	path, err := modelPath(cfg.model)
	if err != nil {
		return err
	}
	m, err := models.Load(path)
	if err != nil {
		return fmt.Errorf("loading the model: %w", err)
	}
	spec := m.Spec()
	log.WithFields(logrus.Fields{"path": path, "name": m.Name(), "input": spec.Input,
		"task": spec.Task(), "outputs": spec.Units()}).Info("loaded model")

	if cfg.generate > 0 {
		return generate(cfg, m, stdout, log)
	}
	in, err := loadInput(ctx, m, cfg, log)
	if err != nil {
		return err
	}
	log.WithFields(logrus.Fields{"data": in.name, "samples": in.data.Len(),
		"labelled": in.data.IsLabelled()}).Info("loaded data")
	switch {
	case cfg.encode:
		return encode(ctx, cfg, m, in, stdout, log)
	case spec.Task() == models.Reconstruction:
		return inferReconstruction(ctx, cfg, m, in, stdout, log)
	}
	if cfg.eval && !in.data.IsLabelled() {
		return fmt.Errorf("-eval: %w", noTargetsError(m, in))
	}

	predictStart := time.Now()
	pred, err := predict(ctx, m, in.data.X)
	if err != nil {
		return err
	}
	log.WithFields(logrus.Fields{"samples": in.data.Len(), "took": time.Since(predictStart).Round(time.Millisecond)}).Info("predicted")

	res := newResult(m, in, pred)
	if cfg.hardest > 0 {
		if !in.data.IsLabelled() {
			return fmt.Errorf("-hardest: %w", noTargetsError(m, in))
		}
		if res.losses, err = trainers.SampleLosses(m, in.data); err != nil {
			return fmt.Errorf("-hardest: %w", err)
		}
		res.order = keepHardest(res.rows(), res.losses, cfg.hardest)
	}
	if err := writeResults(ctx, cfg, m, res, stdout, log); err != nil {
		return err
	}
	log.WithField("took", time.Since(start).Round(time.Millisecond)).Info("done")
	return nil
}

// writeResults writes the predictions to -out or stdout and, with -eval,
// the metrics to stdout.
func writeResults(ctx context.Context, cfg *config, m *models.Model, res *result, stdout io.Writer, log *logrus.Logger) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("before writing the results: %w", err)
	}
	writePreds := func(w io.Writer) error {
		if cfg.json {
			return writePredictionsJSON(w, res)
		}
		return writePredictionsCSV(w, res)
	}
	var ev *evaluation
	if cfg.eval {
		var err error
		if ev, err = evaluate(m, res); err != nil {
			return err
		}
	}
	if cfg.out != "" {
		if err := atomicfile.Write(cfg.out, writePreds); err != nil {
			return fmt.Errorf("writing the predictions: %w", err)
		}
		log.WithField("path", cfg.out).Info("wrote predictions")
	}
	var err error
	switch {
	case ev != nil && cfg.json:
		err = ev.writeJSON(stdout)
	case ev != nil:
		err = ev.writeText(stdout)
	case cfg.out == "":
		err = writePreds(stdout)
	}
	if err != nil {
		return fmt.Errorf("writing to standard output: %w", err)
	}
	return nil
}

// predictions holds a model's outputs for every sample.
type predictions struct {
	// values holds width values per sample: the class probabilities of a
	// classifier, as Model.Predict gives them, or the regression outputs.
	values []float32
	width  int
	// classes holds each sample's predicted class, as Model.PredictClasses
	// gives it; nil for regression.
	classes []int
}

// predict runs m on the samples in x, chunk samples at a time, and stops
// with an error wrapping ctx.Err() when ctx is done.
func predict(ctx context.Context, m *models.Model, x []float32) (*predictions, error) {
	spec := m.Spec()
	dim, units := m.InputDim(), spec.Units()
	n := len(x) / dim
	p := &predictions{width: units}
	if k := spec.NumClasses(); k > 0 {
		p.width, p.classes = k, make([]int, 0, n)
	}
	p.values = make([]float32, 0, n*p.width)
	for start := 0; start < n; start += chunk {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("predicting: stopped after %d of %d samples: %w", start, n, err)
		}
		end := min(n, start+chunk)
		logits, err := m.Logits(x[start*dim : end*dim])
		if err != nil {
			return nil, fmt.Errorf("predicting: %w", err)
		}
		if p.classes != nil {
			p.classes = append(p.classes, models.ClassesOf(spec, logits)...)
		}
		p.values = append(p.values, models.OutputsOf(spec, logits)...)
	}
	return p, nil
}

// evaluation is what -eval prints.
type evaluation struct {
	Model   string             `json:"model"`
	Task    models.Task        `json:"task"`
	Samples int                `json:"samples"`
	Metrics map[string]float64 `json:"metrics"`
	Report  *trainers.Report   `json:"report,omitempty"`
	// Targets holds each output's metrics, for a model with several.
	Targets []trainers.TargetMetrics `json:"targets,omitempty"`
}

// evaluate computes the metrics of m on the labelled input of res.
func evaluate(m *models.Model, res *result) (*evaluation, error) {
	metrics, err := trainers.Evaluate(m, res.in.data)
	if err != nil {
		return nil, fmt.Errorf("evaluating: %w", err)
	}
	ev := &evaluation{Model: m.Name(), Task: m.Spec().Task(), Samples: res.n, Metrics: metrics}
	if res.classes == nil {
		if m.Spec().Units() > 1 {
			if ev.Targets, err = trainers.EvaluateTargets(m, res.in.data); err != nil {
				return nil, fmt.Errorf("evaluating: %w", err)
			}
		}
		return ev, nil
	}
	truth := make([]int, res.n)
	for i := range truth {
		truth[i] = res.in.data.Label(i)
	}
	if ev.Report, err = trainers.NewReport(res.pred.classes, truth, res.classes); err != nil {
		return nil, fmt.Errorf("evaluating: %w", err)
	}
	return ev, nil
}
