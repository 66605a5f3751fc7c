package models

import (
	"fmt"
	"math/rand/v2"

	"github.com/dlgo/dlgo/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// conv2D is a 2-D convolution with bias over channels-first input
// (C, H, W): Filters kernels of shape (C, Kernel, Kernel), moved by Stride
// over the input padded with Padding zeros on each side, then the
// activation. The kernel has shape (Filters, C, Kernel, Kernel), the bias
// (Filters).
type conv2D struct {
	s         LayerSpec
	in, out   []int
	kernel, b *Param
}

func newConv2D(s LayerSpec, in []int, dt tensor.Dtype, rng *rand.Rand) (*conv2D, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("layer %s: conv2d needs inputs of shape (channels, height, width), not %v", s.Name, in)
	}
	if s.Filters < 1 || s.Kernel < 1 {
		return nil, fmt.Errorf("layer %s: conv2d needs filters ≥ 1 and kernel ≥ 1, not %d and %d", s.Name, s.Filters, s.Kernel)
	}
	if s.Stride == 0 {
		s.Stride = 1
	}
	if s.Stride < 0 || s.Padding < 0 {
		return nil, fmt.Errorf("layer %s: conv2d stride %d and padding %d must not be negative", s.Name, s.Stride, s.Padding)
	}
	s.Activation = normActivation(s.Activation)
	if err := checkHiddenActivation(s.Name, s.Activation); err != nil {
		return nil, err
	}
	h := (in[1]+2*s.Padding-s.Kernel)/s.Stride + 1
	w := (in[2]+2*s.Padding-s.Kernel)/s.Stride + 1
	if in[1]+2*s.Padding < s.Kernel || in[2]+2*s.Padding < s.Kernel {
		return nil, fmt.Errorf("layer %s: kernel %d×%d does not fit the padded input %d×%d", s.Name, s.Kernel, s.Kernel, in[1]+2*s.Padding, in[2]+2*s.Padding)
	}
	fanIn, fanOut := in[0]*s.Kernel*s.Kernel, s.Filters*s.Kernel*s.Kernel
	return &conv2D{
		s:      s,
		in:     in,
		out:    []int{s.Filters, h, w},
		kernel: newParam(s.Name+"/kernel", dt, []int{s.Filters, in[0], s.Kernel, s.Kernel}, true, true, kernelInit(rng, s.Activation, fanIn, fanOut)),
		b:      newParam(s.Name+"/bias", dt, []int{s.Filters}, true, false, zeros),
	}, nil
}

func (l *conv2D) spec() LayerSpec  { return l.s }
func (l *conv2D) outShape() []int  { return l.out }
func (l *conv2D) params() []*Param { return []*Param{l.kernel, l.b} }
func (l *conv2D) forward(b *builder, x *G.Node, _ bool) (*G.Node, error) {
	a, err := ops.ParseActivation(l.s.Activation)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", l.s.Name, err)
	}
	y, err := ops.Conv2D(x, b.node(l.kernel), b.node(l.b), l.s.Kernel, l.s.Stride, l.s.Padding, a, b.needGrad)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", l.s.Name, err)
	}
	return y, nil
}

// maxPool2D keeps the largest value of each Kernel×Kernel window, moved by
// Stride (default: Kernel, non-overlapping windows); rows and columns that
// do not fill a window are dropped, as in Keras and PyTorch.
type maxPool2D struct {
	s       LayerSpec
	in, out []int
}

func newMaxPool2D(s LayerSpec, in []int) (*maxPool2D, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("layer %s: maxpool2d needs inputs of shape (channels, height, width), not %v", s.Name, in)
	}
	if s.Kernel < 1 {
		return nil, fmt.Errorf("layer %s: maxpool2d needs a window of at least 1, not %d", s.Name, s.Kernel)
	}
	if s.Stride == 0 {
		s.Stride = s.Kernel
	}
	if s.Stride < 0 || s.Padding != 0 {
		return nil, fmt.Errorf("layer %s: maxpool2d needs a positive stride and no padding", s.Name)
	}
	if in[1] < s.Kernel || in[2] < s.Kernel {
		return nil, fmt.Errorf("layer %s: window %d×%d does not fit the input %d×%d", s.Name, s.Kernel, s.Kernel, in[1], in[2])
	}
	h := (in[1]-s.Kernel)/s.Stride + 1
	w := (in[2]-s.Kernel)/s.Stride + 1
	return &maxPool2D{s: s, in: in, out: []int{in[0], h, w}}, nil
}

func (l *maxPool2D) spec() LayerSpec  { return l.s }
func (l *maxPool2D) outShape() []int  { return l.out }
func (l *maxPool2D) params() []*Param { return nil }
func (l *maxPool2D) forward(_ *builder, x *G.Node, _ bool) (*G.Node, error) {
	return ops.MaxPool2D(x, l.s.Kernel, l.s.Stride)
}
