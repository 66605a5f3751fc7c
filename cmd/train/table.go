package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/tabular"
	"github.com/dlgo/dlgo/trainers"
	"github.com/sirupsen/logrus"
)

// tableFlags are the flags that only CSV data reads.
var tableFlags = []string{"target", "task", "sep", "skip", "drop", "features", "missing", "na"}

// isSynthetic says whether name is one of the synthetic data sets.
func isSynthetic(name string) bool { return slices.Contains(datasets.SyntheticNames(), name) }

// checkDataFlags reports flags that the data source would ignore.
func (c *config) checkDataFlags() error {
	if c.isTable() {
		return nil
	}
	for _, f := range tableFlags {
		if c.set[f] {
			return fmt.Errorf("-%s applies to CSV data; -data %s is a built-in set with its own targets and task", f, c.Data)
		}
	}
	if c.Data == "mnist" && c.set["test"] {
		return errors.New("-test: mnist is evaluated on its own test set")
	}
	if c.Data == "mnist" && c.set["n"] {
		return errors.New("-n sets the size of a synthetic set; mnist has its own")
	}
	return nil
}

// isTable says whether -data names a CSV file rather than a built-in set.
func (c *config) isTable() bool {
	return c.Data != "mnist" && !isSynthetic(c.Data)
}

// tableDefaults sets the defaults for a CSV table of the settings not
// given: a smaller MLP than MNIST's (64-32, dropout 0.2) trained for up to
// 500 epochs with early stopping (patience 20, the best weights restored)
// on a validation fifth of the training rows. bench/tables/compare.py
// measures them against scikit-learn.
func (c *config) tableDefaults() {
	if !c.set["hidden"] && c.Model == "mlp" {
		c.Hidden = "64,32"
	}
	if !c.set["val"] {
		c.Val = 0.2
	}
	if !c.set["patience"] && c.Val > 0 {
		c.Patience = 20
	}
	if !c.set["epochs"] && c.Model != "perceptron" {
		c.Epochs = 500
	}
}

// readOptions returns how to read the run's CSV files.
func (c *config) readOptions() (tabular.ReadOptions, error) {
	opts := tabular.ReadOptions{Skip: c.Skip}
	switch strings.ToLower(c.Sep) {
	case "":
	case "tab", `\t`, "\t":
		opts.Comma = '\t'
	case "space", "whitespace", " ":
		opts.Comma = ' '
	case "comma":
		opts.Comma = ','
	case "semicolon":
		opts.Comma = ';'
	default:
		r := []rune(c.Sep)
		if len(r) != 1 {
			return opts, fmt.Errorf("-sep %q: want one character, tab or space", c.Sep)
		}
		opts.Comma = r[0]
	}
	if c.Skip < 0 {
		return opts, fmt.Errorf("-skip %d must not be negative", c.Skip)
	}
	return opts, nil
}

// tableOptions returns how to use the columns of the run's table.
func (c *config) tableOptions() (tabular.Options, error) {
	opts := tabular.Options{Targets: c.targets(), Drop: splitList(c.Drop), Missing: splitList(c.NA)}
	if c.Features != "" {
		opts.Features = splitList(c.Features)
	}
	switch c.Missing {
	case "", "impute":
	case "error":
		opts.Strict = true
	default:
		return opts, fmt.Errorf("-missing %q is not impute or error", c.Missing)
	}
	switch {
	case c.Task == "regression" || c.Task == "multilabel" || (c.Task == "" && c.Model == "linreg"):
		opts.Kind = datasets.Numeric
	case c.Task == "classification":
		opts.Kind = datasets.Categorical
	}
	return opts, nil
}

