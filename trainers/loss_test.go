package trainers

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dlgo/dlgo/internal/gradcheck"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

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
