package models

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// CloneAs returns an independent copy of the model that computes in dt,
// tensor.Float32 or tensor.Float64, with its parameters converted: for
// instance a float64 copy of a float32 model, to check its gradients
// against finite differences. Its options (WithGorgoniaOps,
// WithInputGradient) and Meta are those of m.
func (m *Model) CloneAs(dt tensor.Dtype) (*Model, error) {
	spec := m.spec
	switch dt {
	case tensor.Float32:
		spec.DType = "float32"
	case tensor.Float64:
		spec.DType = "float64"
	default:
		return nil, fmt.Errorf("models: %s: dtype %v is not float32 or float64", m.spec.Name, dt)
	}
	if dt == m.dt {
		return m.Clone()
	}
	c, err := build(spec, newRand(0), maxParamBytes)
	if err != nil {
		return nil, err
	}
	for i, p := range m.params {
		if err := c.params[i].SetFloat64s(p.Float64s()); err != nil {
			return nil, err
		}
	}
	c.Meta = Meta{Settings: maps.Clone(m.Meta.Settings), Metrics: maps.Clone(m.Meta.Metrics),
		Created: m.Meta.Created, Versions: maps.Clone(m.Meta.Versions)}
	c.inputGrad, c.gorgonia = m.inputGrad, m.gorgonia
	return c, nil
}

// LayerShape returns the shape of one sample's output of the named layer,
// or nil if the model has no such layer.
func (m *Model) LayerShape(layer string) []int {
	for i, ls := range m.spec.Layers {
		if ls.Name == layer {
			return slices.Clone(m.layers[i].outShape())
		}
	}
	return nil
}

