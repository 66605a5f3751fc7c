package models

import (
	"bytes"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/internal/gradcheck"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Every layer type is tested by checkLayer on models that use it: a
// float64 gradient check against finite differences, its output against a
// naive reference forward pass, dlgo's fused ops against Gorgonia's own
// (WithGorgoniaOps), a save/load round trip and its Summary row. Each
// layer's test file registers its reference in references.

// refContext is what a layer's reference forward pass sees.
type refContext struct {
	l layer
	// s is the layer's spec with the activation the graph applies: linear
	// for the output layer.
	s     LayerSpec
	in    []int
	train bool
	// noise holds the standard normal draws a sampling layer's training
	// graph is given (fixedNoise); at inference it is nil: no noise.
	noise []float64
}

// refFunc computes a layer's outputs for n samples x (row-major, float64)
// with plain loops.
type refFunc func(c refContext, x []float64, n int) []float64

// references holds each layer type's reference forward pass.
var references = map[string]refFunc{}

// refForward computes a model's values before the output activation for n
// samples, layer by layer with the references.
func refForward(t *testing.T, m *Model, x []float64, n int, train bool) []float64 {
	t.Helper()
	x = append([]float64(nil), x...)
	shape := m.spec.Input
	out := m.spec.outputIndex()
	for i, l := range m.layers {
		s := l.spec()
		if i == out {
			s.Activation = Linear
		}
		ref, ok := references[s.Type]
		if !ok {
			t.Fatalf("no reference forward pass for layer type %q", s.Type)
		}
		c := refContext{l: l, s: s, in: shape, train: train}
		if train {
			c.noise = fixedNoise(n * tensor.Shape(l.outShape()).TotalSize())
		}
		x = ref(c, x, n)
		shape = l.outShape()
	}
	return x
}

func refActivate(act string, v float64) float64 {
	switch act {
	case Sigmoid:
		return 1 / (1 + math.Exp(-v))
	case Tanh:
		return math.Tanh(v)
	case ReLU:
		return math.Max(0, v)
	case LeakyReLU:
		if v < 0 {
			return LeakySlope * v
		}
		return v
	}
	return v
}

// layerCase is a small model that exercises a layer type.
type layerCase struct {
	name   string
	input  []int
	layers []LayerSpec
	loss   Loss
}

func (c layerCase) spec() Spec {
	return Spec{Name: "check", Input: c.input, Layers: c.layers, Loss: c.loss}
}

// perturb moves a model's parameters off their initial values, so that
// biases and batch normalization's statistics matter.
func perturb(m *Model, rng *rand.Rand) {
	for _, p := range m.Params() {
		v := p.Float64s()
		for i := range v {
			switch {
			case strings.HasSuffix(p.Name, "variance") || strings.HasSuffix(p.Name, "/std"):
				v[i] = 0.5 + rng.Float64()
			default:
				v[i] += 0.2 * (2*rng.Float64() - 1)
			}
		}
		p.SetFloat64s(v)
	}
}

func randomValues(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 2*rng.Float64() - 1
	}
	return v
}

// checkLayer runs every check on the model of c.
func checkLayer(t *testing.T, c layerCase) {
	t.Helper()
	t.Run(c.name, func(t *testing.T) {
		checkReference(t, c)
		for _, train := range []bool{false, true} {
			checkGradients(t, c.spec(), train)
			checkGorgoniaPath(t, c, train)
		}
		checkRoundTrip(t, c)
		checkSummaryRows(t, c)
	})
}

// hasDropout says whether a spec drops values while training.
func hasDropout(s Spec) bool {
	for _, l := range s.Layers {
		if l.Type == LayerDropout && l.Rate > 0 {
			return true
		}
	}
	return false
}

