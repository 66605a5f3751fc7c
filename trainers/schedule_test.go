package trainers

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
)

// scheduledRun trains a linear model by full-batch gradient descent on one
// sample (x = 1, y = 0: loss (w+b)², both gradients 2(w+b)) and checks that
// every epoch's update used rate(e): w ← w − η_e·2(w+b). It returns the
// history.
func scheduledRun(t *testing.T, epochs int, schedule Callback, rate func(e int) float64) *History {
	t.Helper()
	d := &datasets.Dataset{Name: "one", X: []float32{1}, Y: []float32{0}, Shape: []int{1}}
	m := mustModel(t)(models.NewLinearRegression(1, 1, models.WithSeed(2)))
	var w, b float64
	check := &epochHooks{
		begin: func(s *State) error {
			w, b = s.Model.Params()[0].Float64s()[0], s.Model.Params()[1].Float64s()[0]
			return nil
		},
		end: func(s *State) error {
			want := w - rate(s.Epoch)*2*(w+b)
			if got := s.Model.Params()[0].Float64s()[0]; math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
				t.Errorf("epoch %d: w = %v; a step at rate %v gives %v", s.Epoch, got, rate(s.Epoch), want)
			}
			return nil
		},
	}
	h := fit(t, m, d, Config{Optimizer: GD{LearningRate: 0.1}, Epochs: epochs, Callbacks: []Callback{schedule, check}})
	for i, got := range h.Values(LearningRateName) {
		if want := rate(i + 1); math.Abs(got-want) > 1e-15 {
			t.Errorf("epoch %d: learning_rate %v in the history; the formula gives %v", i+1, got, want)
		}
	}
	return h
}

type epochHooks struct {
	NopCallback
	begin, end func(*State) error
}

func (h *epochHooks) OnEpochBegin(s *State) error { return h.begin(s) }
func (h *epochHooks) OnEpochEnd(s *State) error   { return h.end(s) }

// StepDecay follows PyTorch's StepLR: η·γ^⌊(e−1)/step⌋.
func TestStepDecay(t *testing.T) {
	scheduledRun(t, 7, &StepDecay{Every: 3, Factor: 0.5}, func(e int) float64 {
		return 0.1 * []float64{1, 1, 1, 0.5, 0.5, 0.5, 0.25}[e-1]
	})
	if err := (&StepDecay{}).OnTrainBegin(&State{}); err == nil {
		t.Error("StepDecay with Every 0: no error")
	}
}

// CosineDecay follows PyTorch's CosineAnnealingLR with T_max = epochs:
// η_min + (η−η_min)(1+cos(π(e−1)/E))/2.
func TestCosineDecay(t *testing.T) {
	const epochs = 6
	h := scheduledRun(t, epochs, &CosineDecay{MinRate: 0.01}, func(e int) float64 {
		return 0.01 + (0.1-0.01)*(1+math.Cos(math.Pi*float64(e-1)/epochs))/2
	})
	if lr := h.Values(LearningRateName); lr[0] != 0.1 || !(lr[epochs-1] > 0.01 && lr[epochs-1] < 0.02) {
		t.Errorf("rates %v: want 0.1 first and just above 0.01 last", lr)
	}
	// Known values: half way through, the mean of the two rates.
	if got := (&CosineDecay{}).Rate(3, 4, 1); math.Abs(got-0.5) > 1e-15 {
		t.Errorf("Rate(3 of 4) = %v; want 0.5", got)
	}
}

// ReduceLROnPlateau follows Keras' rules, worked through by hand for
// patience 2, factor 0.5, cooldown 1, min_lr 0.02 and the default
// min_delta 1e-4: the rate of each epoch, and Keras' messages.
func TestReduceLROnPlateau(t *testing.T) {
	var out bytes.Buffer
	r := &ReduceLROnPlateau{Patience: 2, Factor: 0.5, Cooldown: 1, MinRate: 0.02, Verbose: &out}
	s := &State{ValSize: 10, LearningRate: 0.1}
	if err := r.OnTrainBegin(s); err != nil {
		t.Fatal(err)
	}
	losses := []float64{1, 0.9, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.79995}
	// Epochs 1-2 improve; 3 waits 1; 4 waits 2: 0.1 → 0.05, cooldown 1;
	// 5 ends the cooldown and, as Keras counts, waits 1; 6 improves; 7-8:
	// 0.05 → 0.025; 9 waits 1; 10: 0.0125, held at the minimum 0.02; 11-12
	// wait with the rate at its minimum; 13 improves by less than min_delta,
	// which is no improvement.
	wantRates := []float64{0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02, 0.02}
	for i, l := range losses {
		s.Epoch, s.Logs = i+1, map[string]float64{"val_loss": l}
		if s.LearningRate != wantRates[i] {
			t.Errorf("epoch %d trains at %v; want %v", i+1, s.LearningRate, wantRates[i])
		}
		if err := r.OnEpochEnd(s); err != nil {
			t.Fatal(err)
		}
		if s.Logs[LearningRateName] != wantRates[i] {
			t.Errorf("epoch %d: learning_rate %v in the logs; want %v", i+1, s.Logs[LearningRateName], wantRates[i])
		}
	}
	want := "Epoch 4: ReduceLROnPlateau reducing learning rate to 0.05.\n" +
		"Epoch 8: ReduceLROnPlateau reducing learning rate to 0.025.\n" +
		"Epoch 10: ReduceLROnPlateau reducing learning rate to 0.02.\n"
	if out.String() != want {
		t.Errorf("messages:\n%s\nwant:\n%s", out.String(), want)
	}
	for _, bad := range []*ReduceLROnPlateau{{Factor: 1}, {Factor: -0.5}, {Cooldown: -1}, {MinRate: -1}, {Monitor: "val_loss"}} {
		if err := bad.OnTrainBegin(&State{}); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// Through Fit, on a plateau the rate falls and the updates use it.
func TestReduceLROnPlateauInFit(t *testing.T) {
	d, _ := datasets.Linear(100, 1, 0.5, 3)
	m := mustModel(t)(models.NewLinearRegression(1, 1, models.WithSeed(1)))
	var out bytes.Buffer
	h := fit(t, m, d, Config{Optimizer: GD{LearningRate: 0.5}, Epochs: 60, ValidationSplit: 0.2, Seed: 1,
		Callbacks: []Callback{&ReduceLROnPlateau{Patience: 3, Factor: 0.5, MinDelta: 1e-3, Verbose: &out}}})
	lr := h.Values(LearningRateName)
	if lr[0] != 0.5 || lr[len(lr)-1] >= 0.5 || !strings.Contains(out.String(), "ReduceLROnPlateau reducing learning rate to 0.25.") {
		t.Errorf("rates %v, messages %q: want a reduction from 0.5", lr, out.String())
	}
	for i := 1; i < len(lr); i++ {
		if lr[i] > lr[i-1] {
			t.Fatalf("the rate rose at epoch %d: %v", i+1, lr)
		}
	}
}
