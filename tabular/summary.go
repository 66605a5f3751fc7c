package tabular

import (
	"fmt"
	"io"
	"strings"
)

// WriteSummary writes what was read and decided, in one block: the
// table's dialect and size, then one line per column with its use, its
// kind and encoding, its missing values and how they are imputed (from
// enc, the encoding fitted on the training rows), and the rows left out.
func (p *Plan) WriteSummary(w io.Writer, enc *Encoding) error {
	t := p.table
	d := t.Dialect
	var how []string
	how = append(how, "separator "+SeparatorName(d.Comma))
	if d.DecimalComma {
		how = append(how, "decimal comma")
	}
	switch {
	case d.Preamble != nil:
		how = append(how, "scikit-learn's preamble line skipped, no header: columns x1..xn")
	case !d.Header:
		how = append(how, "no header row (the first row is numbers): columns named x1..xn")
	default:
		how = append(how, fmt.Sprintf("header on line %d", d.HeaderLine))
	}
	if d.RowNames {
		how = append(how, "the header has one name fewer than the rows: the first column holds row names")
	}
	if d.Gzip {
		how = append(how, "gzip")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Table %s: %d rows, %d columns (%s)\n", t.Name, len(t.Rows), len(t.Columns), strings.Join(how, ", "))
	width := len("(row names)")
	for _, c := range t.Columns {
		width = max(width, len(c))
	}
	for _, name := range p.Targets() {
		kind := "numbers"
		if p.Classes != nil {
			kind = fmt.Sprintf("%d classes: %s", len(p.Classes), shortList(p.Classes, 10))
		}
		fmt.Fprintf(&b, "  %-8s  %-*s  %s\n", "target", width, name, kind)
	}
	for _, c := range enc.Columns {
		var desc string
		switch c.Kind {
		case Number:
			desc = "number"
		case Category:
			desc = fmt.Sprintf("category, one-hot: %d inputs (%s)", len(c.Categories), shortList(c.Categories, 6))
		case Dropped:
			desc = "not used: " + c.Why
		}
		if n := p.MissingCounts[c.Name]; n > 0 && c.Kind != Dropped {
			what := "median"
			if c.Kind == Category {
				what = "most frequent"
			}
			desc += fmt.Sprintf("; %d missing, imputed with the training %s %s", n, what, c.Fill)
		}
		use := string(c.Kind)
		if c.Kind == Dropped {
			use = "dropped"
		}
		fmt.Fprintf(&b, "  %-8s  %-*s  %s\n", use, width, displayName(c.Name), desc)
	}
	if left := len(t.Rows) - len(p.Rows); left > 0 {
		fmt.Fprintf(&b, "  %d rows left out of training and evaluation: their target is missing\n", left)
	}
	fmt.Fprintf(&b, "  %d inputs per row\n", len(enc.Features()))
	_, err := io.WriteString(w, b.String())
	return err
}

// shortList lists at most n names, then how many more.
func shortList(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + fmt.Sprintf(", … (%d in all)", len(names))
}
