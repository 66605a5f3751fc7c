package models

import (
	"github.com/dlgo/dlgo/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// AvgPool2D returns an average-pooling layer over size×size windows, moved
// by size (non-overlapping).
func AvgPool2D(size int) LayerSpec { return LayerSpec{Type: LayerAvgPool2D, Kernel: size} }

// avgPool2D averages each Kernel×Kernel window, moved by Stride (default:
// Kernel); rows and columns that do not fill a window are dropped, as in
// Keras and PyTorch.
type avgPool2D struct {
	s   LayerSpec
	out []int
}

func newAvgPool2D(s LayerSpec, in []int, _ initContext) (layer, error) {
	out, err := poolGeometry(&s, in)
	if err != nil {
		return nil, err
	}
	return &avgPool2D{s: s, out: out}, nil
}

func (l *avgPool2D) spec() LayerSpec  { return l.s }
func (l *avgPool2D) outShape() []int  { return l.out }
func (l *avgPool2D) params() []*Param { return nil }

func (l *avgPool2D) forward(b *builder, x *G.Node) (*G.Node, error) {
	k, st := l.s.Kernel, l.s.Stride
	if b.gorgonia {
		y, err := l.gorgoniaForward(b, x)
		return y, wrap(l.s, err)
	}
	y, err := ops.AvgPool2D(x, k, st)
	return y, wrap(l.s, err)
}

// gorgoniaForward averages with Gorgonia's convolution: every channel of
// every sample convolved by one constant kernel of 1/Kernel². Gorgonia's
// own AveragePool2D divides each window's sum by the input's width
// instead of the window's size (op_avg_pool.go in v0.9.18).
func (l *avgPool2D) gorgoniaForward(b *builder, x *G.Node) (*G.Node, error) {
	k, st := l.s.Kernel, l.s.Stride
	s := x.Shape()
	planes, err := G.Reshape(x, tensor.Shape{s[0] * s[1], 1, s[2], s[3]})
	if err != nil {
		return nil, err
	}
	avg := make([]float64, k*k)
	for i := range avg {
		avg[i] = 1 / float64(k*k)
	}
	y, err := G.Conv2d(planes, b.constant(l.s.Name+"/window", []int{1, 1, k, k}, avg), tensor.Shape{k, k}, []int{0, 0}, []int{st, st}, []int{1, 1})
	if err != nil {
		return nil, err
	}
	return G.Reshape(y, b.shape(l.out))
}
