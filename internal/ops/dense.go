package ops

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Dense returns act(x·w + b) for x of shape (batch, in), w (in, out) and b
// (out). needX says whether the gradient with respect to x is wanted: it
// is not for a network's input, and skipping it saves the largest matrix
// product of the backward pass.
func Dense(x, w, b *G.Node, act Activation, needX bool) (*G.Node, error) {
	return G.ApplyOp(&denseOp{act: act, needX: needX}, x, w, b)
}

type denseOp struct {
	act   Activation
	needX bool
	out   *tensor.Dense
}

func (op *denseOp) Arity() int { return 3 }
func (op *denseOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(2), tensorType(1), tensorType(2))
}
func (op *denseOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x, w := in[0].(tensor.Shape), in[1].(tensor.Shape)
	if len(x) != 2 || len(w) != 2 || x[1] != w[0] {
		return nil, fmt.Errorf("ops: dense of %v by %v", x, w)
	}
	return tensor.Shape{x[0], w[1]}, nil
}
func (op *denseOp) ReturnsPtr() bool     { return false }
func (op *denseOp) CallsExtern() bool    { return false }
func (op *denseOp) OverwritesInput() int { return -1 }
func (op *denseOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.Dense{%v,%v}", op.act, op.needX)
}
func (op *denseOp) Hashcode() uint32 { return hashOf(op) }
func (op *denseOp) String() string   { return fmt.Sprintf("Dense{%v}", op.act) }

func (op *denseOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(3, vs)
	if err != nil {
		return nil, err
	}
	x, w, b := in[0], in[1], in[2]
	n, k, m := x.Shape()[0], x.Shape()[1], w.Shape()[1]
	y := buffer(&op.out, x.Dtype(), n, m)
	switch xd := x.Data().(type) {
	case []float32:
		denseForward(op.act, n, k, m, xd, w.Data().([]float32), b.Data().([]float32), y.Data().([]float32))
	case []float64:
		denseForward(op.act, n, k, m, xd, w.Data().([]float64), b.Data().([]float64), y.Data().([]float64))
	}
	return y, nil
}

func denseForward[T float](act Activation, n, k, m int, x, w, b, y []T) {
	matmul(false, false, n, m, k, x, k, w, m, 0, y, m)
	biasAct := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := y[i*m : (i+1)*m]
			for j, v := range b {
				row[j] += v
			}
			activate(act, row)
		}
	}
	if n*m < 1<<16 {
		biasAct(0, n) // not worth the goroutines
		return
	}
	parallel(n, biasAct)
}

func (op *denseOp) DiffWRT(int) []bool { return []bool{op.needX, true, true} }

// SymDiff returns the gradient nodes: dz = dy·act'(z), then dx = dz·wᵀ
// (only if needed), dw = xᵀ·dz and db = Σ_rows dz.
func (op *denseOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	x, w := inputs[0], inputs[1]
	dz := grad
	if op.act != Linear {
		var err error
		if dz, err = G.ApplyOp(&activationGradOp{act: op.act}, output, grad); err != nil {
			return nil, err
		}
	}
	var dx *G.Node
	if op.needX {
		var err error
		if dx, err = G.ApplyOp(&matMulOp{transB: true}, dz, w); err != nil {
			return nil, err
		}
	}
	dw, err := G.ApplyOp(&matMulOp{transA: true}, x, dz)
	if err != nil {
		return nil, err
	}
	db, err := G.ApplyOp(&sumRowsOp{}, dz)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dw, db}, nil
}

// activationGradOp computes dy·act'(z) from the activation's output y and
// its gradient dy, for tensors of any shape.
type activationGradOp struct {
	act Activation
	out *tensor.Dense
}

func (op *activationGradOp) Arity() int { return 2 }
func (op *activationGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}
func (op *activationGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op *activationGradOp) ReturnsPtr() bool      { return false }
func (op *activationGradOp) CallsExtern() bool     { return false }
func (op *activationGradOp) OverwritesInput() int  { return -1 }
func (op *activationGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "dlgo.ActivationGrad{%v}", op.act) }
func (op *activationGradOp) Hashcode() uint32      { return hashOf(op) }
func (op *activationGradOp) String() string        { return fmt.Sprintf("ActivationGrad{%v}", op.act) }

