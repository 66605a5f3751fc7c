package ops

import (
	"fmt"
	"hash"
	"math"
	"unsafe"

	"github.com/chewxy/hm"
	"github.com/dlgo/dlgo/internal/gemm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// outGeom is the geometry of a convolution's output node: n samples of
// f filters on an oh×ow grid (p = oh·ow positions), max-pooled by pk×pk
// windows moved by ps into ph×pw (pp = ph·pw); pk = ps = 1 is no pooling.
type outGeom struct {
	n, f, oh, ow, p, pk, ps, ph, pw, pp int
}

// outGeometry checks the product z (n·p, f) and the bias b (f) of a
// convolution with an oh×ow output pooled by pk×pk windows moved by ps.
func outGeometry(z, b tensor.Shape, oh, ow, pk, ps int) (outGeom, error) {
	p := oh * ow
	if len(z) != 2 || len(b) != 1 || z[1] != b[0] || p < 1 || z[0]%p != 0 || pk < 1 || ps < 1 || oh < pk || ow < pk {
		return outGeom{}, fmt.Errorf("ops: conv2d output of product %v and bias %v on a %d×%d grid pooled by %d, stride %d", z, b, oh, ow, pk, ps)
	}
	g := outGeom{n: z[0] / p, f: z[1], oh: oh, ow: ow, p: p, pk: pk, ps: ps}
	g.ph, g.pw = (oh-pk)/ps+1, (ow-pk)/ps+1
	g.pp = g.ph * g.pw
	return g, nil
}

// convOutputOp computes a convolution's output (n, f, ph, pw) from its
// product z (n·oh·ow, f) and bias b (f): act(z + b) moved into NCHW order,
// max-pooled if pk×pk windows moved by ps say so.
type convOutputOp struct {
	act            Activation
	oh, ow, pk, ps int
	out, tmp       *tensor.Dense
}

func (op *convOutputOp) Arity() int { return 2 }
func (op *convOutputOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(1), tensorType(4))
}
func (op *convOutputOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	g, err := outGeometry(in[0].(tensor.Shape), in[1].(tensor.Shape), op.oh, op.ow, op.pk, op.ps)
	return tensor.Shape{g.n, g.f, g.ph, g.pw}, err
}
func (op *convOutputOp) ReturnsPtr() bool     { return false }
func (op *convOutputOp) CallsExtern() bool    { return false }
func (op *convOutputOp) OverwritesInput() int { return -1 }
func (op *convOutputOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.ConvOutput{%v,%d,%d,%d,%d}", op.act, op.oh, op.ow, op.pk, op.ps)
}
func (op *convOutputOp) Hashcode() uint32 { return hashOf(op) }
func (op *convOutputOp) String() string {
	if op.pk == 1 && op.ps == 1 {
		return fmt.Sprintf("ConvOutput{%v,%d×%d}", op.act, op.oh, op.ow)
	}
	return fmt.Sprintf("ConvOutput{%v,%d×%d,pool %d/%d}", op.act, op.oh, op.ow, op.pk, op.ps)
}

func (op *convOutputOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(2, vs)
	if err != nil {
		return nil, err
	}
	z, b := in[0], in[1]
	g, err := outGeometry(z.Shape(), b.Shape(), op.oh, op.ow, op.pk, op.ps)
	if err != nil {
		return nil, err
	}
	y := buffer(&op.out, z.Dtype(), g.n, g.f, g.ph, g.pw)
	tmp := buffer(&op.tmp, z.Dtype(), max(1, pieces*convOutScratch(g)))
	switch zd := z.Data().(type) {
	case []float32:
		convOutput(g, op.act, zd, b.Data().([]float32), y.Data().([]float32), tmp.Data().([]float32))
	case []float64:
		convOutput(g, op.act, zd, b.Data().([]float64), y.Data().([]float64), tmp.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, z.Dtype())
	}
	return y, nil
}

func (op *convOutputOp) DiffWRT(int) []bool { return []bool{true, true} }

// SymDiff returns the gradients of the product, from the product, the
// bias, the output and its gradient, and of the bias, Σ dy·act'(y) from
// the output and its gradient.
func (op *convOutputOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dz, err := G.ApplyOp(&convOutputGradOp{act: op.act, oh: op.oh, ow: op.ow, pk: op.pk, ps: op.ps}, inputs[0], inputs[1], output, grad)
	if err != nil {
		return nil, err
	}
	db, err := G.ApplyOp(&convBiasGradOp{act: op.act}, output, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dz, db}, nil
}

