package ops

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Loss names a training loss.
type Loss int

// The losses. Each is a per-sample loss of the model's outputs a = act(z)
// against the targets y; the loss of a batch is the mean over its samples.
const (
	// MSE is the mean over a sample's values of (a - y)².
	MSE Loss = iota
	// MAE is the mean over a sample's values of |a - y|.
	MAE
	// Huber is the mean over a sample's values of ½d² where |d| ≤ δ and
	// δ(|d| - ½δ) elsewhere, d = a - y, with δ = HuberDelta (Keras' Huber).
	Huber
	// BinaryCrossEntropy is the mean over a sample's values of
	// -y·log σ(z) - (1-y)·log(1-σ(z)) for targets y in [0, 1], computed
	// from the logits z as softplus(z) - y·z, never taking log σ(z). It
	// needs the sigmoid output.
	BinaryCrossEntropy
	// CategoricalCrossEntropy is -Σ_k y_k·log softmax(z)_k over a sample's
	// values, y one-hot (or any row of probabilities), with the softmax
	// shifted by the row's maximum. It needs the softmax output.
	CategoricalCrossEntropy
	// Perceptron is Rosenblatt's criterion max(0, -s·z), s = 2y-1 = ±1 for
	// y in {0, 1}, whose subgradient -s is taken wherever s·z ≤ 0: a sample
	// on the boundary (z = 0) counts as a mistake, so that a model started
	// at zero learns. It needs the step output.
	Perceptron
)

// HuberDelta is δ of the Huber loss, Keras' default.
const HuberDelta = 1.0

func (l Loss) String() string {
	switch l {
	case MSE:
		return "mse"
	case MAE:
		return "mae"
	case Huber:
		return "huber"
	case BinaryCrossEntropy:
		return "binary_crossentropy"
	case CategoricalCrossEntropy:
		return "categorical_crossentropy"
	case Perceptron:
		return "perceptron"
	}
	return fmt.Sprintf("Loss(%d)", int(l))
}

// Output is the activation applied to a model's last values z to give its
// outputs a, and so the one the loss sees.
type Output int

// The output activations.
const (
	OutLinear Output = iota
	OutReLU
	OutLeakyReLU
	OutSigmoid
	OutTanh
	OutSoftmax
	OutStep
)

// ParseOutput maps a name (linear, relu, leaky_relu, sigmoid, tanh,
// softmax, step) to an Output.
func ParseOutput(name string) (Output, error) {
	for o := OutLinear; o <= OutStep; o++ {
		if o.String() == name {
			return o, nil
		}
	}
	return 0, fmt.Errorf("ops: no output activation %q", name)
}

func (o Output) String() string {
	switch o {
	case OutLinear:
		return "linear"
	case OutReLU:
		return "relu"
	case OutLeakyReLU:
		return "leaky_relu"
	case OutSigmoid:
		return "sigmoid"
	case OutTanh:
		return "tanh"
	case OutSoftmax:
		return "softmax"
	case OutStep:
		return "step"
	}
	return fmt.Sprintf("Output(%d)", int(o))
}

// Objective is a loss with the output activation it is computed through.
// Three pairs are computed from the logits z, stably: sigmoid with binary
// cross-entropy, softmax with categorical cross-entropy, step with the
// perceptron criterion, and these losses take no other output. The
// regression losses (MSE, MAE, Huber) take any output but step, and are
// computed on the outputs a = act(z), their gradient going back through
// the activation.
type Objective struct {
	Loss   Loss
	Output Output
	// Sum makes a sample's loss the sum over its values instead of their
	// mean (categorical cross-entropy is a sum over the classes either
	// way): a variational autoencoder's reconstruction loss is the sum of
	// the binary cross-entropies of an image's pixels.
	Sum bool
}

