package models

import (
	"fmt"
	"math"
)

// ActivationFunc returns an activation function and its derivative, as
// plain functions for plotting and teaching: linear, sigmoid, tanh, relu,
// leaky_relu and step (whose derivative is zero wherever it exists). The
// graphs compute the same functions, with dlgo's fused ops or Gorgonia's
// (WithGorgoniaOps); a test checks these against Gorgonia's.
func ActivationFunc(name string) (f, df func(float64) float64, err error) {
	switch normActivation(name) {
	case Linear:
		return func(x float64) float64 { return x }, func(float64) float64 { return 1 }, nil
	case Sigmoid:
		return SigmoidOf, func(x float64) float64 { s := SigmoidOf(x); return s * (1 - s) }, nil
	case Tanh:
		return math.Tanh, func(x float64) float64 { t := math.Tanh(x); return 1 - t*t }, nil
	case ReLU:
		return func(x float64) float64 { return math.Max(0, x) }, func(x float64) float64 {
			if x > 0 {
				return 1
			}
			return 0
		}, nil
	case LeakyReLU:
		return func(x float64) float64 {
				if x < 0 {
					return LeakySlope * x
				}
				return x
			}, func(x float64) float64 {
				if x < 0 {
					return LeakySlope
				}
				return 1
			}, nil
	case Step:
		return StepOf, func(float64) float64 { return 0 }, nil
	}
	return nil, nil, fmt.Errorf("models: no activation function %q (want linear, sigmoid, tanh, relu, leaky_relu or step)", name)
}
