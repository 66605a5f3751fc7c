package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// newRand returns the random source that every seeded function of the
// package draws from.
func newRand(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
}

// displayName names the data set in errors.
func (d *Dataset) displayName() string {
	if d.Name == "" {
		return "dataset"
	}
	return d.Name
}

// Split shuffles the samples with the seed and returns (rest, part), where
// part has round(frac*N) samples and rest the others, both in shuffled order.
// The same seed gives the same split. Both parts must get at least one
// sample, frac must lie strictly between 0 and 1, and d must be valid (see
// Validate).
//
// With stratify on a classification set, every class is split in the same
// proportion: part gets round(frac*count) samples of each class. For
// regression sets stratify has no effect.
func (d *Dataset) Split(frac float64, seed int64, stratify bool) (rest, part *Dataset, err error) {
	if !(frac > 0 && frac < 1) {
		return nil, nil, fmt.Errorf("split %s: fraction %v is not strictly between 0 and 1", d.displayName(), frac)
	}
	if err := d.Validate(); err != nil {
		return nil, nil, fmt.Errorf("split: %w", err)
	}
	n := d.Len()
	strata := make([]int, n) // the stratum of each sample
	counts := []int{n}       // the size of each stratum
	if stratify && d.IsClassification() {
		strata, counts = d.classStrata()
	}
	quota := make([]int, len(counts)) // how many of each stratum go to part
	k := 0
	for s, count := range counts {
		quota[s] = int(math.Round(frac * float64(count)))
		k += quota[s]
	}
	if k < 1 || k > n-1 {
		return nil, nil, fmt.Errorf("split %s: a fraction %v of %d samples gives a part of %d and a rest of %d; both need at least 1 sample", d.displayName(), frac, n, k, n-k)
	}
	var restIdx, partIdx []int
	for _, i := range newRand(seed).Perm(n) {
		if s := strata[i]; quota[s] > 0 {
			quota[s]--
			partIdx = append(partIdx, i)
		} else {
			restIdx = append(restIdx, i)
		}
	}
	return d.Subset(restIdx), d.Subset(partIdx), nil
}

// classStrata returns each sample's class and how many samples each class
// has. The data set must be valid.
func (d *Dataset) classStrata() (strata, counts []int) {
	strata = make([]int, d.Len())
	counts = make([]int, len(d.Classes))
	for i := range strata {
		strata[i] = d.Label(i)
		counts[strata[i]]++
	}
	return strata, counts
}
