package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/dlgo/dlgo/internal/gemm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Conv2D returns act(conv(x, w) + b) for x of shape (batch, channels, h, w)
// (NCHW), w (filters, channels, kernel, kernel) and b (filters): the
// kernel moved by stride over x padded with pad zeros on each side, the
// result (batch, filters, oh, ow). needX says whether the gradient with
// respect to x is wanted (not for a network's input).
//
// It is two nodes. A product node multiplies w by the patches of x into
// one row of filters values per output position: the batch is cut into a
// fixed number of pieces shared between the cores, and each piece unrolls
// the patches of a few samples at a time (im2col, into a buffer that stays
// in cache) and multiplies them. An output node then adds the bias and
// applies the activation while it copies those rows into NCHW order.
// Every gradient node reads only its graph inputs: the output's gradient
// reads the product and the output; the kernel's reads x and the
// product's gradient, unrolling the patches again piece by piece; x's
// reads the kernel and the product's gradient and folds the patches'
// gradient back onto x (col2im) a few samples at a time.
func Conv2D(x, w, b *G.Node, kernel, stride, pad int, act Activation, needX bool) (*G.Node, error) {
	return Conv2DMaxPool(x, w, b, kernel, stride, pad, act, 1, 1, needX)
}

// Conv2DMaxPool returns MaxPool2D(Conv2D(x, w, b, kernel, stride, pad,
// act, needX), poolKernel, poolStride) without the convolution's output:
// the output node takes the largest of act(product + bias) over each
// window straight from the product's rows (the activations are
// non-decreasing, so that is act of the largest product + bias), and its
// gradient sends each window's gradient, times act', to the first
// position of the window whose act(product + bias) is the window's value,
// the one MaxPool2D would pick. poolKernel = poolStride = 1 is Conv2D.
func Conv2DMaxPool(x, w, b *G.Node, kernel, stride, pad int, act Activation, poolKernel, poolStride int, needX bool) (*G.Node, error) {
	g, err := convGeometry(x.Shape(), kernel, stride, pad)
	if err != nil {
		return nil, err
	}
	if act < Linear || act > LeakyReLU {
		return nil, fmt.Errorf("ops: conv2d with activation %d", int(act))
	}
	out := &convOutputOp{act: act, oh: g.oh, ow: g.ow, pk: poolKernel, ps: poolStride}
	if _, err := poolShape("max-pooling of a convolution", tensor.Shape{g.n, 1, g.oh, g.ow}, poolKernel, poolStride); err != nil {
		return nil, err
	}
	z, err := G.ApplyOp(&convProductOp{k: kernel, stride: stride, pad: pad, needX: needX}, x, w)
	if err != nil {
		return nil, err
	}
	return G.ApplyOp(out, z, b)
}

// convGeom is a convolution's sizes: batch n, channels c, input h×w,
// filters f, output oh×ow; p = oh·ow output positions and kk = c·k²
// values per patch.
type convGeom struct {
	n, c, h, w, f, oh, ow, p, kk int
}

// convGeometry returns the geometry of a kernel×kernel window moved by
// stride over x (n, c, h, w) padded with pad zeros; f is left 0.
func convGeometry(x tensor.Shape, k, stride, pad int) (convGeom, error) {
	if len(x) != 4 || k < 1 || stride < 1 || pad < 0 {
		return convGeom{}, fmt.Errorf("ops: conv2d of %v with kernel %d, stride %d, padding %d", x, k, stride, pad)
	}
	g := convGeom{n: x[0], c: x[1], h: x[2], w: x[3]}
	if g.h+2*pad < k || g.w+2*pad < k {
		return convGeom{}, fmt.Errorf("ops: conv2d kernel %d does not fit input %v with padding %d", k, x, pad)
	}
	g.oh = (g.h+2*pad-k)/stride + 1
	g.ow = (g.w+2*pad-k)/stride + 1
	g.p, g.kk = g.oh*g.ow, g.c*k*k
	return g, nil
}

// im2colOp unrolls the patches of x (n, c, h, w) into cols (c·k², n·oh·ow):
// row (c, ki, kj), column (sample, oy, ox) holds the input value the
// kernel's (ki, kj) tap sees at output position (oy, ox), 0 in the
// padding.
type im2colOp struct {
	k, stride, pad int
	out            *tensor.Dense
}

