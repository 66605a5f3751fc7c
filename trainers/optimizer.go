package trainers

import (
	"fmt"
	"math"
	"strings"
)

// Optimizer is an update rule with its hyper-parameters: GD, SGD,
// Momentum, Adam, RMSProp, AdamW, or one of your own. The concrete types
// are structs whose zero fields take the defaults, Keras' hyper-parameters
// (and μ 0.9 for Momentum): Adam{} has Keras' η, β1, β2 and ε, and
// Adam{LearningRate: 0.01} changes only η. Each type's comment gives its
// formula.
//
// The trainer owns the optimiser's state: Slots vectors per parameter, as
// long as the parameter and zeroed before the first update, which it
// passes to every update. An update is elementwise: value j of w, g and
// of each state vector depends only on value j of the others, so the
// trainer may split a large parameter into fixed pieces and update them
// concurrently, with the same bits whatever the number of cores.
type Optimizer interface {
	// Name is the optimiser's name for NewOptimizer and for messages:
	// "adam".
	Name() string
	// BaseLR is the base learning rate η, after defaults: the rate in
	// force unless a schedule changes it.
	BaseLR() float64
	// Slots is the number of state vectors per parameter: 0 for SGD, 1
	// for momentum, 2 for Adam.
	Slots() int
	// Validate reports hyper-parameters out of range.
	Validate() error
	// Update32 and Update64 apply update number step (1 for the first)
	// with learning rate lr to the weights w in place, given their
	// gradient g and the state vectors state[0..Slots()-1], all as long
	// as w.
	Update32(step int, lr float64, w, g []float32, state [][]float32)
	Update64(step int, lr float64, w, g []float64, state [][]float64)
}

// FullBatcher is implemented by optimisers that take one step per epoch
// from the gradient over the whole training set, like GD: Fit then makes
// the batch the whole training set.
type FullBatcher interface {
	FullBatch() bool
}

// isFullBatch says whether o is full-batch gradient descent.
func isFullBatch(o Optimizer) bool {
	fb, ok := o.(FullBatcher)
	return ok && fb.FullBatch()
}

// optimizers are the optimisers NewOptimizer knows, in the order
// OptimizerNames lists them. A new optimiser is its file and a line here.
var optimizers = []struct {
	name string
	new  func(lr float64) Optimizer
}{
	{"gd", func(lr float64) Optimizer { return GD{LearningRate: lr} }},
	{"sgd", func(lr float64) Optimizer { return SGD{LearningRate: lr} }},
	{"momentum", func(lr float64) Optimizer { return Momentum{LearningRate: lr} }},
	{"adam", func(lr float64) Optimizer { return Adam{LearningRate: lr} }},
	{"rmsprop", func(lr float64) Optimizer { return RMSProp{LearningRate: lr} }},
	{"adamw", func(lr float64) Optimizer { return AdamW{LearningRate: lr} }},
}

// NewOptimizer returns the optimiser called name (one of OptimizerNames)
// with learning rate lr and its other hyper-parameters at their defaults;
// lr 0 is the optimiser's default learning rate too.
func NewOptimizer(name string, lr float64) (Optimizer, error) {
	for _, o := range optimizers {
		if o.name == name {
			opt := o.new(lr)
			if err := opt.Validate(); err != nil {
				return nil, fmt.Errorf("trainers: %w", err)
			}
			return opt, nil
		}
	}
	return nil, fmt.Errorf("trainers: optimizer %q is not one of %s", name, strings.Join(OptimizerNames(), ", "))
}

// OptimizerNames lists the names NewOptimizer knows.
func OptimizerNames() []string {
	names := make([]string, len(optimizers))
	for i, o := range optimizers {
		names[i] = o.name
	}
	return names
}

// orDefault is v, or def when v is 0 (a field left at its zero value).
func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// checkLR reports a learning rate that is not a positive number.
func checkLR(name string, lr float64) error {
	if !(lr > 0) || math.IsInf(lr, 0) {
		return fmt.Errorf("%s: learning rate %v must be a positive number", name, lr)
	}
	return nil
}

// checkDecay reports a decay rate (momentum, β, ρ) outside [0, 1).
func checkDecay(name, what string, v float64) error {
	if !(v >= 0 && v < 1) {
		return fmt.Errorf("%s: %s %v is not in [0, 1)", name, what, v)
	}
	return nil
}

// checkNonNegative reports a value (ε, weight decay) that is negative,
// infinite or NaN.
func checkNonNegative(name, what string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 0) {
		return fmt.Errorf("%s: %s %v must be a non-negative number", name, what, v)
	}
	return nil
}

// sqrt is the square root in T's precision (correctly rounded for float32
// too).
func sqrt[T float32 | float64](x T) T { return T(math.Sqrt(float64(x))) }
