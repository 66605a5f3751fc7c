package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dlgo/dlgo/internal/gradcheck"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// refUpsample is nearest-neighbour upsampling's definition,
// y[s,c,i,j] = x[s,c,i/f,j/f], and refUpsampleGrad its gradient.
func refUpsample(x []float64, xs []int, f int) []float64 {
	h, w := xs[2]*f, xs[3]*f
	y := make([]float64, xs[0]*xs[1]*h*w)
	for pl := range xs[0] * xs[1] {
		for i := range h {
			for j := range w {
				y[(pl*h+i)*w+j] = x[(pl*xs[2]+i/f)*xs[3]+j/f]
			}
		}
	}
	return y
}

func refUpsampleGrad(dy []float64, xs []int, f int) []float64 {
	h, w := xs[2]*f, xs[3]*f
	dx := make([]float64, tensor.Shape(xs).TotalSize())
	for pl := range xs[0] * xs[1] {
		for i := range h {
			for j := range w {
				dx[(pl*xs[2]+i/f)*xs[3]+j/f] += dy[(pl*h+i)*w+j]
			}
		}
	}
	return dx
}

func TestUpsampleForwardAndGradient(t *testing.T) {
	for _, c := range []struct{ h, w, f int }{{3, 4, 2}, {2, 5, 3}, {4, 4, 1}, {1, 1, 4}} {
		for _, dt := range dtypes {
			rng := rand.New(rand.NewPCG(23, 23))
			xs := []int{2, 3, c.h, c.w}
			xv := randValues(rng, tensor.Shape(xs).TotalSize())
			g := G.NewGraph()
			x := nodeOf(g, "x", tensorOf(dt, xv, xs...))
			y, err := Upsample2D(x, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if want := (tensor.Shape{2, 3, c.h * c.f, c.w * c.f}); !y.Shape().Eq(want) {
				t.Fatalf("%+v: shape %v; want %v", c, y.Shape(), want)
			}
			dyv := randValues(rng, y.Shape().TotalSize())
			dy := nodeOf(g, "dy", tensorOf(dt, dyv, y.Shape()...))
			grads, err := G.Backpropagate(G.Nodes{y}, G.Nodes{dy}, G.Nodes{x})
			if err != nil {
				t.Fatal(err)
			}
			runGraph(t, g)
			what := fmt.Sprintf("%+v %v", c, dt)
			closeTo(t, what+" y", float64s(y.Value()), refUpsample(roundTo(dt, xv), xs, c.f), 0)
			closeTo(t, what+" dx", float64s(grads[0].Value()), refUpsampleGrad(roundTo(dt, dyv), xs, c.f), tolerance(dt))
		}
	}
}

func TestUpsampleGradients(t *testing.T) {
	for _, f := range []int{1, 2, 3} {
		rng := rand.New(rand.NewPCG(24, uint64(f)))
		g := G.NewGraph()
		x := input(g, "x", randTensor(rng, 2, 2, 3, 4))
		y, err := Upsample2D(x, f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := gradcheck.Check(g, weighted(t, rng, y), G.Nodes{x}, 1e-6)
		if err != nil {
			t.Fatal(err)
		}
		if r.MaxRel > 1e-6 {
			t.Errorf("factor %d: %v", f, r)
		}
	}
}

func TestUpsampleRejectsBadArguments(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 25))
	for _, c := range []struct {
		x []int
		f int
	}{{[]int{1, 1, 2, 2}, 0}, {[]int{2, 2}, 2}} {
		g := G.NewGraph()
		if _, err := Upsample2D(input(g, "x", randTensor(rng, c.x...)), c.f); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}

func TestUpsampleDeterministicAcrossCores(t *testing.T) {
	sameOnOneAndTwoCores(t, func() []float64 {
		rng := rand.New(rand.NewPCG(26, 26))
		g := G.NewGraph()
		x := nodeOf(g, "x", tensorOf(tensor.Float32, randValues(rng, 16*8*7*7), 16, 8, 7, 7))
		y := G.Must(Upsample2D(x, 2))
		grads, err := G.Grad(G.Must(G.Sum(G.Must(G.Square(y)))), x)
		if err != nil {
			t.Fatal(err)
		}
		runGraph(t, g)
		return gradOutputs(y, grads[0])
	})
}
