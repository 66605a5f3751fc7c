package trainers

import (
	"fmt"
	"math"

	"github.com/dlgo/dlgo/internal/ops"
	"github.com/dlgo/dlgo/models"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// lossNode adds loss(out, y) to out's graph: the mean over the batch of
// the per-sample loss, computed from the logits out (see ops.Loss for the
// formulas). y holds the targets encoded by encodeTargets. The loss op
// never writes the logits, which the trainer reads after each run.
func lossNode(loss models.Loss, out, y *G.Node) (*G.Node, error) {
	kind, ok := map[models.Loss]ops.Loss{
		models.MSE:                     ops.MSE,
		models.BinaryCrossEntropy:      ops.BinaryCrossEntropy,
		models.CategoricalCrossEntropy: ops.CategoricalCrossEntropy,
		models.PerceptronCriterion:     ops.Perceptron,
	}[loss]
	if !ok {
		return nil, fmt.Errorf("unknown loss %q", loss)
	}
	return ops.LossOf(kind, out, y)
}

// l2Node returns λ/2 · Σ‖W‖² over the given kernels, so that its gradient
// is λ·W (what PyTorch calls weight decay).
func l2Node(lambda float64, kernels G.Nodes) (*G.Node, error) {
	var total *G.Node
	for _, w := range kernels {
		sq, err := G.Square(w)
		if err != nil {
			return nil, err
		}
		s, err := G.Sum(sq)
		if err != nil {
			return nil, err
		}
		if total == nil {
			total = s
		} else if total, err = G.Add(total, s); err != nil {
			return nil, err
		}
	}
	if total == nil {
		return nil, nil
	}
	return G.Mul(total, scalar(total.Dtype(), lambda/2))
}

// scalar returns a constant of dtype dt. Gorgonia will not mix float32
// nodes with the float64 constants G.NewConstant(1.0) makes.
func scalar(dt tensor.Dtype, v float64) *G.Node {
	if dt == tensor.Float32 {
		return G.NewConstant(float32(v))
	}
	return G.NewConstant(v)
}

// targetWidth returns the number of target values per sample the loss
// takes: one per output for MSE, one per class (one-hot) for categorical
// cross-entropy, and one for the binary losses.
func targetWidth(loss models.Loss, units int) int {
	if loss == models.BinaryCrossEntropy || loss == models.PerceptronCriterion {
		return 1
	}
	return units
}

// encodeTargets writes the targets of a batch (rows of tdim values, class
// indices for classification) into dst in the form lossNode expects: the
// values for MSE, 0/1 for binary cross-entropy, ±1 for the perceptron and
// one-hot rows of width units for categorical cross-entropy.
func encodeTargets[T float32 | float64](loss models.Loss, y []float32, units int, dst []T) {
	switch loss {
	case models.CategoricalCrossEntropy:
		clear(dst)
		for i, c := range y {
			dst[i*units+int(c)] = 1
		}
	case models.PerceptronCriterion:
		for i, c := range y {
			dst[i] = T(2*c - 1)
		}
	default:
		for i, v := range y {
			dst[i] = T(v)
		}
	}
}

// sampleLoss returns the loss of one sample from its logits z and targets
// t (class index or values), in float64: the same formulas as lossNode.
func sampleLoss(loss models.Loss, z, t []float32) float64 {
	switch loss {
	case models.MSE:
		var s float64
		for j := range z {
			d := float64(z[j]) - float64(t[j])
			s += d * d
		}
		return s / float64(len(z))
	case models.BinaryCrossEntropy:
		return softplus(float64(z[0])) - float64(t[0])*float64(z[0])
	case models.PerceptronCriterion:
		return math.Max(0, -(2*float64(t[0])-1)*float64(z[0]))
	case models.CategoricalCrossEntropy:
		mx := float64(z[0])
		for _, v := range z {
			mx = math.Max(mx, float64(v))
		}
		var s float64
		for _, v := range z {
			s += math.Exp(float64(v) - mx)
		}
		return mx + math.Log(s) - float64(z[int(t[0])])
	}
	return math.NaN()
}

// softplus returns log(1+e^x) without overflow.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}
