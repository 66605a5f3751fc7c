package models

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Activations runs the model on the samples in x (row-major, InputDim
// values each) with dropout off and returns what every layer outputs for
// them: out[i] holds the values of layer i of Spec().Layers, row-major,
// the product of its output shape per sample. The output layer's are its
// values before the output activation, as Logits returns them. It shows
// what each hidden unit computes, e.g. a neuron's output over the plane
// of a 2-D data set.
//
// Samples are processed in batches like Logits, through inference graphs
// built for the call.
func (m *Model) Activations(x []float32) ([][]float32, error) {
	dim := m.InputDim()
	if len(x) == 0 || len(x)%dim != 0 {
		return nil, fmt.Errorf("models: %s: %d input values is not a whole number of samples of %d values (input shape %v)",
			m.spec.Name, len(x), dim, m.spec.Input)
	}
	n := len(x) / dim
	widths := make([]int, len(m.layers))
	out := make([][]float32, len(m.layers))
	for i, l := range m.layers {
		widths[i] = tensor.Shape(l.outShape()).TotalSize()
		out[i] = make([]float32, n*widths[i])
	}
	full := m.inferBatch()
	graphs := map[int]*activationNet{}
	for start := 0; start < n; start += full {
		size := min(full, n-start)
		g, ok := graphs[size]
		if !ok {
			var err error
			if g, err = m.activationNet(size); err != nil {
				return nil, err
			}
			graphs[size] = g
		}
		if err := g.run(x[start*dim:(start+size)*dim], start, size, widths, out); err != nil {
			return nil, fmt.Errorf("models: %s: activations of samples %d to %d: %w", m.spec.Name, start, start+size-1, err)
		}
	}
	return out, nil
}

// activationNet is an inference graph whose layer outputs are read.
type activationNet struct {
	net *Net
	vm  G.VM
	x   *tensor.Dense
}

func (m *Model) activationNet(size int) (*activationNet, error) {
	g := G.NewGraph()
	net, err := m.Forward(g, size, false)
	if err != nil {
		return nil, err
	}
	x := tensor.New(tensor.Of(m.dt), tensor.WithShape(net.X.Shape()...))
	if err := G.Let(net.X, x); err != nil {
		return nil, fmt.Errorf("models: %s: binding the input: %w", m.spec.Name, err)
	}
	return &activationNet{net: net, vm: G.NewTapeMachine(g), x: x}, nil
}

// run feeds the size samples x, samples start to start+size-1 of the
// call, and copies each layer's outputs into out.
func (a *activationNet) run(x []float32, start, size int, widths []int, out [][]float32) error {
	switch d := a.x.Data().(type) {
	case []float32:
		copy(d, x)
	case []float64:
		for i, v := range x {
			d[i] = float64(v)
		}
	}
	defer a.vm.Reset()
	if err := a.vm.RunAll(); err != nil {
		return err
	}
	for i, node := range a.net.Layers {
		dst := out[i][start*widths[i] : (start+size)*widths[i]]
		switch v := node.Value().Data().(type) {
		case []float32:
			copy(dst, v)
		case []float64:
			for j := range dst {
				dst[j] = float32(v[j])
			}
		}
	}
	return nil
}
