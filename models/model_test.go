package models

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestNewRejectsBadSpecs(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"no layers", Spec{Input: []int{2}}, "no layers"},
		{"no input", Spec{Layers: []LayerSpec{Dense(1, Linear)}}, "input shape"},
		{"zero input", Spec{Input: []int{0}, Layers: []LayerSpec{Dense(1, Linear)}}, "input shape"},
		{"zero units", Spec{Input: []int{2}, Layers: []LayerSpec{Dense(0, Linear)}}, "at least 1 unit"},
		{"unknown activation", Spec{Input: []int{2}, Layers: []LayerSpec{Dense(3, "swish"), Dense(1, Linear)}}, `"swish"`},
		{"softmax hidden", Spec{Input: []int{2}, Layers: []LayerSpec{Dense(3, Softmax), Dense(1, Linear)}}, "output activation"},
		{"unknown output", Spec{Input: []int{2}, Layers: []LayerSpec{Dense(1, "swish")}}, "output activation"},
		{"step 2 units", Spec{Input: []int{2}, Layers: []LayerSpec{Dense(2, Step)}}, "1 unit"},
		{"softmax 1 unit", Spec{Input: []int{2}, Layers: []LayerSpec{Dense(1, Softmax)}}, "at least 2 units"},
		{"softmax image", Spec{Input: []int{1, 3, 3}, Layers: []LayerSpec{Conv2D(2, 1, Softmax)}}, "flat output"},
		{"bce on linear", Spec{Input: []int{2}, Loss: BinaryCrossEntropy, Layers: []LayerSpec{Dense(1, Linear)}}, "sigmoid output"},
		{"cce on sigmoid", Spec{Input: []int{2}, Loss: CategoricalCrossEntropy, Layers: []LayerSpec{Dense(3, Sigmoid)}}, "softmax output"},
		{"mse on step", Spec{Input: []int{2}, Loss: MSE, Layers: []LayerSpec{Dense(1, Step)}}, "perceptron"},
		{"unknown loss", Spec{Input: []int{2}, Loss: "hinge", Layers: []LayerSpec{Dense(1, Linear)}}, `unknown loss "hinge"`},
		{"dropout rate 1", Spec{Input: []int{2}, Layers: []LayerSpec{{Type: LayerDropout, Rate: 1}, Dense(1, Linear)}}, "dropout rate"},
		{"unknown type", Spec{Input: []int{2}, Layers: []LayerSpec{{Type: "lstm"}, Dense(1, Linear)}}, `"lstm"`},
		{"field of another type", Spec{Input: []int{2}, Layers: []LayerSpec{{Type: LayerDense, Units: 2, Filters: 3}}}, `no "filters" setting`},
		{"dense on image", Spec{Input: []int{1, 4, 4}, Layers: []LayerSpec{Dense(1, Linear)}}, "flatten"},
		{"conv on vector", Spec{Input: []int{4}, Layers: []LayerSpec{{Type: LayerConv2D, Filters: 1, Kernel: 1}, Dense(1, Linear)}}, "channels"},
		{"kernel too big", Spec{Input: []int{1, 2, 2}, Layers: []LayerSpec{{Type: LayerConv2D, Filters: 1, Kernel: 3}, {Type: LayerFlatten}, Dense(1, Linear)}}, "does not fit"},
		{"pool too big", Spec{Input: []int{1, 2, 2}, Layers: []LayerSpec{{Type: LayerMaxPool2D, Kernel: 3}, {Type: LayerFlatten}, Dense(1, Linear)}}, "does not fit"},
		{"same with an even kernel", Spec{Input: []int{1, 4, 4}, Layers: []LayerSpec{Conv2D(1, 2, ReLU).WithPadding(Same)}}, "odd kernel"},
		{"class names", Spec{Input: []int{2}, Classes: []string{"a", "b", "c"}, Layers: []LayerSpec{Dense(1, Sigmoid)}}, "class names"},
		{"class names for regression", Spec{Input: []int{2}, Classes: []string{"a", "b"}, Layers: []LayerSpec{Dense(1, Linear)}}, "regression model: use a classification loss"},
		{"feature names", Spec{Input: []int{2}, Features: []string{"a"}, Layers: []LayerSpec{Dense(1, Linear)}}, "feature names"},
		{"dtype", Spec{DType: "int8", Input: []int{2}, Layers: []LayerSpec{Dense(1, Linear)}}, "dtype"},
		{"duplicate names", Spec{Input: []int{2}, Layers: []LayerSpec{Dense(3, ReLU).WithName("hidden"), Dense(1, Linear).WithName("hidden")}}, `layers 1 and 2 are both named "hidden"`},
		{"bad name", Spec{Input: []int{2}, Layers: []LayerSpec{Dense(1, Linear).WithName("../x")}}, `layer name "../x"`},
	}
	for _, tt := range tests {
		_, err := New(tt.spec)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: New error = %v; want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestSeedDecidesInitialWeights(t *testing.T) {
	build := func(seed int64) []float64 {
		m, err := NewMLP(3, []Hidden{{Units: 4, Activation: ReLU}}, MulticlassOutput(3), WithSeed(seed))
		if err != nil {
			t.Fatal(err)
		}
		var all []float64
		for _, p := range m.Params() {
			all = append(all, p.Float64s()...)
		}
		return all
	}
	a, b, c := build(1), build(1), build(2)
	if !slices.Equal(a, b) {
		t.Error("two models with seed 1 have different weights")
	}
	if slices.Equal(a, c) {
		t.Error("models with seeds 1 and 2 have the same weights")
	}
}

// Kernels start with the documented scale and biases at zero.
func TestInitialisation(t *testing.T) {
	m, err := NewMLP(400, []Hidden{{Units: 300, Activation: ReLU}, {Units: 300, Activation: Tanh}}, RegressionOutput(1), WithSeed(4))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		limit float64 // the uniform distribution's bound
	}{
		{"dense_1/kernel", math.Sqrt(6.0 / 400)},         // He
		{"dense_2/kernel", math.Sqrt(6.0 / (300 + 300))}, // Glorot
	} {
		v := m.Param(tt.name).Float64s()
		var ss, mx float64
		for _, x := range v {
			ss += x * x
			mx = math.Max(mx, math.Abs(x))
		}
		std, want := math.Sqrt(ss/float64(len(v))), tt.limit/math.Sqrt(3)
		if math.Abs(std-want) > 0.02*want || mx > tt.limit {
			t.Errorf("%s: std %.4f, max %.4f; want std %.4f, max ≤ %.4f", tt.name, std, mx, want, tt.limit)
		}
	}
	if b := m.Param("dense_1/bias").Float64s(); slices.ContainsFunc(b, func(x float64) bool { return x != 0 }) {
		t.Error("dense_1/bias is not zero at initialisation")
	}
}

