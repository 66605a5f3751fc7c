package trainers

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"
)

func mustModel(t *testing.T) func(*models.Model, error) *models.Model {
	return func(m *models.Model, err error) *models.Model {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
}

func fit(t *testing.T, m Model, d *datasets.Dataset, cfg Config) *History {
	t.Helper()
	h, err := Fit(context.Background(), m, d, cfg)
	if err != nil {
		t.Fatalf("Fit: %v", err)
	}
	return h
}

func accuracy(t *testing.T, m Model, d *datasets.Dataset) float64 {
	t.Helper()
	logs, err := Evaluate(m, d)
	if err != nil {
		t.Fatal(err)
	}
	return logs[AccuracyName]
}

// Gradient descent on the mean squared error reaches the closed-form
// least-squares solution.
func TestLinearRegressionMatchesLeastSquares(t *testing.T) {
	d, _ := datasets.Linear(200, 3, 0.3, 5)
	n, p := d.Len(), d.Dim()
	a := mat.NewDense(n, p+1, nil)
	y := mat.NewVecDense(n, nil)
	for i := range n {
		for j := range p {
			a.Set(i, j, float64(d.Row(i)[j]))
		}
		a.Set(i, p, 1)
		y.SetVec(i, float64(d.Y[i]))
	}
	var beta mat.VecDense
	if err := beta.SolveVec(a, y); err != nil {
		t.Fatal(err)
	}
	m := mustModel(t)(models.NewLinearRegression(p, 1, models.WithFloat64(), models.WithSeed(1)))
	fit(t, m, d, Config{Optimizer: GD{LearningRate: 0.1}, Epochs: 3000})
	got := append(m.Param("dense_1/kernel").Float64s(), m.Param("dense_1/bias").Float64s()...)
	for j := range got {
		if math.Abs(got[j]-beta.AtVec(j)) > 1e-3 {
			t.Errorf("coefficients %v; least squares gives %v", got, mat.Formatted(beta.T()))
			break
		}
	}
}

func TestPerceptron(t *testing.T) {
	t.Run("separable blobs", func(t *testing.T) {
		d := datasets.Blobs(200, 2, 0.5, 3)
		m := mustModel(t)(models.NewPerceptron(2, models.WithSeed(1)))
		h := fit(t, m, d, Config{Optimizer: SGD{LearningRate: 1}, BatchSize: 1, Epochs: 20, Seed: 1})
		if acc := accuracy(t, m, d); acc != 1 {
			t.Errorf("perceptron accuracy on separable blobs = %v; want 1", acc)
		}
		if l := h.Last()[LossName]; l != 0 {
			t.Errorf("perceptron criterion after convergence = %v; want 0", l)
		}
	})
	t.Run("xor", func(t *testing.T) {
		d := datasets.XOR(4, 0, 1)
		m := mustModel(t)(models.NewPerceptron(2, models.WithSeed(1)))
		fit(t, m, d, Config{Optimizer: SGD{LearningRate: 1}, BatchSize: 1, Epochs: 100, Seed: 1})
		if acc := accuracy(t, m, d); acc >= 1 {
			t.Errorf("perceptron accuracy on XOR = %v; a linear classifier cannot reach 1", acc)
		}
	})
}

func TestMLPFitsXOR(t *testing.T) {
	d := datasets.XOR(4, 0, 1)
	m := mustModel(t)(models.NewMLP(2, []models.Hidden{{Units: 8, Activation: models.Tanh}}, models.BinaryOutput(), models.WithSeed(1)))
	fit(t, m, d, Config{Optimizer: Adam{LearningRate: 0.05}, BatchSize: 4, Epochs: 300, Seed: 1})
	if acc := accuracy(t, m, d); acc != 1 {
		t.Errorf("MLP accuracy on XOR = %v; want 1", acc)
	}
}

func TestLogisticRegression(t *testing.T) {
	for _, classes := range []int{2, 3} {
		d := datasets.Blobs(300, classes, 1, 7)
		m := mustModel(t)(models.NewLogisticRegression(2, classes, models.WithSeed(1)))
		fit(t, m, d, Config{Optimizer: Adam{LearningRate: 0.05}, Epochs: 30, Seed: 1})
		if acc := accuracy(t, m, d); acc < 0.95 {
			t.Errorf("logistic regression on %d blobs: accuracy %v; want ≥ 0.95", classes, acc)
		}
	}
}

// dropoutMLP is a model with every source of randomness: initialisation,
// shuffling, dropout masks and the validation split.
func dropoutRun(t *testing.T, modelSeed, seed int64) *History {
	d := datasets.Moons(120, 0.2, 4)
	m := mustModel(t)(models.NewMLP(2, []models.Hidden{{Units: 16, Activation: models.ReLU, Dropout: 0.3}}, models.BinaryOutput(), models.WithSeed(modelSeed)))
	return fit(t, m, d, Config{Optimizer: Adam{LearningRate: 0.01}, Epochs: 5, BatchSize: 16, Seed: seed, ValidationSplit: 0.25})
}

func logsOf(h *History) []map[string]float64 {
	var out []map[string]float64
	for _, e := range h.Epochs {
		out = append(out, e.Logs)
	}
	return out
}

func TestSameSeedSameHistory(t *testing.T) {
	a, b := logsOf(dropoutRun(t, 1, 1)), logsOf(dropoutRun(t, 1, 1))
	if !reflect.DeepEqual(a, b) {
		t.Errorf("two runs with the same seeds differ:\n%v\n%v", a, b)
	}
	if c := logsOf(dropoutRun(t, 1, 2)); reflect.DeepEqual(a, c) {
		t.Error("runs with trainer seeds 1 and 2 have identical histories")
	}
	if c := logsOf(dropoutRun(t, 2, 1)); reflect.DeepEqual(a, c) {
		t.Error("runs with model seeds 1 and 2 have identical histories")
	}
}

func TestFillMask(t *testing.T) {
	src := rand.NewPCG(1, 1)
	for _, rate := range []float64{0.1, 0.5, 0.8} {
		m := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(100000))
		// The same draws as rand.Rand.Float64 < rate from the same state.
		ref := *src
		rng := rand.New(&ref)
		fillMask(m, rate, src)
		for i, v := range m.Data().([]float32) {
			if dropped := rng.Float64() < rate; dropped != (v == 0) {
				t.Fatalf("rate %v: value %d is %v; Float64 < rate is %v", rate, i, v, dropped)
			}
		}
		zeros := 0
		for _, v := range m.Data().([]float32) {
			switch {
			case v == 0:
				zeros++
			case math.Abs(float64(v)-1/(1-rate)) > 1e-6:
				t.Fatalf("rate %v: kept value %v; want 1/(1-p) = %v", rate, v, 1/(1-rate))
			}
		}
		frac := float64(zeros) / 100000
		sd := math.Sqrt(rate * (1 - rate) / 100000)
		if math.Abs(frac-rate) > 5*sd {
			t.Errorf("rate %v: zeroed fraction %v; want within 5σ (%v)", rate, frac, 5*sd)
		}
	}
}