// Check reports an output the loss cannot be computed through.
func (o Objective) Check() error {
	want := map[Loss]Output{BinaryCrossEntropy: OutSigmoid, CategoricalCrossEntropy: OutSoftmax, Perceptron: OutStep}
	if out, ok := want[o.Loss]; ok {
		if o.Output != out {
			return fmt.Errorf("%v needs the %v output, not %v", o.Loss, out, o.Output)
		}
		return nil
	}
	if o.Loss < MSE || o.Loss > Perceptron {
		return fmt.Errorf("unknown loss %v", o.Loss)
	}
	if o.Output == OutStep {
		return fmt.Errorf("the step output has no gradient: train it with the perceptron criterion, not %v", o.Loss)
	}
	if o.Output < OutLinear || o.Output > OutStep {
		return fmt.Errorf("unknown output %v", o.Output)
	}
	return nil
}

func (o Objective) String() string {
	if o.Sum {
		return fmt.Sprintf("%v(%v),sum", o.Loss, o.Output)
	}
	return fmt.Sprintf("%v(%v)", o.Loss, o.Output)
}

// SampleLoss returns the loss of one sample from its values before the
// output activation, z, and its targets y, encoded for the loss (one-hot
// for categorical cross-entropy, 0 or 1 for the binary losses, values
// otherwise; as many as z). It is the formula the graph op uses.
func (o Objective) SampleLoss(z, y []float32) float64 {
	return rowLoss(o, z, y, nil, 0)
}

// rowLoss returns the loss of one sample, a mean over its values (their
// sum with o.Sum, and always for categorical cross-entropy, a sum over the
// classes), from its values before the output activation z and its encoded
// targets y. With dz non-nil it also writes scale·∂loss/∂z into dz, and the
// loss it returns may then be left out (binary cross-entropy skips it, its
// costliest part). It computes in float64 whatever T is.
func rowLoss[T float](o Objective, z, y, dz []T, scale float64) float64 {
	u := float64(len(z))
	if o.Sum {
		u = 1
	}
	switch o.Loss {
	case BinaryCrossEntropy:
		if dz != nil {
			for i, v := range z {
				dz[i] = T(scale / u * (sigmoid(float64(v)) - float64(y[i])))
			}
			return 0
		}
		var total float64
		for i, v := range z {
			zi, yi := float64(v), float64(y[i])
			total += softplus(zi) - yi*zi
		}
		return total / u
	case Perceptron:
		var total float64
		for i, v := range z {
			s := 2*float64(y[i]) - 1
			m := -s * float64(v)
			total += math.Max(0, m)
			if dz != nil {
				dz[i] = 0
				if m >= 0 {
					dz[i] = T(-scale / u * s)
				}
			}
		}
		return total / u
	case CategoricalCrossEntropy:
		mx, lse := logSumExp(z)
		var total, ysum float64
		for k, v := range z {
			if y[k] != 0 {
				total -= float64(y[k]) * (float64(v) - mx - lse)
			}
			ysum += float64(y[k])
		}
		if dz != nil {
			for k, v := range z {
				p := math.Exp(float64(v) - mx - lse)
				dz[k] = T(scale * (p*ysum - float64(y[k])))
			}
		}
		return total
	}
	// A regression loss on the outputs.
	if o.Output == OutSoftmax {
		return softmaxRegression(o.Loss, z, y, dz, scale, u)
	}
	var total float64
	for i, v := range z {
		a, da := outputValue(o.Output, float64(v))
		l, dl := elementLoss(o.Loss, a-float64(y[i]))
		total += l
		if dz != nil {
			dz[i] = T(scale / u * dl * da)
		}
	}
	return total / u
}

// softmaxRegression is a regression loss on softmax outputs, the sum over
// the values divided by u: its gradient goes back through the softmax's
// Jacobian, dz_j = a_j·(g_j - Σ_k a_k·g_k) for g = ∂loss/∂a.
func softmaxRegression[T float](l Loss, z, y, dz []T, scale, u float64) float64 {
	mx, lse := logSumExp(z)
	a := make([]float64, len(z))
	g := make([]float64, len(z))
	var total, dot float64
	for k, v := range z {
		a[k] = math.Exp(float64(v) - mx - lse)
		lk, dk := elementLoss(l, a[k]-float64(y[k]))
		total += lk
		g[k] = dk / u
		dot += a[k] * g[k]
	}
	if dz != nil {
		for k := range z {
			dz[k] = T(scale * a[k] * (g[k] - dot))
		}
	}
	return total / u
}

