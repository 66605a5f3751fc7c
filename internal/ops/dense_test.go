package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dlgo/dlgo/internal/gradcheck"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func randTensor(rng *rand.Rand, shape ...int) *tensor.Dense {
	v := make([]float64, tensor.Shape(shape).TotalSize())
	for i := range v {
		v[i] = 2*rng.Float64() - 1
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

func input(g *G.ExprGraph, name string, t *tensor.Dense) *G.Node {
	return G.NewTensor(g, tensor.Float64, t.Dims(), G.WithShape(t.Shape()...), G.WithName(name), G.WithValue(t))
}

// weighted returns Σ y⊙c for a random constant c, a scalar whose gradient
// reaches every value of y.
func weighted(t *testing.T, rng *rand.Rand, y *G.Node) *G.Node {
	t.Helper()
	c := input(y.Graph(), "c", randTensor(rng, y.Shape()...))
	return G.Must(G.Sum(G.Must(G.HadamardProd(y, c))))
}

func TestDenseGradients(t *testing.T) {
	for _, act := range []Activation{Linear, ReLU, Sigmoid, Tanh} {
		for _, needX := range []bool{true, false} {
			rng := rand.New(rand.NewPCG(1, uint64(act)))
			g := G.NewGraph()
			x := input(g, "x", randTensor(rng, 5, 4))
			w := input(g, "w", randTensor(rng, 4, 3))
			b := input(g, "b", randTensor(rng, 3))
			y, err := Dense(x, w, b, act, needX)
			if err != nil {
				t.Fatal(err)
			}
			wrt := G.Nodes{w, b}
			if needX {
				wrt = append(wrt, x)
			}
			r, err := gradcheck.Check(g, weighted(t, rng, y), wrt, 1e-6)
			if err != nil {
				t.Fatal(err)
			}
			if r.MaxRel > 1e-6 {
				t.Errorf("%v (needX %v): %v", act, needX, r)
			}
		}
	}
}

// Without needX, the graph computes no gradient for x: asking for one
// fails, and no node multiplies by wᵀ.
func TestDenseSkipsInputGradient(t *testing.T) {
	g := G.NewGraph()
	rng := rand.New(rand.NewPCG(2, 2))
	x := input(g, "x", randTensor(rng, 2, 3))
	w := input(g, "w", randTensor(rng, 3, 2))
	b := input(g, "b", randTensor(rng, 2))
	y, _ := Dense(x, w, b, ReLU, false)
	cost := G.Must(G.Sum(y))
	if _, err := G.Grad(cost, x); err == nil {
		t.Error("Grad with respect to x: no error, although needX is false")
	}
	g2 := G.NewGraph()
	x2, w2, b2 := input(g2, "x", randTensor(rng, 2, 3)), input(g2, "w", randTensor(rng, 3, 2)), input(g2, "b", randTensor(rng, 2))
	y2, _ := Dense(x2, w2, b2, ReLU, false)
	if _, err := G.Grad(G.Must(G.Sum(y2)), w2, b2); err != nil {
		t.Fatal(err)
	}
	for _, n := range g2.AllNodes() {
		if mm, ok := n.Op().(*matMulOp); ok && mm.transB {
			t.Error("the graph computes dz·wᵀ, the gradient of x")
		}
	}
}

func TestDenseForwardFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	n, k, m := 7, 33, 5
	x, w, b := make([]float32, n*k), make([]float32, k*m), make([]float32, m)
	for _, s := range [][]float32{x, w, b} {
		for i := range s {
			s[i] = float32(2*rng.Float64() - 1)
		}
	}
	y := make([]float32, n*m)
	denseForward(Tanh, n, k, m, x, w, b, y)
	for i := range n {
		for j := range m {
			s := float64(b[j])
			for l := range k {
				s += float64(x[i*k+l]) * float64(w[l*m+j])
			}
			if d := math.Abs(float64(y[i*m+j]) - math.Tanh(s)); d > 1e-5 {
				t.Fatalf("y[%d,%d] = %v; want %v", i, j, y[i*m+j], math.Tanh(s))
			}
		}
	}
}

// The branchless float32 ReLU and its gradient agree with the plain ones,
// also on -0, tiny, huge and infinite values.
func TestReLU32(t *testing.T) {
	v := []float32{-2, float32(math.Copysign(0, -1)), 0, 1e-40, -1e-40, 3, float32(math.Inf(1)), float32(math.Inf(-1)), 1e38}
	got := append([]float32(nil), v...)
	relu32(got)
	dy := make([]float32, len(v))
	for i := range dy {
		dy[i] = float32(i + 1)
	}
	dz := make([]float32, len(v))
	reluGrad32(got, dy, dz)
	for i, x := range v {
		want := float32(math.Max(float64(x), 0))
		if got[i] != want || math.Signbit(float64(got[i])) {
			t.Errorf("relu32(%v) = %v; want +%v", x, got[i], want)
		}
		wantGrad := float32(0)
		if x > 0 {
			wantGrad = dy[i]
		}
		if dz[i] != wantGrad {
			t.Errorf("reluGrad32 at %v = %v; want %v", x, dz[i], wantGrad)
		}
	}
}

func TestDropoutGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	g := G.NewGraph()
	x := input(g, "x", randTensor(rng, 3, 5))
	m := randTensor(rng, 3, 5)
	for i, v := range m.Data().([]float64) {
		m.Data().([]float64)[i] = 0
		if v > 0 {
			m.Data().([]float64)[i] = 2
		}
	}
	mask := input(g, "mask", m)
	y, err := Dropout(x, mask)
	if err != nil {
		t.Fatal(err)
	}
	r, err := gradcheck.Check(g, weighted(t, rng, y), G.Nodes{x}, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	if r.MaxAbs > 1e-8 {
		t.Errorf("dropout gradient: %v", r)
	}
}
