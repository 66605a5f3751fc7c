package datasets

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		opts     CSVOptions
		x        []float32
		y        []float32
		features []string
		targets  []string
		classes  []string
	}{
		{
			name:     "string labels sorted lexicographically",
			in:       "a,b,species\n1,2,virginica\n3,4,setosa\n5,6,versicolor\n7,8,setosa\n",
			x:        []float32{1, 2, 3, 4, 5, 6, 7, 8},
			y:        []float32{2, 0, 1, 0},
			features: []string{"a", "b"},
			targets:  []string{"species"},
			classes:  []string{"setosa", "versicolor", "virginica"},
		},
		{
			name:     "numeric labels sorted numerically",
			in:       "a,label\n1,10\n2,2\n3,1\n4,2\n",
			x:        []float32{1, 2, 3, 4},
			y:        []float32{2, 1, 0, 1},
			features: []string{"a"},
			targets:  []string{"label"},
			classes:  []string{"1", "2", "10"},
		},
		{
			name:     "fractional target is regression",
			in:       "a,price\n1,3.7\n2,12.1\n",
			x:        []float32{1, 2},
			y:        []float32{3.7, 12.1},
			features: []string{"a"},
			targets:  []string{"price"},
		},
		{
			name:     "0/1 target is classification",
			in:       "a,spam\n1,0\n2,1\n3,1\n",
			x:        []float32{1, 2, 3},
			y:        []float32{0, 1, 1},
			features: []string{"a"},
			targets:  []string{"spam"},
			classes:  []string{"0", "1"},
		},
		{
			name:     "20 distinct integers are classes",
			in:       "a,y\n" + csvRowsWithTargets(20),
			x:        csvSeq(20),
			y:        csvSeq(20),
			features: []string{"a"},
			targets:  []string{"y"},
			classes:  csvIntNames(20),
		},
		{
			name:     "21 distinct integers are regression",
			in:       "a,y\n" + csvRowsWithTargets(21),
			x:        csvSeq(21),
			y:        csvSeq(21),
			features: []string{"a"},
			targets:  []string{"y"},
		},
		{
			name:     "forced numeric",
			in:       "a,y\n1,0\n2,1\n",
			opts:     CSVOptions{Kind: Numeric},
			x:        []float32{1, 2},
			y:        []float32{0, 1},
			features: []string{"a"},
			targets:  []string{"y"},
		},
		{
			name:     "forced categorical",
			in:       "a,y\n1,0.5\n2,1.5\n3,0.5\n",
			opts:     CSVOptions{Kind: Categorical},
			x:        []float32{1, 2, 3},
			y:        []float32{0, 1, 0},
			features: []string{"a"},
			targets:  []string{"y"},
			classes:  []string{"0.5", "1.5"},
		},
		{
			name:     "target by name in the middle",
			in:       "a,y,b\n1,cat,2\n3,dog,4\n",
			opts:     CSVOptions{Target: "y"},
			x:        []float32{1, 2, 3, 4},
			y:        []float32{0, 1},
			features: []string{"a", "b"},
			targets:  []string{"y"},
			classes:  []string{"cat", "dog"},
		},
		{
			name:     "no target",
			in:       "a,b\n1,2\n3,4\n",
			opts:     CSVOptions{NoTarget: true},
			x:        []float32{1, 2, 3, 4},
			features: []string{"a", "b"},
		},
		{
			name:     "given classes: a subset, in their order",
			in:       "a,y\n1,dog\n2,cat\n",
			opts:     CSVOptions{Classes: []string{"dog", "cat", "bird"}},
			x:        []float32{1, 2},
			y:        []float32{0, 1},
			features: []string{"a"},
			targets:  []string{"y"},
			classes:  []string{"dog", "cat", "bird"},
		},
		{
			name:     "given classes: a single one present",
			in:       "a,y\n1,cat\n2,cat\n",
			opts:     CSVOptions{Classes: []string{"dog", "cat"}},
			x:        []float32{1, 2},
			y:        []float32{1, 1},
			features: []string{"a"},
			targets:  []string{"y"},
			classes:  []string{"dog", "cat"},
		},
		{
			name:     "expected features",
			in:       "a,b,y\n1,2,3.5\n",
			opts:     CSVOptions{Features: []string{"a", "b"}},
			x:        []float32{1, 2},
			y:        []float32{3.5},
			features: []string{"a", "b"},
			targets:  []string{"y"},
		},
		{
			name:     "BOM, CRLF, spaces, quotes and blank lines",
			in:       "\ufeff a , \"b,c\",y\r\n 1 , \"2\",x\r\n\r\n3,\" 4 \", \"y\"\r\n",
			x:        []float32{1, 2, 3, 4},
			y:        []float32{0, 1},
			features: []string{"a", "b,c"},
			targets:  []string{"y"},
			classes:  []string{"x", "y"},
		},
		{
			name:     "semicolons",
			in:       "a;b;y\n1;2;0\n3;4;1\n",
			opts:     CSVOptions{Comma: ';'},
			x:        []float32{1, 2, 3, 4},
			y:        []float32{0, 1},
			features: []string{"a", "b"},
			targets:  []string{"y"},
			classes:  []string{"0", "1"},
		},
		{
			name:     "tabs",
			in:       "a\tb\ty\n1\t2\t0\n3\t4\t1\n",
			opts:     CSVOptions{Comma: '\t'},
			x:        []float32{1, 2, 3, 4},
			y:        []float32{0, 1},
			features: []string{"a", "b"},
			targets:  []string{"y"},
			classes:  []string{"0", "1"},
		},
		{
			name:     "number syntax",
			in:       "a,b,c,y\n-1.5e2,+3,0x1p-2,1\n.5,1_000,1e-50,2\n",
			x:        []float32{-150, 3, 0.25, 0.5, 1000, 0},
			y:        []float32{0, 1},
			features: []string{"a", "b", "c"},
			targets:  []string{"y"},
			classes:  []string{"1", "2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ReadCSV(strings.NewReader(tt.in), "t.csv", tt.opts)
			if err != nil {
				t.Fatalf("ReadCSV: %v", err)
			}
			if d.Name != "t.csv" {
				t.Errorf("Name = %q; want %q", d.Name, "t.csv")
			}
			if want := []int{len(tt.features)}; !slices.Equal(d.Shape, want) {
				t.Errorf("Shape = %v; want %v", d.Shape, want)
			}
			if !slices.Equal(d.X, tt.x) {
				t.Errorf("X = %v; want %v", d.X, tt.x)
			}
			if !slices.Equal(d.Y, tt.y) {
				t.Errorf("Y = %v; want %v", d.Y, tt.y)
			}
			if !slices.Equal(d.Features, tt.features) {
				t.Errorf("Features = %q; want %q", d.Features, tt.features)
			}
			if !slices.Equal(d.Targets, tt.targets) {
				t.Errorf("Targets = %q; want %q", d.Targets, tt.targets)
			}
			if !slices.Equal(d.Classes, tt.classes) || (d.Classes == nil) != (tt.classes == nil) {
				t.Errorf("Classes = %#v; want %#v", d.Classes, tt.classes)
			}
			if !tt.opts.NoTarget {
				if err := d.Validate(); err != nil {
					t.Errorf("Validate: %v", err)
				}
			}
		})
	}
}

