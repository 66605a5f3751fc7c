package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/tabular"
	"github.com/sirupsen/logrus"
)

// modelPath returns the model file -model names: the file itself, or the
// model.dlgo inside a run directory that cmd/train wrote.
func modelPath(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil || !st.IsDir() {
		return path, nil
	}
	inside := filepath.Join(path, "model.dlgo")
	if _, err := os.Stat(inside); err == nil {
		return inside, nil
	}
	return "", fmt.Errorf("-model %s is a directory without a model.dlgo: name the model file", path)
}

// loadTable reads a CSV file for a model that holds a table encoding:
// columns are found by name, in any order, extra ones ignored, and read
// with the training table's rules (missing values, categories). The
// target columns are optional; with -eval only the rows that have their
// targets are kept.
func loadTable(m *models.Model, cfg *config, log *logrus.Logger) (*input, error) {
	enc := m.Spec().Table
	t, err := tabular.Load(cfg.data, tabular.ReadOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading the data: %w", err)
	}
	var ids []string
	idName := cfg.id
	j := -1
	if cfg.id != "" {
		if j = slices.Index(t.Columns, cfg.id); j < 0 {
			return nil, fmt.Errorf("-id %q is not a column of %s; the columns are %s", cfg.id, cfg.data, quoteList(t.Columns))
		}
	} else if k := slices.Index(t.Columns, ""); k >= 0 {
		// R's row names (a column with an empty header name) identify the
		// rows: they are copied as the column "row_name".
		j, idName = k, "row_name"
	}
	if j >= 0 {
		for _, row := range t.Rows {
			ids = append(ids, row[j])
		}
	}
	e, err := enc.Encode(t)
	if err != nil {
		return nil, fmt.Errorf("reading the data: %w", err)
	}
	for i, w := range e.Warnings {
		if i == 10 {
			log.Warnf("… %d such warnings in all", len(e.Warnings))
			break
		}
		log.Warn(w)
	}
	for col, n := range e.Imputed {
		log.WithFields(logrus.Fields{"column": col, "values": n}).Info("imputed missing values")
	}
	in := &input{name: cfg.data, data: e.All, ids: ids, idName: idName}
	switch {
	case e.Labelled == nil:
	case len(e.LabelledRows) == len(t.Rows):
		in.data = e.Labelled
	case cfg.eval:
		log.Warnf("%d of %d rows have no target value: they are left out of the evaluation", len(t.Rows)-len(e.LabelledRows), len(t.Rows))
		in.data, in.rows = e.Labelled, e.LabelledRows
		if ids != nil {
			in.ids = pickStrings(ids, e.LabelledRows)
		}
	default:
		log.Infof("%d of %d rows have no target value: predicting every row without the true values", len(t.Rows)-len(e.LabelledRows), len(t.Rows))
	}
	if cfg.eval && e.Labelled == nil {
		return nil, fmt.Errorf("-eval: %s has no target values: want the column %s, as the model was trained with", cfg.data, quoteList(enc.Targets))
	}
	return in, nil
}

func pickStrings(s []string, idx []int) []string {
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = s[i]
	}
	return out
}

// errIDNeedsTable reports -id for input that is not a table.
var errIDNeedsTable = errors.New("-id copies a column of a CSV table into the output; the input is not one")
