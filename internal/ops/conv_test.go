package ops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"testing"

	"github.com/dlgo/dlgo/internal/gradcheck"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestConvGradients(t *testing.T) {
	tests := []struct {
		name           string
		x, w           []int
		k, stride, pad int
		act            Activation
		needX          bool
	}{
		{"3x3 pad 1", []int{2, 2, 5, 5}, []int{3, 2, 3, 3}, 3, 1, 1, Tanh, true},
		{"3x3 stride 2", []int{2, 1, 7, 6}, []int{2, 1, 3, 3}, 3, 2, 0, Linear, true},
		{"2x2 stride 3 pad 2", []int{1, 3, 6, 6}, []int{2, 3, 2, 2}, 2, 3, 2, Sigmoid, true},
		{"1x1", []int{3, 4, 3, 3}, []int{2, 4, 1, 1}, 1, 1, 0, ReLU, true},
		{"no input gradient", []int{2, 2, 5, 5}, []int{3, 2, 3, 3}, 3, 1, 1, ReLU, false},
		{"leaky ReLU", []int{2, 3, 6, 5}, []int{4, 3, 3, 3}, 3, 2, 1, LeakyReLU, true},
	}
	for _, tt := range tests {
		rng := rand.New(rand.NewPCG(7, 7))
		g := G.NewGraph()
		x := input(g, "x", randTensor(rng, tt.x...))
		w := input(g, "w", randTensor(rng, tt.w...))
		b := input(g, "b", randTensor(rng, tt.w[0]))
		y, err := Conv2D(x, w, b, tt.k, tt.stride, tt.pad, tt.act, tt.needX)
		if err != nil {
			t.Fatal(err)
		}
		wrt := G.Nodes{w, b}
		if tt.needX {
			wrt = append(wrt, x)
		}
		r, err := gradcheck.Check(g, weighted(t, rng, y), wrt, 1e-6)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if r.MaxRel > 1e-6 {
			t.Errorf("%s: %v", tt.name, r)
		}
	}
}

func TestMaxPoolGradients(t *testing.T) {
	for _, c := range []struct{ h, w, k, stride int }{{6, 6, 2, 2}, {7, 5, 2, 2}, {6, 6, 3, 1}, {5, 7, 3, 2}} {
		rng := rand.New(rand.NewPCG(8, 8))
		g := G.NewGraph()
		x := input(g, "x", randTensor(rng, 2, 3, c.h, c.w))
		y, err := MaxPool2D(x, c.k, c.stride)
		if err != nil {
			t.Fatal(err)
		}
		r, err := gradcheck.Check(g, weighted(t, rng, y), G.Nodes{x}, 1e-6)
		if err != nil {
			t.Fatal(err)
		}
		if r.MaxRel > 1e-6 {
			t.Errorf("%+v: %v", c, r)
		}
	}
}

