package models

import (
	"math/rand/v2"
	"testing"
)

// benchPixels returns n random 28×28 images, row-major.
func benchPixels(n int) []float32 {
	rng := rand.New(rand.NewPCG(4, 4))
	x := make([]float32, n*784)
	for i := range x {
		x[i] = rng.Float32()
	}
	return x
}

// benchMLP returns the MNIST MLP 784-128-64-10.
func benchMLP(b *testing.B) *Model {
	m, err := NewMLP(784, []Hidden{{Units: 128, Activation: ReLU}, {Units: 64, Activation: ReLU}}, MulticlassOutput(10), WithSeed(1))
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// benchLogits times Logits on 1,000 images, and Predict on one.
func benchLogits(b *testing.B, m *Model) {
	x := benchPixels(1000)
	b.Run("batch1000", func(b *testing.B) {
		for b.Loop() {
			if _, err := m.Logits(x); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(1000*float64(b.N)/b.Elapsed().Seconds(), "img/s")
	})
	b.Run("one", func(b *testing.B) {
		for b.Loop() {
			if _, err := m.Predict(x[:784]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkLogitsConvNet(b *testing.B) {
	m, err := NewConvNet([]int{1, 28, 28}, 10, WithSeed(1))
	if err != nil {
		b.Fatal(err)
	}
	benchLogits(b, m)
}

func BenchmarkLogitsMLP(b *testing.B) { benchLogits(b, benchMLP(b)) }

// benchmarkLogitsParallel measures Logits on batches of n samples of the
// MNIST MLP called from GOMAXPROCS goroutines at once (go test -cpu 1,2).
func benchmarkLogitsParallel(b *testing.B, n int) {
	m := benchMLP(b)
	x := benchPixels(n)
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
