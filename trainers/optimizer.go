package trainers

import (
	"fmt"
	"math"

	"github.com/dlgo/dlgo/internal/gemm"
	"gorgonia.org/tensor"
)

// The optimisers.
const (
	// GD is full-batch gradient descent: one update per epoch from the
	// gradient over the whole training set.
	GD = "gd"
	// SGD is mini-batch stochastic gradient descent, w ← w - η·g; batch
	// size 1 is online SGD.
	SGD = "sgd"
	// MomentumSGD is SGD with momentum: v ← μ·v + g, w ← w - η·v.
	MomentumSGD = "momentum"
	// AdamOpt is Adam (Kingma & Ba, 2015) with bias correction.
	AdamOpt = "adam"
)

// Optimizer is an update rule with its hyper-parameters. Build one with
// GradientDescent, StochasticGD, Momentum or Adam; fields left zero take
// the defaults documented there.
type Optimizer struct {
	// Name is one of GD, SGD, MomentumSGD, AdamOpt.
	Name string
	// LearningRate is η.
	LearningRate float64
	// Momentum is μ, for MomentumSGD (default 0.9).
	Momentum float64
	// Beta1, Beta2 and Epsilon are Adam's (defaults 0.9, 0.999, 1e-7).
	Beta1, Beta2, Epsilon float64
}

// GradientDescent returns full-batch gradient descent with learning rate
// lr (default 0.01 when lr is 0).
func GradientDescent(lr float64) Optimizer { return Optimizer{Name: GD, LearningRate: lr} }

// StochasticGD returns mini-batch SGD with learning rate lr (default 0.01).
func StochasticGD(lr float64) Optimizer { return Optimizer{Name: SGD, LearningRate: lr} }

// Momentum returns SGD with momentum mu (default 0.9) and learning rate lr
// (default 0.01).
func Momentum(lr, mu float64) Optimizer {
	return Optimizer{Name: MomentumSGD, LearningRate: lr, Momentum: mu}
}

// Adam returns Adam with learning rate lr (default 0.001).
func Adam(lr float64) Optimizer { return Optimizer{Name: AdamOpt, LearningRate: lr} }

// withDefaults fills in zero fields and checks the values.
func (o Optimizer) withDefaults() (Optimizer, error) {
	if o.Name == "" {
		o.Name = AdamOpt
	}
	switch o.Name {
	case GD, SGD, MomentumSGD:
		if o.LearningRate == 0 {
			o.LearningRate = 0.01
		}
	case AdamOpt:
		if o.LearningRate == 0 {
			o.LearningRate = 0.001
		}
	default:
		return o, fmt.Errorf("optimizer %q is not one of gd, sgd, momentum, adam", o.Name)
	}
	if o.Name == MomentumSGD && o.Momentum == 0 {
		o.Momentum = 0.9
	}
	if o.Name == AdamOpt {
		if o.Beta1 == 0 {
			o.Beta1 = 0.9
		}
		if o.Beta2 == 0 {
			o.Beta2 = 0.999
		}
		if o.Epsilon == 0 {
			o.Epsilon = 1e-7
		}
	}
	switch {
	case !(o.LearningRate > 0) || math.IsInf(o.LearningRate, 0):
		return o, fmt.Errorf("learning rate %v must be a positive number", o.LearningRate)
	case o.Momentum < 0 || o.Momentum >= 1:
		return o, fmt.Errorf("momentum %v is not in [0, 1)", o.Momentum)
	case o.Beta1 < 0 || o.Beta1 >= 1 || o.Beta2 < 0 || o.Beta2 >= 1:
		return o, fmt.Errorf("Adam's betas %v and %v must be in [0, 1)", o.Beta1, o.Beta2)
	case o.Epsilon < 0:
		return o, fmt.Errorf("Adam's epsilon %v must not be negative", o.Epsilon)
	}
	return o, nil
}

// updater applies an optimiser's update to parameters in place, given
// their gradients; ws[i] and gs[i] are []float32 or []float64 of the same
// length. It keeps the optimiser's state (velocities, moments) per
// parameter, by position.
type updater interface {
	step(ws, gs []any)
}

// newUpdater returns an updater for parameters of dtype dt.
func newUpdater(o Optimizer, dt tensor.Dtype) updater {
	if dt == tensor.Float64 {
		return &typedUpdater[float64]{o: o}
	}
	return &typedUpdater[float32]{o: o}
}

type typedUpdater[T float32 | float64] struct {
	o    Optimizer
	t    int   // updates so far
	m, v [][]T // momentum velocity or Adam moments, per parameter
}

func (u *typedUpdater[T]) step(ws, gs []any) {
	u.t++
	if u.m == nil {
		u.m = make([][]T, len(ws))
		u.v = make([][]T, len(ws))
	}
	for i := range ws {
		w, g := ws[i].([]T), gs[i].([]T)
		switch u.o.Name {
		case GD, SGD:
			lr := T(u.o.LearningRate)
			for j := range w {
				w[j] -= lr * g[j]
			}
		case MomentumSGD:
			if u.m[i] == nil {
				u.m[i] = make([]T, len(w))
			}
			lr, mu, vel := T(u.o.LearningRate), T(u.o.Momentum), u.m[i]
			for j := range w {
				vel[j] = mu*vel[j] + g[j]
				w[j] -= lr * vel[j]
			}
		case AdamOpt:
			if u.m[i] == nil {
				u.m[i], u.v[i] = make([]T, len(w)), make([]T, len(w))
			}
			m, v := u.m[i], u.v[i]
			if len(w) < 1<<14 {
				adamStep(w, g, m, v, u.o, u.t)
				break
			}
			// Each value's update is independent: share large tensors
			// between the cores, in fixed pieces.
			gemm.Parallel(len(w), 8, func(lo, hi int) {
				adamStep(w[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi], u.o, u.t)
			})
		}
	}
}

// adamStep is one Adam update at step t (1-based):
// m ← β1·m + (1-β1)·g, v ← β2·v + (1-β2)·g², w ← w - η·m̂/(√v̂ + ε) with
// m̂ = m/(1-β1^t), v̂ = v/(1-β2^t).
func adamStep[T float32 | float64](w, g, m, v []T, o Optimizer, t int) {
	b1, b2 := T(o.Beta1), T(o.Beta2)
	c1 := 1 / (1 - math.Pow(o.Beta1, float64(t)))
	c2 := 1 / (1 - math.Pow(o.Beta2, float64(t)))
	lr, eps := T(o.LearningRate*c1), T(o.Epsilon)
	sc2 := T(math.Sqrt(c2))
	for j := range w {
		m[j] = b1*m[j] + (1-b1)*g[j]
		v[j] = b2*v[j] + (1-b2)*g[j]*g[j]
		w[j] -= lr * m[j] / (T(math.Sqrt(float64(v[j])))*sc2 + eps)
	}
}
