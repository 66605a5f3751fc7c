package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
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
	// targets names a regression model's outputs; nil for a classifier.
	targets []string
	in      *input
	pred    *predictions
	n       int
}

func newResult(m *models.Model, in *input, pred *predictions) *result {
	spec := m.Spec()
	r := &result{model: m.Name(), task: spec.Task(), in: in, pred: pred, n: in.data.Len()}
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

// targetNames returns the names of a regression model's targets: its own,
// or "y" (or "y1", "y2", ... for several) if it has none.
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
	if r.in.paths != nil {
		return r.in.paths[i]
	}
	return i + 1
}

// values returns sample i's probabilities or regression outputs.
func (r *result) values(i int) []float32 {
	w := r.pred.width
	return r.pred.values[i*w : (i+1)*w]
}

func (r *result) labelled() bool { return r.in.data.IsLabelled() }

// writePredictionsCSV writes the predictions as CSV with a header row.
func writePredictionsCSV(w io.Writer, r *result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(r.csvHeader()); err != nil {
		return err
	}
	for i := range r.n {
		if err := cw.Write(r.csvRow(i)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func (r *result) csvHeader() []string {
	h := []string{"sample"}
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
	h = append(h, r.targets...)
	if r.labelled() {
		for _, t := range r.targets {
			h = append(h, "true_"+t)
		}
	}
	return h
}

func (r *result) csvRow(i int) []string {
	row := []string{fmt.Sprint(r.sample(i))}
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
	for _, v := range r.values(i) {
		row = append(row, strconv.FormatFloat(float64(v), 'g', 6, 32))
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
	Predicted     string    `json:"predicted,omitempty"`
	Probabilities []float32 `json:"probabilities,omitempty"`
	Values        []float32 `json:"values,omitempty"`
	True          any       `json:"true,omitempty"`
}

func (r *result) jsonPrediction(i int) jsonPrediction {
	p := jsonPrediction{Sample: r.sample(i)}
	if r.classes != nil {
		p.Predicted, p.Probabilities = r.classes[r.pred.classes[i]], r.values(i)
		if r.labelled() {
			p.True = r.classes[r.in.data.Label(i)]
		}
		return p
	}
	p.Values = r.values(i)
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
	for i := range r.n {
		b, err := json.Marshal(r.jsonPrediction(i))
		if err != nil {
			return fmt.Errorf("sample %v: %w", r.sample(i), err)
		}
		if i > 0 {
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
		for _, k := range []string{trainers.LossName, trainers.MSEName, trainers.MAEName, trainers.R2Name} {
			fmt.Fprintf(&b, "%-8s %.6g\n", k, ev.Metrics[k])
		}
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
