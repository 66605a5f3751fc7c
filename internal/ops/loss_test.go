package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dlgo/dlgo/internal/gradcheck"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// targetsFor returns random targets of shape (n, u) encoded for o: one-hot
// rows, 0/1, or values in [-1, 1) (in [0, 1) for sigmoid outputs).
func targetsFor(rng *rand.Rand, o Objective, n, u int) *tensor.Dense {
	y := make([]float64, n*u)
	for r := range n {
		row := y[r*u : (r+1)*u]
		switch o.Loss {
		case CategoricalCrossEntropy:
			row[rng.IntN(u)] = 1
		case BinaryCrossEntropy, Perceptron:
			for i := range row {
				row[i] = float64(rng.IntN(2))
			}
		default:
			for i := range row {
				row[i] = 2*rng.Float64() - 1
				if o.Output == OutSigmoid || o.Output == OutSoftmax {
					row[i] = rng.Float64()
				}
			}
		}
	}
	return tensor.New(tensor.WithShape(n, u), tensor.WithBacking(y))
}

var allObjectives = []Objective{
	{Loss: MSE, Output: OutLinear}, {Loss: MSE, Output: OutReLU}, {Loss: MSE, Output: OutLeakyReLU},
	{Loss: MSE, Output: OutSigmoid}, {Loss: MSE, Output: OutTanh}, {Loss: MSE, Output: OutSoftmax},
	{Loss: MAE, Output: OutLinear}, {Loss: MAE, Output: OutSigmoid}, {Loss: MAE, Output: OutSoftmax},
	{Loss: Huber, Output: OutLinear}, {Loss: Huber, Output: OutTanh}, {Loss: Huber, Output: OutReLU},
	{Loss: BinaryCrossEntropy, Output: OutSigmoid}, {Loss: CategoricalCrossEntropy, Output: OutSoftmax},
	// Per-sample sums instead of means.
	{Loss: MSE, Output: OutLinear, Sum: true}, {Loss: MSE, Output: OutSoftmax, Sum: true},
	{Loss: Huber, Output: OutTanh, Sum: true}, {Loss: BinaryCrossEntropy, Output: OutSigmoid, Sum: true},
}

// Every objective's gradient agrees with finite differences of its value,
// for flat outputs and for image-shaped ones (the loss averages over every
// value).
func TestLossGradients(t *testing.T) {
	for _, o := range allObjectives {
		for _, shape := range [][]int{{4, 3}, {2, 2, 3, 3}} {
			if o.Loss == CategoricalCrossEntropy && len(shape) > 2 {
				continue
			}
			rng := rand.New(rand.NewPCG(uint64(o.Loss), uint64(o.Output)))
			g := G.NewGraph()
			zt := randTensor(rng, shape...)
			// Keep values off the kinks of relu, MAE and Huber, where the
			// derivative jumps and finite differences straddle it.
			zd := zt.Data().([]float64)
			for i := range zd {
				zd[i] = 3 * zd[i]
				if math.Abs(zd[i]) < 0.05 {
					zd[i] += 0.1
				}
			}
			z := input(g, "z", zt)
			u := zt.Shape().TotalSize() / shape[0]
			yt := targetsFor(rng, o, shape[0], u)
			if o.Loss == MAE || o.Loss == Huber {
				// Move targets away from the outputs so that d stays off 0
				// and off ±δ.
				yd := yt.Data().([]float64)
				for i := range yd {
					a, _ := outputValue(o.Output, zd[i])
					if d := a - yd[i]; math.Abs(d) < 0.05 || math.Abs(math.Abs(d)-HuberDelta) < 0.05 {
						yd[i] -= 0.2
					}
				}
			}
			y := input(g, "y", yt)
			cost, err := LossOf(o, z, y)
			if err != nil {
				t.Fatal(err)
			}
			r, err := gradcheck.Check(g, cost, G.Nodes{z}, 1e-6)
			if err != nil {
				t.Fatal(err)
			}
			if r.MaxRel > 1e-6 {
				t.Errorf("%v on %v: %v", o, shape, r)
			}
		}
	}
}

