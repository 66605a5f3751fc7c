package trainers

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/internal/tape"
	"github.com/dlgo/dlgo/models"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// trainNet is a training graph for one batch size: the model with dropout
// on, the loss with its penalty, and the gradient nodes, compiled into a
// tape machine. Its inputs (x, y, the dropout masks) are bound once to
// tensors that each step overwrites in place.
type trainNet struct {
	vm    G.VM
	net   *models.Net
	spec  models.Spec
	units int
	cost  *G.Node
	grads G.Nodes // gradient of cost for each trainable parameter

	x, y  *tensor.Dense
	w     *tensor.Dense // the samples' weights, nil when not weighted
	masks []*tensor.Dense
	noise []*tensor.Dense // a sampling layer's ε
	xs    []float32       // gathered features before conversion (float64 models)
	parts *lossParts      // the loss's data part and extra terms, if it has terms

	logits  []float32 // the last step's logits, for the running metrics
	targets []float32 // the last step's targets, as the dataset holds them

	ws, gs []any // data slices of the trainable parameters and gradients
}

func newTrainNet(m Model, spec models.Spec, batch int, l1, l2 float64, weighted bool) (*trainNet, error) {
	g := G.NewGraph()
	net, err := m.Forward(g, batch, true)
	if err != nil {
		return nil, err
	}
	dt := net.X.Dtype()
	units := spec.Units()
	if weighted {
		net.Weights = G.NewVector(g, dt, G.WithShape(batch), G.WithName("sample_weights"))
	}
	if err := m.AddLoss(net); err != nil {
		return nil, err
	}
	cost := net.Loss
	var trainable, decay G.Nodes
	var ws []any
	for i, p := range m.Params() {
		if p.Trainable {
			trainable = append(trainable, net.Params[i])
			ws = append(ws, p.Value.Data())
		}
		if p.Decay {
			decay = append(decay, net.Params[i])
		}
	}
	if len(trainable) == 0 {
		return nil, errNoTrainable
	}
	if l2 > 0 && len(decay) > 0 {
		pen, err := l2Node(l2, decay)
		if err != nil {
			return nil, fmt.Errorf("L2 penalty: %w", err)
		}
		if cost, err = G.Add(cost, pen); err != nil {
			return nil, fmt.Errorf("L2 penalty: %w", err)
		}
	}
	if l1 > 0 && len(decay) > 0 {
		pen, err := l1Node(l1, decay)
		if err != nil {
			return nil, fmt.Errorf("L1 penalty: %w", err)
		}
		if cost, err = G.Add(cost, pen); err != nil {
			return nil, fmt.Errorf("L1 penalty: %w", err)
		}
	}
	grads, err := G.Grad(cost, trainable...)
	if err != nil {
		return nil, fmt.Errorf("gradients: %w", err)
	}
	n := &trainNet{net: net, spec: spec, units: units, cost: cost, grads: grads, ws: ws,
		gs:      make([]any, len(grads)),
		logits:  make([]float32, batch*units),
		targets: make([]float32, 0, batch*spec.TargetWidth()),
	}
	n.x = bind(net.X)
	n.y = bind(net.Y)
	if weighted {
		n.w = bind(net.Weights)
	}
	for _, mk := range net.Masks {
		n.masks = append(n.masks, bind(mk.Node))
	}
	n.noise, n.parts = bindNoise(net), newLossParts(net)
	if dt == tensor.Float64 {
		n.xs = make([]float32, net.X.Shape().TotalSize())
	}
	// dlgo's machine runs the graph in this goroutine, without the tape
	// machine's thread switches and allocations on every step; a graph it
	// cannot run (with statements, which no model builds) gets the tape
	// machine.
	if n.vm, err = tape.New(g); err != nil {
		n.vm = G.NewTapeMachine(g)
	}
	return n, nil
}

// bind gives an input node a tensor of its own shape to be overwritten
// before each run.
func bind(node *G.Node) *tensor.Dense {
	t := tensor.New(tensor.Of(node.Dtype()), tensor.WithShape(node.Shape()...))
	G.Let(node, t)
	return t
}

// feed fills the inputs with the samples idx of d (their features as
// targets too, for a model that reconstructs its input), their class
// weights (if the net is weighted) and the dropout masks from draws of
// src; a nil src keeps every unit (dropout off). The noise inputs are
// filled by fillNoise.
func (n *trainNet) feed(d *datasets.Dataset, idx []int, src *rand.PCG, classWeights []float64) {
	n.targets = n.targets[:len(idx)*d.TargetDim()]
	defer n.feedWeights(classWeights)
	switch x := n.x.Data().(type) {
	case []float32:
		d.Gather(idx, x, n.targets)
		models.EncodeTargets(n.spec, n.targets, n.y.Data().([]float32))
	case []float64:
		d.Gather(idx, n.xs, n.targets)
		for i, v := range n.xs {
			x[i] = float64(v)
		}
		models.EncodeTargets(n.spec, n.targets, n.y.Data().([]float64))
	}
	if n.spec.Reconstructs() {
		n.useInputAsTargets()
	}
	for i, mk := range n.net.Masks {
		if src == nil {
			fillMask(n.masks[i], 0, nil)
		} else {
			fillMask(n.masks[i], mk.Rate, src)
		}
	}
}

// run computes the loss (with the penalty) and the gradients of the fed
// batch, and keeps its logits; n.gs then holds the gradients' data. The
// running statistics are not moved: updateStats does that after a
// training step.
func (n *trainNet) run() (float64, error) {
	defer n.vm.Reset()
	if err := n.vm.RunAll(); err != nil {
		return 0, err
	}
	switch z := n.net.Out.Value().Data().(type) {
	case []float32:
		copy(n.logits, z)
	case []float64:
		for i, v := range z {
			n.logits[i] = float32(v)
		}
	}
	for i, g := range n.grads {
		n.gs[i] = g.Value().Data()
	}
	n.parts.read()
	return scalarValue(n.cost.Value()), nil
}

// updateStats moves the running statistics (batch normalization's)
// towards those of the batch the last run saw.
func (n *trainNet) updateStats() error {
	for _, u := range n.net.Updates {
		if err := u.Apply(); err != nil {
			return err
		}
	}
	return nil
}

// fillMask sets each mask value to 0 with probability rate and to
// 1/(1-rate) otherwise (inverted dropout): a value is dropped when the
// uniform draw rand.New(src).Float64() would make is below rate, one draw
// of src per value. With rate 0, src is not used.
func fillMask(m *tensor.Dense, rate float64, src *rand.PCG) {
	keep := 1 / (1 - rate)
	// Float64 is the low 53 bits of a draw over 2^53: below rate exactly
	// when those bits, as a float64, are below rate·2^53.
	thr := rate * (1 << 53)
	switch d := m.Data().(type) {
	case []float32:
		k := float32(keep)
		for i := range d {
			d[i] = k
			if rate > 0 && float64(src.Uint64()<<11>>11) < thr {
				d[i] = 0
			}
		}
	case []float64:
		for i := range d {
			d[i] = keep
			if rate > 0 && float64(src.Uint64()<<11>>11) < thr {
				d[i] = 0
			}
		}
	}
}

// scalarValue returns a scalar node value as float64.
func scalarValue(v G.Value) float64 {
	switch x := v.Data().(type) {
	case float32:
		return float64(x)
	case float64:
		return x
	}
	return math.NaN()
}
