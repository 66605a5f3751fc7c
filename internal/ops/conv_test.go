package ops

import (
	"math/rand/v2"
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
