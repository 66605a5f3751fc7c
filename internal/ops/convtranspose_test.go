package ops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dlgo/dlgo/internal/gradcheck"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// refConv2DTranspose is the definition of the transposed convolution:
// y[n,co,oy,ox] = b[co] + Σ x[n,ci,i,j]·w[ci,co,ki,kj] over ci, i, j, ki,
// kj with oy = i·s - p + ki and ox = j·s - p + kj, then act.
func refConv2DTranspose(x []float64, xs []int, w []float64, ws []int, b []float64, s, p, op int, act Activation) ([]float64, []int) {
	n, cin, h, wd := xs[0], xs[1], xs[2], xs[3]
	cout, k := ws[1], ws[2]
	H, W := (h-1)*s-2*p+k+op, (wd-1)*s-2*p+k+op
	y := make([]float64, n*cout*H*W)
	for smp := range n {
		for co := range cout {
			for oy := range H {
				for ox := range W {
					v := b[co]
					for ci := range cin {
						for i := range h {
							for j := range wd {
								for ki := range k {
									for kj := range k {
										if oy == i*s-p+ki && ox == j*s-p+kj {
											v += x[((smp*cin+ci)*h+i)*wd+j] * w[((ci*cout+co)*k+ki)*k+kj]
										}
									}
								}
							}
						}
					}
					y[((smp*cout+co)*H+oy)*W+ox] = refActivation(act, v)
				}
			}
		}
	}
	return y, []int{n, cout, H, W}
}

var convTransposeCases = []struct {
	x, w                   []int
	k, stride, pad, outPad int
	act                    Activation
}{
	{[]int{2, 3, 3, 4}, []int{3, 2, 3, 3}, 3, 1, 1, 0, Linear},
	{[]int{2, 2, 3, 3}, []int{2, 3, 3, 3}, 3, 2, 1, 1, ReLU},
	{[]int{1, 3, 2, 3}, []int{3, 2, 4, 4}, 4, 2, 1, 0, Tanh},
	{[]int{2, 1, 3, 2}, []int{1, 2, 2, 2}, 2, 3, 0, 2, LeakyReLU}, // outPad > pad: the last rows get only the bias
	{[]int{1, 2, 4, 4}, []int{2, 4, 1, 1}, 1, 1, 0, 0, Sigmoid},
	{[]int{2, 2, 4, 5}, []int{2, 1, 5, 5}, 5, 2, 4, 1, Linear}, // pad k-1
	{[]int{2, 2, 3, 2}, []int{2, 1, 5, 5}, 5, 2, 2, 1, Linear},
}

func TestConvTransposeForward(t *testing.T) {
	for _, c := range convTransposeCases {
		for _, dt := range dtypes {
			rng := rand.New(rand.NewPCG(27, 27))
			xv := randValues(rng, tensor.Shape(c.x).TotalSize())
			wv := randValues(rng, tensor.Shape(c.w).TotalSize())
			bv := randValues(rng, c.w[1])
			g := G.NewGraph()
			x := nodeOf(g, "x", tensorOf(dt, xv, c.x...))
			w := nodeOf(g, "w", tensorOf(dt, wv, c.w...))
			b := nodeOf(g, "b", tensorOf(dt, bv, c.w[1]))
			y, err := Conv2DTranspose(x, w, b, c.k, c.stride, c.pad, c.outPad, c.act, true)
			if err != nil {
				t.Fatal(err)
			}
			runGraph(t, g)
			want, shape := refConv2DTranspose(roundTo(dt, xv), c.x, roundTo(dt, wv), c.w, roundTo(dt, bv), c.stride, c.pad, c.outPad, c.act)
			if !y.Shape().Eq(tensor.Shape(shape)) {
				t.Fatalf("%+v: shape %v; want %v", c, y.Shape(), shape)
			}
			closeTo(t, fmt.Sprintf("%+v %v", c, dt), float64s(y.Value()), want, 10*tolerance(dt))
		}
	}
}

