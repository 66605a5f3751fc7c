package models

import (
	"fmt"
	"slices"
	"strings"
)

// Spec is a model's architecture and interface: what goes in, the layers,
// and what comes out. It is plain data that round-trips through JSON, and
// New builds a model from it. The loss and the task follow from the output
// layer's activation: "linear" is regression with mean squared error,
// "sigmoid" binary classification with binary cross-entropy, "softmax"
// multi-class classification with categorical cross-entropy, and "step" the
// perceptron with its criterion.
type Spec struct {
	// Name names the model, e.g. "mlp" or "perceptron".
	Name string `json:"name"`
	// DType is "float32" (the default) or "float64".
	DType string `json:"dtype"`
	// Input is the shape of one sample: [D] for tabular data, [C, H, W] for
	// images.
	Input []int `json:"input"`
	// Layers lists the layers in order. The last one is a dense layer whose
	// activation decides the task.
	Layers []LayerSpec `json:"layers"`
	// Features names the input columns of tabular data, if known.
	Features []string `json:"features,omitempty"`
	// Targets names the target columns, if known.
	Targets []string `json:"targets,omitempty"`
	// Classes names the classes of a classifier in output order, if known.
	Classes []string `json:"classes,omitempty"`
}

// LayerSpec describes one layer. Type selects the layer; each type reads
// only its own fields.
type LayerSpec struct {
	// Type is one of the Layer* constants.
	Type string `json:"type"`
	// Name is unique within the model; New fills it in when empty
	// ("dense_1", "dropout_1", ...). Parameter names derive from it.
	Name string `json:"name,omitempty"`
	// Units is a dense layer's output width.
	Units int `json:"units,omitempty"`
	// Activation is a dense or activation layer's activation function.
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
	// Padding is the number of zero rows and columns added on each side of a
	// convolution's input.
	Padding int `json:"padding,omitempty"`
}

// The layer types.
const (
	LayerDense         = "dense"
	LayerActivation    = "activation"
	LayerDropout       = "dropout"
	LayerNormalization = "normalization"
	LayerConv2D        = "conv2d"
	LayerMaxPool2D     = "maxpool2d"
	LayerFlatten       = "flatten"
)

// The activation functions. Linear, Sigmoid, Tanh and ReLU can be used in
// any layer; Softmax and Step only as the output layer's activation.
const (
	Linear  = "linear"
	Sigmoid = "sigmoid"
	Tanh    = "tanh"
	ReLU    = "relu"
	Softmax = "softmax"
	Step    = "step"
)

// Loss names a training loss. It follows from the output activation.
type Loss string

// The losses.
const (
	MSE                     Loss = "mse"
	BinaryCrossEntropy      Loss = "binary_crossentropy"
	CategoricalCrossEntropy Loss = "categorical_crossentropy"
	PerceptronCriterion     Loss = "perceptron"
)

// Task says what a model predicts.
type Task string

// The tasks.
const (
	Regression     Task = "regression"
	Classification Task = "classification"
)

var hiddenActivations = []string{Linear, Sigmoid, Tanh, ReLU}

// normActivation maps accepted aliases to canonical names.
func normActivation(a string) string {
	switch a = strings.ToLower(strings.TrimSpace(a)); a {
	case "", "identity", "none":
		return Linear
	case "rectify":
		return ReLU
	case "heaviside":
		return Step
	}
	return a
}

// outputLayer returns the last layer's spec.
func (s Spec) outputLayer() LayerSpec {
	if len(s.Layers) == 0 {
		return LayerSpec{}
	}
	return s.Layers[len(s.Layers)-1]
}

// OutputActivation returns the output layer's activation.
func (s Spec) OutputActivation() string { return normActivation(s.outputLayer().Activation) }

// Loss returns the loss a model with this spec trains with.
func (s Spec) Loss() Loss {
	switch s.OutputActivation() {
	case Sigmoid:
		return BinaryCrossEntropy
	case Softmax:
		return CategoricalCrossEntropy
	case Step:
		return PerceptronCriterion
	}
	return MSE
}

// Task returns Regression for a linear output layer and Classification
// otherwise.
func (s Spec) Task() Task {
	if s.Loss() == MSE {
		return Regression
	}
	return Classification
}

// Units returns the output layer's width: the number of logits per sample.
func (s Spec) Units() int { return s.outputLayer().Units }

// NumClasses returns the number of classes of a classifier (2 for a single
// sigmoid or step unit) and 0 for a regression model.
func (s Spec) NumClasses() int {
	switch s.Loss() {
	case BinaryCrossEntropy, PerceptronCriterion:
		return 2
	case CategoricalCrossEntropy:
		return s.Units()
	}
	return 0
}

// validateOutput checks that the output layer fits its task.
func (s Spec) validateOutput() error {
	out := s.outputLayer()
	if out.Type != LayerDense {
		return fmt.Errorf("the last layer must be %q (the output layer), not %q", LayerDense, out.Type)
	}
	act := normActivation(out.Activation)
	switch act {
	case Sigmoid, Step:
		if out.Units != 1 {
			return fmt.Errorf("a %s output layer has 1 unit, not %d", act, out.Units)
		}
	case Softmax:
		if out.Units < 2 {
			return fmt.Errorf("a softmax output layer needs at least 2 units, not %d", out.Units)
		}
	case Linear:
	default:
		return fmt.Errorf("output activation %q is not one of linear, sigmoid, softmax, step", out.Activation)
	}
	if n := s.NumClasses(); n > 0 && s.Classes != nil && len(s.Classes) != n {
		return fmt.Errorf("%d class names for %d classes", len(s.Classes), n)
	}
	if s.Task() == Regression && s.Targets != nil && len(s.Targets) != out.Units {
		return fmt.Errorf("%d target names for %d outputs", len(s.Targets), out.Units)
	}
	return nil
}

// checkHiddenActivation rejects activations that only an output layer may use.
func checkHiddenActivation(layer, act string) error {
	if !slices.Contains(hiddenActivations, act) {
		return fmt.Errorf("layer %s: activation %q is not one of %s (softmax and step are for the output layer)",
			layer, act, strings.Join(hiddenActivations, ", "))
	}
	return nil
}
