package trainers

import "testing"

// Momentum is v ← μ·v + g, w ← w − η·v from v = 0.
func TestMomentumTrajectory(t *testing.T) {
	const lr, mu = 0.05, 0.8
	v := make([]float64, len(quadW0))
	checkTrajectory(t, Momentum{LearningRate: lr, Momentum: mu}, 20, func(_ int, w, g []float64) {
		for i := range w {
			v[i] = mu*v[i] + g[i]
			w[i] = w[i] - lr*v[i]
		}
	})
}
