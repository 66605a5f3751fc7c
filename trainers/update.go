package trainers

import (
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
	step(ws, gs []any)
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

func (u *typedUpdater[T]) step(ws, gs []any) {
	u.t++
	if u.state == nil {
		u.init(ws)
	}
	lr := u.o.BaseLR()
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
}

// init allocates the zeroed state of parameters like ws.
func (u *typedUpdater[T]) init(ws []any) {
	slots := u.o.Slots()
	u.state = make([][][]T, len(ws))
	for i, w := range ws {
		u.state[i] = make([][]T, slots)
		for s := range slots {
			u.state[i][s] = make([]T, len(w.([]T)))
		}
	}
}
