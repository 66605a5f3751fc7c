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
// It is computed as one matrix product over the whole batch: the patches
// of x are unrolled into a matrix of channels·kernel² rows and
// batch·oh·ow columns (im2col, by copying runs of input rows), w is
// multiplied by it, and the bias and activation are applied while the
// (filters, batch·oh·ow) result is copied into NCHW order, one run of oh·ow
// values at a time.
func Conv2D(x, w, b *G.Node, kernel, stride, pad int, act Activation, needX bool) (*G.Node, error) {
	op := &conv2DOp{k: kernel, stride: stride, pad: pad, act: act, needX: needX}
	return G.ApplyOp(op, x, w, b)
}

type conv2DOp struct {
	k, stride, pad int
	act            Activation
	needX          bool

	// Set by Do, read by the gradient ops of the same run.
	geom convGeom
	cols *tensor.Dense // the unrolled patches, (kk, n·p)
	z    *tensor.Dense // the product before bias, (n·p, f)
	out  *tensor.Dense
}

// convGeom is a convolution's sizes: batch n, channels c, input h×w,
// filters f, output oh×ow; p = oh·ow output positions and kk = c·k²
// values per patch.
type convGeom struct {
	n, c, h, w, f, oh, ow, p, kk int
}

func (op *conv2DOp) geometry(x, w tensor.Shape) (convGeom, error) {
	if len(x) != 4 || len(w) != 4 || w[1] != x[1] || w[2] != op.k || w[3] != op.k {
		return convGeom{}, fmt.Errorf("ops: conv2d of %v by kernel %v (size %d)", x, w, op.k)
	}
	g := convGeom{n: x[0], c: x[1], h: x[2], w: x[3], f: w[0]}
	g.oh = (g.h+2*op.pad-op.k)/op.stride + 1
	g.ow = (g.w+2*op.pad-op.k)/op.stride + 1
	if g.oh < 1 || g.ow < 1 {
		return convGeom{}, fmt.Errorf("ops: conv2d kernel %d does not fit input %v with padding %d", op.k, x, op.pad)
	}
	g.p, g.kk = g.oh*g.ow, g.c*op.k*op.k
	return g, nil
}

func (op *conv2DOp) Arity() int { return 3 }
func (op *conv2DOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(4), tensorType(1), tensorType(4))
}
func (op *conv2DOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	g, err := op.geometry(in[0].(tensor.Shape), in[1].(tensor.Shape))
	return tensor.Shape{g.n, g.f, g.oh, g.ow}, err
}
func (op *conv2DOp) ReturnsPtr() bool     { return false }
func (op *conv2DOp) CallsExtern() bool    { return false }
func (op *conv2DOp) OverwritesInput() int { return -1 }
func (op *conv2DOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.Conv2D{%d,%d,%d,%v,%v}", op.k, op.stride, op.pad, op.act, op.needX)
}
func (op *conv2DOp) Hashcode() uint32 { return hashOf(op) }
func (op *conv2DOp) String() string {
	return fmt.Sprintf("Conv2D{k%d,s%d,p%d,%v}", op.k, op.stride, op.pad, op.act)
}

func (op *conv2DOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(3, vs)
	if err != nil {
		return nil, err
	}
	x, w, b := in[0], in[1], in[2]
	g, err := op.geometry(x.Shape(), w.Shape())
	if err != nil {
		return nil, err
	}
	op.geom = g
	dt := x.Dtype()
	cols := buffer(&op.cols, dt, g.kk, g.n*g.p)
	z := buffer(&op.z, dt, g.n*g.p, g.f)
	y := buffer(&op.out, dt, g.n, g.f, g.oh, g.ow)
	switch xd := x.Data().(type) {
	case []float32:
		convForward(op, xd, w.Data().([]float32), b.Data().([]float32), cols.Data().([]float32), z.Data().([]float32), y.Data().([]float32))
	case []float64:
		convForward(op, xd, w.Data().([]float64), b.Data().([]float64), cols.Data().([]float64), z.Data().([]float64), y.Data().([]float64))
	}
	return y, nil
}

func convForward[T float](op *conv2DOp, x, w, b, cols, z, y []T) {
	g := op.geom
	np := g.n * g.p
	parallel(g.kk, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			im2colRow(g, op.k, op.stride, op.pad, r, x, cols[r*np:(r+1)*np])
		}
	})
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
				activate(op.act, row)
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

func (op *conv2DOp) DiffWRT(int) []bool { return []bool{op.needX, true, true} }

// SymDiff returns the gradient nodes: dz = dy·act'(z) laid out as the
// forward product's (f × n·p) result, then dw = dz·colsᵀ (one product
// over the whole batch), db = the row sums of dz and, if needed,
// dx = col2im(wᵀ·dz).
func (op *conv2DOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dz, err := G.ApplyOp(&convGradOp{fwd: op}, output, grad)
	if err != nil {
		return nil, err
	}
	dw, err := G.ApplyOp(&convFilterGradOp{fwd: op}, dz, inputs[1])
	if err != nil {
		return nil, err
	}
	db, err := G.ApplyOp(&sumColsOp{}, dz)
	if err != nil {
		return nil, err
	}
	var dx *G.Node
	if op.needX {
		if dx, err = G.ApplyOp(&convInputGradOp{fwd: op}, dz, inputs[1], inputs[0]); err != nil {
			return nil, err
		}
	}
	return G.Nodes{dx, dw, db}, nil
}

// convGradOp turns the gradient of a convolution's output, dy (n, f, oh,
// ow), into that of its product before bias and activation, laid out as
// the product was: (f, n·p).
type convGradOp struct {
	fwd *conv2DOp
	out *tensor.Dense
}