// PyTorch's ConvTranspose2d(1, 1, 3, stride=2, padding=1, output_padding=1,
// bias=False) on [[1 2] [3 4]] with the kernel [[1 2 3] [4 5 6] [7 8 9]]:
// the input scatters the scaled kernel at stride 2 onto a 5×5 grid,
//
//	1  2  5  4  6
//	4  5 14 10 12
//	10 14 36 24 30
//	12 15 34 20 24
//	21 24 55 32 36
//
// (the middle row is 1·[7 8 9] + 2·[0 0 7] and 3·[1 2 3] + 4·[0 0 1], and
// so on), of which padding 1 cuts the first row and column and the last
// ones, and output padding 1 gives the last ones back: rows and columns 1
// to 4, a 4×4 result.
func TestConvTransposePyTorchExample(t *testing.T) {
	for _, dt := range dtypes {
		g := G.NewGraph()
		x := nodeOf(g, "x", tensorOf(dt, []float64{1, 2, 3, 4}, 1, 1, 2, 2))
		w := nodeOf(g, "w", tensorOf(dt, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3))
		b := nodeOf(g, "b", tensorOf(dt, []float64{0}, 1))
		y, err := Conv2DTranspose(x, w, b, 3, 2, 1, 1, Linear, false)
		if err != nil {
			t.Fatal(err)
		}
		runGraph(t, g)
		if !y.Shape().Eq(tensor.Shape{1, 1, 4, 4}) {
			t.Fatalf("shape %v; want (1, 1, 4, 4)", y.Shape())
		}
		want := []float64{
			5, 14, 10, 12,
			14, 36, 24, 30,
			15, 34, 20, 24,
			24, 55, 32, 36,
		}
		closeTo(t, dt.String(), float64s(y.Value()), want, 0)
	}
}

// The transposed convolution is the adjoint of Conv2D with the same
// kernel: ⟨Conv2D(u), v⟩ = ⟨u, Conv2DTranspose(v)⟩ without bias or
// activation, the kernel (cin, cout, k, k) read by Conv2D as cin filters
// of cout channels.
func TestConvTransposeIsAdjointOfConv(t *testing.T) {
	for _, c := range convTransposeCases {
		rng := rand.New(rand.NewPCG(28, 28))
		wv := randValues(rng, tensor.Shape(c.w).TotalSize())
		vs := c.x
		_, us := refConv2DTranspose(make([]float64, tensor.Shape(vs).TotalSize()), vs, wv, c.w, make([]float64, c.w[1]), c.stride, c.pad, c.outPad, Linear)
		u, v := randValues(rng, tensor.Shape(us).TotalSize()), randValues(rng, tensor.Shape(vs).TotalSize())
		g := G.NewGraph()
		un, vn := nodeOf(g, "u", tensorOf(tensor.Float64, u, us...)), nodeOf(g, "v", tensorOf(tensor.Float64, v, vs...))
		w := nodeOf(g, "w", tensorOf(tensor.Float64, wv, c.w...))
		zf := nodeOf(g, "zf", tensorOf(tensor.Float64, make([]float64, c.w[0]), c.w[0]))
		zt := nodeOf(g, "zt", tensorOf(tensor.Float64, make([]float64, c.w[1]), c.w[1]))
		cu := G.Must(Conv2D(un, w, zf, c.k, c.stride, c.pad, Linear, true))
		tv := G.Must(Conv2DTranspose(vn, w, zt, c.k, c.stride, c.pad, c.outPad, Linear, true))
		if !cu.Shape().Eq(vn.Shape()) {
			t.Fatalf("%+v: Conv2D gives %v; want %v", c, cu.Shape(), vn.Shape())
		}
		runGraph(t, g)
		var lhs, rhs float64
		for i, x := range float64s(cu.Value()) {
			lhs += x * v[i]
		}
		for i, x := range float64s(tv.Value()) {
			rhs += u[i] * x
		}
		if math.Abs(lhs-rhs) > 1e-12*math.Max(1, math.Abs(lhs)) {
			t.Errorf("%+v: ⟨conv u, v⟩ = %v, ⟨u, convᵀ v⟩ = %v", c, lhs, rhs)
		}
	}
}

