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

// refStats returns the per-channel mean and biased variance of x (n, C,
// S), with plain loops.
func refStats(x []float64, n, c, s int) (mean, variance []float64) {
	mean, variance = make([]float64, c), make([]float64, c)
	for ch := range c {
		for smp := range n {
			for i := range s {
				mean[ch] += x[(smp*c+ch)*s+i]
			}
		}
		mean[ch] /= float64(n * s)
		for smp := range n {
			for i := range s {
				d := x[(smp*c+ch)*s+i] - mean[ch]
				variance[ch] += d * d
			}
		}
		variance[ch] /= float64(n * s)
	}
	return mean, variance
}

// refBatchNorm is γ·(x - mean)/√(variance + eps) + β, value by value.
func refBatchNorm(x []float64, n, c, s int, mean, variance, gamma, beta []float64, eps float64) []float64 {
	y := make([]float64, len(x))
	for smp := range n {
		for ch := range c {
			for i := range s {
				at := (smp*c+ch)*s + i
				y[at] = gamma[ch]*(x[at]-mean[ch])/math.Sqrt(variance[ch]+eps) + beta[ch]
			}
		}
	}
	return y
}

var bnShapes = [][]int{{6, 4}, {3, 2, 4, 5}, {1, 3, 2, 2}, {17, 3}}

// bnGraph builds the training-mode batch normalisation of x.
func bnGraph(t *testing.T, x, gamma, beta *G.Node, eps float64) (mean, variance, y *G.Node) {
	t.Helper()
	var err error
	if mean, err = ChannelMean(x); err != nil {
		t.Fatal(err)
	}
	if variance, err = ChannelVariance(x, mean); err != nil {
		t.Fatal(err)
	}
	if y, err = BatchNormApply(x, mean, variance, gamma, beta, eps); err != nil {
		t.Fatal(err)
	}
	return mean, variance, y
}

func TestBatchNormForward(t *testing.T) {
	for _, shape := range bnShapes {
		for _, dt := range dtypes {
			rng := rand.New(rand.NewPCG(32, 32))
			n, c, s, _ := channels(shape)
			xv := randValues(rng, tensor.Shape(shape).TotalSize())
			for i := range xv {
				xv[i] = 3*xv[i] + 2 // a mean far from 0
			}
			gv, bv := randValues(rng, c), randValues(rng, c)
			g := G.NewGraph()
			x := nodeOf(g, "x", tensorOf(dt, xv, shape...))
			gamma, beta := nodeOf(g, "gamma", tensorOf(dt, gv, c)), nodeOf(g, "beta", tensorOf(dt, bv, c))
			mean, variance, y := bnGraph(t, x, gamma, beta, 1e-3)
			// The inference form: given statistics as inputs.
			rm, rv := randValues(rng, c), randValues(rng, c)
			for i := range rv {
				rv[i] = math.Abs(rv[i]) + 0.5
			}
			rmn, rvn := nodeOf(g, "running_mean", tensorOf(dt, rm, c)), nodeOf(g, "running_var", tensorOf(dt, rv, c))
			yi, err := BatchNormApply(x, rmn, rvn, gamma, beta, 1e-3)
			if err != nil {
				t.Fatal(err)
			}
			runGraph(t, g)
			what := fmt.Sprintf("%v %v", shape, dt)
			xr := roundTo(dt, xv)
			wm, wv := refStats(xr, n, c, s)
			closeTo(t, what+" mean", float64s(mean.Value()), wm, tolerance(dt))
			// The variance around the mean as the dtype holds it.
			_, wv2 := refStatsAround(xr, n, c, s, float64s(mean.Value()))
			closeTo(t, what+" variance", float64s(variance.Value()), wv2, tolerance(dt))
			closeTo(t, what+" variance (exact mean)", float64s(variance.Value()), wv, 10*tolerance(dt))
			closeTo(t, what+" y", float64s(y.Value()), refBatchNorm(xr, n, c, s, wm, wv, roundTo(dt, gv), roundTo(dt, bv), 1e-3), 100*tolerance(dt))
			closeTo(t, what+" inference y", float64s(yi.Value()), refBatchNorm(xr, n, c, s, roundTo(dt, rm), roundTo(dt, rv), roundTo(dt, gv), roundTo(dt, bv), 1e-3), 10*tolerance(dt))
		}
	}
}

// refStatsAround returns the per-channel biased variance around the given
// mean.
func refStatsAround(x []float64, n, c, s int, mean []float64) ([]float64, []float64) {
	v := make([]float64, c)
	for ch := range c {
		for smp := range n {
			for i := range s {
				d := x[(smp*c+ch)*s+i] - mean[ch]
				v[ch] += d * d
			}
		}
		v[ch] /= float64(n * s)
	}
	return mean, v
}

