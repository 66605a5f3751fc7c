// Package ops holds dlgo's fused Gorgonia operations: a dense layer, 2-D
// convolutions (Conv2D and Conv2DTranspose), max- and average-pooling,
// upsampling, activations, batch normalisation, and the sampling and KL
// divergence of a variational autoencoder, each a node or two in
// the graph with gradient nodes of their own, computed with the fast
// matrix product of internal/gemm. Shapes are NCHW.
//
// Gorgonia's built-in graph for a dense layer is a matrix product, a
// reshape, a broadcast add and an activation, each allocating its result
// on every run, and its convolution transposes every result; the gradient
// of the network's input is computed although nobody asks for it. These
// ops do the same arithmetic in one pass per layer and direction: they
// keep their result buffers from one run to the next (a graph's shapes
// are fixed), skip the input gradient when told it is not needed, and use
// both cores. A gradient node reads only its graph inputs, never the state
// of the forward node: what it depends on is what the graph shows.
//
// A convolution followed by max-pooling is one product node and one
// output node (Conv2DMaxPool): the output node pools act(product + bias)
// straight from the product, so the full-size activation is never
// written. Its float32 loops over rows of filters (the window maxima and
// their gradients, and im2col's and col2im's runs) use AVX2 where the CPU
// has it, with Go versions computing the same bits elsewhere.
//
// A float32 model's binary cross-entropy and sigmoid outputs take their
// exponentials and logarithms in float32, eight at a time with AVX2
// (expNegs, log1pUnits, sigmoidsFromExp), within 2 ulp of the correctly
// rounded values; SampleLoss, for the reported metrics, and every float64
// model compute them with math.Exp and math.Log1p.
//
// Results do not depend on the number of cores: work is split into a
// fixed number of pieces, each computed in a fixed order, and the matrix
// product is itself deterministic.
package ops

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	"github.com/dlgo/dlgo/internal/gemm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Activation is an activation function fused into a layer.
type Activation int

// The activations.
const (
	Linear Activation = iota
	ReLU
	Sigmoid
	Tanh
	// LeakyReLU is x for x > 0, else LeakySlope·x.
	LeakyReLU
)

// LeakySlope is LeakyReLU's slope for negative inputs: 0.2, the default of
// Keras' keras.activations.leaky_relu.
const LeakySlope = 0.2

// ParseActivation maps a name (linear, relu, sigmoid, tanh, leaky_relu) to
// an Activation.
func ParseActivation(name string) (Activation, error) {
	switch name {
	case "linear":
		return Linear, nil
	case "relu":
		return ReLU, nil
	case "sigmoid":
		return Sigmoid, nil
	case "tanh":
		return Tanh, nil
	case "leaky_relu":
		return LeakyReLU, nil
	}
	return 0, fmt.Errorf("ops: no fused activation %q", name)
}

// String returns the activation's name, as ParseActivation reads it.
func (a Activation) String() string {
	return [...]string{"linear", "relu", "sigmoid", "tanh", "leaky_relu"}[a]
}

type float interface{ float32 | float64 }

// activate applies a to v in place.
func activate[T float](a Activation, v []T) {
	if v32, ok := any(v).([]float32); ok && a == ReLU {
		relu32(v32)
		return
	}
	switch a {
	case ReLU:
		for i, x := range v {
			if x < 0 {
				v[i] = 0
			}
		}
	case Sigmoid:
		for i, x := range v {
			if x >= 0 {
				v[i] = T(1 / (1 + math.Exp(-float64(x))))
			} else {
				e := math.Exp(float64(x))
				v[i] = T(e / (1 + e))
			}
		}
	case Tanh:
		for i, x := range v {
			v[i] = T(math.Tanh(float64(x)))
		}
	case LeakyReLU:
		// max(x, 0.2·x) is x for x ≥ 0 and 0.2·x below, without a branch.
		for i, x := range v {
			v[i] = max(x, x*T(LeakySlope))
		}
	}
}