func TestConvTransposeGradients(t *testing.T) {
	for _, c := range convTransposeCases {
		for _, needX := range []bool{true, false} {
			rng := rand.New(rand.NewPCG(29, 29))
			g := G.NewGraph()
			x := input(g, "x", randTensor(rng, c.x...))
			w := input(g, "w", randTensor(rng, c.w...))
			b := input(g, "b", randTensor(rng, c.w[1]))
			y, err := Conv2DTranspose(x, w, b, c.k, c.stride, c.pad, c.outPad, c.act, needX)
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
				t.Errorf("%+v (needX %v): %v", c, needX, r)
			}
			checkNoOpPointers(t, g)
			for _, n := range g.AllNodes() {
				if _, ok := n.Op().(*fromChannelMajorOp); ok && !needX {
					t.Errorf("%+v: computes x's gradient without needX", c)
				}
			}
		}
	}
}

func TestConvTransposeRejectsBadArguments(t *testing.T) {
	rng := rand.New(rand.NewPCG(30, 30))
	for _, c := range []struct {
		x, w, b                []int
		k, stride, pad, outPad int
	}{
		{[]int{1, 2, 3, 3}, []int{2, 3, 3, 3}, []int{3}, 3, 2, 3, 0},  // pad ≥ k
		{[]int{1, 2, 3, 3}, []int{2, 3, 3, 3}, []int{3}, 3, 2, 1, 2},  // outPad ≥ stride
		{[]int{1, 2, 3, 3}, []int{2, 3, 3, 3}, []int{3}, 3, 1, 1, 1},  // outPad ≥ stride 1
		{[]int{1, 2, 3, 3}, []int{2, 3, 3, 3}, []int{3}, 3, 2, -1, 0}, // negative pad
		{[]int{1, 2, 3, 3}, []int{2, 3, 3, 3}, []int{3}, 3, 2, 1, -1},
		{[]int{1, 2, 3, 3}, []int{3, 2, 3, 3}, []int{3}, 3, 2, 1, 0}, // Conv2D's layout
		{[]int{1, 2, 3, 3}, []int{2, 3, 3, 3}, []int{2}, 3, 2, 1, 0}, // bias
		{[]int{1, 2, 3, 3}, []int{2, 3, 2, 2}, []int{3}, 3, 2, 1, 0}, // kernel size
		{[]int{1, 2, 3, 3}, []int{2, 3, 3, 3}, []int{3}, 3, 0, 1, 0}, // stride
		{[]int{1, 2, 1, 1}, []int{2, 3, 3, 3}, []int{3}, 3, 1, 2, 0}, // empty output
	} {
		g := G.NewGraph()
		x, w, b := input(g, "x", randTensor(rng, c.x...)), input(g, "w", randTensor(rng, c.w...)), input(g, "b", randTensor(rng, c.b...))
		if _, err := Conv2DTranspose(x, w, b, c.k, c.stride, c.pad, c.outPad, ReLU, true); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}

func TestConvTransposeDeterministicAcrossCores(t *testing.T) {
	sameOnOneAndTwoCores(t, func() []float64 {
		rng := rand.New(rand.NewPCG(31, 31))
		g := G.NewGraph()
		x := nodeOf(g, "x", tensorOf(tensor.Float32, randValues(rng, 32*16*7*7), 32, 16, 7, 7))
		w := nodeOf(g, "w", tensorOf(tensor.Float32, randValues(rng, 16*8*4*4), 16, 8, 4, 4))
		b := nodeOf(g, "b", tensorOf(tensor.Float32, randValues(rng, 8), 8))
		y := G.Must(Conv2DTranspose(x, w, b, 4, 2, 1, 0, LeakyReLU, true))
		grads, err := G.Grad(G.Must(G.Sum(G.Must(G.Square(y)))), x, w, b)
		if err != nil {
			t.Fatal(err)
		}
		runGraph(t, g)
		return gradOutputs(append(grads, y)...)
	})
}

func TestConvTransposeFloat32(t *testing.T) {
	for _, c := range convTransposeCases {
		float32MatchesFloat64(t, fmt.Sprintf("%+v", c), 1e-5, func(g *G.ExprGraph, _ tensor.Dtype, values func(string, ...int) *G.Node) (*G.Node, G.Nodes) {
			x, w, b := values("x", c.x...), values("w", c.w...), values("b", c.w[1])
			return G.Must(Conv2DTranspose(x, w, b, c.k, c.stride, c.pad, c.outPad, c.act, true)), G.Nodes{x, w, b}
		})
	}
}
