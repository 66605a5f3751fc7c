package models

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Flatten returns a layer that turns each sample into a vector, e.g.
// (C, H, W) into (C·H·W).
func Flatten() LayerSpec { return LayerSpec{Type: LayerFlatten} }

// flatten turns each sample into a vector, e.g. (C, H, W) into (C·H·W),
// in row-major order.
type flatten struct {
	s  LayerSpec
	in []int
}

func newFlatten(s LayerSpec, in []int, _ initContext) (layer, error) {
	return &flatten{s: s, in: in}, nil
}

func (l *flatten) spec() LayerSpec  { return l.s }
func (l *flatten) outShape() []int  { return []int{tensor.Shape(l.in).TotalSize()} }
func (l *flatten) params() []*Param { return nil }

func (l *flatten) forward(b *builder, x *G.Node) (*G.Node, error) {
	if len(l.in) == 1 {
		return x, nil
	}
	y, err := G.Reshape(x, b.shape(l.outShape()))
	return y, wrap(l.s, err)
}
