package trainers

// Momentum is SGD with (heavy-ball, not Nesterov) momentum: v ← μ·v + g,
// w ← w − η·v, with the velocity v starting at 0, as in PyTorch's SGD and
// Gorgonia's Momentum solver. Keras' SGD(momentum=μ) keeps v' = −η·v
// instead (v' ← μ·v' − η·g, w ← w + v'), which takes the same steps while
// η stays constant.
type Momentum struct {
	// LearningRate is η (default 0.01).
	LearningRate float64
	// Momentum is μ, in [0, 1) (default 0.9, the customary value; for
	// none use SGD).
	Momentum float64
}

func (Momentum) Name() string      { return "momentum" }
func (o Momentum) BaseLR() float64 { return orDefault(o.LearningRate, 0.01) }
func (Momentum) Slots() int        { return 1 }

func (o Momentum) Validate() error {
	if err := checkLR(o.Name(), o.BaseLR()); err != nil {
		return err
	}
	return checkDecay(o.Name(), "momentum", o.mu())
}

func (o Momentum) mu() float64 { return orDefault(o.Momentum, 0.9) }

func (o Momentum) Update32(_ int, lr float64, w, g []float32, state [][]float32) {
	momentumStep(lr, o.mu(), w, g, state[0])
}

func (o Momentum) Update64(_ int, lr float64, w, g []float64, state [][]float64) {
	momentumStep(lr, o.mu(), w, g, state[0])
}

func momentumStep[T float32 | float64](lr, mu float64, w, g, vel []T) {
	eta, m := T(lr), T(mu)
	g, vel = g[:len(w)], vel[:len(w)]
	for j := range w {
		vel[j] = m*vel[j] + g[j]
		w[j] -= eta * vel[j]
	}
}
