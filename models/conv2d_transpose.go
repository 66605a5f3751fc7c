package models

import (
	"fmt"

	"github.com/dlgo/dlgo/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Conv2DTranspose returns a transposed convolution (sometimes called a
// deconvolution) of filters kernels of size kernel×kernel with the given
// stride, followed by an activation: with Same padding it multiplies the
// height and width by the stride, the usual way up in a decoder.
func Conv2DTranspose(filters, kernel, stride int, activation string) LayerSpec {
	return LayerSpec{Type: LayerConv2DTranspose, Filters: filters, Kernel: kernel, Stride: stride, Activation: activation}
}

// WithOutputPadding returns s with its output padding set.
func (s LayerSpec) WithOutputPadding(n int) LayerSpec { s.OutputPadding = n; return s }

// conv2DTranspose is the transpose (adjoint) of a convolution, as
// PyTorch's ConvTranspose2d: each input value spreads over a Kernel×Kernel
// patch of the output, patches Stride apart, cropped by Padding on each
// side and extended by OutputPadding at the bottom and right:
// (C, H, W) → (Filters, (H-1)·Stride - 2·Padding + Kernel + OutputPadding,
// ... for W). Same padding is (Kernel-1)/2 with OutputPadding Stride-1,
// giving (H·Stride, W·Stride). The kernel has shape (C, Filters, Kernel,
// Kernel), the bias (Filters).
type conv2DTranspose struct {
	s           LayerSpec
	pad, outPad int
	in, out     []int
	kernel, b   *Param
}

func newConv2DTranspose(s LayerSpec, in []int, c initContext) (layer, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("layer %s: conv2d_transpose needs inputs of shape (channels, height, width), not %v", s.Name, in)
	}
	const limit = 1 << 16
	if s.Filters < 1 || s.Kernel < 1 || s.Filters > maxInputValues || s.Kernel > limit {
		return nil, fmt.Errorf("layer %s: conv2d_transpose needs filters ≥ 1 and kernel ≥ 1, not %d and %d", s.Name, s.Filters, s.Kernel)
	}
	if s.Stride == 0 {
		s.Stride = 1
	}
	if s.Stride < 0 || s.Stride > limit {
		return nil, fmt.Errorf("layer %s: conv2d_transpose stride %d is out of range", s.Name, s.Stride)
	}
	pad, err := s.Padding.resolve(s.Kernel)
	if err != nil {
		return nil, wrap(s, err)
	}
	outPad := s.OutputPadding
	if s.Padding == Same && outPad == 0 {
		outPad = s.Stride - 1
	}
	if pad > s.Kernel-1 {
		return nil, fmt.Errorf("layer %s: conv2d_transpose padding %d must be below the kernel size %d", s.Name, pad, s.Kernel)
	}
	if outPad < 0 || outPad >= s.Stride {
		return nil, fmt.Errorf("layer %s: conv2d_transpose output padding %d must be in [0, stride %d)", s.Name, outPad, s.Stride)
	}
	if in[1] > limit || in[2] > limit {
		return nil, fmt.Errorf("layer %s: input %v is too large", s.Name, in)
	}
	h := (in[1]-1)*s.Stride - 2*pad + s.Kernel + outPad
	w := (in[2]-1)*s.Stride - 2*pad + s.Kernel + outPad
	if h < 1 || w < 1 {
		return nil, fmt.Errorf("layer %s: conv2d_transpose of %v gives no output", s.Name, in)
	}
	s.Activation = normActivation(s.Activation)
	// Each output value sums Kernel²·C/Stride² inputs on average: the
	// fans of the equivalent convolution.
	fanIn, fanOut := s.Filters*s.Kernel*s.Kernel, in[0]*s.Kernel*s.Kernel
	return &conv2DTranspose{
		s:      s,
		pad:    pad,
		outPad: outPad,
		in:     in,
		out:    []int{s.Filters, h, w},
		kernel: newParam(s.Name+"/kernel", c.dt, []int{in[0], s.Filters, s.Kernel, s.Kernel}, true, true, kernelInit(c.rng, s.Activation, fanIn, fanOut)),
		b:      newParam(s.Name+"/bias", c.dt, []int{s.Filters}, true, false, zeros),
	}, nil
}

