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
	out       *tensor.Dense
}

// poolShape returns the shape of x (n, c, h, w) pooled by windows of k×k
// moved by stride, dropping rows and columns that do not fill a window.
func poolShape(what string, x tensor.Shape, k, stride int) (tensor.Shape, error) {
	if len(x) != 4 || k < 1 || stride < 1 || x[2] < k || x[3] < k {
		return nil, fmt.Errorf("ops: %s %v with window %d, stride %d", what, x, k, stride)
	}
	return tensor.Shape{x[0], x[1], (x[2]-k)/stride + 1, (x[3]-k)/stride + 1}, nil
}

func (op *maxPoolOp) Arity() int { return 1 }
func (op *maxPoolOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(4))
}
func (op *maxPoolOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return poolShape("max-pooling", in[0].(tensor.Shape), op.k, op.stride)
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
	os, err := poolShape("max-pooling", x.Shape(), op.k, op.stride)
	if err != nil {
		return nil, err
	}
	y := buffer(&op.out, x.Dtype(), os...)
	switch xd := x.Data().(type) {
	case []float32:
		maxPool(x.Shape(), op.k, op.stride, xd, y.Data().([]float32))
	case []float64:
		maxPool(x.Shape(), op.k, op.stride, xd, y.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, x.Dtype())
	}
	return y, nil
}

func maxPool[T float](shape tensor.Shape, k, stride int, x, y []T) {
	h, w := shape[2], shape[3]
	oh, ow := (h-k)/stride+1, (w-k)/stride+1
	parallel(shape[0]*shape[1], func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			xp, yp := x[pl*h*w:(pl+1)*h*w], y[pl*oh*ow:(pl+1)*oh*ow]
			if k == 2 && stride == 2 {
				maxPool2x2(xp, yp, w, oh, ow)
				continue
			}
			for oy := range oh {
				for ox := range ow {
					m := xp[(oy*stride)*w+ox*stride]
					for ki := range k {
						for _, v := range xp[(oy*stride+ki)*w+ox*stride:][:k] {
							if v > m {
								m = v
							}
						}
					}
					yp[oy*ow+ox] = m
				}
			}
		}
	})
}

// maxPool2x2 is the common 2×2, stride 2 case. Which value of a window
// is largest is random, so branches would mispredict: the maximum comes
// from max.
func maxPool2x2[T float](xp, yp []T, w, oh, ow int) {
	for oy := range oh {
		r0, r1 := xp[2*oy*w:2*oy*w+2*ow], xp[(2*oy+1)*w:(2*oy+1)*w+2*ow]
		yr := yp[oy*ow : (oy+1)*ow]
		for ox := range yr {
			yr[ox] = max(max(r0[2*ox], r0[2*ox+1]), max(r1[2*ox], r1[2*ox+1]))
		}
	}
}

func (op *maxPoolOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff routes each output's gradient to the input that was its maximum,
// found again from the input and the output.
func (op *maxPoolOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(&maxPoolGradOp{k: op.k, stride: op.stride}, grad, inputs[0], output)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

// maxPoolGradOp computes max-pooling's input gradient from the output's
// gradient dy, the input x and the output y: each window's gradient goes
// to the first of its values equal to its maximum, the one the forward
// pass kept (its first largest), as Gorgonia's own max-pooling gradient
// does. A window whose maximum is NaN sends it to one of its values.
type maxPoolGradOp struct {
	k, stride int
	out       *tensor.Dense
}

func (op *maxPoolGradOp) Arity() int { return 3 }
func (op *maxPoolGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(4), tensorType(4), tensorType(4))
}
func (op *maxPoolGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	dy, x, y := in[0].(tensor.Shape), in[1].(tensor.Shape), in[2].(tensor.Shape)
	os, err := poolShape("max-pooling gradient of", x, op.k, op.stride)
	if err == nil && (!os.Eq(y) || !os.Eq(dy)) {
		err = fmt.Errorf("ops: max-pooling gradient %v of %v pooled into %v", dy, x, y)
	}
	return x.Clone(), err
}
func (op *maxPoolGradOp) ReturnsPtr() bool     { return false }
func (op *maxPoolGradOp) CallsExtern() bool    { return false }
func (op *maxPoolGradOp) OverwritesInput() int { return -1 }
func (op *maxPoolGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.MaxPoolGrad{%d,%d}", op.k, op.stride)
}
func (op *maxPoolGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *maxPoolGradOp) String() string   { return fmt.Sprintf("MaxPoolGrad{%d,%d}", op.k, op.stride) }

func (op *maxPoolGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(3, vs)
	if err != nil {
		return nil, err
	}
	dy, x, y := in[0], in[1], in[2]
	if _, err := op.InferShape(dy.Shape(), x.Shape(), y.Shape()); err != nil {
		return nil, err
	}
	dx := buffer(&op.out, dy.Dtype(), x.Shape()...)
	switch d := dy.Data().(type) {
	case []float32:
		maxPoolGrad(x.Shape(), op.k, op.stride, d, x.Data().([]float32), y.Data().([]float32), dx.Data().([]float32))
	case []float64:
		maxPoolGrad(x.Shape(), op.k, op.stride, d, x.Data().([]float64), y.Data().([]float64), dx.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, dy.Dtype())
	}
	return dx, nil
}

func maxPoolGrad[T float](shape tensor.Shape, k, stride int, dy, x, y, dx []T) {
	h, w := shape[2], shape[3]
	oh, ow := (h-k)/stride+1, (w-k)/stride+1
	parallel(shape[0]*shape[1], func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			xp, dxp := x[pl*h*w:(pl+1)*h*w], dx[pl*h*w:(pl+1)*h*w]
			yp, dyp := y[pl*oh*ow:(pl+1)*oh*ow], dy[pl*oh*ow:(pl+1)*oh*ow]
			clear(dxp)
			if k == 2 && stride == 2 {
				maxPoolGrad2x2(xp, yp, dyp, dxp, w, oh, ow)
				continue
			}
			for oy := range oh {
				for ox := range ow {
					o := oy*ow + ox
					dxp[firstEqual(xp, w, (oy*stride)*w+ox*stride, k, yp[o])] += dyp[o]
				}
			}
		}
	})
}

// firstEqual returns the index in xp of the first value equal to m of the
// k×k window at index at of a plane w wide, or at if there is none.
func firstEqual[T float](xp []T, w, at, k int, m T) int {
	for ki := range k {
		row := at + ki*w
		for kj, v := range xp[row : row+k] {
			if v == m {
				return row + kj
			}
		}
	}
	return at
}

// maxPoolGrad2x2 is the 2×2, stride 2 case, whose windows do not overlap:
// the index of the first value equal to the maximum comes from
// conditional moves.
func maxPoolGrad2x2[T float](xp, yp, dyp, dxp []T, w, oh, ow int) {
	for oy := range oh {
		r0, r1 := xp[2*oy*w:2*oy*w+2*ow], xp[(2*oy+1)*w:(2*oy+1)*w+2*ow]
		yr, dyr := yp[oy*ow:(oy+1)*ow], dyp[oy*ow:(oy+1)*ow]
		base := 2 * oy * w
		for ox, m := range yr {
			i := base + 2*ox
			idx := i + w + 1
			if r1[2*ox] == m {
				idx = i + w
			}
			if r0[2*ox+1] == m {
				idx = i + 1
			}
			if r0[2*ox] == m {
				idx = i
			}
			dxp[idx] = dyr[ox]
		}
	}
}
