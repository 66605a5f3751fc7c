package ops

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Batch normalisation is three ops, so that every gradient reads graph
// inputs and the batch statistics are nodes of their own: a training graph
// computes
//
//	mean := ChannelMean(x)
//	variance := ChannelVariance(x, mean)
//	y := BatchNormApply(x, mean, variance, gamma, beta, eps)
//
// and a trainer reads mean.Value() and variance.Value() after each run to
// update its running averages, which an inference graph feeds to
// BatchNormApply as input nodes instead. Gorgonia sums the gradient paths
// through the statistics. The values of a channel are those of axis 1 of
// x, (n, C) or (n, C, H, W).

// ChannelMean returns the mean of x (n, C) or (n, C, H, W) over every axis
// but 1, shaped (C): the batch mean of each feature or channel. It is
// accumulated in float64, over a fixed number of pieces of the batch.
func ChannelMean(x *G.Node) (*G.Node, error) {
	if _, _, _, err := channels(x.Shape()); err != nil {
		return nil, err
	}
	return G.ApplyOp(&channelSumOp{mean: true, dims: x.Dims()}, x)
}

// ChannelVariance returns the biased variance of x (n, C) or (n, C, H, W)
// around mean (C), over every axis but 1: Σ (x - mean)² divided by the
// count n·H·W, as Keras computes batch statistics. It is accumulated in
// float64, over a fixed number of pieces of the batch. Its gradient with
// respect to mean is zero only when mean is x's mean.
func ChannelVariance(x, mean *G.Node) (*G.Node, error) {
	op := &channelVarianceOp{dims: x.Dims()}
	if _, err := op.InferShape(x.Shape(), mean.Shape()); err != nil {
		return nil, err
	}
	return G.ApplyOp(op, x, mean)
}

// BatchNormApply returns gamma·(x - mean)/√(variance + eps) + beta for x
// (n, C) or (n, C, H, W) and mean, variance, gamma and beta of shape (C),
// channel by channel, with its gradients with respect to all five inputs.
// eps must not be negative (Keras uses 1e-3).
func BatchNormApply(x, mean, variance, gamma, beta *G.Node, eps float64) (*G.Node, error) {
	if !(eps >= 0) || math.IsInf(eps, 1) {
		return nil, fmt.Errorf("ops: batch normalisation with epsilon %v", eps)
	}
	op := &bnApplyOp{eps: eps, dims: x.Dims()}
	if _, err := op.InferShape(x.Shape(), mean.Shape(), variance.Shape(), gamma.Shape(), beta.Shape()); err != nil {
		return nil, err
	}
	return G.ApplyOp(op, x, mean, variance, gamma, beta)
}

// checkPerChannel checks that each of vs is a vector of x's C values.
func checkPerChannel(what string, x tensor.Shape, vs ...tensor.Shape) (n, c, s int, err error) {
	if n, c, s, err = channels(x); err != nil {
		return 0, 0, 0, err
	}
	for _, v := range vs {
		if len(v) != 1 || v[0] != c {
			return 0, 0, 0, fmt.Errorf("ops: %s of %v with per-channel values %v; want (%d)", what, x, v, c)
		}
	}
	return n, c, s, nil
}

// forPlanes calls plane(smp, ch, at) for each sample and channel of a
// tensor (n, C, S), whose S values are at [at, at+S), in parallel over the
// samples.
func forPlanes(n, c, s int, plane func(smp, ch, at int)) {
	parallel(n, func(lo, hi int) {
		for smp := lo; smp < hi; smp++ {
			for ch := range c {
				plane(smp, ch, (smp*c+ch)*s)
			}
		}
	})
}

// sumDev returns Σ (v - m) and sumSqDev Σ (v - m)², in float64 with two
// running sums.
func sumDev[T float](v []T, m float64) float64 {
	var s0, s1 float64
	i := 0
	for ; i+2 <= len(v); i += 2 {
		s0 += float64(v[i]) - m
		s1 += float64(v[i+1]) - m
	}
	for ; i < len(v); i++ {
		s0 += float64(v[i]) - m
	}
	return s0 + s1
}

