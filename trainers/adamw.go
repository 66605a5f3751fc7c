package trainers

import "math"

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter, 2019) as
// Keras computes it (keras/src/optimizers/adamw.py, adam.py, and
// base_optimizer.py's _apply_weight_decay): at step t, with the moments m
// and v starting at 0 and g the gradient at the weights before the step,
//
//	w ← w − w·λ·η                       (decay, before the Adam step)
//	m ← m + (g − m)·(1−β1)
//	v ← v + (g² − v)·(1−β2)
//	w ← w − m·α/(√v + ε),  α = η·√(1−β2^t)/(1−β1^t)
//
// Like Keras by default, AdamW decays every trainable parameter, biases
// included (Keras can exclude variables; AdamW cannot). The decay is not
// part of the loss, so the reported loss does not include it, unlike
// Config.L2's penalty. ε is Keras' "epsilon hat", added before the bias
// correction, where Adam adds it after (see Adam).
type AdamW struct {
	// LearningRate is η (default 0.001).
	LearningRate float64
	// Beta1 and Beta2 are the moments' decay rates β1 and β2, in [0, 1)
	// (defaults 0.9 and 0.999).
	Beta1, Beta2 float64
	// Epsilon is ε (default 1e-7).
	Epsilon float64
	// WeightDecay is λ (default 0.004): the decay alone shrinks the
	// weights by a factor 1 − η·λ per step.
	WeightDecay float64
}

func (AdamW) Name() string      { return "adamw" }
func (o AdamW) BaseLR() float64 { return orDefault(o.LearningRate, 0.001) }
func (AdamW) Slots() int        { return 2 }

// withDefaults fills in the zero fields.
func (o AdamW) withDefaults() AdamW {
	a := o.adam().withDefaults()
	o.LearningRate, o.Beta1, o.Beta2, o.Epsilon = a.LearningRate, a.Beta1, a.Beta2, a.Epsilon
	o.WeightDecay = orDefault(o.WeightDecay, 0.004)
	return o
}

// adam is o's Adam hyper-parameters.
func (o AdamW) adam() Adam {
	return Adam{LearningRate: o.LearningRate, Beta1: o.Beta1, Beta2: o.Beta2, Epsilon: o.Epsilon}
}

func (o AdamW) Validate() error {
	d := o.withDefaults()
	if err := validateAdam(o.Name(), d.adam()); err != nil {
		return err
	}
	return checkNonNegative(o.Name(), "weight decay", d.WeightDecay)
}

func (o AdamW) Update32(step int, lr float64, w, g []float32, state [][]float32) {
	adamwStep(o.withDefaults(), step, lr, w, g, state[0], state[1])
}

func (o AdamW) Update64(step int, lr float64, w, g []float64, state [][]float64) {
	adamwStep(o.withDefaults(), step, lr, w, g, state[0], state[1])
}

// adamwStep is one AdamW update at step t (1-based) with learning rate lr.
func adamwStep[T float32 | float64](o AdamW, t int, lr float64, w, g, m, v []T) {
	omb1, omb2 := T(1-o.Beta1), T(1-o.Beta2)
	alpha := T(lr * math.Sqrt(1-math.Pow(o.Beta2, float64(t))) / (1 - math.Pow(o.Beta1, float64(t))))
	eta, wd, eps := T(lr), T(o.WeightDecay), T(o.Epsilon)
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for j := range w {
		w[j] -= w[j] * wd * eta
		m[j] += (g[j] - m[j]) * omb1
		v[j] += (g[j]*g[j] - v[j]) * omb2
		w[j] -= m[j] * alpha / (sqrt(v[j]) + eps)
	}
}
