package tabular

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/datasets"
)

func prepare(t *testing.T, text string, opts Options) (*Table, *Plan) {
	t.Helper()
	tab := read(t, text, ReadOptions{})
	p, err := Prepare(tab, opts)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	return tab, p
}

func TestPrepareTargetKinds(t *testing.T) {
	rows := func(labels ...string) string {
		var b strings.Builder
		b.WriteString("x,y\n")
		for i, l := range labels {
			b.WriteString(strings.Repeat("1", 1+i%3) + "," + l + "\n")
		}
		return b.String()
	}
	repeat := func(n int, vs ...string) []string {
		var out []string
		for range n {
			out = append(out, vs...)
		}
		return out
	}
	many := make([]string, 60)
	for i := range many {
		many[i] = strconv.Itoa(7 * i)
	}
	tests := []struct {
		name    string
		labels  []string
		kind    datasets.TargetKind
		classes []string
	}{
		{"text labels", repeat(3, "b", "a"), datasets.AutoTarget, []string{"a", "b"}},
		{"few integers", repeat(5, "1", "2", "3"), datasets.AutoTarget, []string{"1", "2", "3"}},
		{"numeric labels compare as numbers", repeat(5, "1", "1.0", "01", "10", "2"), datasets.AutoTarget, []string{"1", "2", "10"}},
		{"integers with too few rows per value", repeat(1, "1", "2", "3", "4"), datasets.AutoTarget, nil},
		{"many integers", many, datasets.AutoTarget, nil},
		{"fractions", repeat(5, "0.5", "1.5"), datasets.AutoTarget, nil},
		{"fractions as classes", repeat(5, "0.5", "1.5"), datasets.Categorical, []string{"0.5", "1.5"}},
		{"integers regressed", repeat(5, "1", "2"), datasets.Numeric, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, p := prepare(t, rows(tt.labels...), Options{Kind: tt.kind})
			if !slices.Equal(p.Classes, tt.classes) {
				t.Errorf("classes %q; want %q (rule %q)", p.Classes, tt.classes, p.Rule)
			}
			if p.Rule == "" {
				t.Error("no rule")
			}
		})
	}
}

func TestPrepareColumns(t *testing.T) {
	text := "\"\",id,name,color,size,y\n" +
		"1,10,ann,red,1.5,a\n" +
		"2,11,bob,NA,,b\n" +
		"3,12,cy,blue,3.5,a\n" +
		"4,13,dee,red,2,NA\n" +
		"5,14,eve,red,?,b\n"
	tab, p := prepare(t, text, Options{Drop: []string{"id"}})
	if !slices.Equal(p.Rows, []int{0, 1, 2, 4}) {
		t.Errorf("rows %v; want the 4 with a target", p.Rows)
	}
	if !slices.Equal(p.Labels, []int{0, 1, 0, 1}) {
		t.Errorf("labels %v", p.Labels)
	}
	e := p.Fit(nil)
	got := map[string]Column{}
	for _, c := range e.Columns {
		got[c.Name] = c
	}
	for name, want := range map[string]Column{
		"":      {Name: "", Kind: Dropped, Why: "row names"},
		"id":    {Name: "id", Kind: Dropped, Why: "-drop"},
		"name":  {Name: "name", Kind: Dropped, Why: "identifier: every value is distinct"},
		"color": {Name: "color", Kind: Category, Categories: []string{"blue", "red"}, Fill: "red"},
		"size":  {Name: "size", Kind: Number, Fill: "2.5"}, // the median of 1.5 and 3.5
	} {
		if g := got[name]; g.Kind != want.Kind || g.Why != want.Why || g.Fill != want.Fill || !slices.Equal(g.Categories, want.Categories) {
			t.Errorf("column %q: %+v; want %+v", name, g, want)
		}
	}
	if p.MissingCounts["color"] != 1 || p.MissingCounts["size"] != 2 {
		t.Errorf("missing counts %v", p.MissingCounts)
	}
	if f := e.Features(); !slices.Equal(f, []string{"color=blue", "color=red", "size"}) {
		t.Errorf("features %q", f)
	}
	// Statistics come from the rows given: rows 0 and 2 only.
	e = p.Fit([]int{0, 2})
	if e.Columns[4].Fill != "2.5" || e.Columns[3].Fill != "blue" && e.Columns[3].Fill != "red" {
		t.Errorf("fitted on two rows: %+v", e.Columns)
	}
	out, err := p.Fit(nil).Encode(tab)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{0, 1, 1.5, 0, 1, 2.5, 1, 0, 3.5, 0, 1, 2, 0, 1, 2.5}
	if !slices.Equal(out.All.X, want) {
		t.Errorf("X %v; want %v", out.All.X, want)
	}
	if out.Labelled.Len() != 4 || !slices.Equal(out.Labelled.Y, []float32{0, 1, 0, 1}) || !slices.Equal(out.LabelledRows, []int{0, 1, 2, 4}) {
		t.Errorf("labelled %v %v", out.Labelled.Y, out.LabelledRows)
	}
	if out.Imputed["color"] != 1 || out.Imputed["size"] != 2 {
		t.Errorf("imputed %v", out.Imputed)
	}
	var sum strings.Builder
	if err := p.WriteSummary(&sum, p.Fit(nil)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"target    y ", "2 classes: a, b", "(row names)", "not used: -drop", "identifier", "category, one-hot: 2 inputs (blue, red); 1 missing, imputed with the training most frequent red", "2 missing, imputed with the training median 2.5", "1 rows left out"} {
		if !strings.Contains(sum.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, sum.String())
		}
	}
}

