package playground

import (
	"context"
	"testing"
)

// go test ./playground -run '^$' -bench . -benchtime 2s

// BenchmarkFrame draws the default network's frame: the output and neuron
// heat maps over the plane, the weights and the gradient norms.
func BenchmarkFrame(b *testing.B) {
	s, err := NewSession(Defaults(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ResetTimer()
	for range b.N {
		if _, err := s.buildFrame(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEpoch trains the default network (250 training points in
// batches of 10) one epoch at a time, frames included.
func BenchmarkEpoch(b *testing.B) {
	s, err := NewSession(Defaults(), Options{MaxEpochs: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ResetTimer()
	for range b.N {
		if _, err := s.Step(context.Background(), 1); err != nil {
			b.Fatal(err)
		}
	}
}
