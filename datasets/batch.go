package datasets

import (
	"iter"
	"math/rand/v2"
)

// Batch is one mini-batch of a data set. Its slices are buffers that the
// iterator reuses: they are valid until the next iteration, so copy what
// must outlive it.
type Batch struct {
	// X holds the features of the batch's samples, row-major.
	X []float32
	// Y holds their targets, TargetDim() values per sample; nil when the
	// data set has no targets.
	Y []float32
	// Index holds the samples' indices in the data set.
	Index []int
}

// Batches returns an iterator over mini-batches of size samples. With a nil
// shuffle the samples come in order; otherwise every iteration draws a new
// order from shuffle, so ranging over the result once per epoch reshuffles.
// The last batch may be smaller, so every sample is used once. A size <= 0
// or larger than the data set gives a single batch of all samples. d must be
// valid (see Validate), except that Y may be nil.
func (d *Dataset) Batches(size int, shuffle *rand.Rand) iter.Seq[Batch] {
	return func(yield func(Batch) bool) {
		n, dim, t := d.Len(), d.Dim(), d.TargetDim()
		if size <= 0 || size > n {
			size = n
		}
		order := make([]int, n)
		if shuffle != nil {
			order = shuffle.Perm(n)
		} else {
			for i := range order {
				order[i] = i
			}
		}
		x := make([]float32, size*dim)
		var y []float32
		if d.Y != nil {
			y = make([]float32, size*t)
		}
		for start := 0; start < n; start += size {
			idx := order[start:min(start+size, n)]
			b := Batch{X: x[:len(idx)*dim], Index: idx}
			if y != nil {
				b.Y = y[:len(idx)*t]
			}
			d.Gather(idx, b.X, b.Y)
			if !yield(b) {
				return
			}
		}
	}
}