func (op *im2colOp) geometry(x tensor.Shape) (convGeom, error) {
	return convGeometry(x, op.k, op.stride, op.pad)
}

func (op *im2colOp) Arity() int { return 1 }
func (op *im2colOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(2))
}
func (op *im2colOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	g, err := op.geometry(in[0].(tensor.Shape))
	return tensor.Shape{g.kk, g.n * g.p}, err
}
func (op *im2colOp) ReturnsPtr() bool     { return false }
func (op *im2colOp) CallsExtern() bool    { return false }
func (op *im2colOp) OverwritesInput() int { return -1 }
func (op *im2colOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.Im2Col{%d,%d,%d}", op.k, op.stride, op.pad)
}
func (op *im2colOp) Hashcode() uint32 { return hashOf(op) }
func (op *im2colOp) String() string {
	return fmt.Sprintf("Im2Col{k%d,s%d,p%d}", op.k, op.stride, op.pad)
}

func (op *im2colOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(1, vs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	g, err := op.geometry(x.Shape())
	if err != nil {
		return nil, err
	}
	cols := buffer(&op.out, x.Dtype(), g.kk, g.n*g.p)
	switch xd := x.Data().(type) {
	case []float32:
		im2col(g, op.k, op.stride, op.pad, xd, cols.Data().([]float32))
	case []float64:
		im2col(g, op.k, op.stride, op.pad, xd, cols.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, x.Dtype())
	}
	return cols, nil
}

// im2col unrolls x into cols (g.kk, g.n·g.p), rows in parallel.
func im2col[T float](g convGeom, k, stride, pad int, x, cols []T) {
	np := g.n * g.p
	parallel(g.kk, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			im2colRow(g, k, stride, pad, r, x, 0, g.n, cols[r*np:(r+1)*np])
		}
	})
}

// im2colSamples unrolls the samples [s0, s1) of x into cols (g.kk,
// (s1-s0)·g.p), in the calling goroutine.
func im2colSamples[T float](g convGeom, k, stride, pad int, x []T, s0, s1 int, cols []T) {
	w := (s1 - s0) * g.p
	for r := range g.kk {
		im2colRow(g, k, stride, pad, r, x, s0, s1, cols[r*w:(r+1)*w])
	}
}

// col2imSamples sets the samples [s0, s1) of dx (g.n, g.c, g.h, g.w) to
// the patches' gradient dcols (g.kk, (s1-s0)·g.p) folded back, in the
// calling goroutine.
func col2imSamples[T float](g convGeom, k, stride, pad int, dcols []T, s0, s1 int, dx []T) {
	clear(dx[s0*g.c*g.h*g.w : s1*g.c*g.h*g.w])
	for c := range g.c {
		col2imChannel(g, k, stride, pad, c, dcols, (s1-s0)*g.p, s0, s1, dx)
	}
}

