package models

import (
	"fmt"

	"github.com/dlgo/dlgo/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Dense returns a fully connected layer of units with an activation:
// activation(x·W + b), W of shape (inputs, units), b of shape (units).
func Dense(units int, activation string) LayerSpec {
	return LayerSpec{Type: LayerDense, Units: units, Activation: activation}
}

// dense is a fully connected layer: activation(x·W + b), W of shape
// (in, units), b of shape (units).
type dense struct {
	s         LayerSpec
	in        int
	kernel, b *Param
}

func newDense(s LayerSpec, in []int, c initContext) (layer, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("layer %s: dense needs flat inputs, not shape %v (add a flatten layer)", s.Name, in)
	}
	if s.Units < 1 {
		return nil, fmt.Errorf("layer %s: dense layer needs at least 1 unit, not %d", s.Name, s.Units)
	}
	s.Activation = normActivation(s.Activation)
	return &dense{
		s:      s,
		in:     in[0],
		kernel: newParam(s.Name+"/kernel", c.dt, []int{in[0], s.Units}, true, true, kernelInit(c.rng, s.Activation, in[0], s.Units)),
		b:      newParam(s.Name+"/bias", c.dt, []int{s.Units}, true, false, zeros),
	}, nil
}

func (l *dense) spec() LayerSpec  { return l.s }
func (l *dense) outShape() []int  { return []int{l.s.Units} }
func (l *dense) params() []*Param { return []*Param{l.kernel, l.b} }

func (l *dense) forward(b *builder, x *G.Node) (*G.Node, error) {
	act := b.activation(l.s.Activation)
	if b.gorgonia {
		xw, err := G.Mul(x, b.node(l.kernel))
		if err != nil {
			return nil, wrap(l.s, err)
		}
		bias, err := G.Reshape(b.node(l.b), tensor.Shape{1, l.s.Units})
		if err != nil {
			return nil, wrap(l.s, err)
		}
		z, err := G.BroadcastAdd(xw, bias, nil, []byte{0})
		if err != nil {
			return nil, wrap(l.s, err)
		}
		y, err := gorgoniaActivate(act, z)
		return y, wrap(l.s, err)
	}
	a, err := ops.ParseActivation(act)
	if err != nil {
		return nil, wrap(l.s, err)
	}
	y, err := ops.Dense(x, b.node(l.kernel), b.node(l.b), a, b.needGrad)
	return y, wrap(l.s, err)
}
