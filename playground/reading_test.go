package playground

import (
	"strings"
	"testing"
)

// curve builds n+1 epochs of figures from functions of the epoch.
func curve(n int, train, test, acc func(e int) float64) []Figures {
	h := make([]Figures, n+1)
	for e := range h {
		h[e] = Figures{Epoch: e, TrainLoss: train(e), TestLoss: test(e)}
		if acc != nil {
			a, b := acc(e), acc(e)
			h[e].TrainAccuracy, h[e].TestAccuracy = &a, &b
		}
	}
	return h
}

func TestReading(t *testing.T) {
	falling := func(e int) float64 { return 0.7 / (1 + 0.1*float64(e)) }
	constant := func(v float64) func(int) float64 { return func(int) float64 { return v } }
	tests := []struct {
		name           string
		h              []Figures
		classification bool
		variance       float64
		norms          []float64
		activation     string
		want, not      string
	}{
		{"too early", curve(5, falling, falling, constant(0.6)), true, 0, nil, "tanh", "", "Under"},
		{"over-fitting", curve(100, falling, func(e int) float64 {
			if e <= 40 {
				return falling(e) + 0.1
			}
			return falling(40) + 0.1 + 0.005*float64(e-40)
		}, constant(0.8)), true, 0, nil, "tanh", "Over-fitting: since epoch 40", ""},
		{"climbing", curve(60, func(e int) float64 {
			if e <= 30 {
				return 0.5 - 0.01*float64(e)
			}
			return 0.2 + 0.02*float64(e-30)
		}, falling, constant(0.8)), true, 0, nil, "tanh", "climbed from 0.200 at epoch 30", ""},
		{"oscillating", curve(60, func(e int) float64 { return 0.3 + 0.2*float64(e%2) }, falling, constant(0.8)), true, 0, nil, "relu", "jumped up and down", ""},
		{"small jitter at a low loss", curve(60, func(e int) float64 { return 0.011 + 0.002*float64(e%2) }, constant(0.012), constant(0.99)), true, 0, nil, "relu", "A good fit", "too large"},
		{"under-fitting", curve(100, constant(0.6), constant(0.62), constant(0.7)), true, 0, nil, "tanh", "Under-fitting: the training loss has levelled off at 0.600 (training accuracy 70%)", ""},
		{"regression under-fitting", curve(100, constant(0.05), constant(0.05), nil), false, 0.18, nil, "tanh", "28% of the targets' variance", ""},
		{"regression good", curve(100, constant(0.01), constant(0.011), nil), false, 0.18, nil, "tanh", "A good fit", ""},
		{"good", curve(100, constant(0.05), constant(0.06), constant(0.98)), true, 0, nil, "tanh", "A good fit", ""},
		{"still learning", curve(100, falling, falling, constant(0.85)), true, 0, nil, "tanh", "", "Under"},
		{"vanishing", curve(20, falling, falling, constant(0.6)), true, 0, []float64{1e-6, 1e-4, 1e-2, 0.5}, "sigmoid", "Vanishing gradients: the first layer's gradient is 500000 times smaller", ""},
		{"vanishing names sigmoid only for sigmoid", curve(20, falling, falling, constant(0.6)), true, 0, []float64{1e-6, 0.5}, "tanh", "Vanishing", "1/4"},
		{"healthy gradients", curve(20, falling, falling, constant(0.6)), true, 0, []float64{0.1, 0.3, 0.5}, "relu", "", "Vanishing"},
	}
	for _, tt := range tests {
		got := reading(tt.h, tt.classification, tt.variance, tt.norms, tt.activation)
		switch {
		case tt.want == "" && tt.not == "" && got != "":
			t.Errorf("%s: reading %q; want none", tt.name, got)
		case !strings.Contains(got, tt.want):
			t.Errorf("%s: reading %q; want it to contain %q", tt.name, got, tt.want)
		}
		if tt.not != "" && strings.Contains(got, tt.not) {
			t.Errorf("%s: reading %q; want nothing about %q", tt.name, got, tt.not)
		}
	}
}

// On real runs: sigmoid in a deep stack shows vanishing gradients; a
// small network on the spiral under-fits.
func TestReadingOnRuns(t *testing.T) {
	deep := Defaults()
	deep.Activation, deep.Layers = "sigmoid", []int{8, 8, 8, 8, 8, 8}
	s := newSession(t, deep, Options{})
	if _, err := s.Step(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	f, _ := s.latest()
	if !strings.Contains(f.Reading, "Vanishing gradients") {
		t.Errorf("six sigmoid layers: reading %q, gradient norms %v; want vanishing gradients", f.Reading, f.GradientNorms)
	}
	for i := 1; i < len(f.GradientNorms); i++ {
		if f.GradientNorms[i-1] >= f.GradientNorms[i] {
			t.Errorf("six sigmoid layers: gradient norms %v do not grow towards the output", f.GradientNorms)
			break
		}
	}
	spiral := Defaults()
	spiral.Dataset, spiral.Layers = "spiral", []int{2}
	s = newSession(t, spiral, Options{})
	if _, err := s.Step(t.Context(), 120); err != nil {
		t.Fatal(err)
	}
	if f, _ := s.latest(); !strings.Contains(f.Reading, "Under-fitting") {
		t.Errorf("two neurons on the spiral: reading %q; want under-fitting", f.Reading)
	}
}