func (op *im2colOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff folds the patches' gradient back onto the input: col2im.
func (op *im2colOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(&col2imOp{k: op.k, stride: op.stride, pad: op.pad, shape: inputs[0].Shape().Clone()}, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

// col2imOp adds each value of dcols (c·k², n·oh·ow) onto the position of
// an image of the given shape (n, c, h, w) that im2col took it from: the
// adjoint of im2col.
type col2imOp struct {
	k, stride, pad int
	shape          tensor.Shape // the image's
	out            *tensor.Dense
}

func (op *col2imOp) geometry(cols tensor.Shape) (convGeom, error) {
	g, err := convGeometry(op.shape, op.k, op.stride, op.pad)
	if err == nil && !cols.Eq(tensor.Shape{g.kk, g.n * g.p}) {
		err = fmt.Errorf("ops: col2im of %v into %v (kernel %d, stride %d, padding %d)", cols, op.shape, op.k, op.stride, op.pad)
	}
	return g, err
}

func (op *col2imOp) Arity() int { return 1 }
func (op *col2imOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(4))
}
func (op *col2imOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	_, err := op.geometry(in[0].(tensor.Shape))
	return op.shape.Clone(), err
}
func (op *col2imOp) ReturnsPtr() bool     { return false }
func (op *col2imOp) CallsExtern() bool    { return false }
func (op *col2imOp) OverwritesInput() int { return -1 }
func (op *col2imOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.Col2Im{%d,%d,%d,%v}", op.k, op.stride, op.pad, op.shape)
}
func (op *col2imOp) Hashcode() uint32 { return hashOf(op) }
func (op *col2imOp) String() string {
	return fmt.Sprintf("Col2Im{k%d,s%d,p%d,%v}", op.k, op.stride, op.pad, op.shape)
}

func (op *col2imOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(1, vs)
	if err != nil {
		return nil, err
	}
	dcols := in[0]
	g, err := op.geometry(dcols.Shape())
	if err != nil {
		return nil, err
	}
	dx := buffer(&op.out, dcols.Dtype(), op.shape...)
	switch d := dcols.Data().(type) {
	case []float32:
		col2im(g, op.k, op.stride, op.pad, d, dx.Data().([]float32))
	case []float64:
		col2im(g, op.k, op.stride, op.pad, d, dx.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, dcols.Dtype())
	}
	return dx, nil
}

// col2im sets dx to the sum of dcols folded back, channels in parallel.
func col2im[T float](g convGeom, k, stride, pad int, dcols, dx []T) {
	parallel(g.c, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			clearChannel(g, c, dx)
			col2imChannel(g, k, stride, pad, c, dcols, g.n*g.p, 0, g.n, dx)
		}
	})
}

// clearChannel zeroes channel c of every sample of x (g.n, g.c, g.h, g.w).
func clearChannel[T float](g convGeom, c int, x []T) {
	hw := g.h * g.w
	for s := range g.n {
		clear(x[(s*g.c+c)*hw : (s*g.c+c+1)*hw])
	}
}

// convProductOp multiplies the patches of x (n, c, h, w) by a kernel w
// (f, c, k, k): z = colsᵀ·wᵀ, (n·oh·ow, f), one row of f values per output
// position, cols being x's patches unrolled (im2col). Each piece of the
// batch unrolls a few samples at a time into a buffer of its own and
// multiplies them (the product reads the buffer in place and packs only
// the small wᵀ), in parallel with the other pieces.
type convProductOp struct {
	k, stride, pad int
	needX          bool
	out, cols      *tensor.Dense
}

// convGeom returns the geometry of the convolution of x by w, with f set.
func (op *convProductOp) geometry(x, w tensor.Shape) (convGeom, error) {
	g, err := convGeometry(x, op.k, op.stride, op.pad)
	if err == nil && (len(w) != 4 || w[1] != g.c || w[2] != op.k || w[3] != op.k) {
		err = fmt.Errorf("ops: conv2d of %v by kernel %v (size %d)", x, w, op.k)
	}
	g.f = 0
	if err == nil {
		g.f = w[0]
	}
	return g, err
}

func (op *convProductOp) Arity() int { return 2 }
func (op *convProductOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(4), tensorType(2))
}
func (op *convProductOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	g, err := op.geometry(in[0].(tensor.Shape), in[1].(tensor.Shape))
	return tensor.Shape{g.n * g.p, g.f}, err
}
func (op *convProductOp) ReturnsPtr() bool     { return false }
func (op *convProductOp) CallsExtern() bool    { return false }
func (op *convProductOp) OverwritesInput() int { return -1 }
func (op *convProductOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.ConvProduct{%d,%d,%d,%v}", op.k, op.stride, op.pad, op.needX)
}
func (op *convProductOp) Hashcode() uint32 { return hashOf(op) }
func (op *convProductOp) String() string {
	return fmt.Sprintf("ConvProduct{k%d,s%d,p%d}", op.k, op.stride, op.pad)
}

// chunk is the number of samples a piece unrolls at once: patches of
// about chunkValues values, at least one sample, at most a piece's share.
func chunk(g convGeom) int {
	per := (g.n + pieces - 1) / pieces
	return max(1, min(per, chunkValues/max(1, g.kk*g.p)))
}

// chunkValues bounds the unrolled patches a piece holds at once: 512 KB of
// float32, which stays in a core's cache while it is multiplied. (A
// variable for the tests, which make pieces of several chunks.)
var chunkValues = 1 << 17

