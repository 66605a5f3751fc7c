package trainers

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
)

// resumeRun is a run with everything that has state: dropout, Adam, a
// validation split, early stopping keeping the best weights, a checkpoint,
// a learning rate reduced on plateaus, clipping and class weights.
type resumeRun struct {
	t      *testing.T
	d      *datasets.Dataset
	epochs int
	float  bool
}

func (r resumeRun) model() *models.Model {
	opts := []models.Option{models.WithSeed(3)}
	if r.float {
		opts = append(opts, models.WithFloat64())
	}
	return mustModel(r.t)(models.NewMLP(2, []models.Hidden{{Units: 12, Activation: models.ReLU, Dropout: 0.3}},
		models.MulticlassOutput(3), opts...))
}

func (r resumeRun) config(extra ...Callback) Config {
	cbs := []Callback{
		&ReduceLROnPlateau{Patience: 1, Factor: 0.5},
		&EarlyStopping{Patience: 100, RestoreBest: true},
		&Checkpoint{Keep: KeepBest},
		&StepDecay{Every: 1000},
	}
	return Config{Optimizer: Adam{LearningRate: 0.02}, Epochs: r.epochs, BatchSize: 16, ValidationSplit: 0.25,
		Seed: 9, ClipNorm: 5, ClassWeights: []float64{1, 2, 0.5}, Callbacks: append(cbs, extra...)}
}

// paramBits returns the model's parameters' values.
func paramBits(m Model) [][]float64 {
	var out [][]float64
	for _, p := range m.Params() {
		out = append(out, p.Float64s())
	}
	return out
}

// historyFigures returns the history without the durations.
func historyFigures(h *History) []EpochLog {
	out := make([]EpochLog, len(h.Epochs))
	for i, e := range h.Epochs {
		out[i] = EpochLog{Epoch: e.Epoch, Logs: e.Logs}
	}
	return out
}

// A run interrupted after epoch 2 of 4 and resumed from the state saved
// then, written to a file and read back, ends with the very weights and
// history of the run that was not interrupted.
func TestResumeIsBitIdentical(t *testing.T) {
	for _, float := range []bool{false, true} {
		d := datasets.Blobs(120, 3, 1.5, 4)
		r := resumeRun{t: t, d: d, epochs: 4, float: float}

		whole := r.model()
		hWhole := fit(t, whole, d, r.config())

		// Interrupted through the context at the end of epoch 2.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var saved bytes.Buffer
		part := r.model()
		cfg := r.config(EpochEndFunc(func(s *State) error {
			if s.Epoch == 2 {
				cancel()
			}
			return nil
		}))
		cfg.SaveState = func(ts *TrainState) error {
			saved.Reset()
			return ts.Write(&saved)
		}
		cfg.Info = []byte(`{"who":"test"}`)
		if _, err := Fit(ctx, part, d, cfg); !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted Fit: %v; want a cancellation", err)
		}
		ts, err := ReadTrainState(bytes.NewReader(saved.Bytes()), int64(saved.Len()))
		if err != nil {
			t.Fatal(err)
		}
		if ts.Epoch != 2 || len(ts.History.Epochs) != 2 || string(ts.Info) != `{"who":"test"}` {
			t.Fatalf("saved state: epoch %d, %d epochs of history, info %s; want 2, 2 and the info", ts.Epoch, len(ts.History.Epochs), ts.Info)
		}

		// A new process: a fresh model, the same settings, the state.
		resumed := r.model()
		cfg = r.config()
		cfg.Resume = ts
		hResumed := fit(t, resumed, d, cfg)
		if !reflect.DeepEqual(paramBits(resumed), paramBits(whole)) {
			t.Errorf("float64 %v: the resumed run's weights differ from the uninterrupted run's", float)
		}
		if !reflect.DeepEqual(historyFigures(hResumed), historyFigures(hWhole)) {
			t.Errorf("float64 %v: histories differ:\nresumed %v\nwhole   %v", float, historyFigures(hResumed), historyFigures(hWhole))
		}
		if _, ok := hWhole.Last()[LearningRateName]; !ok {
			t.Errorf("the history has no learning rate: %v", hWhole.Last())
		}
	}
}

