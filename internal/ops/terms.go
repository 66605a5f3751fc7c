package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// AddLosses returns the scalar sum of scalar losses (a data loss and
// extra terms such as a KL divergence) as a value of its own: unlike
// Gorgonia's Add, which may write its result into an input no later op
// reads, it leaves every input's value as it was, so that each term can be
// read and reported after a run. Each input's gradient is the sum's.
func AddLosses(terms ...*G.Node) (*G.Node, error) {
	if len(terms) == 0 {
		return nil, fmt.Errorf("ops: a sum of no losses")
	}
	for _, t := range terms {
		if !t.IsScalar() {
			return nil, fmt.Errorf("ops: adding a loss of shape %v; losses are scalars", t.Shape())
		}
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return G.ApplyOp(&addLossesOp{n: len(terms)}, terms...)
}

type addLossesOp struct{ n int }

func (op *addLossesOp) Arity() int { return op.n }
func (op *addLossesOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	ts := make([]hm.Type, op.n+1)
	for i := range ts {
		ts[i] = a
	}
	return hm.NewFnType(ts...)
}
func (op *addLossesOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}
func (op *addLossesOp) ReturnsPtr() bool      { return false }
func (op *addLossesOp) CallsExtern() bool     { return false }
func (op *addLossesOp) OverwritesInput() int  { return -1 }
func (op *addLossesOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "dlgo.AddLosses{%d}", op.n) }
func (op *addLossesOp) Hashcode() uint32      { return hashOf(op) }
func (op *addLossesOp) String() string        { return fmt.Sprintf("AddLosses{%d}", op.n) }

func (op *addLossesOp) Do(vs ...G.Value) (G.Value, error) {
	var s32 float32
	var s64 float64
	f32 := false
	for i, v := range vs {
		switch x := v.Data().(type) {
		case float32:
			s32 += x
			f32 = true
		case float64:
			s64 += x
		default:
			return nil, fmt.Errorf("ops: loss %d to add is %T, not a scalar", i, v.Data())
		}
	}
	if f32 {
		return G.NewF32(s32), nil
	}
	return G.NewF64(s64), nil
}

func (op *addLossesOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}

func (op *addLossesOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	out := make(G.Nodes, len(inputs))
	for i := range out {
		out[i] = grad
	}
	return out, nil
}
