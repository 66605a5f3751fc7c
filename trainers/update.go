package trainers

import (
	"fmt"
	"math"

	"github.com/dlgo/dlgo/internal/gemm"
	"gorgonia.org/tensor"
)

// Parameters of at least shardMin values are updated in shardParts fixed
// pieces shared between the cores; the pieces do not depend on the number
// of cores, and the updates are elementwise, so the bits do not either.
const (
	shardMin   = 1 << 14
	shardParts = 8
)

// updater applies an optimiser's update to parameters in place, given
// their gradients; ws[i] and gs[i] are []float32 or []float64 of the same
// length. It owns the optimiser's state, per parameter (by position) and
// slot, and counts the updates.
type updater interface {
	// step applies one update with learning rate lr, the gradients first
	// rescaled to a global norm of at most clip when clip > 0. It returns
	// the gradients' global norm before clipping (0 when clip is 0: it is
	// not computed).
	step(ws, gs []any, lr, clip float64) float64
	// export returns a copy of the state: the number of updates so far
	// and each parameter's slots (nil before the first update).
	export() updaterState
	// restore replaces the state with a copy of st, which must fit
	// parameters of the given sizes.
	restore(st updaterState, sizes []int) error
}

// updaterState is an updater's state: the updates so far and slots[i][s],
// slot s of parameter i, a []float32 or []float64.
type updaterState struct {
	steps int
	slots [][]any
}

// newUpdater returns an updater for parameters of dtype dt.
func newUpdater(o Optimizer, dt tensor.Dtype) updater {
	if dt == tensor.Float64 {
		return &typedUpdater[float64]{o: o, update: o.Update64}
	}
	return &typedUpdater[float32]{o: o, update: o.Update32}
}

type typedUpdater[T float32 | float64] struct {
	o      Optimizer
	update func(step int, lr float64, w, g []T, state [][]T)
	t      int     // updates so far
	state  [][][]T // state[i][s]: slot s of parameter i, zeroed at the start
}

func (u *typedUpdater[T]) step(ws, gs []any, lr, clip float64) float64 {
	u.t++
	if u.state == nil {
		u.init(ws)
	}
	var norm float64
	if clip > 0 {
		norm = clipGradients[T](gs, clip)
	}
	for i := range ws {
		w, g, st := ws[i].([]T), gs[i].([]T), u.state[i]
		if len(w) < shardMin {
			u.update(u.t, lr, w, g, st)
			continue
		}
		gemm.Parallel(len(w), shardParts, func(lo, hi int) {
			ps := make([][]T, len(st))
			for s := range ps {
				ps[s] = st[s][lo:hi]
			}
			u.update(u.t, lr, w[lo:hi], g[lo:hi], ps)
		})
	}
	return norm
}

// init allocates the zeroed state of parameters like ws.
func (u *typedUpdater[T]) init(ws []any) {
	sizes := make([]int, len(ws))
	for i, w := range ws {
		sizes[i] = len(w.([]T))
	}
	u.state = zeroSlots[T](sizes, u.o.Slots())
}

func zeroSlots[T float32 | float64](sizes []int, slots int) [][][]T {
	st := make([][][]T, len(sizes))
	for i, n := range sizes {
		st[i] = make([][]T, slots)
		for s := range slots {
			st[i][s] = make([]T, n)
		}
	}
	return st
}

func (u *typedUpdater[T]) export() updaterState {
	st := updaterState{steps: u.t}
	if u.state == nil {
		return st
	}
	st.slots = make([][]any, len(u.state))
	for i, p := range u.state {
		st.slots[i] = make([]any, len(p))
		for s, v := range p {
			st.slots[i][s] = append([]T(nil), v...)
		}
	}
	return st
}

func (u *typedUpdater[T]) restore(st updaterState, sizes []int) error {
	if st.steps < 0 {
		return fmt.Errorf("%d updates", st.steps)
	}
	u.t = st.steps
	if st.slots == nil {
		if st.steps > 0 && u.o.Slots() > 0 {
			return fmt.Errorf("%d updates made but no optimizer state", st.steps)
		}
		u.state = nil
		return nil
	}
	if len(st.slots) != len(sizes) {
		return fmt.Errorf("optimizer state for %d parameters; the model trains %d", len(st.slots), len(sizes))
	}
	u.state = zeroSlots[T](sizes, u.o.Slots())
	for i, p := range st.slots {
		if len(p) != u.o.Slots() {
			return fmt.Errorf("parameter %d: %d optimizer slots; %s keeps %d", i+1, len(p), u.o.Name(), u.o.Slots())
		}
		for s, v := range p {
			vt, ok := v.([]T)
			if !ok || len(vt) != sizes[i] {
				return fmt.Errorf("parameter %d: optimizer slot %d does not fit its %d values", i+1, s+1, sizes[i])
			}
			copy(u.state[i][s], vt)
		}
	}
	return nil
}

// clipGradients rescales the gradients gs in place so that their global
// L2 norm, √Σ g² over every value of every parameter, is at most maxNorm,
// as PyTorch's clip_grad_norm_ does: by maxNorm/(norm + 1e-6) when that is
// below 1. It returns the norm before clipping. The sum runs in float64 in
// a fixed order, so its bits do not depend on the number of cores.
// Gradients that share their memory are scaled once.
func clipGradients[T float32 | float64](gs []any, maxNorm float64) float64 {
	var sum float64
	for _, g := range gs {
		for _, v := range g.([]T) {
			sum += float64(v) * float64(v)
		}
	}
	norm := math.Sqrt(sum)
	c := maxNorm / (norm + 1e-6)
	if !(c < 1) {
		return norm
	}
	seen := map[*T]bool{}
	for _, g := range gs {
		gt := g.([]T)
		if len(gt) == 0 || seen[&gt[0]] {
			continue
		}
		seen[&gt[0]] = true
		s := T(c)
		for j := range gt {
			gt[j] *= s
		}
	}
	return norm
}
