package models

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// maxInferBatch is the largest batch an inference graph processes at once.
const maxInferBatch = 256

// inferNet is an inference graph (dropout off) for one batch size, with its
// machine and the input tensor its x node is bound to.
type inferNet struct {
	net *Net
	vm  G.VM
	x   *tensor.Dense
}

// inferGraph returns the cached inference graph for batch, building it on
// first use. Callers hold m.mu.
func (m *Model) inferGraph(batch int) (*inferNet, error) {
	if n, ok := m.infer[batch]; ok {
		return n, nil
	}
	g := G.NewGraph()
	net, err := m.Forward(g, batch, false)
	if err != nil {
		return nil, err
	}
	x := tensor.New(tensor.Of(m.dt), tensor.WithShape(net.X.Shape()...))
	if err := G.Let(net.X, x); err != nil {
		return nil, fmt.Errorf("models: %s: binding the input: %w", m.spec.Name, err)
	}
	n := &inferNet{net: net, vm: G.NewTapeMachine(g), x: x}
	if m.infer == nil {
		m.infer = map[int]*inferNet{}
	}
	m.infer[batch] = n
	return n, nil
}

// Logits runs the model on the samples in x (row-major, InputDim values
// each; any number of samples, including one) and returns the output
// layer's values before its activation, Spec().Units() per sample.
// Dropout is off. Samples are processed in batches of up to 256; a final
// partial batch is run through a graph of the next power of two, padded
// with zeros, so every sample counts and few graphs are built.
func (m *Model) Logits(x []float32) ([]float32, error) {
	dim := m.InputDim()
	if len(x) == 0 || len(x)%dim != 0 {
		return nil, fmt.Errorf("models: %s: %d input values is not a whole number of samples of %d values (input shape %v)",
			m.spec.Name, len(x), dim, m.spec.Input)
	}
	n, units := len(x)/dim, m.spec.Units()
	out := make([]float32, n*units)
	m.mu.Lock()
	defer m.mu.Unlock()
	for start := 0; start < n; start += maxInferBatch {
		size := min(maxInferBatch, n-start)
		net, err := m.inferGraph(graphBatch(size))
		if err != nil {
			return nil, err
		}
		if err := net.run(x[start*dim:(start+size)*dim], out[start*units:(start+size)*units]); err != nil {
			return nil, fmt.Errorf("models: %s: predicting samples %d to %d: %w", m.spec.Name, start, start+size-1, err)
		}
	}
	return out, nil
}

// graphBatch returns the graph batch size used for a chunk of size n: n
// itself for full chunks, else the next power of two.
func graphBatch(n int) int {
	if n == maxInferBatch {
		return n
	}
	b := 1
	for b < n {
		b *= 2
	}
	return b
}

// run feeds x (a possibly partial batch) through the graph and writes the
// logits of its samples into out.
func (n *inferNet) run(x, out []float32) error {
	switch d := n.x.Data().(type) {
	case []float32:
		copy(d, x)
		clear(d[len(x):])
	case []float64:
		for i, v := range x {
			d[i] = float64(v)
		}
		clear(d[len(x):])
	}
	defer n.vm.Reset()
	if err := n.vm.RunAll(); err != nil {
		return err
	}
	switch d := n.net.Out.Value().Data().(type) {
	case []float32:
		copy(out, d)
	case []float64:
		for i := range out {
			out[i] = float32(d[i])
		}
	}
	return nil
}

// Predict runs the model on the samples in x (row-major, InputDim values
// each) and returns its predictions: for a classifier, the probability of
// each class, NumClasses() per sample (a sigmoid or step output gives two
// columns, P(class 0) and P(class 1); the perceptron's are 0 or 1); for a
// regression model, its Units() outputs per sample.
func (m *Model) Predict(x []float32) ([]float32, error) {
	logits, err := m.Logits(x)
	if err != nil {
		return nil, err
	}
	return OutputsOf(m.spec, logits), nil
}

// OutputsOf turns the logits of a model with spec into its predictions, as
// Predict returns them. It may reuse logits' storage.
func OutputsOf(spec Spec, logits []float32) []float32 {
	switch act := spec.OutputActivation(); act {
	case Sigmoid, Step:
		out := make([]float32, 2*len(logits))
		for i, z := range logits {
			p := float32(SigmoidOf(float64(z)))
			if act == Step {
				p = float32(StepOf(float64(z)))
			}
			out[2*i], out[2*i+1] = 1-p, p
		}
		return out
	case Softmax:
		units := spec.Units()
		for i := 0; i < len(logits); i += units {
			SoftmaxInPlace(logits[i : i+units])
		}
	}
	return logits
}

// PredictClasses returns the most probable class of each sample in x. It is
// an error for a regression model.
func (m *Model) PredictClasses(x []float32) ([]int, error) {
	k := m.spec.NumClasses()
	if k == 0 {
		return nil, fmt.Errorf("models: %s: a regression model has no classes", m.spec.Name)
	}
	logits, err := m.Logits(x)
	if err != nil {
		return nil, err
	}
	return ClassesOf(m.spec.Loss(), logits, m.spec.Units()), nil
}

// ClassesOf turns logits (units per sample) into class indices, as a model
// trained with loss predicts them: z ≥ 0 for a single sigmoid or step unit
// (the sigmoid crosses 1/2 there), the largest logit for softmax.
func ClassesOf(loss Loss, logits []float32, units int) []int {
	out := make([]int, len(logits)/units)
	for i := range out {
		row := logits[i*units : (i+1)*units]
		if loss == CategoricalCrossEntropy {
			out[i] = argmax(row)
		} else if row[0] >= 0 {
			out[i] = 1
		}
	}
	return out
}

func argmax(row []float32) int {
	best := 0
	for j, v := range row {
		if v > row[best] {
			best = j
		}
	}
	return best
}

// SigmoidOf returns 1/(1+e^-z), computed without overflow.
func SigmoidOf(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// StepOf is the Heaviside step: 1 for z ≥ 0, else 0.
func StepOf(z float64) float64 {
	if z >= 0 {
		return 1
	}
	return 0
}

// SoftmaxInPlace replaces row with its softmax, subtracting the row's
// maximum first so that large logits do not overflow.
func SoftmaxInPlace(row []float32) {
	mx := row[0]
	for _, v := range row {
		mx = max(mx, v)
	}
	var sum float64
	for j, v := range row {
		e := math.Exp(float64(v - mx))
		row[j] = float32(e)
		sum += e
	}
	for j := range row {
		row[j] = float32(float64(row[j]) / sum)
	}
}
