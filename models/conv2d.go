package models

import (
	"fmt"

	"github.com/dlgo/dlgo/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Conv2D returns a 2-D convolution of filters kernels of size
// kernel×kernel, stride 1 and no padding (see WithStride, WithPadding),
// followed by an activation.
func Conv2D(filters, kernel int, activation string) LayerSpec {
	return LayerSpec{Type: LayerConv2D, Filters: filters, Kernel: kernel, Activation: activation}
}

// WithStride returns s with its stride set.
func (s LayerSpec) WithStride(stride int) LayerSpec { s.Stride = stride; return s }

// WithPadding returns s with its padding set: a number of rows and columns
// on each side, or Same.
func (s LayerSpec) WithPadding(p Padding) LayerSpec { s.Padding = p; return s }

// WithName returns s with its name set.
func (s LayerSpec) WithName(name string) LayerSpec { s.Name = name; return s }

// resolve returns the padding on each side for a kernel of size k.
func (p Padding) resolve(k int) (int, error) {
	switch {
	case p == Same && k%2 == 1:
		return (k - 1) / 2, nil
	case p == Same:
		return 0, fmt.Errorf("padding \"same\" needs an odd kernel, not %d", k)
	case p < 0:
		return 0, fmt.Errorf("padding %d must not be negative", p)
	}
	return int(p), nil
}

// conv2D is a 2-D convolution with bias over channels-first input
// (C, H, W): Filters kernels of shape (C, Kernel, Kernel), moved by Stride
// over the input padded with zeros on each side, then the activation. The
// kernel has shape (Filters, C, Kernel, Kernel), the bias (Filters).
type conv2D struct {
	s         LayerSpec
	pad       int
	in, out   []int
	kernel, b *Param
}

func newConv2D(s LayerSpec, in []int, c initContext) (layer, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("layer %s: conv2d needs inputs of shape (channels, height, width), not %v", s.Name, in)
	}
	if s.Filters < 1 || s.Kernel < 1 {
		return nil, fmt.Errorf("layer %s: conv2d needs filters ≥ 1 and kernel ≥ 1, not %d and %d", s.Name, s.Filters, s.Kernel)
	}
	if s.Stride == 0 {
		s.Stride = 1
	}
	if s.Stride < 0 {
		return nil, fmt.Errorf("layer %s: conv2d stride %d must be positive", s.Name, s.Stride)
	}
	pad, err := s.Padding.resolve(s.Kernel)
	if err != nil {
		return nil, wrap(s, err)
	}
	s.Activation = normActivation(s.Activation)
	h, err := convOut(in[1], s.Kernel, s.Stride, pad)
	if err != nil {
		return nil, fmt.Errorf("layer %s: kernel %d×%d does not fit the input %d×%d padded by %d: %w", s.Name, s.Kernel, s.Kernel, in[1], in[2], pad, err)
	}
	w, err := convOut(in[2], s.Kernel, s.Stride, pad)
	if err != nil {
		return nil, fmt.Errorf("layer %s: kernel %d×%d does not fit the input %d×%d padded by %d: %w", s.Name, s.Kernel, s.Kernel, in[1], in[2], pad, err)
	}
	if s.Filters > maxInputValues {
		return nil, fmt.Errorf("layer %s: %d filters; at most %d", s.Name, s.Filters, maxInputValues)
	}
	fanIn, fanOut := in[0]*s.Kernel*s.Kernel, s.Filters*s.Kernel*s.Kernel
	return &conv2D{
		s:      s,
		pad:    pad,
		in:     in,
		out:    []int{s.Filters, h, w},
		kernel: newParam(s.Name+"/kernel", c.dt, []int{s.Filters, in[0], s.Kernel, s.Kernel}, true, true, kernelInit(c.rng, s.Activation, fanIn, fanOut)),
		b:      newParam(s.Name+"/bias", c.dt, []int{s.Filters}, true, false, zeros),
	}, nil
}

func (l *conv2D) spec() LayerSpec  { return l.s }
func (l *conv2D) outShape() []int  { return l.out }
func (l *conv2D) params() []*Param { return []*Param{l.kernel, l.b} }

// workValues counts the convolution's output twice (the product before the
// bias, then the result) and its unrolled patches.
func (l *conv2D) workValues() int {
	patches, ok := product(maxWorkValues, l.in[0], l.s.Kernel, l.s.Kernel, l.out[1], l.out[2])
	if !ok {
		return -1
	}
	return 2*tensor.Shape(l.out).TotalSize() + patches
}

func (l *conv2D) forward(b *builder, x *G.Node) (*G.Node, error) {
	act := b.activation(l.s.Activation)
	if b.gorgonia {
		k, st, p := l.s.Kernel, l.s.Stride, l.pad
		z, err := G.Conv2d(x, b.node(l.kernel), tensor.Shape{k, k}, []int{p, p}, []int{st, st}, []int{1, 1})
		if err != nil {
			return nil, wrap(l.s, err)
		}
		z, err = addChannelBias(z, b.node(l.b))
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
	y, err := ops.Conv2D(x, b.node(l.kernel), b.node(l.b), l.s.Kernel, l.s.Stride, l.pad, a, b.needGrad)
	return y, wrap(l.s, err)
}

// forwardPooled adds the layer and the max-pooling p that follows it as
// one fused op, which pools the convolution's product before writing it
// (dlgo's ops only).
func (l *conv2D) forwardPooled(b *builder, x *G.Node, p *maxPool2D) (*G.Node, error) {
	a, err := ops.ParseActivation(b.activation(l.s.Activation))
	if err != nil {
		return nil, wrap(l.s, err)
	}
	y, err := ops.Conv2DMaxPool(x, b.node(l.kernel), b.node(l.b), l.s.Kernel, l.s.Stride, l.pad, a, p.s.Kernel, p.s.Stride, b.needGrad)
	return y, wrap(l.s, err)
}

// addChannelBias adds bias (C) to every position of each channel of x
// (N, C, H, W), with Gorgonia's broadcasting.
func addChannelBias(x, bias *G.Node) (*G.Node, error) {
	c := bias.Shape()[0]
	b4, err := G.Reshape(bias, tensor.Shape{1, c, 1, 1})
	if err != nil {
		return nil, err
	}
	return G.BroadcastAdd(x, b4, nil, []byte{0, 2, 3})
}
