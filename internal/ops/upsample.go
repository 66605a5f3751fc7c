package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Upsample2D repeats each value of x (batch, channels, h, w) factor times
// along both H and W, into (batch, channels, h·factor, w·factor): nearest
// neighbour upsampling. A value's gradient is the sum of dy over its
// factor×factor block.
func Upsample2D(x *G.Node, factor int) (*G.Node, error) {
	return G.ApplyOp(&upsampleOp{f: factor}, x)
}

type upsampleOp struct {
	f   int
	out *tensor.Dense
}

func (op *upsampleOp) Arity() int { return 1 }
func (op *upsampleOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(4))
}
func (op *upsampleOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x := in[0].(tensor.Shape)
	if len(x) != 4 || op.f < 1 {
		return nil, fmt.Errorf("ops: upsampling %v by %d", x, op.f)
	}
	return tensor.Shape{x[0], x[1], x[2] * op.f, x[3] * op.f}, nil
}
func (op *upsampleOp) ReturnsPtr() bool      { return false }
func (op *upsampleOp) CallsExtern() bool     { return false }
func (op *upsampleOp) OverwritesInput() int  { return -1 }
func (op *upsampleOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "dlgo.Upsample{%d}", op.f) }
func (op *upsampleOp) Hashcode() uint32      { return hashOf(op) }
func (op *upsampleOp) String() string        { return fmt.Sprintf("Upsample{%d}", op.f) }

func (op *upsampleOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(1, vs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	ys, err := op.InferShape(x.Shape())
	if err != nil {
		return nil, err
	}
	y := buffer(&op.out, x.Dtype(), ys...)
	switch xd := x.Data().(type) {
	case []float32:
		upsample(x.Shape(), op.f, xd, y.Data().([]float32))
	case []float64:
		upsample(x.Shape(), op.f, xd, y.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, x.Dtype())
	}
	return y, nil
}

// upsample writes each output row once from its input row and copies it
// to the f-1 rows below.
func upsample[T float](shape tensor.Shape, f int, x, y []T) {
	h, w := shape[2], shape[3]
	ow := w * f
	parallel(shape[0]*shape[1], func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			xp, yp := x[pl*h*w:(pl+1)*h*w], y[pl*h*w*f*f:(pl+1)*h*w*f*f]
			for i := range h {
				row := yp[i*f*ow : (i*f+1)*ow]
				for j, v := range xp[i*w : (i+1)*w] {
					block := row[j*f : (j+1)*f]
					for b := range block {
						block[b] = v
					}
				}
				for a := 1; a < f; a++ {
					copy(yp[(i*f+a)*ow:(i*f+a+1)*ow], row)
				}
			}
		}
	})
}

func (op *upsampleOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff sums the gradient over each block.
func (op *upsampleOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(&upsampleGradOp{f: op.f}, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

// upsampleGradOp sums dy (n, c, h·f, w·f) over each f×f block, into
// (n, c, h, w).
type upsampleGradOp struct {
	f   int
	out *tensor.Dense
}

func (op *upsampleGradOp) Arity() int { return 1 }
func (op *upsampleGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(4))
}
func (op *upsampleGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	dy := in[0].(tensor.Shape)
	if len(dy) != 4 || op.f < 1 || dy[2]%op.f != 0 || dy[3]%op.f != 0 {
		return nil, fmt.Errorf("ops: upsampling gradient %v by %d", dy, op.f)
	}
	return tensor.Shape{dy[0], dy[1], dy[2] / op.f, dy[3] / op.f}, nil
}
func (op *upsampleGradOp) ReturnsPtr() bool      { return false }
func (op *upsampleGradOp) CallsExtern() bool     { return false }
func (op *upsampleGradOp) OverwritesInput() int  { return -1 }
func (op *upsampleGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "dlgo.UpsampleGrad{%d}", op.f) }
func (op *upsampleGradOp) Hashcode() uint32      { return hashOf(op) }
func (op *upsampleGradOp) String() string        { return fmt.Sprintf("UpsampleGrad{%d}", op.f) }

func (op *upsampleGradOp) Do(vs ...G.Value) (G.Value, error) {
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
		upsampleGrad(xs, op.f, d, dx.Data().([]float32))
	case []float64:
		upsampleGrad(xs, op.f, d, dx.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, dy.Dtype())
	}
	return dx, nil
}

// upsampleGrad sums each block row by row: dx's row i gets the rows
// i·f … i·f+f-1 of dy, each folded f values at a time.
func upsampleGrad[T float](shape tensor.Shape, f int, dy, dx []T) {
	h, w := shape[2], shape[3]
	ow := w * f
	parallel(shape[0]*shape[1], func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			dxp, dyp := dx[pl*h*w:(pl+1)*h*w], dy[pl*h*w*f*f:(pl+1)*h*w*f*f]
			for i := range h {
				out := dxp[i*w : (i+1)*w]
				clear(out)
				for a := range f {
					row := dyp[(i*f+a)*ow : (i*f+a+1)*ow]
					for j := range out {
						for _, v := range row[j*f : (j+1)*f] {
							out[j] += v
						}
					}
				}
			}
		}
	})
}