// elementLoss returns a regression loss of one difference d = a - y and
// its derivative with respect to a.
func elementLoss(l Loss, d float64) (loss, deriv float64) {
	switch l {
	case MAE:
		switch {
		case d > 0:
			return d, 1
		case d < 0:
			return -d, -1
		}
		return 0, 0
	case Huber:
		if math.Abs(d) <= HuberDelta {
			return d * d / 2, d
		}
		return HuberDelta * (math.Abs(d) - HuberDelta/2), math.Copysign(HuberDelta, d)
	}
	return d * d, 2 * d
}

// outputValue returns a = act(z) and da/dz for an elementwise output.
func outputValue(o Output, z float64) (a, da float64) {
	switch o {
	case OutReLU:
		if z > 0 {
			return z, 1
		}
		return 0, 0
	case OutLeakyReLU:
		if z > 0 {
			return z, 1
		}
		return LeakySlope * z, LeakySlope
	case OutSigmoid:
		s := sigmoid(z)
		return s, s * (1 - s)
	case OutTanh:
		t := math.Tanh(z)
		return t, 1 - t*t
	case OutStep:
		if z >= 0 {
			return 1, 0
		}
		return 0, 0
	}
	return z, 1
}

// Apply applies the output activation to one sample's values z in place:
// what a model predicts.
func (o Output) Apply(z []float32) {
	if o == OutSoftmax {
		mx, lse := logSumExp(z)
		for k, v := range z {
			z[k] = float32(math.Exp(float64(v) - mx - lse))
		}
		return
	}
	if o == OutLinear {
		return
	}
	elementwise(len(z), func(lo, hi int) {
		if o == OutSigmoid {
			sigmoids32(z[lo:hi])
			return
		}
		for i := lo; i < hi; i++ {
			a, _ := outputValue(o, float64(z[i]))
			z[i] = float32(a)
		}
	})
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

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// LossOf returns the scalar loss of the objective: the mean over the
// batch of the per-sample losses of z, of shape (batch, ...), against the
// encoded targets y, of shape (batch, values per sample of z). It reads
// its inputs and never writes them, so z keeps its values after a run.
func LossOf(o Objective, z, y *G.Node) (*G.Node, error) {
	return lossOf(o, z, y, nil)
}

// WeightedLossOf is LossOf with a weight per sample: w, of shape (batch),
// multiplies each sample's loss, and the loss is Σ w_i·loss_i / batch, the
// weighted sum divided by the batch size (Keras' reduction with sample or
// class weights, not a division by Σ w_i). Weights of 1 give LossOf's
// value. No gradient flows to w.
func WeightedLossOf(o Objective, z, y, w *G.Node) (*G.Node, error) {
	if w == nil {
		return nil, fmt.Errorf("ops: %v: no weights", o)
	}
	return lossOf(o, z, y, w)
}

func lossOf(o Objective, z, y, w *G.Node) (*G.Node, error) {
	if err := o.Check(); err != nil {
		return nil, fmt.Errorf("ops: %w", err)
	}
	if z.Shape().Dims() < 2 {
		return nil, fmt.Errorf("ops: %v of values of shape %v; want (batch, ...)", o, z.Shape())
	}
	op := &lossOp{obj: o, dims: z.Shape().Dims()}
	if w == nil {
		return G.ApplyOp(op, z, y)
	}
	op.weighted = true
	return G.ApplyOp(op, z, y, w)
}

// lossOp is the batch loss; weighted, it takes a third input, the samples'
// weights.
type lossOp struct {
	obj      Objective
	dims     int
	weighted bool
}

func (op *lossOp) Arity() int {
	if op.weighted {
		return 3
	}
	return 2
}
func (op *lossOp) Type() hm.Type {
	if op.weighted {
		return hm.NewFnType(tensorType(op.dims), tensorType(2), tensorType(1), hm.TypeVariable('a'))
	}
	return hm.NewFnType(tensorType(op.dims), tensorType(2), hm.TypeVariable('a'))
}
func (op *lossOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	z, y := in[0].(tensor.Shape), in[1].(tensor.Shape)
	if len(y) != 2 || len(z) < 2 || z[0] != y[0] || z.TotalSize() != y.TotalSize() {
		return nil, fmt.Errorf("ops: %v of values %v and targets %v", op.obj, z, y)
	}
	if op.weighted {
		if w := in[2].(tensor.Shape); w.TotalSize() != z[0] || w.Dims() != 1 {
			return nil, fmt.Errorf("ops: %v of values %v with weights %v; want one weight per sample", op.obj, z, w)
		}
	}
	return tensor.ScalarShape(), nil
}
func (op *lossOp) ReturnsPtr() bool     { return false }
func (op *lossOp) CallsExtern() bool    { return false }
func (op *lossOp) OverwritesInput() int { return -1 }
func (op *lossOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.Loss{%v,%d,%t}", op.obj, op.dims, op.weighted)
}
func (op *lossOp) Hashcode() uint32 { return hashOf(op) }
func (op *lossOp) String() string {
	if op.weighted {
		return fmt.Sprintf("WeightedLoss{%v}", op.obj)
	}
	return fmt.Sprintf("Loss{%v}", op.obj)
}

func (op *lossOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denses(op.Arity(), vs)
	if err != nil {
		return nil, err
	}
	z, y := in[0], in[1]
	n := z.Shape()[0]
	switch zd := z.Data().(type) {
	case []float32:
		w, err := weightsOf[float32](in)
		if err != nil {
			return nil, err
		}
		return G.NewF32(float32(batchLoss(op.obj, n, zd, y.Data().([]float32), w, nil, 0))), nil
	case []float64:
		w, err := weightsOf[float64](in)
		if err != nil {
			return nil, err
		}
		return G.NewF64(batchLoss(op.obj, n, zd, y.Data().([]float64), w, nil, 0)), nil
	}
	return nil, fmt.Errorf("ops: loss of %v", z.Dtype())
}

// weightsOf returns the weights input (the third) of a weighted loss, nil
// for an unweighted one.
func weightsOf[T float](in []*tensor.Dense) ([]T, error) {
	if len(in) < 3 {
		return nil, nil
	}
	w, ok := in[2].Data().([]T)
	if !ok {
		return nil, fmt.Errorf("ops: loss weights of %v for values of another type", in[2].Dtype())
	}
	return w, nil
}

// graphRowLoss is rowLoss as the graph op computes it: a float32 model's
// binary cross-entropy takes its exponentials and logarithms in float32,
// eight at a time (bce32), the precision of its logits; everything else,
// and SampleLoss for the reported metrics, is rowLoss in float64.
func graphRowLoss[T float](o Objective, z, y, dz []T, scale float64) float64 {
	z32, ok := any(z).([]float32)
	if !ok || o.Loss != BinaryCrossEntropy {
		return rowLoss(o, z, y, dz, scale)
	}
	u := float64(len(z))
	if o.Sum {
		u = 1
	}
	return bce32(z32, any(y).([]float32), any(dz).([]float32), scale/u) / u
}

// batchLoss returns the mean loss over the n samples of z and y, each
// sample's loss multiplied by its weight w[r] when w is not nil, and,
// with dz non-nil, writes g·∂mean/∂z into it (the loss returned may then
// be left out, as rowLoss says). The samples are computed in parallel when
// there are many values, and summed in order, so the result does not
// depend on the number of cores.
func batchLoss[T float](o Objective, n int, z, y, w, dz []T, g float64) float64 {
	u := len(z) / n
	rows := make([]float64, n)
	each := func(lo, hi int) {
		for r := lo; r < hi; r++ {
			zr, yr := z[r*u:(r+1)*u], y[r*u:(r+1)*u]
			var dr []T
			if dz != nil {
				dr = dz[r*u : (r+1)*u]
			}
			wr := 1.0
			if w != nil {
				wr = float64(w[r])
			}
			rows[r] = wr * graphRowLoss(o, zr, yr, dr, wr*g/float64(n))
		}
	}
	if len(z) < 1<<14 {
		each(0, n)
	} else {
		parallel(n, each)
	}
	var total float64
	for _, l := range rows {
		total += l
	}
	return total / float64(n)
}

func (op *lossOp) DiffWRT(int) []bool {
	if op.weighted {
		return []bool{true, false, false}
	}
	return []bool{true, false}
}

func (op *lossOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	gop := &lossGradOp{obj: op.obj, dims: op.dims, weighted: op.weighted}
	args := append(append(G.Nodes{}, inputs...), grad)
	dz, err := G.ApplyOp(gop, args...)
	if err != nil {
		return nil, err
	}
	if op.weighted {
		return G.Nodes{dz, nil, nil}, nil
	}
	return G.Nodes{dz, nil}, nil
}

// lossGradOp computes the gradient of the batch loss with respect to z,
// times the incoming scalar gradient: the same formulas as the loss, in
// rowLoss. Its inputs are the loss's (z, y and, weighted, w), then the
// incoming gradient.
type lossGradOp struct {
	obj      Objective
	dims     int
	weighted bool
	out      *tensor.Dense
}

func (op *lossGradOp) Arity() int {
	if op.weighted {
		return 4
	}
	return 3
}
func (op *lossGradOp) Type() hm.Type {
	if op.weighted {
		return hm.NewFnType(tensorType(op.dims), tensorType(2), tensorType(1), hm.TypeVariable('a'), tensorType(op.dims))
	}
	return hm.NewFnType(tensorType(op.dims), tensorType(2), hm.TypeVariable('a'), tensorType(op.dims))
}
func (op *lossGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op *lossGradOp) ReturnsPtr() bool     { return false }
func (op *lossGradOp) CallsExtern() bool    { return false }
func (op *lossGradOp) OverwritesInput() int { return -1 }
func (op *lossGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "dlgo.LossGrad{%v,%d,%t}", op.obj, op.dims, op.weighted)
}
func (op *lossGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *lossGradOp) String() string   { return fmt.Sprintf("LossGrad{%v}", op.obj) }

