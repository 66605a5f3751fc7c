package models

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
)

// The training graph's loss and SampleLosses (what the metrics report) are
// one formula: their mean agrees for every loss, from targets as a data set
// holds them, in both precisions.
func TestGraphLossMatchesSampleLosses(t *testing.T) {
	for _, c := range []struct {
		spec    Spec
		targets func(rng *rand.Rand, n int) []float32
	}{
		{Sequential([]int{3}, Dense(4, Softmax)), func(rng *rand.Rand, n int) []float32 { return classIndices(rng, n, 4) }},
		{Sequential([]int{3}, Dense(1, Sigmoid)), func(rng *rand.Rand, n int) []float32 { return classIndices(rng, n, 2) }},
		{Sequential([]int{3}, Dense(1, Step)), func(rng *rand.Rand, n int) []float32 { return classIndices(rng, n, 2) }},
		{Sequential([]int{3}, Dense(3, Sigmoid)), func(rng *rand.Rand, n int) []float32 { return classIndices(rng, 3*n, 2) }},
		{Sequential([]int{3}, Dense(2, Linear)), func(rng *rand.Rand, n int) []float32 { return values(rng, 2*n) }},
		{Spec{Input: []int{3}, Layers: []LayerSpec{Dense(2, ReLU)}, Loss: MAE}, func(rng *rand.Rand, n int) []float32 { return values(rng, 2*n) }},
		{Spec{Input: []int{3}, Layers: []LayerSpec{Dense(2, Linear)}, Loss: Huber}, func(rng *rand.Rand, n int) []float32 { return values(rng, 2*n) }},
	} {
		for _, opts := range [][]Option{nil, {WithFloat64()}} {
			m, err := New(c.spec, append(opts, WithSeed(1))...)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 1))
			const n = 5
			x := make([]float32, n*3)
			for i := range x {
				x[i] = float32(4 * (2*rng.Float64() - 1))
			}
			y := c.targets(rng, n)
			logits, err := m.Logits(x)
			if err != nil {
				t.Fatal(err)
			}
			losses, err := SampleLosses(m.Spec(), logits, y)
			if err != nil {
				t.Fatal(err)
			}
			var want float64
			for _, l := range losses {
				want += l / n
			}
			g := G.NewGraph()
			net, err := m.Forward(g, n, false)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.AddLoss(net); err != nil {
				t.Fatal(err)
			}
			x64, enc := make([]float64, len(x)), make([]float64, n*m.Spec().Units())
			for i, v := range x {
				x64[i] = float64(v)
			}
			EncodeTargets(m.Spec(), y, enc)
			G.Let(net.X, denseOf(m.DType(), net.X.Shape(), x64))
			G.Let(net.Y, denseOf(m.DType(), net.Y.Shape(), enc))
			if err := G.NewTapeMachine(g).RunAll(); err != nil {
				t.Fatal(err)
			}
			var got float64
			switch v := net.Loss.Value().Data().(type) {
			case float32:
				got = float64(v)
			case float64:
				got = v
			}
			if math.Abs(got-want) > 1e-5*math.Max(1, want) {
				t.Errorf("%s (%v): graph loss %v; SampleLosses' mean %v", m.Loss(), m.DType(), got, want)
			}
		}
	}
}

func classIndices(rng *rand.Rand, n, k int) []float32 {
	y := make([]float32, n)
	for i := range y {
		y[i] = float32(rng.IntN(k))
	}
	return y
}

func values(rng *rand.Rand, n int) []float32 {
	y := make([]float32, n)
	for i := range y {
		y[i] = float32(2*rng.Float64() - 1)
	}
	return y
}

