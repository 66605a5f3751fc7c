package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Activate returns act(x), value by value, for x of any shape: an
// activation layer of its own, for values that no Dense or Conv2D
// computes (after a pooling or a batch normalisation, say). Its gradient
// is computed from the result, as that of the fused activations. Linear
// returns x itself.
func Activate(x *G.Node, act Activation) (*G.Node, error) {
	if act < Linear || act > LeakyReLU {
		return nil, fmt.Errorf("ops: no activation %d", int(act))
	}
	if act == Linear {
		return x, nil
	}
	return G.ApplyOp(&activateOp{act: act}, x)
}

// activateOp applies an activation into a buffer of its own.
type activateOp struct {
	act Activation
	out *tensor.Dense
}

func (op *activateOp) Arity() int { return 1 }
func (op *activateOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (op *activateOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op *activateOp) ReturnsPtr() bool      { return false }
func (op *activateOp) CallsExtern() bool     { return false }
func (op *activateOp) OverwritesInput() int  { return -1 }
func (op *activateOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "dlgo.Activate{%v}", op.act) }
func (op *activateOp) Hashcode() uint32      { return hashOf(op) }
func (op *activateOp) String() string        { return fmt.Sprintf("Activate{%v}", op.act) }

func (op *activateOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(1, vs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	y := buffer(&op.out, x.Dtype(), x.Shape()...)
	switch xd := x.Data().(type) {
	case []float32:
		activateInto(op.act, xd, y.Data().([]float32))
	case []float64:
		activateInto(op.act, xd, y.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, x.Dtype())
	}
	return y, nil
}

// activateInto sets y = act(x).
func activateInto[T float](act Activation, x, y []T) {
	elementwise(len(x), func(lo, hi int) {
		copy(y[lo:hi], x[lo:hi])
		activate(act, y[lo:hi])
	})
}

func (op *activateOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff returns dy·act'(x), computed from the output.
func (op *activateOp) SymDiff(_ G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(&activationGradOp{act: op.act}, output, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}