// patchBuffer returns the per-piece buffers for g's unrolled patches.
func patchBuffer(t **tensor.Dense, dt tensor.Dtype, g convGeom) *tensor.Dense {
	return buffer(t, dt, pieces, g.kk*chunk(g)*g.p)
}

func (op *convProductOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(2, vs)
	if err != nil {
		return nil, err
	}
	x, w := in[0], in[1]
	g, err := op.geometry(x.Shape(), w.Shape())
	if err != nil {
		return nil, err
	}
	dt := x.Dtype()
	z := buffer(&op.out, dt, g.n*g.p, g.f)
	cols := patchBuffer(&op.cols, dt, g)
	switch xd := x.Data().(type) {
	case []float32:
		convProduct(g, op.k, op.stride, op.pad, xd, w.Data().([]float32), z.Data().([]float32), cols.Data().([]float32))
	case []float64:
		convProduct(g, op.k, op.stride, op.pad, xd, w.Data().([]float64), z.Data().([]float64), cols.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, dt)
	}
	return z, nil
}

// convProduct sets z (n·p, f) to the patches of x times wᵀ, piece by
// piece, chunk by chunk, through cols (pieces × kk·chunk·p).
func convProduct[T float](g convGeom, k, stride, pad int, x, w, z, cols []T) {
	cs := chunk(g)
	per := g.kk * cs * g.p
	parallelPieces(g.n, func(piece, lo, hi int) {
		sc := cols[piece*per : (piece+1)*per]
		for s0 := lo; s0 < hi; s0 += cs {
			s1 := min(s0+cs, hi)
			q := (s1 - s0) * g.p
			im2colSamples(g, k, stride, pad, x, s0, s1, sc)
			matmul1(true, true, q, g.f, g.kk, sc, q, w, g.kk, 0, z[s0*g.p*g.f:s1*g.p*g.f], g.f)
		}
	})
}

func (op *convProductOp) DiffWRT(int) []bool { return []bool{op.needX, true} }

// SymDiff returns the gradient nodes of the product given dz (n·p, f):
// the kernel's, (cols·dz)ᵀ from x and dz, and, if needed, x's, col2im of
// wᵀ·dzᵀ from w and dz.
func (op *convProductOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	x, w := inputs[0], inputs[1]
	dw, err := G.ApplyOp(&convKernelGradOp{k: op.k, stride: op.stride, pad: op.pad}, x, grad)
	if err != nil {
		return nil, err
	}
	var dx *G.Node
	if op.needX {
		if dx, err = G.ApplyOp(&convInputGradOp{k: op.k, stride: op.stride, pad: op.pad, shape: x.Shape().Clone()}, w, grad); err != nil {
			return nil, err
		}
	}
	return G.Nodes{dx, dw}, nil
}

// window returns, for kernel offset kj along an axis of size w, the range
// [lo, hi) of output positions o whose input position o·stride + kj - pad
// falls inside [0, w).
func window(kj, stride, pad, w, out int) (lo, hi int) {
	lo = max(0, -floorDiv(kj-pad, stride))
	hi = min(out, floorDiv(w-1+pad-kj, stride)+1)
	return lo, max(lo, hi)
}

// floorDiv divides rounding towards minus infinity, for b > 0.
func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// im2colRow writes row r = (c, ki, kj) of the unrolled patches of the
// samples [s0, s1) of x (n, c, h, w): for each sample and output position, the input
// value the kernel's (ki, kj) tap sees, 0 in the padding. Going row by
// row writes each row of cols in one sequential sweep; with stride 1, a
// sample's part of the row is copied from the input as oh runs of ow
// values at once.
func im2colRow[T float](g convGeom, k, stride, pad, r int, x []T, s0, s1 int, row []T) {
	c, ki, kj := r/(k*k), r/k%k, r%k
	lo, hi := window(kj, stride, pad, g.w, g.ow)
	oy0, oy1 := window(ki, stride, pad, g.h, g.oh)
	if lo >= hi {
		oy0, oy1 = 0, 0
	}
	for s := s0; s < s1; s++ {
		plane := x[(s*g.c+c)*g.h*g.w : (s*g.c+c+1)*g.h*g.w]
		dst := row[(s-s0)*g.p : (s-s0+1)*g.p]
		clear(dst[:oy0*g.ow])
		clear(dst[oy1*g.ow:])
		if oy0 >= oy1 {
			continue
		}
		if lo > 0 || hi < g.ow {
			for oy := oy0; oy < oy1; oy++ {
				clear(dst[oy*g.ow : oy*g.ow+lo])
				clear(dst[oy*g.ow+hi : (oy+1)*g.ow])
			}
		}
		if stride == 1 {
			copyRows(dst[oy0*g.ow+lo:], g.ow, plane[(oy0+ki-pad)*g.w+lo+kj-pad:], g.w, oy1-oy0, hi-lo)
			continue
		}
		for oy := oy0; oy < oy1; oy++ {
			out := dst[oy*g.ow : (oy+1)*g.ow]
			src := plane[(oy*stride+ki-pad)*g.w:]
			for ox := lo; ox < hi; ox++ {
				out[ox] = src[ox*stride+kj-pad]
			}
		}
	}
}

