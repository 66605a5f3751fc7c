package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dlgo/dlgo/internal/gradcheck"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// convPoolCase is a convolution followed by max-pooling.
type convPoolCase struct {
	x, w           []int
	k, stride, pad int
	act            Activation
	pk, ps         int
}

var convPoolCases = []convPoolCase{
	{[]int{2, 3, 8, 7}, []int{4, 3, 3, 3}, 3, 1, 1, ReLU, 2, 2},         // odd width: a column left over
	{[]int{3, 1, 9, 9}, []int{5, 1, 3, 3}, 3, 1, 0, ReLU, 2, 2},         // one channel, odd output
	{[]int{2, 2, 7, 8}, []int{3, 2, 3, 3}, 3, 1, 1, LeakyReLU, 3, 2},    // overlapping windows
	{[]int{2, 2, 6, 6}, []int{3, 2, 2, 2}, 2, 1, 0, Tanh, 2, 1},         // overlapping, stride 1
	{[]int{1, 3, 9, 7}, []int{2, 3, 3, 3}, 3, 2, 1, Sigmoid, 3, 3},      // strided convolution, 3×3 pool
	{[]int{2, 2, 5, 6}, []int{4, 2, 1, 1}, 1, 1, 0, Linear, 2, 2},       // 1×1 kernel
	{[]int{2, 70, 4, 4}, []int{3, 70, 1, 1}, 1, 1, 0, ReLU, 1, 2},       // a 1×1 pool with stride: subsampling
	{[]int{2, 2, 6, 6}, []int{3, 2, 3, 3}, 3, 1, 1, ReLU, 1, 1},         // no pooling: Conv2D
	{[]int{4, 3, 10, 10}, []int{16, 3, 3, 3}, 3, 1, 0, LeakyReLU, 2, 2}, // more filters than a SIMD row
	{[]int{3, 2, 9, 9}, []int{12, 2, 3, 3}, 3, 1, 0, ReLU, 2, 2},        // a SIMD row and 4 more
	{[]int{2, 2, 8, 8}, []int{8, 2, 3, 3}, 3, 1, 1, Linear, 2, 2},
	{[]int{2, 2, 8, 8}, []int{8, 2, 3, 3}, 3, 1, 1, Tanh, 2, 2},
	{[]int{2, 3, 8, 8}, []int{9, 3, 3, 3}, 3, 1, 0, ReLU, 3, 1},
	{[]int{2, 1, 8, 8}, []int{20, 1, 3, 3}, 3, 1, 0, ReLU, 2, 2},  // few patch values: the other kernel gradient product
	{[]int{19, 2, 6, 5}, []int{3, 2, 3, 3}, 3, 1, 1, Tanh, 2, 2},  // pieces of several samples
	{[]int{19, 1, 6, 6}, []int{20, 1, 3, 3}, 3, 1, 0, ReLU, 2, 2}, // the same, the other kernel gradient product
}

