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

// writeTable writes a CSV with header and rows made by row(i, rng).
func writeTable(t *testing.T, header string, n int, row func(rng *rand.Rand) string) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	var b strings.Builder
	b.WriteString(header + "\n")
	for range n {
		b.WriteString(row(rng) + "\n")
	}
	path := filepath.Join(t.TempDir(), "table.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Several numeric targets: one output each, scored each.
func TestTrainSeveralTargets(t *testing.T) {
	path := writeTable(t, "a,b,sum,diff", 300, func(rng *rand.Rand) string {
		a, b := 2*rng.Float64()-1, 2*rng.Float64()-1
		return fmt.Sprintf("%.4f,%.4f,%.4f,%.4f", a, b, a+b, a-b)
	})
	dir := filepath.Join(t.TempDir(), "run")
	stdout, _, err := runIn(t, context.Background(), "-data", path, "-target", "sum,diff", "-model", "linreg", "-epochs", "300", "-out", dir)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stdout)
	}
	if !strings.Contains(stdout, "per output (validation data):") || !strings.Contains(stdout, "diff") {
		t.Errorf("stdout lacks the per-output table:\n%s", stdout)
	}
	doc := readMetrics(t, dir)
	ts := doc.Targets["validation"]
	if len(ts) != 2 || ts[0].Target != "sum" || ts[1].Target != "diff" {
		t.Fatalf("metrics.json targets = %+v", doc.Targets)
	}
	for _, tm := range ts {
		if tm.Metrics["r2"] < 0.99 {
			t.Errorf("%s: R² %v; want ≥ 0.99 for a linear target", tm.Target, tm.Metrics["r2"])
		}
	}
	m, err := models.Load(filepath.Join(dir, modelFile))
	if err != nil {
		t.Fatal(err)
	}
	if m.Spec().Units() != 2 || strings.Join(m.Spec().Targets, ",") != "sum,diff" {
		t.Errorf("model outputs %d, targets %v", m.Spec().Units(), m.Spec().Targets)
	}
}

// Several 0/1 targets make a multi-label MLP: sigmoid outputs, binary
// cross-entropy, per-label accuracy, precision, recall and F1.
func TestTrainMultiLabel(t *testing.T) {
	path := writeTable(t, "x1,x2,pos1,pos2,both", 400, func(rng *rand.Rand) string {
		a, b := 2*rng.Float64()-1, 2*rng.Float64()-1
		bit := func(c bool) int {
			if c {
				return 1
			}
			return 0
		}
		return fmt.Sprintf("%.4f,%.4f,%d,%d,%d", a, b, bit(a > 0), bit(b > 0), bit(a > 0 && b > 0))
	})
	dir := filepath.Join(t.TempDir(), "run")
	stdout, _, err := runIn(t, context.Background(), "-data", path, "-target", "pos1,pos2,both", "-hidden", "16", "-epochs", "60", "-lr", "0.01", "-out", dir)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stdout)
	}
	if !strings.Contains(stdout, "Task: multi-label classification of pos1, pos2, both") {
		t.Errorf("stdout does not say the task:\n%s", stdout)
	}
	m, err := models.Load(filepath.Join(dir, modelFile))
	if err != nil {
		t.Fatal(err)
	}
	if s := m.Spec(); s.Task() != models.MultiLabel || s.Loss != models.BinaryCrossEntropy || s.Units() != 3 {
		t.Fatalf("task %s, loss %s, %d outputs", s.Task(), s.Loss, s.Units())
	}
	doc := readMetrics(t, dir)
	if acc := doc.Validation["accuracy"]; acc < 0.9 {
		t.Errorf("validation accuracy over the labels %v; want ≥ 0.9", acc)
	}
	for _, tm := range doc.Targets["validation"] {
		for _, k := range []string{"accuracy", "precision", "recall", "f1"} {
			if _, ok := tm.Metrics[k]; !ok {
				t.Errorf("label %s has no %s", tm.Target, k)
			}
		}
	}
	p, err := m.Predict([]float32{0.8, 0.7})
	if err != nil {
		t.Fatal(err)
	}
	if p[0] < 0.5 || p[1] < 0.5 || p[2] < 0.5 {
		t.Errorf("P(labels | 0.8, 0.7) = %v; want all above 0.5", p)
	}
}

