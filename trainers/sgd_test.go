package trainers

import "testing"

// GD and SGD are w ← w − η·g.
func TestSGDTrajectory(t *testing.T) {
	for _, o := range []Optimizer{SGD{LearningRate: 0.1}, GD{LearningRate: 0.1}} {
		checkTrajectory(t, o, 20, func(_ int, w, g []float64) {
			for i := range w {
				w[i] = w[i] - 0.1*g[i]
			}
		})
	}
}