// A training step's results are the same bits with one core or two.
func TestConvDeterministicAcrossCores(t *testing.T) {
	run := func() []float32 {
		rng := rand.New(rand.NewPCG(9, 9))
		f32 := func(shape ...int) *tensor.Dense {
			v := make([]float32, tensor.Shape(shape).TotalSize())
			for i := range v {
				v[i] = float32(2*rng.Float64() - 1)
			}
			return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
		}
		g := G.NewGraph()
		node := func(name string, t *tensor.Dense) *G.Node {
			return G.NewTensor(g, tensor.Float32, t.Dims(), G.WithShape(t.Shape()...), G.WithName(name), G.WithValue(t))
		}
		x, w, b := node("x", f32(32, 3, 14, 14)), node("w", f32(16, 3, 3, 3)), node("b", f32(16))
		y := G.Must(Conv2D(x, w, b, 3, 1, 1, ReLU, true))
		p := G.Must(MaxPool2D(y, 2, 2))
		cost := G.Must(G.Sum(G.Must(G.Square(p))))
		grads, err := G.Grad(cost, x, w, b)
		if err != nil {
			t.Fatal(err)
		}
		if err := G.NewTapeMachine(g).RunAll(); err != nil {
			t.Fatal(err)
		}
		var out []float32
		for _, n := range append(grads, p) {
			out = append(out, n.Value().Data().([]float32)...)
		}
		return out
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	one := run()
	runtime.GOMAXPROCS(2)
	if two := run(); !slices.Equal(one, two) {
		t.Error("results differ between 1 and 2 cores")
	}
}

func TestWindow(t *testing.T) {
	for w := 1; w <= 7; w++ {
		for k := 1; k <= 4; k++ {
			for stride := 1; stride <= 3; stride++ {
				for pad := 0; pad <= 3; pad++ {
					if w+2*pad < k {
						continue
					}
					out := (w+2*pad-k)/stride + 1
					for kj := range k {
						lo, hi := window(kj, stride, pad, w, out)
						for o := range out {
							ix := o*stride + kj - pad
							inside := ix >= 0 && ix < w
							if inside != (o >= lo && o < hi) {
								t.Fatalf("w %d k %d stride %d pad %d kj %d: window [%d, %d) but o=%d maps to %d", w, k, stride, pad, kj, lo, hi, o, ix)
							}
						}
					}
				}
			}
		}
	}
}

// refConv2D is the definition of Conv2D, with plain loops:
// y[s,f,oy,ox] = act(b[f] + Σ_{c,ki,kj} x[s,c,oy·stride+ki-pad,ox·stride+kj-pad]·w[f,c,ki,kj]).
func refConv2D(x []float64, xs []int, w []float64, ws []int, b []float64, stride, pad int, act Activation) ([]float64, []int) {
	n, c, h, wd := xs[0], xs[1], xs[2], xs[3]
	f, k := ws[0], ws[2]
	oh, ow := (h+2*pad-k)/stride+1, (wd+2*pad-k)/stride+1
	y := make([]float64, n*f*oh*ow)
	for s := range n {
		for fi := range f {
			for oy := range oh {
				for ox := range ow {
					v := b[fi]
					for ci := range c {
						for ki := range k {
							for kj := range k {
								iy, ix := oy*stride+ki-pad, ox*stride+kj-pad
								if iy >= 0 && iy < h && ix >= 0 && ix < wd {
									v += x[((s*c+ci)*h+iy)*wd+ix] * w[((fi*c+ci)*k+ki)*k+kj]
								}
							}
						}
					}
					y[((s*f+fi)*oh+oy)*ow+ox] = refActivation(act, v)
				}
			}
		}
	}
	return y, []int{n, f, oh, ow}
}

func TestConvForward(t *testing.T) {
	for _, c := range []struct {
		x, w           []int
		k, stride, pad int
		act            Activation
	}{
		{[]int{2, 3, 7, 6}, []int{4, 3, 3, 3}, 3, 1, 1, ReLU},
		{[]int{3, 2, 9, 8}, []int{5, 2, 3, 3}, 3, 2, 0, LeakyReLU},
		{[]int{1, 4, 6, 7}, []int{2, 4, 2, 2}, 2, 3, 2, Tanh},
		{[]int{2, 1, 5, 5}, []int{3, 1, 5, 5}, 5, 1, 2, Sigmoid},
		{[]int{2, 70, 4, 4}, []int{3, 70, 1, 1}, 1, 1, 0, Linear}, // more filters than patch values: the other packing
	} {
		for _, dt := range dtypes {
			rng := rand.New(rand.NewPCG(14, 14))
			xv := randValues(rng, tensor.Shape(c.x).TotalSize())
			wv := randValues(rng, tensor.Shape(c.w).TotalSize())
			bv := randValues(rng, c.w[0])
			g := G.NewGraph()
			x := nodeOf(g, "x", tensorOf(dt, xv, c.x...))
			w := nodeOf(g, "w", tensorOf(dt, wv, c.w...))
			b := nodeOf(g, "b", tensorOf(dt, bv, c.w[0]))
			y, err := Conv2D(x, w, b, c.k, c.stride, c.pad, c.act, true)
			if err != nil {
				t.Fatal(err)
			}
			runGraph(t, g)
			want, shape := refConv2D(roundTo(dt, xv), c.x, roundTo(dt, wv), c.w, roundTo(dt, bv), c.stride, c.pad, c.act)
			if !y.Shape().Eq(tensor.Shape(shape)) {
				t.Fatalf("%+v: shape %v; want %v", c, y.Shape(), shape)
			}
			closeTo(t, fmt.Sprintf("%+v %v", c, dt), float64s(y.Value()), want, 10*tolerance(dt))
		}
	}
}

func TestConvRejectsBadShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 15))
	for _, c := range []struct {
		x, w, b        []int
		k, stride, pad int
	}{
		{[]int{1, 2, 5, 5}, []int{3, 3, 3, 3}, []int{3}, 3, 1, 0}, // channels
		{[]int{1, 2, 5, 5}, []int{3, 2, 3, 3}, []int{4}, 3, 1, 0}, // bias
		{[]int{1, 2, 5, 5}, []int{3, 2, 2, 2}, []int{3}, 3, 1, 0}, // kernel size
		{[]int{1, 2, 2, 5}, []int{3, 2, 3, 3}, []int{3}, 3, 1, 0}, // too small
		{[]int{1, 2, 5, 5}, []int{3, 2, 3, 3}, []int{3}, 3, 0, 0}, // stride
		{[]int{1, 2, 5, 5}, []int{3, 2, 3, 3}, []int{3}, 3, 1, -1},
	} {
		g := G.NewGraph()
		x, w, b := input(g, "x", randTensor(rng, c.x...)), input(g, "w", randTensor(rng, c.w...)), input(g, "b", randTensor(rng, c.b...))
		if _, err := Conv2D(x, w, b, c.k, c.stride, c.pad, ReLU, true); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}

