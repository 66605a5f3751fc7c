package trainers

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
)

// LearningRateName is the name under which the learning-rate schedules
// record each epoch's rate in the logs and the history, as Keras does.
const LearningRateName = "learning_rate"

// The learning rate in force is State.LearningRate: Fit starts it at the
// optimiser's base rate (BaseLR) and uses it for every update, and a
// schedule is a callback that changes it. StepDecay and CosineDecay set it
// at the start of each epoch from the epoch's number; ReduceLROnPlateau
// lowers it at the end of an epoch when a figure has stopped improving.
// Each records the rate the epoch trained with as "learning_rate" in its
// figures: put it before Progress among the callbacks to see it printed.

// StepDecay multiplies the learning rate by Factor every Every epochs, as
// PyTorch's StepLR does: the rate of epoch e (from 1) is
//
//	η_e = η · Factor^⌊(e−1)/Every⌋
//
// with η the optimiser's base rate.
type StepDecay struct {
	NopCallback
	// Every is the number of epochs between two decays (at least 1).
	Every int
	// Factor multiplies the rate at each decay, in (0, 1] (default 0.1,
	// PyTorch's γ).
	Factor float64
}

func (d *StepDecay) factor() float64 { return orDefault(d.Factor, 0.1) }

// Rate returns the learning rate of epoch e (from 1) for base rate base.
func (d *StepDecay) Rate(e int, base float64) float64 {
	return base * math.Pow(d.factor(), float64((e-1)/d.Every))
}

// OnTrainBegin checks the settings.
func (d *StepDecay) OnTrainBegin(*State) error {
	if d.Every < 1 {
		return fmt.Errorf("step decay: every %d epochs: want at least 1", d.Every)
	}
	if f := d.factor(); !(f > 0 && f <= 1) {
		return fmt.Errorf("step decay: factor %v is not in (0, 1]", f)
	}
	return nil
}

// OnEpochBegin sets the epoch's rate.
func (d *StepDecay) OnEpochBegin(s *State) error {
	s.LearningRate = d.Rate(s.Epoch, s.Config.Optimizer.BaseLR())
	return nil
}

// OnEpochEnd records the epoch's rate.
func (d *StepDecay) OnEpochEnd(s *State) error {
	s.Logs[LearningRateName] = s.LearningRate
	return nil
}

// CosineDecay anneals the learning rate from the optimiser's base rate η
// towards MinRate over the run's epochs E along half a cosine, as PyTorch's
// CosineAnnealingLR with T_max = E stepped once per epoch: the rate of
// epoch e (from 1) is
//
//	η_e = MinRate + (η − MinRate)·(1 + cos(π·(e−1)/E))/2
//
// so the first epoch trains at η and the last just above MinRate.
type CosineDecay struct {
	NopCallback
	// MinRate is the rate the schedule tends to (default 0), below the
	// base rate.
	MinRate float64
}

// Rate returns the learning rate of epoch e (from 1) of epochs for base
// rate base.
func (d *CosineDecay) Rate(e, epochs int, base float64) float64 {
	return d.MinRate + (base-d.MinRate)*(1+math.Cos(math.Pi*float64(e-1)/float64(epochs)))/2
}

// OnTrainBegin checks the settings.
func (d *CosineDecay) OnTrainBegin(s *State) error {
	if !(d.MinRate >= 0 && d.MinRate < s.Config.Optimizer.BaseLR()) {
		return fmt.Errorf("cosine decay: the minimum rate %v must be in [0, the base rate %v)", d.MinRate, s.Config.Optimizer.BaseLR())
	}
	return nil
}

// OnEpochBegin sets the epoch's rate.
func (d *CosineDecay) OnEpochBegin(s *State) error {
	s.LearningRate = d.Rate(s.Epoch, s.Epochs, s.Config.Optimizer.BaseLR())
	return nil
}

// OnEpochEnd records the epoch's rate.
func (d *CosineDecay) OnEpochEnd(s *State) error {
	s.Logs[LearningRateName] = s.LearningRate
	return nil
}