func (op *convGradOp) Arity() int { return 2 }
func (op *convGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(4), tensorType(2))
}
func (op *convGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	y := in[0].(tensor.Shape)
	return tensor.Shape{y[1], y[0] * y[2] * y[3]}, nil
}
func (op *convGradOp) ReturnsPtr() bool      { return false }
func (op *convGradOp) CallsExtern() bool     { return false }
func (op *convGradOp) OverwritesInput() int  { return -1 }
func (op *convGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "dlgo.ConvGrad{%p}", op.fwd) }
func (op *convGradOp) Hashcode() uint32      { return hashOf(op) }
func (op *convGradOp) String() string        { return "ConvGrad" }

func (op *convGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(2, vs)
	if err != nil {
		return nil, err
	}
	g := op.fwd.geom
	dz := buffer(&op.out, in[0].Dtype(), g.f, g.n*g.p)
	switch yd := in[0].Data().(type) {
	case []float32:
		convGrad(g, op.fwd.act, yd, in[1].Data().([]float32), dz.Data().([]float32))
	case []float64:
		convGrad(g, op.fwd.act, yd, in[1].Data().([]float64), dz.Data().([]float64))
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

// convFilterGradOp computes the kernel's gradient dw = dz·colsᵀ, from the
// patches the forward op of the same run unrolled.
type convFilterGradOp struct {
	fwd      *conv2DOp
	out, tmp *tensor.Dense
}

func (op *convFilterGradOp) Arity() int { return 2 }
func (op *convFilterGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(4), tensorType(4))
}
func (op *convFilterGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[1].(tensor.Shape).Clone(), nil
}
func (op *convFilterGradOp) ReturnsPtr() bool     { return false }
func (op *convFilterGradOp) CallsExtern() bool    { return false }
func (op *convFilterGradOp) OverwritesInput() int { return -1 }
func (op *convFilterGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.ConvFilterGrad{%p}", op.fwd)
}
func (op *convFilterGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *convFilterGradOp) String() string   { return "ConvFilterGrad" }

func (op *convFilterGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(2, vs)
	if err != nil {
		return nil, err
	}
	g := op.fwd.geom
	dt := in[0].Dtype()
	dw := buffer(&op.out, dt, in[1].Shape()...)
	switch dz := in[0].Data().(type) {
	case []float32:
		filterGrad(g, dz, op.fwd.cols.Data().([]float32), dw.Data().([]float32), buffer(&op.tmp, dt, g.kk, g.f).Data().([]float32))
	case []float64:
		filterGrad(g, dz, op.fwd.cols.Data().([]float64), dw.Data().([]float64), buffer(&op.tmp, dt, g.kk, g.f).Data().([]float64))
	}
	return dw, nil
}

// filterGrad computes dw (f × kk) = dz (f × n·p) · colsᵀ. The matrix
// product packs its second operand, transposed here: that of dz when it
// is the smaller (f < kk, computing dwᵀ = cols · dzᵀ into tmp), else that
// of cols. Each value is the same sum in the same order either way.
func filterGrad[T float](g convGeom, dz, cols, dw, tmp []T) {
	np := g.n * g.p
	if g.f >= g.kk {
		matmul(false, true, g.f, g.kk, np, dz, np, cols, np, 0, dw, g.kk)
		return
	}
	matmul(false, true, g.kk, g.f, np, cols, np, dz, np, 0, tmp, g.f)
	for r := range g.kk {
		for f := range g.f {
			dw[f*g.kk+r] = tmp[r*g.f+f]
		}
	}
}

// convInputGradOp computes the input's gradient: dcols = wᵀ·dz, folded
// back with col2im.
type convInputGradOp struct {
	fwd   *conv2DOp
	dcols *tensor.Dense
	out   *tensor.Dense
}

func (op *convInputGradOp) Arity() int { return 3 }
func (op *convInputGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(4), tensorType(4), tensorType(4))
}
func (op *convInputGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[2].(tensor.Shape).Clone(), nil
}
func (op *convInputGradOp) ReturnsPtr() bool     { return false }
func (op *convInputGradOp) CallsExtern() bool    { return false }
func (op *convInputGradOp) OverwritesInput() int { return -1 }
func (op *convInputGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.ConvInputGrad{%p}", op.fwd)
}
func (op *convInputGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *convInputGradOp) String() string   { return "ConvInputGrad" }

func (op *convInputGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(3, vs)
	if err != nil {
		return nil, err
	}
	g, f := op.fwd.geom, op.fwd
	dt := in[0].Dtype()
	dcols := buffer(&op.dcols, dt, g.kk, g.n*g.p)
	dx := buffer(&op.out, dt, in[2].Shape()...)
	switch dz := in[0].Data().(type) {
	case []float32:
		convInputGrad(g, f.k, f.stride, f.pad, dz, in[1].Data().([]float32), dcols.Data().([]float32), dx.Data().([]float32))
	case []float64:
		convInputGrad(g, f.k, f.stride, f.pad, dz, in[1].Data().([]float64), dcols.Data().([]float64), dx.Data().([]float64))
	}
	return dx, nil
}

func convInputGrad[T float](g convGeom, k, stride, pad int, dz, w, dcols, dx []T) {
	np := g.n * g.p
	// dcols (kk × n·p) = wᵀ (kk × f) · dz (f × n·p)
	matmul(true, false, g.kk, np, g.f, w, g.kk, dz, np, 0, dcols, np)
	clear(dx)
	parallel(g.c, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			col2imChannel(g, k, stride, pad, c, dcols, dx)
		}
	})
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
