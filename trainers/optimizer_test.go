package trainers

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The optimisers' tests minimise f(w) = Σ c·w², whose gradient 2c·w
// changes from step to step (and grows along the negative c).
var (
	quadC  = []float64{0.5, -1.5, 2, 3}
	quadW0 = []float64{1, -2, 0.5, 3}
)

func quadGrad(w []float64) []float64 {
	g := make([]float64, len(w))
	for i := range w {
		g[i] = 2 * quadC[i] * w[i]
	}
	return g
}

// checkTrajectory runs o through the trainer's updater on f for steps
// updates and compares every step with ref, a hand-written update from the
// published formula that keeps its own state: ref(t, w, g) applies step t
// (1-based) to w in place.
func checkTrajectory(t *testing.T, o Optimizer, steps int, ref func(t int, w, g []float64)) {
	t.Helper()
	ours := slices.Clone(quadW0)
	want := slices.Clone(quadW0)
	u := newUpdater(o, tensor.Float64)
	for step := 1; step <= steps; step++ {
		stepAtBase(u, []any{ours}, []any{quadGrad(ours)})
		ref(step, want, quadGrad(want))
		for i := range ours {
			if math.Abs(ours[i]-want[i]) > 1e-12*max(1, math.Abs(want[i])) {
				t.Fatalf("%#v step %d: w = %v; the formula gives %v", o, step, ours, want)
			}
		}
	}
}

// Our update rules follow the same trajectories as Gorgonia's own solvers
// (used without their broken L2 option) on f.
func TestOptimizersMatchGorgoniaSolvers(t *testing.T) {
	tests := []struct {
		opt    Optimizer
		solver G.Solver
	}{
		{SGD{LearningRate: 0.1}, G.NewVanillaSolver(G.WithLearnRate(0.1))},
		{GD{LearningRate: 0.1}, G.NewVanillaSolver(G.WithLearnRate(0.1))},
		{Momentum{LearningRate: 0.05, Momentum: 0.8}, G.NewMomentum(G.WithLearnRate(0.05), G.WithMomentum(0.8))},
		{Adam{LearningRate: 0.1, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8},
			G.NewAdamSolver(G.WithLearnRate(0.1), G.WithBeta1(0.9), G.WithBeta2(0.999), G.WithEps(1e-8))},
		{RMSProp{LearningRate: 0.05, Rho: 0.8, Epsilon: 1e-2},
			G.NewRMSPropSolver(G.WithLearnRate(0.05), G.WithRho(0.8), G.WithEps(1e-2))},
	}
	for _, tt := range tests {
		g := G.NewGraph()
		wt := tensor.New(tensor.WithShape(4), tensor.WithBacking(slices.Clone(quadW0)))
		w := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("w"), G.WithValue(wt))
		cn := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("c"), G.WithValue(tensor.New(tensor.WithBacking(quadC))))
		cost := G.Must(G.Sum(G.Must(G.HadamardProd(cn, G.Must(G.Square(w))))))
		if _, err := G.Grad(cost, w); err != nil {
			t.Fatal(err)
		}
		vm := G.NewTapeMachine(g, G.BindDualValues(w))

		ours := slices.Clone(quadW0)
		u := newUpdater(tt.opt, tensor.Float64)
		for step := range 6 {
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			if err := tt.solver.Step(G.NodesToValueGrads(G.Nodes{w})); err != nil {
				t.Fatal(err)
			}
			vm.Reset()
			stepAtBase(u, []any{ours}, []any{quadGrad(ours)})
			theirs := wt.Data().([]float64)
			for i := range ours {
				if math.Abs(ours[i]-theirs[i]) > 1e-12 {
					t.Fatalf("%s step %d: w = %v; Gorgonia's solver gives %v", tt.opt.Name(), step+1, ours, theirs)
				}
			}
		}
	}
}

// A zero field is Keras' default: the zero value takes the same steps,
// bit for bit, as the defaults written out.
func TestOptimizerDefaults(t *testing.T) {
	tests := []struct {
		zero, explicit Optimizer
		lr             float64
	}{
		{GD{}, GD{LearningRate: 0.01}, 0.01},
		{SGD{}, SGD{LearningRate: 0.01}, 0.01},
		{Momentum{}, Momentum{LearningRate: 0.01, Momentum: 0.9}, 0.01},
		{Adam{}, Adam{LearningRate: 0.001, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7}, 0.001},
		{RMSProp{}, RMSProp{LearningRate: 0.001, Rho: 0.9, Epsilon: 1e-7}, 0.001},
		{AdamW{}, AdamW{LearningRate: 0.001, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7, WeightDecay: 0.004}, 0.001},
	}
	for _, tt := range tests {
		if got := tt.zero.BaseLR(); got != tt.lr {
			t.Errorf("%T{}.BaseLR() = %v; want %v", tt.zero, got, tt.lr)
		}
		if err := tt.zero.Validate(); err != nil {
			t.Errorf("%T{}.Validate() = %v", tt.zero, err)
		}
		a, b := slices.Clone(quadW0), slices.Clone(quadW0)
		ua, ub := newUpdater(tt.zero, tensor.Float64), newUpdater(tt.explicit, tensor.Float64)
		for range 10 {
			stepAtBase(ua, []any{a}, []any{quadGrad(a)})
			stepAtBase(ub, []any{b}, []any{quadGrad(b)})
		}
		if !slices.Equal(a, b) {
			t.Errorf("%#v takes w to %v; %#v to %v", tt.zero, a, tt.explicit, b)
		}
	}
	c, err := Config{}.withDefaults(10)
	if err != nil || c.Optimizer != (Adam{}) {
		t.Errorf("Config{} optimizer = %#v, %v; want Adam{}", c.Optimizer, err)
	}
	if !isFullBatch(GD{}) || isFullBatch(SGD{}) || isFullBatch(Adam{}) || isFullBatch(RMSProp{}) || isFullBatch(AdamW{}) {
		t.Error("GD should be the only full-batch optimiser")
	}
}

