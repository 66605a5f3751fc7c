package tabular

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dlgo/dlgo/datasets"
)

// Kind says how a column of a table is used.
type Kind string

// The column kinds.
const (
	// Number is a numeric feature: one input, the value itself.
	Number Kind = "number"
	// Category is a text feature, one-hot encoded: one input per
	// category, 1 for the row's category and 0 for the others.
	Category Kind = "category"
	// Dropped is a column that is not used (row names, an identifier,
	// a column left out with -drop or -features).
	Dropped Kind = "dropped"
)

// Column says how one column of the training table becomes inputs.
type Column struct {
	// Name is the column's name in the header.
	Name string `json:"name"`
	// Kind is number, category or dropped.
	Kind Kind `json:"kind"`
	// Categories lists a category column's values in input order.
	Categories []string `json:"categories,omitempty"`
	// Fill is the value a missing cell is imputed with: the training
	// median of a number column, the most frequent training category of a
	// category column.
	Fill string `json:"fill,omitempty"`
	// Why says why a dropped column is not used.
	Why string `json:"why,omitempty"`
}

// Encoding says how raw rows of a table become a model's input features
// and targets. It is plain data that round-trips through JSON and travels
// in the model file, so that prediction reads rows as training did.
type Encoding struct {
	// Columns lists the feature and dropped columns of the training table,
	// in its order; features follow this order.
	Columns []Column `json:"columns"`
	// Targets names the target columns.
	Targets []string `json:"targets,omitempty"`
	// Classes names a classifier's classes in index order; nil for
	// numeric targets.
	Classes []string `json:"classes,omitempty"`
	// Missing lists the cells that are missing values.
	Missing []string `json:"missing"`
	// Strict makes a missing feature value an error instead of imputing it.
	Strict bool `json:"strict,omitempty"`
}

// Features returns the names of the inputs the encoding produces: a number
// column's name, and "name=category" for each category of a category
// column.
func (e *Encoding) Features() []string {
	var out []string
	for _, c := range e.Columns {
		switch c.Kind {
		case Number:
			out = append(out, c.Name)
		case Category:
			for _, v := range c.Categories {
				out = append(out, c.Name+"="+v)
			}
		}
	}
	return out
}

// Check reports an encoding that is inconsistent in itself or with the
// feature, target and class names of the model that holds it.
func (e *Encoding) Check(features, targets, classes []string) error {
	for _, c := range e.Columns {
		switch c.Kind {
		case Number:
			if _, ok := ParseNumber(c.Fill); !ok && !e.Strict {
				return fmt.Errorf("tabular: number column %q is imputed with %q, not a number", c.Name, c.Fill)
			}
		case Category:
			if len(c.Categories) == 0 {
				return fmt.Errorf("tabular: category column %q has no categories", c.Name)
			}
			if !e.Strict && !slices.Contains(c.Categories, c.Fill) {
				return fmt.Errorf("tabular: category column %q is imputed with %q, not one of its categories", c.Name, c.Fill)
			}
		case Dropped:
		default:
			return fmt.Errorf("tabular: column %q has kind %q; want number, category or dropped", c.Name, c.Kind)
		}
	}
	if f := e.Features(); features != nil && !slices.Equal(f, features) {
		return fmt.Errorf("tabular: the encoding gives %d inputs %s; the model takes %d %s", len(f), quoteList(f), len(features), quoteList(features))
	}
	if targets != nil && !slices.Equal(e.Targets, targets) {
		return fmt.Errorf("tabular: the encoding's targets %s are not the model's %s", quoteList(e.Targets), quoteList(targets))
	}
	if !slices.Equal(e.Classes, classes) {
		return fmt.Errorf("tabular: the encoding's classes %s are not the model's %s", quoteList(e.Classes), quoteList(classes))
	}
	return nil
}

// Encoded is a table encoded for a model.
type Encoded struct {
	// All holds the features of every row, without targets.
	All *datasets.Dataset
	// Labelled holds the rows whose targets are all present, with their
	// targets; nil when the table has no target column.
	Labelled *datasets.Dataset
	// LabelledRows holds the index in the table of each row of Labelled.
	LabelledRows []int
	// Imputed counts, per column name, the missing values filled in.
	Imputed map[string]int
	// Warnings describe the values that could not be encoded as they are,
	// one per row and column: a category not seen in training (encoded as
	// all zeros) or a number column's cell that is not a number (imputed).
	Warnings []string
}

// maxProblems is the most problems one error lists.
const maxProblems = 20

