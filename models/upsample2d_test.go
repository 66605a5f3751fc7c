package models

import "testing"

func init() {
	references[LayerUpSample2D] = perSample(func(c refContext, x []float64) []float64 {
		ch, h, w := c.in[0], c.in[1], c.in[2]
		f := c.s.Size
		y := make([]float64, ch*h*f*w*f)
		for ci := range ch {
			for i := range h * f {
				for j := range w * f {
					y[(ci*h*f+i)*w*f+j] = x[(ci*h+i/f)*w+j/f]
				}
			}
		}
		return y
	})
}

func TestUpSampling2DLayer(t *testing.T) {
	for _, c := range []layerCase{
		{"2 on 3x3", []int{2, 3, 3}, []LayerSpec{UpSampling2D(2), Flatten(), Dense(2, Linear)}, ""},
		{"3 on 2x2 after a conv", []int{1, 3, 3}, []LayerSpec{Conv2D(2, 2, Tanh), UpSampling2D(3), Flatten(), Dense(2, Linear)}, ""},
	} {
		checkLayer(t, c)
	}
}