// csvRowsWithTargets returns n CSV rows "i,i".
func csvRowsWithTargets(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%d,%d\n", i, i)
	}
	return b.String()
}

func csvIntNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	return names
}

func csvSeq(n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(i)
	}
	return s
}

func TestReadCSVErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opts CSVOptions
		want []string // parts the message must contain
	}{
		{"empty file", "", CSVOptions{}, []string{"t.csv:1: ", "empty"}},
		{"only a BOM", "\ufeff", CSVOptions{}, []string{"t.csv:1: ", "empty"}},
		{"header without rows", "a,b\n", CSVOptions{}, []string{"t.csv: ", "no data rows"}},
		{"ragged row", "a,b,c,d\n1,2,3,4\n1,2,3\n", CSVOptions{}, []string{"t.csv:3: has 3 fields; the header has 4"}},
		{"long row", "a,b\n1,2\n1,2,3\n", CSVOptions{}, []string{"t.csv:3: has 3 fields; the header has 2"}},
		{"not a number", "a,b,petal_width,y\n1,2,3,x\n1,2,abc,x\n", CSVOptions{},
			[]string{`t.csv:3: column 3 ("petal_width"): "abc" is not a number`}},
		{"decimal comma", "a;b;y\n1,5;2;0\n3;4;1\n", CSVOptions{Comma: ';'},
			[]string{`t.csv:2: column 1 ("a"): "1,5" is not a number`}},
		{"missing value", "a,b,y\n1,2,x\n,2,y\n", CSVOptions{}, []string{`t.csv:3: column 1 ("a"): missing value`}},
		{"missing value in quotes", "a,b,y\n1,\" \",x\n", CSVOptions{}, []string{`t.csv:2: column 2 ("b"): missing value`}},
		{"missing target", "a,b,y\n1,2,x\n1,2,\n", CSVOptions{}, []string{`t.csv:3: column 3 ("y"): missing value`}},
		{"nan", "a,b,y\n1,nan,x\n", CSVOptions{}, []string{`t.csv:2: column 2 ("b"): "nan" is not a finite number`}},
		{"NaN", "a,b,y\n1,NaN,x\n", CSVOptions{}, []string{`t.csv:2: column 2 ("b"): "NaN" is not a finite number`}},
		{"inf", "a,b,y\n1,2,x\nINF,2,y\n", CSVOptions{}, []string{`t.csv:3: column 1 ("a"): "INF" is not a finite number`}},
		{"-Infinity", "a,b,y\n1,-Infinity,x\n", CSVOptions{}, []string{`t.csv:2: column 2 ("b"): "-Infinity" is not a finite number`}},
		{"out of float32 range", "a,b,y\n1,1e39,x\n", CSVOptions{}, []string{`t.csv:2: column 2 ("b"): "1e39" is out of the float32 range`}},
		{"infinite target", "a,y\n1,2.5\n2,inf\n", CSVOptions{}, []string{`t.csv:3: column 2 ("y"): "inf" is not a finite number`}},
		{"numeric target not a number", "a,y\n1,2.5\n2,big\n", CSVOptions{Kind: Numeric},
			[]string{`t.csv:3: column 2 ("y"): "big" is not a number`}},
		{"no such target", "a,b,species\n1,2,x\n", CSVOptions{Target: "spcies"},
			[]string{"t.csv:1: ", `"spcies"`, `the columns are "a", "b", "species"`}},
		{"duplicate header", "a,b,a\n1,2,x\n", CSVOptions{}, []string{`t.csv:1: column 3 ("a") has the same name as column 1`}},
		{"empty header name", "a,,y\n1,2,x\n", CSVOptions{}, []string{"t.csv:1: column 2 has no name"}},
		{"header after blank lines", "\n\na,a\n", CSVOptions{}, []string{`t.csv:3: column 2 ("a")`}},
		{"single class", "a,species\n1,setosa\n2,setosa\n", CSVOptions{},
			[]string{`t.csv: target column 2 ("species") has a single class "setosa"; classification needs at least 2`}},
		{"only the target", "y\n1\n", CSVOptions{}, []string{"t.csv:1: ", `"y"`, "only column"}},
		{"missing feature", "a,c,y\n1,2,x\n", CSVOptions{Features: []string{"a", "b", "c"}},
			[]string{"t.csv:1: ", `feature column "b" is missing`, `want features "a", "b", "c"`}},
		{"extra feature", "a,b,c,y\n1,2,3,x\n", CSVOptions{Features: []string{"a", "c"}},
			[]string{"t.csv:1: ", `column 2 ("b") is not an expected feature`, `want features "a", "c"`}},
		{"extra column without target", "a,b,y\n1,2,x\n", CSVOptions{NoTarget: true, Features: []string{"a", "b"}},
			[]string{"t.csv:1: ", `column 3 ("y") is not an expected feature`}},
		{"features out of order", "b,a,y\n1,2,x\n", CSVOptions{Features: []string{"a", "b"}},
			[]string{"t.csv:1: ", `column 1 ("b") is out of order`, `"a", "b"`}},
		{"unknown class", "a,species\n1,setosa\n2,virginca\n", CSVOptions{Classes: []string{"setosa", "virginica"}},
			[]string{`t.csv:3: column 2 ("species"): unknown class "virginca"`, `"setosa", "virginica"`}},
		{"bare quote", "a,b,y\n1,2,x\n1,2\"3,x\n", CSVOptions{}, []string{"t.csv:3: ", `bare "`}},
		{"unclosed quote", "a,b,y\n1,2,x\n1,\"2,x\n4,5,6\n", CSVOptions{}, []string{"t.csv:4: ", "starts on line 3"}},
		{"bad separator", "a,y\n1,2\n", CSVOptions{Comma: '"'}, []string{"t.csv: ", "cannot separate fields"}},
		{"bad kind", "a,y\n1,2\n", CSVOptions{Kind: 7}, []string{"t.csv: ", "TargetKind(7)"}},
		{"classes for a numeric target", "a,y\n1,2\n", CSVOptions{Kind: Numeric, Classes: []string{"a", "b"}},
			[]string{"t.csv: ", "numeric"}},
		{"duplicate expected feature", "a,y\n1,2\n", CSVOptions{Features: []string{"a", "a"}}, []string{"t.csv: ", `"a" is listed twice`}},
		{"duplicate expected class", "a,y\n1,2\n", CSVOptions{Classes: []string{"x", "x"}}, []string{"t.csv: ", `"x" is listed twice`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ReadCSV(strings.NewReader(tt.in), "t.csv", tt.opts)
			if err == nil {
				t.Fatalf("ReadCSV = %v, nil; want an error containing %q", d, tt.want)
			}
			for _, part := range tt.want {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q; want it to contain %q", err, part)
				}
			}
		})
	}
}

