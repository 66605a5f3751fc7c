package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Conv2DTranspose returns act(convᵀ(x, w) + b), the transposed
// convolution of PyTorch's ConvTranspose2d: for x of shape (batch, cin,
// h, w) (NCHW), w (cin, cout, kernel, kernel) (PyTorch's layout) and b
// (cout), the result (batch, cout, H, W) with H = (h-1)·stride - 2·pad +
// kernel + outPad, and W likewise, is
//
//	y[n,co,oy,ox] = b[co] + Σ x[n,ci,i,j]·w[ci,co,ki,kj]
//
// over ci, i, j, ki, kj with oy = i·stride - pad + ki and ox = j·stride -
// pad + kj: each input value scatters the kernel, scaled, onto the output
// at stride spacing, then pad rows and columns are cut from each side and
// outPad added at the bottom and right (which only the bias reaches when
// outPad > pad). It is the adjoint of Conv2D with the same kernel, stride
// and padding, and needs 0 ≤ pad < kernel and 0 ≤ outPad < stride. needX
// says whether the gradient with respect to x is wanted.
//
// It is two nodes: x is copied channel-major, (cin, batch·h·w), and a
// product node computes cols = wᵀ·x, (cout·kernel², batch·h·w), which
// col2im folds into y with the bias and activation. The gradients read
// only graph inputs: dz = act'·dy, dcols = im2col(dz), dw = x·dcolsᵀ, db =
// Σ dz over (batch, H, W) and, if needed, dx = w·dcols back in NCHW.
func Conv2DTranspose(x, w, b *G.Node, kernel, stride, pad, outPad int, act Activation, needX bool) (*G.Node, error) {
	xs, ws, bs := x.Shape(), w.Shape(), b.Shape()
	if len(xs) != 4 || kernel < 1 || stride < 1 || pad < 0 || pad >= kernel || outPad < 0 || outPad >= stride {
		return nil, fmt.Errorf("ops: transposed conv2d of %v with kernel %d, stride %d, padding %d, output padding %d (need 0 ≤ padding < kernel, 0 ≤ output padding < stride)", xs, kernel, stride, pad, outPad)
	}
	if len(ws) != 4 || ws[0] != xs[1] || ws[2] != kernel || ws[3] != kernel || len(bs) != 1 || bs[0] != ws[1] {
		return nil, fmt.Errorf("ops: transposed conv2d of %v by kernel %v (size %d, want (%d, cout, %d, %d)), bias %v", xs, ws, kernel, xs[1], kernel, kernel, bs)
	}
	op := &convTransposeOp{k: kernel, stride: stride, pad: pad, outPad: outPad, h: xs[2], w: xs[3], act: act, needX: needX}
	if _, err := op.geometry(tensor.Shape{xs[1], xs[0] * xs[2] * xs[3]}, ws, bs); err != nil {
		return nil, err
	}
	xcm, err := G.ApplyOp(&channelMajorOp{}, x)
	if err != nil {
		return nil, err
	}
	return G.ApplyOp(op, xcm, w, b)
}

// channelMajorOp copies x (n, c, h, w) into (c, n·h·w): channel by
// channel, each sample's plane in turn.
type channelMajorOp struct{ out *tensor.Dense }

func (op *channelMajorOp) Arity() int { return 1 }
func (op *channelMajorOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(2))
}
func (op *channelMajorOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x := in[0].(tensor.Shape)
	if len(x) != 4 {
		return nil, fmt.Errorf("ops: channel-major copy of %v", x)
	}
	return tensor.Shape{x[1], x[0] * x[2] * x[3]}, nil
}
func (op *channelMajorOp) ReturnsPtr() bool      { return false }
func (op *channelMajorOp) CallsExtern() bool     { return false }
func (op *channelMajorOp) OverwritesInput() int  { return -1 }
func (op *channelMajorOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "dlgo.ChannelMajor") }
func (op *channelMajorOp) Hashcode() uint32      { return hashOf(op) }
func (op *channelMajorOp) String() string        { return "ChannelMajor" }

