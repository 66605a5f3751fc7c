package trainers

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/internal/gradcheck"
	"github.com/dlgo/dlgo/models"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestL1PenaltyGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	g := G.NewGraph()
	var ws G.Nodes
	for i, shape := range [][]int{{3, 2}, {4}} {
		v := make([]float64, tensor.Shape(shape).TotalSize())
		for j := range v {
			// Away from 0, where |w| has no derivative.
			v[j] = (0.1 + 0.9*rng.Float64()) * float64(1-2*(j%2))
		}
		ws = append(ws, G.NewTensor(g, tensor.Float64, len(shape), G.WithShape(shape...), G.WithName(string(rune('a'+i))),
			G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v)))))
	}
	pen, err := l1Node(0.3, ws)
	if err != nil {
		t.Fatal(err)
	}
	r, err := gradcheck.Check(g, pen, ws, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	if r.MaxAbs > 1e-8 {
		t.Errorf("L1 gradient mismatch: %v", r)
	}
	if err := G.NewTapeMachine(g).RunAll(); err != nil {
		t.Fatal(err)
	}
	var want float64
	for _, w := range ws {
		for _, v := range w.Value().Data().([]float64) {
			want += math.Abs(v)
		}
	}
	want *= 0.3
	if got := scalarValue(pen.Value()); math.Abs(got-want) > 1e-12 {
		t.Errorf("L1 penalty = %v; want %v", got, want)
	}
}

// l1Norm is Σ|w| over a model's kernels.
func l1Norm(m *models.Model) float64 {
	var s float64
	for _, p := range m.Params() {
		if p.Decay {
			for _, v := range p.Float64s() {
				s += math.Abs(v)
			}
		}
	}
	return s
}

// The reported training loss is the data loss plus λ·Σ|W| over the
// kernels (not the biases); a learning rate too small to move the weights
// makes the two comparable exactly.
func TestL1InTrainingLoss(t *testing.T) {
	d := datasets.Moons(64, 0.2, 1)
	m := mustModel(t)(models.NewMLP(2, []models.Hidden{{Units: 8, Activation: models.Tanh}}, models.BinaryOutput(), models.WithSeed(2), models.WithFloat64()))
	// Biases that are not zero, so that a penalty wrongly including them shows.
	for _, p := range m.Params() {
		if !p.Decay {
			v := p.Float64s()
			for i := range v {
				v[i] = 0.5
			}
			if err := p.SetFloat64s(v); err != nil {
				t.Fatal(err)
			}
		}
	}
	const lambda = 0.01
	data, err := Evaluate(m, d)
	if err != nil {
		t.Fatal(err)
	}
	want := data[LossName] + lambda*l1Norm(m)
	h := fit(t, m, d, Config{Optimizer: SGD{LearningRate: 1e-30}, BatchSize: d.Len(), L1: lambda, NoShuffle: true})
	if got := h.Last()[LossName]; math.Abs(got-want) > 1e-9 {
		t.Errorf("training loss with L1 %v = %v; want data loss %v + penalty %v = %v", lambda, got, data[LossName], lambda*l1Norm(m), want)
	}
}

func TestL1ShrinksWeights(t *testing.T) {
	d := datasets.Moons(100, 0.3, 1)
	norms := map[float64]float64{}
	for _, l1 := range []float64{0, 0.01} {
		m := mustModel(t)(models.NewMLP(2, []models.Hidden{{Units: 32, Activation: models.ReLU}}, models.BinaryOutput(), models.WithSeed(1)))
		fit(t, m, d, Config{Optimizer: Adam{LearningRate: 0.01}, Epochs: 100, L1: l1, Seed: 1})
		norms[l1] = l1Norm(m)
	}
	if norms[0.01] >= 0.7*norms[0] {
		t.Errorf("Σ|w| with L1 0.01: %v; without: %v: want clearly smaller", norms[0.01], norms[0])
	}
}

func TestL1Invalid(t *testing.T) {
	m := mustModel(t)(models.NewLogisticRegression(2, 2))
	for _, l1 := range []float64{-1, math.NaN(), math.Inf(1)} {
		_, err := Fit(context.Background(), m, datasets.Blobs(10, 2, 1, 1), Config{L1: l1})
		if err == nil || !strings.Contains(err.Error(), "L1") {
			t.Errorf("L1 %v: Fit error %v; want one about L1", l1, err)
		}
	}
}