func TestOptimizerValidate(t *testing.T) {
	bad := []struct {
		o    Optimizer
		want string
	}{
		{SGD{LearningRate: -1}, "sgd: learning rate -1"},
		{SGD{LearningRate: math.NaN()}, "learning rate"},
		{GD{LearningRate: math.Inf(1)}, "gd: learning rate"},
		{Momentum{LearningRate: 0.1, Momentum: 1}, "momentum: momentum 1 is not in [0, 1)"},
		{Momentum{Momentum: math.NaN()}, "momentum NaN"},
		{Adam{Beta1: 1}, "adam: β1 1"},
		{Adam{Beta2: -0.5}, "β2 -0.5"},
		{Adam{Epsilon: -1}, "ε -1"},
		{Adam{LearningRate: -0.1}, "learning rate"},
		{RMSProp{Rho: 1.5}, "rmsprop: ρ 1.5"},
		{RMSProp{Epsilon: math.Inf(1)}, "rmsprop: ε +Inf"},
		{RMSProp{LearningRate: -1}, "rmsprop: learning rate"},
		{AdamW{WeightDecay: -0.1}, "adamw: weight decay -0.1"},
		{AdamW{WeightDecay: math.NaN()}, "weight decay NaN"},
		{AdamW{Beta1: 2}, "adamw: β1 2"},
		{AdamW{LearningRate: math.Inf(-1)}, "adamw: learning rate"},
	}
	for _, tt := range bad {
		if err := tt.o.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%#v: error %v; want one containing %q", tt.o, err, tt.want)
		}
	}
}

func TestNewOptimizer(t *testing.T) {
	for _, name := range OptimizerNames() {
		o, err := NewOptimizer(name, 0.25)
		if err != nil || o.Name() != name || o.BaseLR() != 0.25 {
			t.Errorf("NewOptimizer(%q, 0.25) = %#v, %v", name, o, err)
			continue
		}
		def, _ := NewOptimizer(name, 0)
		if lr := def.BaseLR(); !(lr > 0) {
			t.Errorf("NewOptimizer(%q, 0) has learning rate %v; want its default", name, lr)
		}
	}
	if _, err := NewOptimizer("lbfgs", 0.1); err == nil || !strings.Contains(err.Error(), `"lbfgs" is not one of gd, sgd, momentum, adam`) {
		t.Errorf("unknown optimizer: error %v; want one listing the known ones", err)
	}
	if o, err := NewOptimizer("sgd", -1); err == nil || o != nil || !strings.Contains(err.Error(), "learning rate -1") {
		t.Errorf("NewOptimizer(sgd, -1) = %v, %v; want a learning-rate error", o, err)
	}
}

// Adam's first step moves every weight by the learning rate against its
// gradient's sign, whatever the gradient's size (bias correction).
func TestAdamFirstStep(t *testing.T) {
	w := []float32{1, 1, 1}
	u := newUpdater(Adam{LearningRate: 0.01, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-12}, tensor.Float32)
	stepAtBase(u, []any{w}, []any{[]float32{1e-4, -3, 250}})
	want := []float32{0.99, 1.01, 0.99}
	for i := range w {
		if math.Abs(float64(w[i]-want[i])) > 1e-6 {
			t.Errorf("w after one Adam step = %v; want %v", w, want)
			break
		}
	}
}

// A large parameter is updated in fixed pieces shared between the cores:
// every optimiser gives the same bits on one core, on two, and updating it
// whole.
func TestShardedUpdateIsDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	const n = 3*shardMin + 5 // sharded, in unequal pieces
	for _, name := range OptimizerNames() {
		o, err := NewOptimizer(name, 0.01)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name+"/float32", func(t *testing.T) { checkSharded[float32](t, o, n, o.Update32) })
		t.Run(name+"/float64", func(t *testing.T) { checkSharded[float64](t, o, n, o.Update64) })
	}
}

func checkSharded[T float32 | float64](t *testing.T, o Optimizer, n int, update func(int, float64, []T, []T, [][]T)) {
	rng := rand.New(rand.NewPCG(1, 2))
	w0 := make([]T, n)
	grads := make([][]T, 3)
	for i := range w0 {
		w0[i] = T(rng.NormFloat64())
	}
	for s := range grads {
		grads[s] = make([]T, n)
		for i := range grads[s] {
			grads[s][i] = T(rng.NormFloat64())
		}
	}
	// One call per step on the whole parameter.
	whole := slices.Clone(w0)
	state := make([][]T, o.Slots())
	for s := range state {
		state[s] = make([]T, n)
	}
	for s, g := range grads {
		update(s+1, o.BaseLR(), whole, g, state)
	}
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		// Through the trainer's updater, beside a small parameter that is
		// never sharded.
		w := slices.Clone(w0)
		small := []T{1, 2}
		var dt tensor.Dtype = tensor.Float32
		if _, ok := any(w).([]float64); ok {
			dt = tensor.Float64
		}
		u := newUpdater(o, dt)
		for _, g := range grads {
			stepAtBase(u, []any{small, w}, []any{[]T{0.5, -0.5}, g})
		}
		for i := range w {
			if math.Float64bits(float64(w[i])) != math.Float64bits(float64(whole[i])) {
				t.Fatalf("GOMAXPROCS %d: w[%d] = %v; updating the parameter whole gives %v", procs, i, w[i], whole[i])
			}
		}
	}
}
