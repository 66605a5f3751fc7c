package models

import "testing"

func init() { references[LayerDense] = perSample(refDense) }

// perSample makes a reference for a whole batch from one for one sample.
func perSample(f func(c refContext, x []float64) []float64) refFunc {
	return func(c refContext, x []float64, n int) []float64 {
		per := len(x) / n
		var out []float64
		for s := range n {
			out = append(out, f(c, append([]float64(nil), x[s*per:(s+1)*per]...))...)
		}
		return out
	}
}

func refDense(c refContext, x []float64) []float64 {
	l := c.l.(*dense)
	w, b := l.kernel.Float64s(), l.b.Float64s()
	out := make([]float64, l.s.Units)
	for o := range out {
		s := b[o]
		for k := range l.in {
			s += x[k] * w[k*l.s.Units+o]
		}
		out[o] = refActivate(c.s.Activation, s)
	}
	return out
}

func TestDenseLayer(t *testing.T) {
	for _, c := range []layerCase{
		{"linear", []int{4}, []LayerSpec{Dense(5, Linear), Dense(2, Linear)}, ""},
		{"sigmoid", []int{4}, []LayerSpec{Dense(5, Sigmoid), Dense(1, Sigmoid)}, ""},
		{"tanh into softmax", []int{4}, []LayerSpec{Dense(5, Tanh), Dense(3, Softmax)}, ""},
		{"relu into step", []int{4}, []LayerSpec{Dense(5, ReLU), Dense(1, Step)}, ""},
		{"leaky relu, multi-label", []int{4}, []LayerSpec{Dense(5, LeakyReLU), Dense(3, Sigmoid)}, ""},
		{"relu output, mae", []int{3}, []LayerSpec{Dense(4, Tanh), Dense(2, ReLU)}, MAE},
		{"tanh output, huber", []int{3}, []LayerSpec{Dense(4, Sigmoid), Dense(2, Tanh)}, Huber},
		{"sigmoid output, mse", []int{3}, []LayerSpec{Dense(2, Sigmoid)}, MSE},
		{"softmax output, mse", []int{3}, []LayerSpec{Dense(3, Softmax)}, MSE},
	} {
		checkLayer(t, c)
	}
}
