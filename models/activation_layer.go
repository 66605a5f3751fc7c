package models

import (
	"github.com/dlgo/dlgo/internal/ops"
	G "gorgonia.org/gorgonia"
)

// Activation returns a layer that applies an activation function to every
// value, e.g. a softmax after a dense layer.
func Activation(activation string) LayerSpec {
	return LayerSpec{Type: LayerActivation, Activation: activation}
}

// activationLayer applies an activation function on its own.
type activationLayer struct {
	s     LayerSpec
	shape []int
}

func newActivationLayer(s LayerSpec, in []int, _ initContext) (layer, error) {
	s.Activation = normActivation(s.Activation)
	return &activationLayer{s: s, shape: in}, nil
}

func (l *activationLayer) spec() LayerSpec  { return l.s }
func (l *activationLayer) outShape() []int  { return l.shape }
func (l *activationLayer) params() []*Param { return nil }

func (l *activationLayer) forward(b *builder, x *G.Node) (*G.Node, error) {
	act := b.activation(l.s.Activation)
	if b.gorgonia || act == Linear {
		y, err := gorgoniaActivate(act, x)
		return y, wrap(l.s, err)
	}
	a, err := ops.ParseActivation(act)
	if err != nil {
		return nil, wrap(l.s, err)
	}
	y, err := ops.Activate(x, a)
	return y, wrap(l.s, err)
}

// gorgoniaActivate applies a hidden-layer activation with Gorgonia's own
// ops.
func gorgoniaActivate(act string, x *G.Node) (*G.Node, error) {
	switch act {
	case Linear:
		return x, nil
	case Sigmoid:
		return G.Sigmoid(x)
	case Tanh:
		return G.Tanh(x)
	case ReLU:
		return G.Rectify(x)
	case LeakyReLU:
		return G.LeakyRelu(x, LeakySlope)
	}
	return nil, checkHiddenActivation("", act)
}
