package datasets

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TargetKind says how LoadCSV and ReadCSV interpret the target column.
type TargetKind int

const (
	// AutoTarget reads the target as class labels if any value is not a
	// number, or if every value is an integer and there are at most 20
	// distinct values; otherwise as numbers to regress.
	AutoTarget TargetKind = iota
	// Categorical reads the target values as class labels.
	Categorical
	// Numeric reads the target values as numbers to regress.
	Numeric
)

// String returns the kind's name: "auto", "categorical" or "numeric".
func (k TargetKind) String() string {
	switch k {
	case AutoTarget:
		return "auto"
	case Categorical:
		return "categorical"
	case Numeric:
		return "numeric"
	}
	return fmt.Sprintf("TargetKind(%d)", int(k))
}

// maxAutoClasses is the most distinct integer values an AutoTarget column may
// hold and still be read as class labels.
const maxAutoClasses = 20

// maxListed is the most names an error message lists.
const maxListed = 20

// utf8BOM is the byte order mark some editors put at the start of UTF-8 files.
var utf8BOM = []byte("\xef\xbb\xbf")

// CSVOptions says how LoadCSV and ReadCSV read a file. The zero value reads
// the last column as the target and decides its kind from its values.
type CSVOptions struct {
	// Target names the target column; "" means the last column.
	Target string
	// Targets, if it names more than one column, reads all of them as
	// numeric targets (multi-output regression, or multi-label 0/1
	// columns), in this order; Target and Kind are then not used. One name
	// is the same as Target.
	Targets []string
	// Kind says how to read the target column.
	Kind TargetKind
	// NoTarget says the file has no target column, as in prediction input:
	// every column is a feature and the data set's Y and Targets are nil.
	// Target, Kind and Classes are not used.
	NoTarget bool
	// Features, if non-nil, lists the feature columns the caller expects, by
	// name and in this order (a trained model's). A missing column, an extra
	// column or a different order is an error.
	Features []string
	// Classes, if non-nil, lists the class names the caller expects (a
	// trained model's). The target is then categorical, class indices follow
	// this order, and a label not among them is an error. The file may hold
	// any subset of the classes.
	Classes []string
	// Comma separates fields; 0 means ','.
	Comma rune
}

// LoadCSV reads the CSV file at path as ReadCSV does, naming the data set and
// its errors after path.
func LoadCSV(path string, opts CSVOptions) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load csv: %w", err)
	}
	defer f.Close()
	return ReadCSV(f, path, opts)
}

// ReadCSV reads a data set from CSV text. The first row is the header naming
// the columns; names must be non-empty and unique. Fields are trimmed of
// surrounding spaces; quoted fields, CRLF line ends and a leading UTF-8 byte
// order mark are accepted. Every feature value must be a finite number.
//
// The target column (see CSVOptions) becomes Y: class indices for a
// categorical target, values for a numeric one. Class names are sorted
// numerically if every label is a number ("2" before "10"), otherwise
// lexicographically, unless CSVOptions.Classes gives them. A categorical
// target needs at least two classes.
//
// The data set is named name, its Shape is [number of feature columns],
// Features lists the feature columns in file order and Targets the target.
// Errors start with name and the 1-based line number, counting the header as
// line 1, and name the column, as in
//
//	iris.csv:7: column 3 ("petal_width"): "abc" is not a number
func ReadCSV(r io.Reader, name string, opts CSVOptions) (*Dataset, error) {
	if err := opts.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(opts.Targets) == 1 {
		opts.Target, opts.Targets = opts.Targets[0], nil
	}
	f := newCSVFile(r, name, opts.Comma)
	if err := f.readHeader(); err != nil {
		return nil, err
	}
	features, targets, err := f.layout(opts)
	if err != nil {
		return nil, err
	}
	x, values, err := f.readRows(features, targets)
	if err != nil {
		return nil, err
	}
	d := &Dataset{Name: name, X: x, Shape: []int{len(features)}}
	for _, j := range features {
		d.Features = append(d.Features, f.header[j])
	}
	switch len(targets) {
	case 0:
		return d, nil
	case 1:
		d.Targets = []string{f.header[targets[0]]}
		d.Y, d.Classes, err = f.encodeTargets(targets[0], values[0], opts)
		return d, err
	}
	n := len(values[0].values)
	d.Y = make([]float32, n*len(targets))
	for k, col := range targets {
		d.Targets = append(d.Targets, f.header[col])
		y, err := f.numericTargets(col, values[k])
		if err != nil {
			return nil, err
		}
		for i, v := range y {
			d.Y[i*len(targets)+k] = v
		}
	}
	return d, nil
}

