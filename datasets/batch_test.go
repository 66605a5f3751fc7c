package datasets

import (
	"slices"
	"testing"
)

func TestBatches(t *testing.T) {
	tests := []struct {
		name  string
		size  int
		sizes []int
	}{
		{"even", 5, []int{5, 5}},
		{"partial last", 4, []int{4, 4, 2}},
		{"one", 1, []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
		{"all", 10, []int{10}},
		{"zero means all", 0, []int{10}},
		{"too large means all", 11, []int{10}},
	}
	d := numbered(10, func(i int) int { return i % 3 }, 3)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sizes, order []int
			for b := range d.Batches(tt.size, nil) {
				sizes = append(sizes, len(b.Index))
				for k, i := range b.Index {
					if b.X[k] != float32(i) || b.Y[k] != d.Y[i] {
						t.Errorf("batch row %d = %v, %v; want sample %d: %v, %v", k, b.X[k], b.Y[k], i, float32(i), d.Y[i])
					}
				}
				order = append(order, b.Index...)
			}
			if !slices.Equal(sizes, tt.sizes) {
				t.Errorf("batch sizes %v; want %v", sizes, tt.sizes)
			}
			if want := ids(d); !slices.Equal(order, want) {
				t.Errorf("order %v; want %v", order, want)
			}
		})
	}
}

func TestBatchesShuffle(t *testing.T) {
	d := numbered(20, nil, 0)
	epoch := func(seq func(func(Batch) bool)) []int {
		var order []int
		for b := range seq {
			order = append(order, b.Index...)
			if !slices.Equal(b.X, float32s(b.Index)) || !slices.Equal(b.Y, float32s(b.Index)) {
				t.Errorf("batch X %v, Y %v; want both %v", b.X, b.Y, b.Index)
			}
		}
		return order
	}
	seq := d.Batches(6, newRand(3))
	first, second := epoch(seq), epoch(seq)
	again := epoch(d.Batches(6, newRand(3)))
	if !slices.Equal(first, again) {
		t.Errorf("same seed gave orders %v and %v; want identical", first, again)
	}
	if slices.Equal(first, second) {
		t.Errorf("two epochs both gave order %v; want a reshuffle", first)
	}
	sorted := slices.Sorted(slices.Values(first))
	if !slices.Equal(sorted, ids(d)) || slices.Equal(first, ids(d)) {
		t.Errorf("shuffled order %v; want a permutation of 0..19 other than the identity", first)
	}
}

func TestBatchesNoTargetsAndEarlyStop(t *testing.T) {
	d := numbered(7, nil, 0)
	d.Y = nil
	n := 0
	for b := range d.Batches(3, nil) {
		if b.Y != nil {
			t.Errorf("batch Y = %v; want nil for a data set without targets", b.Y)
		}
		n++
		if n == 2 {
			break
		}
	}
	if n != 2 {
		t.Errorf("saw %d batches; want 2 before the break", n)
	}
	for range (&Dataset{Shape: []int{1}}).Batches(3, nil) {
		t.Errorf("an empty data set yielded a batch; want none")
	}
}

func float32s(x []int) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}
