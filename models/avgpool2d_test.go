package models

import "testing"

func init() {
	references[LayerAvgPool2D] = perSample(refPool(0, func(a, b float64) float64 { return a + b }, true))
}

func TestAvgPool2DLayer(t *testing.T) {
	for _, c := range []layerCase{
		{"2 on 6x6", []int{2, 6, 6}, []LayerSpec{AvgPool2D(2), Flatten(), Dense(2, Linear)}, ""},
		{"2 on 5x5", []int{1, 5, 5}, []LayerSpec{AvgPool2D(2), Flatten(), Dense(2, Linear)}, ""},
		{"3 stride 2, overlapping", []int{1, 7, 7}, []LayerSpec{{Type: LayerAvgPool2D, Kernel: 3, Stride: 2}, Flatten(), Dense(2, Linear)}, ""},
	} {
		checkLayer(t, c)
	}
}