// A ReLU output for a positive target, trained with the Huber loss.
func TestTrainReLUOutput(t *testing.T) {
	path := writeTable(t, "size,rooms,price", 300, func(rng *rand.Rand) string {
		s, r := 50+100*rng.Float64(), float64(1+rng.IntN(5))
		return fmt.Sprintf("%.2f,%.0f,%.4f", s, r, 0.02*s+0.3*r)
	})
	dir := filepath.Join(t.TempDir(), "run")
	stdout, _, err := runIn(t, context.Background(), "-data", path, "-target", "price", "-output", "relu", "-loss", "huber",
		"-hidden", "16", "-dropout", "0", "-epochs", "80", "-lr", "0.01", "-out", dir)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stdout)
	}
	if !strings.Contains(stdout, "dense_2 (Dense, relu)") {
		t.Errorf("the summary does not show the ReLU output:\n%s", stdout)
	}
	m, err := models.Load(filepath.Join(dir, modelFile))
	if err != nil {
		t.Fatal(err)
	}
	if m.Loss() != models.Huber || m.Spec().OutputActivation() != models.ReLU {
		t.Errorf("loss %s, output %s", m.Loss(), m.Spec().OutputActivation())
	}
	if r2 := readMetrics(t, dir).Validation["r2"]; r2 < 0.95 {
		t.Errorf("validation R² %v; want ≥ 0.95", r2)
	}
}

// An architecture file: a BatchNorm ConvNet on images, saved, loaded and
// predicting the same.
func TestTrainArchitectureFile(t *testing.T) {
	arch := filepath.Join(t.TempDir(), "arch.json")
	if err := os.WriteFile(arch, []byte(`{
  "name": "tiny-bn",
  "layers": [
    {"type": "dense", "units": 16, "activation": "linear"},
    {"type": "batchnorm"},
    {"type": "activation", "activation": "relu"},
    {"type": "dense", "activation": "softmax"}
  ]
}`), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	stdout, _, err := runIn(t, context.Background(), "-data", "blobs", "-n", "300", "-model", arch, "-epochs", "20", "-lr", "0.01", "-out", dir)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stdout)
	}
	for _, want := range []string{`Model: "tiny-bn"`, "batchnorm_1 (BatchNormalization)", "dense_2 (Dense, softmax)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if acc := readMetrics(t, dir).Validation["accuracy"]; acc < 0.9 {
		t.Errorf("validation accuracy %v; want ≥ 0.9 on blobs", acc)
	}
	m, err := models.Load(filepath.Join(dir, modelFile))
	if err != nil {
		t.Fatal(err)
	}
	mean := m.Param("batchnorm_1/moving_mean").Float64s()
	if mean[0] == 0 && mean[1] == 0 {
		t.Errorf("the running mean was not moved by training: %v", mean)
	}
}

// The same run on Gorgonia's own ops ends at the same place, up to
// rounding.
func TestTrainGorgoniaOps(t *testing.T) {
	final := func(ops string) float64 {
		dir := filepath.Join(t.TempDir(), "run")
		stdout, _, err := runIn(t, context.Background(), "-data", "moons", "-n", "200", "-hidden", "8", "-epochs", "5", "-ops", ops, "-out", dir)
		if err != nil {
			t.Fatalf("run -ops %s: %v\n%s", ops, err, stdout)
		}
		return readMetrics(t, dir).Validation["loss"]
	}
	a, b := final("fused"), final("gorgonia")
	if math.Abs(a-b) > 1e-4*math.Max(1, a) {
		t.Errorf("validation loss %v with the fused ops, %v with Gorgonia's", a, b)
	}
}

func TestTrainVocabularyErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"layers": [{"type": "dense", "unit": 3}]}`), 0o644)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-data", "moons", "-loss", "hinge"}, `unknown loss "hinge"`},
		{[]string{"-data", "moons", "-ops", "blas"}, `-ops "blas"`},
		{[]string{"-data", "moons", "-model", "logreg", "-output", "relu"}, "-output sets"},
		{[]string{"-data", "moons", "-model", bad}, `unknown field "unit"`},
		{[]string{"-data", "moons", "-model", "nope"}, "architecture file"},
		{[]string{"-data", "moons", "-loss", "mse"}, "regression model: use a classification loss"},
	} {
		_, _, err := runIn(t, context.Background(), append(tt.args, "-out", filepath.Join(dir, "run"))...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v; want one containing %q", tt.args, err, tt.want)
		}
	}
}
