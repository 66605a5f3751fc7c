package trainers

import (
	"testing"

	"gorgonia.org/tensor"
)

// BenchmarkUpdate times one update of every optimiser on the parameters
// of the MNIST MLP, 784-128-64-10, in float32: the first one is sharded.
func BenchmarkUpdate(b *testing.B) {
	sizes := []int{784 * 128, 128, 128 * 64, 64, 64 * 10, 10}
	for _, name := range OptimizerNames() {
		b.Run(name, func(b *testing.B) {
			o, err := NewOptimizer(name, 0)
			if err != nil {
				b.Fatal(err)
			}
			ws, gs := make([]any, len(sizes)), make([]any, len(sizes))
			for i, n := range sizes {
				w, g := make([]float32, n), make([]float32, n)
				for j := range g {
					g[j] = float32(j%7) - 3
				}
				ws[i], gs[i] = w, g
			}
			u := newUpdater(o, tensor.Float32)
			for b.Loop() {
				stepAtBase(u, ws, gs)
			}
		})
	}
}

// stepAtBase applies one update at the optimiser's base rate, unclipped.
func stepAtBase(u updater, ws, gs []any) {
	switch v := u.(type) {
	case *typedUpdater[float32]:
		v.step(ws, gs, v.o.BaseLR(), 0)
	case *typedUpdater[float64]:
		v.step(ws, gs, v.o.BaseLR(), 0)
	}
}
