package trainers

import (
	"fmt"
	"io"
	"math"
	"strings"

	"gorgonia.org/tensor"
)

// watch follows one monitored figure across epochs and remembers its best
// value, for EarlyStopping and Checkpoint.
type watch struct {
	monitor   string
	maximise  bool
	minDelta  float64
	best      float64
	bestEpoch int
}

// start settles the figure to watch: name, or by default "val_loss" (or
// "loss" without validation data), and the direction from mode or from
// the name (accuracy and R² are maximised, losses and errors minimised).
func (w *watch) start(s *State, name, mode string, minDelta float64) error {
	w.monitor = name
	if w.monitor == "" {
		w.monitor = "val_" + LossName
		if s.ValSize == 0 {
			w.monitor = LossName
		}
	}
	if strings.HasPrefix(w.monitor, "val_") && s.ValSize == 0 {
		return fmt.Errorf("%q is monitored, but there is no validation data", w.monitor)
	}
	switch mode {
	case "min", "max":
		w.maximise = mode == "max"
	case "":
		base := strings.TrimPrefix(w.monitor, "val_")
		w.maximise = base == AccuracyName || base == R2Name
	default:
		return fmt.Errorf("mode %q is not min, max or empty", mode)
	}
	if minDelta < 0 {
		return fmt.Errorf("min delta %v must not be negative", minDelta)
	}
	w.minDelta, w.best, w.bestEpoch = minDelta, math.Inf(1), 0
	if w.maximise {
		w.best = math.Inf(-1)
	}
	return nil
}

// improved reports whether this epoch's figure beats the best by more than
// the min delta, and records it if so.
func (w *watch) improved(s *State) (bool, error) {
	v, ok := s.Logs[w.monitor]
	if !ok {
		return false, fmt.Errorf("%q is monitored but is not among the figures (%s)", w.monitor, strings.Join(sortedKeys(s.Logs), ", "))
	}
	better := v < w.best-w.minDelta
	if w.maximise {
		better = v > w.best+w.minDelta
	}
	if better {
		w.best, w.bestEpoch = v, s.Epoch
	}
	return better, nil
}

// EarlyStopping stops training when a monitored figure has stopped
// improving, as Keras' EarlyStopping does, and can put back the weights of
// the best epoch at the end.
type EarlyStopping struct {
	NopCallback
	// Monitor is the figure to watch (default "val_loss", or "loss" when
	// there is no validation data).
	Monitor string
	// Patience is the number of epochs without improvement after which
	// training stops.
	Patience int
	// MinDelta is the least change that counts as an improvement.
	MinDelta float64
	// Mode is "min", "max", or "" to infer it from the name: accuracy and
	// R² are maximised, losses and errors minimised.
	Mode string
	// RestoreBest puts back the weights of the best epoch when training
	// ends, however it ends.
	RestoreBest bool
	// Verbose, if not nil, receives Keras' messages ("Epoch 22: early
	// stopping", "Restoring model weights from the end of the best epoch:
	// 17.").
	Verbose io.Writer

	// BestEpoch and Best are the best epoch so far and its value;
	// StoppedEpoch is the epoch training stopped after (0 if it did not).
	BestEpoch, StoppedEpoch int
	Best                    float64

	w       watch
	wait    int
	weights []*tensor.Dense
}

// OnTrainBegin resets the state and settles what to monitor.
func (e *EarlyStopping) OnTrainBegin(s *State) error {
	if e.Patience < 0 {
		return fmt.Errorf("early stopping: patience %d must not be negative", e.Patience)
	}
	if err := e.w.start(s, e.Monitor, e.Mode, e.MinDelta); err != nil {
		return fmt.Errorf("early stopping: %w", err)
	}
	e.Best, e.BestEpoch, e.StoppedEpoch, e.wait, e.weights = e.w.best, 0, 0, 0, nil
	return nil
}

// OnEpochEnd records an improvement or counts an epoch without one, and
// asks to stop when the patience is used up.
func (e *EarlyStopping) OnEpochEnd(s *State) error {
	better, err := e.w.improved(s)
	if err != nil {
		return fmt.Errorf("early stopping: %w", err)
	}
	if better {
		e.Best, e.BestEpoch, e.wait = e.w.best, e.w.bestEpoch, 0
		if e.RestoreBest {
			e.weights = snapshot(s.Model, e.weights)
		}
		return nil
	}
	e.wait++
	if e.wait >= e.Patience {
		e.StoppedEpoch, s.Stop = s.Epoch, true
	}
	return nil
}

