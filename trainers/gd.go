package trainers

// GD is full-batch gradient descent, w ← w − η·g: one update per epoch
// from the gradient over the whole training set. Fit makes the batch the
// whole training set (Config.BatchSize must be 0 or its size); for
// mini-batches use SGD, the same rule.
type GD struct {
	// LearningRate is η (default 0.01).
	LearningRate float64
}

func (GD) Name() string      { return "gd" }
func (o GD) BaseLR() float64 { return orDefault(o.LearningRate, 0.01) }
func (GD) Slots() int        { return 0 }
func (o GD) Validate() error { return checkLR(o.Name(), o.BaseLR()) }
func (GD) FullBatch() bool   { return true }

func (GD) Update32(_ int, lr float64, w, g []float32, _ [][]float32) {
	sgdStep(lr, w, g)
}

func (GD) Update64(_ int, lr float64, w, g []float64, _ [][]float64) {
	sgdStep(lr, w, g)
}
