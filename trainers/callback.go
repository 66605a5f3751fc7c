package trainers

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"
)

// Callback is called by Fit at the points of the training loop that Keras'
// callbacks know: progress output, early stopping and checkpointing plug in
// here. A callback that returns an error stops training, and Fit returns
// that error. To stop cleanly instead, set State.Stop. Embed NopCallback to
// implement only some of the hooks.
type Callback interface {
	// OnTrainBegin is called once, before the first epoch.
	OnTrainBegin(s *State) error
	// OnEpochBegin is called before each epoch.
	OnEpochBegin(s *State) error
	// OnBatchEnd is called after each iteration (one mini-batch update);
	// State.Logs holds the epoch's running averages so far.
	OnBatchEnd(s *State) error
	// OnEpochEnd is called after each epoch with the epoch's figures in
	// State.Logs, validation included.
	OnEpochEnd(s *State) error
	// OnTrainEnd is called once at the end, also when training stops early
	// on an error, a divergence or cancellation (State.Err says why).
	OnTrainEnd(s *State) error
}

// NopCallback implements Callback with hooks that do nothing, for
// embedding.
type NopCallback struct{}

// OnTrainBegin does nothing.
func (NopCallback) OnTrainBegin(*State) error { return nil }

// OnEpochBegin does nothing.
func (NopCallback) OnEpochBegin(*State) error { return nil }

// OnBatchEnd does nothing.
func (NopCallback) OnBatchEnd(*State) error { return nil }

// OnEpochEnd does nothing.
func (NopCallback) OnEpochEnd(*State) error { return nil }

// OnTrainEnd does nothing.
func (NopCallback) OnTrainEnd(*State) error { return nil }

// EpochEndFunc adapts a function to a Callback called at the end of each
// epoch.
type EpochEndFunc func(s *State) error

// OnTrainBegin does nothing.
func (EpochEndFunc) OnTrainBegin(*State) error { return nil }

// OnEpochBegin does nothing.
func (EpochEndFunc) OnEpochBegin(*State) error { return nil }

// OnBatchEnd does nothing.
func (EpochEndFunc) OnBatchEnd(*State) error { return nil }

// OnEpochEnd calls f.
func (f EpochEndFunc) OnEpochEnd(s *State) error { return f(s) }

// OnTrainEnd does nothing.
func (EpochEndFunc) OnTrainEnd(*State) error { return nil }

// BatchEndFunc adapts a function to a Callback called after each
// iteration, e.g. to record the path of the parameters.
type BatchEndFunc func(s *State) error

// OnTrainBegin does nothing.
func (BatchEndFunc) OnTrainBegin(*State) error { return nil }

// OnEpochBegin does nothing.
func (BatchEndFunc) OnEpochBegin(*State) error { return nil }

// OnBatchEnd calls f.
func (f BatchEndFunc) OnBatchEnd(s *State) error { return f(s) }

// OnEpochEnd does nothing.
func (BatchEndFunc) OnEpochEnd(*State) error { return nil }

// OnTrainEnd does nothing.
func (BatchEndFunc) OnTrainEnd(*State) error { return nil }

// State is what callbacks see of a training run.
type State struct {
	// Model is the model being trained.
	Model Model
	// Config is the run's configuration with defaults filled in.
	Config Config
	// Epoch is the current epoch, from 1 to Epochs.
	Epoch, Epochs int
	// Iteration is the current mini-batch within the epoch, from 1 to
	// Iterations; Step counts updates over the whole run.
	Iteration, Iterations, Step int
	// TrainSize and ValSize are the numbers of training and validation
	// samples.
	TrainSize, ValSize int
	// Logs holds the figures by name: running averages at a batch's end,
	// the epoch's results (with "val_" ones) at its end.
	Logs map[string]float64
	// BatchLoss is the loss of the last mini-batch (penalty included),
	// computed before its update: the noisy per-iteration curve.
	BatchLoss float64
	// LearningRate is the rate the updates use, the optimiser's base rate
	// unless a schedule (a callback) changes it.
	LearningRate float64
	// History holds the completed epochs.
	History *History
	// Stop, set by a callback, ends training after the current epoch (or
	// after the current iteration when set in OnBatchEnd).
	Stop bool
	// Err is set at OnTrainEnd when training ended early: the divergence,
	// cancellation or callback error Fit returns.
	Err error
}

// History records every epoch of a training run.
type History struct {
	Epochs []EpochLog
}

// EpochLog is one epoch's figures.
type EpochLog struct {
	// Epoch counts from 1.
	Epoch int
	// Logs holds the figures by name: "loss" and the task's metrics
	// ("accuracy"; or "mse", "mae", "r2"), and the same with "val_" for the
	// validation set.
	Logs map[string]float64
	// Duration is the epoch's wall-clock time, validation included.
	Duration time.Duration
}

// Names returns the names of the recorded figures, sorted.
func (h *History) Names() []string {
	seen := map[string]bool{}
	for _, e := range h.Epochs {
		for k := range e.Logs {
			seen[k] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// sortedKeys returns a map's keys in order.
func sortedKeys(m map[string]float64) []string { return slices.Sorted(maps.Keys(m)) }

// Values returns one figure for every epoch (NaN where it is missing).
func (h *History) Values(name string) []float64 {
	out := make([]float64, len(h.Epochs))
	for i, e := range h.Epochs {
		v, ok := e.Logs[name]
		if !ok {
			v = math.NaN()
		}
		out[i] = v
	}
	return out
}

// Last returns the last epoch's figures, or nil for an empty history.
func (h *History) Last() map[string]float64 {
	if len(h.Epochs) == 0 {
		return nil
	}
	return h.Epochs[len(h.Epochs)-1].Logs
}

// WriteCSV writes the history as CSV: a header "epoch,<names...>,seconds"
// and one row per epoch.
func (h *History) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	names := h.Names()
	if err := cw.Write(append(append([]string{"epoch"}, names...), "seconds")); err != nil {
		return err
	}
	for _, e := range h.Epochs {
		row := []string{strconv.Itoa(e.Epoch)}
		for _, n := range names {
			v, ok := e.Logs[n]
			if !ok {
				row = append(row, "")
				continue
			}
			row = append(row, strconv.FormatFloat(v, 'g', 8, 64))
		}
		row = append(row, fmt.Sprintf("%.3f", e.Duration.Seconds()))
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
