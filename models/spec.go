package models

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/internal/ops"
	"github.com/dlgo/dlgo/tabular"
	"gorgonia.org/tensor"
)

// Spec is a model's architecture and interface: what goes in, the layers,
// the loss, and what comes out. It is plain data that round-trips through
// JSON, and New builds a model from it.
//
// The output activation is that of the last layer with an activation
// (dense, conv2d, conv2d_transpose or activation), when only reshape and
// flatten layers follow it; otherwise it is linear. The loss defaults from
// it: binary cross-entropy for sigmoid, categorical cross-entropy for
// softmax, the perceptron criterion for step, and mean squared error
// otherwise.
type Spec struct {
	// Name names the model, e.g. "mlp" or "perceptron".
	Name string `json:"name"`
	// DType is "float32" (the default) or "float64".
	DType string `json:"dtype"`
	// Input is the shape of one sample: [D] for tabular data, [C, H, W] for
	// images.
	Input []int `json:"input"`
	// Layers lists the layers in order.
	Layers []LayerSpec `json:"layers"`
	// Loss is the training loss; New fills in the default for the output
	// activation when it is empty.
	Loss Loss `json:"loss,omitempty"`
	// Features names the input columns of tabular data, if known.
	Features []string `json:"features,omitempty"`
	// Targets names the target columns (or, for a multi-label model, the
	// labels), if known.
	Targets []string `json:"targets,omitempty"`
	// Classes names the classes of a classifier in output order, if known.
	Classes []string `json:"classes,omitempty"`
	// TargetScale, if set, is the standardisation of a regression model's
	// targets: it trains on (y - Mean[j]) / Std[j] for output j, so the
	// loss (and Logits) are in standard units, and Predict and OutputsOf
	// return values in the targets' own units. WithTargetStandardizer sets
	// it.
	TargetScale *datasets.Standardizer `json:"target_scale,omitempty"`
	// Table, if set, says how raw table rows become the model's input: the
	// kind of every column, the one-hot vocabularies, the imputation
	// values and the dropped columns (see tabular.Encoding.Encode).
	Table *tabular.Encoding `json:"table,omitempty"`
	// Target says what the model learns to output: the data's targets
	// (empty), or TargetInput, each sample's own input: an autoencoder,
	// whose task is Reconstruction and whose output has as many values
	// as its input. The data's labels, if any, are then not trained on.
	Target string `json:"target,omitempty"`
	// LossReduction says how a sample's loss combines its output values:
	// ReduceMean (the default, also written as empty) or ReduceSum, e.g. the
	// per-image sum of the pixels' binary cross-entropies of a variational
	// autoencoder. The loss of a batch is the mean over its samples either
	// way, and categorical cross-entropy is a sum over the classes either
	// way.
	LossReduction string `json:"loss_reduction,omitempty"`
	// Latent names the layer whose outputs are the model's latent code
	// (an autoencoder's bottleneck): Encode returns them, and Decode runs
	// the layers after it on given codes. When empty, it is the sampling
	// layer, if the model has one.
	Latent string `json:"latent,omitempty"`

	// out is the output shape per sample, known once the spec is built.
	out []int
}

// LayerSpec describes one layer. Type selects the layer; each type reads
// only its own fields, and a field it does not read must be left zero.
// The functions Dense, Conv2D, MaxPool2D, ... build LayerSpecs.
type LayerSpec struct {
	// Type is one of the Layer* constants.
	Type string `json:"type"`
	// Name is unique within the model: letters, digits, '_', '-' and '.'.
	// New fills it in when empty ("dense_1", "dropout_1", ...). Parameter
	// names derive from it.
	Name string `json:"name,omitempty"`
	// Units is a dense layer's output width.
	Units int `json:"units,omitempty"`
	// Activation is a dense, convolution or activation layer's activation
	// function.
	Activation string `json:"activation,omitempty"`
	// Rate is a dropout layer's drop probability, in [0, 1).
	Rate float64 `json:"rate,omitempty"`
	// Filters is a convolution's number of output channels.
	Filters int `json:"filters,omitempty"`
	// Kernel is a convolution's kernel size or a pooling window's size.
	Kernel int `json:"kernel,omitempty"`
	// Stride is a convolution's or pooling window's step (default 1 for
	// convolutions, Kernel for pooling).
	Stride int `json:"stride,omitempty"`
	// Padding is the number of zero rows and columns added on each side of
	// a convolution's input, or Same ("same" in JSON).
	Padding Padding `json:"padding,omitempty"`
	// OutputPadding adds rows and columns at the bottom and right of a
	// transposed convolution's output, in [0, Stride).
	OutputPadding int `json:"output_padding,omitempty"`
	// Shape is a reshape layer's output shape per sample; one dimension may
	// be -1, inferred from the others.
	Shape []int `json:"shape,omitempty"`
	// Size is an upsampling layer's factor along height and width.
	Size int `json:"size,omitempty"`
	// Momentum is a batch normalization layer's running-average momentum
	// (default 0.99, as in Keras).
	Momentum float64 `json:"momentum,omitempty"`
	// Epsilon is added to a batch normalization layer's variance (default
	// 0.001, as in Keras).
	Epsilon float64 `json:"epsilon,omitempty"`
}

