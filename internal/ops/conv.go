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
// It is two nodes, computed as one matrix product over the whole batch:
// an im2col node unrolls the patches of x into a matrix of
// channels·kernel² rows and batch·oh·ow columns (by copying runs of input
// rows), and a product node multiplies w by it, applying the bias and
// activation while the (filters, batch·oh·ow) result is copied into NCHW
// order, one run of oh·ow values at a time. Every gradient node reads only
// its graph inputs: the kernel's gradient reads the im2col node, and x's
// gradient is the im2col node's own, col2im of the patches' gradient.
func Conv2D(x, w, b *G.Node, kernel, stride, pad int, act Activation, needX bool) (*G.Node, error) {
	im := &im2colOp{k: kernel, stride: stride, pad: pad}
	g, err := im.geometry(x.Shape())
	if err != nil {
		return nil, err
	}
	cols, err := G.ApplyOp(im, x)
	if err != nil {
		return nil, err
	}
	return G.ApplyOp(&convProductOp{k: kernel, oh: g.oh, ow: g.ow, act: act, needX: needX}, cols, w, b)
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

// convProductOp computes act(w·cols + b) for the unrolled patches cols
// (c·k², n·oh·ow), w (f, c, k, k) and b (f), into (n, f, oh, ow).
type convProductOp struct {
	k, oh, ow int
	act       Activation
	needX     bool

	z   *tensor.Dense // the product before bias, (n·p, f)
	out *tensor.Dense
}

func (op *convProductOp) geometry(cols, w, b tensor.Shape) (convGeom, error) {
	p := op.oh * op.ow
	if len(cols) != 2 || len(w) != 4 || len(b) != 1 || p < 1 || w[2] != op.k || w[3] != op.k ||
		cols[0] != w[1]*op.k*op.k || cols[1]%p != 0 || b[0] != w[0] {
		return convGeom{}, fmt.Errorf("ops: conv2d of patches %v by kernel %v (size %d), bias %v, output %d×%d", cols, w, op.k, b, op.oh, op.ow)
	}
	return convGeom{n: cols[1] / p, c: w[1], f: w[0], oh: op.oh, ow: op.ow, p: p, kk: cols[0]}, nil
}

func (op *convProductOp) Arity() int { return 3 }
func (op *convProductOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(4), tensorType(1), tensorType(4))
}
func (op *convProductOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	g, err := op.geometry(in[0].(tensor.Shape), in[1].(tensor.Shape), in[2].(tensor.Shape))
	return tensor.Shape{g.n, g.f, g.oh, g.ow}, err
}
func (op *convProductOp) ReturnsPtr() bool     { return false }
func (op *convProductOp) CallsExtern() bool    { return false }
func (op *convProductOp) OverwritesInput() int { return -1 }
func (op *convProductOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.ConvProduct{%d,%d,%d,%v,%v}", op.k, op.oh, op.ow, op.act, op.needX)
}
func (op *convProductOp) Hashcode() uint32 { return hashOf(op) }
func (op *convProductOp) String() string {
	return fmt.Sprintf("ConvProduct{k%d,%d×%d,%v}", op.k, op.oh, op.ow, op.act)
}

func (op *convProductOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(3, vs)
	if err != nil {
		return nil, err
	}
	cols, w, b := in[0], in[1], in[2]
	g, err := op.geometry(cols.Shape(), w.Shape(), b.Shape())
	if err != nil {
		return nil, err
	}
	dt := cols.Dtype()
	z := buffer(&op.z, dt, g.n*g.p, g.f)
	y := buffer(&op.out, dt, g.n, g.f, g.oh, g.ow)
	switch cd := cols.Data().(type) {
	case []float32:
		convForward(g, op.act, cd, w.Data().([]float32), b.Data().([]float32), z.Data().([]float32), y.Data().([]float32))
	case []float64:
		convForward(g, op.act, cd, w.Data().([]float64), b.Data().([]float64), z.Data().([]float64), y.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, dt)
	}
	return y, nil
}

