package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dlgo/dlgo/models"
)

// column turns one field of a row, keyed by a feature's name, into the
// model's input values. This is the one place that knows how a JSON value
// becomes input: today every feature is a number; an encoded feature (a
// category one-hot encoded, say) will be a column of another kind, with a
// width above one.
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
// values, row after row. A missing or unknown feature is an error naming
// it and its row.
func (s *served) decodeRows(rows []map[string]json.RawMessage) ([]float32, error) {
	width := 0
	for _, c := range s.columns {
		width += c.width
	}
	x := make([]float32, len(rows)*width)
	for r, row := range rows {
		dst := x[r*width:]
		for _, c := range s.columns {
			v, ok := row[c.name]
			if !ok {
				return nil, fmt.Errorf("row %d: no value for feature %q", r, c.name)
			}
			if err := c.decode(v, dst[:c.width]); err != nil {
				return nil, fmt.Errorf("row %d: feature %q %w", r, c.name, err)
			}
			dst = dst[c.width:]
		}
		if len(row) > len(s.columns) {
			for k := range row {
				if !slices.ContainsFunc(s.columns, func(c column) bool { return c.name == k }) {
					return nil, fmt.Errorf("row %d: unknown feature %q (the model's features: %s)", r, k, s.featureList())
				}
			}
		}
	}
	return x, nil
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
// {"probabilities": {label: p}} for a multi-label model and
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
		if s.task == models.Classification {
			b = append(b, `"class":`...)
			b = append(b, s.classJSON[r.classes[i]]...)
			b = append(b, ',')
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
