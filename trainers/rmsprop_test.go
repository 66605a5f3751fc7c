package trainers

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

// RMSProp is Keras' update_step (keras/src/optimizers/rmsprop.py, no
// momentum, not centred): velocity ← ρ·velocity + (1−ρ)·g²,
// w ← w − η·g/√(velocity + ε).
func TestRMSPropTrajectory(t *testing.T) {
	const lr, rho, eps = 0.05, 0.8, 1e-2
	velocity := make([]float64, len(quadW0))
	checkTrajectory(t, RMSProp{LearningRate: lr, Rho: rho, Epsilon: eps}, 20, func(_ int, w, g []float64) {
		for i := range w {
			velocity[i] = rho*velocity[i] + (1-rho)*(g[i]*g[i])
			w[i] = w[i] - lr*g[i]/math.Sqrt(velocity[i]+eps)
		}
	})
}

// The example of Keras' RMSprop docstring: var1 = 10, loss var1²/2,
// learning rate 0.1 gives 9.683772 after one step.
func TestRMSPropKerasExample(t *testing.T) {
	w := []float32{10}
	stepAtBase(newUpdater(RMSProp{LearningRate: 0.1}, tensor.Float32), []any{w}, []any{[]float32{w[0]}})
	if math.Abs(float64(w[0])-9.683772) > 1e-6 {
		t.Errorf("var1 = %v; Keras gives 9.683772", w[0])
	}
}
