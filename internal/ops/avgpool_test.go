package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dlgo/dlgo/internal/gradcheck"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// refAvgPool is average-pooling's definition, and refAvgPoolGrad its
// gradient: each input gets dy/k² from every window that covers it.
func refAvgPool(x []float64, xs []int, k, stride int) []float64 {
	oh, ow := (xs[2]-k)/stride+1, (xs[3]-k)/stride+1
	var y []float64
	for pl := range xs[0] * xs[1] {
		for oy := range oh {
			for ox := range ow {
				s := 0.0
				for ki := range k {
					for kj := range k {
						s += x[(pl*xs[2]+oy*stride+ki)*xs[3]+ox*stride+kj]
					}
				}
				y = append(y, s/float64(k*k))
			}
		}
	}
	return y
}

func refAvgPoolGrad(dy []float64, xs []int, k, stride int) []float64 {
	oh, ow := (xs[2]-k)/stride+1, (xs[3]-k)/stride+1
	dx := make([]float64, tensor.Shape(xs).TotalSize())
	for pl := range xs[0] * xs[1] {
		for i := range xs[2] {
			for j := range xs[3] {
				for oy := range oh {
					for ox := range ow {
						if i >= oy*stride && i < oy*stride+k && j >= ox*stride && j < ox*stride+k {
							dx[(pl*xs[2]+i)*xs[3]+j] += dy[(pl*oh+oy)*ow+ox] / float64(k*k)
						}
					}
				}
			}
		}
	}
	return dx
}

var avgPoolCases = []struct{ h, w, k, stride int }{
	{6, 6, 2, 2}, {7, 5, 2, 2}, {6, 6, 3, 1}, {5, 7, 3, 2}, {8, 7, 2, 3}, {4, 4, 1, 1}, {5, 5, 5, 1},
}

func TestAvgPoolForwardAndGradient(t *testing.T) {
	for _, c := range avgPoolCases {
		for _, dt := range dtypes {
			rng := rand.New(rand.NewPCG(19, 19))
			xs := []int{2, 3, c.h, c.w}
			xv := randValues(rng, tensor.Shape(xs).TotalSize())
			g := G.NewGraph()
			x := nodeOf(g, "x", tensorOf(dt, xv, xs...))
			y, err := AvgPool2D(x, c.k, c.stride)
			if err != nil {
				t.Fatal(err)
			}
			dyv := randValues(rng, y.Shape().TotalSize())
			dy := nodeOf(g, "dy", tensorOf(dt, dyv, y.Shape()...))
			grads, err := G.Backpropagate(G.Nodes{y}, G.Nodes{dy}, G.Nodes{x})
			if err != nil {
				t.Fatal(err)
			}
			runGraph(t, g)
			what := fmt.Sprintf("%+v %v", c, dt)
			closeTo(t, what+" y", float64s(y.Value()), refAvgPool(roundTo(dt, xv), xs, c.k, c.stride), tolerance(dt))
			closeTo(t, what+" dx", float64s(grads[0].Value()), refAvgPoolGrad(roundTo(dt, dyv), xs, c.k, c.stride), tolerance(dt))
		}
	}
}

func TestAvgPoolGradients(t *testing.T) {
	for _, c := range avgPoolCases {
		rng := rand.New(rand.NewPCG(20, 20))
		g := G.NewGraph()
		x := input(g, "x", randTensor(rng, 2, 3, c.h, c.w))
		y, err := AvgPool2D(x, c.k, c.stride)
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

func TestAvgPoolRejectsBadShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 21))
	for _, c := range []struct {
		x         []int
		k, stride int
	}{{[]int{1, 1, 2, 5}, 3, 1}, {[]int{1, 1, 5, 5}, 2, 0}, {[]int{1, 1, 5, 5}, 0, 1}, {[]int{5, 5}, 2, 2}} {
		g := G.NewGraph()
		if _, err := AvgPool2D(input(g, "x", randTensor(rng, c.x...)), c.k, c.stride); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}

func TestAvgPoolDeterministicAcrossCores(t *testing.T) {
	sameOnOneAndTwoCores(t, func() []float64 {
		rng := rand.New(rand.NewPCG(22, 22))
		g := G.NewGraph()
		x := nodeOf(g, "x", tensorOf(tensor.Float32, randValues(rng, 16*8*15*15), 16, 8, 15, 15))
		y := G.Must(AvgPool2D(x, 3, 2))
		grads, err := G.Grad(G.Must(G.Sum(G.Must(G.Square(y)))), x)
		if err != nil {
			t.Fatal(err)
		}
		runGraph(t, g)
		return gradOutputs(y, grads[0])
	})
}