func TestReadCSVHeaderOnlyIsErrEmpty(t *testing.T) {
	_, err := ReadCSV(strings.NewReader("a,b\n"), "t.csv", CSVOptions{})
	if !errors.Is(err, ErrEmpty) {
		t.Errorf("errors.Is(%v, ErrEmpty) = false; want true", err)
	}
}

func TestLoadCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iris.csv")
	if err := os.WriteFile(path, []byte("a,y\n1,x\n2,y\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := LoadCSV(path, CSVOptions{})
	if err != nil {
		t.Fatalf("LoadCSV: %v", err)
	}
	if d.Name != path || d.Len() != 2 {
		t.Errorf("LoadCSV: Name %q, Len %d; want %q, 2", d.Name, d.Len(), path)
	}

	_, err = LoadCSV(filepath.Join(t.TempDir(), "missing.csv"), CSVOptions{})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("LoadCSV(missing file) error %v; want fs.ErrNotExist naming the file", err)
	}
}

func TestTargetKindString(t *testing.T) {
	for k, want := range map[TargetKind]string{AutoTarget: "auto", Categorical: "categorical", Numeric: "numeric", 9: "TargetKind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("TargetKind(%d).String() = %q; want %q", int(k), got, want)
		}
	}
}

// FuzzReadCSV checks that ReadCSV never panics, that its errors name the
// file, and that what it returns is valid. expect, if it starts with "f:" or
// "c:", lists expected features or classes, separated by "|".
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("a,b,y\n1,2,x\n3,4,y\n"), uint8(0), false, int32(0), "", "")
	f.Add([]byte("\ufeffa;b\r\n1;2\r\n"), uint8(2), true, int32(';'), "", "f:a|b")
	f.Add([]byte("a\tb\n1\t\"2\"\n"), uint8(1), false, int32('\t'), "a", "c:2|1")
	f.Add([]byte("x,y\n1,0\n2,1\n3,1e39\n"), uint8(0), false, int32(0), "y", "f:x")
	f.Add([]byte("x,\"y\nz\",w\n1,2,3\n"), uint8(1), false, int32(0), "x", "")
	f.Fuzz(func(t *testing.T, data []byte, kind uint8, noTarget bool, comma int32, target, expect string) {
		opts := CSVOptions{Target: target, Kind: TargetKind(kind % 4), NoTarget: noTarget, Comma: comma}
		if names, ok := strings.CutPrefix(expect, "f:"); ok {
			opts.Features = strings.Split(names, "|")
		}
		if names, ok := strings.CutPrefix(expect, "c:"); ok {
			opts.Classes = strings.Split(names, "|")
		}
		d, err := ReadCSV(strings.NewReader(string(data)), "f.csv", opts)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.csv") {
				t.Errorf("error %q does not start with the file name", err)
			}
			return
		}
		if d.Len() < 1 || len(d.Features) != d.Dim() {
			t.Errorf("Len %d, %d feature names for Dim %d; want at least 1 sample and one name per feature", d.Len(), len(d.Features), d.Dim())
		}
		if opts.Features != nil && !slices.Equal(d.Features, opts.Features) {
			t.Errorf("Features %q; want the expected %q", d.Features, opts.Features)
		}
		if noTarget {
			if d.Y != nil || d.Targets != nil || d.Classes != nil {
				t.Errorf("NoTarget gave Y %v, Targets %q, Classes %q; want nil", d.Y, d.Targets, d.Classes)
			}
			return
		}
		if err := d.Validate(); err != nil {
			t.Errorf("Validate: %v", err)
		}
		if opts.Classes != nil && !slices.Equal(d.Classes, opts.Classes) {
			t.Errorf("Classes %q; want the expected %q", d.Classes, opts.Classes)
		}
		if opts.Classes == nil && d.IsClassification() && len(d.Classes) < 2 {
			t.Errorf("Classes %q; want at least 2", d.Classes)
		}
	})
}

