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
	// L1 is the coefficient λ of the penalty λ·Σ|W| added to the loss,
	// over the same kernels as L2: its gradient λ·sign(W) pushes small
	// weights to exactly zero (sparse weights). The reported training loss
	// includes it; validation losses do not.
	L1 float64
	// Seed seeds the shuffling, the dropout masks and the sampling noise.
	// With the model's own seed it makes a run reproducible bit for bit.
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

	// ClipNorm, if positive, rescales the gradients before each update so
	// that their global L2 norm over every trainable parameter is at most
	// ClipNorm, as PyTorch's clip_grad_norm_ does: they are multiplied by
	// ClipNorm/(norm + 1e-6) when that is below 1 (the norm is summed in
	// float64, in a fixed order).
	ClipNorm float64
	// ClassWeights, for a classifier, weighs each training sample's loss
	// by the weight of its class (by class index), as Keras' class_weight
	// does: the training loss of a batch is Σ w·loss / batch size. The
	// reported training loss is the weighted one; validation and
	// evaluation are not weighted. BalancedClassWeights computes
	// scikit-learn's "balanced" weights.
	ClassWeights []float64
	// SaveState, if set, is called at the end of every epoch, after the
	// callbacks, with the state from which the run can continue (a copy,
	// the caller's to keep). An error stops training with that error.
	SaveState func(*TrainState) error
	// Resume, if set, continues the run that saved it: Fit puts back the
	// model's parameters and everything else the state holds and goes on
	// with the next epoch, up to Epochs. The model, the data and the
	// settings must be those of the saved run (Epochs may grow); Fit
	// checks what it can and says what differs.
	Resume *TrainState
	// Info is saved in every TrainState, for the caller.
	Info []byte
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
	if !(c.L1 >= 0) || math.IsInf(c.L1, 0) {
		return c, fmt.Errorf("L1 coefficient %v must be a non-negative number", c.L1)
	}
	if !(c.ValidationSplit >= 0 && c.ValidationSplit < 1) {
		return c, fmt.Errorf("validation split %v is not in [0, 1)", c.ValidationSplit)
	}
	if !(c.ClipNorm >= 0) || math.IsInf(c.ClipNorm, 0) {
		return c, fmt.Errorf("gradient clipping norm %v must be a non-negative number", c.ClipNorm)
	}
	return c, nil
}

// DivergenceFactor is how far the training loss may grow before Fit stops
// with a *DivergenceError: a batch loss above DivergenceFactor times the
// reference, the mean training loss of the first epoch (during the first
// epoch, the loss of the first iteration), or 1 if that is smaller. A loss
// that becomes NaN or infinite stops training too.
const DivergenceFactor = 1e4

// DivergenceError reports a loss that became NaN or infinite, or grew by
// orders of magnitude (see DivergenceFactor): the weights have diverged and
// training cannot go on.
type DivergenceError struct {
	Epoch, Iteration, Iterations int
	Loss, LearningRate           float64
	// Limit is the loss that was exceeded, DivergenceFactor times the
	// Reference (or DivergenceFactor if the reference is below 1); both
	// are 0 when the loss became NaN or infinite.
	Limit, Reference float64
}

