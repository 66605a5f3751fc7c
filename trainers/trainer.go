package trainers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Model is what the trainer needs of a model: graphs of itself for a batch
// size with its loss, its parameters, its spec (for the task and the
// shapes) and inference. *models.Model implements it.
type Model interface {
	Forward(g *G.ExprGraph, batch int, train bool) (*models.Net, error)
	AddLoss(net *models.Net) error
	Params() []*models.Param
	Spec() models.Spec
	Logits(x []float32) ([]float32, error)
}

// Config is a training run's settings. The zero value trains one epoch
// with Adam, batches of 32, no regularisation and seed 0.
type Config struct {
	// Optimizer is the update rule (default Adam{}: learning rate 0.001).
	Optimizer Optimizer
	// Epochs is the number of passes over the training data (default 1).
	Epochs int
	// BatchSize is the number of samples per update (default 32). With a
	// full-batch optimiser (GD) it must be 0 or the training set's size:
	// full-batch gradient descent takes one step per epoch. The last batch
	// of an epoch holds the remaining samples: none is dropped.
	BatchSize int
	// L2 is the coefficient λ of the penalty λ/2·Σ‖W‖² added to the loss;
	// it applies to the kernels (weights) and not to the biases. The
	// reported training loss includes it; validation losses do not.
	L2 float64
	// Seed seeds the shuffling and the dropout masks. With the model's own
	// seed it makes a run reproducible bit for bit.
	Seed int64
	// NoShuffle keeps the training samples in order; by default they are
	// shuffled at the start of every epoch.
	NoShuffle bool
	// ValidationSplit, in [0, 1), holds out that fraction of the training
	// data (stratified for classification, chosen with Seed) to validate
	// on after every epoch. Ignored when Validation is set.
	ValidationSplit float64
	// Validation is a separate validation set.
	Validation *datasets.Dataset
	// Callbacks are called in order at each point of the loop.
	Callbacks []Callback
}

// withDefaults fills in defaults and checks the settings against the
// training set size n.
func (c Config) withDefaults(n int) (Config, error) {
	if c.Optimizer == nil {
		c.Optimizer = Adam{}
	}
	if err := c.Optimizer.Validate(); err != nil {
		return c, err
	}
	fullBatch := isFullBatch(c.Optimizer)
	switch {
	case c.Epochs < 0:
		return c, fmt.Errorf("epochs %d must not be negative", c.Epochs)
	case c.Epochs == 0:
		c.Epochs = 1
	}
	switch {
	case c.BatchSize < 0:
		return c, fmt.Errorf("batch size %d must not be negative", c.BatchSize)
	case fullBatch && c.BatchSize != 0 && c.BatchSize != n:
		return c, fmt.Errorf("optimizer %s is full-batch gradient descent: leave the batch size at 0 (it is the whole training set, %d samples) or use sgd for batches of %d", c.Optimizer.Name(), n, c.BatchSize)
	case fullBatch || c.BatchSize > n:
		c.BatchSize = n
	case c.BatchSize == 0:
		c.BatchSize = min(32, n)
	}
	if !(c.L2 >= 0) || math.IsInf(c.L2, 0) {
		return c, fmt.Errorf("L2 coefficient %v must be a non-negative number", c.L2)
	}
	if !(c.ValidationSplit >= 0 && c.ValidationSplit < 1) {
		return c, fmt.Errorf("validation split %v is not in [0, 1)", c.ValidationSplit)
	}
	return c, nil
}

// DivergenceError reports a loss that became NaN or infinite: the weights
// have diverged and training cannot go on.
type DivergenceError struct {
	Epoch, Iteration, Iterations int
	Loss, LearningRate           float64
}

func (e *DivergenceError) Error() string {
	return fmt.Sprintf("trainers: the loss became %v at epoch %d, iteration %d/%d: training diverged; "+
		"try a smaller learning rate than %g (e.g. %g), standardise the features, or a smaller L2 penalty",
		e.Loss, e.Epoch, e.Iteration, e.Iterations, e.LearningRate, e.LearningRate/10)
}