// col2imChannel adds the rows (c, ·, ·) of dcols, np values each for the
// samples [s0, s1), back onto the input positions im2col took them from,
// in channel c of those samples of dx (n, c, h, w), zeroed. Channels are independent, so they can be done in
// parallel. Each input value gets one addition per kernel tap, in the
// taps' order.
func col2imChannel[T float](g convGeom, k, stride, pad, c int, dcols []T, np, s0, s1 int, dx []T) {
	for ki := range k {
		oy0, oy1 := window(ki, stride, pad, g.h, g.oh)
		for kj := range k {
			row := dcols[((c*k+ki)*k+kj)*np : ((c*k+ki)*k+kj+1)*np]
			lo, hi := window(kj, stride, pad, g.w, g.ow)
			if lo >= hi || oy0 >= oy1 {
				continue
			}
			for s := s0; s < s1; s++ {
				plane := dx[(s*g.c+c)*g.h*g.w : (s*g.c+c+1)*g.h*g.w]
				src := row[(s-s0)*g.p : (s-s0+1)*g.p]
				if stride == 1 {
					addRows(plane[(oy0+ki-pad)*g.w+lo+kj-pad:], g.w, src[oy0*g.ow+lo:], g.ow, oy1-oy0, hi-lo)
					continue
				}
				for oy := oy0; oy < oy1; oy++ {
					in := src[oy*g.ow : (oy+1)*g.ow]
					dst := plane[(oy*stride+ki-pad)*g.w:]
					for ox := lo; ox < hi; ox++ {
						dst[ox*stride+kj-pad] += in[ox]
					}
				}
			}
		}
	}
}

// addTo adds src to dst, which has its length.
func addTo[T float](dst, src []T) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] += v
	}
}

// convKernelGradOp computes a convolution kernel's gradient from its
// input x (n, c, h, w) and the product's gradient dz (n·p, f): dw =
// (cols·dz)ᵀ, shaped (f, c, k, k), cols being x's patches. Each piece of
// the batch unrolls its samples' patches a few at a time again and adds
// their product with dz into sums of its own; dw is the pieces' sums added
// in order.
type convKernelGradOp struct {
	k, stride, pad       int
	out, cols, part, tmp *tensor.Dense
}

func (op *convKernelGradOp) geometry(x, dz tensor.Shape) (convGeom, error) {
	g, err := convGeometry(x, op.k, op.stride, op.pad)
	if err == nil && (len(dz) != 2 || dz[0] != g.n*g.p) {
		err = fmt.Errorf("ops: conv2d kernel gradient of input %v and product gradient %v (size %d)", x, dz, op.k)
	}
	if err == nil {
		g.f = dz[1]
	}
	return g, err
}

func (op *convKernelGradOp) Arity() int { return 2 }
func (op *convKernelGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(2), tensorType(4))
}
func (op *convKernelGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	g, err := op.geometry(in[0].(tensor.Shape), in[1].(tensor.Shape))
	return tensor.Shape{g.f, g.c, op.k, op.k}, err
}
func (op *convKernelGradOp) ReturnsPtr() bool     { return false }
func (op *convKernelGradOp) CallsExtern() bool    { return false }
func (op *convKernelGradOp) OverwritesInput() int { return -1 }
func (op *convKernelGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.ConvKernelGrad{%d,%d,%d}", op.k, op.stride, op.pad)
}
func (op *convKernelGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *convKernelGradOp) String() string   { return fmt.Sprintf("ConvKernelGrad{k%d}", op.k) }

