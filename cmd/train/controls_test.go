package main

import (
	"context"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// learningRates returns the learning_rate column of a run's history.
func learningRates(t *testing.T, dir string) []float64 {
	t.Helper()
	rows := readCSV(t, filepath.Join(dir, historyFile))
	col := -1
	for j, name := range rows[0] {
		if name == "learning_rate" {
			col = j
		}
	}
	if col < 0 {
		t.Fatalf("history.csv has no learning_rate: %v", rows[0])
	}
	var out []float64
	for _, r := range rows[1:] {
		v, err := strconv.ParseFloat(r[col], 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// Each schedule's rate per epoch, as history.csv records it, against its
// formula.
func TestLearningRateSchedules(t *testing.T) {
	for _, tt := range []struct {
		args []string
		rate func(e int) float64
	}{
		{[]string{"-lr-schedule", "step", "-lr-step", "2", "-lr-factor", "0.5"}, func(e int) float64 { return 0.01 * math.Pow(0.5, float64((e-1)/2)) }},
		{[]string{"-lr-schedule", "step"}, func(e int) float64 { return 0.01 * math.Pow(0.1, float64((e-1)/2)) }}, // a third of 6 epochs
		{[]string{"-lr-schedule", "cosine", "-lr-min", "0.001"}, func(e int) float64 {
			return 0.001 + (0.01-0.001)*(1+math.Cos(math.Pi*float64(e-1)/6))/2
		}},
	} {
		dir := filepath.Join(t.TempDir(), "run")
		if _, _, err := runIn(t, context.Background(), append([]string{"-data", "moons", "-n", "100", "-epochs", "6", "-lr", "0.01", "-out", dir}, tt.args...)...); err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		for i, got := range learningRates(t, dir) {
			if want := tt.rate(i + 1); math.Abs(got-want) > 1e-7*want {
				t.Errorf("%v: epoch %d trained at %v; the formula gives %v", tt.args, i+1, got, want)
			}
		}
	}
	// The plateau schedule prints Keras' messages.
	dir := filepath.Join(t.TempDir(), "run")
	out, _, err := runIn(t, context.Background(), "-data", "moons", "-n", "100", "-epochs", "40", "-lr", "0.05", "-hidden", "32",
		"-lr-schedule", "plateau", "-lr-patience", "2", "-lr-factor", "0.5", "-out", dir)
	if err != nil {
		t.Fatal(err)
	}
	lr := learningRates(t, dir)
	if lr[0] != 0.05 || lr[len(lr)-1] >= 0.05 || !strings.Contains(out, "ReduceLROnPlateau reducing learning rate to 0.025.") {
		t.Errorf("plateau: rates %v, output lacks Keras' message:\n%s", lr, out)
	}
}

// -class-weight: balanced, or by class name; mistakes are errors that say
// what is wrong.
func TestClassWeightFlag(t *testing.T) {
	tmp := t.TempDir()
	csv := irisLike(t, tmp, "iris.csv", 60, 0)
	for _, w := range []string{"balanced", "setosa=2,virginica=0.5"} {
		dir := filepath.Join(tmp, "run-"+w[:3])
		if _, _, err := runIn(t, context.Background(), "-data", csv, "-epochs", "3", "-patience", "0", "-class-weight", w, "-out", dir); err != nil {
			t.Errorf("-class-weight %s: %v", w, err)
			continue
		}
		if doc := readMetrics(t, dir); doc.Settings.ClassWeight != w {
			t.Errorf("metrics.json settings: class weight %q; want %q", doc.Settings.ClassWeight, w)
		}
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-data", csv, "-class-weight", "rose=2"}, "rose is not one of the classes setosa, versicolor, virginica"},
		{[]string{"-data", csv, "-class-weight", "setosa=-1"}, "non-negative"},
		{[]string{"-data", csv, "-class-weight", "setosa"}, "is not class=weight"},
		{[]string{"-data", "linear", "-model", "linreg", "-class-weight", "balanced"}, "classes of a classifier"},
		{[]string{"-data", "moons", "-lr-schedule", "linear"}, `-lr-schedule "linear"`},
		{[]string{"-data", "moons", "-lr-step", "3"}, "choose one with -lr-schedule"},
		{[]string{"-data", "moons", "-lr-schedule", "step", "-lr-factor", "2"}, "-lr-factor 2"},
		{[]string{"-data", "moons", "-lr-schedule", "cosine", "-lr-min", "1"}, "-lr-min 1"},
		{[]string{"-data", "moons", "-clip", "-1"}, "-clip -1"},
		{[]string{"-data", "moons", "-keep", "first"}, `-keep "first"`},
	} {
		_, _, err := runIn(t, context.Background(), append(tt.args, "-epochs", "1", "-out", filepath.Join(t.TempDir(), "run"))...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v; want an error containing %q", tt.args, err, tt.want)
		}
	}
}

// -keep best ends with the best epoch's weights and says so; -keep last
// with the last epoch's.
func TestKeepFlag(t *testing.T) {
	for _, keep := range []string{"best", "last"} {
		dir := filepath.Join(t.TempDir(), "run")
		if _, _, err := runIn(t, context.Background(), "-data", "moons", "-n", "200", "-epochs", "30", "-lr", "0.05", "-keep", keep, "-out", dir); err != nil {
			t.Fatal(err)
		}
		doc := readMetrics(t, dir)
		rows := readCSV(t, filepath.Join(dir, historyFile))
		col := 0
		for j, n := range rows[0] {
			if n == "val_loss" {
				col = j
			}
		}
		best, bestEpoch := math.Inf(1), 0
		for i, r := range rows[1:] {
			if v, _ := strconv.ParseFloat(r[col], 64); v < best {
				best, bestEpoch = v, i+1
			}
		}
		want := 30
		if keep == "best" {
			want = bestEpoch
		}
		if doc.Kept != keep || doc.KeptEpoch != want {
			t.Errorf("-keep %s: metrics.json says kept %q epoch %d; want epoch %d", keep, doc.Kept, doc.KeptEpoch, want)
		}
		// The model's validation loss is that epoch's.
		if got := doc.Validation["loss"]; math.Abs(got-mustFloat(t, rows[want][col])) > 1e-6 {
			t.Errorf("-keep %s: the saved model's val_loss %v is not epoch %d's %s", keep, got, want, rows[want][col])
		}
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
