package onnx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/dlgo/dlgo/models"
)

// inCI says the tools must be there: CI installs them (.ci/run).
var inCI = os.Getenv("CI") != ""

// need skips the test when a tool is missing, except in CI, where it fails.
func need(t *testing.T, what string, ok bool, install string) {
	t.Helper()
	if ok {
		return
	}
	if inCI {
		t.Fatalf("%s is missing in CI; .ci/run installs it: %s", what, install)
	}
	t.Skipf("%s is missing; to run this test: %s", what, install)
}

// exportCase is a model to export, with the input batch to compare on.
type exportCase struct {
	name string
	m    *models.Model
	n    int
}

// exportCases covers every layer type, every activation, and every kind of
// output: softmax and single-sigmoid classifiers with and without class
// names, the perceptron's step, multi-label, regression (flat and image),
// and a float64 model. Layers whose fused ops are not on every branch yet
// run on Gorgonia's ops (the same results).
func exportCases(t *testing.T) []exportCase {
	t.Helper()
	build := func(spec models.Spec, opts ...models.Option) *models.Model {
		t.Helper()
		m, err := models.New(spec, append([]models.Option{models.WithSeed(int64(len(spec.Layers)))}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		randomizeStatistics(m)
		return m
	}
	seq := models.Sequential
	dense, conv := models.Dense, models.Conv2D
	binary := seq([]int{3}, dense(1, models.Sigmoid))
	binary.Classes = []string{"no", "yes"}
	softmax := seq([]int{4}, dense(3, models.Softmax))
	softmax.Classes = []string{"setosa", "versicolor", "virginica"}
	mlp := seq([]int{5}, models.LayerSpec{Type: models.LayerNormalization},
		dense(8, models.ReLU), models.Dropout(0.3), dense(7, models.Tanh), dense(6, models.Sigmoid),
		dense(5, models.LeakyReLU), dense(4, models.Linear), dense(3, models.Softmax))
	convnet, err := models.NewConvNet([]int{1, 12, 12}, 4, models.WithSeed(7))
	if err != nil {
		t.Fatal(err)
	}
	vocabulary := seq([]int{2, 9, 9},
		models.BatchNorm(),
		conv(4, 3, models.LeakyReLU).WithPadding(models.Same).WithStride(2),
		models.MaxPool2D(2).WithStride(1),
		models.Conv2DTranspose(3, 3, 2, models.ReLU).WithPadding(models.Same),
		models.AvgPool2D(3).WithStride(2),
		models.UpSampling2D(3),
		conv(2, 2, models.Sigmoid).WithPadding(1),
		models.Conv2DTranspose(2, 3, 2, models.Tanh).WithPadding(1).WithOutputPadding(1),
		models.Activation(models.Tanh),
		models.Flatten(),
		models.BatchNorm(),
		models.Reshape(2, -1),
		models.Flatten(),
		dense(5, models.Linear),
		models.Activation(models.Softmax))
	autoencoder := seq([]int{16}, dense(16, models.ReLU), models.Reshape(1, 4, 4),
		conv(3, 3, models.ReLU).WithPadding(models.Same), models.UpSampling2D(2),
		models.Conv2DTranspose(1, 3, 1, models.Sigmoid).WithPadding(1))
	autoencoder.Loss = models.MSE
	multilabel := seq([]int{4}, dense(6, models.Tanh), dense(3, models.Sigmoid))
	regression := seq([]int{3}, dense(4, models.ReLU), dense(2, models.Linear))
	perceptron, err := models.NewPerceptron(3, models.WithSeed(3))
	if err != nil {
		t.Fatal(err)
	}
	return []exportCase{
		{"logistic regression, binary", build(binary), 6},
		{"logistic regression, softmax", build(softmax), 5},
		{"mlp, every activation", build(mlp, models.WithGorgoniaOps()), 5},
		{"convnet", convnet, 4},
		{"every image layer", build(vocabulary, models.WithGorgoniaOps()), 3},
		{"autoencoder, image output", build(autoencoder, models.WithGorgoniaOps()), 2},
		{"multi-label", build(multilabel), 5},
		{"regression", build(regression), 5},
		{"perceptron", perceptron, 7},
		{"float64", build(seq([]int{3}, dense(4, models.Tanh), dense(3, models.Softmax)), models.WithFloat64()), 1},
	}
}

// randomizeStatistics gives the normalization and batch normalization
// layers statistics other than their initial zeros and ones, and the
// biases values, so that a parameter used wrongly shows.
func randomizeStatistics(m *models.Model) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, p := range m.Params() {
		if p.Decay {
			continue // kernels are random already
		}
		v := make([]float64, p.Size())
		for i := range v {
			v[i] = rng.Float64() - 0.5
			if base := filepath.Base(p.Name); base == "std" || base == "moving_variance" || base == "gamma" {
				v[i] = 0.5 + rng.Float64()
			}
		}
		p.SetFloat64s(v)
	}
}

func randomInput(m *models.Model, n int) []float32 {
	rng := rand.New(rand.NewPCG(uint64(n), 9))
	x := make([]float32, n*m.InputDim())
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

type ortResult map[string]struct {
	Type string `json:"type"`
	Dims []int  `json:"dims"`
	Data []any  `json:"data"`
}

// runORT runs each exported model in ONNX Runtime on its input.
func runORT(t *testing.T, paths []string, cases []exportCase, inputs [][]float32) []ortResult {
	t.Helper()
	_, err := exec.LookPath("node")
	need(t, "node", err == nil, "apt-get install nodejs npm")
	ort, _ := filepath.Abs(filepath.Join("testdata", "ort"))
	_, err = os.Stat(filepath.Join(ort, "node_modules", "onnxruntime-node"))
	need(t, "onnxruntime-node", err == nil, "npm ci --ignore-scripts --prefix onnx/testdata/ort")
	type job struct {
		Model string    `json:"model"`
		Dims  []int     `json:"dims"`
		Data  []float32 `json:"data"`
	}
	var jobs []job
	for i, c := range cases {
		jobs = append(jobs, job{paths[i], append([]int{c.n}, c.m.InputShape()...), inputs[i]})
	}
	in, _ := json.Marshal(jobs)
	cmd := exec.Command("node", filepath.Join(ort, "run.js"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node run.js: %v\n%s", err, stderr.String())
	}
	var results []ortResult
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("node run.js printed %q: %v", out, err)
	}
	return results
}

// close reports whether got is want to 1e-5, relative for values above 1.
func close(got, want float64) bool {
	return math.Abs(got-want) <= 1e-5*math.Max(1, math.Abs(want))
}

// Every exported model computes in ONNX Runtime what dlgo computes, to
// 1e-5, and passes the onnx package's checker.
func TestONNXRuntimeMatchesDlgo(t *testing.T) {
	cases := exportCases(t)
	dir := t.TempDir()
	var paths []string
	var inputs [][]float32
	for i, c := range cases {
		p := filepath.Join(dir, fmt.Sprintf("model%d.onnx", i))
		x, err := Export(c.m)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if err := x.Save(p); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
		inputs = append(inputs, randomInput(c.m, c.n))
	}
	results := runORT(t, paths, cases, inputs)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := results[i]
			if e, ok := res["error"]; ok {
				t.Fatalf("ONNX Runtime: %v", e)
			}
			x := inputs[i]
			logits, err := c.m.Logits(x)
			if err != nil {
				t.Fatal(err)
			}
			preds, err := c.m.Predict(x)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string][]float32{OutputLogits: logits}
			spec := c.m.Spec()
			switch spec.Task() {
			case models.Regression:
				want[OutputPredictions] = preds
			default:
				want[OutputProbabilities] = preds
			}
			if len(res) != len(want)+map[bool]int{true: 1}[spec.Task() == models.Classification] {
				t.Errorf("outputs %v; want %v and, for a classifier, class", keys(res), keys(want))
			}
			for name, w := range want {
				o, ok := res[name]
				if !ok {
					t.Fatalf("no output %q", name)
				}
				if o.Type != "float32" || len(o.Data) != len(w) || o.Dims[0] != c.n {
					t.Fatalf("output %s: %s of shape %v; want float32 of %d values, batch %d", name, o.Type, o.Dims, len(w), c.n)
				}
				worst := 0.0
				for j, v := range o.Data {
					got := v.(float64)
					if !close(got, float64(w[j])) {
						t.Errorf("output %s[%d] = %v; dlgo says %v", name, j, got, w[j])
					}
					worst = math.Max(worst, math.Abs(got-float64(w[j])))
				}
				t.Logf("%s: largest difference %.2g", name, worst)
			}
			if spec.Task() != models.Classification {
				return
			}
			classes, _ := c.m.PredictClasses(x)
			o := res[OutputClass]
			if o.Type != "string" || len(o.Data) != c.n {
				t.Fatalf("output class: %s %v", o.Type, o.Data)
			}
			for j, cl := range classes {
				w := strconv.Itoa(cl)
				if spec.Classes != nil {
					w = spec.Classes[cl]
				}
				if o.Data[j] != w {
					t.Errorf("class[%d] = %v; dlgo says %q", j, o.Data[j], w)
				}
			}
		})
	}
	t.Run("onnx checker", func(t *testing.T) {
		python := "/usr/bin/python3"
		ok := exec.Command(python, "-c", "import onnx").Run() == nil
		need(t, "python3-onnx", ok, "apt-get install python3-onnx")
		out, err := exec.Command(python, append([]string{filepath.Join("testdata", "check.py")}, paths...)...).CombinedOutput()
		if err != nil {
			t.Errorf("onnx.checker: %v\n%s", err, out)
		}
	})
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
