package trainers

import (
	"math"
	"testing"
)

// Adam is Kingma & Ba's Algorithm 1: m ← β1·m + (1−β1)·g,
// v ← β2·v + (1−β2)·g², m̂ = m/(1−β1^t), v̂ = v/(1−β2^t),
// w ← w − η·m̂/(√v̂ + ε).
func TestAdamTrajectory(t *testing.T) {
	const lr, b1, b2, eps = 0.1, 0.8, 0.99, 1e-3
	m, v := make([]float64, len(quadW0)), make([]float64, len(quadW0))
	checkTrajectory(t, Adam{LearningRate: lr, Beta1: b1, Beta2: b2, Epsilon: eps}, 20, func(step int, w, g []float64) {
		for i := range w {
			m[i] = b1*m[i] + (1-b1)*g[i]
			v[i] = b2*v[i] + (1-b2)*g[i]*g[i]
			mHat := m[i] / (1 - math.Pow(b1, float64(step)))
			vHat := v[i] / (1 - math.Pow(b2, float64(step)))
			w[i] = w[i] - lr*mHat/(math.Sqrt(vHat)+eps)
		}
	})
}