// checkReference compares the graphs' outputs with the reference, in both
// precisions and for inference (Logits, several batch sizes) and training
// graphs (without dropout, whose masks are random).
func checkReference(t *testing.T, c layerCase) {
	t.Helper()
	for _, f64 := range []bool{false, true} {
		opts := []Option{WithSeed(3)}
		tol := 1e-4
		if f64 {
			opts, tol = append(opts, WithFloat64()), 1e-6 // Logits returns float32
		}
		m, err := New(c.spec(), opts...)
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		rng := rand.New(rand.NewPCG(5, 6))
		perturb(m, rng)
		dim, units := m.InputDim(), m.spec.Units()
		for _, n := range []int{1, 3, m.inferBatch() + 2} {
			x64 := randomValues(rng, n*dim)
			x := make([]float32, len(x64))
			for i, v := range x64 {
				x[i] = float32(v)
				x64[i] = float64(x[i])
			}
			got, err := m.Logits(x)
			if err != nil {
				t.Fatal(err)
			}
			want := refForward(t, m, x64, n, false)
			compare(t, "Logits", f64, n, got, want, tol)
			if n > 3 || hasDropout(c.spec()) {
				continue
			}
			g := G.NewGraph()
			net, err := m.Forward(g, n, true)
			if err != nil {
				t.Fatal(err)
			}
			if err := G.Let(net.X, denseOf(m.dt, net.X.Shape(), x64)); err != nil {
				t.Fatal(err)
			}
			bindNoise(t, net)
			if err := G.NewTapeMachine(g).RunAll(); err != nil {
				t.Fatal(err)
			}
			out := make([]float32, n*units)
			copyValues(out, net.Out.Value())
			compare(t, "training graph", f64, n, out, refForward(t, m, x64, n, true), tol)
		}
	}
}

func compare(t *testing.T, what string, f64 bool, n int, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s (float64 %v), %d samples: %d values; the reference has %d", what, f64, n, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(float64(got[i]) - want[i]); !(d <= tol*math.Max(1, math.Abs(want[i]))) {
			t.Fatalf("%s (float64 %v), %d samples: value %d = %v; the reference gives %v", what, f64, n, i, got[i], want[i])
		}
	}
}

// denseOf returns a tensor of dtype dt and the given shape holding v.
func denseOf(dt tensor.Dtype, shape tensor.Shape, v []float64) *tensor.Dense {
	if dt == tensor.Float64 {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), v...)))
	}
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f))
}

func copyValues(dst []float32, v G.Value) {
	switch d := v.Data().(type) {
	case []float32:
		copy(dst, d)
	case []float64:
		for i, x := range d {
			dst[i] = float32(x)
		}
	}
}

// checkGradients builds spec in float64, binds random inputs, and checks
// the gradient of Σ out⊙c (c random) with respect to the input and every
// trainable parameter against finite differences.
func checkGradients(t *testing.T, spec Spec, train bool, opts ...Option) {
	t.Helper()
	const batch = 3
	m, err := New(spec, append([]Option{WithFloat64(), WithSeed(7), WithInputGradient()}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	perturb(m, rng)
	g := G.NewGraph()
	net, err := m.Forward(g, batch, train)
	if err != nil {
		t.Fatalf("Forward: %v", err)
	}
	if err := G.Let(net.X, denseOf(tensor.Float64, net.X.Shape(), randomValues(rng, net.X.Shape().TotalSize()))); err != nil {
		t.Fatal(err)
	}
	bindMasks(t, net, rng)
	bindNoise(t, net)
	c := G.NewTensor(g, tensor.Float64, net.Out.Dims(), G.WithShape(net.Out.Shape()...), G.WithName("c"),
		G.WithValue(denseOf(tensor.Float64, net.Out.Shape(), randomValues(rng, net.Out.Shape().TotalSize()))))
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
		t.Errorf("gradient mismatch (train %v): %v", train, r)
	}
}

// bindMasks fills a training graph's dropout masks from rng.
func bindMasks(t *testing.T, net *Net, rng *rand.Rand) {
	t.Helper()
	for _, mk := range net.Masks {
		v := make([]float64, mk.Node.Shape().TotalSize())
		for i := range v {
			v[i] = 1 / (1 - mk.Rate)
			if rng.Float64() < mk.Rate {
				v[i] = 0
			}
		}
		if err := G.Let(mk.Node, denseOf(mk.Node.Dtype(), mk.Node.Shape(), v)); err != nil {
			t.Fatal(err)
		}
	}
}

// fixedNoise returns n values that stand for standard normal draws, the
// same on every call, so that a layer's reference sees the noise its graph
// was given.
func fixedNoise(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 1.3 * math.Sin(1.7*float64(i)+0.3)
	}
	return v
}