func (l *conv2DTranspose) spec() LayerSpec  { return l.s }
func (l *conv2DTranspose) outShape() []int  { return l.out }
func (l *conv2DTranspose) params() []*Param { return []*Param{l.kernel, l.b} }

// workValues counts the output twice and the patches it is folded from.
func (l *conv2DTranspose) workValues() int {
	patches, ok := product(maxWorkValues, l.s.Filters, l.s.Kernel, l.s.Kernel, l.in[1], l.in[2])
	if !ok {
		return -1
	}
	return 2*tensor.Shape(l.out).TotalSize() + patches
}

func (l *conv2DTranspose) forward(b *builder, x *G.Node) (*G.Node, error) {
	act := b.activation(l.s.Activation)
	if b.gorgonia {
		y, err := l.gorgoniaForward(b, x, act)
		return y, wrap(l.s, err)
	}
	a, err := ops.ParseActivation(act)
	if err != nil {
		return nil, wrap(l.s, err)
	}
	y, err := ops.Conv2DTranspose(x, b.node(l.kernel), b.node(l.b), l.s.Kernel, l.s.Stride, l.pad, l.outPad, a, b.needGrad)
	return y, wrap(l.s, err)
}

// gorgoniaForward builds the transposed convolution from Gorgonia's ops as
// the textbook does: spread the input out Stride apart and pad it by
// Kernel-1-Padding (plus OutputPadding at the bottom and right), both with
// one constant 0/1 matrix, then convolve with stride 1 by the kernel
// flipped in space and with its channel axes swapped.
func (l *conv2DTranspose) gorgoniaForward(b *builder, x *G.Node, act string) (*G.Node, error) {
	c, h, w := l.in[0], l.in[1], l.in[2]
	k, st, f := l.s.Kernel, l.s.Stride, l.s.Filters
	q := k - 1 - l.pad
	hp, wp := (h-1)*st+1+2*q+l.outPad, (w-1)*st+1+2*q+l.outPad
	n, ok := product(maxWorkValues, h, w, hp, wp)
	if !ok {
		return nil, fmt.Errorf("layer %s: the spreading matrix of a %d×%d input would hold more than %d values; use dlgo's fused ops", l.s.Name, h, w, maxWorkValues)
	}
	spread := make([]float64, n)
	for i := range h {
		for j := range w {
			spread[(i*w+j)*hp*wp+(q+i*st)*wp+q+j*st] = 1
		}
	}
	flat, err := G.Reshape(x, tensor.Shape{b.batch * c, h * w})
	if err != nil {
		return nil, err
	}
	padded, err := G.Mul(flat, b.constant(l.s.Name+"/spread", []int{h * w, hp * wp}, spread))
	if err != nil {
		return nil, err
	}
	if padded, err = G.Reshape(padded, tensor.Shape{b.batch, c, hp, wp}); err != nil {
		return nil, err
	}
	// The filter (f, c, k, k): w[ci, co, ki, kj] at [co, ci, k-1-ki, k-1-kj].
	swapped, err := G.Transpose(b.node(l.kernel), 1, 0, 2, 3)
	if err != nil {
		return nil, err
	}
	if swapped, err = G.Reshape(swapped, tensor.Shape{f * c, k * k}); err != nil {
		return nil, err
	}
	reverse := make([]float64, k*k*k*k)
	for i := range k * k {
		reverse[i*k*k+k*k-1-i] = 1
	}
	flipped, err := G.Mul(swapped, b.constant(l.s.Name+"/flip", []int{k * k, k * k}, reverse))
	if err != nil {
		return nil, err
	}
	if flipped, err = G.Reshape(flipped, tensor.Shape{f, c, k, k}); err != nil {
		return nil, err
	}
	z, err := G.Conv2d(padded, flipped, tensor.Shape{k, k}, []int{0, 0}, []int{1, 1}, []int{1, 1})
	if err != nil {
		return nil, err
	}
	if z, err = addChannelBias(z, b.node(l.b)); err != nil {
		return nil, err
	}
	return gorgoniaActivate(act, z)
}