func (op *channelMajorOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(1, vs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	s, err := op.InferShape(x.Shape())
	if err != nil {
		return nil, err
	}
	xs := x.Shape()
	out := buffer(&op.out, x.Dtype(), s...)
	switch xd := x.Data().(type) {
	case []float32:
		swapBatchChannels(xs[0], xs[1], xs[2]*xs[3], xd, out.Data().([]float32))
	case []float64:
		swapBatchChannels(xs[0], xs[1], xs[2]*xs[3], xd, out.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, x.Dtype())
	}
	return out, nil
}

// swapBatchChannels copies src (a, b, s) into dst (b, a, s), in parallel
// over b.
func swapBatchChannels[T float](a, b, s int, src, dst []T) {
	parallel(b, func(lo, hi int) {
		for j := lo; j < hi; j++ {
			for i := range a {
				copy(dst[(j*a+i)*s:(j*a+i+1)*s], src[(i*b+j)*s:(i*b+j+1)*s])
			}
		}
	})
}

func (op *channelMajorOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff copies the gradient back into NCHW order.
func (op *channelMajorOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(&fromChannelMajorOp{shape: inputs[0].Shape().Clone()}, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

// fromChannelMajorOp copies (c, n·h·w) back into (n, c, h, w), the given
// shape.
type fromChannelMajorOp struct {
	shape tensor.Shape
	out   *tensor.Dense
}

func (op *fromChannelMajorOp) Arity() int { return 1 }
func (op *fromChannelMajorOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(4))
}
func (op *fromChannelMajorOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s := op.shape
	if cm := in[0].(tensor.Shape); len(s) != 4 || !cm.Eq(tensor.Shape{s[1], s[0] * s[2] * s[3]}) {
		return nil, fmt.Errorf("ops: NCHW copy of %v into %v", cm, s)
	}
	return s.Clone(), nil
}
func (op *fromChannelMajorOp) ReturnsPtr() bool     { return false }
func (op *fromChannelMajorOp) CallsExtern() bool    { return false }
func (op *fromChannelMajorOp) OverwritesInput() int { return -1 }
func (op *fromChannelMajorOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.FromChannelMajor{%v}", op.shape)
}
func (op *fromChannelMajorOp) Hashcode() uint32 { return hashOf(op) }
func (op *fromChannelMajorOp) String() string   { return fmt.Sprintf("FromChannelMajor{%v}", op.shape) }

func (op *fromChannelMajorOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(1, vs)
	if err != nil {
		return nil, err
	}
	cm := in[0]
	if _, err := op.InferShape(cm.Shape()); err != nil {
		return nil, err
	}
	s := op.shape
	out := buffer(&op.out, cm.Dtype(), s...)
	switch d := cm.Data().(type) {
	case []float32:
		swapBatchChannels(s[1], s[0], s[2]*s[3], d, out.Data().([]float32))
	case []float64:
		swapBatchChannels(s[1], s[0], s[2]*s[3], d, out.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, cm.Dtype())
	}
	return out, nil
}

// convTransposeOp computes act(col2im(wᵀ·xcm) + b) for xcm (cin, n·h·w),
// the input channel-major, w (cin, cout, k, k) and b (cout), into (n,
// cout, H, W).
type convTransposeOp struct {
	k, stride, pad, outPad int
	h, w                   int // the input's height and width
	act                    Activation
	needX                  bool

	cols *tensor.Dense // wᵀ·xcm, (cout·k², n·h·w)
	out  *tensor.Dense
}

// geometry returns that of the convolution whose adjoint op computes: from
// the output (n, cout, H, W) to the input's h×w.
func (op *convTransposeOp) geometry(xcm, w, b tensor.Shape) (convGeom, error) {
	p := op.h * op.w
	if len(xcm) != 2 || len(w) != 4 || len(b) != 1 || p < 1 || xcm[1]%p != 0 || w[0] != xcm[0] ||
		w[2] != op.k || w[3] != op.k || b[0] != w[1] {
		return convGeom{}, fmt.Errorf("ops: transposed conv2d of %v (channel-major, %d×%d) by kernel %v (size %d), bias %v", xcm, op.h, op.w, w, op.k, b)
	}
	n, cout := xcm[1]/p, w[1]
	H := (op.h-1)*op.stride - 2*op.pad + op.k + op.outPad
	W := (op.w-1)*op.stride - 2*op.pad + op.k + op.outPad
	if H < 1 || W < 1 {
		return convGeom{}, fmt.Errorf("ops: transposed conv2d of %d×%d with kernel %d, stride %d, padding %d, output padding %d is empty", op.h, op.w, op.k, op.stride, op.pad, op.outPad)
	}
	g, err := convGeometry(tensor.Shape{n, cout, H, W}, op.k, op.stride, op.pad)
	if err == nil && (g.oh != op.h || g.ow != op.w) {
		err = fmt.Errorf("ops: transposed conv2d geometry %+v for input %d×%d", g, op.h, op.w)
	}
	g.f = xcm[0]
	return g, err
}

func (op *convTransposeOp) Arity() int { return 3 }
func (op *convTransposeOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(4), tensorType(1), tensorType(4))
}
func (op *convTransposeOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	g, err := op.geometry(in[0].(tensor.Shape), in[1].(tensor.Shape), in[2].(tensor.Shape))
	return tensor.Shape{g.n, g.c, g.h, g.w}, err
}
func (op *convTransposeOp) ReturnsPtr() bool     { return false }
func (op *convTransposeOp) CallsExtern() bool    { return false }
func (op *convTransposeOp) OverwritesInput() int { return -1 }
func (op *convTransposeOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.Conv2DTranspose{%d,%d,%d,%d,%d,%d,%v,%v}", op.k, op.stride, op.pad, op.outPad, op.h, op.w, op.act, op.needX)
}
func (op *convTransposeOp) Hashcode() uint32 { return hashOf(op) }
func (op *convTransposeOp) String() string {
	return fmt.Sprintf("Conv2DTranspose{k%d,s%d,p%d,op%d,%v}", op.k, op.stride, op.pad, op.outPad, op.act)
}

func (op *convTransposeOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(3, vs)
	if err != nil {
		return nil, err
	}
	xcm, w, b := in[0], in[1], in[2]
	g, err := op.geometry(xcm.Shape(), w.Shape(), b.Shape())
	if err != nil {
		return nil, err
	}
	dt := xcm.Dtype()
	cols := buffer(&op.cols, dt, g.kk, g.n*g.p)
	y := buffer(&op.out, dt, g.n, g.c, g.h, g.w)
	switch xd := xcm.Data().(type) {
	case []float32:
		convTransposeForward(g, op, xd, w.Data().([]float32), b.Data().([]float32), cols.Data().([]float32), y.Data().([]float32))
	case []float64:
		convTransposeForward(g, op, xd, w.Data().([]float64), b.Data().([]float64), cols.Data().([]float64), y.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, dt)
	}
	return y, nil
}

// convTransposeForward computes cols (cout·k² × n·h·w) = wᵀ (cout·k² ×
// cin) · xcm (cin × n·h·w), then, channel by channel in parallel, folds
// cols into y and applies the bias and activation.
func convTransposeForward[T float](g convGeom, op *convTransposeOp, xcm, w, b, cols, y []T) {
	np := g.n * g.p
	matmul(true, false, g.kk, np, g.f, w, g.kk, xcm, np, 0, cols, np)
	hw := g.h * g.w
	parallel(g.c, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			clearChannel(g, c, y)
			col2imChannel(g, op.k, op.stride, op.pad, c, cols, g.n*g.p, 0, g.n, y)
			for s := range g.n {
				plane := y[(s*g.c+c)*hw : (s*g.c+c+1)*hw]
				for i := range plane {
					plane[i] += b[c]
				}
				activate(op.act, plane)
			}
		}
	})
}

