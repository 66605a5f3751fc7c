package main

import "fmt"

// MNIST's images are 1×28×28 and have 10 classes.
const (
	mnistSide    = 28
	mnistClasses = 10
	mnistTrain   = 60000
)

// forwardFLOPs is the arithmetic of one image's forward pass through the
// benchmark's model with the settings' widths or filters: 2 operations
// per multiply-add of the dense and convolution layers (biases,
// activations, pooling and the loss are not counted).
func forwardFLOPs(model string, s settings) float64 {
	var f float64
	switch model {
	case modelMLP:
		in := mnistSide * mnistSide
		for _, w := range append(append([]int(nil), hiddenOf(s)...), mnistClasses) {
			f += 2 * float64(in) * float64(w)
			in = w
		}
	case modelConvNet:
		// Conv 3×3 → 26×26, pool → 13×13, conv 3×3 → 11×11, pool → 5×5.
		f1, f2 := filtersOf(s)
		c1, c2 := mnistSide-2, (mnistSide-2)/2-2
		p2 := c2 / 2
		f = 2*float64(c1*c1*f1*9) + 2*float64(c2*c2*f2*f1*9) + 2*float64(p2*p2*f2*mnistClasses)
	}
	return f
}

// trainFLOPs is one image's training arithmetic by the usual count, three
// times the forward pass: the forward products, and in the backward pass
// one product for the weights' gradient and one for the input's (dlgo
// skips the first layer's input gradient, so it computes a little less).
func trainFLOPs(model string, s settings) float64 { return 3 * forwardFLOPs(model, s) }

// hiddenOf returns the MLP's hidden widths, 128 and 64 by default.
func hiddenOf(s settings) []int {
	if len(s.Hidden) == 0 {
		return []int{128, 64}
	}
	return s.Hidden
}

// filtersOf returns the ConvNet's filter counts, 32 and 64 by default.
func filtersOf(s settings) (int, int) {
	if len(s.Filters) == 2 {
		return s.Filters[0], s.Filters[1]
	}
	return 32, 64
}

// modelTitle names a model with the settings' widths or filters.
func modelTitle(model string, s settings) string {
	switch model {
	case modelMLP:
		return fmt.Sprintf("MLP %d-%s-%d", mnistSide*mnistSide, joinInts(hiddenOf(s), "-"), mnistClasses)
	case modelConvNet:
		f1, f2 := filtersOf(s)
		if f1 == 32 && f2 == 64 {
			return "ConvNet (Keras MNIST)"
		}
		return fmt.Sprintf("ConvNet %d/%d filters", f1, f2)
	}
	return model
}
