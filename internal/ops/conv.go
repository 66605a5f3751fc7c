package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Conv2D returns act(conv(x, w) + b) for x of shape (batch, channels, h, w)
// (NCHW), w (filters, channels, kernel, kernel) and b (filters): the
// kernel moved by stride over x padded with pad zeros on each side, the
// result (batch, filters, oh, ow). needX says whether the gradient with
// respect to x is wanted (not for a network's input).
//
// It is three nodes, computed as one matrix product over the whole batch:
// an im2col node unrolls the patches of x into a matrix of
// channels·kernel² rows and batch·oh·ow columns (by copying runs of input
// rows), a product node multiplies them by w into one row of filters
// values per output position, and an output node adds the bias and
// applies the activation while it copies those rows into NCHW order.
// Every gradient node reads only its graph inputs: the output's gradient
// reads the product and the output, the kernel's gradient the patches and
// the product's gradient, and x's gradient is the im2col node's own,
// col2im of the patches' gradient.
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
	im := &im2colOp{k: kernel, stride: stride, pad: pad}
	g, err := im.geometry(x.Shape())
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
	cols, err := G.ApplyOp(im, x)
	if err != nil {
		return nil, err
	}
	z, err := G.ApplyOp(&convProductOp{k: kernel, needX: needX}, cols, w)
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
			im2colRow(g, k, stride, pad, r, x, cols[r*np:(r+1)*np])
		}
	})
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
			col2imChannel(g, k, stride, pad, c, dcols, dx)
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

// convProductOp multiplies the unrolled patches cols (c·k², n·oh·ow) by a
// kernel w (f, c, k, k): z = colsᵀ·wᵀ, (n·oh·ow, f), one row of f values
// per output position. The matrix product reads cols in place and packs
// only the small wᵀ.
type convProductOp struct {
	k     int
	needX bool
	out   *tensor.Dense
}

func (op *convProductOp) dims(cols, w tensor.Shape) (np, f, kk int, err error) {
	if len(cols) != 2 || len(w) != 4 || w[2] != op.k || w[3] != op.k || cols[0] != w[1]*op.k*op.k {
		return 0, 0, 0, fmt.Errorf("ops: conv2d of patches %v by kernel %v (size %d)", cols, w, op.k)
	}
	return cols[1], w[0], cols[0], nil
}

func (op *convProductOp) Arity() int { return 2 }
func (op *convProductOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(4), tensorType(2))
}
func (op *convProductOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	np, f, _, err := op.dims(in[0].(tensor.Shape), in[1].(tensor.Shape))
	return tensor.Shape{np, f}, err
}
func (op *convProductOp) ReturnsPtr() bool     { return false }
func (op *convProductOp) CallsExtern() bool    { return false }
func (op *convProductOp) OverwritesInput() int { return -1 }
func (op *convProductOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.ConvProduct{%d,%v}", op.k, op.needX)
}
func (op *convProductOp) Hashcode() uint32 { return hashOf(op) }
func (op *convProductOp) String() string   { return fmt.Sprintf("ConvProduct{k%d}", op.k) }

func (op *convProductOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(2, vs)
	if err != nil {
		return nil, err
	}
	cols, w := in[0], in[1]
	np, f, kk, err := op.dims(cols.Shape(), w.Shape())
	if err != nil {
		return nil, err
	}
	z := buffer(&op.out, cols.Dtype(), np, f)
	switch cd := cols.Data().(type) {
	case []float32:
		matmul(true, true, np, f, kk, cd, np, w.Data().([]float32), kk, 0, z.Data().([]float32), f)
	case []float64:
		matmul(true, true, np, f, kk, cd, np, w.Data().([]float64), kk, 0, z.Data().([]float64), f)
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, cols.Dtype())
	}
	return z, nil
}

func (op *convProductOp) DiffWRT(int) []bool { return []bool{op.needX, true} }