// Known values, worked out by hand.
func TestLossValues(t *testing.T) {
	ln2 := math.Log(2)
	tests := []struct {
		o    Objective
		z, y []float32
		want float64
	}{
		{Objective{Loss: MSE, Output: OutLinear}, []float32{1, 3}, []float32{0, 1}, (1 + 4) / 2.0},
		{Objective{Loss: MSE, Output: OutReLU}, []float32{-2, 3}, []float32{1, 1}, (1 + 4) / 2.0},
		{Objective{Loss: MAE, Output: OutLinear}, []float32{1, -3}, []float32{0, 1}, (1 + 4) / 2.0},
		{Objective{Loss: Huber, Output: OutLinear}, []float32{0.5, 3}, []float32{0, 0}, (0.125 + 2.5) / 2},
		{Objective{Loss: BinaryCrossEntropy, Output: OutSigmoid}, []float32{0, 0}, []float32{0, 1}, ln2},
		{Objective{Loss: BinaryCrossEntropy, Output: OutSigmoid}, []float32{100}, []float32{1}, 0},
		{Objective{Loss: CategoricalCrossEntropy, Output: OutSoftmax}, []float32{0, 0, 0, 0}, []float32{0, 0, 1, 0}, math.Log(4)},
		{Objective{Loss: CategoricalCrossEntropy, Output: OutSoftmax}, []float32{1000, 0}, []float32{0, 1}, 1000},
		{Objective{Loss: Perceptron, Output: OutStep}, []float32{-2}, []float32{1}, 2},
		{Objective{Loss: Perceptron, Output: OutStep}, []float32{2}, []float32{1}, 0},
		// Sums over the values instead of means.
		{Objective{Loss: MSE, Output: OutLinear, Sum: true}, []float32{1, 3}, []float32{0, 1}, 1 + 4},
		{Objective{Loss: BinaryCrossEntropy, Output: OutSigmoid, Sum: true}, []float32{0, 0, 0}, []float32{0, 1, 1}, 3 * ln2},
		{Objective{Loss: CategoricalCrossEntropy, Output: OutSoftmax, Sum: true}, []float32{0, 0, 0, 0}, []float32{0, 0, 1, 0}, math.Log(4)},
	}
	for _, tt := range tests {
		if got := tt.o.SampleLoss(tt.z, tt.y); math.Abs(got-tt.want) > 1e-6*math.Max(1, tt.want) {
			t.Errorf("%v.SampleLoss(%v, %v) = %v; want %v", tt.o, tt.z, tt.y, got, tt.want)
		}
	}
}

// The perceptron's subgradient counts a sample on the boundary, y·z = 0,
// as a mistake (so that a model started at zero moves), and leaves a
// correctly classified one alone.
func TestPerceptronUpdatesOnTheBoundary(t *testing.T) {
	o := Objective{Loss: Perceptron, Output: OutStep}
	for _, tt := range []struct {
		z, y, want float32
	}{{0, 1, -1}, {0, 0, 1}, {-1, 1, -1}, {1, 1, 0}, {-1, 0, 0}} {
		dz := []float32{7}
		rowLoss(o, []float32{tt.z}, []float32{tt.y}, dz, 1)
		if dz[0] != tt.want {
			t.Errorf("perceptron gradient at z = %v, y = %v: %v; want %v", tt.z, tt.y, dz[0], tt.want)
		}
	}
}

func TestObjectiveCheck(t *testing.T) {
	for _, o := range allObjectives {
		if err := o.Check(); err != nil {
			t.Errorf("%v: %v", o, err)
		}
	}
	for _, o := range []Objective{{Loss: BinaryCrossEntropy, Output: OutLinear}, {Loss: CategoricalCrossEntropy, Output: OutSigmoid},
		{Loss: MSE, Output: OutStep}, {Loss: Perceptron, Output: OutSigmoid}} {
		if err := o.Check(); err == nil {
			t.Errorf("%v: no error", o)
		}
	}
}

// Apply gives the outputs the loss sees.
func TestOutputApply(t *testing.T) {
	z := []float32{-1, 0, 2}
	for _, tt := range []struct {
		o    Output
		want []float32
	}{
		{OutLinear, []float32{-1, 0, 2}},
		{OutReLU, []float32{0, 0, 2}},
		{OutLeakyReLU, []float32{-0.2, 0, 2}},
		{OutStep, []float32{0, 1, 1}},
		{OutTanh, []float32{float32(math.Tanh(-1)), 0, float32(math.Tanh(2))}},
	} {
		got := append([]float32(nil), z...)
		tt.o.Apply(got)
		for i := range got {
			if math.Abs(float64(got[i]-tt.want[i])) > 1e-6 {
				t.Errorf("%v.Apply(%v) = %v; want %v", tt.o, z, got, tt.want)
				break
			}
		}
	}
	p := []float32{1000, 1000, 0}
	OutSoftmax.Apply(p)
	if math.Abs(float64(p[0]-0.5)) > 1e-6 || p[2] != 0 {
		t.Errorf("softmax of large logits = %v; want [0.5 0.5 0]", p)
	}
}

