package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dlgo/dlgo/internal/atomicfile"

	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/trainers"
	"github.com/sirupsen/logrus"
)

// The files of a run directory.
const (
	modelFile   = "model.dlgo"
	historyFile = "history.csv"
	metricsFile = "metrics.json"
)

// runOutput is everything a finished (or interrupted) run writes.
type runOutput struct {
	dir    string
	c      config
	d      *runData
	m      *models.Model
	hist   *trainers.History
	res    *results
	fitErr error
	es     *trainers.EarlyStopping
	ck     *trainers.Checkpoint
	plots  []string
	// log receives the warnings of what could not be drawn.
	log *logrus.Logger
	// resumedAfter is the epoch a resumed run continued after (0 if it
	// was not resumed).
	resumedAfter int
}

// metricsDoc is the content of metrics.json.
type metricsDoc struct {
	Model      string             `json:"model"`
	Data       string             `json:"data"`
	DataSHA256 string             `json:"data_sha256"`
	Seed       int64              `json:"seed"`
	Samples    map[string]int     `json:"samples"`
	Train      map[string]float64 `json:"train"`
	Validation map[string]float64 `json:"validation,omitempty"`
	Test       map[string]float64 `json:"test,omitempty"`
	// Targets holds each output's metrics per set, for a model with
	// several outputs (regression or multi-label).
	Targets      map[string][]targetDoc `json:"targets,omitempty"`
	EpochsRun    int                    `json:"epochs_run"`
	BestEpoch    int                    `json:"best_epoch,omitempty"`
	StoppedEarly bool                   `json:"stopped_early"`
	Interrupted  string                 `json:"interrupted,omitempty"`
	Params       int                    `json:"params"`
	Settings     config                 `json:"settings"`
	Versions     map[string]string      `json:"versions"`
	// Kept says whose weights model.dlgo has: "best" or "last" (-keep),
	// those of epoch KeptEpoch.
	Kept      string `json:"kept"`
	KeptEpoch int    `json:"kept_epoch"`
	// ResumedAfter is the epoch after which the run was resumed (-resume).
	ResumedAfter int `json:"resumed_after,omitempty"`
	// ModelSHA256 is the SHA-256 of the model.dlgo this file describes:
	// the two are written in that order, so a crash between them leaves a
	// mismatch that says so.
	ModelSHA256 string `json:"model_sha256"`
}

// write writes the run's files: the history and the metrics first, then
// the model they describe (metrics.json names its SHA-256), so that the
// files never describe two different runs; then the plots, whose failures
// are warnings: the model and its metrics stand.
func (o *runOutput) write() error {
	doc := o.metrics()
	o.m.Meta = models.Meta{Settings: settingsMap(o.c), Metrics: flatMetrics(doc), Created: time.Now().UTC().Round(time.Second), Versions: doc.Versions}
	var model bytes.Buffer
	if err := o.m.Write(&model); err != nil {
		return fmt.Errorf("writing the model: %w", err)
	}
	sum := sha256.Sum256(model.Bytes())
	doc.ModelSHA256 = hex.EncodeToString(sum[:])
	if err := atomicfile.Write(filepath.Join(o.dir, historyFile), o.hist.WriteCSV); err != nil {
		return err
	}
	js, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(o.dir, metricsFile), func(w io.Writer) error {
		_, err := w.Write(append(js, '\n'))
		return err
	}); err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(o.dir, modelFile), func(w io.Writer) error {
		_, err := w.Write(model.Bytes())
		return err
	}); err != nil {
		return fmt.Errorf("saving the model: %w", err)
	}
	o.writePlots()
	return nil
}

func (o *runOutput) metrics() metricsDoc {
	trainable, _ := o.m.ParamCount()
	doc := metricsDoc{Model: o.c.Model, Data: o.c.Data, DataSHA256: o.d.sha256, Seed: o.c.Seed,
		Samples: map[string]int{"train": o.d.train.Len(), "validation": lenOf(o.d.val), "test": lenOf(o.d.test)},
		Train:   o.res.train, Validation: o.res.val, Test: o.res.test,
		EpochsRun: len(o.hist.Epochs), BestEpoch: o.ck.BestEpoch,
		StoppedEarly: o.es != nil && o.es.StoppedEpoch > 0,
		Params:       trainable, Settings: o.c, Versions: versions(),
		Kept: o.c.Keep, KeptEpoch: o.ck.KeptEpoch(), ResumedAfter: o.resumedAfter}
	if o.es != nil && o.es.BestEpoch > 0 {
		doc.BestEpoch = o.es.BestEpoch
	}
	for set, ts := range o.res.targets {
		if doc.Targets == nil {
			doc.Targets = map[string][]targetDoc{}
		}
		for _, tm := range ts {
			doc.Targets[set] = append(doc.Targets[set], targetDoc{Target: tm.Target, Metrics: tm.Metrics})
		}
	}
	if o.fitErr != nil {
		doc.Interrupted = o.fitErr.Error()
	}
	return doc
}