// Padding is a convolution's zero padding: rows and columns added on each
// side, or Same.
type Padding int

// Same pads a convolution so that its output has ⌈in/stride⌉ rows and
// columns (a transposed convolution: in·stride), as Keras' padding="same";
// it needs an odd kernel, padded by (kernel-1)/2 on each side.
const Same Padding = -1

// MarshalJSON writes Same as "same" and other paddings as numbers.
func (p Padding) MarshalJSON() ([]byte, error) {
	if p == Same {
		return []byte(`"same"`), nil
	}
	return strconv.AppendInt(nil, int64(p), 10), nil
}

// UnmarshalJSON reads a number, "same" or "valid" (no padding).
func (p *Padding) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		switch strings.ToLower(s) {
		case "same":
			*p = Same
		case "valid":
			*p = 0
		default:
			return fmt.Errorf("padding %q is not \"same\", \"valid\" or a number", s)
		}
		return nil
	}
	var n int
	if err := json.Unmarshal(b, &n); err != nil || n < 0 {
		return fmt.Errorf("padding %s is not \"same\", \"valid\" or a number ≥ 0", b)
	}
	*p = Padding(n)
	return nil
}

func (p Padding) String() string {
	if p == Same {
		return "same"
	}
	return strconv.Itoa(int(p))
}

// The layer types.
const (
	LayerDense           = "dense"
	LayerActivation      = "activation"
	LayerDropout         = "dropout"
	LayerNormalization   = "normalization"
	LayerBatchNorm       = "batchnorm"
	LayerConv2D          = "conv2d"
	LayerConv2DTranspose = "conv2d_transpose"
	LayerMaxPool2D       = "maxpool2d"
	LayerAvgPool2D       = "avgpool2d"
	LayerUpSample2D      = "upsample2d"
	LayerFlatten         = "flatten"
	LayerReshape         = "reshape"
	LayerSampling        = "sampling"
)

// The activation functions. Linear, Sigmoid, Tanh, ReLU and LeakyReLU can
// be used in any layer; Softmax and Step only as the output activation.
const (
	Linear    = "linear"
	Sigmoid   = "sigmoid"
	Tanh      = "tanh"
	ReLU      = "relu"
	LeakyReLU = "leaky_relu"
	Softmax   = "softmax"
	Step      = "step"
)

// LeakySlope is the leaky ReLU's slope for negative inputs: Keras'
// keras.activations.leaky_relu default.
const LeakySlope = ops.LeakySlope

var hiddenActivations = []string{Linear, Sigmoid, Tanh, ReLU, LeakyReLU}

// normActivation maps accepted aliases to canonical names.
func normActivation(a string) string {
	switch a = strings.ToLower(strings.TrimSpace(a)); a {
	case "", "identity", "none":
		return Linear
	case "rectify":
		return ReLU
	case "leakyrelu", "leaky-relu":
		return LeakyReLU
	case "heaviside":
		return Step
	}
	return a
}

// checkHiddenActivation rejects activations that only an output layer may
// use, and unknown ones.
func checkHiddenActivation(layer, act string) error {
	switch act {
	case Linear, Sigmoid, Tanh, ReLU, LeakyReLU:
		return nil
	case Softmax, Step:
		return fmt.Errorf("layer %s: activation %q can only be the output activation (of the last layer with one)", layer, act)
	}
	return fmt.Errorf("layer %s: activation %q is not one of %s, softmax, step", layer, act, strings.Join(hiddenActivations, ", "))
}

// Task says what a model predicts.
type Task string