// convOutput sets y (n, f, ph, pw) to act(z + b) for z (n·p, f), pooled,
// sample by sample in parallel: the pooled rows of f values are computed
// in z's order, sequentially, into tmp (pieces × pp·f) and transposed into
// y's.
func convOutput[T float](g outGeom, act Activation, z, b, y, tmp []T) {
	per := convOutScratch(g)
	parallelPieces(g.n, func(piece, lo, hi int) {
		t := tmp[piece*per : (piece+1)*per]
		for s := lo; s < hi; s++ {
			zs := z[s*g.p*g.f : (s+1)*g.p*g.f]
			ys := y[s*g.f*g.pp : (s+1)*g.f*g.pp]
			if g.pk == 1 && g.ps == 1 {
				gemm.Transpose(g.p, g.f, zs, g.f, ys, g.p)
				for fi, bf := range b {
					row := ys[fi*g.p : (fi+1)*g.p]
					for i := range row {
						row[i] += bf
					}
					activate(act, row)
				}
				continue
			}
			// ReLU is folded into the maximum; other activations follow.
			lo, folded := T(math.Inf(-1)), act == Linear || act == ReLU
			if act == ReLU {
				lo = 0
			}
			if g.pk == 2 && g.ps == 2 {
				poolRows2x2(g, zs, b, t, lo)
			} else {
				poolRows(g, zs, b, t, lo)
			}
			gemm.Transpose(g.pp, g.f, t, g.f, ys, g.pp)
			if !folded {
				activate(act, ys)
			}
		}
	})
}

// convOutScratch is the scratch space per piece of convOutput.
func convOutScratch(g outGeom) int {
	if g.pk == 1 && g.ps == 1 {
		return 0
	}
	return g.pp * g.f
}

// parallelPieces calls f(piece, lo, hi) on the pieces of [0, n) that
// parallel(n, ...) would make, with the piece's number, for per-piece
// scratch space.
func parallelPieces(n int, f func(piece, lo, hi int)) {
	parts := min(pieces, n)
	gemm.Parallel(parts, parts, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			f(p, p*n/parts, (p+1)*n/parts)
		}
	})
}

// poolRows2x2 sets t (pp, f) to max(lo, the largest z + b) of each 2×2
// window, for windows moved by 2: the window's four rows of zs (p, f) are
// read in order.
func poolRows2x2[T float](g outGeom, zs, b, t []T, lo T) {
	f := len(b)
	f8 := 0
	if _, ok := any(zs).([]float32); ok && haveAVX2 {
		f8 = f &^ 7
	}
	for py := range g.ph {
		for px := range g.pw {
			r := (2*py*g.ow + 2*px) * f
			o := py*g.pw + px
			row := t[o*f : (o+1)*f]
			if f8 > 0 {
				windowMax2x2(asF32(&row[0]), asF32(&zs[r]), f, g.ow*f, asF32(&b[0]), f8, float32(lo))
			}
			a, c := zs[r:r+f], zs[r+f:r+2*f]
			d, e := zs[r+g.ow*f:r+g.ow*f+f], zs[r+g.ow*f+f:r+g.ow*f+2*f]
			a, c, d, e, row = a[:len(b)], c[:len(b)], d[:len(b)], e[:len(b)], row[:len(b)]
			for fi := f8; fi < len(b); fi++ {
				bf := b[fi]
				row[fi] = max(max(a[fi]+bf, c[fi]+bf), max(d[fi]+bf, e[fi]+bf), lo)
			}
		}
	}
}

// poolRows is poolRows2x2 for any window and stride.
func poolRows[T float](g outGeom, zs, b, t []T, lo T) {
	f := len(b)
	for py := range g.ph {
		for px := range g.pw {
			at := py*g.ps*g.ow + px*g.ps
			o := py*g.pw + px
			row := t[o*f : (o+1)*f]
			for fi, bf := range b {
				row[fi] = zs[at*f+fi] + bf
			}
			for ki := range g.pk {
				for kj := range g.pk {
					in := zs[(at+ki*g.ow+kj)*f : (at+ki*g.ow+kj+1)*f]
					in = in[:len(row)]
					for fi, bf := range b {
						row[fi] = max(row[fi], in[fi]+bf)
					}
				}
			}
			for fi := range row {
				row[fi] = max(row[fi], lo)
			}
		}
	}
}

// asF32 converts a *T known to be a *float32.
func asF32[T float](p *T) *float32 { return (*float32)(unsafe.Pointer(p)) }

// convOutputGradOp computes the gradient of a convolution's product z
// (n·p, f) from z, the bias b, the output y and its gradient dy: dy·act'(y)
// at each output, sent (when pooled) to the first position of its window
// whose act(z + b) is y.
type convOutputGradOp struct {
	act            Activation
	oh, ow, pk, ps int
	out, tmp       *tensor.Dense
}

