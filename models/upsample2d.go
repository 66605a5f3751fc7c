package models

import (
	"fmt"

	"github.com/dlgo/dlgo/internal/ops"
	G "gorgonia.org/gorgonia"
)

// UpSampling2D returns a layer that repeats every value size times along
// height and width (nearest-neighbour upsampling).
func UpSampling2D(size int) LayerSpec { return LayerSpec{Type: LayerUpSample2D, Size: size} }

// upSample2D repeats each value of (C, H, W) into a Size×Size block:
// (C, H·Size, W·Size), as Keras' UpSampling2D with nearest interpolation.
type upSample2D struct {
	s   LayerSpec
	out []int
}

func newUpSample2D(s LayerSpec, in []int, _ initContext) (layer, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("layer %s: upsample2d needs inputs of shape (channels, height, width), not %v", s.Name, in)
	}
	if s.Size == 0 {
		s.Size = 2
	}
	if s.Size < 1 || s.Size > maxInputValues || in[1]*s.Size > maxInputValues || in[2]*s.Size > maxInputValues {
		return nil, fmt.Errorf("layer %s: upsampling factor %d is out of range", s.Name, s.Size)
	}
	return &upSample2D{s: s, out: []int{in[0], in[1] * s.Size, in[2] * s.Size}}, nil
}

func (l *upSample2D) spec() LayerSpec  { return l.s }
func (l *upSample2D) outShape() []int  { return l.out }
func (l *upSample2D) params() []*Param { return nil }

func (l *upSample2D) forward(b *builder, x *G.Node) (*G.Node, error) {
	if l.s.Size == 1 {
		return x, nil
	}
	if b.gorgonia {
		y, err := G.Upsample2D(x, l.s.Size)
		return y, wrap(l.s, err)
	}
	y, err := ops.Upsample2D(x, l.s.Size)
	return y, wrap(l.s, err)
}