// check reports options that cannot be used.
func (o CSVOptions) check() error {
	if o.Comma != 0 && !validComma(o.Comma) {
		return fmt.Errorf("%q cannot separate fields", o.Comma)
	}
	if dup, ok := firstDuplicate(o.Features); ok {
		return fmt.Errorf("expected feature %q is listed twice", dup)
	}
	if o.NoTarget {
		return nil
	}
	if o.Kind < AutoTarget || o.Kind > Numeric {
		return fmt.Errorf("unknown target kind %v", o.Kind)
	}
	if o.Classes != nil && o.Kind == Numeric {
		return errors.New("classes are given for a numeric target")
	}
	if len(o.Targets) > 1 {
		if o.Classes != nil || o.Kind == Categorical {
			return errors.New("several target columns are read as numbers; classes cannot be given for them")
		}
		if dup, ok := firstDuplicate(o.Targets); ok {
			return fmt.Errorf("target %q is listed twice", dup)
		}
	}
	if dup, ok := firstDuplicate(o.Classes); ok {
		return fmt.Errorf("expected class %q is listed twice", dup)
	}
	return nil
}

// validComma reports whether encoding/csv accepts r as a field separator.
func validComma(r rune) bool {
	return r != '"' && r != '\r' && r != '\n' && utf8.ValidRune(r) && r != utf8.RuneError
}

// firstDuplicate returns the first name that occurs twice in names.
func firstDuplicate(names []string) (string, bool) {
	seen := make(map[string]bool, len(names))
	for _, s := range names {
		if seen[s] {
			return s, true
		}
		seen[s] = true
	}
	return "", false
}

// csvFile reads one CSV file record by record and places errors in it.
type csvFile struct {
	name       string
	r          *csv.Reader
	header     []string
	headerLine int
}

// targetValues holds the raw values of the target column with their lines.
type targetValues struct {
	values []string
	lines  []int
}

func newCSVFile(r io.Reader, name string, comma rune) *csvFile {
	if comma == 0 {
		comma = ','
	}
	br := bufio.NewReader(r)
	if b, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	// Trimming leading space before the csv parser sees a field lets
	// `1, "a"` parse, but would swallow empty fields between separators
	// that are themselves space, such as tabs.
	cr.TrimLeadingSpace = !unicode.IsSpace(comma)
	return &csvFile{name: name, r: cr}
}

// read returns the next record with its fields trimmed, io.EOF at the end.
// The record is valid until the next call.
func (f *csvFile) read() ([]string, error) {
	rec, err := f.r.Read()
	if err == io.EOF {
		return nil, err
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		where := fmt.Sprintf("byte %d", pe.Column)
		if pe.StartLine != pe.Line {
			where += fmt.Sprintf(" of the record that starts on line %d", pe.StartLine)
		}
		return nil, fmt.Errorf("%s:%d: %w (%s)", f.name, pe.Line, pe.Err, where)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.name, err)
	}
	for i, s := range rec {
		rec[i] = strings.TrimSpace(s)
	}
	return rec, nil
}

// line returns the line on which field j of the last record read starts.
func (f *csvFile) line(j int) int {
	line, _ := f.r.FieldPos(j)
	return line
}

// errorAt places err at a line and column of the file.
func (f *csvFile) errorAt(line, col int, err error) error {
	return fmt.Errorf("%s:%d: column %d (%q): %w", f.name, line, col+1, f.header[col], err)
}

func (f *csvFile) readHeader() error {
	rec, err := f.read()
	if err == io.EOF {
		return fmt.Errorf("%s:1: the file is empty; want a header line naming the columns", f.name)
	}
	if err != nil {
		return err
	}
	f.header = slices.Clone(rec)
	f.headerLine = f.line(0)
	seen := make(map[string]int, len(rec))
	for j, h := range f.header {
		if h == "" {
			return fmt.Errorf("%s:%d: column %d has no name", f.name, f.line(j), j+1)
		}
		if k, dup := seen[h]; dup {
			return fmt.Errorf("%s:%d: column %d (%q) has the same name as column %d", f.name, f.line(j), j+1, h, k+1)
		}
		seen[h] = j
	}
	return nil
}

