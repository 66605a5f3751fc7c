package gemm

import (
	"sync/atomic"
	"testing"
)

// Every index is visited exactly once, in the same ranges whatever the
// number of workers.
func TestParallel(t *testing.T) {
	defer func(w int) { workerOverride = w }(workerOverride)
	for _, workers := range []int{1, 2, 3} {
		workerOverride = workers
		for _, c := range []struct{ n, parts int }{{0, 8}, {1, 8}, {7, 8}, {100, 8}, {1000, 3}, {5, 1}} {
			visits := make([]atomic.Int32, c.n)
			var mu atomic.Int32
			seen := make([]atomic.Int64, 64)
			Parallel(c.n, c.parts, func(lo, hi int) {
				k := mu.Add(1) - 1
				seen[k].Store(int64(lo)<<32 | int64(hi))
				for i := lo; i < hi; i++ {
					visits[i].Add(1)
				}
			})
			for i := range visits {
				if v := visits[i].Load(); v != 1 {
					t.Fatalf("workers %d, n %d: index %d visited %d times", workers, c.n, i, v)
				}
			}
			for k := range int(mu.Load()) {
				v := seen[k].Load()
				lo, hi := int(v>>32), int(v&0xffffffff)
				parts := min(c.parts, c.n)
				ok := false
				for p := range parts {
					if lo == p*c.n/parts && hi == (p+1)*c.n/parts {
						ok = true
					}
				}
				if !ok {
					t.Errorf("workers %d, n %d: range [%d, %d) is not one of the fixed parts", workers, c.n, lo, hi)
				}
			}
		}
	}
}
