package ops

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refActivation is a's definition, value by value.
func refActivation(a Activation, x float64) float64 {
	switch a {
	case ReLU:
		return math.Max(x, 0)
	case Sigmoid:
		return 1 / (1 + math.Exp(-x))
	case Tanh:
		return math.Tanh(x)
	case LeakyReLU:
		if x > 0 {
			return x
		}
		return 0.2 * x
	}
	return x
}

// refActivationGrad is a'(x).
func refActivationGrad(a Activation, x float64) float64 {
	switch a {
	case ReLU:
		if x > 0 {
			return 1
		}
		return 0
	case Sigmoid:
		s := 1 / (1 + math.Exp(-x))
		return s * (1 - s)
	case Tanh:
		t := math.Tanh(x)
		return 1 - t*t
	case LeakyReLU:
		if x > 0 {
			return 1
		}
		return 0.2
	}
	return 1
}

var allActivations = []Activation{Linear, ReLU, Sigmoid, Tanh, LeakyReLU}

func TestParseActivation(t *testing.T) {
	for _, a := range allActivations {
		got, err := ParseActivation(a.String())
		if err != nil || got != a {
			t.Errorf("ParseActivation(%q) = %v, %v; want %v", a.String(), got, err, a)
		}
	}
	if a, err := ParseActivation("leaky_relu"); err != nil || a != LeakyReLU {
		t.Errorf(`ParseActivation("leaky_relu") = %v, %v`, a, err)
	}
	if _, err := ParseActivation("softmax"); err == nil {
		t.Error(`ParseActivation("softmax"): no error`)
	}
	if LeakySlope != 0.2 {
		t.Errorf("LeakySlope = %v; want Keras' 0.2", LeakySlope)
	}
}

// activate and activationGrad agree with the definitions in both
// precisions, the gradient being computed from the output.
func TestActivateMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	x := make([]float64, 1000)
	for i := range x {
		x[i] = 8*rng.Float64() - 4
	}
	x[0], x[1] = 0, math.Copysign(0, -1)
	for _, a := range allActivations {
		testActivate(t, a, x, 1e-15)
		x32 := make([]float32, len(x))
		for i, v := range x {
			x32[i] = float32(v)
		}
		testActivate(t, a, x32, 1e-6)
	}
}

func testActivate[T float](t *testing.T, a Activation, x []T, tol float64) {
	t.Helper()
	y := append([]T(nil), x...)
	activate(a, y)
	dy := make([]T, len(x))
	for i := range dy {
		dy[i] = T(i%7) - 3
	}
	dz := make([]T, len(x))
	activationGrad(a, y, dy, dz)
	for i, v := range x {
		want := refActivation(a, float64(v))
		if d := math.Abs(float64(y[i]) - want); d > tol*math.Max(1, math.Abs(want)) {
			t.Fatalf("%v(%v) = %v; want %v", a, v, y[i], want)
		}
		wantGrad := float64(dy[i]) * refActivationGrad(a, float64(v))
		if d := math.Abs(float64(dz[i]) - wantGrad); d > 10*tol*math.Max(1, math.Abs(wantGrad)) {
			t.Fatalf("gradient of %v at %v = %v; want %v", a, v, dz[i], wantGrad)
		}
	}
}
