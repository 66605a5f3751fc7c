package trainers

// RMSProp is RMSprop (Hinton, 2012, lecture 6e) as Keras computes it
// (keras/src/optimizers/rmsprop.py, without momentum or centring): with
// the mean square v starting at 0,
//
//	v ← ρ·v + (1−ρ)·g²
//	w ← w − η·g/√(v + ε)
//
// ε inside the square root, as in Keras, TensorFlow and Gorgonia's
// RMSProp solver (PyTorch adds it to √v instead).
type RMSProp struct {
	// LearningRate is η (default 0.001).
	LearningRate float64
	// Rho is the mean square's decay rate ρ, in [0, 1) (default 0.9).
	Rho float64
	// Epsilon is ε (default 1e-7).
	Epsilon float64
}

func (RMSProp) Name() string      { return "rmsprop" }
func (o RMSProp) BaseLR() float64 { return orDefault(o.LearningRate, 0.001) }
func (RMSProp) Slots() int        { return 1 }

func (o RMSProp) rho() float64 { return orDefault(o.Rho, 0.9) }
func (o RMSProp) eps() float64 { return orDefault(o.Epsilon, 1e-7) }

func (o RMSProp) Validate() error {
	if err := checkLR(o.Name(), o.BaseLR()); err != nil {
		return err
	}
	if err := checkDecay(o.Name(), "ρ", o.rho()); err != nil {
		return err
	}
	return checkNonNegative(o.Name(), "ε", o.eps())
}

func (o RMSProp) Update32(_ int, lr float64, w, g []float32, state [][]float32) {
	rmspropStep(lr, o.rho(), o.eps(), w, g, state[0])
}

func (o RMSProp) Update64(_ int, lr float64, w, g []float64, state [][]float64) {
	rmspropStep(lr, o.rho(), o.eps(), w, g, state[0])
}

func rmspropStep[T float32 | float64](lr, rho, epsilon float64, w, g, v []T) {
	eta, r, omr, eps := T(lr), T(rho), T(1-rho), T(epsilon)
	g, v = g[:len(w)], v[:len(w)]
	for j := range w {
		v[j] = r*v[j] + omr*(g[j]*g[j])
		w[j] -= eta * g[j] / sqrt(v[j]+eps)
	}
}
