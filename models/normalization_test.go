package models

import "testing"

func init() {
	references[LayerNormalization] = perSample(func(c refContext, x []float64) []float64 {
		l := c.l.(*normalization)
		mean, std := l.mean.Float64s(), l.std.Float64s()
		for k := range x {
			x[k] = (x[k] - mean[k]) / std[k]
		}
		return x
	})
}

func TestNormalizationLayer(t *testing.T) {
	checkLayer(t, layerCase{"before dense", []int{4}, []LayerSpec{{Type: LayerNormalization}, Dense(2, Linear)}, ""})
}
