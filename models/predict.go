package models

import (
	"fmt"
	"math"

	"github.com/dlgo/dlgo/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Inference graphs process at most maxInferBatch samples at once, fewer
// when a model's activations are large: a graph's buffers hold about
// inferBudget values in all (64 MB in float32), so a ConvNet predicts in
// batches of 128 and an MLP in batches of 1024.
const (
	maxInferBatch = 1024
	inferBudget   = 16 << 20
)

// inferBatch returns the largest batch, a power of two, whose inference
// graph keeps within the budget.
func (m *Model) inferBatch() int {
	perSample := m.sampleValues()
	b := maxInferBatch
	for b > 1 && b*perSample > inferBudget {
		b /= 2
	}
	return b
}

// sampleValues estimates the values an inference graph holds per sample
// of its batch.
func (m *Model) sampleValues() int {
	n := m.InputDim()
	for _, l := range m.layers {
		n += activationValues(l)
	}
	return n
}

// activationValues estimates the values per sample a layer's inference
// ops hold: its output, or more for a convolution (its unrolled patches).
func activationValues(l layer) int {
	if w, ok := l.(workSizer); ok {
		return w.workValues()
	}
	return tensor.Shape(l.outShape()).TotalSize()
}

// Logits runs the model on the samples in x (row-major, InputDim values
// each; any number of samples, including one) and returns the output
// layer's values before its activation, Spec().Units() per sample.
// Dropout is off. A regression model with a TargetScale computes them in
// standard units: Predict returns them in the targets' units. Samples are processed in batches of up to 1024 (fewer
// for models with large activations), a final partial batch through a
// graph of its own size, so every sample counts.
//
// Logits is safe to call from several goroutines at once: each call runs
// on an inference graph of its own, from a pool whose graphs hold at most
// max(4, GOMAXPROCS) full batches' worth of values, and gives the same
// bits as the same call made alone.
func (m *Model) Logits(x []float32) ([]float32, error) {
	dim := m.InputDim()
	if len(x) == 0 || len(x)%dim != 0 {
		return nil, fmt.Errorf("models: %s: %d input values is not a whole number of samples of %d values (input shape %v)",
			m.spec.Name, len(x), dim, m.spec.Input)
	}
	n, units := len(x)/dim, m.spec.Units()
	out := make([]float32, n*units)
	full := m.inferBatch()
	for start := 0; start < n; start += full {
		size := min(full, n-start)
		net, err := m.graphs.get(m, size, full)
		if err != nil {
			return nil, err
		}
		if err := net.run(x[start*dim:(start+size)*dim], out[start*units:(start+size)*units]); err != nil {
			m.graphs.discard(net, size*m.sampleValues())
			return nil, fmt.Errorf("models: %s: predicting samples %d to %d: %w", m.spec.Name, start, start+size-1, err)
		}
		m.graphs.put(net)
	}
	return out, nil
}

// run feeds x through the graph and writes the logits into out. float32
// samples are bound as they are; float64 models get a converted copy.
func (n *inferNet) run(x, out []float32) error {
	input := n.x
	switch d := n.x.Data().(type) {
	case []float32:
		input = tensor.New(tensor.WithShape(n.x.Shape()...), tensor.WithBacking(x))
	case []float64:
		for i, v := range x {
			d[i] = float64(v)
		}
	}
	if err := G.Let(n.net.X, input); err != nil {
		return err
	}
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
// each) and returns its predictions, the outputs after the output
// activation: for a classifier, the probability of each class,
// NumClasses() per sample (a single sigmoid or step unit gives two
// columns, P(class 0) and P(class 1); the perceptron's are 0 or 1); for
// other models, their Units() outputs per sample (a multi-label model's
// probability of each label).
func (m *Model) Predict(x []float32) ([]float32, error) {
	logits, err := m.Logits(x)
	if err != nil {
		return nil, err
	}
	return OutputsOf(m.spec, logits), nil
}

// OutputsOf turns the values a model with spec computes before its output
// activation (as Logits returns them) into its predictions, as Predict
// returns them: through the output activation, and for a regression model
// with a TargetScale back into the targets' units. It may reuse logits'
// storage.
func OutputsOf(spec Spec, logits []float32) []float32 {
	act, err := ops.ParseOutput(spec.OutputActivation())
	if err != nil {
		return logits
	}
	if ts := spec.TargetScale; ts != nil && spec.Task() == Regression {
		out := activate(spec, act, logits)
		u := len(ts.Mean)
		for i, z := range out {
			out[i] = float32(float64(z)*ts.Std[i%u] + ts.Mean[i%u])
		}
		return out
	}
	return activate(spec, act, logits)
}

// activate applies the output activation act of spec to logits.
func activate(spec Spec, act ops.Output, logits []float32) []float32 {
	units := spec.Units()
	if spec.Task() == Classification && units == 1 {
		out := make([]float32, 2*len(logits))
		for i, z := range logits {
			p := []float32{z}
			act.Apply(p)
			out[2*i], out[2*i+1] = 1-p[0], p[0]
		}
		return out
	}
	if act == ops.OutSoftmax {
		for i := 0; i < len(logits); i += units {
			act.Apply(logits[i : i+units])
		}
		return logits
	}
	act.Apply(logits)
	return logits
}

// PredictClasses returns the most probable class of each sample in x. It is
// an error for a model that is not a classifier.
func (m *Model) PredictClasses(x []float32) ([]int, error) {
	if m.spec.Task() != Classification {
		return nil, fmt.Errorf("models: %s: a %s model has no classes", m.spec.Name, m.spec.Task())
	}
	logits, err := m.Logits(x)
	if err != nil {
		return nil, err
	}
	return ClassesOf(m.spec, logits), nil
}

// ClassesOf turns a classifier's logits (Units() per sample) into class
// indices, as the model predicts them: z ≥ 0 for a single sigmoid or step
// unit (the sigmoid crosses 1/2 there), the largest logit for softmax. For
// other tasks it returns nil.
func ClassesOf(spec Spec, logits []float32) []int {
	if spec.Task() != Classification {
		return nil
	}
	units := spec.Units()
	out := make([]int, len(logits)/units)
	for i := range out {
		row := logits[i*units : (i+1)*units]
		if units > 1 {
			out[i] = argmax(row)
		} else if row[0] >= 0 {
			out[i] = 1
		}
	}
	return out
}

// LabelsOf turns a multi-label model's logits into yes/no decisions, one
// per label and sample: z ≥ 0, where the label's probability reaches 1/2.
func LabelsOf(logits []float32) []bool {
	out := make([]bool, len(logits))
	for i, z := range logits {
		out[i] = z >= 0
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
