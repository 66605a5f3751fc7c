package tabular

import (
	"bytes"
	"compress/gzip"
	"slices"
	"strings"
	"testing"
)

func read(t *testing.T, text string, opts ReadOptions) *Table {
	t.Helper()
	tab, err := Read(strings.NewReader(text), "t.csv", opts)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return tab
}

func TestReadDialects(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		opts    ReadOptions
		columns []string
		rows    [][]string
		check   func(*testing.T, Dialect)
	}{
		{"R write.csv", "\"\",\"Ozone\",\"Solar.R\",\"Month\"\n\"1\",41,190,\"May\"\n\"2\",NA,118,\"June, late\"\n", ReadOptions{},
			[]string{"", "Ozone", "Solar.R", "Month"}, [][]string{{"1", "41", "190", "May"}, {"2", "NA", "118", "June, late"}},
			func(t *testing.T, d Dialect) {
				if d.Comma != ',' || !d.Header || d.RowNames {
					t.Errorf("dialect %+v", d)
				}
			}},
		{"R write.table", "\"mpg\" \"cyl\" \"wt\"\n\"Mazda RX4\" 21 6 2.62\n\"Datsun 710\"   22.8 4 2.32\n", ReadOptions{},
			[]string{"", "mpg", "cyl", "wt"}, [][]string{{"Mazda RX4", "21", "6", "2.62"}, {"Datsun 710", "22.8", "4", "2.32"}},
			func(t *testing.T, d Dialect) {
				if d.Comma != ' ' || !d.RowNames {
					t.Errorf("dialect %+v", d)
				}
			}},
		{"pandas index", ",a,b\n0,1.5,x\n1,,y\n", ReadOptions{},
			[]string{"", "a", "b"}, [][]string{{"0", "1.5", "x"}, {"1", "", "y"}}, nil},
		{"Excel: BOM, CRLF, semicolons, decimal commas", "\xef\xbb\xbflen;supp;dose\r\n4,2;VC;0,5\r\n-11,5;OJ;1\r\n", ReadOptions{},
			[]string{"len", "supp", "dose"}, [][]string{{"4.2", "VC", "0.5"}, {"-11.5", "OJ", "1"}},
			func(t *testing.T, d Dialect) {
				if d.Comma != ';' || !d.DecimalComma {
					t.Errorf("dialect %+v", d)
				}
			}},
		{"tabs with empty cells", "a\tb\tc\n1\t\t3\n4\t5\t\n", ReadOptions{},
			[]string{"a", "b", "c"}, [][]string{{"1", "", "3"}, {"4", "5", ""}}, nil},
		{"no header", "1,2,0\n3,4,1\n", ReadOptions{},
			[]string{"x1", "x2", "x3"}, [][]string{{"1", "2", "0"}, {"3", "4", "1"}},
			func(t *testing.T, d Dialect) {
				if d.Header {
					t.Errorf("dialect %+v", d)
				}
			}},
		{"scikit-learn preamble", "2,2,setosa,virginica\n5.1,3.5,0\n6.3,3.3,1\n", ReadOptions{},
			[]string{"x1", "x2", "target"}, [][]string{{"5.1", "3.5", "setosa"}, {"6.3", "3.3", "virginica"}}, nil},
		{"scikit-learn preamble and header", "2,2,,\nA,B,Y\n1,2,3\n4,5,6\n", ReadOptions{},
			[]string{"A", "B", "Y"}, [][]string{{"1", "2", "3"}, {"4", "5", "6"}}, nil},
		{"comments and a preamble", "exported by X\n# a comment\n\na|b\n#1|2\n", ReadOptions{Skip: 1},
			[]string{"a", "b"}, [][]string{{"#1", "2"}}, nil},
		{"quotes", "a,b\n\"x, \"\"y\"\"\",\"two\nlines\"\n", ReadOptions{},
			[]string{"a", "b"}, [][]string{{`x, "y"`, "two\nlines"}}, nil},
		{"duplicate and empty names", "a,a,,b\n1,2,3,4\n", ReadOptions{},
			[]string{"a", "a.1", "x3", "b"}, [][]string{{"1", "2", "3", "4"}}, nil},
		{"given separator", "a;b,c\n1;2,3\n", ReadOptions{Comma: ','},
			[]string{"a;b", "c"}, [][]string{{"1;2", "3"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := read(t, tt.text, tt.opts)
			if !slices.Equal(tab.Columns, tt.columns) {
				t.Errorf("columns %q; want %q", tab.Columns, tt.columns)
			}
			if !slices.EqualFunc(tab.Rows, tt.rows, slices.Equal[[]string]) {
				t.Errorf("rows %q; want %q", tab.Rows, tt.rows)
			}
			if tt.check != nil {
				tt.check(t, tab.Dialect)
			}
		})
	}
}

func TestReadGzip(t *testing.T) {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte("a,b\n1,2\n"))
	zw.Close()
	tab, err := Read(&b, "t.csv.gz", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !tab.Dialect.Gzip || !slices.Equal(tab.Rows[0], []string{"1", "2"}) {
		t.Errorf("table %+v", tab)
	}
}

func TestReadErrors(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"", "no rows"},
		{"a,b\n1,2\n3\n4,5\n1,2,3\n", "line 3 has 1 fields, line 5 has 3 fields"},
		{"a,b\n\"1,2\n", "not closed"},
	} {
		_, err := Read(strings.NewReader(tt.text), "t.csv", ReadOptions{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Read(%q) error %v; want %q", tt.text, err, tt.want)
		}
	}
}

func TestParseNumber(t *testing.T) {
	for s, want := range map[string]bool{"3": true, "-0.5": true, ".5": true, "5.": true, "1e-3": true, "+2.50E+02": true,
		"1_000": false, "0x1p-2": false, "Inf": false, "NaN": false, "1e": false, "": false, "1,5": false, "1e999": false, ".": false} {
		if _, ok := ParseNumber(s); ok != want {
			t.Errorf("ParseNumber(%q) ok = %v; want %v", s, ok, want)
		}
	}
}
