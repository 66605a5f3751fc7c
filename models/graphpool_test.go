package models

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// Predict called from many goroutines at once, on batches of many sizes,
// gives the same bits as the same calls made one after the other, and the
// pool never holds more graphs than its limit, even a small one that makes
// calls replace each other's graphs and wait for them.
func TestConcurrentPredictMatchesSequential(t *testing.T) {
	mlp, err := NewMLP(20, []Hidden{{Units: 16, Activation: ReLU}, {Units: 8, Activation: Tanh, Dropout: 0.3}}, MulticlassOutput(3), WithSeed(3))
	if err != nil {
		t.Fatal(err)
	}
	conv, err := New(Sequential([]int{1, 8, 8},
		Conv2D(4, 3, ReLU).WithPadding(Same), MaxPool2D(2), Flatten(), Dense(2, Sigmoid)), WithSeed(4))
	if err != nil {
		t.Fatal(err)
	}
	// Layers whose fused ops are not on every branch yet, on Gorgonia's.
	gorgonia, err := New(Sequential([]int{2, 6, 6},
		BatchNorm(), Conv2D(3, 3, LeakyReLU).WithPadding(Same), AvgPool2D(2), UpSampling2D(2),
		Conv2DTranspose(2, 3, 2, Tanh).WithPadding(Same), Flatten(), Dense(3, Softmax)),
		WithSeed(5), WithGorgoniaOps(), WithName("gorgonia"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		m      *Model
		graphs int  // budget, in graphs of the full batch size (0: the default)
		small  bool // only small batches: Gorgonia's ops are slow under -race
	}{{mlp, 0, false}, {mlp, 2, false}, {conv, 0, false}, {conv, 1, false}, {gorgonia, 1, true}} {
		t.Run(fmt.Sprintf("%s budget %d", tc.m.Name(), tc.graphs), func(t *testing.T) {
			m, err := tc.m.Clone()
			if err != nil {
				t.Fatal(err)
			}
			// Sizes around the full batch too, which a call splits.
			full := m.inferBatch()
			m.graphs.budget = tc.graphs * full * m.sampleValues()
			rng := rand.New(rand.NewPCG(1, 2))
			sizes := []int{1, 2, 3, 7, 64, full - 1, full, full + 5}
			if tc.small {
				sizes = sizes[:4]
			}
			inputs := make([][]float32, len(sizes))
			want := make([][]float32, len(sizes))
			for i, n := range sizes {
				inputs[i] = make([]float32, n*m.InputDim())
				for j := range inputs[i] {
					inputs[i][j] = float32(rng.NormFloat64())
				}
				if want[i], err = m.Predict(inputs[i]); err != nil {
					t.Fatal(err)
				}
			}
			const goroutines, calls = 8, 12
			var wg sync.WaitGroup
			errs := make(chan error, goroutines)
			for g := range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for c := range calls {
						i := (g + c) % len(sizes)
						got, err := m.Predict(inputs[i])
						if err != nil {
							errs <- err
							return
						}
						if !slices.Equal(got, want[i]) {
							errs <- fmt.Errorf("goroutine %d, call %d: %d samples: predictions differ from the sequential ones", g, c, sizes[i])
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if n, v := m.graphs.stats(); n > maxGraphs || v > m.graphs.budget {
				t.Errorf("the pool holds %d graphs of %d values; want at most %d of %d", n, v, maxGraphs, m.graphs.budget)
			}
		})
	}
}

// A batch's predictions are those of its samples predicted one by one, to
// the bit: the server may batch requests together without changing their
// answers.
func TestPredictDoesNotDependOnTheBatch(t *testing.T) {
	mlp, _ := NewMLP(784, []Hidden{{Units: 128, Activation: ReLU}, {Units: 64, Activation: ReLU}}, MulticlassOutput(10), WithSeed(5))
	conv, _ := NewConvNet([]int{1, 28, 28}, 10, WithSeed(6))
	for _, m := range []*Model{mlp, conv} {
		rng := rand.New(rand.NewPCG(3, 4))
		const n = 37
		x := make([]float32, n*m.InputDim())
		for i := range x {
			x[i] = rng.Float32()
		}
		all, err := m.Predict(x)
		if err != nil {
			t.Fatal(err)
		}
		k := m.Spec().NumClasses()
		dim := m.InputDim()
		for _, s := range []int{0, 1, 17, n - 1} {
			one, err := m.Predict(x[s*dim : (s+1)*dim])
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(one, all[s*k:(s+1)*k]) {
				t.Errorf("%s: sample %d alone: %v; in a batch of %d: %v", m.Name(), s, one, n, all[s*k:(s+1)*k])
			}
		}
	}
}