// No op of a trained graph points to another op: a gradient reads what
// it needs from its inputs, which the graph shows.
func TestConvGradientsReadOnlyInputs(t *testing.T) {
	for _, pooled := range []bool{false, true} {
		rng := rand.New(rand.NewPCG(16, 16))
		g := G.NewGraph()
		x := input(g, "x", randTensor(rng, 2, 3, 8, 8))
		w := input(g, "w", randTensor(rng, 4, 3, 3, 3))
		b := input(g, "b", randTensor(rng, 4))
		var y, p *G.Node
		if pooled {
			p = G.Must(Conv2DMaxPool(x, w, b, 3, 1, 1, ReLU, 2, 2, true))
		} else {
			y = G.Must(Conv2D(x, w, b, 3, 1, 1, ReLU, true))
			p = G.Must(MaxPool2D(y, 2, 2))
		}
		if _, err := G.Grad(G.Must(G.Sum(p)), x, w, b); err != nil {
			t.Fatal(err)
		}
		checkNoOpPointers(t, g)
		var kernelGrads, inputGrads, outputGrads, poolGrads int
		for _, n := range g.AllNodes() {
			switch n.Op().(type) {
			case *convKernelGradOp:
				kernelGrads++
				if children(g, n)[0] != x {
					t.Errorf("the kernel gradient reads %v, not the convolution's input", children(g, n)[0])
				}
			case *convInputGradOp:
				inputGrads++
				if children(g, n)[0] != w {
					t.Errorf("the input gradient reads %v, not the kernel", children(g, n)[0])
				}
			case *convOutputGradOp:
				outputGrads++
				in := children(g, n)
				_, product := in[0].Op().(*convProductOp)
				_, output := in[2].Op().(*convOutputOp)
				if !product || in[1] != b || !output {
					t.Errorf("the output's gradient reads %v, not the product, the bias and the output", in)
				}
				if pooled && in[2] != p {
					t.Errorf("the pooled output's gradient reads %v, not the pooled output", in[2])
				}
			case *maxPoolGradOp:
				poolGrads++
				if children(g, n)[1] != y || children(g, n)[2] != p {
					t.Errorf("the max-pooling gradient reads %v, not the pooling's input and output", children(g, n))
				}
			}
		}
		wantPool := 1
		if pooled {
			wantPool = 0
		}
		if kernelGrads != 1 || inputGrads != 1 || outputGrads != 1 || poolGrads != wantPool {
			t.Errorf("pooled %v: %d kernel, %d input, %d output and %d pooling gradients; want 1, 1, 1, %d",
				pooled, kernelGrads, inputGrads, outputGrads, poolGrads, wantPool)
		}
	}
}

// Without needX, no node computes the input's gradient.
func TestConvSkipsInputGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 17))
	g := G.NewGraph()
	x := input(g, "x", randTensor(rng, 2, 3, 8, 8))
	w := input(g, "w", randTensor(rng, 4, 3, 3, 3))
	b := input(g, "b", randTensor(rng, 4))
	y := G.Must(Conv2D(x, w, b, 3, 1, 1, ReLU, false))
	if _, err := G.Grad(G.Must(G.Sum(y)), w, b); err != nil {
		t.Fatal(err)
	}
	for _, n := range g.AllNodes() {
		switch n.Op().(type) {
		case *convInputGradOp, *col2imOp, *weightProductOp:
			t.Errorf("the graph computes %v", n.Op())
		}
	}
}

// refMaxPool is max-pooling's definition.
func refMaxPool(x []float64, xs []int, k, stride int) []float64 {
	oh, ow := (xs[2]-k)/stride+1, (xs[3]-k)/stride+1
	var y []float64
	for pl := range xs[0] * xs[1] {
		for oy := range oh {
			for ox := range ow {
				m := math.Inf(-1)
				for ki := range k {
					for kj := range k {
						m = math.Max(m, x[(pl*xs[2]+oy*stride+ki)*xs[3]+ox*stride+kj])
					}
				}
				y = append(y, m)
			}
		}
	}
	return y
}

