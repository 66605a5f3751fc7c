package trainers

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A model whose loss has extra terms (a variational autoencoder's KL
// divergence, models.Net.Terms) reports, as Keras does, its total loss as
// "loss", the loss of its outputs against the targets as
// "reconstruction_loss" (DataLossName for a model that is not an
// autoencoder), and each term under its own name ("kl_loss"). Its noise
// inputs (a sampling layer's ε) are filled with standard normal draws
// from the trainer's seeded generator.

// The names of the parts of a loss with extra terms.
const (
	// ReconstructionLossName is an autoencoder's data loss: its outputs
	// against its inputs.
	ReconstructionLossName = "reconstruction_loss"
	// DataLossName is the data loss of any other model whose loss has
	// extra terms.
	DataLossName = "data_loss"
)

// evalNoiseSeed seeds the noise of every evaluation of a model with a
// sampling layer, so that Evaluate gives the same figures every time.
const evalNoiseSeed = 0x5eed

// termMeter sums a loss's data part and extra terms over batches.
type termMeter struct {
	dataName string
	names    []string
	data     float64
	sums     []float64
}

// newTermMeter returns a meter of spec's loss terms, or nil if it has
// none.
func newTermMeter(spec models.Spec) *termMeter {
	names := spec.LossTerms()
	if len(names) == 0 {
		return nil
	}
	t := &termMeter{dataName: DataLossName, names: names, sums: make([]float64, len(names))}
	if spec.Task() == models.Reconstruction {
		t.dataName = ReconstructionLossName
	}
	return t
}

// add adds a batch of n samples' mean data loss and terms.
func (t *termMeter) add(data float64, terms []float64, n int) {
	if t == nil {
		return
	}
	t.data += data * float64(n)
	for i, v := range terms {
		t.sums[i] += v * float64(n)
	}
}

// logs writes the averages over n samples into out.
func (t *termMeter) logs(out map[string]float64, prefix string, n float64) {
	if t == nil {
		return
	}
	out[prefix+t.dataName] = t.data / n
	for i, name := range t.names {
		out[prefix+name] = t.sums[i] / n
	}
}

// lossParts holds the graph nodes of a loss's data part and extra terms,
// and their values after the last run.
type lossParts struct {
	data  *G.Node
	terms []*G.Node
	// dataValue and termValues are read by read after each run.
	dataValue  float64
	termValues []float64
}

func newLossParts(net *models.Net) *lossParts {
	if len(net.Terms) == 0 {
		return nil
	}
	p := &lossParts{data: net.DataLoss, termValues: make([]float64, len(net.Terms))}
	for _, t := range net.Terms {
		p.terms = append(p.terms, t.Node)
	}
	return p
}

// read reads the values of the last run.
func (p *lossParts) read() {
	if p == nil {
		return
	}
	p.dataValue = scalarValue(p.data.Value())
	for i, t := range p.terms {
		p.termValues[i] = scalarValue(t.Value())
	}
}

// addTo adds the last run's values, for n samples, to a meter.
func (p *lossParts) addTo(m *meter, n int) {
	if p == nil {
		return
	}
	m.terms.add(p.dataValue, p.termValues, n)
}

// bindNoise gives each noise input of net a tensor to be filled before
// each run, zeros until then.
func bindNoise(net *models.Net) []*tensor.Dense {
	var out []*tensor.Dense
	for _, nz := range net.Noise {
		out = append(out, bind(nz.Node))
	}
	return out
}

// fillNoise fills the noise inputs with standard normal draws.
func fillNoise(noise []*tensor.Dense, normal func() float64) {
	for _, t := range noise {
		models.SampleNoise(t, normal)
	}
}

// useInputAsTargets makes the fed batch's features its targets, for a
// model that reconstructs its input: as the data set holds them
// (n.targets, for the metrics) and encoded for the loss (n.y).
func (n *trainNet) useInputAsTargets() {
	switch x := n.x.Data().(type) {
	case []float32:
		n.targets = append(n.targets[:0], x...)
		copy(n.y.Data().([]float32), x)
	case []float64:
		n.targets = append(n.targets[:0], n.xs...)
		copy(n.y.Data().([]float64), x)
	}
}

// targetsOf returns the targets of d as m trains on them: its features
// for a model that reconstructs its input, its targets otherwise.
func targetsOf(spec models.Spec, d *datasets.Dataset) []float32 {
	if spec.Reconstructs() {
		return d.X
	}
	return d.Y
}

// checkReconstructionData reports data that a model reconstructing its
// input cannot train on or be evaluated with: features of another size
// than its input, or outside [0, 1] for binary cross-entropy.
func checkReconstructionData(spec models.Spec, d *datasets.Dataset, what string) error {
	want := tensor.Shape(spec.Input).TotalSize()
	if d.Dim() != want {
		return fmt.Errorf("trainers: %s has %d features per sample (shape %v); model %s reconstructs %d (shape %v)",
			what, d.Dim(), d.Shape, spec.Name, want, spec.Input)
	}
	if spec.Loss == models.BinaryCrossEntropy {
		if i := slices.IndexFunc(d.X, func(v float32) bool { return v < 0 || v > 1 }); i >= 0 {
			return fmt.Errorf("trainers: %s: sample %d, feature %d is %v, but model %s reconstructs its input with binary cross-entropy on sigmoid outputs, which takes values in [0, 1]: scale the data to [0, 1] (MNIST's pixels are), or train with mse",
				what, i/d.Dim()+1, i%d.Dim()+1, d.X[i], spec.Name)
		}
	}
	return nil
}

// evalBatch is the batch size of the loss graphs that evaluate a model
// with extra loss terms.
const evalBatch = 256

// evalNet is an inference graph with the model's loss (dropout off, batch
// normalization's running averages), to evaluate a model whose loss has
// extra terms, which only a graph computes.
type evalNet struct {
	vm    G.VM
	net   *models.Net
	spec  models.Spec
	parts *lossParts
	x, y  *tensor.Dense
	noise []*tensor.Dense
	xs    []float32 // gathered features (float64 models)
	// logits and targets are the last run's, for the metrics.
	logits, targets []float32
}

func newEvalNet(m Model, batch int) (*evalNet, error) {
	spec := m.Spec()
	g := G.NewGraph()
	net, err := m.Forward(g, batch, false)
	if err != nil {
		return nil, err
	}
	if err := m.AddLoss(net); err != nil {
		return nil, err
	}
	e := &evalNet{net: net, spec: spec, parts: newLossParts(net),
		x: bind(net.X), y: bind(net.Y), noise: bindNoise(net),
		logits: make([]float32, batch*spec.Units()),
	}
	if net.X.Dtype() == tensor.Float64 {
		e.xs = make([]float32, net.X.Shape().TotalSize())
	}
	e.vm = G.NewTapeMachine(g)
	return e, nil
}

// run evaluates the samples idx of d with noise from normal and returns
// their mean loss.
func (e *evalNet) run(d *datasets.Dataset, idx []int, normal func() float64) (float64, error) {
	e.targets = e.targets[:0]
	var y []float32
	if !e.spec.Reconstructs() {
		e.targets = slices.Grow(e.targets, len(idx)*d.TargetDim())[:len(idx)*d.TargetDim()]
		y = e.targets
	}
	switch x := e.x.Data().(type) {
	case []float32:
		d.Gather(idx, x, y)
		if e.spec.Reconstructs() {
			e.targets = append(e.targets, x...)
		}
		models.EncodeTargets(e.spec, e.targets, e.y.Data().([]float32))
	case []float64:
		d.Gather(idx, e.xs, y)
		for i, v := range e.xs {
			x[i] = float64(v)
		}
		if e.spec.Reconstructs() {
			e.targets = append(e.targets, e.xs...)
		}
		models.EncodeTargets(e.spec, e.targets, e.y.Data().([]float64))
	}
	fillNoise(e.noise, normal)
	defer e.vm.Reset()
	if err := e.vm.RunAll(); err != nil {
		return 0, err
	}
	copyLogits(e.logits, e.net.Out.Value())
	e.parts.read()
	return scalarValue(e.net.Loss.Value()), nil
}

// copyLogits copies a graph's output values into dst.
func copyLogits(dst []float32, v G.Value) {
	switch z := v.Data().(type) {
	case []float32:
		copy(dst, z)
	case []float64:
		for i, x := range z {
			dst[i] = float32(x)
		}
	}
}

// measureLossGraph evaluates m, whose loss has extra terms, on d batch by
// batch through loss graphs, its noise drawn from a generator of fixed
// seed: the loss the training graph computes, dropout off, the same every
// time.
func measureLossGraph(m Model, d *datasets.Dataset) (*meter, error) {
	meter := newMeter(m.Spec())
	rng := rand.New(rand.NewPCG(evalNoiseSeed, evalNoiseSeed))
	nets := map[int]*evalNet{}
	n := d.Len()
	idx := make([]int, 0, evalBatch)
	for start := 0; start < n; start += evalBatch {
		size := min(evalBatch, n-start)
		e, ok := nets[size]
		if !ok {
			var err error
			if e, err = newEvalNet(m, size); err != nil {
				return nil, fmt.Errorf("trainers: building the evaluation graph: %w", err)
			}
			nets[size] = e
		}
		idx = idx[:0]
		for i := range size {
			idx = append(idx, start+i)
		}
		loss, err := e.run(d, idx, rng.NormFloat64)
		if err != nil {
			return nil, fmt.Errorf("trainers: evaluating samples %d to %d: %w", start+1, start+size, err)
		}
		meter.addLoss(loss, size)
		e.parts.addTo(meter, size)
		if err := meter.addOutputs(e.logits, e.targets, false); err != nil {
			return nil, err
		}
	}
	return meter, nil
}