// Fit trains m on train and returns the history of every completed epoch.
//
// Each epoch shuffles the training samples (unless NoShuffle) and updates
// the parameters once per mini-batch: an iteration. The training graph has
// dropout on; validation uses inference graphs with dropout off. Fit
// returns early with the history so far and an error when the context is
// cancelled (the error wraps ctx.Err(), and the current iteration is
// finished first), when the loss becomes NaN or infinite (a
// *DivergenceError), or when a callback fails. Callbacks' OnTrainEnd runs
// in every case, so early stopping can put back the best weights.
func Fit(ctx context.Context, m Model, train *datasets.Dataset, cfg Config) (*History, error) {
	t, err := newTrainer(m, train, cfg)
	if err != nil {
		return nil, err
	}
	return t.run(ctx)
}

// trainer holds one Fit call's state.
type trainer struct {
	m          Model
	spec       models.Spec
	train, val *datasets.Dataset
	cfg        Config
	rng        *rand.Rand
	src        *rand.PCG         // rng's source, drawn from directly for the dropout masks
	nets       map[int]*trainNet // by batch size
	upd        updater
	params     []*models.Param // trainable, in order
	state      State
}

func newTrainer(m Model, train *datasets.Dataset, cfg Config) (*trainer, error) {
	spec := m.Spec()
	if err := checkData(spec, train, "training data"); err != nil {
		return nil, err
	}
	val := cfg.Validation
	if val == nil && cfg.ValidationSplit > 0 {
		if cfg.ValidationSplit < 0 || cfg.ValidationSplit >= 1 {
			return nil, fmt.Errorf("trainers: validation split %v is not in [0, 1)", cfg.ValidationSplit)
		}
		var err error
		if train, val, err = train.Split(cfg.ValidationSplit, cfg.Seed, train.IsClassification()); err != nil {
			return nil, fmt.Errorf("trainers: holding out validation data: %w", err)
		}
	}
	if val != nil {
		if err := checkData(spec, val, "validation data"); err != nil {
			return nil, err
		}
	}
	cfg, err := cfg.withDefaults(train.Len())
	if err != nil {
		return nil, fmt.Errorf("trainers: %w", err)
	}
	src := rand.NewPCG(uint64(cfg.Seed), 0x2545f4914f6cdd1d)
	t := &trainer{m: m, spec: spec, train: train, val: val, cfg: cfg,
		rng: rand.New(src), src: src,
		nets: map[int]*trainNet{},
	}
	for _, p := range m.Params() {
		if p.Trainable {
			t.params = append(t.params, p)
		}
	}
	dt := tensor.Float32
	if spec.DType == "float64" {
		dt = tensor.Float64
	}
	t.upd = newUpdater(cfg.Optimizer, dt)
	iters := (train.Len() + cfg.BatchSize - 1) / cfg.BatchSize
	t.state = State{Model: m, Config: cfg, Epochs: cfg.Epochs, Iterations: iters,
		TrainSize: train.Len(), History: &History{}}
	if val != nil {
		t.state.ValSize = val.Len()
	}
	return t, nil
}