// Encode turns the rows of t into a model's input features and, when t
// has the target columns, targets, as the encoding says: columns are
// found by name (in any order; extra columns are ignored), a missing value
// is imputed, a category is one-hot encoded (one not seen in training is
// all zeros, with a warning), and a row whose target is missing is left
// out of Labelled. A feature column that is missing, or a target value
// that cannot be read, is an error that lists every such problem.
//
// Encode is all a program needs to predict from raw rows, e.g. a server
// taking JSON objects (see FromRecords): the model file holds the
// encoding (models.Spec.Table).
func (e *Encoding) Encode(t *Table) (*Encoded, error) {
	index := make(map[string]int, len(t.Columns))
	for j, name := range t.Columns {
		if _, dup := index[name]; !dup {
			index[name] = j
		}
	}
	var missingCols []string
	cols := make([]int, len(e.Columns))
	for i, c := range e.Columns {
		j, ok := index[c.Name]
		cols[i] = j
		if !ok {
			cols[i] = -1
			if c.Kind != Dropped {
				missingCols = append(missingCols, c.Name)
			}
		}
	}
	if missingCols != nil {
		return nil, fmt.Errorf("tabular: %s has no column %s; the model needs the columns %s (in any order)",
			t.Name, quoteList(missingCols), quoteList(e.featureColumns()))
	}
	var targetCols []int
	var absent []string
	for _, name := range e.Targets {
		if j, ok := index[name]; ok {
			targetCols = append(targetCols, j)
		} else {
			absent = append(absent, name)
		}
	}
	switch {
	case len(absent) == len(e.Targets):
		targetCols = nil
	case len(absent) > 0:
		return nil, fmt.Errorf("tabular: %s has the target columns %s but not %s: give all of them (to evaluate) or none",
			t.Name, quoteList(subtract(e.Targets, absent)), quoteList(absent))
	}
	features := e.Features()
	dim := len(features)
	if dim == 0 {
		return nil, errors.New("tabular: the encoding has no feature columns")
	}
	missing := newMissingSet(e.Missing)
	catIndex := make([]map[string]int, len(e.Columns))
	fills := make([]float32, len(e.Columns))
	for i, c := range e.Columns {
		switch c.Kind {
		case Category:
			catIndex[i] = make(map[string]int, len(c.Categories))
			for k, v := range c.Categories {
				catIndex[i][v] = k
			}
		case Number:
			v, _ := ParseNumber(c.Fill)
			fills[i] = float32(v)
		}
	}
	classes := newClassIndex(e.Classes)
	n := len(t.Rows)
	out := &Encoded{Imputed: map[string]int{}}
	x := make([]float32, n*dim)
	var ys []float32
	var p problems
	for r, row := range t.Rows {
		where := t.where(r)
		if len(row) != len(t.Columns) {
			p.addf("%s: has %d fields; the header has %d", where, len(row), len(t.Columns))
			continue
		}
		off := r * dim
		for i, c := range e.Columns {
			if c.Kind == Dropped {
				continue
			}
			s := row[cols[i]]
			isMissing := missing[s]
			if isMissing {
				if e.Strict {
					p.addf("%s: column %q: missing value %q (drop -missing error to impute it)", where, c.Name, s)
				}
				out.Imputed[c.Name]++
				s = c.Fill
			}
			switch c.Kind {
			case Number:
				v, ok := ParseNumber(s)
				if !ok {
					out.Warnings = append(out.Warnings, fmt.Sprintf("%s: column %q: %q is not a number; imputed with %s", where, c.Name, s, c.Fill))
					v = float64(fills[i])
				}
				x[off] = float32(v)
				off++
			case Category:
				if k, ok := catIndex[i][s]; ok {
					x[off+k] = 1
				} else {
					out.Warnings = append(out.Warnings, fmt.Sprintf("%s: column %q: category %q was not seen in training; encoded as all zeros", where, c.Name, s))
				}
				off += len(c.Categories)
			}
		}
		if targetCols == nil {
			continue
		}
		y, ok := make([]float32, len(targetCols)), true
		for k, j := range targetCols {
			s := row[j]
			if missing[s] {
				ok = false
				break
			}
			if e.Classes != nil {
				c, found := classes.lookup(s)
				if !found {
					p.addf("%s: target %q: unknown class %q; the model's classes are %s", where, e.Targets[k], s, quoteList(e.Classes))
					ok = false
					break
				}
				y[k] = float32(c)
				continue
			}
			v, isNum := ParseNumber(s)
			if !isNum {
				p.addf("%s: target %q: %q is not a number", where, e.Targets[k], s)
				ok = false
				break
			}
			y[k] = float32(v)
		}
		if ok {
			out.LabelledRows = append(out.LabelledRows, r)
			ys = append(ys, y...)
		}
	}
	if err := p.err(t.Name); err != nil {
		return nil, err
	}
	out.All = &datasets.Dataset{Name: t.Name, X: x, Shape: []int{dim}, Features: features}
	if targetCols != nil {
		l := out.All.Subset(out.LabelledRows)
		l.Y, l.Targets, l.Classes = ys, slices.Clone(e.Targets), e.Classes
		if len(out.LabelledRows) == 0 {
			l = nil
		}
		out.Labelled = l
	}
	return out, nil
}

