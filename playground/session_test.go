package playground

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/trainers"
)

func newSession(t *testing.T, c Config, o Options) *Session {
	t.Helper()
	if err := c.Validate(2000); err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(c, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// paramsOf returns a model's parameter values.
func paramsOf(t *testing.T, s *Session) [][]float64 {
	t.Helper()
	m, err := s.Model(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return valuesOf(m)
}

func valuesOf(m *models.Model) [][]float64 {
	var out [][]float64
	for _, p := range m.Params() {
		out = append(out, p.Float64s())
	}
	return out
}

func sameParams(a, b [][]float64) bool {
	return slices.EqualFunc(a, b, func(x, y []float64) bool { return slices.Equal(x, y) })
}

// testConfigs cover the optimisers with their state, dropout's random
// masks, both penalties, batches that do not divide the training set,
// features and regression.
func testConfigs() map[string]Config {
	xor := Defaults()
	xor.Dataset, xor.Optimizer, xor.LR, xor.Dropout, xor.Batch, xor.Regularization, xor.RegRate = "xor", "adam", 0.01, 0.2, 7, "l1", 0.001
	xor.Layers = []int{5, 3}
	circles := Defaults()
	circles.Regularization, circles.RegRate, circles.Points = "l2", 0.01, 200
	gauss := Defaults()
	gauss.Dataset, gauss.Optimizer, gauss.Features, gauss.Activation = "gaussians", "momentum", []string{"x1", "x2", "sin_x1", "x1_x2"}, "relu"
	gauss.Seed = 42
	return map[string]Config{"xor adam dropout l1": xor, "circles sgd l2": circles, "gaussians momentum features": gauss}
}

// However a session is stepped, played and paused, after N epochs its
// weights and figures are those of one trainers.Fit of N epochs.
func TestSessionMatchesOneFit(t *testing.T) {
	const n = 12
	for name, c := range testConfigs() {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			single := newSession(t, c, Options{})
			for range n {
				if _, err := single.Step(ctx, 1); err != nil {
					t.Fatal(err)
				}
			}
			whole := newSession(t, c, Options{})
			last, err := whole.Step(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			if last.Epoch != n {
				t.Errorf("Step(%d) returned epoch %d", n, last.Epoch)
			}
			played := newSession(t, c, Options{EpochsPerSecond: 200})
			if err := played.Play(); err != nil {
				t.Fatal(err)
			}
			for played.Epoch() < 2 {
				time.Sleep(time.Millisecond)
			}
			e, err := played.Pause(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if e != played.Epoch() {
				t.Errorf("Pause returned epoch %d; then the session was at %d", e, played.Epoch())
			}
			if e < n {
				if _, err := played.Step(ctx, n-e); err != nil {
					t.Fatal(err)
				}
			} else {
				t.Fatalf("played %d epochs before pausing; the test wants fewer than %d", e, n)
			}

			// The reference: one Fit of n epochs.
			d, err := makeData(c)
			if err != nil {
				t.Fatal(err)
			}
			m, err := newModel(c, d)
			if err != nil {
				t.Fatal(err)
			}
			opt, _ := trainers.NewOptimizer(c.Optimizer, c.LR)
			l1, l2 := c.penalties()
			h, err := trainers.Fit(ctx, m, d.train, trainers.Config{Optimizer: opt, Epochs: n, BatchSize: c.Batch,
				L1: l1, L2: l2, Seed: c.Seed, Validation: d.test})
			if err != nil {
				t.Fatal(err)
			}
			want := valuesOf(m)
			for what, s := range map[string]*Session{"single steps": single, "one step": whole, "play, pause, step": played} {
				if got := paramsOf(t, s); !sameParams(got, want) {
					t.Errorf("%s: the weights after %d epochs differ from one Fit's", what, n)
				}
				hist := s.History()
				if len(hist) != n+1 {
					t.Fatalf("%s: %d figures; want %d (epochs 0 to %d)", what, len(hist), n+1, n)
				}
				for i, e := range h.Epochs {
					if got := hist[i+1]; got.Epoch != i+1 || got.TestLoss != e.Logs["val_loss"] {
						t.Errorf("%s: epoch %d test loss %v; Fit's %v", what, i+1, got.TestLoss, e.Logs["val_loss"])
					}
				}
			}
			if !slices.EqualFunc(single.History(), whole.History(), sameFigures) {
				t.Error("single steps and one step: different figures")
			}
		})
	}
}

func sameFigures(a, b Figures) bool {
	acc := func(p *float64) float64 {
		if p == nil {
			return -1
		}
		return *p
	}
	return a.Epoch == b.Epoch && a.TrainLoss == b.TrainLoss && a.TestLoss == b.TestLoss &&
		acc(a.TrainAccuracy) == acc(b.TrainAccuracy) && acc(a.TestAccuracy) == acc(b.TestAccuracy)
}

// The same configuration gives the same run; another seed another one.
func TestSessionSeeded(t *testing.T) {
	c := Defaults()
	a, b := newSession(t, c, Options{}), newSession(t, c, Options{})
	c.Seed = 2
	other := newSession(t, c, Options{})
	for _, s := range []*Session{a, b, other} {
		if _, err := s.Step(context.Background(), 3); err != nil {
			t.Fatal(err)
		}
	}
	if !sameParams(paramsOf(t, a), paramsOf(t, b)) {
		t.Error("the same configuration twice gave different weights")
	}
	if sameParams(paramsOf(t, a), paramsOf(t, other)) {
		t.Error("seeds 1 and 2 gave the same weights")
	}
	if slices.Equal(a.data.train.X, other.data.train.X) {
		t.Error("seeds 1 and 2 gave the same points")
	}
}

func TestSessionStepErrors(t *testing.T) {
	ctx := context.Background()
	s := newSession(t, Defaults(), Options{MaxEpochs: 3})
	for _, n := range []int{0, -1, 10_001} {
		if _, err := s.Step(ctx, n); err == nil {
			t.Errorf("Step(%d): no error", n)
		}
	}
	if err := s.Play(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Step(ctx, 1); !errors.Is(err, ErrPlaying) && !errors.Is(err, ErrFinished) {
		t.Errorf("Step while playing: %v; want ErrPlaying", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.Epoch() < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	// The epoch limit ends training.
	<-s.finished
	if _, err := s.Step(ctx, 1); !errors.Is(err, ErrFinished) || !strings.Contains(err.Error(), "limit of 3 epochs") {
		t.Errorf("Step after the limit: %v; want ErrFinished about the limit", err)
	}
	if err := s.Play(); !errors.Is(err, ErrFinished) {
		t.Errorf("Play after the limit: %v; want ErrFinished", err)
	}
	if got := s.History(); len(got) != 4 {
		t.Errorf("%d figures after the limit of 3 epochs; want 4", len(got))
	}
}

// A learning rate far too large makes the loss diverge: the session ends
// with an error that says so.
func TestSessionDivergence(t *testing.T) {
	c := Defaults()
	c.Dataset, c.LR, c.Activation, c.Layers, c.Features = "plane", 10, "relu", []int{8, 8, 8}, []string{"x1_sq", "x2_sq", "x1_x2"}
	s := newSession(t, c, Options{})
	_, err := s.Step(context.Background(), 100)
	if err == nil || !strings.Contains(err.Error(), "diverged") {
		t.Fatalf("Step with lr 10: %v; want a divergence", err)
	}
	if st := s.status("x"); !st.Done || !strings.Contains(st.Error, "diverged") {
		t.Errorf("status after divergence: done %v, error %q", st.Done, st.Error)
	}
}

// Close during an epoch ends training promptly.
func TestSessionClose(t *testing.T) {
	s := newSession(t, Defaults(), Options{})
	if err := s.Play(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	if _, err := s.Step(context.Background(), 1); !errors.Is(err, ErrFinished) {
		t.Errorf("Step after Close: %v; want ErrFinished", err)
	}
}
