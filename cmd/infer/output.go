package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/trainers"
)

// result is what infer writes: a model's predictions for each sample of an
// input.
type result struct {
	model string
	task  models.Task
	// classes names a classifier's classes; nil for regression.
	classes []string
	// targets names a regression model's outputs or a multi-label model's
	// labels; nil for a classifier.
	targets []string
	// multilabel says the outputs are the probabilities of labels.
	multilabel bool
	in         *input
	pred       *predictions
	n          int
	// order lists the samples to write, in order (nil: all, in input
	// order), and losses each sample's loss, written when it is set
	// (-hardest).
	order  []int
	losses []float64
}

// rows returns the samples to write, in order.
func (r *result) rows() []int {
	if r.order != nil {
		return r.order
	}
	out := make([]int, r.n)
	for i := range out {
		out[i] = i
	}
	return out
}

func newResult(m *models.Model, in *input, pred *predictions) *result {
	spec := m.Spec()
	r := &result{model: m.Name(), task: spec.Task(), in: in, pred: pred, n: in.data.Len(), multilabel: spec.Task() == models.MultiLabel}
	if spec.Task() == models.Classification {
		r.classes = classNames(spec)
	} else {
		r.targets = targetNames(spec)
	}
	return r
}

// classNames returns the names of a classifier's classes: its own, or "0",
// "1", ... if it has none.
func classNames(spec models.Spec) []string {
	if spec.Classes != nil {
		return spec.Classes
	}
	names := make([]string, spec.NumClasses())
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	return names
}

// targetNames returns the names of a regression model's targets or a
// multi-label model's labels: its own, or "y" (or "y1", "y2", ... for
// several) if it has none.
func targetNames(spec models.Spec) []string {
	if spec.Targets != nil {
		return spec.Targets
	}
	if spec.Units() == 1 {
		return []string{"y"}
	}
	names := make([]string, spec.Units())
	for i := range names {
		names[i] = "y" + strconv.Itoa(i+1)
	}
	return names
}

// sample returns sample i's identifier: its image file, or its 1-based row.
func (r *result) sample(i int) any {
	switch {
	case r.in.paths != nil:
		return r.in.paths[i]
	case r.in.rows != nil:
		return r.in.rows[i] + 1
	}
	return i + 1
}

// values returns sample i's probabilities or regression outputs.
func (r *result) values(i int) []float32 {
	w := r.pred.width
	return r.pred.values[i*w : (i+1)*w]
}

func (r *result) labelled() bool { return r.in.data.IsLabelled() }

// labels returns the labels a multi-label model predicts for sample i:
// those of probability 1/2 or more.
func (r *result) labels(i int) []string {
	var out []string
	for j, p := range r.values(i) {
		if p >= 0.5 {
			out = append(out, r.targets[j])
		}
	}
	return out
}