func (e *DivergenceError) Error() string {
	what := fmt.Sprintf("became %v", e.Loss)
	if e.Limit > 0 {
		what = fmt.Sprintf("grew to %.4g, over %.4g (%g times the first epoch's %.4g, or %g if that is below 1)",
			e.Loss, e.Limit, float64(DivergenceFactor), e.Reference, float64(DivergenceFactor))
	}
	return fmt.Sprintf("trainers: the loss %s at epoch %d, iteration %d/%d: training diverged; "+
		"try a smaller learning rate than %g (e.g. %g), standardise the features, or a smaller L2 penalty",
		what, e.Epoch, e.Iteration, e.Iterations, e.LearningRate, e.LearningRate/10)
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
	src        *rand.PCG // rng's source, whose state a TrainState saves; the dropout masks draw from it directly
	rng        *rand.Rand
	nets       map[int]*trainNet // by batch size
	upd        updater
	params     []*models.Param // trainable, in order
	state      State
	// reference is the loss divergence is measured from (see
	// DivergenceFactor), 0 before the first iteration.
	reference float64
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
	if err := checkClassWeights(spec, train, cfg.ClassWeights); err != nil {
		return nil, err
	}
	t := &trainer{m: m, spec: spec, train: train, val: val, cfg: cfg,
		src:  newSource(cfg.Seed),
		nets: map[int]*trainNet{},
	}
	t.rng = rand.New(t.src)
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
		TrainSize: train.Len(), History: &History{}, LearningRate: cfg.Optimizer.BaseLR()}
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
	if spec.Task() == models.Reconstruction {
		return checkReconstructionData(spec, d, what)
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
	first := 1
	if ts := t.cfg.Resume; ts != nil {
		if err := t.resume(ts, perm); err != nil {
			return err
		}
		if ts.Stopped {
			s.Stop = true
			return nil
		}
		first = ts.Epoch + 1
	}
	for epoch := first; epoch <= t.cfg.Epochs; epoch++ {
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
		if epoch == 1 {
			t.reference = logs[LossName]
		}
		if t.cfg.SaveState != nil {
			ts, err := t.trainState(perm)
			if err != nil {
				return err
			}
			if err := t.cfg.SaveState(ts); err != nil {
				return fmt.Errorf("trainers: saving the training state after epoch %d: %w", epoch, err)
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
		net.feed(t.train, idx, t.src, t.cfg.ClassWeights)
		fillNoise(net.noise, t.rng.NormFloat64)
		loss, err := net.run()
		if err != nil {
			return nil, fmt.Errorf("trainers: epoch %d, iteration %d: %w", s.Epoch, it+1, err)
		}
		if err := t.diverged(loss, it+1); err != nil {
			// Report it and leave the weights as they are.
			return nil, err
		}
		t.upd.step(net.ws, net.gs, s.LearningRate, t.cfg.ClipNorm)
		if err := net.updateStats(); err != nil {
			return nil, fmt.Errorf("trainers: epoch %d, iteration %d: %w", s.Epoch, it+1, err)
		}
		s.Iteration, s.Step, s.BatchLoss = it+1, s.Step+1, loss
		meter.addLoss(loss, len(idx))
		net.parts.addTo(meter, len(idx))
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

// diverged returns a *DivergenceError if the loss of iteration it is not a
// number or has grown beyond DivergenceFactor times the reference.
func (t *trainer) diverged(loss float64, it int) error {
	s := &t.state
	if t.reference == 0 && s.Epoch == 1 && it == 1 {
		t.reference = loss
	}
	ref := max(t.reference, 1)
	if !math.IsNaN(loss) && !math.IsInf(loss, 0) && loss <= DivergenceFactor*ref {
		return nil
	}
	e := &DivergenceError{Epoch: s.Epoch, Iteration: it, Iterations: s.Iterations, Loss: loss, LearningRate: s.LearningRate}
	if !math.IsNaN(loss) && !math.IsInf(loss, 0) {
		e.Limit, e.Reference = DivergenceFactor*ref, t.reference
	}
	return e
}

// net returns the training graph for a batch size, building it on first
// use: one for the batch size and one for a final partial batch.
func (t *trainer) net(batch int) (*trainNet, error) {
	if n, ok := t.nets[batch]; ok {
		return n, nil
	}
	n, err := newTrainNet(t.m, t.spec, batch, t.cfg.L1, t.cfg.L2, t.cfg.ClassWeights != nil)
	if err != nil {
		return nil, fmt.Errorf("trainers: building the training graph for batches of %d: %w", batch, err)
	}
	t.nets[batch] = n
	return n, nil
}

// Evaluate runs m on d with dropout off and returns the loss (without
// any L2 penalty) and the task's metrics: accuracy for classification; MSE,
// MAE and R² for regression; the MSE over every value for a
// reconstruction. Every sample counts, whatever the batch size. A model
// whose loss has extra terms (a VAE) also gets its data loss
// (reconstruction_loss) and each term (kl_loss), computed batch by batch
// through a loss graph; its sampling layers then draw their noise from a
// generator of fixed seed, as in training (PyTorch's VAE example samples
// when it tests too): the figures estimate the loss the model trains on,
// and are the same on every call.
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

// measure runs m on d and returns the filled meter. A model whose loss
// has extra terms is evaluated through loss graphs (measureLossGraph).
func measure(m Model, d *datasets.Dataset) (*meter, error) {
	if len(m.Spec().LossTerms()) > 0 {
		return measureLossGraph(m, d)
	}
	logits, err := m.Logits(d.X)
	if err != nil {
		return nil, err
	}
	meter := newMeter(m.Spec())
	if err := meter.addOutputs(logits, targetsOf(m.Spec(), d), true); err != nil {
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
	if spec.Task() == models.Reconstruction {
		return nil, fmt.Errorf("trainers: model %s reconstructs its input: Evaluate gives the error over every value", spec.Name)
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