// Training with dropout changes nothing at inference: predictions are
// deterministic and do not depend on the masks.
func TestDropoutOffAtInference(t *testing.T) {
	d := datasets.Moons(64, 0.1, 1)
	m := mustModel(t)(models.NewMLP(2, []models.Hidden{{Units: 32, Activation: models.ReLU, Dropout: 0.5}}, models.BinaryOutput(), models.WithSeed(3)))
	fit(t, m, d, Config{Optimizer: Adam{LearningRate: 0.01}, Epochs: 2, Seed: 3})
	a, _ := m.Logits(d.X)
	b, _ := m.Logits(d.X)
	if !reflect.DeepEqual(a, b) {
		t.Error("two predictions of the same inputs differ")
	}
	// The same weights without the dropout layer predict the same.
	plain := mustModel(t)(models.NewMLP(2, []models.Hidden{{Units: 32, Activation: models.ReLU}}, models.BinaryOutput()))
	for i, p := range plain.Params() {
		if err := p.SetFloat64s(m.Params()[i].Float64s()); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := plain.Logits(d.X)
	if !reflect.DeepEqual(a, c) {
		t.Error("the model with dropout predicts differently from the same weights without it")
	}
}

func TestEarlyStoppingRestoresBest(t *testing.T) {
	d := datasets.Moons(100, 0.2, 2)
	m := mustModel(t)(models.NewMLP(2, []models.Hidden{{Units: 8, Activation: models.Tanh}}, models.BinaryOutput(), models.WithSeed(1)))
	var atEpoch [][]float64 // the weights at the end of each epoch
	record := EpochEndFunc(func(s *State) error {
		atEpoch = append(atEpoch, s.Model.Params()[0].Float64s())
		return nil
	})
	// No epoch after the first improves by 10: patience 2 stops after
	// epoch 3, and the weights of epoch 1 come back.
	var msgs bytes.Buffer
	es := &EarlyStopping{Monitor: "val_loss", Patience: 2, MinDelta: 10, RestoreBest: true, Verbose: &msgs}
	h := fit(t, m, d, Config{Optimizer: Adam{LearningRate: 0.05}, Epochs: 20, ValidationSplit: 0.2, Callbacks: []Callback{record, es}})
	if len(h.Epochs) != 3 || es.StoppedEpoch != 3 || es.BestEpoch != 1 {
		t.Fatalf("ran %d epochs, stopped after %d, best %d; want 3, 3, 1", len(h.Epochs), es.StoppedEpoch, es.BestEpoch)
	}
	if got := m.Params()[0].Float64s(); !reflect.DeepEqual(got, atEpoch[0]) || reflect.DeepEqual(got, atEpoch[2]) {
		t.Error("the weights after training are not those of the best epoch")
	}
	want := "Epoch 3: early stopping\nRestoring model weights from the end of the best epoch: 1.\n"
	if msgs.String() != want {
		t.Errorf("messages %q; want %q", msgs.String(), want)
	}
}

func TestEarlyStoppingPatience(t *testing.T) {
	es := &EarlyStopping{Monitor: "val_accuracy", Patience: 3}
	s := &State{ValSize: 1}
	if err := es.OnTrainBegin(s); err != nil {
		t.Fatal(err)
	}
	accs := []float64{0.5, 0.6, 0.6, 0.59, 0.61, 0.6, 0.6, 0.6, 0.9}
	for i, a := range accs {
		s.Epoch, s.Logs = i+1, map[string]float64{"val_accuracy": a}
		if err := es.OnEpochEnd(s); err != nil {
			t.Fatal(err)
		}
		if s.Stop {
			break
		}
	}
	// Best 0.61 at epoch 5; epochs 6, 7 and 8 do not improve.
	if es.StoppedEpoch != 8 || es.BestEpoch != 5 || es.Best != 0.61 {
		t.Errorf("stopped %d, best epoch %d (%v); want 8, 5 (0.61)", es.StoppedEpoch, es.BestEpoch, es.Best)
	}
	if err := (&EarlyStopping{}).OnTrainBegin(&State{}); err != nil {
		t.Errorf("default monitor without validation data: %v; want it to watch the loss", err)
	}
	if err := (&EarlyStopping{Monitor: "val_loss"}).OnTrainBegin(&State{}); err == nil {
		t.Error("monitoring val_loss without validation data: no error")
	}
}

func kernelNorm(m *models.Model) float64 {
	var s float64
	for _, p := range m.Params() {
		if p.Decay {
			for _, v := range p.Float64s() {
				s += v * v
			}
		}
	}
	return math.Sqrt(s)
}

func TestL2ShrinksWeights(t *testing.T) {
	d := datasets.Moons(100, 0.3, 1)
	norms := map[float64]float64{}
	for _, l2 := range []float64{0, 0.01} {
		m := mustModel(t)(models.NewMLP(2, []models.Hidden{{Units: 32, Activation: models.ReLU}}, models.BinaryOutput(), models.WithSeed(1)))
		h := fit(t, m, d, Config{Optimizer: Adam{LearningRate: 0.01}, Epochs: 100, L2: l2, Seed: 1})
		norms[l2] = kernelNorm(m)
		if l2 > 0 {
			// The reported loss includes the penalty.
			logs, _ := Evaluate(m, d)
			pen := l2 / 2 * norms[l2] * norms[l2]
			if got := h.Last()[LossName]; got < logs[LossName]+0.5*pen {
				t.Errorf("training loss %v does not include the penalty %v (data loss %v)", got, pen, logs[LossName])
			}
		}
	}
	if norms[0.01] >= 0.8*norms[0] {
		t.Errorf("kernel norm with L2 %v; without %v: want clearly smaller", norms[0.01], norms[0])
	}
}

// The training figures of an epoch are those of the logits the model
// produced, for every kind of loss: with a learning rate too small to
// change anything, they equal Evaluate's. (The loss must not overwrite the
// logits in place before the trainer reads them.)
func TestTrainingFiguresMatchEvaluate(t *testing.T) {
	blobs, three := datasets.Blobs(50, 2, 1, 1), datasets.Blobs(60, 3, 1, 1)
	lin, _ := datasets.Linear(50, 2, 0.3, 1)
	cases := []struct {
		m *models.Model
		d *datasets.Dataset
	}{
		{mustModel(t)(models.NewLinearRegression(2, 1, models.WithSeed(1))), lin},
		{mustModel(t)(models.NewPerceptron(2, models.WithSeed(1))), blobs},
		{mustModel(t)(models.NewLogisticRegression(2, 2, models.WithSeed(1))), blobs},
		{mustModel(t)(models.NewLogisticRegression(2, 3, models.WithSeed(1))), three},
		{mustModel(t)(models.NewMLP(2, []models.Hidden{{Units: 4, Activation: models.Tanh}}, models.RegressionOutput(1), models.WithSeed(1))), lin},
	}
	for _, c := range cases {
		h := fit(t, c.m, c.d, Config{Optimizer: SGD{LearningRate: 1e-30}, BatchSize: 16})
		want, _ := Evaluate(c.m, c.d)
		for k, v := range want {
			if got := h.Last()[k]; math.Abs(got-v) > 1e-6*math.Max(1, math.Abs(v)) {
				t.Errorf("%s (%s): training %s = %v; Evaluate gives %v", c.m.Name(), c.m.Loss(), k, got, v)
			}
		}
	}
}

// Every sample counts: with batches that do not divide the data, the
// epoch's figures average over all N samples. With a learning rate too
// small to change anything, they equal Evaluate's over the whole set.
func TestPartialBatchesCount(t *testing.T) {
	d := datasets.Blobs(37, 3, 2, 1)
	m := mustModel(t)(models.NewLogisticRegression(2, 3, models.WithFloat64(), models.WithSeed(2)))
	var iters int
	count := EpochEndFunc(func(s *State) error { iters = s.Iterations; return nil })
	h := fit(t, m, d, Config{Optimizer: SGD{LearningRate: 1e-300}, BatchSize: 5, Callbacks: []Callback{count}})
	want, _ := Evaluate(m, d)
	got := h.Last()
	if iters != 8 {
		t.Errorf("%d iterations for 37 samples in batches of 5; want 8", iters)
	}
	for _, k := range []string{LossName, AccuracyName} {
		if math.Abs(got[k]-want[k]) > 1e-6 {
			t.Errorf("epoch %s = %v; over all 37 samples it is %v", k, got[k], want[k])
		}
	}
	count = EpochEndFunc(func(s *State) error { iters = s.Iterations; return nil })
	fit(t, m, d, Config{Optimizer: GD{LearningRate: 0.1}, Callbacks: []Callback{count}})
	if iters != 1 {
		t.Errorf("full-batch gradient descent ran %d iterations per epoch; want 1", iters)
	}
}

func TestRegressionMetrics(t *testing.T) {
	d, _ := datasets.Linear(300, 2, 0.1, 3)
	m := mustModel(t)(models.NewLinearRegression(2, 1, models.WithSeed(1)))
	h := fit(t, m, d, Config{Optimizer: Adam{LearningRate: 0.1}, Epochs: 60, ValidationSplit: 0.2, Seed: 1})
	last := h.Last()
	for _, k := range []string{"loss", "mse", "mae", "r2", "val_loss", "val_mse", "val_mae", "val_r2"} {
		if _, ok := last[k]; !ok {
			t.Errorf("history lacks %q: %v", k, last)
		}
	}
	if last["val_r2"] < 0.95 || math.Abs(last["val_loss"]-last["val_mse"]) > 1e-9 {
		t.Errorf("val_r2 %v, val_loss %v, val_mse %v; want R² ≥ 0.95 and loss = MSE", last["val_r2"], last["val_loss"], last["val_mse"])
	}
}

func TestDivergenceIsReported(t *testing.T) {
	d, _ := datasets.Linear(50, 2, 0.1, 1)
	m := mustModel(t)(models.NewLinearRegression(2, 1, models.WithSeed(1)))
	_, err := Fit(context.Background(), m, d, Config{Optimizer: SGD{LearningRate: 1e4}, Epochs: 50, BatchSize: 10})
	var de *DivergenceError
	if !errors.As(err, &de) {
		t.Fatalf("Fit with learning rate 1e4: error %v; want a *DivergenceError", err)
	}
	if de.Epoch < 1 || de.Iteration < 1 || de.Iterations != 5 || !strings.Contains(err.Error(), "smaller learning rate") {
		t.Errorf("error %q: want the epoch, iteration/5 and advice", err)
	}
	for _, p := range m.Params() {
		for _, v := range p.Float64s() {
			if math.IsNaN(v) {
				t.Fatal("a NaN step was applied to the weights")
			}
		}
	}
}

func TestCancellation(t *testing.T) {
	d := datasets.Blobs(100, 2, 1, 1)
	m := mustModel(t)(models.NewLogisticRegression(2, 2))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ended *State
	cb := &hooks{batchEnd: func(s *State) error {
		if s.Epoch == 2 && s.Iteration == 2 {
			cancel()
		}
		return nil
	}, trainEnd: func(s *State) error { ended = s; return nil }}
	h, err := Fit(ctx, m, d, Config{Epochs: 5, BatchSize: 10, Callbacks: []Callback{cb}})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "epoch 2, iteration 2/10") {
		t.Errorf("error %v; want a cancellation at epoch 2, iteration 2/10", err)
	}
	if h == nil || len(h.Epochs) != 1 {
		t.Errorf("history after cancellation: %v; want the 1 completed epoch", h)
	}
	if ended == nil || !errors.Is(ended.Err, context.Canceled) {
		t.Error("OnTrainEnd was not called with the cancellation")
	}
}