func TestParamsNamesAndCount(t *testing.T) {
	m, err := NewMLP(784, []Hidden{{Units: 128, Activation: ReLU, Dropout: 0.2}, {Units: 64, Activation: ReLU}}, MulticlassOutput(10))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range m.Params() {
		names = append(names, p.Name)
		if p.Decay != strings.HasSuffix(p.Name, "/kernel") {
			t.Errorf("%s: Decay = %v; want true for kernels only", p.Name, p.Decay)
		}
	}
	want := []string{"dense_1/kernel", "dense_1/bias", "dense_2/kernel", "dense_2/bias", "dense_3/kernel", "dense_3/bias"}
	if !slices.Equal(names, want) {
		t.Errorf("param names = %v; want %v", names, want)
	}
	if tr, fixed := m.ParamCount(); tr != 109386 || fixed != 0 {
		t.Errorf("ParamCount = %d, %d; want 109386, 0", tr, fixed)
	}
}

func TestSummaryGolden(t *testing.T) {
	m, err := NewConvNet([]int{1, 28, 28}, 10)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Summary(&buf); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "convnet_summary.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if buf.String() != string(want) {
		t.Errorf("Summary =\n%s\nwant\n%s", buf.String(), want)
	}
	// Keras reports 34,826 parameters for this model.
	if !strings.Contains(buf.String(), "Total params: 34,826") {
		t.Errorf("Summary does not report Keras' 34,826 parameters")
	}
}

