package models

import (
	"fmt"
	"math"

	"github.com/dlgo/dlgo/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BatchNorm returns a batch normalization layer with Keras' defaults
// (momentum 0.99, epsilon 0.001).
func BatchNorm() LayerSpec { return LayerSpec{Type: LayerBatchNorm} }

// The batch normalization defaults, Keras'.
const (
	defaultBNMomentum = 0.99
	defaultBNEpsilon  = 1e-3
)

// batchNorm normalises each feature (flat input) or channel (images) to
// zero mean and unit variance, then scales and shifts it by the trainable
// gamma and beta: y = γ·(x - μ)/√(σ² + ε) + β. Training uses the batch's
// mean and (biased) variance and moves the running averages towards them
// after every step, moving ← momentum·moving + (1 - momentum)·batch;
// inference uses the running averages, which are saved with the model.
type batchNorm struct {
	s                     LayerSpec
	shape                 []int
	gamma, beta           *Param
	movingMean, movingVar *Param
}

func newBatchNorm(s LayerSpec, in []int, c initContext) (layer, error) {
	if len(in) != 1 && len(in) != 3 {
		return nil, fmt.Errorf("layer %s: batchnorm needs flat inputs or images (channels, height, width), not shape %v", s.Name, in)
	}
	if s.Momentum == 0 {
		s.Momentum = defaultBNMomentum
	}
	if s.Epsilon == 0 {
		s.Epsilon = defaultBNEpsilon
	}
	if !(s.Momentum >= 0 && s.Momentum < 1) {
		return nil, fmt.Errorf("layer %s: batchnorm momentum %v is not in [0, 1)", s.Name, s.Momentum)
	}
	if !(s.Epsilon > 0) || math.IsInf(s.Epsilon, 0) {
		return nil, fmt.Errorf("layer %s: batchnorm epsilon %v must be a positive number", s.Name, s.Epsilon)
	}
	ch := []int{in[0]}
	return &batchNorm{
		s:          s,
		shape:      in,
		gamma:      newParam(s.Name+"/gamma", c.dt, ch, true, false, ones),
		beta:       newParam(s.Name+"/beta", c.dt, ch, true, false, zeros),
		movingMean: newParam(s.Name+"/moving_mean", c.dt, ch, false, false, zeros),
		movingVar:  newParam(s.Name+"/moving_variance", c.dt, ch, false, false, ones),
	}, nil
}

func (l *batchNorm) spec() LayerSpec  { return l.s }
func (l *batchNorm) outShape() []int  { return l.shape }
func (l *batchNorm) params() []*Param { return []*Param{l.gamma, l.beta, l.movingMean, l.movingVar} }

func (l *batchNorm) forward(b *builder, x *G.Node) (*G.Node, error) {
	if b.gorgonia {
		y, err := l.gorgoniaForward(b, x)
		return y, wrap(l.s, err)
	}
	mean, variance := b.node(l.movingMean), b.node(l.movingVar)
	if b.train {
		var err error
		if mean, err = ops.ChannelMean(x); err != nil {
			return nil, wrap(l.s, err)
		}
		if variance, err = ops.ChannelVariance(x, mean); err != nil {
			return nil, wrap(l.s, err)
		}
		l.track(b, mean, variance)
	}
	y, err := ops.BatchNormApply(x, mean, variance, b.node(l.gamma), b.node(l.beta), l.s.Epsilon)
	return y, wrap(l.s, err)
}

// track asks the trainer to move the running averages towards the batch's
// statistics after each step.
func (l *batchNorm) track(b *builder, mean, variance *G.Node) {
	b.net.Updates = append(b.net.Updates,
		StatUpdate{Batch: mean, Moving: l.movingMean, Momentum: l.s.Momentum},
		StatUpdate{Batch: variance, Moving: l.movingVar, Momentum: l.s.Momentum})
}

// gorgoniaForward computes the same with Gorgonia's ops, on the input laid
// out channel by channel: (C, batch·H·W).
func (l *batchNorm) gorgoniaForward(b *builder, x *G.Node) (*G.Node, error) {
	c := l.shape[0]
	m := b.batch * tensor.Shape(l.shape).TotalSize() / c
	var xt *G.Node
	var err error
	if len(l.shape) == 1 {
		xt, err = G.Transpose(x, 1, 0)
	} else {
		xt, err = G.Transpose(x, 1, 0, 2, 3)
	}
	if err != nil {
		return nil, err
	}
	if xt, err = G.Reshape(xt, tensor.Shape{c, m}); err != nil {
		return nil, err
	}
	column := func(v *G.Node) (*G.Node, error) { return G.Reshape(v, tensor.Shape{c, 1}) }
	mean, variance := b.node(l.movingMean), b.node(l.movingVar)
	if b.train {
		if mean, err = G.Mean(xt, 1); err != nil {
			return nil, err
		}
		mcol, err := column(mean)
		if err != nil {
			return nil, err
		}
		centred, err := G.BroadcastSub(xt, mcol, nil, []byte{1})
		if err != nil {
			return nil, err
		}
		sq, err := G.Square(centred)
		if err != nil {
			return nil, err
		}
		// Gorgonia's tape machine lets an op overwrite an input that no
		// later op reads (G.Add below would leave variance+ε in the
		// variance node), so the statistics the trainer reads are nodes
		// of their own that nothing consumes.
		tracked, err := G.Mean(sq, 1)
		if err != nil {
			return nil, err
		}
		sum, err := G.Sum(sq, 1)
		if err != nil {
			return nil, err
		}
		if variance, err = G.Mul(sum, b.scalar(1/float64(m))); err != nil {
			return nil, err
		}
		// The mean's only reader is a reshape, which keeps its values.
		l.track(b, mean, tracked)
	}
	mcol, err := column(mean)
	if err != nil {
		return nil, err
	}
	shifted, err := G.Add(variance, b.scalar(l.s.Epsilon))
	if err != nil {
		return nil, err
	}
	std, err := G.Sqrt(shifted)
	if err != nil {
		return nil, err
	}
	scale, err := G.HadamardDiv(b.node(l.gamma), std)
	if err != nil {
		return nil, err
	}
	scol, err := column(scale)
	if err != nil {
		return nil, err
	}
	bcol, err := column(b.node(l.beta))
	if err != nil {
		return nil, err
	}
	centred, err := G.BroadcastSub(xt, mcol, nil, []byte{1})
	if err != nil {
		return nil, err
	}
	scaled, err := G.BroadcastHadamardProd(centred, scol, nil, []byte{1})
	if err != nil {
		return nil, err
	}
	yt, err := G.BroadcastAdd(scaled, bcol, nil, []byte{1})
	if err != nil {
		return nil, err
	}
	if len(l.shape) == 1 {
		return G.Transpose(yt, 1, 0)
	}
	if yt, err = G.Reshape(yt, tensor.Shape{c, b.batch, l.shape[1], l.shape[2]}); err != nil {
		return nil, err
	}
	return G.Transpose(yt, 1, 0, 2, 3)
}