// The composed training-mode batch normalisation, x → mean, variance →
// apply, has the gradients of finite differences with respect to x, γ and
// β, Gorgonia summing the paths through the statistics.
func TestBatchNormTrainingGradients(t *testing.T) {
	for _, shape := range bnShapes {
		rng := rand.New(rand.NewPCG(33, 33))
		_, c, _, _ := channels(shape)
		g := G.NewGraph()
		x := input(g, "x", randTensor(rng, shape...))
		gamma, beta := input(g, "gamma", randTensor(rng, c)), input(g, "beta", randTensor(rng, c))
		_, _, y := bnGraph(t, x, gamma, beta, 1e-3)
		r, err := gradcheck.Check(g, weighted(t, rng, y), G.Nodes{x, gamma, beta}, 1e-6)
		if err != nil {
			t.Fatalf("%v: %v", shape, err)
		}
		if r.MaxRel > 1e-6 {
			t.Errorf("%v: %v", shape, r)
		}
		checkNoOpPointers(t, g)
	}
}

// BatchNormApply alone, as in an inference graph, and ChannelVariance
// around a given mean, have the right gradients with respect to every
// input.
func TestBatchNormApplyAndVarianceGradients(t *testing.T) {
	for _, shape := range bnShapes {
		rng := rand.New(rand.NewPCG(34, 34))
		_, c, _, _ := channels(shape)
		g := G.NewGraph()
		x := input(g, "x", randTensor(rng, shape...))
		mean := input(g, "mean", randTensor(rng, c))
		vt := randTensor(rng, c)
		for i, v := range vt.Data().([]float64) {
			vt.Data().([]float64)[i] = math.Abs(v) + 0.5
		}
		variance := input(g, "variance", vt)
		gamma, beta := input(g, "gamma", randTensor(rng, c)), input(g, "beta", randTensor(rng, c))
		y, err := BatchNormApply(x, mean, variance, gamma, beta, 1e-3)
		if err != nil {
			t.Fatal(err)
		}
		r, err := gradcheck.Check(g, weighted(t, rng, y), G.Nodes{x, mean, variance, gamma, beta}, 1e-6)
		if err != nil {
			t.Fatal(err)
		}
		if r.MaxRel > 1e-6 {
			t.Errorf("apply %v: %v", shape, r)
		}

		g2 := G.NewGraph()
		x2, m2 := input(g2, "x", randTensor(rng, shape...)), input(g2, "mean", randTensor(rng, c))
		v2, err := ChannelVariance(x2, m2)
		if err != nil {
			t.Fatal(err)
		}
		m3, err := ChannelMean(x2)
		if err != nil {
			t.Fatal(err)
		}
		cost := G.Must(G.Add(weighted(t, rng, v2), weighted(t, rng, m3)))
		r, err = gradcheck.Check(g2, cost, G.Nodes{x2, m2}, 1e-6)
		if err != nil {
			t.Fatal(err)
		}
		if r.MaxRel > 1e-6 {
			t.Errorf("variance and mean %v: %v", shape, r)
		}
	}
}

// The composed gradients are those of the closed-form batch-norm
// backward pass, with x̂ = (x - μ)/√(σ² + ε) and N values per channel:
// dx = γ/(N·√(σ² + ε))·(N·dy - Σ dy - x̂·Σ dy·x̂), dγ = Σ dy·x̂, dβ = Σ dy.
func TestBatchNormClosedFormBackward(t *testing.T) {
	const eps = 1e-3
	for _, shape := range bnShapes {
		for _, dt := range dtypes {
			rng := rand.New(rand.NewPCG(35, 35))
			n, c, s, _ := channels(shape)
			xv, dyv := randValues(rng, tensor.Shape(shape).TotalSize()), randValues(rng, tensor.Shape(shape).TotalSize())
			gv, bv := randValues(rng, c), randValues(rng, c)
			g := G.NewGraph()
			x := nodeOf(g, "x", tensorOf(dt, xv, shape...))
			gamma, beta := nodeOf(g, "gamma", tensorOf(dt, gv, c)), nodeOf(g, "beta", tensorOf(dt, bv, c))
			mean, variance, y := bnGraph(t, x, gamma, beta, eps)
			dy := nodeOf(g, "dy", tensorOf(dt, dyv, shape...))
			grads, err := G.Backpropagate(G.Nodes{y}, G.Nodes{dy}, G.Nodes{x, gamma, beta})
			if err != nil {
				t.Fatal(err)
			}
			runGraph(t, g)

			xr, dyr, gr := roundTo(dt, xv), roundTo(dt, dyv), roundTo(dt, gv)
			mu, v := refStats(xr, n, c, s)
			N := float64(n * s)
			dx, dgamma, dbeta := make([]float64, len(xr)), make([]float64, c), make([]float64, c)
			for ch := range c {
				r := 1 / math.Sqrt(v[ch]+eps)
				var sdy, sdyxh float64
				for smp := range n {
					for i := range s {
						at := (smp*c+ch)*s + i
						sdy += dyr[at]
						sdyxh += dyr[at] * (xr[at] - mu[ch]) * r
					}
				}
				dgamma[ch], dbeta[ch] = sdyxh, sdy
				for smp := range n {
					for i := range s {
						at := (smp*c+ch)*s + i
						xh := (xr[at] - mu[ch]) * r
						dx[at] = gr[ch] * r / N * (N*dyr[at] - sdy - xh*sdyxh)
					}
				}
			}
			what := fmt.Sprintf("%v %v", shape, dt)
			tol := 1e-9
			if dt == tensor.Float32 {
				tol = 1e-4
			}
			closeTo(t, what+" dx", float64s(grads[0].Value()), dx, tol)
			closeTo(t, what+" dγ", float64s(grads[1].Value()), dgamma, tol)
			closeTo(t, what+" dβ", float64s(grads[2].Value()), dbeta, tol)
			// The statistics are still there for a trainer to read.
			closeTo(t, what+" mean after the backward pass", float64s(mean.Value()), mu, tolerance(dt))
			closeTo(t, what+" variance after the backward pass", float64s(variance.Value()), v, 10*tolerance(dt))
		}
	}
}

func TestBatchNormRejectsBadShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(36, 36))
	g := G.NewGraph()
	x3 := input(g, "x3", randTensor(rng, 2, 3, 4))
	if _, err := ChannelMean(x3); err == nil {
		t.Error("ChannelMean of a 3-D tensor: no error")
	}
	x := input(g, "x", randTensor(rng, 2, 3, 4, 4))
	v3, v4 := input(g, "v3", randTensor(rng, 3)), input(g, "v4", randTensor(rng, 4))
	if _, err := ChannelVariance(x, v4); err == nil {
		t.Error("ChannelVariance around 4 means of 3 channels: no error")
	}
	if _, err := BatchNormApply(x, v3, v3, v4, v3, 1e-3); err == nil {
		t.Error("BatchNormApply with 4 scales for 3 channels: no error")
	}
	if _, err := BatchNormApply(x, v3, v3, v3, v3, -1); err == nil {
		t.Error("BatchNormApply with a negative epsilon: no error")
	}
	if _, err := BatchNormApply(x, v3, v3, v3, v3, math.NaN()); err == nil {
		t.Error("BatchNormApply with a NaN epsilon: no error")
	}
}

func TestBatchNormDeterministicAcrossCores(t *testing.T) {
	for _, shape := range [][]int{{64, 8, 12, 12}, {256, 32}} {
		sameOnOneAndTwoCores(t, func() []float64 {
			rng := rand.New(rand.NewPCG(37, 37))
			_, c, _, _ := channels(shape)
			g := G.NewGraph()
			x := nodeOf(g, "x", tensorOf(tensor.Float32, randValues(rng, tensor.Shape(shape).TotalSize()), shape...))
			gamma := nodeOf(g, "gamma", tensorOf(tensor.Float32, randValues(rng, c), c))
			beta := nodeOf(g, "beta", tensorOf(tensor.Float32, randValues(rng, c), c))
			mean, variance, y := bnGraph(t, x, gamma, beta, 1e-3)
			grads, err := G.Grad(G.Must(G.Sum(G.Must(G.Square(y)))), x, gamma, beta)
			if err != nil {
				t.Fatal(err)
			}
			runGraph(t, g)
			return gradOutputs(append(grads, mean, variance, y)...)
		})
	}
}

// The inference form, whose gradients reach all five inputs, in float32.
func TestBatchNormApplyFloat32(t *testing.T) {
	for _, shape := range bnShapes {
		float32MatchesFloat64(t, fmt.Sprint(shape), 1e-5, func(g *G.ExprGraph, dt tensor.Dtype, values func(string, ...int) *G.Node) (*G.Node, G.Nodes) {
			_, c, _, _ := channels(shape)
			x, m, gamma, beta := values("x", shape...), values("mean", c), values("gamma", c), values("beta", c)
			v := G.Must(G.Add(G.Must(G.Square(values("sd", c))), scalarOf(dt, 0.25)))
			return G.Must(BatchNormApply(x, m, v, gamma, beta, 1e-3)), G.Nodes{x, m, gamma, beta}
		})
	}
}

// scalarOf is a constant of dtype dt.
func scalarOf(dt tensor.Dtype, v float64) *G.Node {
	if dt == tensor.Float32 {
		return G.NewConstant(float32(v))
	}
	return G.NewConstant(v)
}
