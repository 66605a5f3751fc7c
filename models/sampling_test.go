package models

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/internal/gradcheck"
	"github.com/dlgo/dlgo/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The sampling layer outputs μ + exp(½·log σ²)·ε in training graphs, and μ
// at inference (no noise).
func init() {
	references[LayerSampling] = func(c refContext, x []float64, n int) []float64 {
		l := c.in[0] / 2
		out := make([]float64, n*l)
		for r := range n {
			for j := range l {
				mu, lv := x[r*2*l+j], x[r*2*l+l+j]
				out[r*l+j] = mu
				if c.noise != nil {
					out[r*l+j] += math.Exp(lv/2) * c.noise[r*l+j]
				}
			}
		}
		return out
	}
}

func TestSamplingLayer(t *testing.T) {
	for _, c := range []layerCase{
		{"a small vae", []int{6}, []LayerSpec{Dense(5, Tanh), Dense(4, Linear), Sampling(), Dense(3, ReLU), Dense(6, Sigmoid)}, ""},
		{"statistics straight from the input", []int{4}, []LayerSpec{Sampling(), Dense(2, Linear)}, ""},
		{"a convolutional vae", []int{1, 4, 4}, []LayerSpec{
			Conv2D(2, 3, ReLU).WithStride(2).WithPadding(Same), Flatten(), Dense(2, Linear), Sampling(),
			Dense(8, ReLU), Reshape(2, 2, 2), Conv2DTranspose(1, 3, 2, Sigmoid).WithPadding(Same)}, ""},
	} {
		checkLayer(t, c)
	}
}

// vaeSpec is a small variational autoencoder: 6 values through a latent
// space of 2, the loss summed over the values.
func vaeSpec() Spec {
	return Spec{Name: "vae", Input: []int{6}, Layers: []LayerSpec{Dense(5, Tanh), Dense(4, Linear), Sampling(),
		Dense(3, ReLU), Dense(6, Sigmoid)}, Loss: BinaryCrossEntropy, LossReduction: ReduceSum, Target: TargetInput}
}

// The gradient of the whole loss, reconstruction and KL term, through the
// reparameterisation, agrees with finite differences with the noise held
// fixed, on dlgo's fused ops and on Gorgonia's.
func TestSamplingLossGradients(t *testing.T) {
	for _, gorgonia := range []bool{false, true} {
		opts := []Option{WithFloat64(), WithSeed(2), WithInputGradient()}
		if gorgonia {
			opts = append(opts, WithGorgoniaOps())
		}
		m, err := New(vaeSpec(), opts...)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(3, 4))
		perturb(m, rng)
		const batch = 3
		g := G.NewGraph()
		net, err := m.Forward(g, batch, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.AddLoss(net); err != nil {
			t.Fatal(err)
		}
		x := make([]float64, batch*6)
		for i := range x {
			x[i] = rng.Float64()
		}
		G.Let(net.X, denseOf(tensor.Float64, net.X.Shape(), x))
		G.Let(net.Y, denseOf(tensor.Float64, net.Y.Shape(), x))
		noise := make([]float64, batch*2)
		for i := range noise {
			noise[i] = rng.NormFloat64()
		}
		if len(net.Noise) != 1 {
			t.Fatalf("%d noise inputs; want 1", len(net.Noise))
		}
		G.Let(net.Noise[0].Node, denseOf(tensor.Float64, net.Noise[0].Node.Shape(), noise))
		wrt := G.Nodes{net.X}
		for i, p := range m.Params() {
			if p.Trainable {
				wrt = append(wrt, net.Params[i])
			}
		}
		r, err := gradcheck.Check(g, net.Loss, wrt, 1e-6)
		if err != nil {
			t.Fatal(err)
		}
		if r.MaxRel > 1e-6 {
			t.Errorf("gorgonia %v: gradient of the loss with its KL term: %v", gorgonia, r)
		}
	}
}

