package tabular

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Table is a table as read from a file: a header naming the columns and
// rows of raw text cells, before any column is interpreted.
type Table struct {
	// Name says where the table came from (a path), for messages.
	Name string
	// Columns names the columns. A column whose name is empty holds row
	// names (R's write.csv, pandas' to_csv with its index).
	Columns []string
	// Rows holds the cells of each data row, trimmed of surrounding
	// spaces, one per column.
	Rows [][]string
	// Lines holds the 1-based line of the file on which each row starts;
	// nil for a table not read from a file.
	Lines []int
	// Dialect is how the file was written, as detected or given.
	Dialect Dialect
}

// Dialect is how a table's text is written.
type Dialect struct {
	// Comma separates the fields; ' ' stands for runs of spaces and tabs.
	Comma rune
	// DecimalComma says numbers were written with a decimal comma (3,14),
	// as spreadsheets in many languages export them with ';' between
	// fields; the reader turns them into 3.14.
	DecimalComma bool
	// Header says the first row named the columns; without one they are
	// named x1, x2, ...
	Header bool
	// HeaderLine is the line of the header (or of the first row).
	HeaderLine int
	// Skipped counts the lines skipped before the header: the preamble,
	// comment lines and blank lines.
	Skipped int
	// RowNames says the header had one name fewer than the rows, as R's
	// write.table writes it: the first column holds row names.
	RowNames bool
	// Preamble holds the names that a scikit-learn data file's first line
	// gives the classes of its last column ("150,4,setosa,versicolor,
	// virginica"), nil otherwise.
	Preamble []string
	// Gzip says the file was gzip-compressed.
	Gzip bool
}

// SeparatorName names a separator for people: "','", "';'", "tab",
// "whitespace".
func SeparatorName(r rune) string {
	switch r {
	case '\t':
		return "tab"
	case ' ':
		return "whitespace"
	}
	return strconv.QuoteRune(r)
}

// ReadOptions says how Read reads a table. The zero value detects
// everything.
type ReadOptions struct {
	// Comma is the field separator; 0 detects it among ',', ';', tab, '|'
	// and whitespace (' ': runs of spaces and tabs).
	Comma rune
	// Skip is the number of lines to skip before the header (a preamble).
	Skip int
	// NoHeader says the first row is data, not names; by default a first
	// row of numbers only is taken as data.
	NoHeader bool
}

// maxTableBytes bounds the text Read accepts, uncompressed.
const maxTableBytes = 2 << 30

// Load reads the table in the file at path, as Read does; a gzip-compressed
// file (.csv.gz) is decompressed.
func Load(path string, opts ReadOptions) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tabular: %w", err)
	}
	defer f.Close()
	return Read(f, path, opts)
}