func (op *convKernelGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(2, vs)
	if err != nil {
		return nil, err
	}
	x, dz := in[0], in[1]
	g, err := op.geometry(x.Shape(), dz.Shape())
	if err != nil {
		return nil, err
	}
	dt := x.Dtype()
	dw := buffer(&op.out, dt, g.f, g.c, op.k, op.k)
	cols := patchBuffer(&op.cols, dt, g)
	part := buffer(&op.part, dt, pieces, g.kk*g.f)
	tmp := buffer(&op.tmp, dt, g.kk*g.f)
	switch xd := x.Data().(type) {
	case []float32:
		kernelGrad(g, op.k, op.stride, op.pad, xd, dz.Data().([]float32), dw.Data().([]float32),
			cols.Data().([]float32), part.Data().([]float32), tmp.Data().([]float32))
	case []float64:
		kernelGrad(g, op.k, op.stride, op.pad, xd, dz.Data().([]float64), dw.Data().([]float64),
			cols.Data().([]float64), part.Data().([]float64), tmp.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, dt)
	}
	return dw, nil
}

// kernelGrad sets dw (f × kk) to (cols·dz)ᵀ for x's patches cols (kk ×
// n·p) and dz (n·p × f), piece by piece into part (pieces × kk·f), then
// the pieces' sums in order through tmp. The matrix product packs its
// second operand: dz, copying its rows, for cols·dz (kk × f), transposed
// at the end; or, when a kernel has few patch values for its filters (a
// first layer's), colsᵀ, transposing it, for dzᵀ·colsᵀ (f × kk):
// transposing kk rows costs about twice as much per value as copying f
// columns.
func kernelGrad[T float](g convGeom, k, stride, pad int, x, dz, dw, cols, part, tmp []T) {
	cs := chunk(g)
	per := g.kk * cs * g.p
	tt := 2*g.kk < g.f
	parallelPieces(g.n, func(piece, lo, hi int) {
		sc := cols[piece*per : (piece+1)*per]
		acc := part[piece*g.kk*g.f : (piece+1)*g.kk*g.f]
		var beta T // the piece's first chunk sets its sums
		for s0 := lo; s0 < hi; s0 += cs {
			s1 := min(s0+cs, hi)
			q := (s1 - s0) * g.p
			im2colSamples(g, k, stride, pad, x, s0, s1, sc)
			d := dz[s0*g.p*g.f : s1*g.p*g.f]
			if tt {
				matmul1(true, true, g.f, g.kk, q, d, g.f, sc, q, beta, acc, g.kk)
			} else {
				matmul1(false, false, g.kk, g.f, q, sc, q, d, g.f, beta, acc, g.f)
			}
			beta = 1
		}
	})
	sums := dw
	if !tt {
		sums = tmp
	}
	copy(sums, part[:g.kk*g.f])
	for piece := 1; piece < min(pieces, g.n); piece++ {
		addTo(sums, part[piece*g.kk*g.f:(piece+1)*g.kk*g.f])
	}
	if !tt {
		gemm.Transpose(g.kk, g.f, tmp, g.f, dw, g.kk)
	}
}

// convInputGradOp computes a convolution's input gradient from its
// kernel w (f, c, k, k) and the product's gradient dz (n·p, f): col2im of
// the patches' gradient wᵀ·dzᵀ, into the input's shape. Each piece of the
// batch computes and folds back a few samples' patches at a time.
type convInputGradOp struct {
	k, stride, pad int
	shape          tensor.Shape // the input's
	out, cols      *tensor.Dense
}

func (op *convInputGradOp) geometry(w, dz tensor.Shape) (convGeom, error) {
	g, err := convGeometry(op.shape, op.k, op.stride, op.pad)
	if err == nil && (len(w) != 4 || w[1] != g.c || w[2] != op.k || w[3] != op.k || len(dz) != 2 || dz[0] != g.n*g.p || dz[1] != w[0]) {
		err = fmt.Errorf("ops: conv2d input gradient of kernel %v and product gradient %v into %v", w, dz, op.shape)
	}
	if err == nil {
		g.f = w[0]
	}
	return g, err
}

