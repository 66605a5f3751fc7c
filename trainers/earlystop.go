package trainers

import (
	"fmt"
	"io"
	"math"
	"strings"

	"gorgonia.org/tensor"
)

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

	wait     int
	monitor  string
	maximise bool
	weights  []*tensor.Dense
}

// OnTrainBegin resets the state and settles what to monitor.
func (e *EarlyStopping) OnTrainBegin(s *State) error {
	e.monitor = e.Monitor
	if e.monitor == "" {
		e.monitor = "val_" + LossName
		if s.ValSize == 0 {
			e.monitor = LossName
		}
	}
	if strings.HasPrefix(e.monitor, "val_") && s.ValSize == 0 {
		return fmt.Errorf("early stopping monitors %q, but there is no validation data", e.monitor)
	}
	switch e.Mode {
	case "min", "max":
		e.maximise = e.Mode == "max"
	case "":
		base := strings.TrimPrefix(e.monitor, "val_")
		e.maximise = base == AccuracyName || base == R2Name
	default:
		return fmt.Errorf("early stopping mode %q is not min, max or empty", e.Mode)
	}
	if e.Patience < 0 || e.MinDelta < 0 {
		return fmt.Errorf("early stopping patience %d and min delta %v must not be negative", e.Patience, e.MinDelta)
	}
	e.Best, e.BestEpoch, e.StoppedEpoch, e.wait, e.weights = math.Inf(1), 0, 0, 0, nil
	if e.maximise {
		e.Best = math.Inf(-1)
	}
	return nil
}

// OnEpochEnd records an improvement or counts an epoch without one, and
// asks to stop when the patience is used up.
func (e *EarlyStopping) OnEpochEnd(s *State) error {
	v, ok := s.Logs[e.monitor]
	if !ok {
		return fmt.Errorf("early stopping monitors %q, which is not among the figures (%s)", e.monitor, strings.Join(sortedKeys(s.Logs), ", "))
	}
	better := v < e.Best-e.MinDelta
	if e.maximise {
		better = v > e.Best+e.MinDelta
	}
	if better {
		e.Best, e.BestEpoch, e.wait = v, s.Epoch, 0
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
