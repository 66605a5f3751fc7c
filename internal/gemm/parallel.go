package gemm

import "sync/atomic"

// Parallel calls f on parts consecutive ranges covering [0, n): the same
// ranges whatever the number of workers, so that a caller whose pieces
// write disjoint results, or reduce in the order of the pieces, computes
// the same bits on any machine. The pieces are shared between the caller
// and the pool's helper goroutines, the same ones that compute matrix
// products: a loop that follows a product finds them awake, and the two
// never compete for the cores.
func Parallel(n, parts int, f func(lo, hi int)) {
	parts = min(parts, n)
	workers := numWorkers()
	if parts <= 1 || workers == 1 {
		for p := range parts {
			f(p*n/parts, (p+1)*n/parts)
		}
		return
	}
	j := &loop{n: n, parts: parts, f: f}
	j.claims.reset(0, parts)
	helpers := min(workers, parts) - 1
	startWorkers(helpers)
	post(token{j: j, ok: true}, helpers)
	j.work(0)
	waitFor(&j.done, int32(parts))
}

// loop is a job of Parallel. Each call makes a new one, so a helper that
// comes late finds no part left to claim.
type loop struct {
	claims   claims
	done     atomic.Int32
	n, parts int
	f        func(lo, hi int)
}

func (j *loop) work(gen uint32) {
	for {
		p := j.claims.claim(gen)
		if p < 0 {
			return
		}
		j.f(p*j.n/j.parts, (p+1)*j.n/j.parts)
		j.done.Add(1)
	}
}