func (op *convInputGradOp) Arity() int { return 2 }
func (op *convInputGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(2), tensorType(4))
}
func (op *convInputGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	_, err := op.geometry(in[0].(tensor.Shape), in[1].(tensor.Shape))
	return op.shape.Clone(), err
}
func (op *convInputGradOp) ReturnsPtr() bool     { return false }
func (op *convInputGradOp) CallsExtern() bool    { return false }
func (op *convInputGradOp) OverwritesInput() int { return -1 }
func (op *convInputGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.ConvInputGrad{%d,%d,%d,%v}", op.k, op.stride, op.pad, op.shape)
}
func (op *convInputGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *convInputGradOp) String() string {
	return fmt.Sprintf("ConvInputGrad{k%d,%v}", op.k, op.shape)
}

func (op *convInputGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(2, vs)
	if err != nil {
		return nil, err
	}
	w, dz := in[0], in[1]
	g, err := op.geometry(w.Shape(), dz.Shape())
	if err != nil {
		return nil, err
	}
	dt := w.Dtype()
	dx := buffer(&op.out, dt, op.shape...)
	cols := patchBuffer(&op.cols, dt, g)
	switch wd := w.Data().(type) {
	case []float32:
		inputGrad(g, op.k, op.stride, op.pad, wd, dz.Data().([]float32), dx.Data().([]float32), cols.Data().([]float32))
	case []float64:
		inputGrad(g, op.k, op.stride, op.pad, wd, dz.Data().([]float64), dx.Data().([]float64), cols.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, dt)
	}
	return dx, nil
}

// inputGrad sets dx to col2im(wᵀ·dzᵀ), piece by piece, chunk by chunk,
// through cols (pieces × kk·chunk·p).
func inputGrad[T float](g convGeom, k, stride, pad int, w, dz, dx, cols []T) {
	cs := chunk(g)
	per := g.kk * cs * g.p
	parallelPieces(g.n, func(piece, lo, hi int) {
		sc := cols[piece*per : (piece+1)*per]
		for s0 := lo; s0 < hi; s0 += cs {
			s1 := min(s0+cs, hi)
			q := (s1 - s0) * g.p
			matmul1(true, true, g.kk, q, g.f, w, g.kk, dz[s0*g.p*g.f:s1*g.p*g.f], g.f, 0, sc, q)
			col2imSamples(g, k, stride, pad, sc, s0, s1, dx)
		}
	})
}

// filterGradOp computes a kernel's gradient a·bᵀ, for a (m, q) and b
// (c·k², q), shaped (m, c, k, k). For a convolution, a is the gradient of
// its product dz (f, n·p) and b the patches cols; for a transposed one, a
// is its input, channel-major, and b the unrolled gradient of its output.
type filterGradOp struct {
	k        int
	out, tmp *tensor.Dense
}

func (op *filterGradOp) Arity() int { return 2 }
func (op *filterGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(2), tensorType(4))
}
func (op *filterGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	a, b := in[0].(tensor.Shape), in[1].(tensor.Shape)
	kk := op.k * op.k
	if len(a) != 2 || len(b) != 2 || a[1] != b[1] || kk < 1 || b[0]%kk != 0 {
		return nil, fmt.Errorf("ops: kernel gradient of %v by %vᵀ (size %d)", a, b, op.k)
	}
	return tensor.Shape{a[0], b[0] / kk, op.k, op.k}, nil
}
func (op *filterGradOp) ReturnsPtr() bool      { return false }
func (op *filterGradOp) CallsExtern() bool     { return false }
func (op *filterGradOp) OverwritesInput() int  { return -1 }
func (op *filterGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "dlgo.FilterGrad{%d}", op.k) }
func (op *filterGradOp) Hashcode() uint32      { return hashOf(op) }
func (op *filterGradOp) String() string        { return fmt.Sprintf("FilterGrad{k%d}", op.k) }

