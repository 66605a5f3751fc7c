package trainers

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

// AdamW is Keras' _apply_weight_decay (keras/src/optimizers/
// base_optimizer.py) followed by Adam's update_step (adam.py), with the
// gradient taken before the decay:
//
//	w ← w − w·λ·η
//	m ← m + (g − m)·(1−β1), v ← v + (g² − v)·(1−β2)
//	α = η·√(1−β2^t)/(1−β1^t), w ← w − m·α/(√v + ε)
func TestAdamWTrajectory(t *testing.T) {
	const lr, b1, b2, eps, wd = 0.1, 0.8, 0.99, 1e-3, 0.5
	m, v := make([]float64, len(quadW0)), make([]float64, len(quadW0))
	o := AdamW{LearningRate: lr, Beta1: b1, Beta2: b2, Epsilon: eps, WeightDecay: wd}
	checkTrajectory(t, o, 20, func(step int, w, g []float64) {
		alpha := lr * math.Sqrt(1-math.Pow(b2, float64(step))) / (1 - math.Pow(b1, float64(step)))
		for i := range w {
			w[i] = w[i] - w[i]*wd*lr
			m[i] = m[i] + (g[i]-m[i])*(1-b1)
			v[i] = v[i] + (g[i]*g[i]-v[i])*(1-b2)
			w[i] = w[i] - m[i]*alpha/(math.Sqrt(v[i])+eps)
		}
	})
}

// The decay is decoupled from the gradient: with a zero gradient, Adam's
// step is 0 and the weights shrink by 1 − η·λ per step, biases as well as
// kernels.
func TestAdamWDecay(t *testing.T) {
	w := []float64{2, -0.5}
	u := newUpdater(AdamW{}, tensor.Float64)
	for range 10 {
		stepAtBase(u, []any{w}, []any{[]float64{0, 0}})
	}
	f := math.Pow(1-0.001*0.004, 10)
	if math.Abs(w[0]-2*f) > 1e-15 || math.Abs(w[1]+0.5*f) > 1e-15 {
		t.Errorf("w after 10 steps with no gradient = %v; want %v", w, []float64{2 * f, -0.5 * f})
	}
}