// The default loss follows the output activation, and names and aliases
// parse to the Keras names.
func TestLossNamesAndDefaults(t *testing.T) {
	for act, want := range map[string]Loss{Sigmoid: BinaryCrossEntropy, Softmax: CategoricalCrossEntropy,
		Step: PerceptronCriterion, Linear: MSE, ReLU: MSE, Tanh: MSE} {
		if got := DefaultLoss(act); got != want {
			t.Errorf("DefaultLoss(%s) = %s; want %s", act, got, want)
		}
	}
	for name, want := range map[string]Loss{"mse": MSE, "mean_absolute_error": MAE, "Huber": Huber, "bce": BinaryCrossEntropy,
		"sparse_categorical_crossentropy": CategoricalCrossEntropy, "categorical_crossentropy": CategoricalCrossEntropy} {
		if got, err := ParseLoss(name); err != nil || got != want {
			t.Errorf("ParseLoss(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	if _, err := ParseLoss("hinge"); err == nil {
		t.Error("ParseLoss(hinge): no error")
	}
}

// Tasks follow from the loss and the output.
func TestTasks(t *testing.T) {
	for _, tt := range []struct {
		spec    Spec
		task    Task
		classes int
	}{
		{Sequential([]int{2}, Dense(3, Softmax)), Classification, 3},
		{Sequential([]int{2}, Dense(1, Sigmoid)), Classification, 2},
		{Sequential([]int{2}, Dense(4, Sigmoid)), MultiLabel, 0},
		{Sequential([]int{2}, Dense(1, Step)), Classification, 2},
		{Sequential([]int{2}, Dense(2, ReLU)), Regression, 0},
		{Spec{Input: []int{2}, Layers: []LayerSpec{Dense(1, Sigmoid)}, Loss: MSE}, Regression, 0},
		{Sequential([]int{1, 4, 4}, Conv2D(1, 3, Sigmoid).WithPadding(Same)), MultiLabel, 0},
	} {
		m, err := New(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		if s := m.Spec(); s.Task() != tt.task || s.NumClasses() != tt.classes {
			t.Errorf("%s output, loss %s: task %s with %d classes; want %s with %d", s.OutputActivation(), s.Loss, s.Task(), s.NumClasses(), tt.task, tt.classes)
		}
	}
}

// An image-shaped output predicts Units values per sample, after its
// activation.
func TestImageOutputPredict(t *testing.T) {
	m, err := New(Sequential([]int{1, 4, 4}, Conv2D(2, 3, ReLU).WithPadding(Same), Conv2D(1, 3, Sigmoid).WithPadding(Same)), WithSeed(2))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.OutputShape(); len(got) != 3 || got[0] != 1 || got[1] != 4 || got[2] != 4 {
		t.Fatalf("output shape %v; want [1 4 4]", got)
	}
	x := make([]float32, 2*16)
	for i := range x {
		x[i] = float32(i%7) - 3
	}
	z, _ := m.Logits(x)
	p, err := m.Predict(x)
	if err != nil || len(p) != 32 {
		t.Fatalf("Predict: %d values, %v; want 32", len(p), err)
	}
	for i := range p {
		if want := SigmoidOf(float64(z[i])); math.Abs(float64(p[i])-want) > 1e-6 {
			t.Fatalf("output %d = %v; want sigmoid(%v) = %v", i, p[i], z[i], want)
		}
	}
}

// With sample weights, both graphs' loss (dlgo's fused op and Gorgonia's
// ops) is Σ w_i·SampleLosses_i / n.
func TestWeightedGraphLoss(t *testing.T) {
	for _, spec := range []Spec{
		Sequential([]int{3}, Dense(4, Softmax)),
		Sequential([]int{3}, Dense(1, Sigmoid)),
		Sequential([]int{3}, Dense(1, Step)),
		Sequential([]int{3}, Dense(2, Linear)),
		{Input: []int{3}, Layers: []LayerSpec{Dense(2, Linear)}, Loss: Huber},
	} {
		for _, opts := range [][]Option{{WithFloat64()}, {WithFloat64(), WithGorgoniaOps()}, nil} {
			m, err := New(spec, append(opts, WithSeed(2))...)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(3, 1))
			const n = 4
			x := make([]float32, n*3)
			for i := range x {
				x[i] = float32(4 * (2*rng.Float64() - 1))
			}
			var y []float32
			switch m.Spec().Task() {
			case Classification:
				y = classIndices(rng, n, max(2, m.Spec().Units()))
			default:
				y = values(rng, n*m.Spec().Units())
			}
			w := []float64{2, 0.5, 0, 1.5}
			logits, err := m.Logits(x)
			if err != nil {
				t.Fatal(err)
			}
			losses, err := SampleLosses(m.Spec(), logits, y)
			if err != nil {
				t.Fatal(err)
			}
			var want float64
			for i, l := range losses {
				want += w[i] * l / n
			}
			g := G.NewGraph()
			net, err := m.Forward(g, n, false)
			if err != nil {
				t.Fatal(err)
			}
			net.Weights = G.NewVector(g, net.X.Dtype(), G.WithShape(n), G.WithName("weights"))
			if err := m.AddLoss(net); err != nil {
				t.Fatal(err)
			}
			x64, enc := make([]float64, len(x)), make([]float64, n*m.Spec().Units())
			for i, v := range x {
				x64[i] = float64(v)
			}
			EncodeTargets(m.Spec(), y, enc)
			G.Let(net.X, denseOf(m.DType(), net.X.Shape(), x64))
			G.Let(net.Y, denseOf(m.DType(), net.Y.Shape(), enc))
			G.Let(net.Weights, denseOf(m.DType(), net.Weights.Shape(), w))
			if err := G.NewTapeMachine(g).RunAll(); err != nil {
				t.Fatal(err)
			}
			var got float64
			switch v := net.Loss.Value().Data().(type) {
			case float32:
				got = float64(v)
			case float64:
				got = v
			}
			if math.Abs(got-want) > 1e-5*math.Max(1, want) {
				t.Errorf("%s (%v, %d options): weighted graph loss %v; Σ w·SampleLosses / n = %v", m.Loss(), m.DType(), len(opts), got, want)
			}
		}
	}
}
