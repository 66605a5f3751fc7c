package tabular

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/dlgo/dlgo/datasets"
)

// Options says how Prepare uses a table's columns. The zero value takes
// the last column as the target, decides its kind from its values, uses
// every other column as a feature and imputes missing values.
type Options struct {
	// Targets names the target columns; nil means the last column. Several
	// columns are numeric targets.
	Targets []string
	// Kind says how to read a single target column: AutoTarget decides
	// from its values (see Prepare), Categorical reads class labels and
	// Numeric numbers.
	Kind datasets.TargetKind
	// Drop names columns not to use.
	Drop []string
	// Features, if non-nil, names the only columns to use as features.
	Features []string
	// Missing lists more cells to read as missing values, besides
	// DefaultMissing.
	Missing []string
	// Strict makes a missing feature value an error instead of imputing it.
	Strict bool
}

// Rules that decide how a column is used.
const (
	// maxAutoClasses is the most distinct integer values a target may hold
	// and be read as class labels by AutoTarget...
	maxAutoClasses = 20
	// ...if there are at least minPerClass rows per distinct value.
	minPerClass = 5
	// maxCategories is the most distinct values a text column may have
	// and be one-hot encoded, unless it has more than twice as many rows.
	maxCategories = 50
)

// Plan is how a table's columns will be used, decided from the whole
// table: the target and its classes, the kind of every feature column and
// the columns left out. Fit then takes the statistics of the training
// rows.
type Plan struct {
	table   *Table
	opts    Options
	missing missingSet
	columns []Column // every non-target column, Fill unset
	colIdx  []int    // the table column of each of columns
	targets []int    // the target columns
	// Rows holds the rows that have every target value, which training
	// and evaluation use; the others are left out.
	Rows []int
	// Labels holds each of Rows' class index for a classification target;
	// nil for numeric targets.
	Labels []int
	// Classes names the classes of a classification target.
	Classes []string
	// Rule says why the target was read as it was.
	Rule string
	// MissingCounts counts each column's missing values among Rows.
	MissingCounts map[string]int
}

// Prepare decides how to use the columns of t.
//
// The target is the last column unless Options.Targets names others. Rows
// whose target is missing are left out. A single target is read, with
// AutoTarget, as class labels if any value is not a number, or if every
// value is an integer, with at most 20 distinct values and at least 5 rows
// per value; otherwise as numbers to regress. Numeric class labels compare
// as numbers ("1", "1.0" and "01" are one class).
//
// A feature column is a number column when every value that is not
// missing is a number, and a category column otherwise. Columns are left
// out when they hold row names (an empty name in the header), when they
// are text whose values are all distinct (an identifier) or too many to
// one-hot encode (more than 50 and more than half the rows), when they
// have no values, or when Options.Drop or Options.Features say so.
//
// Every problem that stops the table from being used (an unknown column
// name, a number column with stray text, a missing value under Strict,
// ...) is reported in one error, each with a sample value and the option
// that fixes it.
func Prepare(t *Table, opts Options) (*Plan, error) {
	p := &Plan{table: t, opts: opts, missing: newMissingSet(append(slices.Clone(DefaultMissing), opts.Missing...)),
		MissingCounts: map[string]int{}}
	var pr problems
	index := map[string]int{}
	for j, c := range t.Columns {
		index[c] = j
	}
	unknown := func(flag string, names []string) {
		for _, n := range names {
			if _, ok := index[n]; !ok {
				pr.addf("%s names %q, which is not a column; the columns are %s", flag, n, quoteList(t.Columns))
			}
		}
	}
	unknown("-target", opts.Targets)
	unknown("-drop", opts.Drop)
	unknown("-features", opts.Features)
	if pr.n > 0 {
		return nil, pr.err(t.Name)
	}
	if len(t.Rows) == 0 {
		return nil, fmt.Errorf("tabular: %s: there are no data rows: %w", t.Name, datasets.ErrEmpty)
	}
	if len(opts.Targets) == 0 {
		last := len(t.Columns) - 1
		if t.Columns[last] == "" {
			return nil, fmt.Errorf("tabular: %s: the last column holds row names; name the target column", t.Name)
		}
		p.targets = []int{last}
	}
	for _, n := range opts.Targets {
		if slices.Contains(p.targets, index[n]) {
			pr.addf("-target names %q twice", n)
		}
		p.targets = append(p.targets, index[n])
	}
	for j := range t.Columns {
		if slices.Contains(p.targets, j) {
			continue
		}
		p.columns = append(p.columns, p.planColumn(j, &pr))
		p.colIdx = append(p.colIdx, j)
	}
	p.planTargets(&pr)
	if err := pr.err(t.Name); err != nil {
		return nil, err
	}
	for _, c := range p.columns {
		if c.Kind != Dropped {
			return p, nil
		}
	}
	return nil, fmt.Errorf("tabular: %s: no feature column is left to use (%s)", t.Name, p.droppedList())
}

