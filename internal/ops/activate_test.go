package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dlgo/dlgo/internal/gradcheck"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestActivateForward(t *testing.T) {
	for _, shape := range [][]int{{5}, {3, 4}, {2, 3, 4, 5}, {3, 7, 61, 67}} { // the last is parallel
		for _, dt := range dtypes {
			for _, act := range allActivations {
				rng := rand.New(rand.NewPCG(11, uint64(act)))
				v := randValues(rng, tensor.Shape(shape).TotalSize())
				for i := range v {
					v[i] *= 4
				}
				g := G.NewGraph()
				x := nodeOf(g, "x", tensorOf(dt, v, shape...))
				y, err := Activate(x, act)
				if err != nil {
					t.Fatal(err)
				}
				if act == Linear && y != x {
					t.Error("Activate(x, Linear) is not x")
				}
				if !y.Shape().Eq(x.Shape()) || y.Dtype() != dt {
					t.Fatalf("Activate of %v %v: %v %v", shape, dt, y.Shape(), y.Dtype())
				}
				runGraph(t, g)
				want := roundTo(dt, v)
				for i, xv := range want {
					want[i] = refActivation(act, xv)
				}
				closeTo(t, fmt.Sprintf("%v %v %v", act, dt, shape), float64s(y.Value()), want, tolerance(dt))
			}
		}
	}
}

func TestActivateGradients(t *testing.T) {
	for _, act := range allActivations {
		rng := rand.New(rand.NewPCG(12, uint64(act)))
		g := G.NewGraph()
		x := input(g, "x", randTensor(rng, 2, 3, 4, 5))
		y, err := Activate(x, act)
		if err != nil {
			t.Fatal(err)
		}
		r, err := gradcheck.Check(g, weighted(t, rng, y), G.Nodes{x}, 1e-6)
		if err != nil {
			t.Fatalf("%v: %v", act, err)
		}
		if r.MaxRel > 1e-6 {
			t.Errorf("%v: %v", act, r)
		}
	}
}

func TestActivateRejectsUnknown(t *testing.T) {
	g := G.NewGraph()
	x := input(g, "x", randTensor(rand.New(rand.NewPCG(1, 1)), 2))
	if _, err := Activate(x, Activation(99)); err == nil {
		t.Error("Activate with activation 99: no error")
	}
}

// A large tensor, split between the cores, gives the same bits.
func TestActivateDeterministicAcrossCores(t *testing.T) {
	sameOnOneAndTwoCores(t, func() []float64 {
		rng := rand.New(rand.NewPCG(13, 13))
		g := G.NewGraph()
		x := nodeOf(g, "x", tensorOf(tensor.Float32, randValues(rng, 4*8*50*50), 4, 8, 50, 50))
		y := G.Must(Activate(x, Tanh))
		cost := G.Must(G.Sum(G.Must(G.Square(y))))
		grads, err := G.Grad(cost, x)
		if err != nil {
			t.Fatal(err)
		}
		runGraph(t, g)
		return gradOutputs(y, grads[0])
	})
}

func TestActivateFloat32(t *testing.T) {
	for _, act := range allActivations[1:] {
		float32MatchesFloat64(t, act.String(), 1e-6, func(g *G.ExprGraph, _ tensor.Dtype, values func(string, ...int) *G.Node) (*G.Node, G.Nodes) {
			x := values("x", 3, 4, 5)
			return G.Must(Activate(x, act)), G.Nodes{x}
		})
	}
}