func sumSqDev[T float](v []T, m float64) float64 {
	var s0, s1 float64
	i := 0
	for ; i+2 <= len(v); i += 2 {
		d0, d1 := float64(v[i])-m, float64(v[i+1])-m
		s0 += d0 * d0
		s1 += d1 * d1
	}
	for ; i < len(v); i++ {
		d := float64(v[i]) - m
		s0 += d * d
	}
	return s0 + s1
}

// channelVarianceOp computes Σ (x - mean)² / count per channel.
type channelVarianceOp struct {
	dims int
	red  reducer
	out  *tensor.Dense
}

func (op *channelVarianceOp) Arity() int { return 2 }
func (op *channelVarianceOp) Type() hm.Type {
	return hm.NewFnType(tensorType(op.dims), tensorType(1), tensorType(1))
}
func (op *channelVarianceOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	_, c, _, err := checkPerChannel("variance", in[0].(tensor.Shape), in[1].(tensor.Shape))
	return tensor.Shape{c}, err
}
func (op *channelVarianceOp) ReturnsPtr() bool     { return false }
func (op *channelVarianceOp) CallsExtern() bool    { return false }
func (op *channelVarianceOp) OverwritesInput() int { return -1 }
func (op *channelVarianceOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.ChannelVariance{%d}", op.dims)
}
func (op *channelVarianceOp) Hashcode() uint32 { return hashOf(op) }
func (op *channelVarianceOp) String() string   { return "ChannelVariance" }

func (op *channelVarianceOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(2, vs)
	if err != nil {
		return nil, err
	}
	x, m := in[0], in[1]
	n, c, s, err := checkPerChannel("variance", x.Shape(), m.Shape())
	if err != nil {
		return nil, err
	}
	out := buffer(&op.out, x.Dtype(), c)
	switch xd := x.Data().(type) {
	case []float32:
		channelVariance(&op.red, n, c, s, xd, m.Data().([]float32), out.Data().([]float32))
	case []float64:
		channelVariance(&op.red, n, c, s, xd, m.Data().([]float64), out.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, x.Dtype())
	}
	return out, nil
}

func channelVariance[T float](r *reducer, n, c, s int, x, m, out []T) {
	sums := r.reduce(n, c, 1, func(smp, ch int, acc []float64) {
		acc[0] += sumSqDev(x[(smp*c+ch)*s:(smp*c+ch+1)*s], float64(m[ch]))
	})
	for ch, v := range sums {
		out[ch] = T(v / float64(n*s))
	}
}

func (op *channelVarianceOp) DiffWRT(int) []bool { return []bool{true, true} }

// SymDiff returns dx = 2(x - mean)·dv/count and dmean = -2·dv·Σ(x - mean)/count.
func (op *channelVarianceOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	x, m := inputs[0], inputs[1]
	dx, err := G.ApplyOp(&varianceGradOp{dims: op.dims}, x, m, grad)
	if err != nil {
		return nil, err
	}
	dm, err := G.ApplyOp(&varianceMeanGradOp{dims: op.dims}, x, m, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dm}, nil
}

// varianceGradOp computes ChannelVariance's gradient with respect to x
// from (x, mean, dv): 2(x - mean)·dv/count.
type varianceGradOp struct {
	dims int
	out  *tensor.Dense
}

func (op *varianceGradOp) Arity() int { return 3 }
func (op *varianceGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(op.dims), tensorType(1), tensorType(1), tensorType(op.dims))
}
func (op *varianceGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x := in[0].(tensor.Shape)
	_, _, _, err := checkPerChannel("variance gradient", x, in[1].(tensor.Shape), in[2].(tensor.Shape))
	return x.Clone(), err
}
func (op *varianceGradOp) ReturnsPtr() bool      { return false }
func (op *varianceGradOp) CallsExtern() bool     { return false }
func (op *varianceGradOp) OverwritesInput() int  { return -1 }
func (op *varianceGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "dlgo.VarianceGrad{%d}", op.dims) }
func (op *varianceGradOp) Hashcode() uint32      { return hashOf(op) }
func (op *varianceGradOp) String() string        { return "VarianceGrad" }