func (op *convOutputGradOp) Arity() int { return 4 }
func (op *convOutputGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(1), tensorType(4), tensorType(4), tensorType(2))
}
func (op *convOutputGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	z, b, y, dy := in[0].(tensor.Shape), in[1].(tensor.Shape), in[2].(tensor.Shape), in[3].(tensor.Shape)
	g, err := outGeometry(z, b, op.oh, op.ow, op.pk, op.ps)
	if err == nil && (!y.Eq(tensor.Shape{g.n, g.f, g.ph, g.pw}) || !y.Eq(dy)) {
		err = fmt.Errorf("ops: conv2d output gradient %v of an output %v of product %v", dy, y, z)
	}
	return z.Clone(), err
}
func (op *convOutputGradOp) ReturnsPtr() bool     { return false }
func (op *convOutputGradOp) CallsExtern() bool    { return false }
func (op *convOutputGradOp) OverwritesInput() int { return -1 }
func (op *convOutputGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.ConvOutputGrad{%v,%d,%d,%d,%d}", op.act, op.oh, op.ow, op.pk, op.ps)
}
func (op *convOutputGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *convOutputGradOp) String() string {
	return fmt.Sprintf("ConvOutputGrad{%v,%d×%d,pool %d/%d}", op.act, op.oh, op.ow, op.pk, op.ps)
}

func (op *convOutputGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(4, vs)
	if err != nil {
		return nil, err
	}
	z, b, y, dy := in[0], in[1], in[2], in[3]
	if _, err := op.InferShape(z.Shape(), b.Shape(), y.Shape(), dy.Shape()); err != nil {
		return nil, err
	}
	g, _ := outGeometry(z.Shape(), b.Shape(), op.oh, op.ow, op.pk, op.ps)
	dz := buffer(&op.out, z.Dtype(), z.Shape()...)
	tmp := buffer(&op.tmp, z.Dtype(), pieces*convGradScratch(g))
	switch zd := z.Data().(type) {
	case []float32:
		convOutputGrad(g, op.act, zd, b.Data().([]float32), y.Data().([]float32), dy.Data().([]float32), dz.Data().([]float32), tmp.Data().([]float32))
	case []float64:
		convOutputGrad(g, op.act, zd, b.Data().([]float64), y.Data().([]float64), dy.Data().([]float64), dz.Data().([]float64), tmp.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, z.Dtype())
	}
	return dz, nil
}

// convOutputGrad sets dz (n·p, f), sample by sample in parallel. Without
// pooling, dy·act'(y) is computed in y's order and transposed; with it, y
// and dy are transposed into z's order (into tmp, pieces × 2·pp·f), and
// each window's rows of dz are written in order.
func convOutputGrad[T float](g outGeom, act Activation, z, b, y, dy, dz, tmp []T) {
	per := convGradScratch(g)
	parallelPieces(g.n, func(piece, lo, hi int) {
		t := tmp[piece*per : (piece+1)*per]
		for s := lo; s < hi; s++ {
			zs, dzs := z[s*g.p*g.f:(s+1)*g.p*g.f], dz[s*g.p*g.f:(s+1)*g.p*g.f]
			ys, dys := y[s*g.f*g.pp:(s+1)*g.f*g.pp], dy[s*g.f*g.pp:(s+1)*g.f*g.pp]
			if g.pk == 1 && g.ps == 1 {
				gc := t[:g.f*g.p]
				activationGrad(act, ys, dys, gc)
				gemm.Transpose(g.f, g.p, gc, g.p, dzs, g.f)
				continue
			}
			yt, dyt := t[:g.pp*g.f], t[g.pp*g.f:2*g.pp*g.f]
			gemm.Transpose(g.f, g.pp, ys, g.pp, yt, g.f)
			gemm.Transpose(g.f, g.pp, dys, g.pp, dyt, g.f)
			if g.pk == 2 && g.ps == 2 {
				clearUnpooled(g, dzs)
				poolGradRows2x2(g, act, zs, b, yt, dyt, dzs)
			} else {
				clear(dzs)
				poolGradRows(g, act, zs, b, yt, dyt, dzs)
			}
		}
	})
}

// convGradScratch is the scratch space per piece of convOutputGrad.
func convGradScratch(g outGeom) int {
	if g.pk == 1 && g.ps == 1 {
		return g.f * g.p
	}
	return 2 * g.pp * g.f
}