// ReduceLROnPlateau multiplies the learning rate by Factor when a
// monitored figure has not improved for Patience epochs, as Keras'
// ReduceLROnPlateau does, with its defaults and its rules: an improvement
// is a change beyond MinDelta; after a reduction, Cooldown epochs pass
// before counting again; the rate never goes below MinRate. The new rate
// applies from the next epoch.
type ReduceLROnPlateau struct {
	NopCallback
	// Monitor is the figure to watch (default "val_loss", or "loss"
	// without validation data); Mode as for EarlyStopping.
	Monitor, Mode string
	// Factor multiplies the rate at each reduction, in (0, 1) (default
	// 0.1).
	Factor float64
	// Patience is the number of epochs without improvement before a
	// reduction (0 means Keras' default, 10; Keras' patience 0 acts as 1).
	Patience int
	// MinDelta is the least change that counts as an improvement (0 means
	// Keras' default, 1e-4; a negative value counts any change).
	MinDelta float64
	// Cooldown is the number of epochs after a reduction during which
	// epochs without improvement are not counted.
	Cooldown int
	// MinRate is the lowest rate it sets.
	MinRate float64
	// Verbose, if not nil, receives Keras' message: "Epoch 12:
	// ReduceLROnPlateau reducing learning rate to 0.0001."
	Verbose io.Writer

	w        watch
	wait     int
	cooldown int
}

func (r *ReduceLROnPlateau) settings() (factor float64, patience int, minDelta float64) {
	factor = orDefault(r.Factor, 0.1)
	patience = r.Patience
	if patience == 0 {
		patience = 10
	}
	minDelta = r.MinDelta
	switch {
	case minDelta == 0:
		minDelta = 1e-4
	case minDelta < 0:
		minDelta = 0
	}
	return factor, patience, minDelta
}

// OnTrainBegin checks the settings and settles what to monitor.
func (r *ReduceLROnPlateau) OnTrainBegin(s *State) error {
	factor, patience, minDelta := r.settings()
	switch {
	case !(factor > 0 && factor < 1):
		return fmt.Errorf("reduce on plateau: factor %v is not in (0, 1)", factor)
	case patience < 0:
		return fmt.Errorf("reduce on plateau: patience %d must not be negative", patience)
	case r.Cooldown < 0:
		return fmt.Errorf("reduce on plateau: cooldown %d must not be negative", r.Cooldown)
	case !(r.MinRate >= 0) || math.IsInf(r.MinRate, 0):
		return fmt.Errorf("reduce on plateau: minimum rate %v must be a non-negative number", r.MinRate)
	}
	if err := r.w.start(s, r.Monitor, r.Mode, minDelta); err != nil {
		return fmt.Errorf("reduce on plateau: %w", err)
	}
	r.wait, r.cooldown = 0, 0
	return nil
}

// OnEpochEnd records the epoch's rate and reduces it after Patience
// epochs without improvement.
func (r *ReduceLROnPlateau) OnEpochEnd(s *State) error {
	s.Logs[LearningRateName] = s.LearningRate
	factor, patience, _ := r.settings()
	if r.cooldown > 0 {
		r.cooldown--
		r.wait = 0
	}
	better, err := r.w.improved(s)
	if err != nil {
		return fmt.Errorf("reduce on plateau: %w", err)
	}
	switch {
	case better:
		r.wait = 0
	case r.cooldown == 0: // as Keras: the last cooldown epoch counts
		r.wait++
		if r.wait >= patience && s.LearningRate > r.MinRate {
			s.LearningRate = max(s.LearningRate*factor, r.MinRate)
			if r.Verbose != nil {
				fmt.Fprintf(r.Verbose, "Epoch %d: ReduceLROnPlateau reducing learning rate to %s.\n", s.Epoch, strconv.FormatFloat(s.LearningRate, 'g', -1, 64))
			}
			r.cooldown, r.wait = r.Cooldown, 0
		}
	}
	return nil
}

// plateauState is what a resumed run needs of ReduceLROnPlateau.
type plateauState struct {
	Best      number `json:"best"`
	BestEpoch int    `json:"best_epoch"`
	Wait      int    `json:"wait"`
	Cooldown  int    `json:"cooldown"`
}

// SaveState returns the counters and the best value so far.
func (r *ReduceLROnPlateau) SaveState() ([]byte, error) {
	return json.Marshal(plateauState{Best: number(r.w.best), BestEpoch: r.w.bestEpoch, Wait: r.wait, Cooldown: r.cooldown})
}

// RestoreState puts back what SaveState returned.
func (r *ReduceLROnPlateau) RestoreState(_ *State, data []byte) error {
	var st plateauState
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("reduce on plateau: %w", err)
	}
	r.w.best, r.w.bestEpoch, r.wait, r.cooldown = float64(st.Best), st.BestEpoch, st.Wait, st.Cooldown
	return nil
}
