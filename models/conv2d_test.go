package models

import (
	"slices"
	"testing"
)

func init() { references[LayerConv2D] = perSample(refConv2D) }

func refConv2D(c refContext, x []float64) []float64 {
	l := c.l.(*conv2D)
	w, b := l.kernel.Float64s(), l.b.Float64s()
	ch, h, wd := c.in[0], c.in[1], c.in[2]
	f, oh, ow := l.out[0], l.out[1], l.out[2]
	k, st, p := l.s.Kernel, l.s.Stride, l.pad
	out := make([]float64, f*oh*ow)
	for o := range f {
		for i := range oh {
			for j := range ow {
				s := b[o]
				for ci := range ch {
					for di := range k {
						for dj := range k {
							r, q := i*st+di-p, j*st+dj-p
							if r < 0 || r >= h || q < 0 || q >= wd {
								continue
							}
							s += x[(ci*h+r)*wd+q] * w[((o*ch+ci)*k+di)*k+dj]
						}
					}
				}
				out[(o*oh+i)*ow+j] = refActivate(c.s.Activation, s)
			}
		}
	}
	return out
}

func TestConv2DLayer(t *testing.T) {
	img := []int{2, 6, 6}
	for _, c := range []layerCase{
		{"3x3 pad 1 stride 1", img, []LayerSpec{Conv2D(3, 3, Tanh).WithPadding(1), Flatten(), Dense(2, Linear)}, ""},
		{"3x3 pad 0 stride 2", img, []LayerSpec{Conv2D(2, 3, Linear).WithStride(2), Flatten(), Dense(2, Linear)}, ""},
		{"2x2 relu", []int{1, 5, 5}, []LayerSpec{Conv2D(2, 2, ReLU), Flatten(), Dense(2, Linear)}, ""},
		{"same padding, stride 2", []int{1, 7, 7}, []LayerSpec{Conv2D(2, 3, LeakyReLU).WithStride(2).WithPadding(Same), Flatten(), Dense(2, Linear)}, ""},
		{"as the output layer", []int{1, 5, 5}, []LayerSpec{Conv2D(2, 3, ReLU).WithPadding(Same), Conv2D(1, 3, Sigmoid).WithPadding(Same)}, ""},
	} {
		checkLayer(t, c)
	}
}

func TestConv2DShapes(t *testing.T) {
	m, err := New(Sequential([]int{1, 28, 28},
		Conv2D(4, 3, ReLU), MaxPool2D(2), Conv2D(5, 3, Linear).WithStride(2).WithPadding(1),
		Conv2D(3, 3, Linear).WithStride(2).WithPadding(Same), Flatten(), Dense(10, Softmax)))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int{{4, 26, 26}, {4, 13, 13}, {5, 7, 7}, {3, 4, 4}, {48}, {10}}
	for i, l := range m.layers {
		if got := l.outShape(); !slices.Equal(got, want[i]) {
			t.Errorf("layer %s output shape = %v; want %v", l.spec().Name, got, want[i])
		}
	}
}
