package ops

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A variational autoencoder's encoder outputs, for each sample, the mean μ
// and the log-variance log σ² of a Gaussian over L latent values: a row
// of stats (batch, 2L) holds [μ_1 … μ_L, log σ²_1 … log σ²_L].

// Sample returns z = μ + exp(½·log σ²)·ε, of shape (batch, L), from stats
// (batch, 2L) and the noise eps (batch, L): the reparameterisation trick,
// through which the gradient reaches μ and log σ² with ε held fixed
// (∂z/∂μ = 1, ∂z/∂log σ² = ½·exp(½·log σ²)·ε). With ε = 0, z = μ exactly.
// eps gets no gradient. Where ε = 0, z = μ even if σ overflows.
func Sample(stats, eps *G.Node) (*G.Node, error) {
	return G.ApplyOp(&sampleOp{}, stats, eps)
}

type sampleOp struct{ out *tensor.Dense }

func (op *sampleOp) Arity() int { return 2 }
func (op *sampleOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(2), tensorType(2))
}
func (op *sampleOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, e := in[0].(tensor.Shape), in[1].(tensor.Shape)
	if len(s) != 2 || len(e) != 2 || s[0] != e[0] || s[1] != 2*e[1] {
		return nil, fmt.Errorf("ops: sampling from statistics %v with noise %v; want (batch, 2L) and (batch, L)", s, e)
	}
	return e.Clone(), nil
}
func (op *sampleOp) ReturnsPtr() bool      { return false }
func (op *sampleOp) CallsExtern() bool     { return false }
func (op *sampleOp) OverwritesInput() int  { return -1 }
func (op *sampleOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "dlgo.Sample") }
func (op *sampleOp) Hashcode() uint32      { return hashOf(op) }
func (op *sampleOp) String() string        { return "Sample" }

func (op *sampleOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(2, vs)
	if err != nil {
		return nil, err
	}
	s, e := in[0], in[1]
	if _, err := op.InferShape(s.Shape(), e.Shape()); err != nil {
		return nil, err
	}
	z := buffer(&op.out, s.Dtype(), e.Shape()...)
	l := e.Shape()[1]
	switch sd := s.Data().(type) {
	case []float32:
		sample(l, sd, e.Data().([]float32), z.Data().([]float32))
	case []float64:
		sample(l, sd, e.Data().([]float64), z.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: sampling from %v", s.Dtype())
	}
	return z, nil
}

// sample writes z = μ + exp(½·log σ²)·ε for rows of l latent values; where
// ε = 0, z = μ even if σ overflows.
func sample[T float](l int, stats, eps, z []T) {
	for r := range len(eps) / l {
		mu, lv := stats[2*r*l:(2*r+1)*l], stats[(2*r+1)*l:(2*r+2)*l]
		e, out := eps[r*l:(r+1)*l], z[r*l:(r+1)*l]
		for j := range e {
			out[j] = mu[j]
			if e[j] != 0 {
				out[j] += T(math.Exp(float64(lv[j])/2)) * e[j]
			}
		}
	}
}

func (op *sampleOp) DiffWRT(int) []bool { return []bool{true, false} }

func (op *sampleOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	ds, err := G.ApplyOp(&sampleGradOp{}, inputs[0], inputs[1], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{ds, nil}, nil
}

// sampleGradOp computes the gradient of z with respect to the statistics:
// dμ = dz, d log σ² = dz·½·exp(½·log σ²)·ε.
type sampleGradOp struct{ out *tensor.Dense }

func (op *sampleGradOp) Arity() int { return 3 }
func (op *sampleGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(2), tensorType(2), tensorType(2))
}
func (op *sampleGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op *sampleGradOp) ReturnsPtr() bool      { return false }
func (op *sampleGradOp) CallsExtern() bool     { return false }
func (op *sampleGradOp) OverwritesInput() int  { return -1 }
func (op *sampleGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "dlgo.SampleGrad") }
func (op *sampleGradOp) Hashcode() uint32      { return hashOf(op) }
func (op *sampleGradOp) String() string        { return "SampleGrad" }

func (op *sampleGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(3, vs)
	if err != nil {
		return nil, err
	}
	s, e, dz := in[0], in[1], in[2]
	ds := buffer(&op.out, s.Dtype(), s.Shape()...)
	l := e.Shape()[1]
	switch sd := s.Data().(type) {
	case []float32:
		sampleGrad(l, sd, e.Data().([]float32), dz.Data().([]float32), ds.Data().([]float32))
	case []float64:
		sampleGrad(l, sd, e.Data().([]float64), dz.Data().([]float64), ds.Data().([]float64))
	default:
		return nil, fmt.Errorf("ops: sampling gradient of %v", s.Dtype())
	}
	return ds, nil
}

func sampleGrad[T float](l int, stats, eps, dz, ds []T) {
	for r := range len(eps) / l {
		lv := stats[(2*r+1)*l : (2*r+2)*l]
		e, g := eps[r*l:(r+1)*l], dz[r*l:(r+1)*l]
		dmu, dlv := ds[2*r*l:(2*r+1)*l], ds[(2*r+1)*l:(2*r+2)*l]
		for j := range e {
			dmu[j], dlv[j] = g[j], 0
			if e[j] != 0 {
				dlv[j] = g[j] * T(0.5*math.Exp(float64(lv[j])/2)) * e[j]
			}
		}
	}
}