// clearUnpooled zeroes the rows of dzs (p, f) at the positions no 2×2
// window moved by 2 covers: the last row and column of an odd grid.
func clearUnpooled[T float](g outGeom, dzs []T) {
	f := g.f
	if g.ow > 2*g.pw {
		for oy := range 2 * g.ph {
			clear(dzs[(oy*g.ow+2*g.pw)*f : (oy+1)*g.ow*f])
		}
	}
	clear(dzs[2*g.ph*g.ow*f:])
}

// poolGradRows2x2 writes the rows of dzs (p, f) of each 2×2 window moved
// by 2: the window's dy·act'(y) at the first position whose act(z + b)
// is y (the last if none is: a NaN), 0 at the other three. yt and dyt
// are y and dy in z's order (pp, f).
func poolGradRows2x2[T float](g outGeom, act Activation, zs, b, yt, dyt, dzs []T) {
	f := len(b)
	f8, mode := 0, 0
	if _, ok := any(zs).([]float32); ok && haveAVX2 {
		switch act {
		case Linear:
			f8 = f &^ 7
		case ReLU:
			f8, mode = f&^7, 1
		case LeakyReLU:
			f8, mode = f&^7, 2
		}
	}
	for py := range g.ph {
		for px := range g.pw {
			r00 := (2*py*g.ow + 2*px) * f
			r01, r10 := r00+f, r00+g.ow*f
			r11 := r10 + f
			o := py*g.pw + px
			yr, dr := yt[o*f:(o+1)*f], dyt[o*f:(o+1)*f]
			if f8 > 0 {
				windowGrad2x2(asF32(&dzs[r00]), asF32(&zs[r00]), f, g.ow*f, asF32(&b[0]), asF32(&yr[0]), asF32(&dr[0]), f8, mode, LeakySlope)
			}
			for fi := f8; fi < f; fi++ {
				bf, yv := b[fi], yr[fi]
				idx := r11
				if matches(act, zs[r10+fi]+bf, yv) {
					idx = r10
				}
				if matches(act, zs[r01+fi]+bf, yv) {
					idx = r01
				}
				if matches(act, zs[r00+fi]+bf, yv) {
					idx = r00
				}
				dzs[r00+fi], dzs[r01+fi], dzs[r10+fi], dzs[r11+fi] = 0, 0, 0, 0
				dzs[idx+fi] = gradAt(act, yv, dr[fi])
			}
		}
	}
}

// poolGradRows adds each window's dy·act'(y) onto the first position of
// the window whose act(z + b) is y (its first position if none is: a
// NaN), for dzs zeroed.
func poolGradRows[T float](g outGeom, act Activation, zs, b, yt, dyt, dzs []T) {
	f := len(b)
	for py := range g.ph {
		for px := range g.pw {
			at := py*g.ps*g.ow + px*g.ps
			o := py*g.pw + px
			for fi, bf := range b {
				yv := yt[o*f+fi]
				idx := at
			find:
				for ki := range g.pk {
					for kj := range g.pk {
						if q := at + ki*g.ow + kj; matches(act, zs[q*f+fi]+bf, yv) {
							idx = q
							break find
						}
					}
				}
				dzs[idx*f+fi] += gradAt(act, yv, dyt[o*f+fi])
			}
		}
	}
}

// matches reports whether act(v) is y, the output of a window. For the
// identity and ReLU it compares v itself: with ReLU, when y is 0 the
// window's gradient is 0 wherever it goes.
func matches[T float](act Activation, v, y T) bool {
	switch act {
	case Linear, ReLU:
		return v == y
	}
	return actValue(act, v) == y
}

// actValue is act(x), computed as activate computes it.
func actValue[T float](act Activation, x T) T {
	switch act {
	case ReLU:
		return max(x, 0)
	case Sigmoid:
		if x >= 0 {
			return T(1 / (1 + math.Exp(-float64(x))))
		}
		e := math.Exp(float64(x))
		return T(e / (1 + e))
	case Tanh:
		return T(math.Tanh(float64(x)))
	case LeakyReLU:
		return max(x, x*T(LeakySlope))
	}
	return x
}

// gradAt is dy·act'(x) from the activation's output y = act(x), as
// activationGrad computes it.
func gradAt[T float](act Activation, y, dy T) T {
	switch act {
	case ReLU:
		if y > 0 {
			return dy
		}
		return 0
	case Sigmoid:
		return dy * y * (1 - y)
	case Tanh:
		return dy * (1 - y*y)
	case LeakyReLU:
		if y > 0 {
			return dy
		}
		return dy * T(LeakySlope)
	}
	return dy
}