// Conv2DMaxPool computes what MaxPool2D of Conv2D computes, forward and
// backward, in both precisions: the same values and, but for the order of
// the bias gradient's sum and of the products by act' where windows
// overlap, the same gradients.
func TestConvMaxPoolMatchesSeparateOps(t *testing.T) {
	for _, c := range convPoolCases {
		for _, dt := range dtypes {
			var results [2][]float64
			var sizes []int
			for i, fused := range []bool{false, true} {
				rng := rand.New(rand.NewPCG(41, 41))
				g := G.NewGraph()
				values := func(name string, shape ...int) *G.Node {
					return nodeOf(g, name, tensorOf(dt, randValues(rng, tensor.Shape(shape).TotalSize()), shape...))
				}
				x, w, b := values("x", c.x...), values("w", c.w...), values("b", c.w[0])
				var y *G.Node
				if fused {
					y = G.Must(Conv2DMaxPool(x, w, b, c.k, c.stride, c.pad, c.act, c.pk, c.ps, true))
				} else {
					y = G.Must(MaxPool2D(G.Must(Conv2D(x, w, b, c.k, c.stride, c.pad, c.act, true)), c.pk, c.ps))
				}
				dy := values("dy", y.Shape()...)
				grads, err := G.Backpropagate(G.Nodes{y}, G.Nodes{dy}, G.Nodes{x, w, b})
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
			for k, name := range []string{"output", "dx", "dw", "db"} {
				want, got := results[0][at:at+sizes[k]], results[1][at:at+sizes[k]]
				tol := 10 * tolerance(dt)
				if name == "output" {
					tol = 0
				}
				closeTo(t, fmt.Sprintf("%+v %v %s", c, dt, name), got, want, tol)
				at += sizes[k]
			}
		}
	}
}

// refConvMaxPool is the definition: max-pooling of refConv2D.
func refConvMaxPool(x []float64, c convPoolCase, w, b []float64) []float64 {
	y, ys := refConv2D(x, c.x, w, c.w, b, c.stride, c.pad, c.act)
	return refMaxPool(y, ys, c.pk, c.ps)
}

// withChunks runs f with the patches unrolled as the ops do, and one
// sample at a time: several chunks per piece.
func withChunks(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	defer func(v int) { chunkValues = v }(chunkValues)
	for _, v := range []int{chunkValues, 1} {
		chunkValues = v
		f(t)
	}
}

func TestConvMaxPoolForward(t *testing.T) { withChunks(t, testConvMaxPoolForward) }

func testConvMaxPoolForward(t *testing.T) {
	for _, c := range convPoolCases {
		for _, dt := range dtypes {
			rng := rand.New(rand.NewPCG(42, 42))
			xv := randValues(rng, tensor.Shape(c.x).TotalSize())
			wv := randValues(rng, tensor.Shape(c.w).TotalSize())
			bv := randValues(rng, c.w[0])
			g := G.NewGraph()
			x := nodeOf(g, "x", tensorOf(dt, xv, c.x...))
			w := nodeOf(g, "w", tensorOf(dt, wv, c.w...))
			b := nodeOf(g, "b", tensorOf(dt, bv, c.w[0]))
			y := G.Must(Conv2DMaxPool(x, w, b, c.k, c.stride, c.pad, c.act, c.pk, c.ps, true))
			runGraph(t, g)
			want := refConvMaxPool(roundTo(dt, xv), c, roundTo(dt, wv), roundTo(dt, bv))
			closeTo(t, fmt.Sprintf("%+v %v", c, dt), float64s(y.Value()), want, 10*tolerance(dt))
		}
	}
}

func TestConvMaxPoolGradients(t *testing.T) { withChunks(t, testConvMaxPoolGradients) }

func testConvMaxPoolGradients(t *testing.T) {
	for _, c := range convPoolCases {
		for _, needX := range []bool{true, false} {
			rng := rand.New(rand.NewPCG(43, 43))
			g := G.NewGraph()
			x := input(g, "x", randTensor(rng, c.x...))
			w := input(g, "w", randTensor(rng, c.w...))
			b := input(g, "b", randTensor(rng, c.w[0]))
			y, err := Conv2DMaxPool(x, w, b, c.k, c.stride, c.pad, c.act, c.pk, c.ps, needX)
			if err != nil {
				t.Fatal(err)
			}
			wrt := G.Nodes{w, b}
			if needX {
				wrt = append(wrt, x)
			}
			r, err := gradcheck.Check(g, weighted(t, rng, y), wrt, 1e-6)
			if err != nil {
				t.Fatalf("%+v: %v", c, err)
			}
			if r.MaxRel > 1e-6 {
				t.Errorf("%+v needX %v: %v", c, needX, r)
			}
		}
	}
}

// Where a window's values tie, its first largest gets the gradient, as
// with MaxPool2D; with ReLU, a window of negative values gets none. With
// a kernel of ones on one channel, every filter's product is x.
func TestConvMaxPoolTies(t *testing.T) {
	for _, c := range []struct {
		act    Activation
		pk, ps int
		lo     float64
	}{{Linear, 2, 2, 0}, {Linear, 3, 1, 0}, {ReLU, 2, 2, -1}, {ReLU, 3, 2, -1}, {LeakyReLU, 2, 1, -1}, {LeakyReLU, 2, 2, -1}, {Tanh, 2, 2, -1}} {
		for _, dt := range dtypes {
			for _, filters := range []int{1, 11} { // 11: a SIMD row and three more
				xs := []int{2, 1, 6, 7}
				xv := make([]float64, tensor.Shape(xs).TotalSize())
				for i := range xv {
					xv[i] = c.lo + float64(i%2) // ties in every window
				}
				ones := make([]float64, filters)
				for j := range ones {
					ones[j] = 1
				}
				var grads [2][]float64
				for i, fused := range []bool{false, true} {
					g := G.NewGraph()
					x := nodeOf(g, "x", tensorOf(dt, xv, xs...))
					w := nodeOf(g, "w", tensorOf(dt, ones, filters, 1, 1, 1))
					b := nodeOf(g, "b", tensorOf(dt, make([]float64, filters), filters))
					var y *G.Node
					if fused {
						y = G.Must(Conv2DMaxPool(x, w, b, 1, 1, 0, c.act, c.pk, c.ps, true))
					} else {
						y = G.Must(MaxPool2D(G.Must(Conv2D(x, w, b, 1, 1, 0, c.act, true)), c.pk, c.ps))
					}
					dy := make([]float64, y.Shape().TotalSize())
					for j := range dy {
						dy[j] = float64(j + 1)
					}
					dyn := nodeOf(g, "dy", tensorOf(dt, dy, y.Shape()...))
					dx, err := G.Backpropagate(G.Nodes{y}, G.Nodes{dyn}, G.Nodes{x})
					if err != nil {
						t.Fatal(err)
					}
					runGraph(t, g)
					grads[i] = float64s(dx[0].Value())
				}
				tol := 0.0
				if c.act == LeakyReLU && c.ps < c.pk {
					// (Σ dy)·slope against Σ (dy·slope) where windows overlap.
					tol = tolerance(dt)
				}
				closeTo(t, fmt.Sprintf("%+v %v, %d filters", c, dt, filters), grads[1], grads[0], tol)
			}
		}
	}
}

func TestConvMaxPoolRejectsBadArguments(t *testing.T) {
	rng := rand.New(rand.NewPCG(44, 44))
	for _, c := range []struct {
		x            []int
		act          Activation
		pk, ps, want int
	}{
		{[]int{1, 2, 5, 5}, ReLU, 4, 1, 0}, // window larger than the 3×3 output
		{[]int{1, 2, 5, 5}, ReLU, 0, 1, 0},
		{[]int{1, 2, 5, 5}, ReLU, 2, 0, 0},
		{[]int{1, 2, 5, 5}, Activation(99), 2, 2, 0},
	} {
		g := G.NewGraph()
		x, w, b := input(g, "x", randTensor(rng, c.x...)), input(g, "w", randTensor(rng, 3, 2, 3, 3)), input(g, "b", randTensor(rng, 3))
		if _, err := Conv2DMaxPool(x, w, b, 3, 1, 0, c.act, c.pk, c.ps, true); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}

func TestConvMaxPoolDeterministicAcrossCores(t *testing.T) {
	withChunks(t, testConvMaxPoolDeterministicAcrossCores)
}

func testConvMaxPoolDeterministicAcrossCores(t *testing.T) {
	for _, c := range []convPoolCase{
		{[]int{32, 3, 14, 14}, []int{16, 3, 3, 3}, 3, 1, 1, ReLU, 2, 2},
		{[]int{20, 1, 28, 28}, []int{32, 1, 3, 3}, 3, 1, 0, ReLU, 2, 2},
		{[]int{9, 4, 11, 11}, []int{8, 4, 3, 3}, 3, 1, 0, Tanh, 3, 2},
		{[]int{9, 4, 11, 11}, []int{8, 4, 3, 3}, 3, 1, 0, LeakyReLU, 1, 1},
	} {
		sameOnOneAndTwoCores(t, func() []float64 {
			rng := rand.New(rand.NewPCG(45, 45))
			g := G.NewGraph()
			values := func(name string, shape ...int) *G.Node {
				return nodeOf(g, name, tensorOf(tensor.Float32, randValues(rng, tensor.Shape(shape).TotalSize()), shape...))
			}
			x, w, b := values("x", c.x...), values("w", c.w...), values("b", c.w[0])
			y := G.Must(Conv2DMaxPool(x, w, b, c.k, c.stride, c.pad, c.act, c.pk, c.ps, true))
			grads, err := G.Backpropagate(G.Nodes{y}, G.Nodes{values("dy", y.Shape()...)}, G.Nodes{x, w, b})
			if err != nil {
				t.Fatal(err)
			}
			runGraph(t, g)
			return gradOutputs(append(grads, y)...)
		})
	}
}

func TestConvMaxPoolFloat32(t *testing.T) {
	for _, c := range convPoolCases {
		float32MatchesFloat64(t, fmt.Sprintf("%+v", c), 1e-5, func(g *G.ExprGraph, _ tensor.Dtype, values func(string, ...int) *G.Node) (*G.Node, G.Nodes) {
			x, w, b := values("x", c.x...), values("w", c.w...), values("b", c.w[0])
			return G.Must(Conv2DMaxPool(x, w, b, c.k, c.stride, c.pad, c.act, c.pk, c.ps, true)), G.Nodes{x, w, b}
		})
	}
}
