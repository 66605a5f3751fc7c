package models

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// normalization standardises each input feature with statistics fitted on
// the training data: (x - mean) / std. Its parameters are not trainable;
// they travel with the model so that it takes raw features (Keras'
// Normalization layer). WithStandardizer puts one in front of a model.
type normalization struct {
	s         LayerSpec
	mean, std *Param
}

func newNormalization(s LayerSpec, in []int, c initContext) (layer, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("layer %s: normalization needs flat inputs, not shape %v", s.Name, in)
	}
	return &normalization{
		s:    s,
		mean: newParam(s.Name+"/mean", c.dt, in, false, false, zeros),
		std:  newParam(s.Name+"/std", c.dt, in, false, false, ones),
	}, nil
}

func (l *normalization) spec() LayerSpec  { return l.s }
func (l *normalization) outShape() []int  { return l.mean.Shape() }
func (l *normalization) params() []*Param { return []*Param{l.mean, l.std} }

// forward is built from Gorgonia's ops on both paths: it is two
// elementwise passes over the input, next to nothing beside the layers
// that follow.
func (l *normalization) forward(b *builder, x *G.Node) (*G.Node, error) {
	row := tensor.Shape{1, l.mean.Size()}
	mean, err := G.Reshape(b.node(l.mean), row)
	if err != nil {
		return nil, wrap(l.s, err)
	}
	std, err := G.Reshape(b.node(l.std), row)
	if err != nil {
		return nil, wrap(l.s, err)
	}
	c, err := G.BroadcastSub(x, mean, nil, []byte{0})
	if err != nil {
		return nil, wrap(l.s, err)
	}
	y, err := G.BroadcastHadamardDiv(c, std, nil, []byte{0})
	return y, wrap(l.s, err)
}
