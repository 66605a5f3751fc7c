package models

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// Param is one named parameter tensor of a model. Every graph built from
// the model binds the same tensor, so an optimiser's in-place update is seen
// by all of them at once.
type Param struct {
	// Name is stable and unique within the model: "<layer>/<kind>", e.g.
	// "dense_1/kernel", "dense_1/bias", "normalization/mean".
	Name string
	// Value holds the parameter, float32 or float64 like the model.
	Value *tensor.Dense
	// Trainable parameters are updated by the optimiser; the others (the
	// normalization statistics) are fixed.
	Trainable bool
	// Decay marks the parameters the L2 penalty applies to: kernels, never
	// biases.
	Decay bool

	shape []int
	dt    tensor.Dtype
	init  func(i int) float64
}

// Shape returns the parameter's shape.
func (p *Param) Shape() []int { return p.shape }

// Size returns the number of values in the parameter.
func (p *Param) Size() int { return tensor.Shape(p.shape).TotalSize() }

// Float64s returns a copy of the parameter's values as float64.
func (p *Param) Float64s() []float64 {
	switch d := p.Value.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	}
	return nil
}

// SetFloat64s overwrites the parameter's values in place (the tensor stays
// the one the graphs share).
func (p *Param) SetFloat64s(v []float64) error {
	if len(v) != p.Size() {
		return fmt.Errorf("param %s: %d values for shape %v", p.Name, len(v), p.Shape())
	}
	switch d := p.Value.Data().(type) {
	case []float32:
		for i, x := range v {
			d[i] = float32(x)
		}
	case []float64:
		copy(d, v)
	}
	return nil
}

// newParam describes a parameter to be filled by init, which receives each
// index; alloc creates its tensor. The two steps are apart so that a model
// can be checked for size before anything large is allocated.
func newParam(name string, dt tensor.Dtype, shape []int, trainable, decay bool, init func(i int) float64) *Param {
	return &Param{Name: name, Trainable: trainable, Decay: decay, shape: shape, dt: dt, init: init}
}

// alloc creates the parameter's tensor and fills it.
func (p *Param) alloc() {
	var backing any
	switch p.dt {
	case tensor.Float64:
		d := make([]float64, p.Size())
		for i := range d {
			d[i] = p.init(i)
		}
		backing = d
	default:
		d := make([]float32, p.Size())
		for i := range d {
			d[i] = float32(p.init(i))
		}
		backing = d
	}
	p.Value = tensor.New(tensor.WithShape(p.shape...), tensor.WithBacking(backing))
	p.init = nil
}

func zeros(int) float64 { return 0 }
func ones(int) float64  { return 1 }

// kernelInit returns a seeded initialiser for a kernel with the given fans:
// He-uniform for ReLU layers, Glorot-uniform otherwise (Keras' default), so
// that activations keep their scale through the depth of the network.
// Gorgonia's own initialisers ignore seeds, hence these.
func kernelInit(rng *rand.Rand, act string, fanIn, fanOut int) func(int) float64 {
	limit := math.Sqrt(6 / float64(fanIn+fanOut))
	if act == ReLU {
		limit = math.Sqrt(6 / float64(fanIn))
	}
	return func(int) float64 { return (2*rng.Float64() - 1) * limit }
}

// newRand returns the generator behind a seed.
func newRand(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
}
