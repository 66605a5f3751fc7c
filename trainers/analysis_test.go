package trainers

import (
	"math"
	"testing"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
)

// The closed form and gradient descent agree, with and without a
// normalization layer, and nothing is better than the closed form.
func TestLeastSquares(t *testing.T) {
	d, _ := datasets.Linear(150, 2, 0.5, 9)
	st, _ := datasets.FitStandardizer(d)
	for _, opts := range [][]models.Option{{models.WithFloat64()}, {models.WithFloat64(), models.WithStandardizer(st)}} {
		exact := mustModel(t)(models.NewLinearRegression(2, 1, opts...))
		if err := LeastSquares(exact, d); err != nil {
			t.Fatal(err)
		}
		gd := mustModel(t)(models.NewLinearRegression(2, 1, opts...))
		fit(t, gd, d, Config{Optimizer: GD{LearningRate: 0.1}, Epochs: 3000})
		le, _ := Evaluate(exact, d)
		lg, _ := Evaluate(gd, d)
		if lg["loss"] < le["loss"]-1e-9 || lg["loss"]-le["loss"] > 1e-6 {
			t.Errorf("MSE: closed form %v, gradient descent %v; want equal, the closed form no worse", le["loss"], lg["loss"])
		}
	}
	mlp := mustModel(t)(models.NewMLP(2, []models.Hidden{{Units: 3}}, models.RegressionOutput(1)))
	if err := LeastSquares(mlp, d); err == nil {
		t.Error("LeastSquares on an MLP: no error")
	}
}

func TestGradientNorms(t *testing.T) {
	d := datasets.Moons(64, 0.1, 1)
	m := mustModel(t)(models.NewMLP(2, []models.Hidden{{Units: 8, Activation: models.Sigmoid, Dropout: 0.5}, {Units: 8, Activation: models.Sigmoid}}, models.BinaryOutput(), models.WithFloat64(), models.WithSeed(2)))
	norms, err := GradientNorms(m, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(norms) != 6 {
		t.Fatalf("%d norms; want one per trainable parameter: %v", len(norms), norms)
	}
	// Check one against a finite difference of the loss along the gradient:
	// d/dε L(w - ε·g) at 0 is -|g|².
	p := m.Param("dense_1/bias")
	w := p.Float64s()
	eval := func(eps float64, g []float64) float64 {
		v := make([]float64, len(w))
		for i := range w {
			v[i] = w[i] - eps*g[i]
		}
		p.SetFloat64s(v)
		logs, _ := Evaluate(m, d)
		return logs["loss"]
	}
	// The gradient's direction: from a central difference per coordinate.
	g := make([]float64, len(w))
	for i := range w {
		e := make([]float64, len(w))
		e[i] = 1
		// Logits are float32, so the step must be large against their
		// rounding; the error of the central difference is O(h²).
		g[i] = -(eval(1e-3, e) - eval(-1e-3, e)) / 2e-3
	}
	p.SetFloat64s(w)
	var ss float64
	for _, v := range g {
		ss += v * v
	}
	if norms[1].Name != "dense_1/bias" || norms[4].Name != "dense_3/kernel" {
		t.Errorf("norms are not in parameter order: %v", norms)
	}
	if got := norms[1].Norm; math.Abs(got-math.Sqrt(ss)) > 1e-3*got {
		t.Errorf("‖∂L/∂dense_1/bias‖ = %v; finite differences give %v", got, math.Sqrt(ss))
	}
}

func TestHardest(t *testing.T) {
	d := datasets.Blobs(60, 2, 1.5, 4)
	m := mustModel(t)(models.NewLogisticRegression(2, 2, models.WithSeed(1)))
	fit(t, m, d, Config{Optimizer: Adam{LearningRate: 0.05}, Epochs: 20})
	losses, err := SampleLosses(m, d)
	if err != nil {
		t.Fatal(err)
	}
	worst, _ := Hardest(m, d, 5)
	if len(worst) != 5 {
		t.Fatalf("Hardest gave %d samples", len(worst))
	}
	for _, l := range losses {
		if l > losses[worst[0]] {
			t.Fatalf("sample with loss %v is worse than the hardest %v", l, losses[worst[0]])
		}
	}
	for i := 1; i < 5; i++ {
		if losses[worst[i]] > losses[worst[i-1]] {
			t.Errorf("Hardest is not sorted worst first: %v", worst)
		}
	}
	var mean float64
	for _, l := range losses {
		mean += l / float64(len(losses))
	}
	logs, _ := Evaluate(m, d)
	if math.Abs(mean-logs["loss"]) > 1e-9 {
		t.Errorf("mean of sample losses %v; Evaluate's loss %v", mean, logs["loss"])
	}
}

func TestLossSurface(t *testing.T) {
	d, _ := datasets.Linear(80, 1, 0.2, 3)
	m := mustModel(t)(models.NewLinearRegression(1, 1, models.WithSeed(1)))
	f, err := LossSurface(m, d, ParamRef{"dense_1/kernel", 0}, ParamRef{"dense_1/bias", 0})
	if err != nil {
		t.Fatal(err)
	}
	// At the model's own values, the surface is the model's loss.
	w, b := m.Param("dense_1/kernel").Float64s()[0], m.Param("dense_1/bias").Float64s()[0]
	logs, _ := Evaluate(m, d)
	if got := f(w, b); math.Abs(got-logs["loss"]) > 1e-9 {
		t.Errorf("surface at the model's weights %v; its loss is %v", got, logs["loss"])
	}
	// At the least-squares solution it is lowest.
	exact := mustModel(t)(models.NewLinearRegression(1, 1))
	if err := LeastSquares(exact, d); err != nil {
		t.Fatal(err)
	}
	ws, bs := exact.Param("dense_1/kernel").Float64s()[0], exact.Param("dense_1/bias").Float64s()[0]
	best := f(ws, bs)
	for _, dv := range [][2]float64{{0.1, 0}, {-0.1, 0}, {0, 0.1}, {0, -0.1}} {
		if f(ws+dv[0], bs+dv[1]) <= best {
			t.Errorf("surface at least squares + %v is not higher than at the minimum", dv)
		}
	}
	if got := m.Param("dense_1/kernel").Float64s()[0]; got != w {
		t.Error("LossSurface changed the model")
	}
	if _, err := LossSurface(m, d, ParamRef{"nope", 0}, ParamRef{"dense_1/bias", 0}); err == nil {
		t.Error("unknown parameter: no error")
	}
	if _, err := LossSurface(m, d, ParamRef{"dense_1/bias", 3}, ParamRef{"dense_1/bias", 0}); err == nil {
		t.Error("index out of range: no error")
	}
}