// writePredictionsCSV writes the predictions as CSV with a header row.
func writePredictionsCSV(w io.Writer, r *result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(r.csvHeader()); err != nil {
		return err
	}
	for _, i := range r.rows() {
		if err := cw.Write(r.csvRow(i)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func (r *result) csvHeader() []string {
	h := r.csvHeaderValues()
	if r.losses != nil {
		h = append(h, trainers.LossName)
	}
	return h
}

func (r *result) csvRow(i int) []string {
	row := r.csvRowValues(i)
	if r.losses != nil {
		row = append(row, strconv.FormatFloat(r.losses[i], 'g', 6, 64))
	}
	return row
}

func (r *result) csvHeaderValues() []string {
	h := []string{"sample"}
	if r.in.ids != nil {
		h = append(h, r.in.idName)
	}
	if r.classes != nil {
		h = append(h, "predicted")
		for _, c := range r.classes {
			h = append(h, "p_"+c)
		}
		if r.labelled() {
			h = append(h, "true")
		}
		return h
	}
	if r.multilabel {
		h = append(h, "predicted")
		for _, t := range r.targets {
			h = append(h, "p_"+t)
		}
	} else {
		h = append(h, r.targets...)
	}
	if r.labelled() {
		for _, t := range r.targets {
			h = append(h, "true_"+t)
		}
	}
	return h
}

func (r *result) csvRowValues(i int) []string {
	row := []string{fmt.Sprint(r.sample(i))}
	if r.in.ids != nil {
		row = append(row, r.in.ids[i])
	}
	if r.classes != nil {
		row = append(row, r.classes[r.pred.classes[i]])
		for _, p := range r.values(i) {
			row = append(row, strconv.FormatFloat(float64(p), 'f', 6, 32))
		}
		if r.labelled() {
			row = append(row, r.classes[r.in.data.Label(i)])
		}
		return row
	}
	if r.multilabel {
		row = append(row, strings.Join(r.labels(i), ";"))
		for _, p := range r.values(i) {
			row = append(row, strconv.FormatFloat(float64(p), 'f', 6, 32))
		}
	} else {
		for _, v := range r.values(i) {
			row = append(row, strconv.FormatFloat(float64(v), 'g', 6, 32))
		}
	}
	if r.labelled() {
		for _, v := range r.in.data.Target(i) {
			row = append(row, strconv.FormatFloat(float64(v), 'g', -1, 32))
		}
	}
	return row
}

// jsonPrediction is one sample's entry in the JSON output.
type jsonPrediction struct {
	Sample        any       `json:"sample"`
	ID            string    `json:"id,omitempty"`
	Predicted     any       `json:"predicted,omitempty"`
	Probabilities []float32 `json:"probabilities,omitempty"`
	Values        []float32 `json:"values,omitempty"`
	True          any       `json:"true,omitempty"`
	Loss          *float64  `json:"loss,omitempty"`
}

func (r *result) jsonPrediction(i int) jsonPrediction {
	p := jsonPrediction{Sample: r.sample(i)}
	if r.losses != nil {
		p.Loss = &r.losses[i]
	}
	if r.in.ids != nil {
		p.ID = r.in.ids[i]
	}
	if r.classes != nil {
		p.Predicted, p.Probabilities = r.classes[r.pred.classes[i]], r.values(i)
		if r.labelled() {
			p.True = r.classes[r.in.data.Label(i)]
		}
		return p
	}
	if r.multilabel {
		p.Predicted, p.Probabilities = append([]string{}, r.labels(i)...), r.values(i)
	} else {
		p.Values = r.values(i)
	}
	if r.labelled() {
		p.True = r.in.data.Target(i)
	}
	return p
}

// writePredictionsJSON writes the predictions as one JSON object, with
// one prediction per line (see the package documentation).
func writePredictionsJSON(w io.Writer, r *result) error {
	bw := bufio.NewWriter(w)
	names, key := r.classes, "classes"
	if names == nil {
		names, key = r.targets, "targets"
	}
	bw.WriteString("{\n")
	for _, f := range []struct {
		key   string
		value any
	}{{"model", r.model}, {"task", r.task}, {key, names}} {
		b, err := json.Marshal(f.value)
		if err != nil {
			return err
		}
		fmt.Fprintf(bw, "  %q: %s,\n", f.key, b)
	}
	bw.WriteString(`  "predictions": [`)
	for k, i := range r.rows() {
		b, err := json.Marshal(r.jsonPrediction(i))
		if err != nil {
			return fmt.Errorf("sample %v: %w", r.sample(i), err)
		}
		if k > 0 {
			bw.WriteString(",")
		}
		fmt.Fprintf(bw, "\n    %s", b)
	}
	bw.WriteString("\n  ]\n}\n")
	return bw.Flush()
}

// writeText writes the evaluation for people: the report of a classifier,
// the error measures of a regression model.
func (ev *evaluation) writeText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "model    %s\nsamples  %d\n", ev.Model, ev.Samples)
	if ev.Report == nil {
		names := []string{trainers.LossName, trainers.MSEName, trainers.RMSEName, trainers.MAEName, trainers.R2Name}
		if ev.Task == models.MultiLabel {
			names = []string{trainers.LossName, trainers.AccuracyName}
		}
		for _, k := range names {
			fmt.Fprintf(&b, "%-8s %.6g\n", k, ev.Metrics[k])
		}
		writeTargets(&b, ev.Targets)
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "loss     %.4f\n\n", ev.Metrics[trainers.LossName])
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	return ev.Report.WriteText(w)
}

// writeJSON writes the evaluation as one indented JSON object.
func (ev *evaluation) writeJSON(w io.Writer) error {
	b, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// writeTargets writes a table of each output's metrics, for a model with
// several.
func writeTargets(b *strings.Builder, ts []trainers.TargetMetrics) {
	if len(ts) < 2 {
		return
	}
	names := slices.Sorted(maps.Keys(ts[0].Metrics))
	width := len("target")
	for _, t := range ts {
		width = max(width, len(t.Target))
	}
	fmt.Fprintf(b, "\n%-*s", width, "target")
	for _, n := range names {
		fmt.Fprintf(b, "  %9s", n)
	}
	b.WriteString("\n")
	for _, t := range ts {
		fmt.Fprintf(b, "%-*s", width, t.Target)
		for _, n := range names {
			fmt.Fprintf(b, "  %9.4f", t.Metrics[n])
		}
		b.WriteString("\n")
	}
}
