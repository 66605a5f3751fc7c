package gradcheck

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func vec(g *G.ExprGraph, name string, v ...float64) *G.Node {
	return G.NewVector(g, tensor.Float64, G.WithShape(len(v)), G.WithName(name),
		G.WithValue(tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(v))))
}

// A smooth function's gradient agrees with finite differences.
func TestCheckAgrees(t *testing.T) {
	g := G.NewGraph()
	x := vec(g, "x", 0.3, -1.2, 2.5)
	y := vec(g, "y", 1.5, 0.4, -0.7)
	cost := G.Must(G.Sum(G.Must(G.HadamardProd(G.Must(G.Tanh(x)), G.Must(G.Square(y))))))
	r, err := Check(g, cost, G.Nodes{x, y}, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	if r.MaxAbs > 1e-8 || r.Checked != 6 {
		t.Errorf("Check = %v; want max abs ≤ 1e-8 over 6 values", r)
	}
}

// At the kink of ReLU the symbolic derivative (0) and the central
// difference (1/2) disagree: Check must report it, or it could not catch a
// wrong gradient either.
func TestCheckDetectsDisagreement(t *testing.T) {
	g := G.NewGraph()
	x := vec(g, "x", 0, 1)
	cost := G.Must(G.Sum(G.Must(G.Rectify(x))))
	r, err := Check(g, cost, G.Nodes{x}, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	if r.MaxAbs < 0.4 || r.Node != "x" || r.Index != 0 {
		t.Errorf("Check = %v; want a disagreement of 1/2 at x[0]", r)
	}
}

func TestCheckRejectsFloat32(t *testing.T) {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float32, G.WithShape(2), G.WithName("x"), G.WithValue(tensor.New(tensor.WithBacking([]float32{1, 2}))))
	cost := G.Must(G.Sum(x))
	if _, err := Check(g, cost, G.Nodes{x}, 1e-3); err == nil {
		t.Error("Check on a float32 cost: got no error")
	}
}
