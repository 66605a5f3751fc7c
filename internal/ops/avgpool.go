package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// AvgPool2D averages each kernel×kernel window of x (batch, channels, h,
// w), moved by stride, into (batch, channels, (h-kernel)/stride+1,
// (w-kernel)/stride+1): there is no padding, and rows and columns that do
// not fill a window are dropped, as by MaxPool2D. Each value's gradient is
// dy/kernel² summed over the windows that cover it, which may be several
// when stride < kernel.
func AvgPool2D(x *G.Node, kernel, stride int) (*G.Node, error) {
	return G.ApplyOp(&avgPoolOp{k: kernel, stride: stride}, x)
}

type avgPoolOp struct {
	k, stride int
	out       *tensor.Dense
}

func (op *avgPoolOp) Arity() int { return 1 }
func (op *avgPoolOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(4))
}
func (op *avgPoolOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return poolShape("average-pooling", in[0].(tensor.Shape), op.k, op.stride)
}
func (op *avgPoolOp) ReturnsPtr() bool      { return false }
func (op *avgPoolOp) CallsExtern() bool     { return false }
func (op *avgPoolOp) OverwritesInput() int  { return -1 }
func (op *avgPoolOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "dlgo.AvgPool{%d,%d}", op.k, op.stride) }
func (op *avgPoolOp) Hashcode() uint32      { return hashOf(op) }
func (op *avgPoolOp) String() string        { return fmt.Sprintf("AvgPool{%d,%d}", op.k, op.stride) }

func (op *avgPoolOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(1, vs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	os, err := poolShape("average-pooling", x.Shape(), op.k, op.stride)
	if err != nil {
		return nil, err
	}
	y := buffer(&op.out, x.Dtype(), os...)
	switch xd := x.Data().(type) {
	case []float32:
		avgPool(x.Shape(), op.k, op.stride, xd, y.Data().([]float32))
	case []float64:
		avgPool(x.Shape(), op.k, op.stride, xd, y.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, x.Dtype())
	}
	return y, nil
}

func avgPool[T float](shape tensor.Shape, k, stride int, x, y []T) {
	h, w := shape[2], shape[3]
	oh, ow := (h-k)/stride+1, (w-k)/stride+1
	kk := T(k * k)
	parallel(shape[0]*shape[1], func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			xp, yp := x[pl*h*w:(pl+1)*h*w], y[pl*oh*ow:(pl+1)*oh*ow]
			for oy := range oh {
				for ox := range ow {
					var s T
					for ki := range k {
						for _, v := range xp[(oy*stride+ki)*w+ox*stride:][:k] {
							s += v
						}
					}
					yp[oy*ow+ox] = s / kk
				}
			}
		}
	})
}

func (op *avgPoolOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff spreads each window's gradient evenly over the window.
func (op *avgPoolOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	xs := inputs[0].Shape()
	dx, err := G.ApplyOp(&avgPoolGradOp{k: op.k, stride: op.stride, h: xs[2], w: xs[3]}, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

// avgPoolGradOp computes average-pooling's input gradient, of an input h×w
// wide, from the output's gradient dy.
type avgPoolGradOp struct {
	k, stride, h, w int
	out             *tensor.Dense
}

func (op *avgPoolGradOp) Arity() int { return 1 }
func (op *avgPoolGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(4))
}
func (op *avgPoolGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	dy := in[0].(tensor.Shape)
	if len(dy) != 4 {
		return nil, fmt.Errorf("ops: average-pooling gradient %v", dy)
	}
	x := tensor.Shape{dy[0], dy[1], op.h, op.w}
	os, err := poolShape("average-pooling gradient of", x, op.k, op.stride)
	if err == nil && !os.Eq(dy) {
		err = fmt.Errorf("ops: average-pooling gradient %v of an input %v", dy, x)
	}
	return x, err
}
func (op *avgPoolGradOp) ReturnsPtr() bool     { return false }
func (op *avgPoolGradOp) CallsExtern() bool    { return false }
func (op *avgPoolGradOp) OverwritesInput() int { return -1 }
func (op *avgPoolGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.AvgPoolGrad{%d,%d,%d,%d}", op.k, op.stride, op.h, op.w)
}
func (op *avgPoolGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *avgPoolGradOp) String() string {
	return fmt.Sprintf("AvgPoolGrad{%d,%d,%d×%d}", op.k, op.stride, op.h, op.w)
}

func (op *avgPoolGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(1, vs)
	if err != nil {
		return nil, err
	}
	dy := in[0]
	xs, err := op.InferShape(dy.Shape())
	if err != nil {
		return nil, err
	}
	dx := buffer(&op.out, dy.Dtype(), xs...)
	switch d := dy.Data().(type) {
	case []float32:
		avgPoolGrad(xs, op.k, op.stride, d, dx.Data().([]float32))
	case []float64:
		avgPoolGrad(xs, op.k, op.stride, d, dx.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, dy.Dtype())
	}
	return dx, nil
}

// avgPoolGrad adds dy/k² of each window to the values it covers, plane by
// plane, in the same order on any number of cores.
func avgPoolGrad[T float](shape tensor.Shape, k, stride int, dy, dx []T) {
	h, w := shape[2], shape[3]
	oh, ow := (h-k)/stride+1, (w-k)/stride+1
	kk := T(k * k)
	parallel(shape[0]*shape[1], func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			dxp, dyp := dx[pl*h*w:(pl+1)*h*w], dy[pl*oh*ow:(pl+1)*oh*ow]
			clear(dxp)
			for oy := range oh {
				for ox := range ow {
					v := dyp[oy*ow+ox] / kk
					for ki := range k {
						row := dxp[(oy*stride+ki)*w+ox*stride:][:k]
						for j := range row {
							row[j] += v
						}
					}
				}
			}
		}
	})
}