// checkData reports data that does not fit the model's input or task.
func checkData(spec models.Spec, d *datasets.Dataset, what string) error {
	if d == nil {
		return fmt.Errorf("trainers: no %s", what)
	}
	if err := d.Validate(); err != nil {
		return fmt.Errorf("trainers: %s: %w", what, err)
	}
	if !d.IsLabelled() {
		return fmt.Errorf("trainers: %s %s has no targets", what, d.Name)
	}
	want := tensor.Shape(spec.Input).TotalSize()
	if d.Dim() != want {
		return fmt.Errorf("trainers: %s has %d features per sample (shape %v); model %s takes %d (shape %v)",
			what, d.Dim(), d.Shape, spec.Name, want, spec.Input)
	}
	k := spec.NumClasses()
	switch task := spec.Task(); {
	case task != models.Classification && d.IsClassification():
		return fmt.Errorf("trainers: %s has classes %v, but model %s is a %s model (loss %s, %s output); use a classifier", what, d.Classes, spec.Name, task, spec.Loss, spec.OutputActivation())
	case task == models.Classification && !d.IsClassification():
		return fmt.Errorf("trainers: %s has numeric targets, but model %s is a classifier (%s output); use a linear output for regression", what, spec.Name, spec.OutputActivation())
	case k > 0 && len(d.Classes) > k:
		return fmt.Errorf("trainers: %s has %d classes, but model %s has %d outputs classes", what, len(d.Classes), spec.Name, k)
	case k > 0 && spec.Classes != nil && !slices.Equal(spec.Classes, d.Classes):
		return fmt.Errorf("trainers: %s has classes %v, but model %s was built for %v", what, d.Classes, spec.Name, spec.Classes)
	case k == 0 && d.TargetDim() != spec.Units():
		return fmt.Errorf("trainers: %s has %d targets per sample; model %s predicts %d", what, d.TargetDim(), spec.Name, spec.Units())
	case task == models.MultiLabel:
		for i, v := range d.Y {
			if v < 0 || v > 1 {
				return fmt.Errorf("trainers: %s: sample %d, target %d is %v, but model %s (binary cross-entropy on %d sigmoid outputs) takes targets in [0, 1]: labels are 0 or 1",
					what, i/d.TargetDim()+1, i%d.TargetDim()+1, v, spec.Name, spec.Units())
			}
		}
	}
	return nil
}

func (t *trainer) run(ctx context.Context) (*History, error) {
	s := &t.state
	err := t.loop(ctx)
	s.Err = err
	for _, cb := range t.cfg.Callbacks {
		if cerr := cb.OnTrainEnd(s); cerr != nil && err == nil {
			err = cerr
		}
	}
	return s.History, err
}

func (t *trainer) loop(ctx context.Context) error {
	s := &t.state
	for _, cb := range t.cfg.Callbacks {
		if err := cb.OnTrainBegin(s); err != nil {
			return err
		}
	}
	perm := make([]int, t.train.Len())
	for i := range perm {
		perm[i] = i
	}
	for epoch := 1; epoch <= t.cfg.Epochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("trainers: training interrupted before epoch %d: %w", epoch, context.Cause(ctx))
		}
		s.Epoch, s.Iteration = epoch, 0
		for _, cb := range t.cfg.Callbacks {
			if err := cb.OnEpochBegin(s); err != nil {
				return err
			}
		}
		start := time.Now()
		if !t.cfg.NoShuffle {
			t.rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		}
		logs, err := t.epoch(ctx, perm)
		if err != nil {
			return err
		}
		if t.val != nil {
			vl, err := evaluate(t.m, t.val)
			if err != nil {
				return fmt.Errorf("trainers: validating after epoch %d: %w", epoch, err)
			}
			for k, v := range vl {
				logs["val_"+k] = v
			}
		}
		s.Logs = logs
		s.History.Epochs = append(s.History.Epochs, EpochLog{Epoch: epoch, Logs: logs, Duration: time.Since(start)})
		for _, cb := range t.cfg.Callbacks {
			if err := cb.OnEpochEnd(s); err != nil {
				return err
			}
		}
		if s.Stop {
			return nil
		}
	}
	return nil
}