// planColumn decides how column j is used, from all rows.
func (p *Plan) planColumn(j int, pr *problems) Column {
	t := p.table
	name := t.Columns[j]
	c := Column{Name: name, Kind: Number}
	switch {
	case name == "":
		c.Kind, c.Why = Dropped, "row names"
		return c
	case slices.Contains(p.opts.Drop, name):
		c.Kind, c.Why = Dropped, "-drop"
		return c
	case p.opts.Features != nil && !slices.Contains(p.opts.Features, name):
		c.Kind, c.Why = Dropped, "not in -features"
		return c
	}
	var values, texts int
	distinct := map[string]int{}
	numbers := map[float64]bool{}
	firstText, firstMissing := -1, -1
	for r, row := range t.Rows {
		s := row[j]
		if p.missing[s] {
			if firstMissing < 0 {
				firstMissing = r
			}
			continue
		}
		values++
		distinct[s]++
		if v, ok := ParseNumber(s); ok {
			numbers[v] = true
		} else {
			texts++
			if firstText < 0 {
				firstText = r
			}
		}
	}
	if values == 0 {
		c.Kind, c.Why = Dropped, "no values"
		return c
	}
	if firstMissing >= 0 && p.opts.Strict {
		pr.addf("column %q: %s: missing value %q (and %d more): drop -missing error to impute missing values, or -drop %s",
			name, t.where(firstMissing), t.Rows[firstMissing][j], len(t.Rows)-values-1, name)
	}
	if texts == 0 {
		return c
	}
	c.Kind = Category
	if texts*10 <= values && len(numbers) > maxAutoClasses {
		pr.addf("column %q: %s: %q is not a number, but %d of its %d values are: fix the %d values that are not, add them to the missing values (-na %s), or -drop %s",
			name, t.where(firstText), t.Rows[firstText][j], values-texts, values, texts, strconv.Quote(t.Rows[firstText][j]), name)
		return c
	}
	switch {
	case len(distinct) == values && values > 1:
		c.Kind, c.Why = Dropped, "identifier: every value is distinct"
	case len(distinct) > maxCategories && 2*len(distinct) > values:
		c.Kind, c.Why = Dropped, fmt.Sprintf("%d distinct values in %d rows: too many to one-hot encode", len(distinct), values)
	}
	return c
}