// activationGrad sets dz = dy·a'(z) from the activation's output y.
func activationGrad[T float](a Activation, y, dy, dz []T) {
	if y32, ok := any(y).([]float32); ok && a == ReLU {
		reluGrad32(y32, any(dy).([]float32), any(dz).([]float32))
		return
	}
	switch a {
	case Linear:
		copy(dz, dy)
	case ReLU:
		for i, v := range y {
			if v > 0 {
				dz[i] = dy[i]
			} else {
				dz[i] = 0
			}
		}
	case Sigmoid:
		for i, v := range y {
			dz[i] = dy[i] * v * (1 - v)
		}
	case Tanh:
		for i, v := range y {
			dz[i] = dy[i] * (1 - v*v)
		}
	case LeakyReLU:
		// y > 0 exactly where x > 0, the slope being positive.
		for i, v := range y {
			if v > 0 {
				dz[i] = dy[i]
			} else {
				dz[i] = dy[i] * T(LeakySlope)
			}
		}
	}
}

// relu32 is ReLU without branches, which mispredict half the time on
// activations: a negative value's sign bit, spread over the word, clears it.
func relu32(v []float32) {
	for i, x := range v {
		b := math.Float32bits(x)
		v[i] = math.Float32frombits(b &^ uint32(int32(b)>>31))
	}
}

// reluGrad32 keeps dy where the ReLU's output y is positive, without
// branches: y ≥ 0, so y > 0 exactly when its bits are not zero.
func reluGrad32(y, dy, dz []float32) {
	dy, dz = dy[:len(y)], dz[:len(y)]
	for i, v := range y {
		keep := uint32(-int32(math.Float32bits(v)) >> 31)
		dz[i] = math.Float32frombits(math.Float32bits(dy[i]) & keep)
	}
}

// matmul is gemm for either precision.
func matmul[T float](tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	switch a := any(a).(type) {
	case []float32:
		gemm.Sgemm(tA, tB, m, n, k, 1, a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		gemm.Dgemm(tA, tB, m, n, k, 1, a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}

// matmul1 is matmul in the calling goroutine alone, for the pieces of a
// parallel loop.
func matmul1[T float](tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	switch a := any(a).(type) {
	case []float32:
		gemm.Sgemm1(tA, tB, m, n, k, 1, a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		gemm.Dgemm1(tA, tB, m, n, k, 1, a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}

// pieces is the number of parts parallel loops cut their work into,
// whatever the number of cores, so that results do not depend on it.
const pieces = 8

// parallel calls f on pieces consecutive ranges covering [0, n), on the
// worker goroutines that also compute the matrix products.
func parallel(n int, f func(lo, hi int)) { gemm.Parallel(n, pieces, f) }

// elementwise calls f on ranges covering [0, n) of values computed
// independently of each other: in parallel when there are enough of them
// to be worth the goroutines.
func elementwise(n int, f func(lo, hi int)) {
	if n < 1<<16 {
		f(0, n)
		return
	}
	parallel(n, f)
}

// buffer returns a tensor of the given shape and dtype, reusing *t when it
// already fits: an op's result is rewritten on every run of its graph.
func buffer(t **tensor.Dense, dt tensor.Dtype, shape ...int) *tensor.Dense {
	if *t == nil || (*t).Dtype() != dt || !(*t).Shape().Eq(tensor.Shape(shape)) {
		*t = tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
	}
	return *t
}

// tensorType is the Gorgonia type of a tensor of dims dimensions.
func tensorType(dims int) G.TensorType {
	return G.TensorType{Dims: dims, Of: hm.TypeVariable('a')}
}

// dense returns the tensor behind a value.
func dense(v G.Value) (*tensor.Dense, error) {
	t, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("ops: want a dense tensor, got %T", v)
	}
	return t, nil
}

// denses returns the tensors behind values, checking their number.
func denses(want int, vs []G.Value) ([]*tensor.Dense, error) {
	if len(vs) != want {
		return nil, fmt.Errorf("ops: %d inputs; want %d", len(vs), want)
	}
	out := make([]*tensor.Dense, len(vs))
	for i, v := range vs {
		var err error
		if out[i], err = dense(v); err != nil {
			return nil, err
		}
	}
	return out, nil
}