// featureColumns names the columns the encoding reads.
func (e *Encoding) featureColumns() []string {
	var out []string
	for _, c := range e.Columns {
		if c.Kind != Dropped {
			out = append(out, c.Name)
		}
	}
	return out
}

// FromRecords builds a table from rows given as objects keyed by column
// name, as a JSON request holds them: strings are cells as they are,
// numbers are written as numbers, null is missing (an empty cell). Every
// record may have its own keys; the table has every key of any record,
// and a key a record lacks is an empty cell.
func FromRecords(name string, records []map[string]any) (*Table, error) {
	t := &Table{Name: name}
	index := map[string]int{}
	for _, rec := range records {
		for _, k := range sortedKeys(rec) {
			if _, ok := index[k]; !ok {
				index[k] = len(t.Columns)
				t.Columns = append(t.Columns, k)
			}
		}
	}
	for i, rec := range records {
		row := make([]string, len(t.Columns))
		for k, v := range rec {
			s, err := cellText(v)
			if err != nil {
				return nil, fmt.Errorf("tabular: %s: record %d, %q: %w", name, i+1, k, err)
			}
			row[index[k]] = s
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// cellText writes a JSON value as a table cell.
func cellText(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return strings.TrimSpace(v), nil
	case float64:
		return formatNumber(v), nil
	case float32:
		return formatNumber(float64(v)), nil
	case int:
		return strconv.Itoa(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case bool:
		return strconv.FormatBool(v), nil
	case interface{ String() string }: // json.Number
		return v.String(), nil
	}
	return "", fmt.Errorf("a %T is not a table cell (want a string, a number or null)", v)
}

// where names row r of t for a message: its line, or its 1-based number.
func (t *Table) where(r int) string {
	if t.Lines != nil {
		return fmt.Sprintf("line %d", t.Lines[r])
	}
	return fmt.Sprintf("row %d", r+1)
}

// Select returns a table of the rows idx of t, in that order, sharing
// their cells.
func (t *Table) Select(idx []int) *Table {
	s := &Table{Name: t.Name, Columns: t.Columns, Dialect: t.Dialect, Rows: make([][]string, len(idx))}
	if t.Lines != nil {
		s.Lines = make([]int, len(idx))
	}
	for k, i := range idx {
		s.Rows[k] = t.Rows[i]
		if t.Lines != nil {
			s.Lines[k] = t.Lines[i]
		}
	}
	return s
}

// classIndex finds class labels, comparing numbers as numbers when every
// class is one ("1", "1.0" and "01" are one class).
type classIndex struct {
	index   map[string]int
	numeric bool
}

func newClassIndex(classes []string) classIndex {
	c := classIndex{index: make(map[string]int, len(classes)), numeric: len(classes) > 0}
	for _, s := range classes {
		if _, ok := ParseNumber(s); !ok {
			c.numeric = false
		}
	}
	for i, s := range classes {
		c.index[c.key(s)] = i
	}
	return c
}

func (c classIndex) key(s string) string {
	if c.numeric {
		if v, ok := ParseNumber(s); ok {
			return formatNumber(v)
		}
	}
	return s
}

func (c classIndex) lookup(s string) (int, bool) {
	i, ok := c.index[c.key(s)]
	return i, ok
}

// problems collects the problems found in a table, to report them at once.
type problems struct {
	list []string
	n    int
}

func (p *problems) addf(format string, args ...any) {
	p.n++
	if len(p.list) < maxProblems {
		p.list = append(p.list, fmt.Sprintf(format, args...))
	}
}

func (p *problems) err(name string) error {
	if p.n == 0 {
		return nil
	}
	more := ""
	if p.n > len(p.list) {
		more = fmt.Sprintf("\n  … and %d more", p.n-len(p.list))
	}
	if p.n == 1 {
		return fmt.Errorf("tabular: %s: %s", name, p.list[0])
	}
	return fmt.Errorf("tabular: %s: %d problems:\n  %s%s", name, p.n, strings.Join(p.list, "\n  "), more)
}

// quoteList formats names for a message: quoted, comma-separated, at most
// maxProblems of them.
func quoteList(names []string) string {
	var b strings.Builder
	for i, s := range names {
		if i == maxProblems {
			fmt.Fprintf(&b, ", … (%d in all)", len(names))
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(s))
	}
	return b.String()
}

func subtract(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