// planTargets reads the target columns: the usable rows, the kind and
// the classes.
func (p *Plan) planTargets(pr *problems) {
	t := p.table
	for r, row := range t.Rows {
		ok := true
		for _, j := range p.targets {
			if p.missing[row[j]] {
				ok = false
			}
		}
		if ok {
			p.Rows = append(p.Rows, r)
		}
	}
	if len(p.Rows) == 0 {
		pr.addf("every row's target is missing")
		return
	}
	for i, c := range p.columns {
		if c.Kind == Dropped {
			continue
		}
		for _, r := range p.Rows {
			if p.missing[t.Rows[r][p.colIdx[i]]] {
				p.MissingCounts[c.Name]++
			}
		}
	}
	numeric := func(j int) {
		for _, r := range p.Rows {
			if _, ok := ParseNumber(t.Rows[r][j]); !ok {
				pr.addf("target %q: %s: %q is not a number: fix it, add it to the missing values (-na %s), or -task classification if the column holds class labels",
					t.Columns[j], t.where(r), t.Rows[r][j], strconv.Quote(t.Rows[r][j]))
				return
			}
		}
	}
	if len(p.targets) > 1 {
		for _, j := range p.targets {
			numeric(j)
		}
		p.Rule = "several target columns are numeric targets"
		return
	}
	j := p.targets[0]
	name := t.Columns[j]
	counts := map[string]int{}
	texts, firstText := 0, -1
	integers := true
	numbers := map[float64]bool{}
	for _, r := range p.Rows {
		s := t.Rows[r][j]
		counts[s]++
		v, ok := ParseNumber(s)
		if !ok {
			texts++
			if firstText < 0 {
				firstText = r
			}
			continue
		}
		numbers[v] = true
		integers = integers && v == math.Trunc(v)
	}
	n := len(p.Rows)
	switch p.opts.Kind {
	case datasets.Numeric:
		numeric(j)
		p.Rule = "-task regression"
		return
	case datasets.Categorical:
		p.Rule = "-task classification"
	default:
		switch {
		case texts > 0 && texts*10 <= n && len(numbers) > maxAutoClasses:
			pr.addf("target %q: %s: %q is not a number, but %d of its %d values are: fix or remove the rows that are not, add the value to the missing values (-na %s), or -task classification if the column holds class labels",
				name, t.where(firstText), t.Rows[firstText][j], n-texts, n, strconv.Quote(t.Rows[firstText][j]))
			return
		case texts > 0:
			p.Rule = "its values are text (-task regression if they are numbers)"
		case integers && len(numbers) <= maxAutoClasses && len(numbers)*minPerClass <= n:
			p.Rule = fmt.Sprintf("its values are %d distinct integers (-task regression to regress them)", len(numbers))
		default:
			p.Rule = "its values are numbers (-task classification if they are class labels)"
			if integers {
				p.Rule = fmt.Sprintf("its values are integers with %d distinct values, too many for classes (-task classification to classify them)", len(numbers))
			}
			return
		}
	}
	var classes []string
	if texts == 0 {
		// Numeric labels: one class per number, in numeric order.
		vals := slices.Sorted(maps.Keys(numbers))
		for _, v := range vals {
			classes = append(classes, formatNumber(v))
		}
	} else {
		classes = slices.Sorted(maps.Keys(counts))
		if p.opts.Kind == datasets.AutoTarget && len(classes) > 100 && 2*len(classes) > n {
			pr.addf("target %q has %d distinct labels in %d rows: it does not look like class labels; name the target column (-target), or -task classification to use it anyway",
				name, len(classes), n)
			return
		}
	}
	if len(classes) < 2 {
		pr.addf("target %q has a single class %q; classification needs at least 2", name, classes[0])
		return
	}
	p.Classes = classes
	ci := newClassIndex(classes)
	p.Labels = make([]int, n)
	for i, r := range p.Rows {
		p.Labels[i], _ = ci.lookup(t.Rows[r][j])
	}
}

// Targets returns the names of the target columns.
func (p *Plan) Targets() []string {
	out := make([]string, len(p.targets))
	for i, j := range p.targets {
		out[i] = p.table.Columns[j]
	}
	return out
}

// Fit returns the encoding of the plan with the statistics of the given
// rows (indices into the table; nil means Rows): the median of each
// number column and the most frequent value and the categories (sorted) of
// each category column, over the values that are not missing.
func (p *Plan) Fit(rows []int) *Encoding {
	if rows == nil {
		rows = p.Rows
	}
	t := p.table
	missing := append(slices.Clone(DefaultMissing), p.opts.Missing...)
	e := &Encoding{Targets: p.Targets(), Classes: p.Classes, Missing: missing, Strict: p.opts.Strict}
	for i, c := range p.columns {
		j := p.colIdx[i]
		switch c.Kind {
		case Number:
			var vs []float64
			for _, r := range rows {
				if v, ok := ParseNumber(t.Rows[r][j]); ok {
					vs = append(vs, v)
				}
			}
			c.Fill = formatNumber(median(vs))
		case Category:
			counts := map[string]int{}
			for _, r := range rows {
				if s := t.Rows[r][j]; !p.missing[s] {
					counts[s]++
				}
			}
			c.Categories = slices.Sorted(maps.Keys(counts))
			best := ""
			for _, s := range c.Categories {
				if best == "" || counts[s] > counts[best] {
					best = s
				}
			}
			if len(c.Categories) == 0 { // no value among these rows
				c.Categories = []string{""}
			}
			c.Fill = cmp.Or(best, c.Categories[0])
		}
		e.Columns = append(e.Columns, c)
	}
	return e
}

// median returns the median of vs (the mean of the middle two for an even
// count), 0 for none.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	sort.Float64s(vs)
	n := len(vs)
	if n%2 == 1 {
		return vs[n/2]
	}
	return (vs[n/2-1] + vs[n/2]) / 2
}

// droppedList names the dropped columns with their reasons.
func (p *Plan) droppedList() string {
	var out []string
	for _, c := range p.columns {
		if c.Kind == Dropped {
			out = append(out, fmt.Sprintf("%s: %s", displayName(c.Name), c.Why))
		}
	}
	return fmt.Sprint(out)
}

// displayName names a column for people; the row-name column has no name.
func displayName(name string) string {
	if name == "" {
		return "(row names)"
	}
	return name
}