func TestPredictOutputs(t *testing.T) {
	x := []float32{0.5, -1, 2, 0.1, -3, 0.7}
	t.Run("softmax", func(t *testing.T) {
		m, _ := NewLogisticRegression(2, 3, WithSeed(1))
		p, err := m.Predict(x)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != 9 {
			t.Fatalf("Predict gave %d values; want 3 samples × 3 classes", len(p))
		}
		classes, _ := m.PredictClasses(x)
		for s := range 3 {
			row := p[3*s : 3*s+3]
			if sum := row[0] + row[1] + row[2]; math.Abs(float64(sum)-1) > 1e-6 {
				t.Errorf("sample %d: probabilities sum to %v", s, sum)
			}
			if classes[s] != argmax(row) {
				t.Errorf("sample %d: class %d is not the most probable of %v", s, classes[s], row)
			}
		}
	})
	t.Run("sigmoid", func(t *testing.T) {
		m, _ := NewLogisticRegression(2, 2, WithSeed(1))
		p, _ := m.Predict(x)
		z, _ := m.Logits(x)
		classes, _ := m.PredictClasses(x)
		for s := range 3 {
			want := 1 / (1 + math.Exp(-float64(z[s])))
			if math.Abs(float64(p[2*s+1])-want) > 1e-6 || math.Abs(float64(p[2*s]+p[2*s+1])-1) > 1e-6 {
				t.Errorf("sample %d: probabilities %v; want [%v %v]", s, p[2*s:2*s+2], 1-want, want)
			}
			if (classes[s] == 1) != (want >= 0.5) {
				t.Errorf("sample %d: class %d for P(1) = %v", s, classes[s], want)
			}
		}
	})
	t.Run("regression", func(t *testing.T) {
		m, _ := NewLinearRegression(2, 1)
		if _, err := m.PredictClasses(x); err == nil {
			t.Error("PredictClasses on a regression model: no error")
		}
	})
	t.Run("bad input size", func(t *testing.T) {
		m, _ := NewLinearRegression(2, 1)
		for _, bad := range [][]float32{nil, {1, 2, 3}} {
			if _, err := m.Predict(bad); err == nil || !strings.Contains(err.Error(), "whole number of samples") {
				t.Errorf("Predict(%v) error = %v; want a size error", bad, err)
			}
		}
	})
}

func TestSoftmaxInPlaceIsStable(t *testing.T) {
	row := []float32{1000, 0, -1000}
	SoftmaxInPlace(row)
	if row[0] != 1 || row[1] != 0 || row[2] != 0 {
		t.Errorf("SoftmaxInPlace([1000 0 -1000]) = %v; want [1 0 0]", row)
	}
	if s := SigmoidOf(-1000); s != 0 || math.IsNaN(SigmoidOf(1000)) {
		t.Errorf("SigmoidOf overflowed: %v %v", s, SigmoidOf(1000))
	}
}

func TestInferBatch(t *testing.T) {
	mlp, _ := NewMLP(784, []Hidden{{Units: 128}, {Units: 64}}, MulticlassOutput(10))
	conv, _ := NewConvNet([]int{1, 28, 28}, 10)
	if b := mlp.inferBatch(); b != 1024 {
		t.Errorf("MLP inference batch %d; want 1024", b)
	}
	if b := conv.inferBatch(); b != 128 {
		t.Errorf("ConvNet inference batch %d; want 128", b)
	}
}

// Partial batches of many sizes predict correctly and keep few graphs.
func TestInferGraphCacheIsBounded(t *testing.T) {
	m, _ := NewMLP(3, []Hidden{{Units: 4, Activation: Tanh}}, RegressionOutput(1), WithSeed(2))
	x := make([]float32, 3*40)
	for i := range x {
		x[i] = float32(i%7) - 3
	}
	all, _ := m.Logits(x)
	for n := 1; n <= 40; n++ {
		got, err := m.Logits(x[:3*n])
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, all[:n]) {
			t.Fatalf("%d samples: logits differ from the same samples in a larger batch", n)
		}
	}
	if n, v := m.graphs.stats(); n > maxGraphs || v > m.graphs.budget {
		t.Errorf("%d inference graphs of %d values kept; want at most %d of %d", n, v, maxGraphs, m.graphs.budget)
	}
}
