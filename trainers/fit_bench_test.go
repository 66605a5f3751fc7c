package trainers

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
)

// benchImages returns n random 1×28×28 images in 10 classes: the shape of
// MNIST, for timing training steps without loading it.
func benchImages(n int) *datasets.Dataset {
	rng := rand.New(rand.NewPCG(3, 3))
	d := &datasets.Dataset{Name: "bench", Shape: []int{1, 28, 28}, X: make([]float32, n*784), Y: make([]float32, n),
		Classes: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}}
	for i := range d.X {
		d.X[i] = rng.Float32()
	}
	for i := range d.Y {
		d.Y[i] = float32(rng.IntN(10))
	}
	return d
}

// benchFit times training steps (forward, backward, Adam) through Fit:
// each op is one epoch of 1,024 images, in one call of Fit with b.N
// epochs, so that building the graph (once) is a small part of it.
func benchFit(b *testing.B, m *models.Model, d *datasets.Dataset, batch int) {
	cfg := Config{Optimizer: Adam{LearningRate: 1e-3}, Epochs: 1, BatchSize: batch, Seed: 1}
	if _, err := Fit(context.Background(), m, d, cfg); err != nil { // warm up
		b.Fatal(err)
	}
	cfg.Epochs = b.N
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := Fit(context.Background(), m, d, cfg); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkFitConvNet times eight training steps of the MNIST ConvNet,
// batch 128.
func BenchmarkFitConvNet(b *testing.B) {
	m, err := models.NewConvNet([]int{1, 28, 28}, 10, models.WithSeed(1))
	if err != nil {
		b.Fatal(err)
	}
	benchFit(b, m, benchImages(8*128), 128)
}

// BenchmarkFitMLP times training steps of the MNIST MLP 784-128-64-10 on
// 1,024 images: eight of batch 128, or 32 of batch 32.
func BenchmarkFitMLP(b *testing.B) {
	for _, batch := range []int{128, 32} {
		b.Run(fmt.Sprintf("batch%d", batch), func(b *testing.B) {
			m, err := models.NewMLP(784, []models.Hidden{{Units: 128, Activation: models.ReLU}, {Units: 64, Activation: models.ReLU}},
				models.MulticlassOutput(10), models.WithSeed(1))
			if err != nil {
				b.Fatal(err)
			}
			benchFit(b, m, benchImages(8*128).Flatten(), batch)
		})
	}
}

// BenchmarkFitAutoencoder times eight training steps of the dense MNIST
// autoencoder 784-128-32-128-784, batch 128.
func BenchmarkFitAutoencoder(b *testing.B) {
	m, err := models.NewAutoencoder([]int{1, 28, 28}, []int{128, 32}, models.WithSeed(1))
	if err != nil {
		b.Fatal(err)
	}
	benchFit(b, m, benchImages(8*128), 128)
}