// SymDiff returns the gradient nodes of the product z = colsᵀ·wᵀ given
// dz (n·p, f): the kernel's, dw = (cols·dz)ᵀ, one product over the whole
// batch, and, if needed, the patches', dcols = wᵀ·dzᵀ, which the im2col
// node folds back onto x.
func (op *convProductOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	cols, w := inputs[0], inputs[1]
	dw, err := G.ApplyOp(&convKernelGradOp{k: op.k}, cols, grad)
	if err != nil {
		return nil, err
	}
	var dcols *G.Node
	if op.needX {
		if dcols, err = G.ApplyOp(&weightProductOp{transW: true, transD: true}, w, grad); err != nil {
			return nil, err
		}
	}
	return G.Nodes{dcols, dw}, nil
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
// batch x (n, c, h, w): for each sample and output position, the input
// value the kernel's (ki, kj) tap sees, 0 in the padding. Going row by
// row writes each row of cols in one sequential sweep; with stride 1, a
// sample's part of the row is copied from the input as oh runs of ow
// values at once.
func im2colRow[T float](g convGeom, k, stride, pad, r int, x, row []T) {
	c, ki, kj := r/(k*k), r/k%k, r%k
	lo, hi := window(kj, stride, pad, g.w, g.ow)
	oy0, oy1 := window(ki, stride, pad, g.h, g.oh)
	if lo >= hi {
		oy0, oy1 = 0, 0
	}
	for s := range g.n {
		plane := x[(s*g.c+c)*g.h*g.w : (s*g.c+c+1)*g.h*g.w]
		dst := row[s*g.p : (s+1)*g.p]
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

// col2imChannel adds the rows (c, ·, ·) of dcols back onto the input
// positions im2col took them from, in channel c of every sample of dx
// (n, c, h, w), zeroed. Channels are independent, so they can be done in
// parallel. Each input value gets one addition per kernel tap, in the
// taps' order.
func col2imChannel[T float](g convGeom, k, stride, pad, c int, dcols, dx []T) {
	np := g.n * g.p
	for ki := range k {
		oy0, oy1 := window(ki, stride, pad, g.h, g.oh)
		for kj := range k {
			row := dcols[((c*k+ki)*k+kj)*np : ((c*k+ki)*k+kj+1)*np]
			lo, hi := window(kj, stride, pad, g.w, g.ow)
			if lo >= hi || oy0 >= oy1 {
				continue
			}
			for s := range g.n {
				plane := dx[(s*g.c+c)*g.h*g.w : (s*g.c+c+1)*g.h*g.w]
				src := row[s*g.p : (s+1)*g.p]
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

// convKernelGradOp computes a convolution kernel's gradient from the
// patches cols (c·k², q) and the product's gradient dz (q, f): dw =
// (cols·dz)ᵀ, shaped (f, c, k, k). The product reads cols in place and
// packs dz, copying rows.
type convKernelGradOp struct {
	k        int
	out, tmp *tensor.Dense
}

func (op *convKernelGradOp) Arity() int { return 2 }
func (op *convKernelGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(2), tensorType(4))
}
func (op *convKernelGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	cols, dz := in[0].(tensor.Shape), in[1].(tensor.Shape)
	kk := op.k * op.k
	if len(cols) != 2 || len(dz) != 2 || cols[1] != dz[0] || kk < 1 || cols[0]%kk != 0 {
		return nil, fmt.Errorf("ops: conv2d kernel gradient of patches %v and product gradient %v (size %d)", cols, dz, op.k)
	}
	return tensor.Shape{dz[1], cols[0] / kk, op.k, op.k}, nil
}
func (op *convKernelGradOp) ReturnsPtr() bool      { return false }
func (op *convKernelGradOp) CallsExtern() bool     { return false }
func (op *convKernelGradOp) OverwritesInput() int  { return -1 }
func (op *convKernelGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "dlgo.ConvKernelGrad{%d}", op.k) }
func (op *convKernelGradOp) Hashcode() uint32      { return hashOf(op) }
func (op *convKernelGradOp) String() string        { return fmt.Sprintf("ConvKernelGrad{k%d}", op.k) }

func (op *convKernelGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(2, vs)
	if err != nil {
		return nil, err
	}
	cols, dz := in[0], in[1]
	shape, err := op.InferShape(cols.Shape(), dz.Shape())
	if err != nil {
		return nil, err
	}
	kk, q, f := cols.Shape()[0], cols.Shape()[1], dz.Shape()[1]
	dt := cols.Dtype()
	dw := buffer(&op.out, dt, shape...)
	tmp := buffer(&op.tmp, dt, kk, f)
	switch cd := cols.Data().(type) {
	case []float32:
		kernelGrad(kk, q, f, cd, dz.Data().([]float32), tmp.Data().([]float32), dw.Data().([]float32))
	case []float64:
		kernelGrad(kk, q, f, cd, dz.Data().([]float64), tmp.Data().([]float64), dw.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, dt)
	}
	return dw, nil
}

// kernelGrad sets dw (f × kk) to (cols·dz)ᵀ for cols (kk × q) and dz
// (q × f). The matrix product packs its second operand: dz, copying its
// rows, for tmp (kk × f) = cols·dz then transposed into dw; or, when a
// kernel has few patch values for its filters (a first layer's), colsᵀ,
// transposing it, for dw = dzᵀ·colsᵀ directly: transposing kk rows costs
// about twice as much per value as copying f columns. Each value is the
// same sum in the same order either way.
func kernelGrad[T float](kk, q, f int, cols, dz, tmp, dw []T) {
	if 2*kk < f {
		matmul(true, true, f, kk, q, dz, f, cols, q, 0, dw, kk)
		return
	}
	matmul(false, false, kk, f, q, cols, q, dz, f, 0, tmp, f)
	for r := range kk {
		for i, v := range tmp[r*f : (r+1)*f] {
			dw[i*kk+r] = v
		}
	}
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
