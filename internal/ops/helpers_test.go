package ops

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// dtypes are the precisions every op is tested in.
var dtypes = []tensor.Dtype{tensor.Float32, tensor.Float64}

// randValues returns n values uniform in [-1, 1).
func randValues(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 2*rng.Float64() - 1
	}
	return v
}

// tensorOf returns a tensor of dtype dt holding v, rounded to float32 if
// need be.
func tensorOf(dt tensor.Dtype, v []float64, shape ...int) *tensor.Dense {
	if dt == tensor.Float32 {
		v32 := make([]float32, len(v))
		for i, x := range v {
			v32[i] = float32(x)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v32))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
}

// nodeOf adds an input node bound to t.
func nodeOf(g *G.ExprGraph, name string, t *tensor.Dense) *G.Node {
	return G.NewTensor(g, t.Dtype(), t.Dims(), G.WithShape(t.Shape()...), G.WithName(name), G.WithValue(t))
}

// float64s returns a value's data in float64: the values a float32
// result was rounded to, exactly.
func float64s(v G.Value) []float64 {
	switch d := v.Data().(type) {
	case []float64:
		return d
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case float64:
		return []float64{d}
	case float32:
		return []float64{float64(d)}
	}
	return nil
}

// roundTo returns v as the dtype dt would hold it.
func roundTo(dt tensor.Dtype, v []float64) []float64 {
	out := append([]float64(nil), v...)
	if dt == tensor.Float32 {
		for i, x := range out {
			out[i] = float64(float32(x))
		}
	}
	return out
}

// tolerance is the relative error a result in dt may have against a
// float64 reference computed from the same (rounded) inputs.
func tolerance(dt tensor.Dtype) float64 {
	if dt == tensor.Float32 {
		return 1e-5
	}
	return 1e-12
}

// runGraph runs g once.
func runGraph(t *testing.T, g *G.ExprGraph) {
	t.Helper()
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
}

// closeTo checks got against want, value by value, to within tol
// relative to max(1, |want|).
func closeTo(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values; want %d", what, len(got), len(want))
	}
	for i := range want {
		if d := math.Abs(got[i] - want[i]); !(d <= tol*math.Max(1, math.Abs(want[i]))) {
			t.Fatalf("%s[%d] = %v; want %v", what, i, got[i], want[i])
		}
	}
}

// sameOnOneAndTwoCores checks that run computes the same bits with
// GOMAXPROCS 1 and 2. run returns the values to compare, in float64
// (which holds float32 values exactly).
func sameOnOneAndTwoCores(t *testing.T, run func() []float64) {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	one := run()
	runtime.GOMAXPROCS(2)
	two := run()
	if len(one) == 0 || !slices.EqualFunc(one, two, func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b)
	}) {
		t.Error("results differ between 1 and 2 cores")
	}
}

// gradOutputs returns the values of nodes after a run, concatenated.
func gradOutputs(nodes ...*G.Node) []float64 {
	var out []float64
	for _, n := range nodes {
		out = append(out, float64s(n.Value())...)
	}
	return out
}

// float32MatchesFloat64 builds the same graph in both precisions from the
// same values and checks that the float32 outputs and gradients, given an
// output gradient dy of random values, agree with the float64 ones to
// tol relative to the largest float64 value of each. build returns the
// output and the nodes to differentiate; values(name, shape) gives the
// values of an input.
func float32MatchesFloat64(t *testing.T, what string, tol float64, build func(g *G.ExprGraph, dt tensor.Dtype, values func(name string, shape ...int) *G.Node) (*G.Node, G.Nodes)) {
	t.Helper()
	var results [2][]float64
	var sizes []int
	for i, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		rng := rand.New(rand.NewPCG(38, 38))
		g := G.NewGraph()
		values := func(name string, shape ...int) *G.Node {
			return nodeOf(g, name, tensorOf(dt, randValues(rng, tensor.Shape(shape).TotalSize()), shape...))
		}
		y, wrt := build(g, dt, values)
		dy := values("dy", y.Shape()...)
		grads, err := G.Backpropagate(G.Nodes{y}, G.Nodes{dy}, wrt)
		if err != nil {
			t.Fatal(err)
		}
		runGraph(t, g)
		sizes = sizes[:0]
		for _, n := range append(G.Nodes{y}, grads...) {
			v := float64s(n.Value())
			results[i] = append(results[i], v...)
			sizes = append(sizes, len(v))
		}
	}
	at := 0
	for k, size := range sizes {
		want, got := results[0][at:at+size], results[1][at:at+size]
		scale := 0.0
		for _, v := range want {
			scale = math.Max(scale, math.Abs(v))
		}
		for j := range want {
			if d := math.Abs(got[j] - want[j]); !(d <= tol*math.Max(1, scale)) {
				t.Fatalf("%s: float32 result %d [%d] = %v; float64 %v", what, k, j, got[j], want[j])
			}
		}
		at += size
	}
}
