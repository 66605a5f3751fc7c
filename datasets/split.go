package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
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
	restIdx, partIdx, err := d.SplitIndices(frac, seed, stratify)
	if err != nil {
		return nil, nil, err
	}
	return d.Subset(restIdx), d.Subset(partIdx), nil
}

// SplitIndices is Split's choice of samples: the indices of rest and of
// part, in shuffled order.
func (d *Dataset) SplitIndices(frac float64, seed int64, stratify bool) (rest, part []int, err error) {
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
		if len(counts) > 1 {
			return nil, nil, fmt.Errorf("split %s: a stratified split gives each of the %d classes round(%v × its count) samples, and with classes of %s samples that is %d in all for the part and %d for the rest; both need at least 1: use a larger fraction or more data",
				d.displayName(), len(counts), frac, countRange(counts), k, n-k)
		}
		return nil, nil, fmt.Errorf("split %s: a fraction %v of %d samples gives a part of %d and a rest of %d; both need at least 1 sample", d.displayName(), frac, n, k, n-k)
	}
	for _, i := range newRand(seed).Perm(n) {
		if s := strata[i]; quota[s] > 0 {
			quota[s]--
			part = append(part, i)
		} else {
			rest = append(rest, i)
		}
	}
	return rest, part, nil
}

// countRange writes the smallest and largest of counts: "3 to 12", or "4".
func countRange(counts []int) string {
	lo, hi := slices.Min(counts), slices.Max(counts)
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d to %d", lo, hi)
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