// The KL term is the closed form -½·Σ(1 + log σ² - μ² - σ²) averaged over
// the batch, the data loss is the per-sample sum of binary
// cross-entropies, and the loss is their sum; all three can be read after
// a run, on both paths.
func TestSamplingKLTerm(t *testing.T) {
	spec := Spec{Name: "kl", Input: []int{4}, Layers: []LayerSpec{Sampling(), Dense(4, Sigmoid)},
		Loss: BinaryCrossEntropy, LossReduction: ReduceSum, Target: TargetInput}
	x := []float32{0.5, -1, 0.3, -0.2, 0, 0, 0, 0, 2, 1, -1.5, 0.7}
	const batch = 3
	var wantKL float64
	for r := range batch {
		row := x[r*4 : (r+1)*4]
		mu, lv := row[:2], row[2:]
		var s float64
		for j := range 2 {
			m, v := float64(mu[j]), float64(lv[j])
			s += 1 + v - m*m - math.Exp(v)
		}
		wantKL += -s / 2 / batch
	}
	for _, gorgonia := range []bool{false, true} {
		opts := []Option{WithSeed(1)}
		if gorgonia {
			opts = append(opts, WithGorgoniaOps())
		}
		m, err := New(spec, opts...)
		if err != nil {
			t.Fatal(err)
		}
		g := G.NewGraph()
		net, err := m.Forward(g, batch, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.AddLoss(net); err != nil {
			t.Fatal(err)
		}
		if len(net.Terms) != 1 || net.Terms[0].Name != KLTermName {
			t.Fatalf("terms %v; want one named %q", net.Terms, KLTermName)
		}
		if _, err := G.Grad(net.Loss, net.Params...); err != nil {
			t.Fatal(err)
		}
		G.Let(net.X, tensor.New(tensor.WithShape(batch, 4), tensor.WithBacking(slices.Clone(x))))
		y := make([]float32, batch*4)
		for i := range y {
			y[i] = float32(i%3) / 2
		}
		G.Let(net.Y, tensor.New(tensor.WithShape(batch, 4), tensor.WithBacking(y)))
		G.Let(net.Noise[0].Node, tensor.New(tensor.WithShape(batch, 2), tensor.WithBacking(make([]float32, batch*2))))
		if err := G.NewTapeMachine(g).RunAll(); err != nil {
			t.Fatal(err)
		}
		kl := float64(net.Terms[0].Node.Value().Data().(float32))
		data := float64(net.DataLoss.Value().Data().(float32))
		total := float64(net.Loss.Value().Data().(float32))
		if math.Abs(kl-wantKL) > 1e-5*math.Abs(wantKL) {
			t.Errorf("gorgonia %v: KL term %v; the closed form gives %v", gorgonia, kl, wantKL)
		}
		// With no noise z = μ; the data loss is that of the outputs.
		out := make([]float32, batch*4)
		copyValues(out, net.Out.Value())
		o := ops.Objective{Loss: ops.BinaryCrossEntropy, Output: ops.OutSigmoid, Sum: true}
		var wantData float64
		for r := range batch {
			wantData += o.SampleLoss(out[r*4:(r+1)*4], y[r*4:(r+1)*4]) / batch
		}
		if math.Abs(data-wantData) > 1e-5*wantData {
			t.Errorf("gorgonia %v: data loss %v; the summed cross-entropies give %v", gorgonia, data, wantData)
		}
		if math.Abs(total-(data+kl)) > 1e-5*math.Abs(total) {
			t.Errorf("gorgonia %v: loss %v; want data loss + KL = %v", gorgonia, total, data+kl)
		}
	}
}

// At inference a sampling layer outputs the means: Encode gives them, and
// Predict decodes them.
func TestSamplingAtInference(t *testing.T) {
	m, err := New(Spec{Name: "vae", Input: []int{4}, Layers: []LayerSpec{Sampling().WithName("z"), Dense(4, Sigmoid)},
		Loss: BinaryCrossEntropy, Target: TargetInput}, WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	x := []float32{0.5, -1, 30, -20, 0.25, 0.75, 100, 100}
	z, err := m.Encode(x)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{0.5, -1, 0.25, 0.75}; !slices.Equal(z, want) {
		t.Errorf("Encode = %v; want the means %v", z, want)
	}
	dec, err := m.Decode(z)
	if err != nil {
		t.Fatal(err)
	}
	pred, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(dec, pred) {
		t.Errorf("Decode(Encode(x)) = %v; Predict(x) = %v", dec, pred)
	}
	if m.Spec().Latent != "z" || !slices.Equal(m.LatentShape(), []int{2}) || m.LatentDim() != 2 {
		t.Errorf("latent %q of shape %v (%d values); want \"z\", [2]", m.Spec().Latent, m.LatentShape(), m.LatentDim())
	}
}

func TestSamplingRejects(t *testing.T) {
	for _, tt := range []struct {
		name string
		spec Spec
		want string
	}{
		{"odd input", Spec{Input: []int{3}, Layers: []LayerSpec{Sampling(), Dense(1, Linear)}}, "2·L values"},
		{"images", Spec{Input: []int{1, 2, 2}, Layers: []LayerSpec{Sampling(), Dense(1, Linear)}}, "2·L values"},
		{"a setting", Spec{Input: []int{4}, Layers: []LayerSpec{{Type: LayerSampling, Units: 2}, Dense(1, Linear)}}, "no \"units\" setting"},
		{"last layer", Spec{Input: []int{4}, Layers: []LayerSpec{Dense(4, Linear), Sampling()}}, "last layer"},
	} {
		_, err := New(tt.spec)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: New error %v; want one containing %q", tt.name, err, tt.want)
		}
	}
}

// Generate decodes seeded draws of the prior: the same for a seed,
// different for another.
func TestGenerate(t *testing.T) {
	m, err := New(vaeSpec(), WithSeed(4))
	if err != nil {
		t.Fatal(err)
	}
	a, err := m.Generate(5, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := m.Generate(5, 1)
	c, _ := m.Generate(5, 2)
	if len(a) != 5*6 || !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Errorf("Generate(5, 1) twice and Generate(5, 2): %d values, equal %v, differ %v; want 30, true, true",
			len(a), slices.Equal(a, b), !slices.Equal(a, c))
	}
	for _, v := range a {
		if !(v > 0 && v < 1) {
			t.Fatalf("generated value %v is not a sigmoid output", v)
		}
	}
	ae, err := New(Spec{Input: []int{4}, Layers: []LayerSpec{Dense(2, ReLU).WithName("code"), Dense(4, Sigmoid)},
		Target: TargetInput, Latent: "code"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ae.Generate(2, 1); err == nil || !strings.Contains(err.Error(), "variational") {
		t.Errorf("Generate on an autoencoder: %v; want an error naming variational autoencoders", err)
	}
	if _, err := m.Generate(0, 1); err == nil {
		t.Error("Generate(0): no error")
	}
}

func TestLossTerms(t *testing.T) {
	m, err := New(Spec{Input: []int{8}, Layers: []LayerSpec{Sampling(), Dense(4, Linear), Sampling().WithName("second"), Dense(1, Linear)}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Spec().LossTerms(), []string{"kl_loss", "kl_loss_second"}; !slices.Equal(got, want) {
		t.Errorf("LossTerms = %v; want %v", got, want)
	}
	net, err := m.Forward(G.NewGraph(), 2, false)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, term := range net.Terms {
		names = append(names, term.Name)
	}
	if !slices.Equal(names, m.Spec().LossTerms()) || len(net.Noise) != 2 {
		t.Errorf("the graph's terms %v and %d noise inputs; want %v and 2", names, len(net.Noise), m.Spec().LossTerms())
	}
	if got := Sequential([]int{3}, Dense(1, Linear)).LossTerms(); got != nil {
		t.Errorf("LossTerms of an MLP = %v; want none", got)
	}
}