// convBiasGradOp computes a convolution's bias gradient Σ dy·act'(y) over
// the samples and positions of each filter, from its output y (n, f, h, w)
// and the output's gradient dy.
type convBiasGradOp struct {
	act       Activation
	out, part *tensor.Dense
}

func (op *convBiasGradOp) Arity() int { return 2 }
func (op *convBiasGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(4), tensorType(4), tensorType(1))
}
func (op *convBiasGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	y, dy := in[0].(tensor.Shape), in[1].(tensor.Shape)
	if len(y) != 4 || !y.Eq(dy) {
		return nil, fmt.Errorf("ops: conv2d bias gradient from %v and %v", y, dy)
	}
	return tensor.Shape{y[1]}, nil
}
func (op *convBiasGradOp) ReturnsPtr() bool      { return false }
func (op *convBiasGradOp) CallsExtern() bool     { return false }
func (op *convBiasGradOp) OverwritesInput() int  { return -1 }
func (op *convBiasGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "dlgo.ConvBiasGrad{%v}", op.act) }
func (op *convBiasGradOp) Hashcode() uint32      { return hashOf(op) }
func (op *convBiasGradOp) String() string        { return fmt.Sprintf("ConvBiasGrad{%v}", op.act) }

func (op *convBiasGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(2, vs)
	if err != nil {
		return nil, err
	}
	y, dy := in[0], in[1]
	if _, err := op.InferShape(y.Shape(), dy.Shape()); err != nil {
		return nil, err
	}
	ys := y.Shape()
	db := buffer(&op.out, y.Dtype(), ys[1])
	part := buffer(&op.part, y.Dtype(), pieces, ys[1])
	switch yd := y.Data().(type) {
	case []float32:
		biasGrad(ys[0], ys[1], ys[2]*ys[3], op.act, yd, dy.Data().([]float32), db.Data().([]float32), part.Data().([]float32))
	case []float64:
		biasGrad(ys[0], ys[1], ys[2]*ys[3], op.act, yd, dy.Data().([]float64), db.Data().([]float64), part.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, y.Dtype())
	}
	return db, nil
}

// biasGrad sets db[c] = Σ dy·act'(y) over the n samples and pp positions
// of channel c. Each piece of the samples (in parallel) reads its samples
// in order, summing each row of pp values, into its own sums in part
// (pieces × f); db is then the pieces' sums added in order.
func biasGrad[T float](n, f, pp int, act Activation, y, dy, db, part []T) {
	parallelPieces(n, func(piece, lo, hi int) {
		acc := part[piece*f : (piece+1)*f]
		clear(acc)
		for s := lo; s < hi; s++ {
			for c := range acc {
				yr, dr := y[(s*f+c)*pp:(s*f+c+1)*pp], dy[(s*f+c)*pp:(s*f+c+1)*pp]
				acc[c] += rowGradSum(act, yr, dr)
			}
		}
	})
	clear(db)
	for piece := range min(pieces, n) {
		for c, v := range part[piece*f : (piece+1)*f] {
			db[c] += v
		}
	}
}

// rowGradSum returns Σ dy·act'(y) over a row, with two running sums.
func rowGradSum[T float](act Activation, y, dy []T) T {
	if y32, ok := any(y).([]float32); ok && act == ReLU {
		a, b := sumReluGrad32(y32, any(dy).([]float32))
		return T(a + b)
	}
	dy = dy[:len(y)]
	var s0, s1 T
	i := 0
	for ; i+2 <= len(y); i += 2 {
		s0 += gradAt(act, y[i], dy[i])
		s1 += gradAt(act, y[i+1], dy[i+1])
	}
	if i < len(y) {
		s0 += gradAt(act, y[i], dy[i])
	}
	return s0 + s1
}

// sumReluGrad32 returns the sums of dy where y > 0 over the even and the
// odd indices, without branches (which mispredict on activations): y ≥ 0
// is a ReLU's output, positive exactly when its bits are not zero.
func sumReluGrad32(y, dy []float32) (even, odd float32) {
	dy = dy[:len(y)]
	i := 0
	for ; i+2 <= len(y); i += 2 {
		k0 := uint32(-int32(math.Float32bits(y[i])) >> 31)
		k1 := uint32(-int32(math.Float32bits(y[i+1])) >> 31)
		even += math.Float32frombits(math.Float32bits(dy[i]) & k0)
		odd += math.Float32frombits(math.Float32bits(dy[i+1]) & k1)
	}
	if i < len(y) {
		k := uint32(-int32(math.Float32bits(y[i])) >> 31)
		even += math.Float32frombits(math.Float32bits(dy[i]) & k)
	}
	return even, odd
}
