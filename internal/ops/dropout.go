package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Dropout returns x ⊙ mask, for a mask of x's shape whose values are 0
// (dropped) or 1/(1-rate) (kept), filled before each run. Its gradient
// with respect to x is dy ⊙ mask; the mask gets none.
func Dropout(x, mask *G.Node) (*G.Node, error) {
	return G.ApplyOp(&maskOp{}, x, mask)
}

// maskOp multiplies its first input by its second, value by value, into
// a buffer of its own.
type maskOp struct{ out *tensor.Dense }

func (op *maskOp) Arity() int { return 2 }
func (op *maskOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}
func (op *maskOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x, m := in[0].(tensor.Shape), in[1].(tensor.Shape)
	if !x.Eq(m) {
		return nil, fmt.Errorf("ops: mask of shape %v for values of shape %v", m, x)
	}
	return x.Clone(), nil
}
func (op *maskOp) ReturnsPtr() bool      { return false }
func (op *maskOp) CallsExtern() bool     { return false }
func (op *maskOp) OverwritesInput() int  { return -1 }
func (op *maskOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "dlgo.Mask") }
func (op *maskOp) Hashcode() uint32      { return hashOf(op) }
func (op *maskOp) String() string        { return "Mask" }

func (op *maskOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(2, vs)
	if err != nil {
		return nil, err
	}
	x, m := in[0], in[1]
	y := buffer(&op.out, x.Dtype(), x.Shape()...)
	switch xd := x.Data().(type) {
	case []float32:
		multiply(xd, m.Data().([]float32), y.Data().([]float32))
	case []float64:
		multiply(xd, m.Data().([]float64), y.Data().([]float64))
	}
	return y, nil
}

func multiply[T float](a, b, c []T) {
	b, c = b[:len(a)], c[:len(a)]
	for i, v := range a {
		c[i] = v * b[i]
	}
}

func (op *maskOp) DiffWRT(int) []bool { return []bool{true, false} }

func (op *maskOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(&maskOp{}, grad, inputs[1])
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, nil}, nil
}
