package trainers

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dlgo/dlgo/internal/gradcheck"
	"github.com/dlgo/dlgo/models"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// lossCase is a batch of logits with targets for one loss.
type lossCase struct {
	loss    models.Loss
	units   int
	logits  []float64
	targets []float32 // as a Dataset holds them: class indices or values
}

func lossCases() []lossCase {
	rng := rand.New(rand.NewPCG(9, 9))
	r := func(n int, scale float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = scale * (2*rng.Float64() - 1)
		}
		return v
	}
	return []lossCase{
		{models.MSE, 2, r(8, 2), []float32{0.5, -1, 2, 0, 1.5, 1, -0.3, 0.2}},
		{models.BinaryCrossEntropy, 1, r(4, 3), []float32{0, 1, 1, 0}},
		{models.BinaryCrossEntropy, 1, []float64{0, 40, -40, 0}, []float32{0, 1, 1, 1}},
		{models.CategoricalCrossEntropy, 3, r(12, 3), []float32{0, 2, 1, 2}},
		{models.CategoricalCrossEntropy, 3, []float64{1000, 0, 0, 0, 1, 2, -500, 300, 0, 100, 101, 102}, []float32{1, 2, 1, 0}},
		{models.PerceptronCriterion, 1, []float64{0.7, -0.4, 1.3, -2}, []float32{0, 1, 1, 0}},
	}
}

// graphLoss builds the loss of c in a float64 graph and returns the graph,
// the loss and the logits node.
func graphLoss(t *testing.T, c lossCase, dt tensor.Dtype) (*G.ExprGraph, *G.Node, *G.Node) {
	t.Helper()
	n := len(c.logits) / c.units
	g := G.NewGraph()
	var zv, yv *tensor.Dense
	tw := targetWidth(c.loss, c.units)
	if dt == tensor.Float64 {
		y := make([]float64, n*tw)
		encodeTargets(c.loss, c.targets, c.units, y)
		zv = tensor.New(tensor.WithShape(n, c.units), tensor.WithBacking(append([]float64(nil), c.logits...)))
		yv = tensor.New(tensor.WithShape(n, tw), tensor.WithBacking(y))
	} else {
		y := make([]float32, n*tw)
		encodeTargets(c.loss, c.targets, c.units, y)
		z := make([]float32, len(c.logits))
		for i, v := range c.logits {
			z[i] = float32(v)
		}
		zv = tensor.New(tensor.WithShape(n, c.units), tensor.WithBacking(z))
		yv = tensor.New(tensor.WithShape(n, tw), tensor.WithBacking(y))
	}
	z := G.NewMatrix(g, dt, G.WithShape(n, c.units), G.WithName("z"), G.WithValue(zv))
	y := G.NewMatrix(g, dt, G.WithShape(n, tw), G.WithName("y"), G.WithValue(yv))
	l, err := lossNode(c.loss, z, y)
	if err != nil {
		t.Fatal(err)
	}
	return g, l, z
}

func TestLossGradients(t *testing.T) {
	for i, c := range lossCases() {
		g, l, z := graphLoss(t, c, tensor.Float64)
		r, err := gradcheck.Check(g, l, G.Nodes{z}, 1e-6)
		if err != nil {
			t.Fatal(err)
		}
		if r.MaxAbs > 1e-7 {
			t.Errorf("case %d (%s): gradient mismatch: %v", i, c.loss, r)
		}
	}
}

// The graph's loss and the float64 one Evaluate uses are the same
// function, also for logits that overflow a naive softmax, in both
// precisions.
func TestGraphLossMatchesSampleLoss(t *testing.T) {
	for i, c := range lossCases() {
		n := len(c.logits) / c.units
		tw := len(c.targets) / n
		var want float64
		for s := range n {
			z := make([]float32, c.units)
			for j := range z {
				z[j] = float32(c.logits[s*c.units+j])
			}
			want += sampleLoss(c.loss, z, c.targets[s*tw:(s+1)*tw])
		}
		want /= float64(n)
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			g, l, _ := graphLoss(t, c, dt)
			vm := G.NewTapeMachine(g)
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			got := scalarValue(l.Value())
			if math.IsNaN(got) || math.Abs(got-want) > 1e-5*math.Max(1, math.Abs(want)) {
				t.Errorf("case %d (%s, %v): graph loss %v; want %v", i, c.loss, dt, got, want)
			}
		}
	}
}

// Known values: cross-entropy of uniform logits is log k; binary
// cross-entropy at z = 0 is log 2; the perceptron criterion counts only
// misclassified samples.
func TestSampleLossKnownValues(t *testing.T) {
	tests := []struct {
		loss models.Loss
		z, t []float32
		want float64
	}{
		{models.CategoricalCrossEntropy, []float32{3, 3, 3, 3}, []float32{2}, math.Log(4)},
		{models.BinaryCrossEntropy, []float32{0}, []float32{1}, math.Log(2)},
		{models.BinaryCrossEntropy, []float32{-1000}, []float32{1}, 1000},
		{models.PerceptronCriterion, []float32{2}, []float32{1}, 0},
		{models.PerceptronCriterion, []float32{2}, []float32{0}, 2},
		{models.MSE, []float32{1, 3}, []float32{0, 0}, 5},
	}
	for _, tt := range tests {
		if got := sampleLoss(tt.loss, tt.z, tt.t); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("sampleLoss(%s, %v, %v) = %v; want %v", tt.loss, tt.z, tt.t, got, tt.want)
		}
	}
}

func TestL2PenaltyGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	g := G.NewGraph()
	var ws G.Nodes
	for i, shape := range [][]int{{3, 2}, {4}} {
		v := make([]float64, tensor.Shape(shape).TotalSize())
		for j := range v {
			v[j] = 2*rng.Float64() - 1
		}
		ws = append(ws, G.NewTensor(g, tensor.Float64, len(shape), G.WithShape(shape...), G.WithName(string(rune('a'+i))),
			G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v)))))
	}
	pen, err := l2Node(0.3, ws)
	if err != nil {
		t.Fatal(err)
	}
	r, err := gradcheck.Check(g, pen, ws, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	if r.MaxAbs > 1e-8 {
		t.Errorf("L2 gradient mismatch: %v", r)
	}
	// The value is λ/2·Σw² (run again: the check left the last perturbed
	// value in the node).
	if err := G.NewTapeMachine(g).RunAll(); err != nil {
		t.Fatal(err)
	}
	var want float64
	for _, w := range ws {
		for _, v := range w.Value().Data().([]float64) {
			want += v * v
		}
	}
	want *= 0.15
	if got := scalarValue(pen.Value()); math.Abs(got-want) > 1e-12 {
		t.Errorf("L2 penalty = %v; want %v", got, want)
	}
}
