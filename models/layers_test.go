package models

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/dlgo/dlgo/internal/gradcheck"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// randomDense returns a float64 tensor of the given shape with values in
// [-1, 1).
func randomDense(rng *rand.Rand, shape ...int) *tensor.Dense {
	n := tensor.Shape(shape).TotalSize()
	v := make([]float64, n)
	for i := range v {
		v[i] = 2*rng.Float64() - 1
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

// checkGradients builds spec in float64, binds random inputs, and checks
// the gradient of Σ logits⊙c (c random) with respect to the input and
// every trainable parameter against finite differences.
func checkGradients(t *testing.T, spec Spec, train bool) {
	t.Helper()
	const batch = 3
	m, err := New(spec, WithFloat64(), WithSeed(7), WithInputGradient())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	// Move parameters off their initial zeros so that biases matter.
	for _, p := range m.Params() {
		if p.Trainable {
			d := p.Value.Data().([]float64)
			for i := range d {
				d[i] += 0.1 * (2*rng.Float64() - 1)
			}
		}
	}
	g := G.NewGraph()
	net, err := m.Forward(g, batch, train)
	if err != nil {
		t.Fatalf("Forward: %v", err)
	}
	if err := G.Let(net.X, randomDense(rng, net.X.Shape()...)); err != nil {
		t.Fatal(err)
	}
	for _, mk := range net.Masks {
		mask := randomDense(rng, mk.Node.Shape()...)
		d := mask.Data().([]float64)
		for i := range d {
			d[i] = 1 / (1 - mk.Rate)
			if rng.Float64() < mk.Rate {
				d[i] = 0
			}
		}
		if err := G.Let(mk.Node, mask); err != nil {
			t.Fatal(err)
		}
	}
	c := G.NewTensor(g, tensor.Float64, 2, G.WithShape(net.Out.Shape()...), G.WithName("c"),
		G.WithValue(randomDense(rng, net.Out.Shape()...)))
	cost := G.Must(G.Sum(G.Must(G.HadamardProd(net.Out, c))))
	wrt := G.Nodes{net.X}
	for i, p := range m.Params() {
		if p.Trainable {
			wrt = append(wrt, net.Params[i])
		}
	}
	r, err := gradcheck.Check(g, cost, wrt, 1e-6)
	if err != nil {
		t.Fatalf("gradcheck: %v", err)
	}
	if r.MaxRel > 1e-6 {
		t.Errorf("gradient mismatch: %v", r)
	}
}

func denseSpec(units int, act string) LayerSpec {
	return LayerSpec{Type: LayerDense, Units: units, Activation: act}
}

func TestLayerGradients(t *testing.T) {
	img := []int{2, 6, 6}
	tests := []struct {
		name  string
		input []int
		train bool
		ls    []LayerSpec
	}{
		{"dense linear", []int{4}, false, []LayerSpec{denseSpec(5, Linear), denseSpec(2, Linear)}},
		{"dense sigmoid", []int{4}, false, []LayerSpec{denseSpec(5, Sigmoid), denseSpec(1, Sigmoid)}},
		{"dense tanh", []int{4}, false, []LayerSpec{denseSpec(5, Tanh), denseSpec(3, Softmax)}},
		{"dense relu", []int{4}, false, []LayerSpec{denseSpec(5, ReLU), denseSpec(1, Step)}},
		{"activation layers", []int{4}, false, []LayerSpec{denseSpec(5, Linear), {Type: LayerActivation, Activation: Tanh},
			{Type: LayerActivation, Activation: Sigmoid}, {Type: LayerActivation, Activation: ReLU}, denseSpec(2, Linear)}},
		{"dropout training", []int{4}, true, []LayerSpec{denseSpec(6, Tanh), {Type: LayerDropout, Rate: 0.3}, denseSpec(2, Linear)}},
		{"dropout inference", []int{4}, false, []LayerSpec{denseSpec(6, Tanh), {Type: LayerDropout, Rate: 0.3}, denseSpec(2, Linear)}},
		{"normalization", []int{4}, false, []LayerSpec{{Type: LayerNormalization}, denseSpec(2, Linear)}},
		{"conv 3x3 pad 1 stride 1", img, false, []LayerSpec{{Type: LayerConv2D, Filters: 3, Kernel: 3, Padding: 1, Activation: Tanh}, {Type: LayerFlatten}, denseSpec(2, Linear)}},
		{"conv 3x3 pad 0 stride 2", img, false, []LayerSpec{{Type: LayerConv2D, Filters: 2, Kernel: 3, Stride: 2, Activation: Linear}, {Type: LayerFlatten}, denseSpec(2, Linear)}},
		{"conv 2x2 relu", []int{1, 5, 5}, false, []LayerSpec{{Type: LayerConv2D, Filters: 2, Kernel: 2, Activation: ReLU}, {Type: LayerFlatten}, denseSpec(2, Linear)}},
		{"maxpool 2 on 6x6", img, false, []LayerSpec{{Type: LayerMaxPool2D, Kernel: 2}, {Type: LayerFlatten}, denseSpec(2, Linear)}},
		{"maxpool 2 on 7x7", []int{1, 7, 7}, false, []LayerSpec{{Type: LayerMaxPool2D, Kernel: 2}, {Type: LayerFlatten}, denseSpec(2, Linear)}},
		{"maxpool 3 stride 1", img, false, []LayerSpec{{Type: LayerMaxPool2D, Kernel: 3, Stride: 1}, {Type: LayerFlatten}, denseSpec(2, Linear)}},
		{"convnet", []int{1, 8, 8}, true, []LayerSpec{{Type: LayerConv2D, Filters: 2, Kernel: 3, Activation: ReLU}, {Type: LayerMaxPool2D, Kernel: 2},
			{Type: LayerFlatten}, {Type: LayerDropout, Rate: 0.5}, denseSpec(3, Softmax)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkGradients(t, Spec{Name: "check", Input: tt.input, Layers: tt.ls}, tt.train)
		})
	}
}

func TestForwardShapes(t *testing.T) {
	m, err := New(Spec{Input: []int{1, 28, 28}, Layers: []LayerSpec{
		{Type: LayerConv2D, Filters: 4, Kernel: 3, Activation: ReLU},
		{Type: LayerMaxPool2D, Kernel: 2},
		{Type: LayerConv2D, Filters: 5, Kernel: 3, Stride: 2, Padding: 1},
		{Type: LayerFlatten},
		denseSpec(10, Softmax),
	}})
	if err != nil {
		t.Fatal(err)
	}
	wantShapes := [][]int{{4, 26, 26}, {4, 13, 13}, {5, 7, 7}, {245}, {10}}
	for i, l := range m.layers {
		if got := l.outShape(); !slices.Equal(got, wantShapes[i]) {
			t.Errorf("layer %s output shape = %v; want %v", l.spec().Name, got, wantShapes[i])
		}
	}
	net, err := m.Forward(G.NewGraph(), 5, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := []int(net.Out.Shape()); !slices.Equal(got, []int{5, 10}) {
		t.Errorf("Forward output shape = %v; want [5 10]", got)
	}
}