// LayerOutputs runs the model on the samples in x (row-major, InputDim
// values each), with dropout off, and returns what each named layer
// outputs: for n samples, n·(values per sample of LayerShape(layer))
// values each, row-major. A hidden layer's output is after its
// activation; the layer that carries the output activation gives its
// values before it, the logits, as the graph computes them. Use it to look
// inside a network: the hidden representation of each sample, a hidden
// unit's response over the input plane, a convolution's feature maps.
func (m *Model) LayerOutputs(x []float32, layers ...string) ([][]float32, error) {
	if len(layers) == 0 {
		return nil, fmt.Errorf("models: %s: layer outputs: no layer named", m.spec.Name)
	}
	idx := make([]int, len(layers))
	for k, name := range layers {
		idx[k] = slices.IndexFunc(m.spec.Layers, func(ls LayerSpec) bool { return ls.Name == name })
		if idx[k] < 0 {
			return nil, fmt.Errorf("models: %s: no layer %q (its layers: %s)", m.spec.Name, name, m.layerNames())
		}
	}
	n, err := m.samples(x)
	if err != nil {
		return nil, err
	}
	out := make([][]float32, len(layers))
	per := make([]int, len(layers))
	for k, i := range idx {
		per[k] = tensor.Shape(m.layers[i].outShape()).TotalSize()
		out[k] = make([]float32, n*per[k])
	}
	err = m.runChunks(x, n, false, nil, func(net *Net) G.Nodes {
		nodes := make(G.Nodes, len(idx))
		for k, i := range idx {
			nodes[k] = net.Layers[i]
		}
		return nodes
	}, func(start, size int, values [][]float32) {
		for k := range layers {
			copy(out[k][start*per[k]:(start+size)*per[k]], values[k])
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PredictWithDropout is Predict with the dropout layers active, as while
// training: every call draws new masks from rng, so repeated calls on the
// same input give a spread of predictions around Predict's, what Keras
// gives for model(x, training=True) and the idea behind Monte Carlo
// dropout. Batch normalization uses its running averages, as in Predict.
// A model without dropout gives Predict's output.
func (m *Model) PredictWithDropout(x []float32, rng *rand.Rand) ([]float32, error) {
	if rng == nil {
		return nil, fmt.Errorf("models: %s: predict with dropout: no random number generator", m.spec.Name)
	}
	n, err := m.samples(x)
	if err != nil {
		return nil, err
	}
	units := m.spec.Units()
	logits := make([]float32, n*units)
	err = m.runChunks(x, n, true, rng, func(net *Net) G.Nodes { return G.Nodes{net.Out} },
		func(start, size int, values [][]float32) { copy(logits[start*units:(start+size)*units], values[0]) })
	if err != nil {
		return nil, err
	}
	return OutputsOf(m.spec, logits), nil
}

// samples returns the number of samples in x, or an error if x is not a
// whole, non-zero number of them.
func (m *Model) samples(x []float32) (int, error) {
	dim := m.InputDim()
	if len(x) == 0 || len(x)%dim != 0 {
		return 0, fmt.Errorf("models: %s: %d input values is not a whole number of samples of %d values (input shape %v)",
			m.spec.Name, len(x), dim, m.spec.Input)
	}
	return len(x) / dim, nil
}

// layerNames lists the layers' names, comma-separated.
func (m *Model) layerNames() string {
	names := ""
	for i, ls := range m.spec.Layers {
		if i > 0 {
			names += ", "
		}
		names += ls.Name
	}
	return names
}

// runChunks runs the n samples of x through graphs of at most inferBatch
// samples, with dropout on (masks drawn from rng) or off, and hands the
// values of the nodes pick chooses to use, chunk by chunk, starting at
// sample start.
func (m *Model) runChunks(x []float32, n int, dropout bool, rng *rand.Rand, pick func(*Net) G.Nodes,
	use func(start, size int, values [][]float32)) error {
	dim := m.InputDim()
	full := min(n, m.inferBatch())
	type graph struct {
		vm    G.VM
		net   *Net
		reads []G.Value
		input *tensor.Dense
		masks []*tensor.Dense
	}
	graphs := map[int]*graph{}
	defer func() {
		for _, g := range graphs {
			g.vm.Close()
		}
	}()
	get := func(size int) (*graph, error) {
		if g, ok := graphs[size]; ok {
			return g, nil
		}
		// Built as the inference graphs are (see newInferNet): one at a
		// time, over tensors of their own that share the weights.
		buildMu.Lock()
		defer buildMu.Unlock()
		eg := G.NewGraph()
		net, err := m.forwardFused(eg, size, false, dropout, false, 0, len(m.layers), sharedTensor)
		if err != nil {
			return nil, err
		}
		if err := m.bindNoise(net); err != nil {
			return nil, err
		}
		gr := &graph{net: net}
		nodes := pick(net)
		gr.reads = make([]G.Value, len(nodes))
		for k, nd := range nodes {
			// Read copies the value when its node runs: the machine may
			// reuse an intermediate node's memory afterwards.
			G.Read(nd, &gr.reads[k])
		}
		gr.input = tensor.New(tensor.Of(m.dt), tensor.WithShape(net.X.Shape()...))
		if err := G.Let(net.X, gr.input); err != nil {
			return nil, fmt.Errorf("models: %s: binding the input: %w", m.spec.Name, err)
		}
		for _, mk := range net.Masks {
			t := tensor.New(tensor.Of(m.dt), tensor.WithShape(mk.Node.Shape()...))
			if err := G.Let(mk.Node, t); err != nil {
				return nil, fmt.Errorf("models: %s: binding a dropout mask: %w", m.spec.Name, err)
			}
			gr.masks = append(gr.masks, t)
		}
		gr.vm = G.NewTapeMachine(eg)
		graphs[size] = gr
		return gr, nil
	}
	for start := 0; start < n; start += full {
		size := min(full, n-start)
		g, err := get(size)
		if err != nil {
			return err
		}
		setFloats(g.input, x[start*dim:(start+size)*dim])
		for k, mk := range g.net.Masks {
			fillMask(g.masks[k], mk.Rate, rng)
		}
		if err := g.vm.RunAll(); err != nil {
			g.vm.Reset()
			return fmt.Errorf("models: %s: running samples %d to %d: %w", m.spec.Name, start, start+size-1, err)
		}
		g.vm.Reset()
		values := make([][]float32, len(g.reads))
		for k, v := range g.reads {
			values[k] = floats(v)
		}
		use(start, size, values)
	}
	return nil
}

// setFloats copies x into a float32 or float64 tensor of the same size.
func setFloats(t *tensor.Dense, x []float32) {
	switch d := t.Data().(type) {
	case []float32:
		copy(d, x)
	case []float64:
		for i, v := range x {
			d[i] = float64(v)
		}
	}
}

// floats returns a node value's data as float32.
func floats(v G.Value) []float32 {
	switch d := v.Data().(type) {
	case []float32:
		return slices.Clone(d)
	case []float64:
		out := make([]float32, len(d))
		for i, x := range d {
			out[i] = float32(x)
		}
		return out
	case float32:
		return []float32{d}
	case float64:
		return []float32{float32(d)}
	}
	return nil
}

// fillMask draws a dropout mask: 0 with probability rate, 1/(1-rate)
// otherwise.
func fillMask(t *tensor.Dense, rate float64, rng *rand.Rand) {
	keep := 1 / (1 - rate)
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = float32(keep)
			if rng.Float64() < rate {
				d[i] = 0
			}
		}
	case []float64:
		for i := range d {
			d[i] = keep
			if rng.Float64() < rate {
				d[i] = 0
			}
		}
	}
}

// After returns a model of the layers that follow the named one, taking
// that layer's output (shape LayerShape(layer)) as its input, with copies
// of their parameters and the same loss, outputs and class names: the
// "head" of the network on top of a hidden representation. After the last
// hidden layer of an MLP it is the output layer alone, a linear model (a
// logistic regression for a binary classifier) on the hidden features.
func (m *Model) After(layer string) (*Model, error) {
	i := slices.IndexFunc(m.spec.Layers, func(ls LayerSpec) bool { return ls.Name == layer })
	switch {
	case i < 0:
		return nil, fmt.Errorf("models: %s: no layer %q (its layers: %s)", m.spec.Name, layer, m.layerNames())
	case i == len(m.spec.Layers)-1:
		return nil, fmt.Errorf("models: %s: no layer follows %s, the last one", m.spec.Name, layer)
	}
	spec := m.spec
	spec.Name = m.spec.Name + "-after-" + layer
	spec.Input = m.layers[i].outShape()
	spec.Layers = slices.Clone(m.spec.Layers[i+1:])
	spec.Features, spec.Table = nil, nil
	spec.out = nil
	h, err := build(spec, newRand(0), maxParamBytes)
	if err != nil {
		return nil, err
	}
	for _, p := range h.params {
		if err := p.SetFloat64s(m.Param(p.Name).Float64s()); err != nil {
			return nil, err
		}
	}
	h.inputGrad, h.gorgonia = m.inputGrad, m.gorgonia
	return h, nil
}
