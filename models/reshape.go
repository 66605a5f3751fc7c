package models

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Reshape returns a layer that gives each sample a new shape with the same
// number of values, e.g. 784 values as (1, 28, 28); one dimension may be
// -1, inferred from the others.
func Reshape(shape ...int) LayerSpec { return LayerSpec{Type: LayerReshape, Shape: shape} }

// reshape gives each sample a new shape, keeping its values in row-major
// order (Keras' Reshape).
type reshape struct {
	s   LayerSpec
	out []int
}

func newReshape(s LayerSpec, in []int, _ initContext) (layer, error) {
	if len(s.Shape) == 0 {
		return nil, fmt.Errorf("layer %s: reshape needs a target shape, e.g. [1, 28, 28]", s.Name)
	}
	total := tensor.Shape(in).TotalSize()
	out := slices.Clone(s.Shape)
	known, free := 1, -1
	for i, d := range out {
		switch {
		case d == -1 && free < 0:
			free = i
		case d < 1:
			return nil, fmt.Errorf("layer %s: reshape to %v: dimensions must be positive, with at most one -1", s.Name, s.Shape)
		case d > total || known*d > total:
			return nil, fmt.Errorf("layer %s: cannot reshape %v (%d values) to %v", s.Name, in, total, s.Shape)
		default:
			known *= d
		}
	}
	if free >= 0 {
		if total%known != 0 {
			return nil, fmt.Errorf("layer %s: cannot reshape %v (%d values) to %v", s.Name, in, total, s.Shape)
		}
		out[free] = total / known
	} else if known != total {
		return nil, fmt.Errorf("layer %s: cannot reshape %v (%d values) to %v (%d values)", s.Name, in, total, s.Shape, known)
	}
	return &reshape{s: s, out: out}, nil
}

func (l *reshape) spec() LayerSpec  { return l.s }
func (l *reshape) outShape() []int  { return l.out }
func (l *reshape) params() []*Param { return nil }

func (l *reshape) forward(b *builder, x *G.Node) (*G.Node, error) {
	y, err := G.Reshape(x, b.shape(l.out))
	return y, wrap(l.s, err)
}