// Target columns that Auto would wrongly read as classes are refused with
// a message that says what to do, and the right kind still reads them.
func TestReadCSVSuspiciousTargets(t *testing.T) {
	var na, ids strings.Builder
	na.WriteString("x,price\n")
	ids.WriteString("x,name\n")
	for i := range 200 {
		price := strconv.FormatFloat(100+1.5*float64(i), 'f', 1, 64)
		if i == 57 {
			price = "NA"
		}
		fmt.Fprintf(&na, "%d,%s\n", i, price)
		fmt.Fprintf(&ids, "%d,user%03d\n", i, i)
	}
	_, err := ReadCSV(strings.NewReader(na.String()), "houses.csv", CSVOptions{})
	if err == nil || !strings.Contains(err.Error(), `houses.csv:59: column 2 ("price"): "NA" is not a number`) {
		t.Errorf("numeric column with NA: error %v; want it located at line 59", err)
	}
	_, err = ReadCSV(strings.NewReader(ids.String()), "users.csv", CSVOptions{})
	if err == nil || !strings.Contains(err.Error(), "200 distinct labels in 200 rows") {
		t.Errorf("identifier column as target: error %v; want the distinct-label error", err)
	}
	d, err := ReadCSV(strings.NewReader(ids.String()), "users.csv", CSVOptions{Kind: Categorical})
	if err != nil || len(d.Classes) != 200 {
		t.Errorf("Categorical identifier column: %v, %v; want 200 classes", err, d)
	}
}