func TestMaxPoolForward(t *testing.T) {
	for _, c := range []struct{ h, w, k, stride int }{{6, 6, 2, 2}, {7, 5, 2, 2}, {6, 6, 3, 1}, {5, 7, 3, 2}, {4, 4, 1, 1}} {
		for _, dt := range dtypes {
			rng := rand.New(rand.NewPCG(18, 18))
			xs := []int{2, 3, c.h, c.w}
			xv := randValues(rng, tensor.Shape(xs).TotalSize())
			g := G.NewGraph()
			x := nodeOf(g, "x", tensorOf(dt, xv, xs...))
			y, err := MaxPool2D(x, c.k, c.stride)
			if err != nil {
				t.Fatal(err)
			}
			runGraph(t, g)
			closeTo(t, fmt.Sprintf("%+v %v", c, dt), float64s(y.Value()), refMaxPool(roundTo(dt, xv), xs, c.k, c.stride), 0)
		}
	}
}

// The first largest value of a window gets its gradient, also when
// windows overlap and in the 2×2 case.
func TestMaxPoolTies(t *testing.T) {
	for _, c := range []struct{ k, stride int }{{2, 2}, {3, 1}, {2, 1}, {3, 2}} {
		for _, dt := range dtypes {
			xs := []int{1, 2, 5, 6}
			xv := make([]float64, tensor.Shape(xs).TotalSize())
			for i := range xv {
				xv[i] = float64(i % 2) // ties in every window: 0 1 0 1 ...
			}
			g := G.NewGraph()
			x := nodeOf(g, "x", tensorOf(dt, xv, xs...))
			y := G.Must(MaxPool2D(x, c.k, c.stride))
			dy := make([]float64, y.Shape().TotalSize())
			for i := range dy {
				dy[i] = float64(i + 1)
			}
			dyn := nodeOf(g, "dy", tensorOf(dt, dy, y.Shape()...))
			grads, err := G.Backpropagate(G.Nodes{y}, G.Nodes{dyn}, G.Nodes{x})
			if err != nil {
				t.Fatal(err)
			}
			runGraph(t, g)
			want := make([]float64, len(xv))
			oh, ow := y.Shape()[2], y.Shape()[3]
			o := 0
			for pl := range xs[0] * xs[1] {
				for oy := range oh {
					for ox := range ow {
						best := -1
						for ki := range c.k {
							for kj := range c.k {
								i := (pl*xs[2]+oy*c.stride+ki)*xs[3] + ox*c.stride + kj
								if best < 0 || xv[i] > xv[best] {
									best = i
								}
							}
						}
						want[best] += dy[o]
						o++
					}
				}
			}
			closeTo(t, fmt.Sprintf("%+v %v", c, dt), float64s(grads[0].Value()), want, 0)
		}
	}
}

// children returns the inputs of n, in order.
func children(g *G.ExprGraph, n *G.Node) G.Nodes {
	var out G.Nodes
	for it := g.From(n.ID()); it.Next(); {
		out = append(out, it.Node().(*G.Node))
	}
	return out
}

// checkNoOpPointers fails if an op of g holds a pointer to an op: each
// must read what it needs from its inputs, which the graph shows.
func checkNoOpPointers(t *testing.T, g *G.ExprGraph) {
	t.Helper()
	opType := reflect.TypeOf((*G.Op)(nil)).Elem()
	for _, n := range g.AllNodes() {
		if n.Op() == nil {
			continue
		}
		v := reflect.ValueOf(n.Op())
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			continue
		}
		for i := range v.NumField() {
			if ft := v.Type().Field(i); ft.Type.Kind() == reflect.Pointer && ft.Type.Implements(opType) {
				t.Errorf("%v holds a pointer to an op (%s)", n.Op(), ft.Name)
			}
		}
	}
}

func TestConvFloat32(t *testing.T) {
	for _, c := range []struct {
		x, w           []int
		k, stride, pad int
		act            Activation
	}{
		{[]int{2, 3, 7, 6}, []int{4, 3, 3, 3}, 3, 1, 1, ReLU},
		{[]int{3, 2, 9, 8}, []int{5, 2, 3, 3}, 3, 2, 0, LeakyReLU},
		{[]int{2, 70, 4, 4}, []int{3, 70, 1, 1}, 1, 1, 0, Sigmoid},
	} {
		float32MatchesFloat64(t, fmt.Sprintf("%+v", c), 1e-5, func(g *G.ExprGraph, _ tensor.Dtype, values func(string, ...int) *G.Node) (*G.Node, G.Nodes) {
			x, w, b := values("x", c.x...), values("w", c.w...), values("b", c.w[0])
			y := G.Must(Conv2D(x, w, b, c.k, c.stride, c.pad, c.act, true))
			return G.Must(MaxPool2D(y, 2, 1)), G.Nodes{x, w, b}
		})
	}
}
