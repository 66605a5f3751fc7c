package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The worker pool: helper goroutines, started on first need, that take
// tokens from tasks and help compute the products they name. A product is
// cut into parts; the caller and the helpers claim parts with an atomic
// counter until none is left, so a product never waits for a helper that
// has not started: at worst the caller computes every part itself.
//
// Handing work between goroutines is the delicate part; on the 2-vCPU VM
// this was tuned on:
//
//   - Waking a parked goroutine is slow. The runtime queues it on the
//     waker's own P, where it waits until the waker blocks or another
//     thread steals it (about 100 µs when the caller keeps computing), and
//     the thread woken for it often lands on the caller's CPU, where the
//     two then share one core until Linux migrates one.
//   - So after a job a helper keeps polling for the next one for spinTime
//     before it parks: the products of a training step, issued back to
//     back, find it awake and nobody is woken. Between polls it yields its
//     CPU (sched_yield on Linux) and its P, so that a helper sharing the
//     caller's core, or the other goroutines of the program, lose little.
//   - When every helper is parked, a product below coldFlops is computed
//     by the caller alone; a token without a job wakes the helpers for the
//     products that follow. Larger products wake the helpers and share the
//     work with them: a late helper still takes a good share.
//   - The caller, when out of parts, polls the count of finished parts
//     (helpers never wake it: that would queue it behind a polling
//     helper), and yields between polls after spinTime.
//
// A token carries the product's generation: products are recycled, and a
// helper that comes late, after its product finished, must not claim a
// part of the product's next use.
var (
	tasks   = make(chan token, maxWorkers)
	poolMu  sync.Mutex
	started atomic.Int32 // helper goroutines started
	parked  atomic.Int32 // helpers blocked on tasks, or about to be
)

// spinTime is how long an idle helper polls for work before it parks, and
// how long a caller polls for its helpers before it starts yielding.
const spinTime = time.Millisecond

// coldFlops is the smallest product (2·m·n·k) worth sharing with parked
// helpers: about 200 µs of work on one core, twice their wake-up latency.
const coldFlops = 1 << 25

// awake returns the number of helpers polling for work or working.
func awake() int { return int(started.Load() - parked.Load()) }

// job is a product that goroutines of the pool help to compute.
type job interface {
	// work claims and computes parts of generation gen of the job until
	// none is left.
	work(gen uint32)
}

type token struct {
	j   job // nil: just wake up
	gen uint32
	ok  bool // false for the zero token: no token
}

// startWorkers makes sure at least n helper goroutines exist.
func startWorkers(n int) {
	if int(started.Load()) >= n {
		return
	}
	poolMu.Lock()
	for int(started.Load()) < n {
		parked.Add(1) // it starts by blocking on tasks
		started.Add(1)
		go helper()
	}
	poolMu.Unlock()
}

// post offers t to n helpers. If the queue is full the helpers are busy
// anyway, and the caller does the work.
func post(t token, n int) {
	for i := 0; i < n; i++ {
		select {
		case tasks <- t:
		default:
			return
		}
	}
}

func helper() {
	t := <-tasks
	parked.Add(-1)
	for {
		if t.j != nil {
			t.j.work(t.gen)
		}
		if t = poll(); !t.ok {
			parked.Add(1)
			t = <-tasks
			parked.Add(-1)
		}
	}
}

// poll waits up to spinTime for a token without parking, yielding the CPU
// between polls and the P every 16 polls.
func poll() token {
	deadline := time.Now().Add(spinTime)
	for round := 1; ; round++ {
		for i := 0; i < 64; i++ {
			select {
			case t := <-tasks:
				return t
			default:
			}
		}
		if time.Now().After(deadline) {
			return token{}
		}
		if round%16 == 0 {
			runtime.Gosched()
		} else {
			osYield()
		}
	}
}

// claims packs a product's generation, number of parts and next part into
// one atomic word, so that a claim is a single compare-and-swap.
type claims struct{ v atomic.Uint64 }

func (c *claims) reset(gen uint32, parts int) {
	c.v.Store(uint64(gen)<<32 | uint64(parts)<<16)
}

// claim returns the next unclaimed part of generation gen, or -1.
func (c *claims) claim(gen uint32) int {
	for {
		v := c.v.Load()
		next, parts := int(v&0xffff), int(v>>16&0xffff)
		if uint32(v>>32) != gen || next >= parts {
			return -1
		}
		if c.v.CompareAndSwap(v, v+1) {
			return next
		}
	}
}

// waitFor returns when *n reaches want.
func waitFor(n *atomic.Int32, want int32) {
	deadline := time.Now().Add(spinTime)
	for spin := true; ; {
		for i := 0; i < 64; i++ {
			if n.Load() >= want {
				return
			}
		}
		if spin {
			spin = time.Now().Before(deadline)
		} else {
			runtime.Gosched()
		}
	}
}