// bindNoise fills a graph's noise inputs (a sampling layer's) with
// fixedNoise.
func bindNoise(t *testing.T, net *Net) {
	t.Helper()
	for _, nz := range net.Noise {
		if err := G.Let(nz.Node, denseOf(nz.Node.Dtype(), nz.Node.Shape(), fixedNoise(nz.Node.Shape().TotalSize()))); err != nil {
			t.Fatal(err)
		}
	}
}

// randomTargets returns targets for n samples of a model, encoded as
// Net.Y takes them.
func randomTargets(rng *rand.Rand, spec Spec, n int) []float64 {
	u := spec.Units()
	y := make([]float64, n*u)
	for r := range n {
		row := y[r*u : (r+1)*u]
		switch spec.Loss {
		case CategoricalCrossEntropy:
			row[rng.IntN(u)] = 1
		case BinaryCrossEntropy, PerceptronCriterion:
			for i := range row {
				row[i] = float64(rng.IntN(2))
			}
		default:
			for i := range row {
				row[i] = rng.Float64()
			}
		}
	}
	return y
}

// lossAndGradients runs m's training or inference graph with its loss on
// x and y (and masks from a generator seeded alike) and returns the loss
// and the gradients with respect to the input and every trainable
// parameter.
func lossAndGradients(t *testing.T, m *Model, train bool, x, y []float64, batch int) (float64, [][]float64, []float64) {
	t.Helper()
	g := G.NewGraph()
	net, err := m.Forward(g, batch, train)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.AddLoss(net); err != nil {
		t.Fatal(err)
	}
	if err := G.Let(net.X, denseOf(tensor.Float64, net.X.Shape(), x)); err != nil {
		t.Fatal(err)
	}
	if err := G.Let(net.Y, denseOf(tensor.Float64, net.Y.Shape(), y)); err != nil {
		t.Fatal(err)
	}
	bindMasks(t, net, rand.New(rand.NewPCG(8, 8)))
	bindNoise(t, net)
	wrt := G.Nodes{net.X}
	for i, p := range m.Params() {
		if p.Trainable {
			wrt = append(wrt, net.Params[i])
		}
	}
	grads, err := G.Grad(net.Loss, wrt...)
	if err != nil {
		t.Fatal(err)
	}
	if err := G.NewTapeMachine(g).RunAll(); err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, len(grads))
	for i, gr := range grads {
		out[i] = append([]float64(nil), gr.Value().Data().([]float64)...)
	}
	return net.Loss.Value().Data().(float64), out, append([]float64(nil), net.Out.Value().Data().([]float64)...)
}

// checkGorgoniaPath checks that the fused ops and Gorgonia's own compute
// the same loss and gradients, to 1e-6, in float64.
func checkGorgoniaPath(t *testing.T, c layerCase, train bool) {
	t.Helper()
	checkGorgoniaSpec(t, c.spec(), train)
}

