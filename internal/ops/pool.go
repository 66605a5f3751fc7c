package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// MaxPool2D keeps the largest value of each kernel×kernel window of x
// (batch, channels, h, w), moved by stride; rows and columns that do not
// fill a window are dropped. The first largest value of a window wins a
// tie, and receives the window's gradient.
func MaxPool2D(x *G.Node, kernel, stride int) (*G.Node, error) {
	return G.ApplyOp(&maxPoolOp{k: kernel, stride: stride}, x)
}

type maxPoolOp struct {
	k, stride int

	// Set by Do, read by the gradient op of the same run.
	shape tensor.Shape // the input's
	arg   []int32      // for each output, the index of its maximum within its plane
	out   *tensor.Dense
}

func (op *maxPoolOp) outShape(x tensor.Shape) (tensor.Shape, error) {
	if len(x) != 4 || x[2] < op.k || x[3] < op.k || op.stride < 1 {
		return nil, fmt.Errorf("ops: max-pooling %v with window %d, stride %d", x, op.k, op.stride)
	}
	return tensor.Shape{x[0], x[1], (x[2]-op.k)/op.stride + 1, (x[3]-op.k)/op.stride + 1}, nil
}

func (op *maxPoolOp) Arity() int { return 1 }
func (op *maxPoolOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(4))
}
func (op *maxPoolOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return op.outShape(in[0].(tensor.Shape))
}
func (op *maxPoolOp) ReturnsPtr() bool      { return false }
func (op *maxPoolOp) CallsExtern() bool     { return false }
func (op *maxPoolOp) OverwritesInput() int  { return -1 }
func (op *maxPoolOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "dlgo.MaxPool{%d,%d}", op.k, op.stride) }
func (op *maxPoolOp) Hashcode() uint32      { return hashOf(op) }
func (op *maxPoolOp) String() string        { return fmt.Sprintf("MaxPool{%d,%d}", op.k, op.stride) }

func (op *maxPoolOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(1, vs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	os, err := op.outShape(x.Shape())
	if err != nil {
		return nil, err
	}
	op.shape = x.Shape().Clone()
	y := buffer(&op.out, x.Dtype(), os...)
	if n := os.TotalSize(); len(op.arg) != n {
		op.arg = make([]int32, n)
	}
	switch xd := x.Data().(type) {
	case []float32:
		maxPool(op, xd, y.Data().([]float32))
	case []float64:
		maxPool(op, xd, y.Data().([]float64))
	}
	return y, nil
}

func maxPool[T float](op *maxPoolOp, x, y []T) {
	h, w := op.shape[2], op.shape[3]
	oh, ow := (h-op.k)/op.stride+1, (w-op.k)/op.stride+1
	planes := op.shape[0] * op.shape[1]
	parallel(planes, func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			xp, yp, ap := x[pl*h*w:(pl+1)*h*w], y[pl*oh*ow:(pl+1)*oh*ow], op.arg[pl*oh*ow:(pl+1)*oh*ow]
			if op.k == 2 && op.stride == 2 {
				maxPool2x2(xp, yp, ap, w, oh, ow)
				continue
			}
			for oy := range oh {
				for ox := range ow {
					best := (oy*op.stride)*w + ox*op.stride
					for ki := range op.k {
						row := (oy*op.stride+ki)*w + ox*op.stride
						for kj := range op.k {
							if xp[row+kj] > xp[best] {
								best = row + kj
							}
						}
					}
					yp[oy*ow+ox], ap[oy*ow+ox] = xp[best], int32(best)
				}
			}
		}
	})
}

// maxPool2x2 is the common 2×2, stride 2 case. Which value of a window
// is largest is random, so branches would mispredict: the maximum comes
// from max and its index from conditional moves (the first largest wins).
func maxPool2x2[T float](xp, yp []T, ap []int32, w, oh, ow int) {
	for oy := range oh {
		r0, r1 := xp[2*oy*w:2*oy*w+2*ow], xp[(2*oy+1)*w:(2*oy+1)*w+2*ow]
		yr, ar := yp[oy*ow:(oy+1)*ow], ap[oy*ow:(oy+1)*ow]
		base := int32(2 * oy * w)
		for ox := range ow {
			v0, v1, v2, v3 := r0[2*ox], r0[2*ox+1], r1[2*ox], r1[2*ox+1]
			m := max(max(v0, v1), max(v2, v3))
			i := base + int32(2*ox)
			idx := i + int32(w) + 1
			if v2 == m {
				idx = i + int32(w)
			}
			if v1 == m {
				idx = i + 1
			}
			if v0 == m {
				idx = i
			}
			yr[ox], ar[ox] = m, idx
		}
	}
}

func (op *maxPoolOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff routes each output's gradient to the input that was its maximum.
func (op *maxPoolOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(&maxPoolGradOp{fwd: op}, grad, inputs[0])
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

// maxPoolGradOp scatters dy onto the maxima the forward op recorded.
type maxPoolGradOp struct {
	fwd *maxPoolOp
	out *tensor.Dense
}

func (op *maxPoolGradOp) Arity() int { return 2 }
func (op *maxPoolGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(4), tensorType(4))
}
func (op *maxPoolGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[1].(tensor.Shape).Clone(), nil
}
func (op *maxPoolGradOp) ReturnsPtr() bool      { return false }
func (op *maxPoolGradOp) CallsExtern() bool     { return false }
func (op *maxPoolGradOp) OverwritesInput() int  { return -1 }
func (op *maxPoolGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "dlgo.MaxPoolGrad{%p}", op.fwd) }
func (op *maxPoolGradOp) Hashcode() uint32      { return hashOf(op) }
func (op *maxPoolGradOp) String() string        { return "MaxPoolGrad" }

func (op *maxPoolGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(2, vs)
	if err != nil {
		return nil, err
	}
	dy := in[0]
	dx := buffer(&op.out, dy.Dtype(), op.fwd.shape...)
	switch d := dy.Data().(type) {
	case []float32:
		maxPoolGrad(op.fwd, d, dx.Data().([]float32))
	case []float64:
		maxPoolGrad(op.fwd, d, dx.Data().([]float64))
	}
	return dx, nil
}

func maxPoolGrad[T float](fwd *maxPoolOp, dy, dx []T) {
	hw := fwd.shape[2] * fwd.shape[3]
	per := len(dy) / (fwd.shape[0] * fwd.shape[1])
	parallel(fwd.shape[0]*fwd.shape[1], func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			dxp := dx[pl*hw : (pl+1)*hw]
			clear(dxp)
			for i, a := range fwd.arg[pl*per : (pl+1)*per] {
				dxp[a] += dy[pl*per+i]
			}
		}
	})
}