// Read reads a table from r, named name in messages. It detects the
// separator (unless given), a decimal comma (with ';' between fields), a
// UTF-8 byte order mark, CRLF line ends, gzip compression, '#' comment
// lines and blank lines (skipped), a missing header (a first row of
// numbers only: the columns are then named x1, x2, ...), R's write.table
// header with one name fewer than the rows (row names), and the preamble
// line of scikit-learn's bundled data files. Fields may be quoted with ",
// a quote inside written "". Every row must have as many fields as the
// header.
func Read(r io.Reader, name string, opts ReadOptions) (*Table, error) {
	if opts.Skip < 0 {
		return nil, fmt.Errorf("tabular: %s: cannot skip %d lines", name, opts.Skip)
	}
	if opts.Comma != 0 && !validComma(opts.Comma) {
		return nil, fmt.Errorf("tabular: %s: %q cannot separate fields", name, opts.Comma)
	}
	br := bufio.NewReader(r)
	var d Dialect
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("tabular: %s: %w", name, err)
		}
		defer zr.Close()
		br, d.Gzip = bufio.NewReader(zr), true
	}
	data, err := io.ReadAll(io.LimitReader(br, maxTableBytes+1))
	if err != nil {
		return nil, fmt.Errorf("tabular: %s: %w", name, err)
	}
	if len(data) > maxTableBytes {
		return nil, fmt.Errorf("tabular: %s: larger than %d bytes", name, maxTableBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	text := string(data)
	t := &Table{Name: name}
	start, line := 0, 1
	for range opts.Skip {
		i := strings.IndexByte(text[start:], '\n')
		if i < 0 {
			return nil, fmt.Errorf("tabular: %s: has fewer than %d lines to skip", name, opts.Skip)
		}
		start += i + 1
		line++
	}
	d.Skipped = opts.Skip
	d.Comma = opts.Comma
	if d.Comma == 0 {
		d.Comma = detectComma(text[start:])
	}
	sc := &scanner{text: text, pos: start, line: line, comma: d.Comma}
	var recs [][]string
	var lines []int
	for {
		rec, at, err := sc.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("tabular: %s:%w", name, err)
		}
		recs = append(recs, rec)
		lines = append(lines, at)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("tabular: %s: the file has no rows", name)
	}
	d.HeaderLine = lines[0]
	d.Skipped = lines[0] - 1
	header := recs[0]
	rows, rowLines := recs[1:], lines[1:]
	switch {
	case isSklearnPreamble(recs):
		// "150,4,setosa,versicolor,virginica": samples, features, class
		// names; a header may follow ("506,13,,," then the names).
		d.Preamble = nonEmpty(recs[0][2:])
		d.Skipped++
		header = nil
		if n, _ := strconv.Atoi(recs[0][0]); n == len(recs)-2 {
			header, rows, rowLines = recs[1], recs[2:], lines[2:]
			d.Header, d.HeaderLine = true, lines[1]
		}
	case opts.NoHeader || allNumbers(header):
		header = nil
		rows, rowLines = recs, lines
	default:
		d.Header = true
	}
	width := len(header)
	if len(rows) > 0 {
		width = mostCommonWidth(rows)
	}
	if header == nil {
		header = make([]string, width)
		for j := range header {
			header[j] = "x" + strconv.Itoa(j+1)
		}
		if d.Preamble != nil {
			header[width-1] = "target"
		}
	} else if len(header) == width-1 {
		d.RowNames = true
		header = append([]string{""}, header...)
	}
	t.Columns = uniqueNames(header)
	var bad []string
	for i, row := range rows {
		if len(row) != len(t.Columns) {
			if len(bad) < 5 {
				bad = append(bad, fmt.Sprintf("line %d has %d fields", rowLines[i], len(row)))
			} else if len(bad) == 5 {
				bad = append(bad, "…")
			}
		}
	}
	if bad != nil {
		return nil, fmt.Errorf("tabular: %s: the header (line %d) has %d columns, separated by %s, but %s: check the separator (-sep) or the preamble (-skip)",
			name, d.HeaderLine, len(t.Columns), SeparatorName(d.Comma), strings.Join(bad, ", "))
	}
	if d.Comma == ';' {
		d.DecimalComma = convertDecimalCommas(rows)
	}
	if len(d.Preamble) >= 2 {
		nameClasses(rows, d.Preamble)
	}
	t.Rows, t.Lines, t.Dialect = rows, rowLines, d
	return t, nil
}

// validComma reports whether r can separate fields.
func validComma(r rune) bool {
	return r != '"' && r != '\r' && r != '\n' && r != '#' && strconv.IsPrint(r) || r == '\t'
}

// uniqueNames trims the names, names empty ones after their position
// (except the first, which holds row names), and makes repeated names
// unique as pandas does: "a", "a.1", "a.2".
func uniqueNames(header []string) []string {
	out := make([]string, len(header))
	seen := map[string]bool{}
	for j, h := range header {
		h = strings.TrimSpace(h)
		if h == "" && j > 0 {
			h = "x" + strconv.Itoa(j+1)
		}
		name := h
		for k := 1; seen[name]; k++ {
			name = h + "." + strconv.Itoa(k)
		}
		seen[name] = true
		out[j] = name
	}
	return out
}

