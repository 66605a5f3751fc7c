package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/tabular"
	"github.com/dlgo/dlgo/trainers"
)

// tableModel trains a classifier on a table with a number, a text column
// and row names, and saves it with its encoding in dir/model.dlgo.
func tableModel(t *testing.T, dir string) {
	t.Helper()
	var b strings.Builder
	b.WriteString(`"","size","color","kind"` + "\n")
	for i := range 60 {
		size := float64(i%10) / 2
		color := []string{"red", "blue"}[i%2]
		kind := "small"
		if size > 2 {
			kind = "big"
		}
		fmt.Fprintf(&b, "\"%d\",%g,%q,%q\n", i+1, size, color, kind)
	}
	tab, err := tabular.Read(strings.NewReader(b.String()), "train.csv", tabular.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := tabular.Prepare(tab, tabular.Options{})
	if err != nil {
		t.Fatal(err)
	}
	enc := plan.Fit(nil)
	out, err := enc.Encode(tab)
	if err != nil {
		t.Fatal(err)
	}
	d := out.Labelled
	st, err := datasets.FitStandardizer(d)
	if err != nil {
		t.Fatal(err)
	}
	m, err := models.NewLogisticRegression(d.Dim(), len(d.Classes), models.WithSeed(1), models.WithDataInfo(d),
		models.WithStandardizer(st), models.WithTable(enc))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := trainers.Fit(t.Context(), m, d, trainers.Config{Epochs: 200, Optimizer: trainers.Adam{LearningRate: 0.05}}); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(filepath.Join(dir, "model.dlgo")); err != nil {
		t.Fatal(err)
	}
}

// A model trained on a table reads rows by column name: any order, extra
// columns ignored, the target optional and allowed to be missing, and the
// run directory names the model.
func TestTableByColumnName(t *testing.T) {
	dir := t.TempDir()
	tableModel(t, dir)
	in := writeFile(t, dir, "in.csv", "name;extra;color;size;kind\r\nann;x;blue;4;big\r\nbob;y;red;0,5;NA\r\ncy;z;mauve;;small\r\n")
	stdout, stderr, err := runInfer(t, "-model", dir, "-data", in, "-id", "name")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if lines[0] != "sample,name,predicted,p_big,p_small" || len(lines) != 4 {
		t.Fatalf("output:\n%s", stdout)
	}
	for i, want := range []string{"1,ann,big,", "2,bob,small,", "3,cy,"} {
		if !strings.HasPrefix(lines[i+1], want) {
			t.Errorf("row %d: %q; want it to start %q", i+1, lines[i+1], want)
		}
	}
	if !strings.Contains(stderr, `category \"mauve\" was not seen in training`) || !strings.Contains(stderr, "1 of 3 rows have no target value") {
		t.Errorf("stderr lacks the warnings:\n%s", stderr)
	}
	// -eval keeps the rows with a target.
	stdout = mustRun(t, "-model", filepath.Join(dir, "model.dlgo"), "-data", in, "-eval")
	if !strings.Contains(stdout, "samples  2\n") {
		t.Errorf("-eval:\n%s", stdout)
	}
	// A missing feature column names every missing column at once.
	err = runError(t, "-model", dir, "-data", writeFile(t, dir, "bad.csv", "kind,other\nbig,1\n"))
	if !strings.Contains(err.Error(), `has no column "size", "color"`) {
		t.Errorf("missing columns: %v", err)
	}
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	if err := runError(t, "-model", empty, "-data", in); !strings.Contains(err.Error(), "is a directory without a model.dlgo") {
		t.Errorf("empty directory: %v", err)
	}
}

// R's row names (write.csv's column with an empty header name) are copied
// into the output as "row_name" without -id; -id chooses another column.
func TestTableRowNames(t *testing.T) {
	dir := t.TempDir()
	tableModel(t, dir)
	in := writeFile(t, dir, "in.csv", "\"\",\"size\",\"color\",\"who\"\n\"Mazda RX4\",4,\"blue\",\"ann\"\n\"Valiant\",0.5,\"red\",\"bob\"\n")
	stdout, stderr, err := runInfer(t, "-model", dir, "-data", in)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if lines[0] != "sample,row_name,predicted,p_big,p_small" || !strings.HasPrefix(lines[1], "1,Mazda RX4,big,") || !strings.HasPrefix(lines[2], "2,Valiant,small,") {
		t.Errorf("output:\n%s", stdout)
	}
	stdout = mustRun(t, "-model", dir, "-data", in, "-id", "who")
	if lines := strings.Split(stdout, "\n"); lines[0] != "sample,who,predicted,p_big,p_small" || !strings.HasPrefix(lines[1], "1,ann,") {
		t.Errorf("with -id who:\n%s", stdout)
	}
}
