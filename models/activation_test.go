package models

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The plain functions agree with the graph's ops, and each derivative with
// a central difference.
func TestActivationFunc(t *testing.T) {
	xs := []float64{-3, -0.5, 0.25, 2}
	for _, name := range []string{Linear, Sigmoid, Tanh, ReLU, LeakyReLU} {
		f, df, err := ActivationFunc(name)
		if err != nil {
			t.Fatal(err)
		}
		g := G.NewGraph()
		x := G.NewVector(g, tensor.Float64, G.WithShape(len(xs)), G.WithName("x"), G.WithValue(tensor.New(tensor.WithBacking(append([]float64(nil), xs...)))))
		y, err := gorgoniaActivate(name, x)
		if err != nil {
			t.Fatal(err)
		}
		if err := G.NewTapeMachine(g).RunAll(); err != nil {
			t.Fatal(err)
		}
		ys := y.Value().Data().([]float64)
		for i, v := range xs {
			if math.Abs(f(v)-ys[i]) > 1e-12 {
				t.Errorf("%s(%v) = %v; the graph gives %v", name, v, f(v), ys[i])
			}
			num := (f(v+1e-6) - f(v-1e-6)) / 2e-6
			if math.Abs(df(v)-num) > 1e-6 {
				t.Errorf("%s'(%v) = %v; central difference %v", name, v, df(v), num)
			}
		}
	}
	if _, _, err := ActivationFunc("gelu"); err == nil {
		t.Error("ActivationFunc(gelu): no error")
	}
}
