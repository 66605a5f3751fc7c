package trainers

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The data loss of a training graph is the model's own (models.Model
// AddLoss: one formula per loss, shared with the metrics and the
// per-sample losses); the trainer adds the L2 and L1 penalties to it.

// l2Node returns λ/2 · Σ‖W‖² over the given kernels, so that its gradient
// is λ·W (what PyTorch calls weight decay).
func l2Node(lambda float64, kernels G.Nodes) (*G.Node, error) {
	return penaltyNode(lambda/2, kernels, G.Square)
}

// l1Node returns λ · Σ|W| over the given kernels, whose gradient is
// λ·sign(W) (0 where a weight is exactly 0).
func l1Node(lambda float64, kernels G.Nodes) (*G.Node, error) {
	return penaltyNode(lambda, kernels, G.Abs)
}

// penaltyNode returns scale · Σ_W Σ f(W) over the kernels, or nil if there
// are none.
func penaltyNode(scale float64, kernels G.Nodes, f func(*G.Node) (*G.Node, error)) (*G.Node, error) {
	var total *G.Node
	for _, w := range kernels {
		fw, err := f(w)
		if err != nil {
			return nil, err
		}
		s, err := G.Sum(fw)
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
	return G.Mul(total, scalar(total.Dtype(), scale))
}

// scalar returns a constant of dtype dt. Gorgonia will not mix float32
// nodes with the float64 constants G.NewConstant(1.0) makes.
func scalar(dt tensor.Dtype, v float64) *G.Node {
	if dt == tensor.Float32 {
		return G.NewConstant(float32(v))
	}
	return G.NewConstant(v)
}
