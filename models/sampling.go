package models

import (
	"fmt"

	"github.com/dlgo/dlgo/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Sampling returns the sampling layer of a variational autoencoder: its
// input is 2·L values per sample, the means μ and log-variances log σ²
// of L latent values (from a dense layer of 2·L linear units), and its
// output the L values z = μ + σ·ε, ε drawn from N(0, 1) (the
// reparameterisation trick). It adds the KL divergence of N(μ, σ²) from
// the prior N(0, 1) to the loss (as the term "kl_loss").
func Sampling() LayerSpec { return LayerSpec{Type: LayerSampling} }

// KLTermName is the name of a sampling layer's loss term, the KL
// divergence, as the trainer reports it; a second sampling layer's is
// "kl_loss_" followed by its name.
const KLTermName = "kl_loss"

// sampling is the reparameterisation trick: z = μ + exp(½·log σ²)·ε for
// statistics [μ, log σ²] (the first L and the last L of its 2·L input
// values) and ε ~ N(0, 1) a noise input of the graph (Net.Noise) that the
// trainer fills from its seeded generator, as it fills dropout masks.
// Logits, Predict and Encode fill it with zeros: at inference, z = μ. The
// layer adds −½·Σ(1 + log σ² − μ² − σ²), the KL divergence per sample,
// averaged over the batch, to the loss as a term of its own (Net.Terms).
type sampling struct {
	s LayerSpec
	l int
}

func newSampling(s LayerSpec, in []int, _ initContext) (layer, error) {
	if len(in) != 1 || in[0] < 2 || in[0]%2 != 0 {
		return nil, fmt.Errorf("layer %s: sampling takes 2·L values per sample, the L means and L log-variances (e.g. from a dense layer of 2·L linear units), not shape %v", s.Name, in)
	}
	return &sampling{s: s, l: in[0] / 2}, nil
}

func (l *sampling) spec() LayerSpec  { return l.s }
func (l *sampling) outShape() []int  { return []int{l.l} }
func (l *sampling) params() []*Param { return nil }

// termName is the name of the KL term of the sampling layer named layer,
// the first of the model's or not.
func termName(first bool, layer string) string {
	if first {
		return KLTermName
	}
	return KLTermName + "_" + layer
}

func (l *sampling) forward(b *builder, x *G.Node) (*G.Node, error) {
	eps := G.NewMatrix(b.g, b.dt, G.WithShape(b.batch, l.l), G.WithName(l.s.Name+"/noise"))
	b.net.Noise = append(b.net.Noise, Noise{Node: eps})
	first := true
	for _, t := range b.net.Terms {
		if t.Name == KLTermName {
			first = false
		}
	}
	var z, kl *G.Node
	var err error
	if b.gorgonia {
		z, kl, err = l.gorgoniaForward(b, x, eps)
	} else {
		if z, err = ops.Sample(x, eps); err == nil {
			kl, err = ops.GaussianKL(x)
		}
	}
	if err != nil {
		return nil, wrap(l.s, err)
	}
	b.net.Terms = append(b.net.Terms, Term{Name: termName(first, l.s.Name), Node: kl})
	return z, nil
}

// gorgoniaForward builds the sampling and the KL divergence from
// Gorgonia's ops. μ and log σ² are taken out of x by products with
// constant 0/1 matrices, which make values of their own (a slice would be
// a view of x's memory that a later op could overwrite).
func (l *sampling) gorgoniaForward(b *builder, x, eps *G.Node) (z, kl *G.Node, err error) {
	pick := func(name string, offset int) (*G.Node, error) {
		sel := make([]float64, 2*l.l*l.l)
		for j := range l.l {
			sel[(offset+j)*l.l+j] = 1
		}
		return G.Mul(x, b.constant(l.s.Name+"/"+name, []int{2 * l.l, l.l}, sel))
	}
	mu, err := pick("select_mean", 0)
	if err != nil {
		return nil, nil, err
	}
	logVar, err := pick("select_log_var", l.l)
	if err != nil {
		return nil, nil, err
	}
	half, err := G.Mul(logVar, b.scalar(0.5))
	if err != nil {
		return nil, nil, err
	}
	sigma, err := G.Exp(half)
	if err != nil {
		return nil, nil, err
	}
	spread, err := G.HadamardProd(sigma, eps)
	if err != nil {
		return nil, nil, err
	}
	if z, err = G.Add(mu, spread); err != nil {
		return nil, nil, err
	}
	// KL = -½/n · Σ (1 + log σ² - μ² - σ²).
	mu2, err := G.Square(mu)
	if err != nil {
		return nil, nil, err
	}
	variance, err := G.Exp(logVar)
	if err != nil {
		return nil, nil, err
	}
	d, err := G.Sub(logVar, mu2)
	if err != nil {
		return nil, nil, err
	}
	if d, err = G.Sub(d, variance); err != nil {
		return nil, nil, err
	}
	if d, err = G.Add(d, b.scalar(1)); err != nil {
		return nil, nil, err
	}
	total, err := G.Sum(d)
	if err != nil {
		return nil, nil, err
	}
	if kl, err = G.Mul(total, b.scalar(-0.5/float64(b.batch))); err != nil {
		return nil, nil, err
	}
	return z, kl, nil
}

// SampleNoise fills a noise input's tensor with draws from normal (a
// standard normal generator such as rand.Rand.NormFloat64), or with zeros
// when normal is nil.
func SampleNoise(t *tensor.Dense, normal func() float64) {
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = 0
			if normal != nil {
				d[i] = float32(normal())
			}
		}
	case []float64:
		for i := range d {
			d[i] = 0
			if normal != nil {
				d[i] = normal()
			}
		}
	}
}
