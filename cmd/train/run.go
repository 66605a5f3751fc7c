package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
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

// run is the whole command: parse the settings, check that the run
// directory can be written, load the data, build and train the model
// (saving the training state after every epoch), and write the run
// directory. With -resume it continues the run in a directory instead.
func run(ctx context.Context, args []string, e env) (err error) {
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
	var resumed *trainers.TrainState
	var dataSHA256 string
	if c.Resume != "" {
		if c, resumed, dataSHA256, err = resumeConfig(c); err != nil {
			return err
		}
	}
	given := c // the settings as given, kept in the training state
	if err := c.resolve(); err != nil {
		return err
	}
	opt, err := trainers.NewOptimizer(c.Optimizer, c.LR)
	if err != nil {
		return err
	}
	log := &logrus.Logger{Out: e.stderr, Formatter: &logrus.TextFormatter{DisableTimestamp: true}, Level: logrus.InfoLevel, Hooks: logrus.LevelHooks{}}
	// The run directory first: one that cannot be written fails now, not
	// after the training.
	// -gradcheck checks the model and trains nothing: no run directory.
	var dir string
	if !c.GradCheck {
		rd, err := openRunDir(c, fmt.Sprintf("%s-%s-%s", dataLabel(c.Model), dataLabel(c.Data), e.now().Format("20060102-150405")), resumed != nil)
		if err != nil {
			return err
		}
		defer func() {
			if err != nil {
				rd.removeIfEmpty()
			}
		}()
		dir = rd.path
	}
	d, err := loadData(ctx, c, log)
	if err != nil {
		return err
	}
	if resumed != nil && dataSHA256 != d.sha256 {
		return fmt.Errorf("-resume %s: the data differs from the run's (SHA-256 %s, now %s): resume with the data the run started with", dir, dataSHA256, d.sha256)
	}
	m, err := buildModel(c, d, log)
	if err != nil {
		return err
	}
	classWeights, err := c.classWeights(d.train)
	if err != nil {
		return err
	}
	info, err := given.info(d.sha256)
	if err != nil {
		return err
	}
	fmt.Fprint(e.stdout, d.summary)
	if err := m.Summary(e.stdout); err != nil {
		return err
	}
	if c.GradCheck {
		return gradCheck(m, d, c, e.stdout)
	}
	if resumed != nil {
		fmt.Fprintf(e.stdout, "Resuming the run in %s after epoch %d of %d\n", dir, resumed.Epoch, c.Epochs)
	}

	ck := &trainers.Checkpoint{Keep: c.Keep}
	var callbacks []trainers.Callback
	if sc := c.scheduleCallback(e.stdout); sc != nil {
		callbacks = append(callbacks, sc) // before Progress, which then prints the rate
	}
	callbacks = append(callbacks, &trainers.Progress{W: e.stdout, Terminal: e.terminal, Now: e.now, Width: e.width}, ck)
	var es *trainers.EarlyStopping
	if c.Patience > 0 {
		es = &trainers.EarlyStopping{Patience: c.Patience, RestoreBest: c.Keep == trainers.KeepBest, Verbose: e.stdout}
		callbacks = append(callbacks, es)
	}
	saver := newStateSaver(dir, e.now)
	start := e.now()
	hist, fitErr := trainers.Fit(ctx, m, d.train, trainers.Config{
		Optimizer:    opt,
		Epochs:       c.Epochs,
		BatchSize:    c.Batch,
		L2:           c.L2,
		L1:           c.L1,
		Seed:         c.Seed,
		Validation:   d.val,
		Callbacks:    callbacks,
		ClipNorm:     c.Clip,
		ClassWeights: classWeights,
		SaveState:    saver.save,
		Resume:       resumed,
		Info:         info,
	})
	if fitErr != nil && e.terminal {
		fmt.Fprintln(e.stdout) // end the interrupted progress bar's line
	}
	if err := saver.flush(); err != nil && fitErr == nil {
		fitErr = err
	}
	if hist == nil {
		return fitErr // the run could not start: nothing to save
	}
	if fitErr != nil && ck.KeptEpoch() == 0 {
		return fmt.Errorf("%w; no epoch completed, so no model was saved", fitErr)
	}
	if resumed != nil {
		log.Infof("trained %s (%d in all) in %s", plural(len(hist.Epochs)-resumed.Epoch, "more epoch"), len(hist.Epochs), e.now().Sub(start).Round(time.Millisecond))
	} else {
		log.Infof("trained %s in %s", plural(len(hist.Epochs), "epoch"), e.now().Sub(start).Round(time.Millisecond))
	}

	res, err := evaluateAll(m, d)
	if err != nil {
		return err
	}
	warnPoorFit(log, c, res)
	out := &runOutput{dir: dir, c: c, d: d, m: m, hist: hist, res: res, fitErr: fitErr, es: es, ck: ck, log: log}
	if resumed != nil {
		out.resumedAfter = resumed.Epoch
	}
	if err := out.write(); err != nil {
		return err
	}
	out.report(e.stdout)
	if fitErr != nil {
		return fmt.Errorf("%w; saved the model of epoch %d (-keep %s) to %s; continue with -resume %s",
			fitErr, ck.KeptEpoch(), c.Keep, filepath.Join(dir, modelFile), dir)
	}
	if err := ctx.Err(); err != nil {
		// Interrupted while saving: everything was saved, and the exit
		// status says the run was interrupted.
		return fmt.Errorf("interrupted after the training; the results were saved in %s: %w", dir, context.Cause(ctx))
	}
	return nil
}

// dataLabel shortens a data name for the run directory: "iris" for
// "data/iris.csv".
func dataLabel(data string) string {
	base := filepath.Base(data)
	return strings.TrimSuffix(base, filepath.Ext(base))
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

// gradCheck checks the model's gradients on a few training samples, with
// the run's L2 penalty and seed, and writes the report: the error of a
// failed check names the worst parameter.
func gradCheck(m *models.Model, d *runData, c config, w io.Writer) error {
	r, err := trainers.GradCheck(m, d.train, trainers.GradCheckConfig{L2: c.L2, L1: c.L1, Seed: c.Seed})
	if err != nil {
		return err
	}
	if err := r.WriteText(w); err != nil {
		return err
	}
	return r.Err()
}
