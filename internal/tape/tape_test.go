package tape

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/dlgo/dlgo/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// convNet builds a small ConvNet's training graph from dlgo's ops and
// Gorgonia's own (a reshape, an addition, a sum and their gradients), and
// returns the cost and the gradients, then the logits z. With lossless
// false, the graph stops at z.
func convNet(t *testing.T, lossless bool) (*G.ExprGraph, G.Nodes) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 1))
	g := G.NewGraph()
	node := func(name string, shape ...int) *G.Node {
		v := make([]float32, tensor.Shape(shape).TotalSize())
		for i := range v {
			v[i] = float32(2*rng.Float64() - 1)
		}
		return G.NewTensor(g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name),
			G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))))
	}
	x, w1, b1 := node("x", 4, 1, 12, 12), node("w1", 8, 1, 3, 3), node("b1", 8)
	w2, b2 := node("w2", 200, 3), node("b2", 3)
	h := G.Must(ops.Conv2DMaxPool(x, w1, b1, 3, 1, 0, ops.ReLU, 2, 2, false))
	flat := G.Must(G.Reshape(h, tensor.Shape{4, 200}))
	z := G.Must(ops.Dense(flat, w2, b2, ops.Linear, true))
	if lossless {
		return g, G.Nodes{z}
	}
	cost := G.Must(G.Sum(G.Must(G.Add(G.Must(G.Square(z)), z))))
	grads, err := G.Grad(cost, w1, b1, w2, b2)
	if err != nil {
		t.Fatal(err)
	}
	return g, append(append(G.Nodes{cost}, grads...), z)
}

// values returns the nodes' values, copied.
func values(nodes G.Nodes) [][]float32 {
	var out [][]float32
	for _, n := range nodes {
		switch d := n.Value().Data().(type) {
		case []float32:
			out = append(out, slices.Clone(d))
		case float32:
			out = append(out, []float32{d})
		}
	}
	return out
}

// tapeValues runs g once with Gorgonia's tape machine.
func tapeValues(t *testing.T, g *G.ExprGraph, nodes G.Nodes) [][]float32 {
	t.Helper()
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return values(nodes)
}

// A Machine computes the bits Gorgonia's tape machine computes, run after
// run. The tape machine lets Square overwrite z, which the cost reads
// later: z's value is the one of a graph that stops at z.
func TestMatchesTapeMachine(t *testing.T) {
	g, nodes := convNet(t, false)
	want := tapeValues(t, g, nodes)
	g, nodes = convNet(t, true)
	want[len(want)-1] = tapeValues(t, g, nodes)[0]

	g, nodes = convNet(t, false)
	m, err := New(g)
	if err != nil {
		t.Fatal(err)
	}
	for run := range 3 {
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
		got := values(nodes)
		if len(got) != len(want) {
			t.Fatalf("run %d: %d values; want %d", run, len(got), len(want))
		}
		for i := range want {
			if !slices.EqualFunc(got[i], want[i], func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
				t.Errorf("run %d: node %v differs from the tape machine's", run, nodes[i])
			}
		}
		m.Reset()
	}
	if m.Len() == 0 {
		t.Error("no operations")
	}
	timed := 0
	if err := m.RunAllTimed(func(*G.Node, time.Duration) { timed++ }); err != nil || timed != m.Len() {
		t.Errorf("a timed run: %v, %d operations timed of %d", err, timed, m.Len())
	}
}

// A run sees the inputs bound since the last.
func TestRebindInput(t *testing.T) {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("x"))
	y := G.Must(G.Mul(x, G.NewConstant(2.0)))
	m, err := New(g)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range [][]float64{{1, 2, 3}, {4, 5, 6}} {
		if err := G.Let(x, tensor.New(tensor.WithBacking(slices.Clone(v)))); err != nil {
			t.Fatal(err)
		}
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
		got := y.Value().Data().([]float64)
		for i := range v {
			if got[i] != 2*v[i] {
				t.Fatalf("x = %v: y = %v", v, got)
			}
		}
	}
}

// Statements are refused, and an unbound input is an error, not a panic.
func TestErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("x"))
	y := G.Must(G.Neg(x))
	m, err := New(g)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.RunAll(); err == nil {
		t.Error("a run without x's value: no error")
	}
	var v G.Value
	G.Read(y, &v)
	if _, err := New(g); err == nil {
		t.Error("a graph with G.Read: no error")
	}
}