// The tasks.
const (
	// Regression predicts numbers: any output with a regression loss.
	Regression Task = "regression"
	// Classification predicts one class per sample: a softmax over the
	// classes, one sigmoid unit (two classes), or the perceptron.
	Classification Task = "classification"
	// MultiLabel predicts several yes/no labels per sample: sigmoid units
	// with binary cross-entropy, one per label.
	MultiLabel Task = "multilabel"
	// Reconstruction predicts each sample's own input (Spec.Target is
	// TargetInput): an autoencoder.
	Reconstruction Task = "reconstruction"
)

// TargetInput is the Spec.Target of a model trained to output its own
// input: an autoencoder.
const TargetInput = "input"

// The loss reductions of Spec.LossReduction: how a sample's loss combines
// its output values.
const (
	ReduceMean = "mean"
	ReduceSum  = "sum"
)

// Reconstructs reports whether the model is trained to output its own
// input (Spec.Target is TargetInput).
func (s Spec) Reconstructs() bool { return s.Target == TargetInput }

// outputIndex returns the index of the layer whose activation is the
// output activation, or -1: the last layer with an activation, if only
// reshaping layers follow it.
func (s Spec) outputIndex() int {
	for i := len(s.Layers) - 1; i >= 0; i-- {
		t, ok := layerTypes[s.Layers[i].Type]
		switch {
		case !ok:
			return -1
		case t.activates:
			return i
		case !t.reshapes:
			return -1
		}
	}
	return -1
}

// OutputLayer returns the index of the layer whose activation is the
// model's output activation (the graph leaves it out, and Predict applies
// it after the layers that follow, which only reshape), or -1 when the
// output activation is linear without such a layer.
func (s Spec) OutputLayer() int { return s.outputIndex() }

// OutputActivation returns the model's output activation.
func (s Spec) OutputActivation() string {
	if i := s.outputIndex(); i >= 0 {
		return normActivation(s.Layers[i].Activation)
	}
	return Linear
}

// lossOrDefault returns the loss, or the default for the output activation.
func (s Spec) lossOrDefault() Loss {
	if s.Loss != "" {
		return normLoss(s.Loss)
	}
	return DefaultLoss(s.OutputActivation())
}

// objective returns the loss with the output it is computed through.
func (s Spec) objective() (ops.Objective, error) {
	l, err := s.lossOrDefault().op()
	if err != nil {
		return ops.Objective{}, err
	}
	out, err := ops.ParseOutput(s.OutputActivation())
	if err != nil {
		return ops.Objective{}, fmt.Errorf("output activation %q is not one of linear, relu, leaky_relu, sigmoid, tanh, softmax, step", s.OutputActivation())
	}
	o := ops.Objective{Loss: l, Output: out, Sum: s.LossReduction == ReduceSum}
	if err := o.Check(); err != nil {
		return o, err
	}
	return o, nil
}

// OutputShape returns the shape of one sample's output. It builds the
// layers to find it, unless the spec comes from a model.
func (s Spec) OutputShape() []int {
	if s.out != nil {
		return s.out
	}
	shape, err := s.shapes()
	if err != nil || len(shape) == 0 {
		return nil
	}
	return shape[len(shape)-1]
}

// Units returns the number of output values per sample: the product of
// OutputShape, e.g. the number of logits of a classifier.
func (s Spec) Units() int {
	n := 1
	for _, d := range s.OutputShape() {
		n *= d
	}
	if s.OutputShape() == nil {
		return 0
	}
	return n
}

// Task returns what a model of this spec predicts, from its loss and
// output.
func (s Spec) Task() Task {
	if s.Reconstructs() {
		return Reconstruction
	}
	switch s.lossOrDefault() {
	case CategoricalCrossEntropy, PerceptronCriterion:
		return Classification
	case BinaryCrossEntropy:
		if s.Units() == 1 {
			return Classification
		}
		return MultiLabel
	}
	return Regression
}

// NumClasses returns the number of classes of a classifier (2 for a single
// sigmoid or step unit) and 0 for other tasks.
func (s Spec) NumClasses() int {
	if s.Task() != Classification {
		return 0
	}
	if s.lossOrDefault() == CategoricalCrossEntropy {
		return s.Units()
	}
	return 2
}

// TargetWidth returns the number of target values per sample that the
// model trains on, as a data set holds them: 1 class index for a
// classifier, one value per output otherwise.
func (s Spec) TargetWidth() int {
	if s.Task() == Classification {
		return 1
	}
	return s.Units()
}

