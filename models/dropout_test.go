package models

import "testing"

// Dropout passes values through at inference; its training masks are
// checked by the gradient checks, which bind random masks.
func init() { references[LayerDropout] = func(_ refContext, x []float64, _ int) []float64 { return x } }

func TestDropoutLayer(t *testing.T) {
	for _, c := range []layerCase{
		{"after tanh", []int{4}, []LayerSpec{Dense(6, Tanh), Dropout(0.3), Dense(2, Linear)}, ""},
		{"on images", []int{1, 4, 4}, []LayerSpec{Conv2D(2, 3, ReLU), Dropout(0.5), Flatten(), Dense(3, Softmax)}, ""},
		{"rate 0", []int{3}, []LayerSpec{Dropout(0), Dense(1, Sigmoid)}, ""},
	} {
		checkLayer(t, c)
	}
}