func (op *varianceGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(3, vs)
	if err != nil {
		return nil, err
	}
	x, m, dv := in[0], in[1], in[2]
	n, c, s, err := checkPerChannel("variance gradient", x.Shape(), m.Shape(), dv.Shape())
	if err != nil {
		return nil, err
	}
	dx := buffer(&op.out, x.Dtype(), x.Shape()...)
	switch xd := x.Data().(type) {
	case []float32:
		varianceGrad(n, c, s, xd, m.Data().([]float32), dv.Data().([]float32), dx.Data().([]float32))
	case []float64:
		varianceGrad(n, c, s, xd, m.Data().([]float64), dv.Data().([]float64), dx.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, x.Dtype())
	}
	return dx, nil
}

func varianceGrad[T float](n, c, s int, x, m, dv, dx []T) {
	count := float64(n * s)
	forPlanes(n, c, s, func(_, ch, at int) {
		mc, a := m[ch], T(2*float64(dv[ch])/count)
		out := dx[at : at+s]
		for i, v := range x[at : at+s] {
			out[i] = (v - mc) * a
		}
	})
}

// varianceMeanGradOp computes ChannelVariance's gradient with respect to
// the mean from (x, mean, dv): -2·dv·Σ(x - mean)/count.
type varianceMeanGradOp struct {
	dims int
	red  reducer
	out  *tensor.Dense
}

func (op *varianceMeanGradOp) Arity() int { return 3 }
func (op *varianceMeanGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(op.dims), tensorType(1), tensorType(1), tensorType(1))
}
func (op *varianceMeanGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	_, c, _, err := checkPerChannel("variance gradient", in[0].(tensor.Shape), in[1].(tensor.Shape), in[2].(tensor.Shape))
	return tensor.Shape{c}, err
}
func (op *varianceMeanGradOp) ReturnsPtr() bool     { return false }
func (op *varianceMeanGradOp) CallsExtern() bool    { return false }
func (op *varianceMeanGradOp) OverwritesInput() int { return -1 }
func (op *varianceMeanGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.VarianceMeanGrad{%d}", op.dims)
}
func (op *varianceMeanGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *varianceMeanGradOp) String() string   { return "VarianceMeanGrad" }

func (op *varianceMeanGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(3, vs)
	if err != nil {
		return nil, err
	}
	x, m, dv := in[0], in[1], in[2]
	n, c, s, err := checkPerChannel("variance gradient", x.Shape(), m.Shape(), dv.Shape())
	if err != nil {
		return nil, err
	}
	dm := buffer(&op.out, x.Dtype(), c)
	switch xd := x.Data().(type) {
	case []float32:
		varianceMeanGrad(&op.red, n, c, s, xd, m.Data().([]float32), dv.Data().([]float32), dm.Data().([]float32))
	case []float64:
		varianceMeanGrad(&op.red, n, c, s, xd, m.Data().([]float64), dv.Data().([]float64), dm.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, x.Dtype())
	}
	return dm, nil
}

func varianceMeanGrad[T float](r *reducer, n, c, s int, x, m, dv, dm []T) {
	sums := r.reduce(n, c, 1, func(smp, ch int, acc []float64) {
		acc[0] += sumDev(x[(smp*c+ch)*s:(smp*c+ch+1)*s], float64(m[ch]))
	})
	for ch, v := range sums {
		dm[ch] = T(-2 * float64(dv[ch]) * v / float64(n*s))
	}
}

// bnApplyOp computes gamma·(x - mean)/√(variance + eps) + beta.
type bnApplyOp struct {
	eps  float64
	dims int
	out  *tensor.Dense
}