// GaussianKL returns the scalar mean over the batch of the Kullback-Leibler
// divergence of N(μ, σ²) from the standard normal prior N(0, 1) of each
// sample's latent values, from stats (batch, 2L):
//
//	KL = -½·Σ_j (1 + log σ²_j - μ_j² - σ²_j)
//
// per sample, the closed form Kingma and Welling give. Its gradient is
// ∂KL/∂μ = μ and ∂KL/∂log σ² = ½·(σ² - 1), divided by the batch size.
func GaussianKL(stats *G.Node) (*G.Node, error) {
	if s := stats.Shape(); s.Dims() != 2 || s[1]%2 != 0 {
		return nil, fmt.Errorf("ops: Gaussian KL divergence of statistics %v; want (batch, 2L)", s)
	}
	return G.ApplyOp(&klOp{}, stats)
}

// SampleKL returns the KL divergence of one sample's Gaussian from N(0, 1),
// from its statistics [μ, log σ²] (2L values): the formula GaussianKL
// averages.
func SampleKL[T float](stats []T) float64 {
	l := len(stats) / 2
	var kl float64
	for j := range l {
		mu, lv := float64(stats[j]), float64(stats[l+j])
		kl += 1 + lv - mu*mu - math.Exp(lv)
	}
	return -kl / 2
}

type klOp struct{}

func (op *klOp) Arity() int { return 1 }
func (op *klOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), hm.TypeVariable('a'))
}
func (op *klOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}
func (op *klOp) ReturnsPtr() bool      { return false }
func (op *klOp) CallsExtern() bool     { return false }
func (op *klOp) OverwritesInput() int  { return -1 }
func (op *klOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "dlgo.GaussianKL") }
func (op *klOp) Hashcode() uint32      { return hashOf(op) }
func (op *klOp) String() string        { return "GaussianKL" }

func (op *klOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(1, vs)
	if err != nil {
		return nil, err
	}
	s := in[0]
	n, w := s.Shape()[0], s.Shape()[1]
	switch sd := s.Data().(type) {
	case []float32:
		return G.NewF32(float32(batchKL(n, w, sd))), nil
	case []float64:
		return G.NewF64(batchKL(n, w, sd)), nil
	}
	return nil, fmt.Errorf("ops: Gaussian KL divergence of %v", s.Dtype())
}

// batchKL is the mean of SampleKL over n rows of w = 2L statistics, summed
// in order.
func batchKL[T float](n, w int, stats []T) float64 {
	var total float64
	for r := range n {
		total += SampleKL(stats[r*w : (r+1)*w])
	}
	return total / float64(n)
}

func (op *klOp) DiffWRT(int) []bool { return []bool{true} }

func (op *klOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	ds, err := G.ApplyOp(&klGradOp{}, inputs[0], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{ds}, nil
}

// klGradOp computes g·∂KL/∂stats for the incoming scalar gradient g.
type klGradOp struct{ out *tensor.Dense }

func (op *klGradOp) Arity() int { return 2 }
func (op *klGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), hm.TypeVariable('a'), tensorType(2))
}
func (op *klGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op *klGradOp) ReturnsPtr() bool      { return false }
func (op *klGradOp) CallsExtern() bool     { return false }
func (op *klGradOp) OverwritesInput() int  { return -1 }
func (op *klGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, "dlgo.GaussianKLGrad") }
func (op *klGradOp) Hashcode() uint32      { return hashOf(op) }
func (op *klGradOp) String() string        { return "GaussianKLGrad" }

func (op *klGradOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 2 {
		return nil, fmt.Errorf("ops: KL gradient of %d inputs", len(vs))
	}
	s, err := dense(vs[0])
	if err != nil {
		return nil, err
	}
	n, w := s.Shape()[0], s.Shape()[1]
	ds := buffer(&op.out, s.Dtype(), s.Shape()...)
	switch sd := s.Data().(type) {
	case []float32:
		g, ok := vs[1].Data().(float32)
		if !ok {
			return nil, fmt.Errorf("ops: KL gradient scale is %T", vs[1].Data())
		}
		klGrad(n, w, sd, ds.Data().([]float32), float64(g))
	case []float64:
		g, ok := vs[1].Data().(float64)
		if !ok {
			return nil, fmt.Errorf("ops: KL gradient scale is %T", vs[1].Data())
		}
		klGrad(n, w, sd, ds.Data().([]float64), g)
	default:
		return nil, fmt.Errorf("ops: KL gradient of %v", s.Dtype())
	}
	return ds, nil
}

func klGrad[T float](n, w int, stats, ds []T, g float64) {
	l, scale := w/2, g/float64(n)
	for r := range n {
		row, d := stats[r*w:(r+1)*w], ds[r*w:(r+1)*w]
		for j := range l {
			d[j] = T(scale * float64(row[j]))
			d[l+j] = T(scale * 0.5 * (math.Exp(float64(row[l+j])) - 1))
		}
	}
}