func (op *filterGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(2, vs)
	if err != nil {
		return nil, err
	}
	a, b := in[0], in[1]
	shape, err := op.InferShape(a.Shape(), b.Shape())
	if err != nil {
		return nil, err
	}
	m, n, q := a.Shape()[0], b.Shape()[0], a.Shape()[1]
	dt := a.Dtype()
	dw := buffer(&op.out, dt, shape...)
	var tmp *tensor.Dense
	if m < n {
		tmp = buffer(&op.tmp, dt, n, m)
	}
	switch ad := a.Data().(type) {
	case []float32:
		productABt(m, n, q, ad, b.Data().([]float32), dw.Data().([]float32), dataOf[float32](tmp))
	case []float64:
		productABt(m, n, q, ad, b.Data().([]float64), dw.Data().([]float64), dataOf[float64](tmp))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, dt)
	}
	return dw, nil
}

// dataOf returns t's data, nil for no tensor.
func dataOf[T float](t *tensor.Dense) []T {
	if t == nil {
		return nil
	}
	return t.Data().([]T)
}

// productABt computes c (m × n) = a (m × q) · bᵀ, b being (n × q). The
// matrix product packs its second operand, transposed here: that of b
// when it is the smaller (m ≥ n), else that of a, computing cᵀ = b·aᵀ
// into tmp (n × m) and transposing it. Each value is the same sum in the
// same order either way.
func productABt[T float](m, n, q int, a, b, c, tmp []T) {
	if m >= n {
		matmul(false, true, m, n, q, a, q, b, q, 0, c, n)
		return
	}
	matmul(false, true, n, m, q, b, q, a, q, 0, tmp, m)
	for r := range n {
		for i := range m {
			c[i*n+r] = tmp[r*m+i]
		}
	}
}

// weightProductOp multiplies a kernel w (r, ...), taken as the matrix W of
// r rows, or its transpose, by a matrix d or its transpose: Wᵀ·dᵀ for a
// convolution's patches' gradient wᵀ·dzᵀ, W·d for a transposed
// convolution's input gradient.
type weightProductOp struct {
	transW, transD bool
	out            *tensor.Dense
}

func (op *weightProductOp) dims(w, d tensor.Shape) (m, n, k int, err error) {
	if len(w) < 2 || len(d) != 2 {
		return 0, 0, 0, fmt.Errorf("ops: product of kernel %v by %v", w, d)
	}
	r := w[0]
	rest := w.TotalSize() / r
	m, k = r, rest
	if op.transW {
		m, k = rest, r
	}
	kd, n := d[0], d[1]
	if op.transD {
		kd, n = n, kd
	}
	if kd != k {
		err = fmt.Errorf("ops: product of kernel %v (transposed %v) by %v (transposed %v)", w, op.transW, d, op.transD)
	}
	return m, n, k, err
}

func (op *weightProductOp) Arity() int { return 2 }
func (op *weightProductOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(2), tensorType(2))
}
func (op *weightProductOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	m, n, _, err := op.dims(in[0].(tensor.Shape), in[1].(tensor.Shape))
	return tensor.Shape{m, n}, err
}
func (op *weightProductOp) ReturnsPtr() bool     { return false }
func (op *weightProductOp) CallsExtern() bool    { return false }
func (op *weightProductOp) OverwritesInput() int { return -1 }
func (op *weightProductOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.WeightProduct{%v,%v}", op.transW, op.transD)
}
func (op *weightProductOp) Hashcode() uint32 { return hashOf(op) }
func (op *weightProductOp) String() string {
	return fmt.Sprintf("WeightProduct{%v,%v}", op.transW, op.transD)
}

func (op *weightProductOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(2, vs)
	if err != nil {
		return nil, err
	}
	w, d := in[0], in[1]
	m, n, k, err := op.dims(w.Shape(), d.Shape())
	if err != nil {
		return nil, err
	}
	c := buffer(&op.out, w.Dtype(), m, n)
	ldw := w.Shape().TotalSize() / w.Shape()[0]
	ldd := d.Shape()[1]
	switch wd := w.Data().(type) {
	case []float32:
		matmul(op.transW, op.transD, m, n, k, wd, ldw, d.Data().([]float32), ldd, 0, c.Data().([]float32), n)
	case []float64:
		matmul(op.transW, op.transD, m, n, k, wd, ldw, d.Data().([]float64), ldd, 0, c.Data().([]float64), n)
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, w.Dtype())
	}
	return c, nil
}