// Prediction input without targets is a valid data set.
func TestReadCSVNoTargetValidates(t *testing.T) {
	d, err := ReadCSV(strings.NewReader("a,b\n1,2\n3,4\n"), "in.csv", CSVOptions{NoTarget: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Errorf("Validate on unlabelled data: %v", err)
	}
	if s := d.Subset([]int{1}); s.Len() != 1 || s.Y != nil || s.X[0] != 3 {
		t.Errorf("Subset of unlabelled data = %+v", s)
	}
}

// Several target columns are read as numbers, row-major, in the order
// given, wherever they are in the file.
func TestReadCSVSeveralTargets(t *testing.T) {
	in := "a,y2,b,y1\n1,0,2,1\n3,1,4,0.5\n"
	d, err := ReadCSV(strings.NewReader(in), "t.csv", CSVOptions{Targets: []string{"y1", "y2"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Features, []string{"a", "b"}) || !slices.Equal(d.Targets, []string{"y1", "y2"}) || d.Classes != nil {
		t.Errorf("features %v, targets %v, classes %v", d.Features, d.Targets, d.Classes)
	}
	if !slices.Equal(d.X, []float32{1, 2, 3, 4}) || !slices.Equal(d.Y, []float32{1, 0, 0.5, 1}) || d.TargetDim() != 2 {
		t.Errorf("X %v, Y %v (TargetDim %d)", d.X, d.Y, d.TargetDim())
	}
	for _, tt := range []struct {
		opts CSVOptions
		want string
	}{
		{CSVOptions{Targets: []string{"y1", "zz"}}, `no target column "zz"`},
		{CSVOptions{Targets: []string{"y1", "y1"}}, "listed twice"},
		{CSVOptions{Targets: []string{"y1", "y2"}, Kind: Categorical}, "cannot be given"},
	} {
		if _, err := ReadCSV(strings.NewReader(in), "t.csv", tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v; want one containing %q", tt.opts, err, tt.want)
		}
	}
	if _, err := ReadCSV(strings.NewReader("a,y1,y2\n1,x,2\n"), "t.csv", CSVOptions{Targets: []string{"y1", "y2"}}); err == nil || !strings.Contains(err.Error(), `t.csv:2: column 2 ("y1")`) {
		t.Errorf("a word in a target column: error %v", err)
	}
}