// checkGorgoniaSpec is checkGorgoniaPath on the model of spec.
func checkGorgoniaSpec(t *testing.T, spec Spec, train bool) {
	t.Helper()
	const batch = 4
	fused, err := New(spec, WithFloat64(), WithSeed(9), WithInputGradient())
	if err != nil {
		t.Fatal(err)
	}
	perturb(fused, rand.New(rand.NewPCG(4, 4)))
	ref, err := New(spec, WithFloat64(), WithSeed(9), WithInputGradient(), WithGorgoniaOps())
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range fused.Params() {
		ref.Params()[i].SetFloat64s(p.Float64s())
	}
	rng := rand.New(rand.NewPCG(2, 3))
	x := randomValues(rng, batch*fused.InputDim())
	y := randomTargets(rng, fused.spec, batch)
	lf, gf, of := lossAndGradients(t, fused, train, x, y, batch)
	lg, gg, og := lossAndGradients(t, ref, train, x, y, batch)
	if math.Abs(lf-lg) > 1e-6*math.Max(1, math.Abs(lg)) {
		t.Errorf("train %v: loss %v with the fused ops, %v with Gorgonia's", train, lf, lg)
	}
	// After the run, Net.Out still holds the outputs on both paths (the
	// trainer reads them for its metrics).
	for i := range of {
		if math.Abs(of[i]-og[i]) > 1e-6*math.Max(1, math.Abs(og[i])) {
			t.Errorf("train %v: output %d after the run is %v with the fused ops, %v with Gorgonia's", train, i, of[i], og[i])
			break
		}
	}
	names := []string{"x"}
	for _, p := range fused.Params() {
		if p.Trainable {
			names = append(names, p.Name)
		}
	}
	for i := range gf {
		for j := range gf[i] {
			if d := math.Abs(gf[i][j] - gg[i][j]); d > 1e-6*math.Max(1, math.Abs(gg[i][j])) {
				t.Errorf("train %v: gradient of %s[%d] = %v with the fused ops, %v with Gorgonia's", train, names[i], j, gf[i][j], gg[i][j])
				break
			}
		}
	}
}

// checkRoundTrip saves a model, reads it back and checks it is the same
// model: spec, parameters and predictions, to the bit.
func checkRoundTrip(t *testing.T, c layerCase) {
	t.Helper()
	m, err := New(c.spec(), WithSeed(11))
	if err != nil {
		t.Fatal(err)
	}
	perturb(m, rand.New(rand.NewPCG(6, 6)))
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if !reflect.DeepEqual(got.Spec(), m.Spec()) {
		t.Errorf("spec after a round trip:\n%+v\nwant\n%+v", got.Spec(), m.Spec())
	}
	for i, p := range m.Params() {
		if !reflect.DeepEqual(got.Params()[i].Float64s(), p.Float64s()) {
			t.Errorf("parameter %s differs after a round trip", p.Name)
		}
	}
	x := make([]float32, 2*m.InputDim())
	for i := range x {
		x[i] = float32(i%5) - 2
	}
	a, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	b, err := got.Predict(x)
	if err != nil || !reflect.DeepEqual(a, b) {
		t.Errorf("the read model predicts %v (%v); the original %v", b, err, a)
	}
}

// checkSummaryRows checks that Summary lists every layer with its Keras
// class name and output shape.
func checkSummaryRows(t *testing.T, c layerCase) {
	t.Helper()
	m, err := New(c.spec())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Summary(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\n")
	for _, l := range m.layers {
		s := l.spec()
		found := false
		for _, line := range lines {
			if strings.HasPrefix(line, " "+s.Name+" ("+layerTitle(s.Type)) && strings.Contains(line, shapeString(l.outShape())) {
				found = true
			}
		}
		if !found {
			t.Errorf("Summary has no row for %s (%s, output %s):\n%s", s.Name, layerTitle(s.Type), shapeString(l.outShape()), buf.String())
		}
	}
}

// Every registered layer type has a reference, and a test case.
func TestEveryLayerTypeIsChecked(t *testing.T) {
	for typ := range layerTypes {
		if references[typ] == nil {
			t.Errorf("layer type %q has no reference forward pass in its test file", typ)
		}
	}
}
