package ops

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// channels returns the sizes of x (n, C) or (n, C, H, W) seen as
// (n, C, S): samples, channels and values per channel and sample.
func channels(x tensor.Shape) (n, c, s int, err error) {
	switch len(x) {
	case 2:
		return x[0], x[1], 1, nil
	case 4:
		return x[0], x[1], x[2] * x[3], nil
	}
	return 0, 0, 0, fmt.Errorf("ops: per-channel statistics of %v; want (n, C) or (n, C, H, W)", x)
}

// reducer sums per-channel quantities of tensors (n, C, S) in float64:
// fixed pieces of the samples in parallel, then the pieces' sums in
// order, so that the result does not depend on the number of cores.
type reducer struct{ partial []float64 }

// reduce returns terms sums per channel, sum t of channel c at
// [c·terms+t]: plane(s, c, acc) adds sample s's values of channel c to
// acc, terms long. The result is valid until the next call.
func (r *reducer) reduce(n, c, terms int, plane func(s, c int, acc []float64)) []float64 {
	parts := max(1, min(pieces, n))
	size := c * terms
	if len(r.partial) < parts*size {
		r.partial = make([]float64, parts*size)
	}
	part := r.partial[:parts*size]
	clear(part)
	parallel(parts, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			acc := part[p*size : (p+1)*size]
			for s := p * n / parts; s < (p+1)*n/parts; s++ {
				for ch := range c {
					plane(s, ch, acc[ch*terms:(ch+1)*terms])
				}
			}
		}
	})
	total := part[:size]
	for p := 1; p < parts; p++ {
		addTo(total, part[p*size:(p+1)*size])
	}
	return total
}

// sum64 returns Σ v in float64, with four running sums.
func sum64[T float](v []T) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(v); i += 4 {
		s0 += float64(v[i])
		s1 += float64(v[i+1])
		s2 += float64(v[i+2])
		s3 += float64(v[i+3])
	}
	for ; i < len(v); i++ {
		s0 += float64(v[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// channelSumOp sums x (n, C) or (n, C, H, W) over every axis but 1, into
// (C); divided by the count n·H·W if mean is set.
type channelSumOp struct {
	mean bool
	dims int
	red  reducer
	out  *tensor.Dense
}

func (op *channelSumOp) Arity() int { return 1 }
func (op *channelSumOp) Type() hm.Type {
	return hm.NewFnType(tensorType(op.dims), tensorType(1))
}
func (op *channelSumOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	_, c, _, err := channels(in[0].(tensor.Shape))
	return tensor.Shape{c}, err
}
func (op *channelSumOp) ReturnsPtr() bool     { return false }
func (op *channelSumOp) CallsExtern() bool    { return false }
func (op *channelSumOp) OverwritesInput() int { return -1 }
func (op *channelSumOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.ChannelSum{%v,%d}", op.mean, op.dims)
}
func (op *channelSumOp) Hashcode() uint32 { return hashOf(op) }
func (op *channelSumOp) String() string {
	if op.mean {
		return "ChannelMean"
	}
	return "ChannelSum"
}

func (op *channelSumOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(1, vs)
	if err != nil {
		return nil, err
	}
	x := in[0]
	n, c, s, err := channels(x.Shape())
	if err != nil {
		return nil, err
	}
	out := buffer(&op.out, x.Dtype(), c)
	switch xd := x.Data().(type) {
	case []float32:
		channelSum(&op.red, op.mean, n, c, s, xd, out.Data().([]float32))
	case []float64:
		channelSum(&op.red, op.mean, n, c, s, xd, out.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, x.Dtype())
	}
	return out, nil
}

func channelSum[T float](r *reducer, mean bool, n, c, s int, x, out []T) {
	sums := r.reduce(n, c, 1, func(smp, ch int, acc []float64) {
		acc[0] += sum64(x[(smp*c+ch)*s : (smp*c+ch+1)*s])
	})
	scale := 1.0
	if mean {
		scale = 1 / float64(n*s)
	}
	for ch, v := range sums {
		out[ch] = T(v * scale)
	}
}

func (op *channelSumOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff spreads each channel's gradient over its values, divided by
// their count for a mean.
func (op *channelSumOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	xs := inputs[0].Shape()
	n, _, s, err := channels(xs)
	if err != nil {
		return nil, err
	}
	scale := 1.0
	if op.mean {
		scale = 1 / float64(n*s)
	}
	dx, err := G.ApplyOp(&channelBroadcastOp{scale: scale, shape: xs}, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

// channelBroadcastOp sets every value of channel c of a tensor of the
// given shape, (n, C) or (n, C, H, W), to scale·v[c].
type channelBroadcastOp struct {
	scale float64
	shape tensor.Shape
	out   *tensor.Dense
}

func (op *channelBroadcastOp) Arity() int { return 1 }
func (op *channelBroadcastOp) Type() hm.Type {
	return hm.NewFnType(tensorType(1), tensorType(len(op.shape)))
}
func (op *channelBroadcastOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	v := in[0].(tensor.Shape)
	_, c, _, err := channels(op.shape)
	if err == nil && (len(v) != 1 || v[0] != c) {
		err = fmt.Errorf("ops: broadcasting %v over the channels of %v", v, op.shape)
	}
	return op.shape.Clone(), err
}
func (op *channelBroadcastOp) ReturnsPtr() bool     { return false }
func (op *channelBroadcastOp) CallsExtern() bool    { return false }
func (op *channelBroadcastOp) OverwritesInput() int { return -1 }
func (op *channelBroadcastOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.ChannelBroadcast{%v,%v}", op.scale, op.shape)
}
func (op *channelBroadcastOp) Hashcode() uint32 { return hashOf(op) }
func (op *channelBroadcastOp) String() string {
	return fmt.Sprintf("ChannelBroadcast{%.3g,%v}", op.scale, op.shape)
}

func (op *channelBroadcastOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(1, vs)
	if err != nil {
		return nil, err
	}
	v := in[0]
	if _, err := op.InferShape(v.Shape()); err != nil {
		return nil, err
	}
	n, c, s, _ := channels(op.shape)
	out := buffer(&op.out, v.Dtype(), op.shape...)
	switch vd := v.Data().(type) {
	case []float32:
		channelBroadcast(n, c, s, op.scale, vd, out.Data().([]float32))
	case []float64:
		channelBroadcast(n, c, s, op.scale, vd, out.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: %v of %v", op, v.Dtype())
	}
	return out, nil
}

func channelBroadcast[T float](n, c, s int, scale float64, v, out []T) {
	parallel(n, func(lo, hi int) {
		for smp := lo; smp < hi; smp++ {
			for ch := range c {
				val := T(scale * float64(v[ch]))
				plane := out[(smp*c+ch)*s : (smp*c+ch+1)*s]
				for i := range plane {
					plane[i] = val
				}
			}
		}
	})
}