func (op *lossGradOp) Do(vs ...G.Value) (G.Value, error) {
	k := op.Arity() - 1 // the tensor inputs; the scalar gradient is last
	if len(vs) != k+1 {
		return nil, fmt.Errorf("ops: loss gradient of %d inputs", len(vs))
	}
	in, err := denses(k, vs[:k])
	if err != nil {
		return nil, err
	}
	z, y := in[0], in[1]
	n := z.Shape()[0]
	dz := buffer(&op.out, z.Dtype(), z.Shape()...)
	switch zd := z.Data().(type) {
	case []float32:
		g, ok := vs[k].Data().(float32)
		if !ok {
			return nil, fmt.Errorf("ops: loss gradient scale is %T", vs[k].Data())
		}
		w, err := weightsOf[float32](in)
		if err != nil {
			return nil, err
		}
		batchLoss(op.obj, n, zd, y.Data().([]float32), w, dz.Data().([]float32), float64(g))
	case []float64:
		g, ok := vs[k].Data().(float64)
		if !ok {
			return nil, fmt.Errorf("ops: loss gradient scale is %T", vs[k].Data())
		}
		w, err := weightsOf[float64](in)
		if err != nil {
			return nil, err
		}
		batchLoss(op.obj, n, zd, y.Data().([]float64), w, dz.Data().([]float64), g)
	}
	return dz, nil
}
