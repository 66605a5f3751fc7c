package models

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The zoo's generative models have the architectures of the course (and
// the parameter counts of Keras' examples).
func TestGenerativeZoo(t *testing.T) {
	build := func(f func() (*Model, error)) *Model {
		t.Helper()
		m, err := f()
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, tt := range []struct {
		m      *Model
		params int
		latent []int
		sum    bool
	}{
		{build(func() (*Model, error) { return NewAutoencoder([]int{784}, nil) }), 209_968, []int{32}, false},
		{build(func() (*Model, error) { return NewAutoencoder([]int{1, 28, 28}, []int{64, 16}) }), 784*64 + 64 + 64*16 + 16 + 16*64 + 64 + 64*784 + 784, []int{16}, false},
		// Keras' "Convolutional autoencoder" example: 28,353 parameters.
		{build(func() (*Model, error) { return NewConvAutoencoder([]int{1, 28, 28}) }), 28_353, []int{32, 7, 7}, false},
		{build(func() (*Model, error) { return NewVAE([]int{784}, 0, 0) }), 807_700, []int{2}, true},
		// Keras' "Variational AutoEncoder" example: 69,076 in the encoder
		// and 65,089 in the decoder.
		{build(func() (*Model, error) { return NewConvVAE([]int{1, 28, 28}, 0) }), 69_076 + 65_089, []int{2}, true},
	} {
		s := tt.m.Spec()
		if n, _ := tt.m.ParamCount(); n != tt.params {
			t.Errorf("%s: %d parameters; want %d", s.Name, n, tt.params)
		}
		if s.Task() != Reconstruction || !slices.Equal(tt.m.OutputShape(), s.Input) {
			t.Errorf("%s: task %s, output %v for input %v; want a reconstruction of the input", s.Name, s.Task(), tt.m.OutputShape(), s.Input)
		}
		if !slices.Equal(tt.m.LatentShape(), tt.latent) {
			t.Errorf("%s: latent shape %v; want %v", s.Name, tt.m.LatentShape(), tt.latent)
		}
		if (s.LossReduction == ReduceSum) != tt.sum || s.Loss != BinaryCrossEntropy || s.OutputActivation() != Sigmoid {
			t.Errorf("%s: loss %s reduced by %q, output %s", s.Name, s.Loss, s.LossReduction, s.OutputActivation())
		}
		if tt.m.HasSampling() != tt.sum {
			t.Errorf("%s: HasSampling %v", s.Name, tt.m.HasSampling())
		}
		x := make([]float32, 3*tt.m.InputDim())
		for i := range x {
			x[i] = float32(i%7) / 7
		}
		z, err := tt.m.Encode(x)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := tt.m.Decode(z)
		if err != nil {
			t.Fatal(err)
		}
		pred, err := tt.m.Predict(x)
		if err != nil {
			t.Fatal(err)
		}
		if len(z) != 3*tt.m.LatentDim() || !slices.Equal(rec, pred) {
			t.Errorf("%s: %d code values for 3 samples; Decode(Encode(x)) = Predict(x): %v", s.Name, len(z), slices.Equal(rec, pred))
		}
	}
	for _, bad := range []func() (*Model, error){
		func() (*Model, error) { return NewConvAutoencoder([]int{784}) },
		func() (*Model, error) { return NewConvVAE([]int{1, 30, 30}, 2) },
		func() (*Model, error) { return NewAutoencoder([]int{784}, []int{}) },
		func() (*Model, error) { return NewVAE([]int{784}, -1, 2) },
	} {
		if _, err := bad(); err == nil {
			t.Error("a generative model of a bad shape or size: no error")
		}
	}
}

// An autoencoder's and a VAE's gradients and loss agree on both paths,
// with their targets and reductions.
func TestGenerativeGradients(t *testing.T) {
	for _, spec := range []Spec{
		{Name: "ae", Input: []int{5}, Layers: []LayerSpec{Dense(3, ReLU).WithName("code"), Dense(5, Sigmoid)},
			Loss: BinaryCrossEntropy, Target: TargetInput, Latent: "code"},
		{Name: "ae-mse-sum", Input: []int{1, 2, 3}, Layers: []LayerSpec{Flatten(), Dense(2, Tanh).WithName("code"), Dense(6, Linear), Reshape(1, 2, 3)},
			LossReduction: ReduceSum, Target: TargetInput, Latent: "code"},
		vaeSpec(),
	} {
		for _, train := range []bool{false, true} {
			checkGradients(t, spec, train)
			checkGorgoniaSpec(t, spec, train)
		}
	}
}

// A per-sample sum is the mean times the number of values, in the graph
// and in SampleLosses; and a model that reconstructs takes its input as
// the targets.
func TestLossReductionSum(t *testing.T) {
	spec := Spec{Name: "ae", Input: []int{4}, Layers: []LayerSpec{Dense(2, Tanh).WithName("code"), Dense(4, Sigmoid)},
		Loss: BinaryCrossEntropy, Target: TargetInput, Latent: "code"}
	mean, err := New(spec, WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	spec.LossReduction = ReduceSum
	sum, err := New(spec, WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	x := []float32{0.1, 0.9, 0.5, 0, 1, 1, 0.2, 0.3}
	logits, err := mean.Logits(x)
	if err != nil {
		t.Fatal(err)
	}
	lm, err := SampleLosses(mean.Spec(), logits, x)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := SampleLosses(sum.Spec(), logits, x)
	if err != nil {
		t.Fatal(err)
	}
	for i := range lm {
		if math.Abs(ls[i]-4*lm[i]) > 1e-9 {
			t.Errorf("sample %d: summed loss %v; want 4 × %v", i, ls[i], lm[i])
		}
	}
	if sum.Spec().TargetWidth() != 4 || sum.Spec().NumClasses() != 0 {
		t.Errorf("target width %d, %d classes; want 4 and 0", sum.Spec().TargetWidth(), sum.Spec().NumClasses())
	}
	spec.LossReduction = ReduceMean
	if m, err := New(spec); err != nil || m.Spec().LossReduction != "" {
		t.Errorf("reduction %q: %v, stored as %q; want the default, stored empty", ReduceMean, err, m.Spec().LossReduction)
	}
}

func TestReconstructionSpecErrors(t *testing.T) {
	layers := []LayerSpec{Dense(2, ReLU).WithName("code"), Dense(4, Sigmoid)}
	for _, tt := range []struct {
		name string
		spec Spec
		want string
	}{
		{"output too small", Spec{Input: []int{5}, Layers: layers, Target: TargetInput}, "as many values as it takes, 5"},
		{"softmax", Spec{Input: []int{4}, Layers: []LayerSpec{Dense(4, Softmax)}, Target: TargetInput}, "compares values"},
		{"unknown target", Spec{Input: []int{4}, Layers: layers, Target: "labels"}, `target "labels"`},
		{"classes", Spec{Input: []int{4}, Layers: layers, Target: TargetInput, Classes: []string{"a", "b"}}, "no classes"},
		{"reduction", Spec{Input: []int{4}, Layers: layers, LossReduction: "max"}, `loss reduction "max"`},
		{"latent unknown", Spec{Input: []int{4}, Layers: layers, Latent: "bottleneck"}, `"bottleneck" is not one of`},
		{"latent last", Spec{Input: []int{4}, Layers: layers, Latent: "dense_1"}, "is the last layer"},
	} {
		_, err := New(tt.spec)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: New error %v; want one containing %q", tt.name, err, tt.want)
		}
	}
	m, _ := New(Spec{Input: []int{4}, Layers: layers})
	if _, err := m.Encode([]float32{1, 2, 3, 4}); err == nil || !strings.Contains(err.Error(), "no latent layer") {
		t.Errorf("Encode without a latent layer: %v", err)
	}
	if _, err := m.Decode([]float32{1, 2}); err == nil {
		t.Error("Decode without a latent layer: no error")
	}
}

// A generative model's file is version 4, which a build that knows only
// version 3 would refuse; an older version claiming generative settings
// is corrupt.
func TestGenerativeFileVersion(t *testing.T) {
	m, err := NewVAE([]int{6}, 4, 2, WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	perturb(m, rand.New(rand.NewPCG(1, 1)))
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if got.Spec().Target != TargetInput || got.Spec().LossReduction != ReduceSum || got.Spec().Latent != "z" {
		t.Errorf("read back: target %q, reduction %q, latent %q", got.Spec().Target, got.Spec().LossReduction, got.Spec().Latent)
	}
	if !strings.Contains(buf.String(), `"version": 4`) {
		t.Error("a VAE's manifest is not version 4")
	}
	old := rezip(t, buf.Bytes(), func(name string, data []byte) []byte {
		if name == manifestName {
			return bytes.Replace(data, []byte(`"version": 4`), []byte(`"version": 3`), 1)
		}
		return data
	}, nil)
	if _, err := Read(bytes.NewReader(old), int64(len(old))); err == nil || !strings.Contains(err.Error(), "version 3 file cannot hold") {
		t.Errorf("a version 3 file with a sampling layer: %v", err)
	}
	mlp, _ := NewMLP(3, nil, RegressionOutput(1))
	if v := mlp.Spec().fileVersion(); v != 2 {
		t.Errorf("an MLP's file version is %d; want 2, as before", v)
	}
}
