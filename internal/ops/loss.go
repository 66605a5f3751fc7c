package ops

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Loss names a loss computed from logits.
type Loss int

// The losses. Each is the mean over the batch of a per-sample loss of the
// logits z (batch, units) and the targets y, as encoded for it.
const (
	// MSE is mean((z - y)²) over every value; y holds the targets.
	MSE Loss = iota
	// BinaryCrossEntropy is mean(softplus(z) - y·z), the cross-entropy of
	// σ(z) against y in {0, 1}, without ever taking log σ(z).
	BinaryCrossEntropy
	// CategoricalCrossEntropy is mean(-Σ_k y_k·log softmax(z)_k) with the
	// softmax shifted by each row's maximum; y is one-hot (or any rows of
	// probabilities).
	CategoricalCrossEntropy
	// Perceptron is mean(max(0, -y·z)) with y = ±1: Rosenblatt's criterion.
	Perceptron
)

func (l Loss) String() string {
	return [...]string{"mse", "binary_crossentropy", "categorical_crossentropy", "perceptron"}[l]
}

// LossOf returns the scalar loss l of logits z against targets y, both of
// shape (batch, units). It reads its inputs and never writes them, so the
// logits keep their values after a run.
func LossOf(l Loss, z, y *G.Node) (*G.Node, error) {
	return G.ApplyOp(&lossOp{loss: l}, z, y)
}

type lossOp struct{ loss Loss }

func (op *lossOp) Arity() int { return 2 }
func (op *lossOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(2), hm.TypeVariable('a'))
}
func (op *lossOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	z, y := in[0].(tensor.Shape), in[1].(tensor.Shape)
	if !z.Eq(y) {
		return nil, fmt.Errorf("ops: %v of logits %v and targets %v", op.loss, z, y)
	}
	return tensor.ScalarShape(), nil
}
func (op *lossOp) ReturnsPtr() bool      { return false }
func (op *lossOp) CallsExtern() bool     { return false }
func (op *lossOp) OverwritesInput() int  { return -1 }
func (op *lossOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "dlgo.Loss{%v}", op.loss) }
func (op *lossOp) Hashcode() uint32      { return hashOf(op) }
func (op *lossOp) String() string        { return fmt.Sprintf("Loss{%v}", op.loss) }

func (op *lossOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(2, vs)
	if err != nil {
		return nil, err
	}
	z, y := in[0], in[1]
	n, u := z.Shape()[0], z.Shape()[1]
	switch zd := z.Data().(type) {
	case []float32:
		return G.NewF32(float32(lossValue(op.loss, n, u, zd, y.Data().([]float32)))), nil
	case []float64:
		return G.NewF64(lossValue(op.loss, n, u, zd, y.Data().([]float64))), nil
	}
	return nil, fmt.Errorf("ops: loss of %v", z.Dtype())
}

// lossValue computes the loss in float64, whatever the precision of z.
func lossValue[T float](l Loss, n, u int, z, y []T) float64 {
	var total float64
	switch l {
	case MSE:
		for i, v := range z {
			d := float64(v) - float64(y[i])
			total += d * d
		}
		return total / float64(n*u)
	case BinaryCrossEntropy:
		for i, v := range z {
			total += softplus(float64(v)) - float64(y[i])*float64(v)
		}
	case Perceptron:
		for i, v := range z {
			total += math.Max(0, -float64(y[i])*float64(v))
		}
	case CategoricalCrossEntropy:
		for r := range n {
			zr, yr := z[r*u:(r+1)*u], y[r*u:(r+1)*u]
			mx, lse := logSumExp(zr)
			for k, v := range zr {
				if yr[k] != 0 {
					total -= float64(yr[k]) * (float64(v) - mx - lse)
				}
			}
		}
	}
	return total / float64(n)
}

// logSumExp returns a row's maximum m and log Σ exp(z - m).
func logSumExp[T float](z []T) (m, lse float64) {
	m = float64(z[0])
	for _, v := range z {
		m = math.Max(m, float64(v))
	}
	var s float64
	for _, v := range z {
		s += math.Exp(float64(v) - m)
	}
	return m, math.Log(s)
}

// softplus returns log(1 + e^x) without overflow.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

func (op *lossOp) DiffWRT(int) []bool { return []bool{true, false} }

func (op *lossOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	dz, err := G.ApplyOp(&lossGradOp{loss: op.loss}, inputs[0], inputs[1], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dz, nil}, nil
}

// lossGradOp computes the gradient of the loss with respect to the
// logits, times the incoming scalar gradient g:
// MSE 2(z - y)/(n·u), binary cross-entropy (σ(z) - y)/n, categorical
// (softmax(z)·Σy - y)/n, perceptron -y·[y·z < 0]/n.
type lossGradOp struct {
	loss Loss
	out  *tensor.Dense
}

func (op *lossGradOp) Arity() int { return 3 }
func (op *lossGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(2), hm.TypeVariable('a'), tensorType(2))
}
func (op *lossGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op *lossGradOp) ReturnsPtr() bool      { return false }
func (op *lossGradOp) CallsExtern() bool     { return false }
func (op *lossGradOp) OverwritesInput() int  { return -1 }
func (op *lossGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "dlgo.LossGrad{%v}", op.loss) }
func (op *lossGradOp) Hashcode() uint32      { return hashOf(op) }
func (op *lossGradOp) String() string        { return fmt.Sprintf("LossGrad{%v}", op.loss) }

func (op *lossGradOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 3 {
		return nil, fmt.Errorf("ops: loss gradient of %d inputs", len(vs))
	}
	in, err := denses(2, vs[:2])
	if err != nil {
		return nil, err
	}
	z, y := in[0], in[1]
	n, u := z.Shape()[0], z.Shape()[1]
	dz := buffer(&op.out, z.Dtype(), n, u)
	switch zd := z.Data().(type) {
	case []float32:
		g, ok := vs[2].Data().(float32)
		if !ok {
			return nil, fmt.Errorf("ops: loss gradient scale is %T", vs[2].Data())
		}
		lossGrad(op.loss, n, u, zd, y.Data().([]float32), float64(g), dz.Data().([]float32))
	case []float64:
		g, ok := vs[2].Data().(float64)
		if !ok {
			return nil, fmt.Errorf("ops: loss gradient scale is %T", vs[2].Data())
		}
		lossGrad(op.loss, n, u, zd, y.Data().([]float64), g, dz.Data().([]float64))
	}
	return dz, nil
}

func lossGrad[T float](l Loss, n, u int, z, y []T, g float64, dz []T) {
	switch l {
	case MSE:
		s := 2 * g / float64(n*u)
		for i, v := range z {
			dz[i] = T(s * (float64(v) - float64(y[i])))
		}
	case BinaryCrossEntropy:
		s := g / float64(n)
		for i, v := range z {
			dz[i] = T(s * (sigmoid(float64(v)) - float64(y[i])))
		}
	case Perceptron:
		s := g / float64(n)
		for i, v := range z {
			dz[i] = 0
			if float64(y[i])*float64(v) < 0 {
				dz[i] = T(-s * float64(y[i]))
			}
		}
	case CategoricalCrossEntropy:
		s := g / float64(n)
		for r := range n {
			zr, yr, dr := z[r*u:(r+1)*u], y[r*u:(r+1)*u], dz[r*u:(r+1)*u]
			mx, lse := logSumExp(zr)
			var ysum float64
			for _, v := range yr {
				ysum += float64(v)
			}
			for k, v := range zr {
				p := math.Exp(float64(v) - mx - lse)
				dr[k] = T(s * (p*ysum - float64(yr[k])))
			}
		}
	}
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