// The weighted loss is Σ w_i·loss_i / n, worked out from SampleLoss; its
// gradient agrees with finite differences; weights of 1 give the
// unweighted loss to the bit.
func TestWeightedLoss(t *testing.T) {
	for _, o := range allObjectives {
		rng := rand.New(rand.NewPCG(7, uint64(o.Loss)*8+uint64(o.Output)))
		const n, u = 5, 3
		zt := randTensor(rng, n, u)
		zd := zt.Data().([]float64)
		for i := range zd {
			zd[i] = 3 * zd[i]
			if math.Abs(zd[i]) < 0.05 {
				zd[i] += 0.1
			}
		}
		yt := targetsFor(rng, o, n, u)
		if o.Loss == MAE || o.Loss == Huber {
			yd := yt.Data().([]float64)
			for i := range yd {
				a, _ := outputValue(o.Output, zd[i])
				if d := a - yd[i]; math.Abs(d) < 0.05 || math.Abs(math.Abs(d)-HuberDelta) < 0.05 {
					yd[i] -= 0.2
				}
			}
		}
		w := []float64{0.5, 2, 1, 0, 3.25}
		g := G.NewGraph()
		z, y := input(g, "z", zt), input(g, "y", yt)
		wn := input(g, "w", tensor.New(tensor.WithShape(n), tensor.WithBacking(w)))
		cost, err := WeightedLossOf(o, z, y, wn)
		if err != nil {
			t.Fatal(err)
		}
		r, err := gradcheck.Check(g, cost, G.Nodes{z}, 1e-6)
		if err != nil {
			t.Fatal(err)
		}
		if r.MaxRel > 1e-6 {
			t.Errorf("%v weighted: %v", o, r)
		}
		var want float64
		yd := yt.Data().([]float64)
		for i := range n {
			zr, yr := make([]float32, u), make([]float32, u)
			for k := range u {
				zr[k], yr[k] = float32(zd[i*u+k]), float32(yd[i*u+k])
			}
			want += w[i] * o.SampleLoss(zr, yr)
		}
		want /= n
		if got := cost.Value().Data().(float64); math.Abs(got-want) > 1e-6*math.Max(1, want) {
			t.Errorf("%v weighted loss %v; want Σ w·loss / n = %v", o, got, want)
		}

		// Weights of 1: the same bits as LossOf, value and gradient.
		ones := []float64{1, 1, 1, 1, 1}
		var vals [2]float64
		var grads [2][]float64
		for k, weighted := range []bool{false, true} {
			g := G.NewGraph()
			z, y := input(g, "z", zt.Clone().(*tensor.Dense)), input(g, "y", yt)
			var cost *G.Node
			if weighted {
				cost, err = WeightedLossOf(o, z, y, input(g, "w", tensor.New(tensor.WithShape(n), tensor.WithBacking(ones))))
			} else {
				cost, err = LossOf(o, z, y)
			}
			if err != nil {
				t.Fatal(err)
			}
			gz, err := G.Grad(cost, z)
			if err != nil {
				t.Fatal(err)
			}
			vm := G.NewTapeMachine(g)
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			vals[k] = cost.Value().Data().(float64)
			grads[k] = append([]float64(nil), gz[0].Value().Data().([]float64)...)
			vm.Close()
		}
		if vals[0] != vals[1] || !slicesEqual(grads[0], grads[1]) {
			t.Errorf("%v: weights of 1 give %v, %v; unweighted %v, %v", o, vals[1], grads[1], vals[0], grads[0])
		}
	}
	// One weight per sample, or the graph is refused.
	g := G.NewGraph()
	z := input(g, "z", tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0, 1, 2, 3})))
	y := input(g, "y", tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0, 1, 1, 0})))
	w := input(g, "w", tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{1, 2, 3})))
	if _, err := WeightedLossOf(Objective{Loss: CategoricalCrossEntropy, Output: OutSoftmax}, z, y, w); err == nil {
		t.Error("3 weights for 2 samples: no error")
	}
}

func slicesEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
