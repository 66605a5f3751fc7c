package models

import (
	"fmt"

	"github.com/dlgo/dlgo/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// MaxPool2D returns a max-pooling layer over size×size windows, moved by
// size (non-overlapping).
func MaxPool2D(size int) LayerSpec { return LayerSpec{Type: LayerMaxPool2D, Kernel: size} }

// poolGeometry checks a pooling window against its input (C, H, W) and
// returns the output shape, defaulting the stride to the window.
func poolGeometry(s *LayerSpec, in []int) ([]int, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("layer %s: %s needs inputs of shape (channels, height, width), not %v", s.Name, s.Type, in)
	}
	if s.Kernel < 1 {
		return nil, fmt.Errorf("layer %s: %s needs a window of at least 1, not %d", s.Name, s.Type, s.Kernel)
	}
	if s.Stride == 0 {
		s.Stride = s.Kernel
	}
	if s.Stride < 0 {
		return nil, fmt.Errorf("layer %s: %s stride %d must be positive", s.Name, s.Type, s.Stride)
	}
	h, err := convOut(in[1], s.Kernel, s.Stride, 0)
	if err != nil {
		return nil, fmt.Errorf("layer %s: window %d×%d does not fit the input %d×%d", s.Name, s.Kernel, s.Kernel, in[1], in[2])
	}
	w, err := convOut(in[2], s.Kernel, s.Stride, 0)
	if err != nil {
		return nil, fmt.Errorf("layer %s: window %d×%d does not fit the input %d×%d", s.Name, s.Kernel, s.Kernel, in[1], in[2])
	}
	return []int{in[0], h, w}, nil
}

// maxPool2D keeps the largest value of each Kernel×Kernel window, moved by
// Stride (default: Kernel, non-overlapping windows); rows and columns that
// do not fill a window are dropped, as in Keras and PyTorch.
type maxPool2D struct {
	s   LayerSpec
	out []int
}

func newMaxPool2D(s LayerSpec, in []int, _ initContext) (layer, error) {
	out, err := poolGeometry(&s, in)
	if err != nil {
		return nil, err
	}
	return &maxPool2D{s: s, out: out}, nil
}

func (l *maxPool2D) spec() LayerSpec  { return l.s }
func (l *maxPool2D) outShape() []int  { return l.out }
func (l *maxPool2D) params() []*Param { return nil }

func (l *maxPool2D) forward(b *builder, x *G.Node) (*G.Node, error) {
	k, st := l.s.Kernel, l.s.Stride
	if b.gorgonia {
		y, err := G.MaxPool2D(x, tensor.Shape{k, k}, []int{0, 0}, []int{st, st})
		return y, wrap(l.s, err)
	}
	y, err := ops.MaxPool2D(x, k, st)
	return y, wrap(l.s, err)
}
