package trainers

import (
	"fmt"
	"io"
	"strings"
)

// Report summarises a classifier's predictions against the truth, as
// scikit-learn's classification_report and confusion_matrix do.
type Report struct {
	// Classes names the classes in index order.
	Classes []string `json:"classes"`
	// Confusion[i][j] counts the samples of true class i predicted as j.
	Confusion [][]int `json:"confusion"`
	// Precision, Recall, F1 and Support are per class. A class never
	// predicted has precision 0; one never present has recall 0.
	Precision []float64 `json:"precision"`
	Recall    []float64 `json:"recall"`
	F1        []float64 `json:"f1"`
	Support   []int     `json:"support"`
	// Accuracy is the fraction of correct predictions; MacroF1 the
	// unweighted mean of the classes' F1.
	Accuracy float64 `json:"accuracy"`
	MacroF1  float64 `json:"macro_f1"`
}

// NewReport compares predicted with true class indices, both in
// [0, len(classes)).
func NewReport(predicted, truth []int, classes []string) (*Report, error) {
	k := len(classes)
	if len(predicted) != len(truth) || len(truth) == 0 {
		return nil, fmt.Errorf("trainers: report: %d predictions for %d true labels", len(predicted), len(truth))
	}
	r := &Report{Classes: classes, Confusion: make([][]int, k), Precision: make([]float64, k),
		Recall: make([]float64, k), F1: make([]float64, k), Support: make([]int, k)}
	for i := range r.Confusion {
		r.Confusion[i] = make([]int, k)
	}
	correct := 0
	for i, t := range truth {
		p := predicted[i]
		if t < 0 || t >= k || p < 0 || p >= k {
			return nil, fmt.Errorf("trainers: report: sample %d has class %d predicted as %d; want classes in [0, %d)", i, t, p, k)
		}
		r.Confusion[t][p]++
		if t == p {
			correct++
		}
	}
	r.Accuracy = float64(correct) / float64(len(truth))
	for c := range k {
		tp, predictedC := r.Confusion[c][c], 0
		for t := range k {
			predictedC += r.Confusion[t][c]
			r.Support[c] += r.Confusion[c][t]
		}
		if predictedC > 0 {
			r.Precision[c] = float64(tp) / float64(predictedC)
		}
		if r.Support[c] > 0 {
			r.Recall[c] = float64(tp) / float64(r.Support[c])
		}
		if s := r.Precision[c] + r.Recall[c]; s > 0 {
			r.F1[c] = 2 * r.Precision[c] * r.Recall[c] / s
		}
		r.MacroF1 += r.F1[c] / float64(k)
	}
	return r, nil
}

// WriteText writes the report as aligned text: a table of precision,
// recall, F1 and support per class, the accuracy, and the confusion matrix
// (rows: true class, columns: predicted).
func (r *Report) WriteText(w io.Writer) error {
	width := len("accuracy")
	for _, c := range r.Classes {
		width = max(width, len(c))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%*s  precision  recall  f1-score  support\n", width, "")
	total := 0
	for i, c := range r.Classes {
		fmt.Fprintf(&b, "%*s  %9.4f  %6.4f  %8.4f  %7d\n", width, c, r.Precision[i], r.Recall[i], r.F1[i], r.Support[i])
		total += r.Support[i]
	}
	fmt.Fprintf(&b, "\n%*s  %9s  %6s  %8.4f  %7d\n", width, "accuracy", "", "", r.Accuracy, total)
	fmt.Fprintf(&b, "%*s  %9s  %6s  %8.4f  %7d\n", width, "macro F1", "", "", r.MacroF1, total)
	fmt.Fprintf(&b, "\nconfusion matrix (rows: true class, columns: predicted)\n%*s", width, "")
	cell := 5
	for _, row := range r.Confusion {
		for _, v := range row {
			cell = max(cell, len(fmt.Sprint(v)))
		}
	}
	for _, c := range r.Classes {
		cell = max(cell, len(c))
	}
	for _, c := range r.Classes {
		fmt.Fprintf(&b, " %*s", cell, c)
	}
	b.WriteString("\n")
	for i, row := range r.Confusion {
		fmt.Fprintf(&b, "%*s", width, r.Classes[i])
		for _, v := range row {
			fmt.Fprintf(&b, " %*d", cell, v)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