// OnTrainEnd reports the stop and restores the best weights.
func (e *EarlyStopping) OnTrainEnd(s *State) error {
	if e.StoppedEpoch > 0 && e.Verbose != nil {
		fmt.Fprintf(e.Verbose, "Epoch %d: early stopping\n", e.StoppedEpoch)
	}
	if e.RestoreBest && e.weights != nil {
		if e.Verbose != nil {
			fmt.Fprintf(e.Verbose, "Restoring model weights from the end of the best epoch: %d.\n", e.BestEpoch)
		}
		restore(s.Model, e.weights)
	}
	return nil
}

// Which weights a Checkpoint leaves in the model when training ends.
const (
	// KeepBest puts back the weights of the best epoch, however training
	// ends.
	KeepBest = "best"
	// KeepLast keeps the weights of the last completed epoch: when
	// training ends during an epoch (interrupted, diverged, failed), those
	// of the epoch before are put back.
	KeepLast = "last"
)

// Checkpoint keeps the weights of the best epoch so far, like Keras'
// ModelCheckpoint with save_best_only. Save, if set, is called whenever
// they improve, with the model holding them. Keep says which weights the
// model holds when training ends; by default (Keep "") training that ends
// early — interrupted, diverged or failed — puts the best weights back, so
// that what the caller saves afterwards is the best model so far, and
// training that runs to its end keeps its last weights.
type Checkpoint struct {
	NopCallback
	// Monitor and Mode are as for EarlyStopping.
	Monitor, Mode string
	// Keep is KeepBest, KeepLast or "" (see above).
	Keep string
	// Save is called after each improving epoch.
	Save func(s *State) error
	// BestEpoch and Best are the best epoch so far (0 before the first
	// epoch ends) and its value.
	BestEpoch int
	Best      float64

	w       watch
	weights []*tensor.Dense // the best epoch's, or the last one's for KeepLast
	kept    int             // the epoch of weights
}

// OnTrainBegin settles what to monitor.
func (c *Checkpoint) OnTrainBegin(s *State) error {
	switch c.Keep {
	case "", KeepBest, KeepLast:
	default:
		return fmt.Errorf("checkpoint: keep %q is not %q, %q or empty", c.Keep, KeepBest, KeepLast)
	}
	if err := c.w.start(s, c.Monitor, c.Mode, 0); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	c.BestEpoch, c.Best, c.weights, c.kept = 0, c.w.best, nil, 0
	return nil
}

// OnEpochEnd keeps the weights if they are the best so far (or, for
// KeepLast, in any case).
func (c *Checkpoint) OnEpochEnd(s *State) error {
	better, err := c.w.improved(s)
	if err != nil {
		return err
	}
	if better {
		c.BestEpoch, c.Best = c.w.bestEpoch, c.w.best
	}
	if better || c.Keep == KeepLast {
		c.weights, c.kept = snapshot(s.Model, c.weights), s.Epoch
	}
	if better && c.Save != nil {
		return c.Save(s)
	}
	return nil
}

// OnTrainEnd puts the kept weights back: always for KeepBest, when
// training ended early otherwise.
func (c *Checkpoint) OnTrainEnd(s *State) error {
	if c.weights != nil && (s.Err != nil || c.Keep == KeepBest) {
		restore(s.Model, c.weights)
		return nil
	}
	c.kept = len(s.History.Epochs)
	if c.kept > 0 {
		c.kept = s.History.Epochs[c.kept-1].Epoch
	}
	return nil
}

// KeptEpoch returns the epoch whose weights the model holds after
// training ended (0 if no epoch completed).
func (c *Checkpoint) KeptEpoch() int { return c.kept }

// snapshot copies the model's parameter values into dst (allocated on
// first use).
func snapshot(m Model, dst []*tensor.Dense) []*tensor.Dense {
	ps := m.Params()
	if dst == nil {
		dst = make([]*tensor.Dense, len(ps))
		for i, p := range ps {
			dst[i] = p.Value.Clone().(*tensor.Dense)
		}
		return dst
	}
	for i, p := range ps {
		copyData(dst[i], p.Value)
	}
	return dst
}

// restore copies saved values back into the model's own tensors, which
// every graph shares.
func restore(m Model, saved []*tensor.Dense) {
	for i, p := range m.Params() {
		copyData(p.Value, saved[i])
	}
}

func copyData(dst, src *tensor.Dense) {
	switch d := dst.Data().(type) {
	case []float32:
		copy(d, src.Data().([]float32))
	case []float64:
		copy(d, src.Data().([]float64))
	}
}
