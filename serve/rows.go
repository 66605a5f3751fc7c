package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/tabular"
)

// column turns one field of a row, keyed by a feature's name, into the
// model's input values. For a model trained on a table (Spec.Table) the
// columns are the table's feature columns, and the model's own encoding
// (tabular.Encoding, as cmd/infer applies it) turns the whole rows into
// input: decode is nil. Otherwise every feature is a number.
type column struct {
	name  string
	width int
	// decode writes the column's width input values for JSON value v
	// into dst.
	decode func(v json.RawMessage, dst []float32) error
}

// columnsOf returns the columns of a model that takes tabular input with
// named features, in input order, or nil for other models.
func columnsOf(spec models.Spec) []column {
	if spec.Table != nil {
		var cols []column
		for _, c := range spec.Table.Columns {
			switch c.Kind {
			case tabular.Number:
				cols = append(cols, column{name: c.Name, width: 1})
			case tabular.Category:
				cols = append(cols, column{name: c.Name, width: len(c.Categories)})
			}
		}
		return cols
	}
	if len(spec.Input) != 1 || len(spec.Features) != spec.Input[0] {
		return nil
	}
	cols := make([]column, len(spec.Features))
	for i, f := range spec.Features {
		cols[i] = column{name: f, width: 1, decode: decodeNumber}
	}
	return cols
}

// decodeNumber reads a numeric feature: a JSON number.
func decodeNumber(v json.RawMessage, dst []float32) error {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || !(v[0] == '-' || (v[0] >= '0' && v[0] <= '9')) {
		kind := "a string"
		switch {
		case bytes.Equal(v, []byte("null")):
			return fmt.Errorf("is null: missing values are not supported")
		case len(v) > 0 && v[0] == '{':
			kind = "an object"
		case len(v) > 0 && v[0] == '[':
			kind = "an array"
		case len(v) > 0 && (v[0] == 't' || v[0] == 'f'):
			kind = "a boolean"
		}
		return fmt.Errorf("is %s; this model takes a number", kind)
	}
	x, err := strconv.ParseFloat(string(v), 32)
	if err != nil {
		return fmt.Errorf("%s is not an FP32 number", v)
	}
	dst[0] = float32(x)
	return nil
}

// rowsRequest is the rows endpoint's body: {"rows": [{feature: value}]}.
type rowsRequest struct {
	Rows []map[string]json.RawMessage `json:"rows"`
}

// decodeRows turns rows keyed by feature name into the model's input
// values, row after row, and returns the warnings of a table's encoding
// (a category not seen in training, a number column's value that is not a
// number). A missing or unknown feature is an error naming it and its
// row.
func (s *served) decodeRows(rows []map[string]json.RawMessage) ([]float32, []string, error) {
	width := 0
	for _, c := range s.columns {
		width += c.width
	}
	for r, row := range rows {
		for _, c := range s.columns {
			if _, ok := row[c.name]; !ok {
				return nil, nil, fmt.Errorf("row %d: no value for feature %q", r, c.name)
			}
		}
		if len(row) > len(s.columns) {
			for k := range row {
				if !s.known(k) {
					return nil, nil, fmt.Errorf("row %d: unknown feature %q (the model's features: %s)", r, k, s.featureList())
				}
			}
		}
	}
	if s.spec.Table != nil {
		return s.encodeRows(rows, width)
	}
	x := make([]float32, len(rows)*width)
	for r, row := range rows {
		dst := x[r*width:]
		for _, c := range s.columns {
			if err := c.decode(row[c.name], dst[:c.width]); err != nil {
				return nil, nil, fmt.Errorf("row %d: feature %q %w", r, c.name, err)
			}
			dst = dst[c.width:]
		}
	}
	return x, nil, nil
}

// known reports whether a row may hold field k: a feature, or for a model
// trained on a table one of its columns that is not used (an identifier)
// or a target.
func (s *served) known(k string) bool {
	if slices.ContainsFunc(s.columns, func(c column) bool { return c.name == k }) {
		return true
	}
	if t := s.spec.Table; t != nil {
		return slices.Contains(t.Targets, k) || slices.ContainsFunc(t.Columns, func(c tabular.Column) bool { return c.Name == k })
	}
	return false
}

// encodeRows turns rows into a table (strings as cells, numbers as
// numbers, null as a missing value) and encodes it as the model was
// trained: categories one-hot, missing values imputed.
func (s *served) encodeRows(rows []map[string]json.RawMessage, width int) ([]float32, []string, error) {
	recs := make([]map[string]any, len(rows))
	for r, row := range rows {
		rec := make(map[string]any, len(row))
		for k, v := range row {
			dec := json.NewDecoder(bytes.NewReader(v))
			dec.UseNumber()
			var a any
			if err := dec.Decode(&a); err != nil {
				return nil, nil, fmt.Errorf("row %d: feature %q: %w", r, k, err)
			}
			rec[k] = a
		}
		recs[r] = rec
	}
	t, err := tabular.FromRecords("the request", recs)
	if err != nil {
		return nil, nil, err
	}
	enc, err := s.spec.Table.Encode(t)
	if err != nil {
		return nil, nil, err
	}
	if got := len(enc.All.X); got != len(rows)*width {
		return nil, nil, fmt.Errorf("the encoding gave %d values for %d rows; the model takes %d per row", got, len(rows), width)
	}
	return enc.All.X, enc.Warnings, nil
}

func (s *served) featureList() string {
	names := make([]string, len(s.columns))
	for i, c := range s.columns {
		names[i] = strconv.Quote(c.name)
	}
	return strings.Join(names, ", ")
}

// appendRows appends the rows endpoint's answers, one object per row:
// {"class": name, "probabilities": {class: p}} for a classifier,
// {"labels": [label, ...], "probabilities": {label: p}} for a multi-label
// model (the labels of probability 1/2 or more, as cmd/infer predicts
// them) and
// {"predictions": {target: value}} for regression. Labels and targets are
// named by the model's target names, or as cmd/infer names them: "y", or
// "y1", "y2", ... for several.
func (s *served) appendRows(b []byte, r result) []byte {
	names := s.classes
	if s.task != models.Classification {
		names = s.spec.Targets
		if len(names) != s.spec.Units() {
			names = defaultTargets(s.spec.Units())
		}
	}
	key := OutputPredictions
	if s.task != models.Regression {
		key = OutputProbabilities
	}
	k := len(names)
	b = append(b, '[')
	for i := range r.n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		switch s.task {
		case models.Classification:
			b = append(b, `"class":`...)
			b = append(b, s.classJSON[r.classes[i]]...)
			b = append(b, ',')
		case models.MultiLabel:
			b = append(b, `"labels":[`...)
			first := true
			for j, name := range names {
				if r.preds[i*k+j] >= 0.5 {
					if !first {
						b = append(b, ',')
					}
					b, first = appendJSON(b, name), false
				}
			}
			b = append(b, "],"...)
		}
		b = appendJSON(b, key)
		b = append(b, ":{"...)
		for j, name := range names {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, name)
			b = append(b, ':')
			b = appendFloat(b, r.preds[i*k+j])
		}
		b = append(b, "}}"...)
	}
	return append(b, ']')
}

// defaultTargets names n targets that have no names, as cmd/infer does.
func defaultTargets(n int) []string {
	if n == 1 {
		return []string{"y"}
	}
	names := make([]string, n)
	for i := range names {
		names[i] = "y" + strconv.Itoa(i+1)
	}
	return names
}