func (op *bnApplyOp) Arity() int { return 5 }
func (op *bnApplyOp) Type() hm.Type {
	v := tensorType(1)
	return hm.NewFnType(tensorType(op.dims), v, v, v, v, tensorType(op.dims))
}
func (op *bnApplyOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	x := in[0].(tensor.Shape)
	var vs []tensor.Shape
	for _, v := range in[1:] {
		vs = append(vs, v.(tensor.Shape))
	}
	_, _, _, err := checkPerChannel("batch normalisation", x, vs...)
	return x.Clone(), err
}
func (op *bnApplyOp) ReturnsPtr() bool     { return false }
func (op *bnApplyOp) CallsExtern() bool    { return false }
func (op *bnApplyOp) OverwritesInput() int { return -1 }
func (op *bnApplyOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.BatchNormApply{%v,%d}", op.eps, op.dims)
}
func (op *bnApplyOp) Hashcode() uint32 { return hashOf(op) }
func (op *bnApplyOp) String() string   { return fmt.Sprintf("BatchNormApply{%g}", op.eps) }

func (op *bnApplyOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(5, vs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	n, c, s, err := checkPerChannel("batch normalisation", x.Shape(), in[1].Shape(), in[2].Shape(), in[3].Shape(), in[4].Shape())
	if err != nil {
		return nil, err
	}
	y := buffer(&op.out, x.Dtype(), x.Shape()...)
	switch xd := x.Data().(type) {
	case []float32:
		bnApply(op.eps, n, c, s, xd, in[1].Data().([]float32), in[2].Data().([]float32), in[3].Data().([]float32), in[4].Data().([]float32), y.Data().([]float32))
	case []float64:
		bnApply(op.eps, n, c, s, xd, in[1].Data().([]float64), in[2].Data().([]float64), in[3].Data().([]float64), in[4].Data().([]float64), y.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, x.Dtype())
	}
	return y, nil
}

// invStd returns 1/√(v + eps), in float64.
func invStd[T float](v T, eps float64) float64 { return 1 / math.Sqrt(float64(v)+eps) }

func bnApply[T float](eps float64, n, c, s int, x, mean, variance, gamma, beta, y []T) {
	forPlanes(n, c, s, func(_, ch, at int) {
		m, a, b := mean[ch], T(float64(gamma[ch])*invStd(variance[ch], eps)), beta[ch]
		out := y[at : at+s]
		for i, v := range x[at : at+s] {
			out[i] = (v-m)*a + b
		}
	})
}

func (op *bnApplyOp) DiffWRT(int) []bool { return []bool{true, true, true, true, true} }

// SymDiff returns the gradients with r = 1/√(variance + eps), from the
// per-channel sums S1 = Σ dy and S2 = Σ dy·(x - mean):
// dx = γ·r·dy, dmean = -γ·r·S1, dvariance = -γ·r³·S2/2, dγ = r·S2 and
// dβ = S1.
func (op *bnApplyOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	x, mean, variance, gamma := inputs[0], inputs[1], inputs[2], inputs[3]
	sums, err := G.ApplyOp(&bnSumsOp{dims: op.dims}, grad, x, mean)
	if err != nil {
		return nil, err
	}
	dx, err := G.ApplyOp(&bnGradOp{eps: op.eps, dims: op.dims}, grad, variance, gamma)
	if err != nil {
		return nil, err
	}
	out := G.Nodes{dx}
	for _, k := range []bnParam{bnMean, bnVariance, bnGamma, bnBeta} {
		in := G.Nodes{sums, variance, gamma}
		if k == bnBeta {
			in = in[:1]
		}
		d, err := G.ApplyOp(&bnParamGradOp{param: k, eps: op.eps}, in...)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// bnSumsOp computes, from (dy, x, mean), the per-channel sums (2, C): row
// 0 Σ dy, row 1 Σ dy·(x - mean), accumulated in float64 over a fixed
// number of pieces of the batch.
type bnSumsOp struct {
	dims int
	red  reducer
	out  *tensor.Dense
}

func (op *bnSumsOp) Arity() int { return 3 }
func (op *bnSumsOp) Type() hm.Type {
	return hm.NewFnType(tensorType(op.dims), tensorType(op.dims), tensorType(1), tensorType(2))
}
func (op *bnSumsOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	dy, x := in[0].(tensor.Shape), in[1].(tensor.Shape)
	_, c, _, err := checkPerChannel("batch normalisation gradient", x, in[2].(tensor.Shape))
	if err == nil && !dy.Eq(x) {
		err = fmt.Errorf("ops: batch normalisation gradient %v of %v", dy, x)
	}
	return tensor.Shape{2, c}, err
}
func (op *bnSumsOp) ReturnsPtr() bool      { return false }
func (op *bnSumsOp) CallsExtern() bool     { return false }
func (op *bnSumsOp) OverwritesInput() int  { return -1 }
func (op *bnSumsOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "dlgo.BatchNormSums{%d}", op.dims) }
func (op *bnSumsOp) Hashcode() uint32      { return hashOf(op) }
func (op *bnSumsOp) String() string        { return "BatchNormSums" }

func (op *bnSumsOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(3, vs)
	if err != nil {
		return nil, err
	}
	dy, x, m := in[0], in[1], in[2]
	if _, err := op.InferShape(dy.Shape(), x.Shape(), m.Shape()); err != nil {
		return nil, err
	}
	n, c, s, _ := channels(x.Shape())
	out := buffer(&op.out, x.Dtype(), 2, c)
	switch d := dy.Data().(type) {
	case []float32:
		bnSums(&op.red, n, c, s, d, x.Data().([]float32), m.Data().([]float32), out.Data().([]float32))
	case []float64:
		bnSums(&op.red, n, c, s, d, x.Data().([]float64), m.Data().([]float64), out.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, x.Dtype())
	}
	return out, nil
}

func bnSums[T float](r *reducer, n, c, s int, dy, x, m, out []T) {
	sums := r.reduce(n, c, 2, func(smp, ch int, acc []float64) {
		at := (smp*c + ch) * s
		mc := float64(m[ch])
		var s1, s2 float64
		for i, d := range dy[at : at+s] {
			s1 += float64(d)
			s2 += float64(d) * (float64(x[at+i]) - mc)
		}
		acc[0] += s1
		acc[1] += s2
	})
	for ch := range c {
		out[ch], out[c+ch] = T(sums[2*ch]), T(sums[2*ch+1])
	}
}

// bnGradOp computes BatchNormApply's gradient with respect to x from (dy,
// variance, gamma): γ·dy/√(variance + eps).
type bnGradOp struct {
	eps  float64
	dims int
	out  *tensor.Dense
}

func (op *bnGradOp) Arity() int { return 3 }
func (op *bnGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(op.dims), tensorType(1), tensorType(1), tensorType(op.dims))
}
func (op *bnGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	dy := in[0].(tensor.Shape)
	_, _, _, err := checkPerChannel("batch normalisation gradient", dy, in[1].(tensor.Shape), in[2].(tensor.Shape))
	return dy.Clone(), err
}
func (op *bnGradOp) ReturnsPtr() bool     { return false }
func (op *bnGradOp) CallsExtern() bool    { return false }
func (op *bnGradOp) OverwritesInput() int { return -1 }
func (op *bnGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.BatchNormGrad{%v,%d}", op.eps, op.dims)
}
func (op *bnGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *bnGradOp) String() string   { return "BatchNormGrad" }

func (op *bnGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(3, vs)
	if err != nil {
		return nil, err
	}
	dy, v, g := in[0], in[1], in[2]
	n, c, s, err := checkPerChannel("batch normalisation gradient", dy.Shape(), v.Shape(), g.Shape())
	if err != nil {
		return nil, err
	}
	dx := buffer(&op.out, dy.Dtype(), dy.Shape()...)
	switch d := dy.Data().(type) {
	case []float32:
		bnGrad(op.eps, n, c, s, d, v.Data().([]float32), g.Data().([]float32), dx.Data().([]float32))
	case []float64:
		bnGrad(op.eps, n, c, s, d, v.Data().([]float64), g.Data().([]float64), dx.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, dy.Dtype())
	}
	return dx, nil
}

func bnGrad[T float](eps float64, n, c, s int, dy, variance, gamma, dx []T) {
	forPlanes(n, c, s, func(_, ch, at int) {
		a := T(float64(gamma[ch]) * invStd(variance[ch], eps))
		out := dx[at : at+s]
		for i, d := range dy[at : at+s] {
			out[i] = d * a
		}
	})
}

// bnParam names an input of BatchNormApply with a per-channel gradient.
type bnParam int

const (
	bnMean bnParam = iota
	bnVariance
	bnGamma
	bnBeta
)

func (p bnParam) String() string { return [...]string{"mean", "variance", "gamma", "beta"}[p] }

// bnParamGradOp computes the gradient of one per-channel input of
// BatchNormApply from the sums (2, C) of bnSumsOp and, except for beta,
// variance and gamma.
type bnParamGradOp struct {
	param bnParam
	eps   float64
	out   *tensor.Dense
}

func (op *bnParamGradOp) Arity() int {
	if op.param == bnBeta {
		return 1
	}
	return 3
}
func (op *bnParamGradOp) Type() hm.Type {
	if op.param == bnBeta {
		return hm.NewFnType(tensorType(2), tensorType(1))
	}
	return hm.NewFnType(tensorType(2), tensorType(1), tensorType(1), tensorType(1))
}
func (op *bnParamGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	sums := in[0].(tensor.Shape)
	if len(sums) != 2 || sums[0] != 2 {
		return nil, fmt.Errorf("ops: batch normalisation sums %v", sums)
	}
	for _, v := range in[1:] {
		if v := v.(tensor.Shape); len(v) != 1 || v[0] != sums[1] {
			return nil, fmt.Errorf("ops: batch normalisation gradient of %v from sums %v", v, sums)
		}
	}
	return tensor.Shape{sums[1]}, nil
}
func (op *bnParamGradOp) ReturnsPtr() bool     { return false }
func (op *bnParamGradOp) CallsExtern() bool    { return false }
func (op *bnParamGradOp) OverwritesInput() int { return -1 }
func (op *bnParamGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.BatchNormParamGrad{%v,%v}", op.param, op.eps)
}
func (op *bnParamGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *bnParamGradOp) String() string   { return fmt.Sprintf("BatchNormGrad{%v}", op.param) }

func (op *bnParamGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(op.Arity(), vs)
	if err != nil {
		return nil, err
	}
	shapes := make([]G.DimSizer, len(in))
	for i, t := range in {
		shapes[i] = t.Shape()
	}
	s, err := op.InferShape(shapes...)
	if err != nil {
		return nil, err
	}
	out := buffer(&op.out, in[0].Dtype(), s...)
	switch sd := in[0].Data().(type) {
	case []float32:
		bnParamGrad(op, sd, dataOfValue[float32](in, 1), dataOfValue[float32](in, 2), out.Data().([]float32))
	case []float64:
		bnParamGrad(op, sd, dataOfValue[float64](in, 1), dataOfValue[float64](in, 2), out.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, in[0].Dtype())
	}
	return out, nil
}

// dataOfValue returns the data of in[i], nil if there is none.
func dataOfValue[T float](in []*tensor.Dense, i int) []T {
	if i >= len(in) {
		return nil
	}
	return in[i].Data().([]T)
}

func bnParamGrad[T float](op *bnParamGradOp, sums, variance, gamma, out []T) {
	c := len(out)
	s1, s2 := sums[:c], sums[c:]
	if op.param == bnBeta {
		copy(out, s1)
		return
	}
	for ch := range out {
		r, g := invStd(variance[ch], op.eps), float64(gamma[ch])
		switch op.param {
		case bnMean:
			out[ch] = T(-g * r * float64(s1[ch]))
		case bnVariance:
			out[ch] = T(-0.5 * g * r * r * r * float64(s2[ch]))
		case bnGamma:
			out[ch] = T(r * float64(s2[ch]))
		}
	}
}