// layout returns the indices of the feature columns and of the target
// columns (none, one, or those of opts.Targets).
func (f *csvFile) layout(opts CSVOptions) (features, targets []int, err error) {
	switch {
	case opts.NoTarget:
	case len(opts.Targets) > 1:
		for _, name := range opts.Targets {
			j, err := f.targetColumn(name)
			if err != nil {
				return nil, nil, err
			}
			targets = append(targets, j)
		}
	default:
		j, err := f.targetColumn(opts.Target)
		if err != nil {
			return nil, nil, err
		}
		targets = []int{j}
	}
	for j := range f.header {
		if !slices.Contains(targets, j) {
			features = append(features, j)
		}
	}
	if len(features) == 0 {
		names := make([]string, len(targets))
		for i, j := range targets {
			names[i] = f.header[j]
		}
		return nil, nil, fmt.Errorf("%s:%d: the target %s is the only column; want at least one feature column", f.name, f.headerLine, quoteList(names))
	}
	if opts.Features != nil {
		if err := f.checkFeatures(features, opts.Features); err != nil {
			return nil, nil, err
		}
	}
	return features, targets, nil
}

func (f *csvFile) targetColumn(name string) (int, error) {
	if name == "" {
		return len(f.header) - 1, nil
	}
	if j := slices.Index(f.header, name); j >= 0 {
		return j, nil
	}
	return 0, fmt.Errorf("%s:%d: there is no target column %q; the columns are %s", f.name, f.headerLine, name, quoteList(f.header))
}

// checkFeatures reports how the feature columns differ from want.
func (f *csvFile) checkFeatures(features []int, want []string) error {
	got := make(map[string]bool, len(features))
	for _, j := range features {
		got[f.header[j]] = true
	}
	for _, w := range want {
		if !got[w] {
			return fmt.Errorf("%s:%d: feature column %q is missing; want features %s", f.name, f.headerLine, w, quoteList(want))
		}
	}
	for _, j := range features {
		if !slices.Contains(want, f.header[j]) {
			return fmt.Errorf("%s:%d: column %d (%q) is not an expected feature; want features %s", f.name, f.headerLine, j+1, f.header[j], quoteList(want))
		}
	}
	// Both hold the same names, without duplicates: only the order can differ.
	for i, j := range features {
		if f.header[j] != want[i] {
			return fmt.Errorf("%s:%d: column %d (%q) is out of order; want features in the order %s", f.name, f.headerLine, j+1, f.header[j], quoteList(want))
		}
	}
	return nil
}

// readRows reads the data rows: the feature values, row-major, and the raw
// values of each target column.
func (f *csvFile) readRows(features, targets []int) ([]float32, []targetValues, error) {
	var x []float32
	t := make([]targetValues, len(targets))
	for {
		rec, err := f.read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		if len(rec) != len(f.header) {
			return nil, nil, fmt.Errorf("%s:%d: has %d fields; the header has %d", f.name, f.line(0), len(rec), len(f.header))
		}
		for _, j := range features {
			v, err := parseValue(rec[j])
			if err != nil {
				return nil, nil, f.errorAt(f.line(j), j, err)
			}
			x = append(x, v)
		}
		for k, j := range targets {
			if rec[j] == "" {
				return nil, nil, f.errorAt(f.line(j), j, errMissing)
			}
			t[k].values = append(t[k].values, strings.Clone(rec[j]))
			t[k].lines = append(t[k].lines, f.line(j))
		}
	}
	if len(x) == 0 {
		return nil, nil, fmt.Errorf("%s: there are no data rows after the header: %w", f.name, ErrEmpty)
	}
	return x, t, nil
}

var errMissing = errors.New("missing value")

// parseValue parses a finite float32, saying what is wrong otherwise.
func parseValue(s string) (float32, error) {
	if s == "" {
		return 0, errMissing
	}
	v, err := strconv.ParseFloat(s, 32)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("%q is out of the float32 range", s)
	case err != nil:
		return 0, fmt.Errorf("%q is not a number", s)
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, fmt.Errorf("%q is not a finite number", s)
	}
	return float32(v), nil
}

