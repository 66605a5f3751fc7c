package models

import (
	"slices"
	"strings"
	"testing"
)

// Reshape keeps the values in row-major order.
func init() { references[LayerReshape] = func(_ refContext, x []float64, _ int) []float64 { return x } }

func TestReshapeLayer(t *testing.T) {
	for _, c := range []layerCase{
		{"vector to image", []int{8}, []LayerSpec{Dense(18, Tanh), Reshape(2, 3, 3), Conv2D(1, 2, Linear), Flatten(), Dense(2, Linear)}, ""},
		{"inferred dimension", []int{2, 2, 3}, []LayerSpec{Reshape(-1), Dense(2, Linear)}, ""},
		{"an image output", []int{4}, []LayerSpec{Dense(9, Sigmoid), Reshape(1, 3, 3)}, BinaryCrossEntropy},
	} {
		checkLayer(t, c)
	}
}

func TestReshapeShapes(t *testing.T) {
	for _, tt := range []struct {
		in, to, want []int
		err          string
	}{
		{[]int{12}, []int{3, -1}, []int{3, 4}, ""},
		{[]int{2, 6}, []int{-1}, []int{12}, ""},
		{[]int{12}, []int{5, -1}, nil, "cannot reshape"},
		{[]int{12}, []int{3, 5}, nil, "cannot reshape"},
		{[]int{12}, []int{-1, -1}, nil, "at most one -1"},
		{[]int{12}, []int{0, 12}, nil, "positive"},
		{[]int{12}, []int{1 << 40, 1 << 40}, nil, "cannot reshape"},
		{[]int{12}, nil, nil, "target shape"},
	} {
		l, err := newReshape(LayerSpec{Type: LayerReshape, Name: "r", Shape: tt.to}, tt.in, initContext{})
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("reshape %v to %v: error %v; want one containing %q", tt.in, tt.to, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("reshape %v to %v: %v", tt.in, tt.to, err)
		case tt.err == "" && !slices.Equal(l.outShape(), tt.want):
			t.Errorf("reshape %v to %v: shape %v; want %v", tt.in, tt.to, l.outShape(), tt.want)
		}
	}
}
