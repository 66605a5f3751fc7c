package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/trainers"
)

// addControlFlags binds the flags of the training controls (learning-rate
// schedules, class weights, clipping, which epoch to keep) and of the run
// directory (-resume, -overwrite).
func addControlFlags(fs *flag.FlagSet, c *config) {
	fs.StringVar(&c.Keep, "keep", c.Keep, "whose weights the saved model has, `best|last`: the epoch with the best val_loss (loss without validation data), or the last completed epoch (default best with -patience, last otherwise)")
	fs.StringVar(&c.LRSchedule, "lr-schedule", c.LRSchedule, "learning-rate `schedule`: step (×lr-factor every -lr-step epochs, PyTorch's StepLR), cosine (from -lr down towards -lr-min over the epochs, PyTorch's CosineAnnealingLR) or plateau (×lr-factor after -lr-patience epochs without improvement of val_loss, Keras' ReduceLROnPlateau) (default none)")
	fs.IntVar(&c.LRStep, "lr-step", c.LRStep, "step schedule: `epochs` between two decays (default a third of the epochs)")
	fs.Float64Var(&c.LRFactor, "lr-factor", c.LRFactor, "step and plateau schedules: `factor` multiplying the rate at each decay (default 0.1)")
	fs.IntVar(&c.LRPatience, "lr-patience", c.LRPatience, "plateau schedule: `epochs` without improvement before a decay (default 10)")
	fs.Float64Var(&c.LRMin, "lr-min", c.LRMin, "cosine and plateau schedules: the lowest learning `rate` (default 0)")
	fs.StringVar(&c.ClassWeight, "class-weight", c.ClassWeight, "weigh each training sample's loss by its class: balanced (n/(classes·n_class), scikit-learn's) or `weights` by class name, e.g. cat=1,dog=3 (unnamed classes weigh 1)")
	fs.Float64Var(&c.Clip, "clip", c.Clip, "clip the gradients to this global L2 `norm` before each update (PyTorch's clip_grad_norm_; 0 = off)")
	fs.StringVar(&c.Resume, "resume", c.Resume, "continue the interrupted or crashed run in this `directory`, with its settings (-epochs may raise its epochs)")
	fs.BoolVar(&c.Overwrite, "overwrite", c.Overwrite, "replace the run in an existing -out directory (its files are removed first)")
}

// resolveControls fills in the controls' defaults and checks them.
func (c *config) resolveControls() error {
	switch c.Keep {
	case "":
		c.Keep = trainers.KeepLast
		if c.Patience > 0 {
			c.Keep = trainers.KeepBest
		}
	case trainers.KeepBest, trainers.KeepLast:
	default:
		return fmt.Errorf("-keep %q is not best or last", c.Keep)
	}
	switch c.LRSchedule {
	case "", "none":
		c.LRSchedule = ""
		for _, f := range []string{"lr-step", "lr-factor", "lr-patience", "lr-min"} {
			if c.set[f] {
				return fmt.Errorf("-%s sets a learning-rate schedule: choose one with -lr-schedule step, cosine or plateau", f)
			}
		}
	case "step":
		if c.LRStep == 0 {
			c.LRStep = max(1, (c.Epochs+2)/3)
		}
		if c.LRStep < 1 {
			return fmt.Errorf("-lr-step %d must be at least 1 epoch", c.LRStep)
		}
	case "cosine":
		if !(c.LRMin >= 0 && c.LRMin < c.LR) {
			return fmt.Errorf("-lr-min %v must be in [0, -lr %v)", c.LRMin, c.LR)
		}
	case "plateau":
		if c.LRPatience < 0 {
			return fmt.Errorf("-lr-patience %d must not be negative", c.LRPatience)
		}
		if !(c.LRMin >= 0) || math.IsInf(c.LRMin, 0) {
			return fmt.Errorf("-lr-min %v must be a non-negative number", c.LRMin)
		}
	default:
		return fmt.Errorf("-lr-schedule %q is not step, cosine or plateau", c.LRSchedule)
	}
	if c.LRSchedule == "step" || c.LRSchedule == "plateau" {
		if c.LRFactor == 0 {
			c.LRFactor = 0.1
		}
		if !(c.LRFactor > 0 && c.LRFactor < 1) {
			return fmt.Errorf("-lr-factor %v is not in (0, 1)", c.LRFactor)
		}
	}
	if !(c.Clip >= 0) || math.IsInf(c.Clip, 0) {
		return fmt.Errorf("-clip %v must be a non-negative number", c.Clip)
	}
	if c.ClassWeight != "" && c.ClassWeight != "balanced" {
		if _, err := parseClassWeights(c.ClassWeight); err != nil {
			return err
		}
	}
	return nil
}

// scheduleCallback returns the callback of the learning-rate schedule, or
// nil without one. Its messages go to w.
func (c *config) scheduleCallback(w io.Writer) trainers.Callback {
	switch c.LRSchedule {
	case "step":
		return &trainers.StepDecay{Every: c.LRStep, Factor: c.LRFactor}
	case "cosine":
		return &trainers.CosineDecay{MinRate: c.LRMin}
	case "plateau":
		return &trainers.ReduceLROnPlateau{Factor: c.LRFactor, Patience: c.LRPatience, MinRate: c.LRMin, Verbose: w}
	}
	return nil
}

// parseClassWeights parses "cat=1,dog=3" into weights by class name.
func parseClassWeights(s string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		i := strings.LastIndex(f, "=")
		if i <= 0 {
			return nil, fmt.Errorf("-class-weight %q: %q is not class=weight (or use -class-weight balanced)", s, f)
		}
		name := strings.TrimSpace(f[:i])
		w, err := strconv.ParseFloat(strings.TrimSpace(f[i+1:]), 64)
		if err != nil || !(w >= 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("-class-weight %q: the weight of %s must be a non-negative number", s, name)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("-class-weight %q: class %s is given twice", s, name)
		}
		out[name] = w
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-class-weight %q names no class", s)
	}
	return out, nil
}

// classWeights returns the weight of each class of the training data, in
// class order, or nil without -class-weight.
func (c *config) classWeights(train *datasets.Dataset) ([]float64, error) {
	if c.ClassWeight == "" {
		return nil, nil
	}
	if !train.IsClassification() {
		return nil, fmt.Errorf("-class-weight weighs the classes of a classifier; %s has numeric targets", train.Name)
	}
	if c.ClassWeight == "balanced" {
		return trainers.BalancedClassWeights(train)
	}
	byName, err := parseClassWeights(c.ClassWeight)
	if err != nil {
		return nil, err
	}
	w := make([]float64, len(train.Classes))
	for i, name := range train.Classes {
		w[i] = 1
		if v, ok := byName[name]; ok {
			w[i] = v
			delete(byName, name)
		}
	}
	for name := range byName {
		return nil, fmt.Errorf("-class-weight: %s is not one of the classes %s", name, strings.Join(train.Classes, ", "))
	}
	return w, nil
}
