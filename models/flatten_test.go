package models

import "testing"

// Flatten keeps the values in row-major order.
func init() { references[LayerFlatten] = func(_ refContext, x []float64, _ int) []float64 { return x } }

func TestFlattenLayer(t *testing.T) {
	for _, c := range []layerCase{
		{"images", []int{2, 3, 3}, []LayerSpec{Flatten(), Dense(2, Linear)}, ""},
		{"already flat", []int{3}, []LayerSpec{Flatten(), Dense(2, Linear)}, ""},
		{"after the output activation", []int{2, 3, 3}, []LayerSpec{Conv2D(1, 3, Sigmoid), Flatten()}, BinaryCrossEntropy},
	} {
		checkLayer(t, c)
	}
}
