package trainers

// SGD is mini-batch stochastic gradient descent, w ← w − η·g, Keras' SGD
// without momentum; batch size 1 is online SGD.
type SGD struct {
	// LearningRate is η (default 0.01, as in Keras).
	LearningRate float64
}

func (SGD) Name() string      { return "sgd" }
func (o SGD) BaseLR() float64 { return orDefault(o.LearningRate, 0.01) }
func (SGD) Slots() int        { return 0 }
func (o SGD) Validate() error { return checkLR(o.Name(), o.BaseLR()) }

func (SGD) Update32(_ int, lr float64, w, g []float32, _ [][]float32) {
	sgdStep(lr, w, g)
}

func (SGD) Update64(_ int, lr float64, w, g []float64, _ [][]float64) {
	sgdStep(lr, w, g)
}

// sgdStep is w ← w − η·g.
func sgdStep[T float32 | float64](lr float64, w, g []T) {
	eta := T(lr)
	g = g[:len(w)]
	for j := range w {
		w[j] -= eta * g[j]
	}
}