func convForward[T float](g convGeom, act Activation, cols, w, b, z, y []T) {
	np := g.n * g.p
	// z (n·p × f) = colsᵀ (n·p × kk) · wᵀ (kk × f): the matrix product
	// reads cols where it is and packs only the small wᵀ.
	matmul(true, true, np, g.f, g.kk, cols, np, w, g.kk, 0, z, g.f)
	parallel(g.n, func(lo, hi int) {
		for s := lo; s < hi; s++ {
			zs := z[s*g.p*g.f : (s+1)*g.p*g.f] // this sample's block, in cache
			for f := range g.f {
				row := y[(s*g.f+f)*g.p : (s*g.f+f+1)*g.p]
				bf := b[f]
				for p := range row {
					row[p] = zs[p*g.f+f] + bf
				}
				activate(act, row)
			}
		}
	})
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
// row writes each row of cols in one sequential sweep.
func im2colRow[T float](g convGeom, k, stride, pad, r int, x, row []T) {
	c, ki, kj := r/(k*k), r/k%k, r%k
	lo, hi := window(kj, stride, pad, g.w, g.ow)
	for s := range g.n {
		plane := x[(s*g.c+c)*g.h*g.w : (s*g.c+c+1)*g.h*g.w]
		dst := row[s*g.p : (s+1)*g.p]
		for oy := range g.oh {
			out := dst[oy*g.ow : (oy+1)*g.ow]
			iy := oy*stride + ki - pad
			if iy < 0 || iy >= g.h || lo >= hi {
				clear(out)
				continue
			}
			clear(out[:lo])
			clear(out[hi:])
			src := plane[iy*g.w:]
			if stride == 1 {
				copy(out[lo:hi], src[lo+kj-pad:hi+kj-pad])
				continue
			}
			for ox := lo; ox < hi; ox++ {
				out[ox] = src[ox*stride+kj-pad]
			}
		}
	}
}

// col2imChannel adds the rows (c, ·, ·) of dcols back onto the input
// positions im2col took them from, in channel c of every sample of dx
// (n, c, h, w), zeroed. Channels are independent, so they can be done in
// parallel.
func col2imChannel[T float](g convGeom, k, stride, pad, c int, dcols, dx []T) {
	np := g.n * g.p
	for ki := range k {
		for kj := range k {
			row := dcols[((c*k+ki)*k+kj)*np : ((c*k+ki)*k+kj+1)*np]
			lo, hi := window(kj, stride, pad, g.w, g.ow)
			for s := range g.n {
				plane := dx[(s*g.c+c)*g.h*g.w : (s*g.c+c+1)*g.h*g.w]
				src := row[s*g.p : (s+1)*g.p]
				for oy := range g.oh {
					iy := oy*stride + ki - pad
					if iy < 0 || iy >= g.h || lo >= hi {
						continue
					}
					in := src[oy*g.ow : (oy+1)*g.ow]
					dst := plane[iy*g.w:]
					if stride == 1 {
						addTo(dst[lo+kj-pad:hi+kj-pad], in[lo:hi])
						continue
					}
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

func (op *convProductOp) DiffWRT(int) []bool { return []bool{op.needX, true, true} }

// SymDiff returns the gradient nodes: dz = dy·act'(z) laid out as the
// product's (f × n·p) result, then dw = dz·colsᵀ (one product over the
// whole batch), db = the row sums of dz and, if needed, the patches'
// gradient dcols = wᵀ·dz, which the im2col node folds back onto x.
func (op *convProductOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	cols, w := inputs[0], inputs[1]
	dz, err := G.ApplyOp(&convGradOp{act: op.act}, output, grad)
	if err != nil {
		return nil, err
	}
	dw, err := G.ApplyOp(&filterGradOp{k: op.k}, dz, cols)
	if err != nil {
		return nil, err
	}
	db, err := G.ApplyOp(&sumColsOp{}, dz)
	if err != nil {
		return nil, err
	}
	var dcols *G.Node
	if op.needX {
		if dcols, err = G.ApplyOp(&weightProductOp{transW: true}, w, dz); err != nil {
			return nil, err
		}
	}
	return G.Nodes{dcols, dw, db}, nil
}

// convGradOp turns the gradient of a convolution's output, dy (n, f, oh,
// ow), into that of its product before bias and activation, laid out as
// the product was: (f, n·p). It reads the output y for the activation's
// derivative.
type convGradOp struct {
	act Activation
	out *tensor.Dense
}

func (op *convGradOp) Arity() int { return 2 }
func (op *convGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(4), tensorType(2))
}
func (op *convGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	y, dy := in[0].(tensor.Shape), in[1].(tensor.Shape)
	if len(y) != 4 || !y.Eq(dy) {
		return nil, fmt.Errorf("ops: conv2d gradient %v of an output %v", dy, y)
	}
	return tensor.Shape{y[1], y[0] * y[2] * y[3]}, nil
}
func (op *convGradOp) ReturnsPtr() bool      { return false }
func (op *convGradOp) CallsExtern() bool     { return false }
func (op *convGradOp) OverwritesInput() int  { return -1 }
func (op *convGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "dlgo.ConvGrad{%v}", op.act) }
func (op *convGradOp) Hashcode() uint32      { return hashOf(op) }
func (op *convGradOp) String() string        { return fmt.Sprintf("ConvGrad{%v}", op.act) }

func (op *convGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(2, vs)
	if err != nil {
		return nil, err
	}
	ys := in[0].Shape()
	g := convGeom{n: ys[0], f: ys[1], oh: ys[2], ow: ys[3], p: ys[2] * ys[3]}
	dz := buffer(&op.out, in[0].Dtype(), g.f, g.n*g.p)
	switch yd := in[0].Data().(type) {
	case []float32:
		convGrad(g, op.act, yd, in[1].Data().([]float32), dz.Data().([]float32))
	case []float64:
		convGrad(g, op.act, yd, in[1].Data().([]float64), dz.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, in[0].Dtype())
	}
	return dz, nil
}

func convGrad[T float](g convGeom, act Activation, y, dy, dz []T) {
	np := g.n * g.p
	parallel(g.n, func(lo, hi int) {
		for s := lo; s < hi; s++ {
			for f := range g.f {
				at := (s*g.f + f) * g.p
				activationGrad(act, y[at:at+g.p], dy[at:at+g.p], dz[f*np+s*g.p:f*np+(s+1)*g.p])
			}
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
// r rows, or its transpose, by a matrix d: Wᵀ·d for a convolution's
// patches' gradient wᵀ·dz, W·d for a transposed convolution's input
// gradient.
type weightProductOp struct {
	transW bool
	out    *tensor.Dense
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
	if d[0] != k {
		err = fmt.Errorf("ops: product of kernel %v (transposed %v) by %v", w, op.transW, d)
	}
	return m, d[1], k, err
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
	fmt.Fprintf(h, "dlgo.WeightProduct{%v}", op.transW)
}
func (op *weightProductOp) Hashcode() uint32 { return hashOf(op) }
func (op *weightProductOp) String() string   { return fmt.Sprintf("WeightProduct{%v}", op.transW) }

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
	switch wd := w.Data().(type) {
	case []float32:
		matmul(op.transW, false, m, n, k, wd, ldw, d.Data().([]float32), n, 0, c.Data().([]float32), n)
	case []float64:
		matmul(op.transW, false, m, n, k, wd, ldw, d.Data().([]float64), n, 0, c.Data().([]float64), n)
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, w.Dtype())
	}
	return c, nil
}

// sumColsOp sums each row of a matrix: (n, m) to (n).
type sumColsOp struct{ out *tensor.Dense }

func (op *sumColsOp) Arity() int { return 1 }
func (op *sumColsOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(1))
}
func (op *sumColsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{in[0].(tensor.Shape)[0]}, nil
}
func (op *sumColsOp) ReturnsPtr() bool      { return false }
func (op *sumColsOp) CallsExtern() bool     { return false }
func (op *sumColsOp) OverwritesInput() int  { return -1 }
func (op *sumColsOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "dlgo.SumCols") }
func (op *sumColsOp) Hashcode() uint32      { return hashOf(op) }
func (op *sumColsOp) String() string        { return "SumCols" }

func (op *sumColsOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(1, vs)
	if err != nil {
		return nil, err
	}
	a := in[0]
	n, m := a.Shape()[0], a.Shape()[1]
	s := buffer(&op.out, a.Dtype(), n)
	switch ad := a.Data().(type) {
	case []float32:
		sumCols(ad, n, m, s.Data().([]float32))
	case []float64:
		sumCols(ad, n, m, s.Data().([]float64))
	}
	return s, nil
}

func sumCols[T float](a []T, n, m int, s []T) {
	parallel(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			s[i] = sum(a[i*m : (i+1)*m])
		}
	})
}

// sum adds v with four running sums, which the CPU can advance in
// parallel.
func sum[T float](v []T) T {
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(v); i += 4 {
		s0 += v[i]
		s1 += v[i+1]
		s2 += v[i+2]
		s3 += v[i+3]
	}
	for ; i < len(v); i++ {
		s0 += v[i]
	}
	return (s0 + s1) + (s2 + s3)
}