// Resuming with other settings, another model or other callbacks is
// refused with a message that says what differs; resuming a run that
// early stopping ended trains no more.
func TestResumeRefusesAnotherRun(t *testing.T) {
	d := datasets.Blobs(120, 3, 1.5, 4)
	r := resumeRun{t: t, d: d, epochs: 2}
	var ts *TrainState
	cfg := r.config()
	cfg.SaveState = func(s *TrainState) error { ts = s; return nil }
	fit(t, r.model(), d, cfg)

	for _, tt := range []struct {
		name string
		edit func(*Config)
		m    Model
		want string
	}{
		{"batch size", func(c *Config) { c.BatchSize = 8 }, nil, "batch_size 16"},
		{"optimizer", func(c *Config) { c.Optimizer = SGD{} }, nil, "optimizer adam"},
		{"learning rate", func(c *Config) { c.Optimizer = Adam{LearningRate: 0.1} }, nil, "optimizer_parameters"},
		{"seed", func(c *Config) { c.Seed = 1 }, nil, "seed 9"},
		{"callbacks", func(c *Config) { c.Callbacks = c.Callbacks[1:] }, nil, "callbacks differ"},
		{"model", nil, mustModel(t)(models.NewLogisticRegression(2, 3)), "parameters"},
	} {
		c := r.config()
		if tt.edit != nil {
			tt.edit(&c)
		}
		c.Resume = ts
		m := tt.m
		if m == nil {
			m = r.model()
		}
		_, err := Fit(context.Background(), m, d, c)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Fit = %v; want an error containing %q", tt.name, err, tt.want)
		}
	}

	// More epochs than saved: it goes on; as many: nothing to do.
	c := r.config()
	c.Resume, c.Epochs = ts, 3
	if h := fit(t, r.model(), d, c); len(h.Epochs) != 3 {
		t.Errorf("resumed for 3 epochs: %d in the history", len(h.Epochs))
	}
	c.Epochs = 2
	if h := fit(t, r.model(), d, c); len(h.Epochs) != 2 {
		t.Errorf("resumed a finished run: %d epochs in the history; want the 2 saved", len(h.Epochs))
	}
}

// A state file survives a trip through the disk; a damaged one is refused
// with an error, never a panic.
func TestTrainStateFile(t *testing.T) {
	d := datasets.Blobs(60, 3, 1.5, 4)
	r := resumeRun{t: t, d: d, epochs: 1}
	var buf bytes.Buffer
	cfg := r.config()
	cfg.SaveState = func(ts *TrainState) error { return ts.Write(&buf) }
	fit(t, r.model(), d, cfg)
	path := filepath.Join(t.TempDir(), "state.zip")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ts, err := LoadTrainState(path)
	if err != nil || ts.Epoch != 1 || ts.Step == 0 || len(ts.perm) != 45 || len(ts.opt.slots) != 4 {
		t.Fatalf("LoadTrainState = %+v, %v", ts, err)
	}
	good := buf.Bytes()
	for name, bad := range map[string][]byte{
		"empty":     nil,
		"text":      []byte("epoch 3"),
		"truncated": good[:len(good)/2],
	} {
		if _, err := ReadTrainState(bytes.NewReader(bad), int64(len(bad))); err == nil {
			t.Errorf("%s: ReadTrainState accepted it", name)
		}
	}
	// A flipped byte is caught, or it was one the reader does not use
	// (such as a local header's time stamp) and the state reads the same.
	refused := 0
	for i := 0; i < len(good); i += 7 {
		got, err := ReadTrainState(bytes.NewReader(flipByte(good, i)), int64(len(good)))
		if err != nil {
			refused++
			continue
		}
		if !reflect.DeepEqual(got, ts) {
			t.Fatalf("byte %d flipped: ReadTrainState read another state", i)
		}
	}
	if refused < len(good)/7/2 {
		t.Errorf("only %d of %d flipped bytes were refused", refused, len(good)/7)
	}
	if _, err := LoadTrainState(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("a missing file: no error")
	}
}

func flipByte(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x40
	return c
}

func FuzzReadTrainState(f *testing.F) {
	d := datasets.Blobs(30, 3, 1.5, 4)
	r := resumeRun{t: &testing.T{}, d: d, epochs: 1}
	var buf bytes.Buffer
	cfg := r.config()
	cfg.SaveState = func(ts *TrainState) error { return ts.Write(&buf) }
	if _, err := Fit(context.Background(), r.model(), d, cfg); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, err := ReadTrainState(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		// Whatever it accepts, Fit resumes from or refuses cleanly.
		c := r.config()
		c.Resume = ts
		Fit(context.Background(), r.model(), d, c)
	})
}