// validateOutput checks that the loss fits the output, and the names the
// task's.
func (s Spec) validateOutput() error {
	switch s.LossReduction {
	case "", ReduceMean, ReduceSum:
	default:
		return fmt.Errorf("loss reduction %q is not %q or %q", s.LossReduction, ReduceMean, ReduceSum)
	}
	o, err := s.objective()
	if err != nil {
		return err
	}
	units := s.Units()
	if err := s.validateReconstruction(o); err != nil {
		return err
	}
	switch o.Loss {
	case ops.CategoricalCrossEntropy:
		if len(s.OutputShape()) != 1 {
			return fmt.Errorf("a softmax output is over the classes: it needs a flat output (batch, classes), not %s; add a flatten layer before the output layer", shapeString(s.OutputShape()))
		}
		if units < 2 {
			return fmt.Errorf("a softmax output needs at least 2 units, not %d", units)
		}
	case ops.Perceptron:
		if units != 1 {
			return fmt.Errorf("a step output (the perceptron) has 1 unit, not %d", units)
		}
	}
	if o.Output == ops.OutSoftmax && len(s.OutputShape()) != 1 {
		return fmt.Errorf("a softmax output needs a flat output (batch, units), not %s", shapeString(s.OutputShape()))
	}
	if n := s.NumClasses(); n > 0 && s.Classes != nil && len(s.Classes) != n {
		return fmt.Errorf("%d class names for %d classes", len(s.Classes), n)
	}
	if s.Task() != Classification && s.Classes != nil {
		return fmt.Errorf("the data has classes %s, but with loss %s and a %s output the model is a %s model: use a classification loss (categorical_crossentropy with softmax, binary_crossentropy with one sigmoid unit)",
			quoted(s.Classes), s.lossOrDefault(), s.OutputActivation(), s.Task())
	}
	if s.Task() != Classification && s.Task() != Reconstruction && s.Targets != nil && len(s.Targets) != units {
		return fmt.Errorf("%d target names for %d outputs", len(s.Targets), units)
	}
	if ts := s.TargetScale; ts != nil {
		if s.Task() != Regression {
			return fmt.Errorf("targets are standardised only for regression; this is a %s model", s.Task())
		}
		if len(ts.Mean) != units || len(ts.Std) != units {
			return fmt.Errorf("the target standardisation has %d means and %d deviations for %d outputs", len(ts.Mean), len(ts.Std), units)
		}
		for j := range ts.Mean {
			if math.IsNaN(ts.Mean[j]) || math.IsInf(ts.Mean[j], 0) || !(ts.Std[j] > 0) || math.IsInf(ts.Std[j], 0) {
				return fmt.Errorf("target %d is standardised with mean %v and deviation %v; want finite numbers and a positive deviation", j+1, ts.Mean[j], ts.Std[j])
			}
		}
	}
	if s.Table != nil {
		classes := s.Classes
		if s.Reconstructs() {
			classes = s.Table.Classes // the table's target is not an autoencoder's
		}
		if err := s.Table.Check(s.Features, s.Targets, classes); err != nil {
			return err
		}
	}
	return nil
}

// quoted lists names for a message, at most 10 of them.
func quoted(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i == 10 {
			fmt.Fprintf(&b, ", … (%d in all)", len(names))
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", n)
	}
	return b.String()
}

// validateReconstruction checks the target, and that a model that
// reconstructs its input outputs as many values as it takes, with a loss
// that compares values.
func (s Spec) validateReconstruction(o ops.Objective) error {
	switch s.Target {
	case "":
		return nil
	case TargetInput:
	default:
		return fmt.Errorf("target %q is not %q (an autoencoder) or empty (the data's targets)", s.Target, TargetInput)
	}
	in := tensor.Shape(s.Input).TotalSize()
	if s.Units() != in {
		return fmt.Errorf("a model that reconstructs its input outputs as many values as it takes, %d (input %v), not %d (output %s)",
			in, s.Input, s.Units(), shapeString(s.OutputShape()))
	}
	switch o.Loss {
	case ops.CategoricalCrossEntropy, ops.Perceptron:
		return fmt.Errorf("a model that reconstructs its input is trained with a loss that compares values (mse, mae, huber, or binary_crossentropy for values in [0, 1] with a sigmoid output), not %v", o.Loss)
	}
	switch {
	case s.Classes != nil:
		return fmt.Errorf("a model that reconstructs its input has no classes, but the spec names %s", quoted(s.Classes))
	case s.Targets != nil:
		return fmt.Errorf("a model that reconstructs its input has no target names, but the spec names %s", quoted(s.Targets))
	}
	return nil
}