// encodeTargets turns the raw target values into Y and, for a categorical
// target, the class names.
func (f *csvFile) encodeTargets(col int, t targetValues, opts CSVOptions) ([]float32, []string, error) {
	var classes []string
	switch {
	case opts.Classes != nil:
		classes = slices.Clone(opts.Classes)
	case opts.Kind == Numeric || (opts.Kind == AutoTarget && !looksCategorical(t.values)):
		y, err := f.numericTargets(col, t)
		return y, nil, err
	default:
		if opts.Kind == AutoTarget {
			if err := f.checkAutoLabels(col, t); err != nil {
				return nil, nil, err
			}
		}
		classes = sortedLabels(t.values)
		if len(classes) < 2 {
			return nil, nil, fmt.Errorf("%s: target column %d (%q) has a single class %q; classification needs at least 2", f.name, col+1, f.header[col], classes[0])
		}
	}
	y, err := f.classIndices(col, t, classes)
	return y, classes, err
}

// checkAutoLabels rejects target columns that AutoTarget would read as
// classes although they are almost certainly something else: a numeric
// column with a few stray words (a missing value written "NA"), or a column
// of mostly distinct labels (an identifier picked by mistake).
func (f *csvFile) checkAutoLabels(col int, t targetValues) error {
	distinct := make(map[string]bool)
	firstWord, words := -1, 0
	for i, s := range t.values {
		distinct[s] = true
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			words++
			if firstWord < 0 {
				firstWord = i
			}
		}
	}
	n := len(t.values)
	if len(distinct) > maxAutoClasses && words > 0 && words*10 <= n {
		return f.errorAt(t.lines[firstWord], col, fmt.Errorf(
			"%q is not a number, but %d of the %d target values are: fix or remove the rows that are not (missing values are not supported), or set the target kind to categorical if the column holds class labels",
			t.values[firstWord], n-words, n))
	}
	if len(distinct) > 100 && 2*len(distinct) > n {
		return fmt.Errorf("%s: target column %d (%q) has %d distinct labels in %d rows: it does not look like class labels; choose the target column by name, or set the target kind to categorical to use it anyway",
			f.name, col+1, f.header[col], len(distinct), n)
	}
	return nil
}

// looksCategorical applies the AutoTarget rule to the target values.
func looksCategorical(values []string) bool {
	integers := true
	distinct := make(map[string]bool)
	for _, s := range values {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return true
		}
		integers = integers && !math.IsInf(v, 0) && v == math.Trunc(v)
		if len(distinct) <= maxAutoClasses {
			distinct[s] = true
		}
	}
	return integers && len(distinct) <= maxAutoClasses
}

func (f *csvFile) numericTargets(col int, t targetValues) ([]float32, error) {
	y := make([]float32, len(t.values))
	for i, s := range t.values {
		v, err := parseValue(s)
		if err != nil {
			return nil, f.errorAt(t.lines[i], col, err)
		}
		y[i] = v
	}
	return y, nil
}

func (f *csvFile) classIndices(col int, t targetValues, classes []string) ([]float32, error) {
	index := make(map[string]int, len(classes))
	for i, c := range classes {
		index[c] = i
	}
	y := make([]float32, len(t.values))
	for i, s := range t.values {
		k, ok := index[s]
		if !ok {
			return nil, f.errorAt(t.lines[i], col, fmt.Errorf("unknown class %q; the known classes are %s", s, quoteList(classes)))
		}
		y[i] = float32(k)
	}
	return y, nil
}

// sortedLabels returns the distinct labels, in numeric order if all are
// finite numbers, otherwise in lexicographic order.
func sortedLabels(values []string) []string {
	distinct := make(map[string]bool)
	for _, s := range values {
		distinct[s] = true
	}
	labels := slices.Sorted(maps.Keys(distinct))
	nums := make(map[string]float64, len(labels))
	for _, s := range labels {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return labels
		}
		nums[s] = v
	}
	slices.SortStableFunc(labels, func(a, b string) int { return cmp.Compare(nums[a], nums[b]) })
	return labels
}

// quoteList formats names for an error message: quoted, comma-separated, at
// most maxListed of them.
func quoteList(names []string) string {
	var b strings.Builder
	for i, s := range names {
		if i == maxListed {
			fmt.Fprintf(&b, ", … (%d in all)", len(names))
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", s)
	}
	return b.String()
}