// KeepBest ends with the best epoch's weights; KeepLast, interrupted
// during an epoch, with the last completed epoch's.
func TestCheckpointKeep(t *testing.T) {
	d := datasets.Moons(200, 0.2, 3)
	newModel := func() *models.Model {
		return mustModel(t)(models.NewMLP(2, []models.Hidden{{Units: 16, Activation: models.Tanh}}, models.BinaryOutput(), models.WithSeed(1)))
	}
	byEpoch := map[int][][]float64{}
	record := EpochEndFunc(func(s *State) error { byEpoch[s.Epoch] = paramBits(s.Model); return nil })

	m := newModel()
	best := &Checkpoint{Keep: KeepBest, Monitor: "val_accuracy"}
	fit(t, m, d, Config{Optimizer: Adam{LearningRate: 0.05}, Epochs: 8, ValidationSplit: 0.2, Seed: 1, Callbacks: []Callback{record, best}})
	if best.KeptEpoch() != best.BestEpoch || !reflect.DeepEqual(paramBits(m), byEpoch[best.BestEpoch]) {
		t.Errorf("KeepBest: kept epoch %d, best %d; the model must hold the best epoch's weights", best.KeptEpoch(), best.BestEpoch)
	}

	m = newModel()
	last := &Checkpoint{Keep: KeepLast}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := &hooks{batchEnd: func(s *State) error {
		if s.Epoch == 4 && s.Iteration == 2 {
			cancel()
		}
		return nil
	}}
	_, err := Fit(ctx, m, d, Config{Optimizer: Adam{LearningRate: 0.05}, Epochs: 8, ValidationSplit: 0.2, Seed: 1, Callbacks: []Callback{record, last, stop}})
	if !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if last.KeptEpoch() != 3 || !reflect.DeepEqual(paramBits(m), byEpoch[3]) {
		t.Errorf("KeepLast interrupted in epoch 4: kept epoch %d; want epoch 3's weights", last.KeptEpoch())
	}
	if err := (&Checkpoint{Keep: "first"}).OnTrainBegin(&State{}); err == nil {
		t.Error(`Keep "first": no error`)
	}
}

// A classifier whose loss explodes without becoming NaN stops with the
// divergence error, measured from its first epoch.
func TestDivergenceOfAClassifier(t *testing.T) {
	d := datasets.Blobs(200, 3, 1, 2)
	m := mustModel(t)(models.NewMLP(2, []models.Hidden{{Units: 32, Activation: models.ReLU}}, models.MulticlassOutput(3), models.WithSeed(1)))
	var worst float64
	watch := BatchEndFunc(func(s *State) error { worst = max(worst, s.BatchLoss); return nil })
	_, err := Fit(context.Background(), m, d, Config{Optimizer: SGD{LearningRate: 1e3}, Epochs: 200, BatchSize: 20, Seed: 1, Callbacks: []Callback{watch}})
	var de *DivergenceError
	if !errors.As(err, &de) {
		t.Fatalf("Fit at learning rate 1e3: %v (worst batch loss %g); want a *DivergenceError", err, worst)
	}
	if de.Reference <= 0 || de.Limit != DivergenceFactor*max(de.Reference, 1) || !(de.Loss > de.Limit) || math.IsInf(de.Loss, 0) || !strings.Contains(err.Error(), "grew to") {
		t.Errorf("divergence %+v: %v; want a finite loss over 10⁴ times the reference", de, err)
	}
	if worst > de.Limit {
		t.Errorf("a batch loss of %g was trained on: over the limit", worst)
	}
}

// BenchmarkTrainState takes and writes the training state of the MNIST
// MLP (784-128-64-10, Adam, 54,000 samples), what cmd/train does after an
// epoch (before its file is synced).
func BenchmarkTrainState(b *testing.B) {
	m, err := models.NewMLP(784, []models.Hidden{{Units: 128, Activation: models.ReLU}, {Units: 64, Activation: models.ReLU}}, models.MulticlassOutput(10))
	if err != nil {
		b.Fatal(err)
	}
	d := &datasets.Dataset{Name: "mnist-like", Shape: []int{784}, Classes: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
		X: make([]float32, 54000*784), Y: make([]float32, 54000)}
	t, err := newTrainer(m, d, Config{})
	if err != nil {
		b.Fatal(err)
	}
	perm := make([]int, d.Len())
	for i := range perm {
		perm[i] = i
	}
	ws := make([]any, len(t.params))
	for i, p := range t.params {
		ws[i] = p.Value.Data()
	}
	t.upd.step(ws, ws, 0, 0) // allocate Adam's moments
	var buf bytes.Buffer
	for b.Loop() {
		ts, err := t.trainState(perm)
		if err != nil {
			b.Fatal(err)
		}
		buf.Reset()
		if err := ts.Write(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes")
}
