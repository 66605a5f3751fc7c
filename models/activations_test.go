package models

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// refLayers computes every layer's outputs for n samples with the
// reference forward passes, as Activations returns them.
func refLayers(t *testing.T, m *Model, x []float64, n int) [][]float64 {
	t.Helper()
	x = slices.Clone(x)
	shape := m.spec.Input
	out := m.spec.outputIndex()
	var all [][]float64
	for i, l := range m.layers {
		s := l.spec()
		if i == out {
			s.Activation = Linear
		}
		x = references[s.Type](refContext{l: l, s: s, in: shape}, x, n)
		all = append(all, slices.Clone(x))
		shape = l.outShape()
	}
	return all
}

// Each layer's outputs are those of the layer math, on both op paths, in
// both precisions, for any number of samples; the last layer's are the
// logits.
func TestActivations(t *testing.T) {
	cases := []layerCase{
		{"mlp with dropout", []int{2}, []LayerSpec{Dense(4, Tanh), Dropout(0.5), Dense(3, ReLU), Dense(1, Sigmoid)}, ""},
		{"dense then activation", []int{3}, []LayerSpec{Dense(4, Linear), Activation(Sigmoid), Dense(2, Linear)}, ""},
		{"normalization, softmax", []int{3}, []LayerSpec{{Type: LayerNormalization}, Dense(5, ReLU), Dense(3, Softmax)}, ""},
		{"convnet", []int{1, 6, 6}, []LayerSpec{Conv2D(2, 3, ReLU), {Type: LayerMaxPool2D, Kernel: 2}, Flatten(), Dense(2, Softmax)}, ""},
		{"batchnorm", []int{3}, []LayerSpec{Dense(4, Linear), {Type: LayerBatchNorm}, Dense(1, Linear)}, ""},
	}
	for _, c := range cases {
		for _, gorgonia := range []bool{false, true} {
			for _, f64 := range []bool{false, true} {
				opts := []Option{WithSeed(3)}
				if gorgonia {
					opts = append(opts, WithGorgoniaOps())
				}
				if f64 {
					opts = append(opts, WithFloat64())
				}
				m, err := New(c.spec(), opts...)
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				rng := rand.New(rand.NewPCG(8, 9))
				perturb(m, rng)
				for _, n := range []int{1, 3, m.inferBatch() + 2} {
					x64 := randomValues(rng, n*m.InputDim())
					x := make([]float32, len(x64))
					for i, v := range x64 {
						x[i] = float32(v)
						x64[i] = float64(x[i])
					}
					got, err := m.Activations(x)
					if err != nil {
						t.Fatalf("%s: Activations: %v", c.name, err)
					}
					want := refLayers(t, m, x64, n)
					if len(got) != len(m.spec.Layers) {
						t.Fatalf("%s: %d layers' outputs; want %d", c.name, len(got), len(m.spec.Layers))
					}
					for i := range got {
						compare(t, c.name+" layer "+m.spec.Layers[i].Name, f64, n, got[i], want[i], 1e-4)
					}
					logits, err := m.Logits(x)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(got[len(got)-1], logits) {
						t.Errorf("%s, %d samples: the last layer's outputs differ from Logits", c.name, n)
					}
				}
			}
		}
	}
}

func TestActivationsBadInput(t *testing.T) {
	m, err := NewMLP(2, []Hidden{{Units: 3, Activation: Tanh}}, BinaryOutput())
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range [][]float32{nil, {1, 2, 3}} {
		if _, err := m.Activations(x); err == nil || !strings.Contains(err.Error(), "whole number of samples") {
			t.Errorf("Activations(%v) error %v; want one about whole samples", x, err)
		}
	}
}
