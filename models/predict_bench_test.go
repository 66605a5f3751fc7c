package models

import "testing"

// benchmarkLogitsParallel measures Logits on batches of n samples of the
// MNIST MLP called from GOMAXPROCS goroutines at once (go test -cpu 1,2).
func benchmarkLogitsParallel(b *testing.B, n int) {
	m, err := NewMLP(784, []Hidden{{Units: 128, Activation: ReLU}, {Units: 64, Activation: ReLU}}, MulticlassOutput(10), WithSeed(1))
	if err != nil {
		b.Fatal(err)
	}
	x := make([]float32, n*784)
	for i := range x {
		x[i] = float32(i%255) / 255
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := m.Logits(x); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkLogitsParallel1(b *testing.B)  { benchmarkLogitsParallel(b, 1) }
func BenchmarkLogitsParallel64(b *testing.B) { benchmarkLogitsParallel(b, 64) }