// epoch runs one pass over the training data in the order perm and
// returns its figures.
func (t *trainer) epoch(ctx context.Context, perm []int) (map[string]float64, error) {
	s := &t.state
	bs := t.cfg.BatchSize
	meter := newMeter(t.spec)
	for it := range s.Iterations {
		idx := perm[it*bs : min((it+1)*bs, len(perm))]
		net, err := t.net(len(idx))
		if err != nil {
			return nil, err
		}
		net.feed(t.train, idx, t.src)
		loss, err := net.run()
		if err != nil {
			return nil, fmt.Errorf("trainers: epoch %d, iteration %d: %w", s.Epoch, it+1, err)
		}
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			// Diverged: report it and leave the weights as they are.
			return nil, &DivergenceError{Epoch: s.Epoch, Iteration: it + 1, Iterations: s.Iterations,
				Loss: loss, LearningRate: t.cfg.Optimizer.BaseLR()}
		}
		t.upd.step(net.ws, net.gs)
		if err := net.updateStats(); err != nil {
			return nil, fmt.Errorf("trainers: epoch %d, iteration %d: %w", s.Epoch, it+1, err)
		}
		s.Iteration, s.Step, s.BatchLoss = it+1, s.Step+1, loss
		meter.addLoss(loss, len(idx))
		if err := meter.addOutputs(net.logits, net.targets, false); err != nil {
			return nil, err
		}
		s.Logs = meter.logs("")
		for _, cb := range t.cfg.Callbacks {
			if err := cb.OnBatchEnd(s); err != nil {
				return nil, err
			}
		}
		if s.Stop {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("trainers: training interrupted at epoch %d, iteration %d/%d: %w",
				s.Epoch, it+1, s.Iterations, context.Cause(ctx))
		}
	}
	return meter.logs(""), nil
}

// net returns the training graph for a batch size, building it on first
// use: one for the batch size and one for a final partial batch.
func (t *trainer) net(batch int) (*trainNet, error) {
	if n, ok := t.nets[batch]; ok {
		return n, nil
	}
	n, err := newTrainNet(t.m, t.spec, batch, t.cfg.L2)
	if err != nil {
		return nil, fmt.Errorf("trainers: building the training graph for batches of %d: %w", batch, err)
	}
	t.nets[batch] = n
	return n, nil
}

// Evaluate runs m on d with dropout off and returns the loss (without
// any L2 penalty) and the task's metrics: accuracy for classification; MSE,
// MAE and R² for regression. Every sample counts, whatever the batch size.
func Evaluate(m Model, d *datasets.Dataset) (map[string]float64, error) {
	if err := checkData(m.Spec(), d, "evaluation data"); err != nil {
		return nil, err
	}
	return evaluate(m, d)
}

// evaluate is Evaluate on data already checked.
func evaluate(m Model, d *datasets.Dataset) (map[string]float64, error) {
	meter, err := measure(m, d)
	if err != nil {
		return nil, err
	}
	return meter.logs(""), nil
}

// measure runs m on d and returns the filled meter.
func measure(m Model, d *datasets.Dataset) (*meter, error) {
	logits, err := m.Logits(d.X)
	if err != nil {
		return nil, err
	}
	meter := newMeter(m.Spec())
	if err := meter.addOutputs(logits, d.Y, true); err != nil {
		return nil, err
	}
	return meter, nil
}

// TargetMetrics are the metrics of one of a model's outputs.
type TargetMetrics struct {
	// Target names the output: the data's target (or label) name, or
	// "y1", "y2", ... when it has none.
	Target string `json:"target"`
	// Metrics holds MSE, MAE, RMSE and R² for a regression output; accuracy,
	// precision, recall and F1 for a label of a multi-label model.
	Metrics map[string]float64 `json:"metrics"`
}

// EvaluateTargets returns the metrics of each output of a regression or
// multi-label model on d (dropout off), in output order; Evaluate gives
// their average. It is an error for a classifier, whose outputs are its
// classes (see NewReport).
func EvaluateTargets(m Model, d *datasets.Dataset) ([]TargetMetrics, error) {
	spec := m.Spec()
	if spec.Task() == models.Classification {
		return nil, fmt.Errorf("trainers: model %s is a classifier: its per-class figures are in NewReport", spec.Name)
	}
	if err := checkData(spec, d, "evaluation data"); err != nil {
		return nil, err
	}
	meter, err := measure(m, d)
	if err != nil {
		return nil, err
	}
	out := make([]TargetMetrics, spec.Units())
	for j := range out {
		name := fmt.Sprintf("y%d", j+1)
		if len(d.Targets) == len(out) {
			name = d.Targets[j]
		}
		out[j] = TargetMetrics{Target: name, Metrics: meter.target(j)}
	}
	return out, nil
}

var errNoTrainable = errors.New("the model has no trainable parameters")