func (op *activationGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(2, vs)
	if err != nil {
		return nil, err
	}
	y, dy := in[0], in[1]
	dz := buffer(&op.out, y.Dtype(), y.Shape()...)
	switch yd := y.Data().(type) {
	case []float32:
		activationGradInto(op.act, yd, dy.Data().([]float32), dz.Data().([]float32))
	case []float64:
		activationGradInto(op.act, yd, dy.Data().([]float64), dz.Data().([]float64))
	}
	return dz, nil
}

// activationGradInto is activationGrad, in parallel for large tensors.
func activationGradInto[T float](act Activation, y, dy, dz []T) {
	elementwise(len(y), func(lo, hi int) {
		activationGrad(act, y[lo:hi], dy[lo:hi], dz[lo:hi])
	})
}

// matMulOp computes op(a)·op(b) for matrices, op a transpose or not.
type matMulOp struct {
	transA, transB bool
	out            *tensor.Dense
}

func (op *matMulOp) Arity() int { return 2 }
func (op *matMulOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(2), tensorType(2))
}
func (op *matMulOp) dims(a, b tensor.Shape) (m, n, k int, err error) {
	m, k = a[0], a[1]
	if op.transA {
		m, k = k, m
	}
	kb, n := b[0], b[1]
	if op.transB {
		kb, n = n, kb
	}
	if kb != k {
		err = fmt.Errorf("ops: matmul of %v by %v (transposed %v, %v)", a, b, op.transA, op.transB)
	}
	return m, n, k, err
}
func (op *matMulOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	m, n, _, err := op.dims(in[0].(tensor.Shape), in[1].(tensor.Shape))
	return tensor.Shape{m, n}, err
}
func (op *matMulOp) ReturnsPtr() bool     { return false }
func (op *matMulOp) CallsExtern() bool    { return false }
func (op *matMulOp) OverwritesInput() int { return -1 }
func (op *matMulOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.MatMul{%v,%v}", op.transA, op.transB)
}
func (op *matMulOp) Hashcode() uint32 { return hashOf(op) }
func (op *matMulOp) String() string   { return fmt.Sprintf("MatMul{%v,%v}", op.transA, op.transB) }

func (op *matMulOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(2, vs)
	if err != nil {
		return nil, err
	}
	a, b := in[0], in[1]
	m, n, k, err := op.dims(a.Shape(), b.Shape())
	if err != nil {
		return nil, err
	}
	c := buffer(&op.out, a.Dtype(), m, n)
	lda, ldb := a.Shape()[1], b.Shape()[1]
	switch ad := a.Data().(type) {
	case []float32:
		matmul(op.transA, op.transB, m, n, k, ad, lda, b.Data().([]float32), ldb, 0, c.Data().([]float32), n)
	case []float64:
		matmul(op.transA, op.transB, m, n, k, ad, lda, b.Data().([]float64), ldb, 0, c.Data().([]float64), n)
	}
	return c, nil
}

// sumRowsOp sums a matrix's rows: (n, m) to (m).
type sumRowsOp struct{ out *tensor.Dense }

func (op *sumRowsOp) Arity() int { return 1 }
func (op *sumRowsOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(1))
}
func (op *sumRowsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{in[0].(tensor.Shape)[1]}, nil
}
func (op *sumRowsOp) ReturnsPtr() bool      { return false }
func (op *sumRowsOp) CallsExtern() bool     { return false }
func (op *sumRowsOp) OverwritesInput() int  { return -1 }
func (op *sumRowsOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "dlgo.SumRows") }
func (op *sumRowsOp) Hashcode() uint32      { return hashOf(op) }
func (op *sumRowsOp) String() string        { return "SumRows" }

func (op *sumRowsOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(1, vs)
	if err != nil {
		return nil, err
	}
	a := in[0]
	n, m := a.Shape()[0], a.Shape()[1]
	s := buffer(&op.out, a.Dtype(), m)
	switch ad := a.Data().(type) {
	case []float32:
		sumRows(ad, n, m, s.Data().([]float32))
	case []float64:
		sumRows(ad, n, m, s.Data().([]float64))
	}
	return s, nil
}

func sumRows[T float](a []T, n, m int, s []T) {
	clear(s)
	for i := range n {
		for j, v := range a[i*m : (i+1)*m] {
			s[j] += v
		}
	}
}

// hashOf hashes an op by what WriteHash writes.
func hashOf(op G.Op) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