// splitList splits "a, b,c" into its non-empty names.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// loadTable reads the run's CSV table (and -test file), decides how its
// columns are used, holds out the validation rows, fits the encoding on
// the training rows only and encodes every set with it. The summary of
// what was read and decided goes into d.summary.
func loadTable(ctx context.Context, c config, d *runData, log *logrus.Logger) (*datasets.Dataset, error) {
	ropts, err := c.readOptions()
	if err != nil {
		return nil, err
	}
	topts, err := c.tableOptions()
	if err != nil {
		return nil, err
	}
	t, err := loadTableFile(ctx, c.Data, ropts)
	if err != nil {
		return nil, err
	}
	plan, err := tabular.Prepare(t, topts)
	if err != nil {
		return nil, err
	}
	// The split is drawn on the usable rows; the encoding is fitted on the
	// training rows alone, as the standardisation is.
	all, err := plan.Fit(nil).Encode(t)
	if err != nil {
		return nil, err
	}
	trainRows := all.LabelledRows
	var valRows []int
	if c.Val > 0 {
		rest, part, err := all.Labelled.SplitIndices(c.Val, c.Seed, all.Labelled.IsClassification())
		if err != nil {
			return nil, fmt.Errorf("holding out validation data (-val %v): %w", c.Val, err)
		}
		trainRows, valRows = pick(all.LabelledRows, rest), pick(all.LabelledRows, part)
	}
	enc := plan.Fit(trainRows)
	var sum bytes.Buffer
	if err := plan.WriteSummary(&sum, enc); err != nil {
		return nil, err
	}
	train, err := enc.Encode(t.Select(trainRows))
	if err != nil {
		return nil, err
	}
	d.train, d.table, d.tablePlan = train.Labelled, enc, plan
	warn(log, "training data", train)
	if valRows != nil {
		val, err := enc.Encode(t.Select(valRows))
		if err != nil {
			return nil, err
		}
		d.val = val.Labelled
		warn(log, "validation data", val)
	}
	if c.Test != "" {
		tt, err := loadTableFile(ctx, c.Test, ropts)
		if err != nil {
			return nil, fmt.Errorf("test data: %w", err)
		}
		test, err := enc.Encode(tt)
		if err != nil {
			return nil, fmt.Errorf("test data: %w", err)
		}
		if test.Labelled == nil {
			return nil, fmt.Errorf("test data %s has no target values in %s", c.Test, strings.Join(enc.Targets, ", "))
		}
		d.test = test.Labelled
		warn(log, "test data", test)
		if n := len(tt.Rows) - len(test.LabelledRows); n > 0 {
			log.Warnf("test data: %s left out: the target is missing", plural(n, "row"))
		}
	}
	d.summary = sum.String()
	return all.Labelled, nil
}

// pick returns rows[i] for each i of idx.
func pick(rows, idx []int) []int {
	out := make([]int, len(idx))
	for k, i := range idx {
		out[k] = rows[i]
	}
	return out
}

// warn logs the first warnings of an encoding and how many there were.
func warn(log *logrus.Logger, what string, e *tabular.Encoded) {
	for i, w := range e.Warnings {
		if i == 5 {
			log.Warnf("%s: … %d such warnings in all", what, len(e.Warnings))
			break
		}
		log.Warnf("%s: %s", what, w)
	}
}

// plural writes "1 epoch", "2 epochs".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// taskLine says what the run learns and why, with the flag that changes
// it.
func taskLine(c config, d *runData, multilabel bool) string {
	train := d.train
	targets := strings.Join(train.Targets, ", ")
	rule := ""
	if d.tablePlan != nil {
		rule = " — " + d.tablePlan.Rule
	}
	switch {
	case multilabel:
		return fmt.Sprintf("Task: multi-label classification of %s: every target column holds 0 or 1 (-task regression regresses them)\n", targets)
	case train.IsClassification():
		return fmt.Sprintf("Task: classification of %q: %d classes%s\n", targets, len(train.Classes), rule)
	case train.TargetDim() > 1:
		return fmt.Sprintf("Task: regression of %s%s\n", targets, rule)
	}
	return fmt.Sprintf("Task: regression of %q%s\n", targets, rule)
}

// inputColumns names the columns a CSV to predict must have: the table's
// feature columns, or the model's features for other data.
func inputColumns(d *runData) []string {
	if d.table == nil {
		return d.train.Features
	}
	var out []string
	for _, c := range d.table.Columns {
		if c.Kind != tabular.Dropped {
			out = append(out, c.Name)
		}
	}
	return out
}

// warnPoorFit warns when a regression model fits its own training data
// worse than predicting the mean (R² below 0), and says what to try.
func warnPoorFit(log *logrus.Logger, c config, res *results) {
	r2, ok := res.train[trainers.R2Name]
	if !ok || r2 >= 0 {
		return
	}
	advice := "train longer (-epochs), or try -lr 0.01"
	if !c.Standardize {
		advice = "standardise the features and the target (-standardize=true), " + advice
	}
	log.Warnf("the model fits its training data worse than the mean of the target (training R² %.3f): %s", r2, advice)
}
