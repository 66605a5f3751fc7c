package models

import (
	"math"
	"testing"
)

func init() { references[LayerMaxPool2D] = perSample(refPool(math.Inf(-1), math.Max, false)) }

// refPool returns a reference pooling pass: each window's values combined
// from start with fold, divided by the window's size if mean is set.
func refPool(start float64, fold func(a, b float64) float64, mean bool) func(c refContext, x []float64) []float64 {
	return func(c refContext, x []float64) []float64 {
		ch, h, wd := c.in[0], c.in[1], c.in[2]
		out := c.l.outShape()
		oh, ow := out[1], out[2]
		k, st := c.s.Kernel, c.s.Stride
		y := make([]float64, ch*oh*ow)
		for ci := range ch {
			for i := range oh {
				for j := range ow {
					acc := start
					for di := range k {
						for dj := range k {
							acc = fold(acc, x[(ci*h+i*st+di)*wd+j*st+dj])
						}
					}
					if mean {
						acc /= float64(k * k)
					}
					y[(ci*oh+i)*ow+j] = acc
				}
			}
		}
		return y
	}
}

func TestMaxPool2DLayer(t *testing.T) {
	for _, c := range []layerCase{
		{"2 on 6x6", []int{2, 6, 6}, []LayerSpec{MaxPool2D(2), Flatten(), Dense(2, Linear)}, ""},
		{"2 on 7x7", []int{1, 7, 7}, []LayerSpec{MaxPool2D(2), Flatten(), Dense(2, Linear)}, ""},
		{"3 stride 1", []int{2, 6, 6}, []LayerSpec{{Type: LayerMaxPool2D, Kernel: 3, Stride: 1}, Flatten(), Dense(2, Linear)}, ""},
		{"convnet", []int{1, 8, 8}, []LayerSpec{Conv2D(2, 3, ReLU), MaxPool2D(2), Flatten(), Dropout(0.5), Dense(3, Softmax)}, ""},
		// A convolution and the pooling of its output are one fused op.
		{"after a tanh conv, 3 stride 2", []int{2, 9, 8}, []LayerSpec{Conv2D(3, 3, Tanh).WithPadding(1), {Type: LayerMaxPool2D, Kernel: 3, Stride: 2}, Flatten(), Dense(2, Linear)}, ""},
		{"after a leaky conv, 2 stride 1", []int{1, 6, 6}, []LayerSpec{Conv2D(2, 3, LeakyReLU), {Type: LayerMaxPool2D, Kernel: 2, Stride: 1}, Flatten(), Dense(2, Softmax)}, ""},
		{"after the output conv", []int{1, 7, 7}, []LayerSpec{Conv2D(2, 3, Sigmoid), MaxPool2D(2), Flatten()}, ""},
	} {
		checkLayer(t, c)
	}
}
