package models

import "testing"

func init() {
	references[LayerActivation] = func(c refContext, x []float64, _ int) []float64 {
		for i, v := range x {
			x[i] = refActivate(c.s.Activation, v)
		}
		return x
	}
}

func TestActivationLayer(t *testing.T) {
	for _, c := range []layerCase{
		{"each activation", []int{4}, []LayerSpec{Dense(5, Linear), Activation(Tanh), Activation(Sigmoid),
			Activation(ReLU), Activation(LeakyReLU), Dense(2, Linear)}, ""},
		{"softmax as the output layer", []int{3}, []LayerSpec{Dense(4, Linear), Activation(Softmax)}, ""},
		{"sigmoid on images", []int{1, 3, 3}, []LayerSpec{Conv2D(2, 2, Linear), Activation(Sigmoid), Flatten(), Dense(2, Linear)}, ""},
	} {
		checkLayer(t, c)
	}
}
