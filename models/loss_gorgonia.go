package models

import (
	"fmt"

	"github.com/dlgo/dlgo/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// gorgoniaLoss builds the loss of objective o from Gorgonia's built-in
// ops, for models built WithGorgoniaOps: the same formulas as the fused
// loss op, written as the textbook writes them, with the log-softmax made
// stable row by row (Gorgonia's own SoftMax and LogSoftMax are not). With
// w, the samples' weights of shape (n), each sample's terms are multiplied
// by its weight before the mean over the batch.
func gorgoniaLoss(b *builder, o ops.Objective, out, y, w *G.Node) (*G.Node, error) {
	n, u := out.Shape()[0], out.Shape().TotalSize()/out.Shape()[0]
	// The loss reads a copy of out: a reshape would alias out's memory,
	// which the tape machine lets later ops overwrite.
	copied, err := G.Add(out, b.scalar(0))
	if err != nil {
		return nil, err
	}
	z, err := G.Reshape(copied, tensor.Shape{n, u})
	if err != nil {
		return nil, err
	}
	// weigh multiplies row i of an (n, u) node by w_i.
	weigh := func(l *G.Node) (*G.Node, error) {
		if w == nil {
			return l, nil
		}
		col, err := G.Reshape(w, tensor.Shape{n, 1})
		if err != nil {
			return nil, err
		}
		return G.BroadcastHadamardProd(l, col, nil, []byte{1})
	}
	// mean weighs the per-value losses l (n, u) and reduces them: the
	// mean over every value, or with o.Sum the sum over each sample's
	// values, averaged over the samples.
	mean := func(l *G.Node) (*G.Node, error) {
		if l, err = weigh(l); err != nil {
			return nil, err
		}
		return reduce(b, o, l, n)
	}
	switch o.Loss {
	case ops.CategoricalCrossEntropy:
		logp, err := logSoftmax(z)
		if err != nil {
			return nil, err
		}
		prod, err := G.HadamardProd(y, logp)
		if err != nil {
			return nil, err
		}
		if prod, err = weigh(prod); err != nil {
			return nil, err
		}
		total, err := G.Sum(prod)
		if err != nil {
			return nil, err
		}
		return G.Mul(total, b.scalar(-1/float64(n)))
	case ops.BinaryCrossEntropy:
		// softplus(z) - y·z, with softplus(z) = relu(z) + log(1 + e^-|z|).
		abs, err := G.Abs(z)
		if err != nil {
			return nil, err
		}
		neg, err := G.Neg(abs)
		if err != nil {
			return nil, err
		}
		e, err := G.Exp(neg)
		if err != nil {
			return nil, err
		}
		l1p, err := G.Log1p(e)
		if err != nil {
			return nil, err
		}
		r, err := G.Rectify(z)
		if err != nil {
			return nil, err
		}
		sp, err := G.Add(r, l1p)
		if err != nil {
			return nil, err
		}
		yz, err := G.HadamardProd(y, z)
		if err != nil {
			return nil, err
		}
		l, err := G.Sub(sp, yz)
		if err != nil {
			return nil, err
		}
		return mean(l)
	case ops.Perceptron:
		// mean(-s·z over the mistakes s·z ≤ 0), s = 2y - 1: the mistakes'
		// mask is a comparison, through which no gradient flows.
		s2, err := G.Mul(y, b.scalar(2))
		if err != nil {
			return nil, err
		}
		s, err := G.Sub(s2, b.scalar(1))
		if err != nil {
			return nil, err
		}
		sz, err := G.HadamardProd(s, z)
		if err != nil {
			return nil, err
		}
		mistake, err := G.Lte(sz, b.scalar(0), true)
		if err != nil {
			return nil, err
		}
		neg, err := G.Neg(sz)
		if err != nil {
			return nil, err
		}
		l, err := G.HadamardProd(neg, mistake)
		if err != nil {
			return nil, err
		}
		return mean(l)
	}
	a, err := gorgoniaOutput(o.Output, z)
	if err != nil {
		return nil, err
	}
	d, err := G.Sub(a, y)
	if err != nil {
		return nil, err
	}
	var l *G.Node
	switch o.Loss {
	case ops.MSE:
		l, err = G.Square(d)
	case ops.MAE:
		l, err = G.Abs(d)
	case ops.Huber:
		l, err = huber(b, d)
	default:
		return nil, fmt.Errorf("no Gorgonia formula for %v", o.Loss)
	}
	if err != nil {
		return nil, err
	}
	return mean(l)
}

// huber returns ½q² + δ(|d| - q) with q = min(|d|, δ) = |d| - relu(|d| - δ):
// ½d² within δ of the target, δ(|d| - ½δ) beyond.
func huber(b *builder, d *G.Node) (*G.Node, error) {
	abs, err := G.Abs(d)
	if err != nil {
		return nil, err
	}
	over, err := G.Sub(abs, b.scalar(ops.HuberDelta))
	if err != nil {
		return nil, err
	}
	excess, err := G.Rectify(over)
	if err != nil {
		return nil, err
	}
	q, err := G.Sub(abs, excess)
	if err != nil {
		return nil, err
	}
	q2, err := G.Square(q)
	if err != nil {
		return nil, err
	}
	half, err := G.Mul(q2, b.scalar(0.5))
	if err != nil {
		return nil, err
	}
	lin, err := G.Mul(excess, b.scalar(ops.HuberDelta))
	if err != nil {
		return nil, err
	}
	return G.Add(half, lin)
}

// gorgoniaOutput applies an output activation with Gorgonia's ops.
func gorgoniaOutput(o ops.Output, z *G.Node) (*G.Node, error) {
	if o == ops.OutSoftmax {
		logp, err := logSoftmax(z)
		if err != nil {
			return nil, err
		}
		return G.Exp(logp)
	}
	return gorgoniaActivate(o.String(), z)
}

// logSoftmax is the row-stable log-softmax of z (n, u) from Gorgonia's ops
// (the pitfalls note's recipe): z - max - log Σ exp(z - max), row by row.
func logSoftmax(z *G.Node) (*G.Node, error) {
	n := z.Shape()[0]
	mx, err := G.Max(z, 1)
	if err != nil {
		return nil, err
	}
	if mx, err = G.Reshape(mx, tensor.Shape{n, 1}); err != nil {
		return nil, err
	}
	shifted, err := G.BroadcastSub(z, mx, nil, []byte{1})
	if err != nil {
		return nil, err
	}
	e, err := G.Exp(shifted)
	if err != nil {
		return nil, err
	}
	s, err := G.Sum(e, 1)
	if err != nil {
		return nil, err
	}
	ls, err := G.Log(s)
	if err != nil {
		return nil, err
	}
	if ls, err = G.Reshape(ls, tensor.Shape{n, 1}); err != nil {
		return nil, err
	}
	return G.BroadcastSub(shifted, ls, nil, []byte{1})
}

// reduce returns the loss of the batch from the per-value losses l of n
// samples: their mean, or with o.Sum the mean over the samples of each
// sample's sum.
func reduce(b *builder, o ops.Objective, l *G.Node, n int) (*G.Node, error) {
	if !o.Sum {
		return G.Mean(l)
	}
	total, err := G.Sum(l)
	if err != nil {
		return nil, err
	}
	return G.Mul(total, b.scalar(1/float64(n)))
}