// targetDoc is one output's metrics in metrics.json.
type targetDoc struct {
	Target  string             `json:"target"`
	Metrics map[string]float64 `json:"metrics"`
}

// flatMetrics keys the final figures as Keras' history does: "loss",
// "val_loss", and "test_loss" for the test set.
func flatMetrics(doc metricsDoc) map[string]float64 {
	out := map[string]float64{}
	for prefix, logs := range map[string]map[string]float64{"": doc.Train, "val_": doc.Validation, "test_": doc.Test} {
		for k, v := range logs {
			out[prefix+k] = v
		}
	}
	return out
}

// settingsMap turns the settings into the generic map a model file keeps.
func settingsMap(c config) map[string]any {
	js, _ := json.Marshal(c)
	var m map[string]any
	json.Unmarshal(js, &m)
	return m
}

// versions names dlgo, Go and Gorgonia as built into this binary.
func versions() map[string]string {
	v := map[string]string{"go": runtime.Version(), "dlgo": "(devel)"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v["dlgo"] = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				v["dlgo"] += " " + s.Value
			}
		}
		for _, dep := range bi.Deps {
			if dep.Path == "gorgonia.org/gorgonia" || dep.Path == "gorgonia.org/tensor" {
				v[strings.TrimPrefix(dep.Path, "gorgonia.org/")] = dep.Version
			}
		}
	}
	return v
}

// report tells the user where the results are and how to use them.
func (o *runOutput) report(w io.Writer) {
	fmt.Fprintln(w)
	for _, set := range []struct {
		name string
		logs map[string]float64
	}{{"train", o.res.train}, {"validation", o.res.val}, {"test", o.res.test}} {
		if set.logs == nil {
			continue
		}
		var parts []string
		keys := make([]string, 0, len(set.logs))
		for k := range set.logs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s %.4f", k, set.logs[k]))
		}
		fmt.Fprintf(w, "%-10s  %s\n", set.name, strings.Join(parts, ", "))
	}
	o.reportTargets(w)
	model := filepath.Join(o.dir, modelFile)
	fmt.Fprintf(w, "\nSaved in %s:\n", o.dir)
	fmt.Fprintf(w, "  %-22s the trained model (np.load reads its weights)\n", modelFile)
	fmt.Fprintf(w, "  %-22s loss and metrics of every epoch\n", historyFile)
	fmt.Fprintf(w, "  %-22s final metrics, settings, seed, data SHA-256\n", metricsFile)
	fmt.Fprintf(w, "  %-22s the training state: go run ./cmd/train -resume %s continues the run\n", stateFile, o.dir)
	for _, p := range o.plots {
		fmt.Fprintf(w, "  %-22s plot\n", p)
	}
	input := "mnist-test"
	if o.c.Data != "mnist" {
		input = o.c.Data
		if o.c.Test != "" {
			input = o.c.Test
		}
	}
	if _, err := os.Stat(input); err == nil || input == "mnist-test" {
		fmt.Fprintf(w, "\nPredict with it:\n  go run ./cmd/infer -model %s -data %s -eval\n", model, input)
	} else {
		fmt.Fprintf(w, "\nPredict with it:\n  go run ./cmd/infer -model %s -data <a CSV with the columns %s>\n", model, strings.Join(inputColumns(o.d), ","))
	}
}

// reportTargets prints each output's metrics on the most held-out data,
// for a model with several outputs.
func (o *runOutput) reportTargets(w io.Writer) {
	set := "test"
	switch {
	case o.res.targets["test"] != nil:
	case o.res.targets["validation"] != nil:
		set = "validation"
	default:
		set = "train"
	}
	ts := o.res.targets[set]
	if len(ts) == 0 {
		return
	}
	names := slices.Sorted(maps.Keys(ts[0].Metrics))
	width := len("target")
	for _, t := range ts {
		width = max(width, len(t.Target))
	}
	fmt.Fprintf(w, "\nper output (%s data):\n  %-*s", set, width, "target")
	for _, n := range names {
		fmt.Fprintf(w, "  %9s", n)
	}
	fmt.Fprintln(w)
	for _, t := range ts {
		fmt.Fprintf(w, "  %-*s", width, t.Target)
		for _, n := range names {
			fmt.Fprintf(w, "  %9.4f", t.Metrics[n])
		}
		fmt.Fprintln(w)
	}
}
