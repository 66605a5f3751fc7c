package trainers

import "math"

// Adam is Adam (Kingma & Ba, 2015, Algorithm 1) with Keras' defaults: at
// step t, with the moments m and v starting at 0,
//
//	m ← β1·m + (1−β1)·g
//	v ← β2·v + (1−β2)·g²
//	w ← w − η·m̂/(√v̂ + ε),  m̂ = m/(1−β1^t), v̂ = v/(1−β2^t)
//
// This is Gorgonia's Adam solver too. Keras adds ε to √v before the bias
// correction instead ("epsilon hat"), that is ε/√(1−β2^t) in the formula
// above, a larger ε in the first steps; the two agree when √v̂ ≫ ε. AdamW
// follows Keras to the letter.
type Adam struct {
	// LearningRate is η (default 0.001).
	LearningRate float64
	// Beta1 and Beta2 are the moments' decay rates β1 and β2, in [0, 1)
	// (defaults 0.9 and 0.999).
	Beta1, Beta2 float64
	// Epsilon is ε (default 1e-7).
	Epsilon float64
}

func (Adam) Name() string      { return "adam" }
func (o Adam) BaseLR() float64 { return orDefault(o.LearningRate, 0.001) }
func (Adam) Slots() int        { return 2 }

// withDefaults fills in the zero fields.
func (o Adam) withDefaults() Adam {
	o.LearningRate = o.BaseLR()
	o.Beta1 = orDefault(o.Beta1, 0.9)
	o.Beta2 = orDefault(o.Beta2, 0.999)
	o.Epsilon = orDefault(o.Epsilon, 1e-7)
	return o
}

func (o Adam) Validate() error {
	return validateAdam(o.Name(), o.withDefaults())
}

// validateAdam checks Adam's hyper-parameters, shared with AdamW.
func validateAdam(name string, o Adam) error {
	if err := checkLR(name, o.LearningRate); err != nil {
		return err
	}
	if err := checkDecay(name, "β1", o.Beta1); err != nil {
		return err
	}
	if err := checkDecay(name, "β2", o.Beta2); err != nil {
		return err
	}
	return checkNonNegative(name, "ε", o.Epsilon)
}

func (o Adam) Update32(step int, lr float64, w, g []float32, state [][]float32) {
	adamStep(o.withDefaults(), step, lr, w, g, state[0], state[1])
}

func (o Adam) Update64(step int, lr float64, w, g []float64, state [][]float64) {
	adamStep(o.withDefaults(), step, lr, w, g, state[0], state[1])
}

// adamStep is one Adam update at step t (1-based) with learning rate lr.
func adamStep[T float32 | float64](o Adam, t int, lr float64, w, g, m, v []T) {
	b1, b2 := T(o.Beta1), T(o.Beta2)
	c1 := 1 / (1 - math.Pow(o.Beta1, float64(t)))
	c2 := 1 / (1 - math.Pow(o.Beta2, float64(t)))
	eta, eps := T(lr*c1), T(o.Epsilon)
	sc2 := T(math.Sqrt(c2))
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	j := 0
	if w32, ok := any(w).([]float32); ok && haveAVX && len(w) >= 8 {
		// The same operations, eight values at a time: the same bits.
		j = len(w) &^ 7
		adam8(&w32[0], &any(g).([]float32)[0], &any(m).([]float32)[0], &any(v).([]float32)[0], j,
			float32(b1), float32(1-b1), float32(b2), float32(1-b2), float32(eta), float32(sc2), float32(eps))
	}
	for ; j < len(w); j++ {
		m[j] = b1*m[j] + (1-b1)*g[j]
		v[j] = b2*v[j] + (1-b2)*g[j]*g[j]
		w[j] -= eta * m[j] / (sqrt(v[j])*sc2 + eps)
	}
}