func (op *convTransposeOp) DiffWRT(int) []bool { return []bool{op.needX, true, true} }

// SymDiff returns the gradient nodes: dz = dy·act'(z) (dy for Linear),
// dcols = im2col(dz), dw = xcm·dcolsᵀ, db = Σ dz over (n, H, W) and, if
// needed, xcm's gradient w·dcols, which the channel-major node copies back
// into NCHW.
func (op *convTransposeOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	xcm, w := inputs[0], inputs[1]
	dz := grad
	if op.act != Linear {
		var err error
		if dz, err = G.ApplyOp(&activationGradOp{act: op.act}, output, grad); err != nil {
			return nil, err
		}
	}
	dcols, err := G.ApplyOp(&im2colOp{k: op.k, stride: op.stride, pad: op.pad}, dz)
	if err != nil {
		return nil, err
	}
	dw, err := G.ApplyOp(&filterGradOp{k: op.k}, xcm, dcols)
	if err != nil {
		return nil, err
	}
	db, err := G.ApplyOp(&channelSumOp{dims: 4}, dz)
	if err != nil {
		return nil, err
	}
	var dxcm *G.Node
	if op.needX {
		if dxcm, err = G.ApplyOp(&weightProductOp{}, w, dcols); err != nil {
			return nil, err
		}
	}
	return G.Nodes{dxcm, dw, db}, nil
}
