package models

import (
	"fmt"

	"github.com/dlgo/dlgo/datasets"
)

// Sequential returns the spec of a model that applies layers in order to
// samples of shape input: Keras' Sequential.
//
//	spec := models.Sequential([]int{1, 28, 28},
//		models.Conv2D(32, 3, models.ReLU),
//		models.MaxPool2D(2),
//		models.Flatten(),
//		models.Dense(10, models.Softmax))
func Sequential(input []int, layers ...LayerSpec) Spec {
	return Spec{Name: "sequential", Input: input, Layers: layers}
}

// Output describes a model's output layer: its width, its activation and
// its loss (empty: the activation's default, see Spec).
type Output struct {
	Units      int
	Activation string
	Loss       Loss
}

// RegressionOutput is a linear output of the given number of targets,
// trained with mean squared error.
func RegressionOutput(targets int) Output { return Output{Units: targets, Activation: Linear} }

// BinaryOutput is one sigmoid unit, P(class 1), trained with binary
// cross-entropy.
func BinaryOutput() Output { return Output{Units: 1, Activation: Sigmoid} }

// MulticlassOutput is a softmax over k classes, trained with categorical
// cross-entropy.
func MulticlassOutput(k int) Output { return Output{Units: k, Activation: Softmax} }

// MultiLabelOutput is k sigmoid units, one yes/no label each, trained with
// binary cross-entropy averaged over the labels.
func MultiLabelOutput(k int) Output { return Output{Units: k, Activation: Sigmoid} }

// OutputFor returns the output a Keras user would put on a model for d:
// one sigmoid unit for two classes, a softmax for more, and a linear unit
// per target for regression.
func OutputFor(d *datasets.Dataset) Output {
	switch {
	case d.IsClassification() && len(d.Classes) == 2:
		return BinaryOutput()
	case d.IsClassification():
		return MulticlassOutput(len(d.Classes))
	}
	return RegressionOutput(d.TargetDim())
}

// Hidden describes one hidden layer of an MLP: a dense layer of Units with
// Activation, followed by dropout at rate Dropout if it is above zero.
type Hidden struct {
	Units      int
	Activation string
	Dropout    float64
}

// NewPerceptron returns Rosenblatt's perceptron on inputs features: one
// unit with a Heaviside step output, trained on the perceptron criterion
// mean(max(0, -s·z)) with s = ±1 the true class's sign. With plain SGD,
// batch size 1 and learning rate 1, each update is Rosenblatt's rule
// w ← w + s·x for a misclassified sample. It converges on linearly
// separable data and cannot fit XOR.
func NewPerceptron(inputs int, opts ...Option) (*Model, error) {
	return New(Spec{Name: "perceptron", Input: []int{inputs},
		Layers: []LayerSpec{{Type: LayerDense, Units: 1, Activation: Step}}}, opts...)
}

// NewLinearRegression returns linear regression from inputs features to
// outputs targets, trained with mean squared error.
func NewLinearRegression(inputs, outputs int, opts ...Option) (*Model, error) {
	return New(Spec{Name: "linreg", Input: []int{inputs},
		Layers: []LayerSpec{{Type: LayerDense, Units: outputs, Activation: Linear}}}, opts...)
}

// NewLogisticRegression returns logistic regression on inputs features:
// binary (one sigmoid unit, binary cross-entropy) for 2 classes and
// multinomial (softmax, categorical cross-entropy) for more.
func NewLogisticRegression(inputs, classes int, opts ...Option) (*Model, error) {
	if classes < 2 {
		return nil, fmt.Errorf("models: logistic regression needs at least 2 classes, not %d", classes)
	}
	out := BinaryOutput()
	if classes > 2 {
		out = MulticlassOutput(classes)
	}
	return New(Spec{Name: "logreg", Input: []int{inputs},
		Layers: []LayerSpec{{Type: LayerDense, Units: out.Units, Activation: out.Activation}}}, opts...)
}

// NewMLP returns a multi-layer perceptron on inputs features: the hidden
// layers in order, then out. For other architectures, write a Spec (see
// Sequential) and call New.
func NewMLP(inputs int, hidden []Hidden, out Output, opts ...Option) (*Model, error) {
	var layers []LayerSpec
	for _, h := range hidden {
		layers = append(layers, LayerSpec{Type: LayerDense, Units: h.Units, Activation: h.Activation})
		if h.Dropout != 0 {
			layers = append(layers, LayerSpec{Type: LayerDropout, Rate: h.Dropout})
		}
	}
	layers = append(layers, LayerSpec{Type: LayerDense, Units: out.Units, Activation: out.Activation})
	return New(Spec{Name: "mlp", Input: []int{inputs}, Layers: layers, Loss: out.Loss}, opts...)
}

// NewConvNet returns the small ConvNet of Keras' MNIST example for images
// of shape input (channels, height, width) and the given number of
// classes: Conv2D 32 3×3 ReLU → MaxPool 2 → Conv2D 64 3×3 ReLU →
// MaxPool 2 → Flatten → Dropout 0.5 → Dense softmax. For other
// architectures, write the Spec and call New.
func NewConvNet(input []int, classes int, opts ...Option) (*Model, error) {
	if classes < 2 {
		return nil, fmt.Errorf("models: a ConvNet classifier needs at least 2 classes, not %d", classes)
	}
	return New(Spec{Name: "convnet", Input: input, Layers: []LayerSpec{
		{Type: LayerConv2D, Filters: 32, Kernel: 3, Activation: ReLU},
		{Type: LayerMaxPool2D, Kernel: 2},
		{Type: LayerConv2D, Filters: 64, Kernel: 3, Activation: ReLU},
		{Type: LayerMaxPool2D, Kernel: 2},
		{Type: LayerFlatten},
		{Type: LayerDropout, Rate: 0.5},
		{Type: LayerDense, Units: classes, Activation: Softmax},
	}}, opts...)
}
