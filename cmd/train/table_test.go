package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/models"
)

// messyRow is one row of the test tables: two numbers, a text column and
// an identifier, with a class and a regression target far from zero.
type messyRow struct {
	id, color string
	a, b      float64
	class     string
	price     float64
}

func messyRows(n int) []messyRow {
	r := rand.New(rand.NewPCG(7, 7))
	colors := []string{"red", "green", "blue"}
	rows := make([]messyRow, n)
	for i := range rows {
		a, b := r.Float64()*4, r.Float64()*2
		c := colors[i%3]
		bonus := map[string]float64{"red": 1.5, "green": 0, "blue": -1}[c]
		class := "low"
		if a-b+bonus > 1.5 {
			class = "high"
		}
		rows[i] = messyRow{id: fmt.Sprintf("u%03d", i), color: c, a: a, b: b, class: class,
			price: 2500 + 400*a - 300*b + 500*bonus + 50*r.NormFloat64()}
	}
	return rows
}

// writeStyle writes rows as a program of the given style writes a table.
func writeStyle(t *testing.T, style string, rows []messyRow) string {
	t.Helper()
	var b strings.Builder
	num := func(v float64) string { return fmt.Sprintf("%.3f", v) }
	switch style {
	case "R write.csv": // row names, quoted text, NA
		b.WriteString(`"","id","a","b","color","class","price"` + "\n")
		for i, r := range rows {
			a := num(r.a)
			if i%17 == 3 {
				a = "NA"
			}
			price := num(r.price)
			if i%29 == 5 {
				price = "NA"
			}
			fmt.Fprintf(&b, "\"%d\",%q,%s,%s,%q,%q,%s\n", i+1, r.id, a, num(r.b), r.color, r.class, price)
		}
	case "R write.table": // spaces, the header one name short
		b.WriteString(`"a" "b" "color" "class" "price"` + "\n")
		for i, r := range rows {
			fmt.Fprintf(&b, "\"%d\" %s %s %q %q %s\n", i+1, num(r.a), num(r.b), r.color, r.class, num(r.price))
		}
	case "pandas to_csv": // the index, empty cells for missing values
		b.WriteString(",id,a,b,color,class,price\n")
		for i, r := range rows {
			color := r.color
			if i%13 == 2 {
				color = ""
			}
			fmt.Fprintf(&b, "%d,%s,%s,%s,%s,%s,%s\n", i, r.id, num(r.a), num(r.b), color, r.class, num(r.price))
		}
	case "Excel": // BOM, semicolons, decimal commas, CRLF
		b.WriteString("\xef\xbb\xbfid;a;b;color;class;price\r\n")
		for _, r := range rows {
			c := func(v float64) string { return strings.Replace(num(v), ".", ",", 1) }
			fmt.Fprintf(&b, "%s;%s;%s;%s;%s;%s\r\n", r.id, c(r.a), c(r.b), r.color, r.class, c(r.price))
		}
	case "scikit-learn": // the preamble, no header, class indices
		fmt.Fprintf(&b, "%d,2,high,low\n", len(rows))
		for _, r := range rows {
			k := 0
			if r.class == "low" {
				k = 1
			}
			fmt.Fprintf(&b, "%s,%s,%d\n", num(r.a), num(r.b), k)
		}
	default:
		t.Fatalf("unknown style %q", style)
	}
	path := filepath.Join(t.TempDir(), "table.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Tables as R, pandas, Excel and scikit-learn write them train with no
// flag but -target, and score above fixed thresholds on validation data.
func TestTrainTablesAsWritten(t *testing.T) {
	rows := messyRows(240)
	tests := []struct {
		style, target, metric string
		min                   float64
	}{
		{"R write.csv", "class", "accuracy", 0.85},
		{"R write.csv", "price", "r2", 0.9},
		{"R write.table", "price", "r2", 0.9},
		{"pandas to_csv", "class", "accuracy", 0.85},
		{"Excel", "price", "r2", 0.9},
		{"scikit-learn", "target", "accuracy", 0.75},
	}
	for _, tt := range tests {
		t.Run(tt.style+" "+tt.target, func(t *testing.T) {
			path := writeStyle(t, tt.style, rows)
			dir := filepath.Join(t.TempDir(), "run")
			stdout, stderr, err := runIn(t, context.Background(), "-data", path, "-target", tt.target, "-out", dir)
			if err != nil {
				t.Fatalf("run: %v\n%s\n%s", err, stdout, stderr)
			}
			doc := readMetrics(t, dir)
			if got := doc.Validation[tt.metric]; !(got >= tt.min) {
				t.Errorf("validation %s %.4f; want at least %v\n%s", tt.metric, got, tt.min, stdout)
			}
			if !strings.Contains(stdout, "Table "+path) || !strings.Contains(stdout, "Task: ") {
				t.Errorf("no summary block:\n%s", stdout)
			}
			if strings.Contains(tt.style, "R") && !strings.Contains(stdout, "(row names)") {
				t.Errorf("row names not recognised:\n%s", stdout)
			}
			m, err := models.Load(filepath.Join(dir, modelFile))
			if err != nil {
				t.Fatal(err)
			}
			if m.Spec().Table == nil {
				t.Error("the model file has no table encoding")
			}
			if tt.metric == "r2" {
				if ts := m.Spec().TargetScale; ts == nil || math.Abs(ts.Mean[0]-3080) > 300 {
					t.Errorf("target scale %+v; want the price's mean near 3080", ts)
				}
				if _, err := os.Stat(filepath.Join(dir, "predicted_vs_true.png")); err != nil {
					t.Errorf("no predicted-vs-true plot: %v", err)
				}
			}
		})
	}
}

// A table that cannot be used gets one error naming every offending
// column, with a sample value and the flag that fixes it.
func TestTrainTableOneErrorForAll(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b,c,y\n")
	for i := range 60 {
		a, c := fmt.Sprint(i*3), fmt.Sprint(i*7)
		switch i {
		case 4:
			a = "1.2.3"
		case 8:
			c = "--"
		}
		fmt.Fprintf(&b, "%s,%d,%s,%d\n", a, i%5, c, i%2)
	}
	path := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(path, []byte(b.String()), 0o644)
	_, _, err := runIn(t, context.Background(), "-data", path, "-target", "y", "-out", t.TempDir())
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"2 problems", `column "a": line 6: "1.2.3"`, `-na "1.2.3"`, "-drop a", `column "c": line 10: "--"`, "-drop c"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestTrainFlagMistakes(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-epoch", "3"}, "did you mean -epochs?"},
		{[]string{"-epochs", "0"}, "-epochs 0: leave the flag out"},
		{[]string{"-lr", "0"}, "-lr 0"},
		{[]string{"-data", "moons", "-task", "regression"}, "-task applies to CSV data"},
		{[]string{"-data", "moons", "-model", "linreg"}, "use -model logreg or mlp"},
	} {
		_, _, err := runIn(t, context.Background(), append(tt.args, "-out", t.TempDir())...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v; want %q", tt.args, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "-task regression") && tt.args[1] == "moons" {
			t.Errorf("%v: advice that a synthetic set ignores: %v", tt.args, err)
		}
	}
}