// Every problem of a table is in one error, each with a sample value and
// the flag that fixes it.
func TestPrepareReportsEveryProblem(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b,c,y\n")
	for i := range 40 {
		a, c := strconv.Itoa(3*i)+".5", strconv.Itoa(2*i)
		switch i {
		case 7:
			a = "oops"
		case 9:
			c = "n.a."
		}
		b.WriteString(a + ",x," + c + "," + string(rune('a'+i%2)) + "\n")
	}
	tab := read(t, b.String(), ReadOptions{})
	_, err := Prepare(tab, Options{Drop: []string{"nope"}})
	if err == nil || !strings.Contains(err.Error(), `-drop names "nope"`) {
		t.Fatalf("unknown -drop: %v", err)
	}
	_, err = Prepare(tab, Options{})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"2 problems", `column "a": line 9: "oops" is not a number`, `-na "oops"`, "-drop a", `column "c": line 11: "n.a."`, "-drop c"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	_, err = Prepare(read(t, "a,y\n1,x\nNA,y\n,x\n", ReadOptions{}), Options{Strict: true})
	if err == nil || !strings.Contains(err.Error(), `column "a": line 3: missing value "NA" (and 1 more)`) || !strings.Contains(err.Error(), "-missing error") {
		t.Errorf("strict: %v", err)
	}
}

func TestEncodeByName(t *testing.T) {
	_, p := prepare(t, "x,color,y\n1,red,a\n2,blue,b\n3,red,a\n4,blue,b\n", Options{})
	e := p.Fit(nil)
	// The encoding survives JSON, as in a model file.
	js, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var back Encoding
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if err := back.Check(e.Features(), []string{"y"}, []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	// Reordered, an extra column, no target, an unseen category, a gap.
	in := read(t, "extra,color,x\nq,blue,5\nq,green,6\nq,red,\n", ReadOptions{})
	out, err := back.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{5, 1, 0, 6, 0, 0, 2.5, 0, 1}; !slices.Equal(out.All.X, want) {
		t.Errorf("X %v; want %v", out.All.X, want)
	}
	if out.Labelled != nil || len(out.Warnings) != 1 || !strings.Contains(out.Warnings[0], `line 3: column "color": category "green" was not seen in training`) {
		t.Errorf("labelled %v, warnings %q", out.Labelled, out.Warnings)
	}
	// With the target, some missing.
	out, err = back.Encode(read(t, "y,color,x\nb,blue,5\n,red,1\n", ReadOptions{}))
	if err != nil || !slices.Equal(out.LabelledRows, []int{0}) || !slices.Equal(out.Labelled.Y, []float32{1}) || out.All.Len() != 2 {
		t.Errorf("with targets: %v %+v", err, out)
	}
	for text, want := range map[string]string{
		"color\nred\n":          `has no column "x"; the model needs the columns "x", "color"`,
		"x,color,y\n1,red,c\n":  `unknown class "c"`,
		"x,color,y\n1,red,a\n2": "has 1 fields",
	} {
		tab, err := Read(strings.NewReader(text), "in.csv", ReadOptions{Comma: ','})
		if err == nil {
			_, err = back.Encode(tab)
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Encode(%q) error %v; want %q", text, err, want)
		}
	}
	// Rows as a server receives them: JSON objects keyed by column name.
	recs := []map[string]any{{"x": 2.0, "color": "red"}, {"color": "blue", "x": nil}}
	rt, err := FromRecords("request", recs)
	if err != nil {
		t.Fatal(err)
	}
	out, err = back.Encode(rt)
	if err != nil || !slices.Equal(out.All.X, []float32{2, 0, 1, 2.5, 1, 0}) {
		t.Errorf("records: %v %v", err, out.All.X)
	}
}