// allNumbers reports whether every field of rec is a number: a first row
// like that is data, not a header.
func allNumbers(rec []string) bool {
	for _, s := range rec {
		if _, ok := ParseNumber(s); !ok {
			return false
		}
	}
	return len(rec) > 0
}

// isSklearnPreamble reports whether recs start with the first line of a
// data file bundled with scikit-learn: the number of samples, the number
// of features and optionally the class names, followed by that many rows
// of the features and one target.
func isSklearnPreamble(recs [][]string) bool {
	first := recs[0]
	if len(first) < 2 || len(recs) < 2 {
		return false
	}
	n, err1 := strconv.Atoi(first[0])
	p, err2 := strconv.Atoi(first[1])
	if err1 != nil || err2 != nil || p < 1 || (allNumbers(first) && len(first) == p+1) {
		return false
	}
	data := recs[1:]
	switch {
	case n == len(recs)-2 && !allNumbers(recs[1]):
		data = recs[2:]
	case n != len(recs)-1:
		return false
	}
	for _, r := range data {
		if len(r) != p+1 {
			return false
		}
	}
	return true
}

// nameClasses replaces the class indices in the last column of a
// scikit-learn data file by the class names of its preamble, when every
// value is one.
func nameClasses(rows [][]string, names []string) {
	last := len(rows[0]) - 1
	for _, r := range rows {
		k, err := strconv.Atoi(r[last])
		if err != nil || k < 0 || k >= len(names) {
			return
		}
	}
	for _, r := range rows {
		k, _ := strconv.Atoi(r[last])
		r[last] = names[k]
	}
}