// hooks is a test callback made of optional functions.
type hooks struct {
	NopCallback
	batchEnd, trainEnd func(*State) error
}

func (h *hooks) OnBatchEnd(s *State) error {
	if h.batchEnd == nil {
		return nil
	}
	return h.batchEnd(s)
}

func (h *hooks) OnTrainEnd(s *State) error {
	if h.trainEnd == nil {
		return nil
	}
	return h.trainEnd(s)
}

func TestCallbackStopAndError(t *testing.T) {
	d := datasets.Blobs(40, 2, 1, 1)
	m := mustModel(t)(models.NewLogisticRegression(2, 2))
	stop := &hooks{batchEnd: func(s *State) error { s.Stop = s.Iteration == 2; return nil }}
	h := fit(t, m, d, Config{Epochs: 5, BatchSize: 10, Callbacks: []Callback{stop}})
	if len(h.Epochs) != 1 {
		t.Errorf("Stop at iteration 2 ran %d epochs; want 1", len(h.Epochs))
	}
	boom := errors.New("boom")
	fail := &hooks{batchEnd: func(s *State) error { return boom }}
	if _, err := Fit(context.Background(), m, d, Config{Epochs: 5, Callbacks: []Callback{fail}}); !errors.Is(err, boom) {
		t.Errorf("callback error: Fit returned %v; want it", err)
	}
}

