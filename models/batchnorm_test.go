package models

import (
	"math"
	"testing"
)

func init() { references[LayerBatchNorm] = refBatchNorm }

// refBatchNorm normalises each channel with the batch's mean and biased
// variance while training, the running ones otherwise.
func refBatchNorm(c refContext, x []float64, n int) []float64 {
	l := c.l.(*batchNorm)
	ch := c.in[0]
	per := len(x) / n / ch // values per channel and sample
	gamma, beta := l.gamma.Float64s(), l.beta.Float64s()
	mean, variance := l.movingMean.Float64s(), l.movingVar.Float64s()
	if c.train {
		mean, variance = make([]float64, ch), make([]float64, ch)
		for k := range ch {
			var s float64
			for i := range n {
				for j := range per {
					s += x[(i*ch+k)*per+j]
				}
			}
			mean[k] = s / float64(n*per)
			var ss float64
			for i := range n {
				for j := range per {
					d := x[(i*ch+k)*per+j] - mean[k]
					ss += d * d
				}
			}
			variance[k] = ss / float64(n*per)
		}
	}
	y := make([]float64, len(x))
	for i := range n {
		for k := range ch {
			for j := range per {
				at := (i*ch+k)*per + j
				y[at] = gamma[k]*(x[at]-mean[k])/math.Sqrt(variance[k]+l.s.Epsilon) + beta[k]
			}
		}
	}
	return y
}

func TestBatchNormLayer(t *testing.T) {
	for _, c := range []layerCase{
		{"flat", []int{3}, []LayerSpec{Dense(4, Linear), BatchNorm(), Activation(ReLU), Dense(2, Linear)}, ""},
		{"images", []int{1, 5, 5}, []LayerSpec{Conv2D(2, 3, Linear), BatchNorm(), Activation(Tanh), Flatten(), Dense(3, Softmax)}, ""},
		{"epsilon and momentum", []int{3}, []LayerSpec{{Type: LayerBatchNorm, Momentum: 0.9, Epsilon: 0.1}, Dense(1, Sigmoid)}, ""},
	} {
		checkLayer(t, c)
	}
}
