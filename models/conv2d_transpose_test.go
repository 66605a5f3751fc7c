package models

import (
	"slices"
	"testing"
)

func init() { references[LayerConv2DTranspose] = perSample(refConv2DTranspose) }

// refConv2DTranspose is the definition: every input value x[ci, i, j]
// adds x·w[ci, co, ki, kj] to output (co, i·stride - pad + ki,
// j·stride - pad + kj), where that falls inside the output.
func refConv2DTranspose(c refContext, x []float64) []float64 {
	l := c.l.(*conv2DTranspose)
	w, b := l.kernel.Float64s(), l.b.Float64s()
	ch, h, wd := c.in[0], c.in[1], c.in[2]
	f, oh, ow := l.out[0], l.out[1], l.out[2]
	k, st, p := l.s.Kernel, l.s.Stride, l.pad
	y := make([]float64, f*oh*ow)
	for co := range f {
		for i := range oh * ow {
			y[co*oh*ow+i] = b[co]
		}
	}
	for ci := range ch {
		for i := range h {
			for j := range wd {
				for co := range f {
					for ki := range k {
						for kj := range k {
							oy, ox := i*st-p+ki, j*st-p+kj
							if oy < 0 || oy >= oh || ox < 0 || ox >= ow {
								continue
							}
							y[(co*oh+oy)*ow+ox] += x[(ci*h+i)*wd+j] * w[((ci*f+co)*k+ki)*k+kj]
						}
					}
				}
			}
		}
	}
	for i, v := range y {
		y[i] = refActivate(c.s.Activation, v)
	}
	return y
}

func TestConv2DTransposeLayer(t *testing.T) {
	for _, c := range []layerCase{
		{"3x3 stride 2 same", []int{2, 3, 3}, []LayerSpec{Conv2DTranspose(2, 3, 2, Tanh).WithPadding(Same), Flatten(), Dense(2, Linear)}, ""},
		{"2x2 stride 2", []int{1, 3, 3}, []LayerSpec{Conv2DTranspose(2, 2, 2, ReLU), Flatten(), Dense(2, Linear)}, ""},
		{"3x3 stride 1 pad 1", []int{2, 4, 4}, []LayerSpec{Conv2DTranspose(1, 3, 1, LeakyReLU).WithPadding(1), Flatten(), Dense(2, Linear)}, ""},
		{"output padding", []int{1, 2, 3}, []LayerSpec{Conv2DTranspose(2, 3, 3, Linear).WithPadding(1).WithOutputPadding(2), Flatten(), Dense(2, Linear)}, ""},
		{"image output", []int{1, 3, 3}, []LayerSpec{Conv2DTranspose(1, 3, 2, Sigmoid).WithPadding(Same)}, BinaryCrossEntropy},
	} {
		checkLayer(t, c)
	}
}

// The output sizes are PyTorch's, and Keras' for padding "same".
func TestConv2DTransposeShapes(t *testing.T) {
	for _, tt := range []struct {
		in   []int
		s    LayerSpec
		want []int
	}{
		{[]int{1, 7, 7}, Conv2DTranspose(32, 3, 2, ReLU).WithPadding(Same), []int{32, 14, 14}},
		{[]int{1, 14, 14}, Conv2DTranspose(4, 3, 2, ReLU).WithPadding(Same), []int{4, 28, 28}},
		{[]int{1, 4, 4}, Conv2DTranspose(2, 3, 1, ReLU), []int{2, 6, 6}},
		{[]int{1, 4, 4}, Conv2DTranspose(2, 4, 2, ReLU).WithPadding(1), []int{2, 8, 8}},
		{[]int{1, 2, 2}, Conv2DTranspose(1, 3, 2, ReLU).WithPadding(1).WithOutputPadding(1), []int{1, 4, 4}},
	} {
		tt.s.Name = "t"
		l, err := newConv2DTranspose(tt.s, tt.in, initContext{rng: newRand(0)})
		if err != nil {
			t.Errorf("%+v on %v: %v", tt.s, tt.in, err)
			continue
		}
		if got := l.outShape(); !slices.Equal(got, tt.want) {
			t.Errorf("%+v on %v: output %v; want %v", tt.s, tt.in, got, tt.want)
		}
	}
	for _, bad := range []LayerSpec{
		Conv2DTranspose(1, 2, 2, ReLU).WithPadding(Same),
		Conv2DTranspose(1, 3, 2, ReLU).WithOutputPadding(2),
		Conv2DTranspose(1, 3, 2, ReLU).WithPadding(3),
	} {
		bad.Name = "t"
		if _, err := newConv2DTranspose(bad, []int{1, 4, 4}, initContext{rng: newRand(0)}); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}