func TestFitRejectsBadInput(t *testing.T) {
	blobs := datasets.Blobs(20, 2, 1, 1)
	three := datasets.Blobs(30, 3, 1, 1)
	lin, _ := datasets.Linear(20, 2, 0.1, 1)
	logreg := func() *models.Model { return mustModel(t)(models.NewLogisticRegression(2, 2)) }
	tests := []struct {
		name string
		m    *models.Model
		d    *datasets.Dataset
		cfg  Config
		want string
	}{
		{"features", mustModel(t)(models.NewLogisticRegression(3, 2)), blobs, Config{}, "3"},
		{"regression data", logreg(), lin, Config{}, "numeric targets"},
		{"class data", mustModel(t)(models.NewLinearRegression(2, 1)), blobs, Config{}, "regression model"},
		{"too many classes", logreg(), three, Config{}, "3 classes"},
		{"gd batch", logreg(), blobs, Config{Optimizer: GD{LearningRate: 0.1}, BatchSize: 5}, "full-batch"},
		{"epochs", logreg(), blobs, Config{Epochs: -1}, "epochs"},
		{"l2", logreg(), blobs, Config{L2: -1}, "L2"},
		{"split", logreg(), blobs, Config{ValidationSplit: 1.5}, "validation split"},
		{"optimizer", logreg(), blobs, Config{Optimizer: SGD{LearningRate: -1}}, "learning rate"},
		{"nil data", logreg(), nil, Config{}, "no training data"},
		{"bad data", logreg(), &datasets.Dataset{X: []float32{1, float32(math.NaN())}, Shape: []int{2}, Y: []float32{0}, Classes: []string{"a", "b"}}, Config{}, "NaN"},
	}
	for _, tt := range tests {
		_, err := Fit(context.Background(), tt.m, tt.d, tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Fit error %v; want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestHistoryCSV(t *testing.T) {
	h := &History{Epochs: []EpochLog{
		{Epoch: 1, Logs: map[string]float64{"loss": 0.5, "accuracy": 0.75}},
		{Epoch: 2, Logs: map[string]float64{"loss": 0.25, "accuracy": 1}},
	}}
	var b bytes.Buffer
	if err := h.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	want := "epoch,accuracy,loss,seconds\n1,0.75,0.5,0.000\n2,1,0.25,0.000\n"
	if b.String() != want {
		t.Errorf("WriteCSV = %q; want %q", b.String(), want)
	}
	if got := h.Values("loss"); !reflect.DeepEqual(got, []float64{0.5, 0.25}) {
		t.Errorf("Values(loss) = %v", got)
	}
}

// After an interruption, Checkpoint leaves the model with the weights of
// its best epoch, not those of the interrupted one.
func TestCheckpointRestoresBestOnInterrupt(t *testing.T) {
	d := datasets.Moons(200, 0.2, 3)
	m := mustModel(t)(models.NewMLP(2, []models.Hidden{{Units: 16, Activation: models.Tanh}}, models.BinaryOutput(), models.WithSeed(1)))
	byEpoch := map[int][]float64{}
	saves := 0
	ck := &Checkpoint{Save: func(s *State) error { saves++; byEpoch[s.Epoch] = s.Model.Params()[0].Float64s(); return nil }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopper := &hooks{batchEnd: func(s *State) error {
		if s.Epoch == 6 && s.Iteration == 3 {
			cancel()
		}
		return nil
	}}
	_, err := Fit(ctx, m, d, Config{Optimizer: Adam{LearningRate: 0.05}, Epochs: 10, ValidationSplit: 0.2, Seed: 1, Callbacks: []Callback{ck, stopper}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Fit: %v; want a cancellation", err)
	}
	if ck.BestEpoch < 1 || ck.BestEpoch > 5 || saves < 1 {
		t.Fatalf("best epoch %d after %d saves; want one of the 5 completed", ck.BestEpoch, saves)
	}
	if got := m.Params()[0].Float64s(); !reflect.DeepEqual(got, byEpoch[ck.BestEpoch]) {
		t.Error("after the interruption the model does not hold the best epoch's weights")
	}
}

// A run gives the same bits on one core as on two: the matrix products
// never split a sum, and the parallel loops use fixed pieces.
func TestSameResultsOnAnyNumberOfCores(t *testing.T) {
	img := &datasets.Dataset{Name: "tiny images", Shape: []int{1, 8, 8}, Classes: []string{"a", "b", "c"}}
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range 96 {
		for range 64 {
			img.X = append(img.X, float32(rng.Float64()))
		}
		img.Y = append(img.Y, float32(i%3))
	}
	run := func(procs int) ([]map[string]float64, []float64) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		conv := mustModel(t)(models.New(models.Spec{Name: "conv", Input: []int{1, 8, 8}, Layers: []models.LayerSpec{
			{Type: models.LayerConv2D, Filters: 4, Kernel: 3, Padding: 1, Activation: models.ReLU},
			{Type: models.LayerMaxPool2D, Kernel: 2},
			{Type: models.LayerFlatten},
			{Type: models.LayerDropout, Rate: 0.3},
			{Type: models.LayerDense, Units: 3, Activation: models.Softmax},
		}}, models.WithSeed(3)))
		h := fit(t, conv, img, Config{Optimizer: Adam{LearningRate: 0.01}, Epochs: 3, BatchSize: 32, Seed: 4, ValidationSplit: 0.25})
		mlp := mustModel(t)(models.NewMLP(64, []models.Hidden{{Units: 1024, Activation: models.Tanh, Dropout: 0.2}}, models.MulticlassOutput(3), models.WithSeed(3)))
		h2 := fit(t, mlp, img.Flatten(), Config{Optimizer: Adam{LearningRate: 0.01}, Epochs: 3, BatchSize: 48, Seed: 4})
		var w []float64
		for _, m := range []*models.Model{conv, mlp} {
			for _, p := range m.Params() {
				w = append(w, p.Float64s()...)
			}
		}
		return append(logsOf(h), logsOf(h2)...), w
	}
	h1, w1 := run(1)
	h2, w2 := run(2)
	if !reflect.DeepEqual(h1, h2) || !reflect.DeepEqual(w1, w2) {
		t.Error("training on 1 and 2 cores gives different results")
	}
}
