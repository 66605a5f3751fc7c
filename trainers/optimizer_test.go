package trainers

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Our update rules follow the same trajectories as Gorgonia's own solvers
// (used without their broken L2 option) on f(w) = Σ c·w², whose gradient
// 2c·w changes from step to step.
func TestOptimizersMatchGorgoniaSolvers(t *testing.T) {
	c := []float64{0.5, -1.5, 2, 3}
	w0 := []float64{1, -2, 0.5, 3}
	tests := []struct {
		opt    Optimizer
		solver G.Solver
	}{
		{Optimizer{Name: SGD, LearningRate: 0.1}, G.NewVanillaSolver(G.WithLearnRate(0.1))},
		{Optimizer{Name: MomentumSGD, LearningRate: 0.05, Momentum: 0.8}, G.NewMomentum(G.WithLearnRate(0.05), G.WithMomentum(0.8))},
		{Optimizer{Name: AdamOpt, LearningRate: 0.1, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8},
			G.NewAdamSolver(G.WithLearnRate(0.1), G.WithBeta1(0.9), G.WithBeta2(0.999), G.WithEps(1e-8))},
	}
	for _, tt := range tests {
		g := G.NewGraph()
		wt := tensor.New(tensor.WithShape(4), tensor.WithBacking(append([]float64(nil), w0...)))
		w := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("w"), G.WithValue(wt))
		cn := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("c"), G.WithValue(tensor.New(tensor.WithBacking(c))))
		cost := G.Must(G.Sum(G.Must(G.HadamardProd(cn, G.Must(G.Square(w))))))
		if _, err := G.Grad(cost, w); err != nil {
			t.Fatal(err)
		}
		vm := G.NewTapeMachine(g, G.BindDualValues(w))

		ours := append([]float64(nil), w0...)
		u := newUpdater(tt.opt, tensor.Float64)
		for step := range 6 {
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			if err := tt.solver.Step(G.NodesToValueGrads(G.Nodes{w})); err != nil {
				t.Fatal(err)
			}
			vm.Reset()
			grad := make([]float64, 4)
			for i := range grad {
				grad[i] = 2 * c[i] * ours[i]
			}
			u.step([]any{ours}, []any{grad})
			theirs := wt.Data().([]float64)
			for i := range ours {
				if math.Abs(ours[i]-theirs[i]) > 1e-12 {
					t.Fatalf("%s step %d: w = %v; Gorgonia's solver gives %v", tt.opt.Name, step+1, ours, theirs)
				}
			}
		}
	}
}

// Adam's first step moves every weight by the learning rate against its
// gradient's sign, whatever the gradient's size (bias correction).
func TestAdamFirstStep(t *testing.T) {
	w := []float32{1, 1, 1}
	u := newUpdater(Optimizer{Name: AdamOpt, LearningRate: 0.01, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-12}, tensor.Float32)
	u.step([]any{w}, []any{[]float32{1e-4, -3, 250}})
	want := []float32{0.99, 1.01, 0.99}
	for i := range w {
		if math.Abs(float64(w[i]-want[i])) > 1e-6 {
			t.Errorf("w after one Adam step = %v; want %v", w, want)
			break
		}
	}
}

func TestOptimizerDefaultsAndErrors(t *testing.T) {
	o, err := Optimizer{}.withDefaults()
	if err != nil || o.Name != AdamOpt || o.LearningRate != 0.001 || o.Beta1 != 0.9 || o.Beta2 != 0.999 || o.Epsilon != 1e-7 {
		t.Errorf("zero Optimizer defaults = %+v, %v; want Adam(0.001)", o, err)
	}
	if o, _ := Momentum(0, 0).withDefaults(); o.LearningRate != 0.01 || o.Momentum != 0.9 {
		t.Errorf("Momentum defaults = %+v; want lr 0.01, momentum 0.9", o)
	}
	bad := []struct {
		o    Optimizer
		want string
	}{
		{Optimizer{Name: "rmsprop"}, "not one of"},
		{StochasticGD(-1), "learning rate"},
		{StochasticGD(math.NaN()), "learning rate"},
		{StochasticGD(math.Inf(1)), "learning rate"},
		{Momentum(0.1, 1), "momentum"},
		{Optimizer{Name: AdamOpt, Beta1: 1}, "betas"},
	}
	for _, tt := range bad {
		if _, err := tt.o.withDefaults(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v; want one containing %q", tt.o, err, tt.want)
		}
	}
}
