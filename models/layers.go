package models

import (
	"fmt"
	"math/rand/v2"

	"github.com/dlgo/dlgo/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// layer is one step of a model: it knows its parameters and how to add its
// computation to a graph. Shapes are per sample (without the batch).
type layer interface {
	spec() LayerSpec
	outShape() []int
	params() []*Param
	// forward adds the layer to b's graph. last is true for the output
	// layer, which must leave out its activation: the graph's output is the
	// logits, from which losses are computed stably.
	forward(b *builder, x *G.Node, last bool) (*G.Node, error)
}

// newLayer builds the layer s for per-sample input shape in.
func newLayer(s LayerSpec, in []int, dt tensor.Dtype, rng *rand.Rand) (layer, error) {
	switch s.Type {
	case LayerDense:
		return newDense(s, in, dt, rng)
	case LayerActivation:
		act := normActivation(s.Activation)
		if err := checkHiddenActivation(s.Name, act); err != nil {
			return nil, err
		}
		s.Activation = act
		return &activationLayer{s: s, shape: in}, nil
	case LayerDropout:
		if s.Rate < 0 || s.Rate >= 1 {
			return nil, fmt.Errorf("layer %s: dropout rate %v is not in [0, 1)", s.Name, s.Rate)
		}
		return &dropout{s: s, shape: in}, nil
	case LayerNormalization:
		if len(in) != 1 {
			return nil, fmt.Errorf("layer %s: normalization needs flat inputs, not shape %v", s.Name, in)
		}
		return &normalization{
			s:    s,
			mean: newParam(s.Name+"/mean", dt, in, false, false, zeros),
			std:  newParam(s.Name+"/std", dt, in, false, false, ones),
		}, nil
	case LayerFlatten:
		return &flatten{s: s, in: in}, nil
	case LayerConv2D:
		return newConv2D(s, in, dt, rng)
	case LayerMaxPool2D:
		return newMaxPool2D(s, in)
	}
	return nil, fmt.Errorf("layer %s: unknown layer type %q (want one of dense, activation, dropout, normalization, conv2d, maxpool2d, flatten)", s.Name, s.Type)
}

// dense is a fully connected layer: activation(x·W + b), W of shape
// (in, units), b of shape (units).
type dense struct {
	s         LayerSpec
	in        int
	kernel, b *Param
}

func newDense(s LayerSpec, in []int, dt tensor.Dtype, rng *rand.Rand) (*dense, error) {
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
		kernel: newParam(s.Name+"/kernel", dt, []int{in[0], s.Units}, true, true, kernelInit(rng, s.Activation, in[0], s.Units)),
		b:      newParam(s.Name+"/bias", dt, []int{s.Units}, true, false, zeros),
	}, nil
}

func (l *dense) spec() LayerSpec  { return l.s }
func (l *dense) outShape() []int  { return []int{l.s.Units} }
func (l *dense) params() []*Param { return []*Param{l.kernel, l.b} }
func (l *dense) forward(b *builder, x *G.Node, last bool) (*G.Node, error) {
	act := l.s.Activation
	if last {
		act = Linear
	}
	a, err := ops.ParseActivation(act)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", l.s.Name, err)
	}
	y, err := ops.Dense(x, b.node(l.kernel), b.node(l.b), a, b.needGrad)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", l.s.Name, err)
	}
	return y, nil
}

// activationLayer applies an activation function on its own.
type activationLayer struct {
	s     LayerSpec
	shape []int
}

func (l *activationLayer) spec() LayerSpec  { return l.s }
func (l *activationLayer) outShape() []int  { return l.shape }
func (l *activationLayer) params() []*Param { return nil }
func (l *activationLayer) forward(_ *builder, x *G.Node, _ bool) (*G.Node, error) {
	return activate(l.s.Activation, x)
}

// activate applies a hidden-layer activation function to x.
func activate(act string, x *G.Node) (*G.Node, error) {
	switch act {
	case Linear:
		return x, nil
	case Sigmoid:
		return G.Sigmoid(x)
	case Tanh:
		return G.Tanh(x)
	case ReLU:
		return G.Rectify(x)
	}
	return nil, fmt.Errorf("activation %q cannot be used in a hidden layer", act)
}

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

func (l *dropout) spec() LayerSpec  { return l.s }
func (l *dropout) outShape() []int  { return l.shape }
func (l *dropout) params() []*Param { return nil }
func (l *dropout) forward(b *builder, x *G.Node, _ bool) (*G.Node, error) {
	if !b.train || l.s.Rate == 0 {
		return x, nil
	}
	shape := append([]int{b.batch}, l.shape...)
	mask := G.NewTensor(b.g, b.dt, len(shape), G.WithShape(shape...), G.WithName(l.s.Name+"/mask"))
	b.net.Masks = append(b.net.Masks, Mask{Node: mask, Rate: l.s.Rate})
	return ops.Dropout(x, mask)
}

// normalization standardises each input feature with statistics fitted on
// the training data: (x - mean) / std. Its parameters are not trainable;
// they travel with the model so that it takes raw features.
type normalization struct {
	s         LayerSpec
	mean, std *Param
}

func (l *normalization) spec() LayerSpec  { return l.s }
func (l *normalization) outShape() []int  { return l.mean.Shape() }
func (l *normalization) params() []*Param { return []*Param{l.mean, l.std} }
func (l *normalization) forward(b *builder, x *G.Node, _ bool) (*G.Node, error) {
	row := tensor.Shape{1, l.mean.Size()}
	mean, err := G.Reshape(b.node(l.mean), row)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", l.s.Name, err)
	}
	std, err := G.Reshape(b.node(l.std), row)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", l.s.Name, err)
	}
	c, err := G.BroadcastSub(x, mean, nil, []byte{0})
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", l.s.Name, err)
	}
	return G.BroadcastHadamardDiv(c, std, nil, []byte{0})
}

// flatten turns each sample into a vector, e.g. (C, H, W) into (C·H·W).
type flatten struct {
	s  LayerSpec
	in []int
}

func (l *flatten) spec() LayerSpec  { return l.s }
func (l *flatten) outShape() []int  { return []int{tensor.Shape(l.in).TotalSize()} }
func (l *flatten) params() []*Param { return nil }
func (l *flatten) forward(b *builder, x *G.Node, _ bool) (*G.Node, error) {
	if len(l.in) == 1 {
		return x, nil
	}
	return G.Reshape(x, tensor.Shape{b.batch, l.outShape()[0]})
}
