package models

import (
	"fmt"

	"github.com/dlgo/dlgo/internal/ops"
	G "gorgonia.org/gorgonia"
)

// Dropout returns a layer that zeroes each value with probability rate
// while training.
func Dropout(rate float64) LayerSpec { return LayerSpec{Type: LayerDropout, Rate: rate} }

// dropout zeroes each value with probability Rate while training and
// scales the kept ones by 1/(1-Rate) (inverted dropout), so that inference,
// where the layer does nothing, sees activations of the same expected size.
// The mask is an input of the training graph, filled by the trainer from
// its seeded generator (Gorgonia's own Dropout has a wrong gradient and
// cannot be seeded).
type dropout struct {
	s     LayerSpec
	shape []int
}

func newDropout(s LayerSpec, in []int, _ initContext) (layer, error) {
	if !(s.Rate >= 0 && s.Rate < 1) {
		return nil, fmt.Errorf("layer %s: dropout rate %v is not in [0, 1)", s.Name, s.Rate)
	}
	return &dropout{s: s, shape: in}, nil
}

func (l *dropout) spec() LayerSpec  { return l.s }
func (l *dropout) outShape() []int  { return l.shape }
func (l *dropout) params() []*Param { return nil }

func (l *dropout) forward(b *builder, x *G.Node) (*G.Node, error) {
	if !b.dropout || l.s.Rate == 0 {
		return x, nil
	}
	shape := b.shape(l.shape)
	mask := G.NewTensor(b.g, b.dt, len(shape), G.WithShape(shape...), G.WithName(l.s.Name+"/mask"))
	b.net.Masks = append(b.net.Masks, Mask{Node: mask, Rate: l.s.Rate})
	if b.gorgonia {
		y, err := G.HadamardProd(x, mask)
		return y, wrap(l.s, err)
	}
	y, err := ops.Dropout(x, mask)
	return y, wrap(l.s, err)
}
