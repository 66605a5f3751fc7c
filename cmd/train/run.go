package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/trainers"
	"github.com/sirupsen/logrus"
)

// env is what run needs from its surroundings.
type env struct {
	stdout, stderr io.Writer
	// terminal says stdout is a terminal: draw progress bars in place.
	terminal bool
	// width is the terminal's width in columns, 0 if unknown.
	width int
	// now returns the time (time.Now when nil); tests fix it.
	now func() time.Time
}

// errUsage marks a command-line mistake; main exits with status 2.
var errUsage = errors.New("usage error")

// run is the whole command: parse the settings, load the data, build and
// train the model, and write the run directory.
func run(ctx context.Context, args []string, e env) error {
	if e.now == nil {
		e.now = time.Now
	}
	c, err := parseConfig(args)
	if errors.Is(err, flag.ErrHelp) {
		return writeUsage(e.stdout)
	}
	if err != nil {
		return err
	}
	if err := c.resolve(); err != nil {
		return err
	}
	opt, err := trainers.NewOptimizer(c.Optimizer, c.LR)
	if err != nil {
		return err
	}
	log := &logrus.Logger{Out: e.stderr, Formatter: &logrus.TextFormatter{DisableTimestamp: true}, Level: logrus.InfoLevel, Hooks: logrus.LevelHooks{}}
	d, err := loadData(ctx, c, log)
	if err != nil {
		return err
	}
	m, err := buildModel(c, d, log)
	if err != nil {
		return err
	}
	fmt.Fprint(e.stdout, d.summary)
	if err := m.Summary(e.stdout); err != nil {
		return err
	}
	dir := c.Out
	if dir == "" {
		dir = filepath.Join("runs", fmt.Sprintf("%s-%s-%s", dataLabel(c.Model), dataLabel(c.Data), e.now().Format("20060102-150405")))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating the run directory: %w", err)
	}

	ck := &trainers.Checkpoint{}
	callbacks := []trainers.Callback{&trainers.Progress{W: e.stdout, Terminal: e.terminal, Now: e.now, Width: e.width}, ck}
	var es *trainers.EarlyStopping
	if c.Patience > 0 {
		es = &trainers.EarlyStopping{Patience: c.Patience, RestoreBest: true, Verbose: e.stdout}
		callbacks = append(callbacks, es)
	}
	start := e.now()
	hist, fitErr := trainers.Fit(ctx, m, d.train, trainers.Config{
		Optimizer:  opt,
		Epochs:     c.Epochs,
		BatchSize:  c.Batch,
		L2:         c.L2,
		Seed:       c.Seed,
		Validation: d.val,
		Callbacks:  callbacks,
	})
	if fitErr != nil && e.terminal {
		fmt.Fprintln(e.stdout) // end the interrupted progress bar's line
	}
	if fitErr != nil && ck.BestEpoch == 0 {
		return fmt.Errorf("%w; no epoch completed, so no model was saved", fitErr)
	}
	log.Infof("trained %s in %s", plural(len(hist.Epochs), "epoch"), e.now().Sub(start).Round(time.Millisecond))

	res, err := evaluateAll(m, d)
	if err != nil {
		return err
	}
	warnPoorFit(log, c, res)
	out := &runOutput{dir: dir, c: c, d: d, m: m, hist: hist, res: res, fitErr: fitErr, es: es, ck: ck}
	if err := out.write(); err != nil {
		return err
	}
	out.report(e.stdout)
	if fitErr != nil {
		return fmt.Errorf("%w; saved the best model so far (epoch %d, %s %.4f) to %s",
			fitErr, ck.BestEpoch, monitorName(d), ck.Best, filepath.Join(dir, modelFile))
	}
	return nil
}

// dataLabel shortens a data name for the run directory: "iris" for
// "data/iris.csv".
func dataLabel(data string) string {
	base := filepath.Base(data)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// monitorName is what the checkpoint watched: val_loss with validation
// data, loss without.
func monitorName(d *runData) string {
	if d.val != nil {
		return "val_loss"
	}
	return "loss"
}

// results are the final figures of the trained model on each set, and of
// each output of a model with several (regression or multi-label).
type results struct {
	train, val, test map[string]float64
	targets          map[string][]trainers.TargetMetrics
}

func evaluateAll(m *models.Model, d *runData) (*results, error) {
	r := results{targets: map[string][]trainers.TargetMetrics{}}
	several := m.Spec().Task() != models.Classification && m.Spec().Task() != models.Reconstruction && m.Spec().Units() > 1
	for _, set := range []struct {
		name string
		data *datasets.Dataset
		logs *map[string]float64
	}{{"train", d.train, &r.train}, {"validation", d.val, &r.val}, {"test", d.test, &r.test}} {
		if set.data == nil {
			continue
		}
		var err error
		if *set.logs, err = trainers.Evaluate(m, set.data); err != nil {
			return nil, fmt.Errorf("evaluating on the %s data: %w", set.name, err)
		}
		if several {
			if r.targets[set.name], err = trainers.EvaluateTargets(m, set.data); err != nil {
				return nil, fmt.Errorf("evaluating each output on the %s data: %w", set.name, err)
			}
		}
	}
	return &r, nil
}