func nonEmpty(names []string) []string {
	var out []string
	for _, s := range names {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// mostCommonWidth returns the most common number of fields in rows.
func mostCommonWidth(rows [][]string) int {
	count := map[int]int{}
	best := 0
	for _, r := range rows {
		count[len(r)]++
		if count[len(r)] > count[best] || (count[len(r)] == count[best] && len(r) > best) {
			best = len(r)
		}
	}
	return best
}

// convertDecimalCommas rewrites numbers written with a decimal comma
// ("3,14", "-0,5", "1,5e3") as numbers with a point, and reports whether
// there were any.
func convertDecimalCommas(rows [][]string) bool {
	found := false
	for _, row := range rows {
		for j, s := range row {
			if strings.Count(s, ",") != 1 || strings.Contains(s, ".") {
				continue
			}
			if c := strings.Replace(s, ",", ".", 1); isNumberSyntax(c) {
				row[j], found = c, true
			}
		}
	}
	return found
}

// detectComma returns the separator that splits the first lines of text
// into the same number of fields (at least 2) on every data line, the
// header having as many or one fewer (R's row names): the one that gives
// the most fields, tab before ';', ',', '|' and whitespace on a tie. It
// returns ',' if none does.
func detectComma(text string) rune {
	best, bestWidth := ',', 0
	for _, c := range []rune{'\t', ';', ',', '|', ' '} {
		sc := &scanner{text: text, line: 1, comma: c}
		var widths []int
		for len(widths) < 50 {
			rec, _, err := sc.next()
			if err != nil {
				break
			}
			widths = append(widths, len(rec))
		}
		if len(widths) == 0 {
			continue
		}
		w := widths[0]
		if len(widths) > 1 {
			w = widths[1]
			if slices.ContainsFunc(widths[1:], func(n int) bool { return n != w }) || (widths[0] != w && widths[0] != w-1) {
				continue
			}
		}
		if w >= 2 && w > bestWidth {
			best, bestWidth = c, w
		}
	}
	return best
}

// scanner splits text into records of fields. Fields are separated by
// comma, or by runs of spaces and tabs when comma is ' '; a field may be
// quoted with " (a quote inside written ""), and a quoted field may span
// lines. Blank lines, and lines starting with '#' before the first record,
// are skipped.
type scanner struct {
	text  string
	pos   int
	line  int
	comma rune
	// started says a record was read: '#' lines are comments only before
	// the first one, so that a value such as "#ff0000" stays data.
	started bool
}

var errUnclosed = errors.New("a quoted field is not closed")

// next returns the next record and the line it starts on, or io.EOF.
func (s *scanner) next() ([]string, int, error) {
	for {
		if s.pos >= len(s.text) {
			return nil, 0, io.EOF
		}
		end := strings.IndexByte(s.text[s.pos:], '\n')
		if end < 0 {
			end = len(s.text)
		} else {
			end += s.pos
		}
		ln := strings.TrimSpace(s.text[s.pos:end])
		if ln == "" || (ln[0] == '#' && !s.started) {
			s.pos, s.line = end+1, s.line+1
			continue
		}
		break
	}
	start := s.line
	s.started = true
	var rec []string
	var field strings.Builder
	ws := s.comma == ' '
	for {
		// At the start of a field: skip spaces (the separator itself, in
		// whitespace mode).
		for s.pos < len(s.text) && (s.text[s.pos] == ' ' || (s.text[s.pos] == '\t' && s.comma != '\t')) {
			s.pos++
		}
		field.Reset()
		if s.pos < len(s.text) && s.text[s.pos] == '"' {
			s.pos++
			closed := false
			for s.pos < len(s.text) {
				c := s.text[s.pos]
				if c == '"' {
					if s.pos+1 < len(s.text) && s.text[s.pos+1] == '"' {
						field.WriteByte('"')
						s.pos += 2
						continue
					}
					s.pos++
					closed = true
					break
				}
				if c == '\n' {
					s.line++
				}
				field.WriteByte(c)
				s.pos++
			}
			if !closed {
				return nil, 0, fmt.Errorf("%d: %w", start, errUnclosed)
			}
			// Anything after the closing quote up to the separator is kept.
			for s.pos < len(s.text) && !s.atSeparator() && !s.atLineEnd() {
				field.WriteByte(s.text[s.pos])
				s.pos++
			}
			rec = append(rec, strings.TrimSpace(field.String()))
		} else {
			i := s.pos
			for i < len(s.text) && !s.atSeparatorAt(i) && s.text[i] != '\n' && s.text[i] != '\r' {
				i++
			}
			rec = append(rec, strings.TrimSpace(s.text[s.pos:i]))
			s.pos = i
		}
		if ws {
			for s.pos < len(s.text) && (s.text[s.pos] == ' ' || s.text[s.pos] == '\t') {
				s.pos++
			}
			if s.atLineEnd() {
				s.endLine()
				return rec, start, nil
			}
			continue
		}
		if s.atLineEnd() {
			s.endLine()
			return rec, start, nil
		}
		// At a separator.
		_, size := decodeRune(s.text[s.pos:])
		s.pos += size
		if s.atLineEnd() {
			rec = append(rec, "")
			s.endLine()
			return rec, start, nil
		}
	}
}

func (s *scanner) atSeparator() bool { return s.atSeparatorAt(s.pos) }

func (s *scanner) atSeparatorAt(i int) bool {
	if i >= len(s.text) {
		return false
	}
	if s.comma == ' ' {
		return s.text[i] == ' ' || s.text[i] == '\t'
	}
	r, _ := decodeRune(s.text[i:])
	return r == s.comma
}

func (s *scanner) atLineEnd() bool {
	return s.pos >= len(s.text) || s.text[s.pos] == '\n' || s.text[s.pos] == '\r'
}

// endLine moves past the line end at s.pos (\n, \r\n or \r).
func (s *scanner) endLine() {
	if s.pos < len(s.text) && s.text[s.pos] == '\r' {
		s.pos++
	}
	if s.pos < len(s.text) && s.text[s.pos] == '\n' {
		s.pos++
	}
	s.line++
}

// decodeRune returns the first rune of s and its size; separators are
// mostly ASCII.
func decodeRune(s string) (rune, int) {
	if s[0] < 0x80 {
		return rune(s[0]), 1
	}
	for i, r := range s {
		if i == 0 {
			return r, len(string(r))
		}
	}
	return rune(s[0]), 1
}
