package models

import (
	"fmt"
	"strings"

	"github.com/dlgo/dlgo/internal/ops"
)

// Loss names a training loss, as Keras does. Each is computed by one
// formula (in internal/ops) that the training graph, the reported metrics
// and the per-sample losses share; the mean over a sample's output values
// (the sum over the classes for categorical cross-entropy), then the mean
// over the samples.
type Loss string

// The losses.
const (
	// MSE is the mean squared error (a - y)² of the outputs a.
	MSE Loss = "mse"
	// MAE is the mean absolute error |a - y|.
	MAE Loss = "mae"
	// Huber is ½d² for |d| ≤ 1 and |d| - ½ beyond, d = a - y (Keras' Huber
	// with δ = 1): MSE near the target, MAE far from it.
	Huber Loss = "huber"
	// BinaryCrossEntropy is the cross-entropy of sigmoid outputs against
	// targets in [0, 1] (two classes, or several yes/no labels), computed
	// stably from the logits.
	BinaryCrossEntropy Loss = "binary_crossentropy"
	// CategoricalCrossEntropy is the cross-entropy of a softmax over the
	// classes against the true class, computed stably from the logits.
	CategoricalCrossEntropy Loss = "categorical_crossentropy"
	// PerceptronCriterion is Rosenblatt's max(0, -s·z), s = ±1 the true
	// class's sign, for the step output; a sample with s·z ≤ 0 is a mistake
	// and updates the weights.
	PerceptronCriterion Loss = "perceptron"
)

// LossNames lists the losses by their canonical names.
var LossNames = []Loss{MSE, MAE, Huber, BinaryCrossEntropy, CategoricalCrossEntropy, PerceptronCriterion}

// lossAliases maps the other names people write to canonical ones: Keras'
// long names and short forms.
var lossAliases = map[string]Loss{
	"mean_squared_error":              MSE,
	"mean_absolute_error":             MAE,
	"huber_loss":                      Huber,
	"bce":                             BinaryCrossEntropy,
	"binary_cross_entropy":            BinaryCrossEntropy,
	"cce":                             CategoricalCrossEntropy,
	"crossentropy":                    CategoricalCrossEntropy,
	"categorical_cross_entropy":       CategoricalCrossEntropy,
	"sparse_categorical_crossentropy": CategoricalCrossEntropy,
	"perceptron_criterion":            PerceptronCriterion,
}

// normLoss maps a loss name or alias to its canonical name; unknown names
// stay as they are.
func normLoss(l Loss) Loss {
	s := strings.ToLower(strings.TrimSpace(string(l)))
	if a, ok := lossAliases[s]; ok {
		return a
	}
	return Loss(s)
}

// ParseLoss returns the loss a name or alias stands for.
func ParseLoss(name string) (Loss, error) {
	l := normLoss(Loss(name))
	if _, err := l.op(); err != nil {
		return "", err
	}
	return l, nil
}

// DefaultLoss returns the loss a model with the given output activation
// trains with unless told otherwise.
func DefaultLoss(outputActivation string) Loss {
	switch normActivation(outputActivation) {
	case Sigmoid:
		return BinaryCrossEntropy
	case Softmax:
		return CategoricalCrossEntropy
	case Step:
		return PerceptronCriterion
	}
	return MSE
}

// op returns the loss's formula in internal/ops.
func (l Loss) op() (ops.Loss, error) {
	switch normLoss(l) {
	case MSE:
		return ops.MSE, nil
	case MAE:
		return ops.MAE, nil
	case Huber:
		return ops.Huber, nil
	case BinaryCrossEntropy:
		return ops.BinaryCrossEntropy, nil
	case CategoricalCrossEntropy:
		return ops.CategoricalCrossEntropy, nil
	case PerceptronCriterion:
		return ops.Perceptron, nil
	}
	names := make([]string, len(LossNames))
	for i, n := range LossNames {
		names[i] = string(n)
	}
	return 0, fmt.Errorf("unknown loss %q (want one of %s)", l, strings.Join(names, ", "))
}

// EncodeTargets writes the targets of a batch, rows of TargetWidth values
// as a data set holds them (class indices for a classifier), into dst in
// the form the loss takes: one-hot rows of Units values for categorical
// cross-entropy, standardised values for a regression model with a
// TargetScale, the values themselves otherwise.
func EncodeTargets[T float32 | float64](spec Spec, y []float32, dst []T) {
	if spec.lossOrDefault() == CategoricalCrossEntropy {
		units := spec.Units()
		clear(dst)
		for i, c := range y {
			dst[i*units+int(c)] = 1
		}
		return
	}
	if ts := spec.TargetScale; ts != nil && spec.Task() == Regression {
		u := len(ts.Mean)
		for i, v := range y {
			dst[i] = T((float64(v) - ts.Mean[i%u]) / ts.Std[i%u])
		}
		return
	}
	for i, v := range y {
		dst[i] = T(v)
	}
}

// SampleLosses returns the loss of each sample from the model's logits
// (Units values per sample, as Logits returns them) and the samples'
// targets (TargetWidth values each, as a data set holds them): the
// formula the training graph computes.
func SampleLosses(spec Spec, logits, targets []float32) ([]float64, error) {
	o, err := spec.objective()
	if err != nil {
		return nil, err
	}
	u, tw := spec.Units(), spec.TargetWidth()
	if u == 0 || len(logits)%u != 0 || len(targets)*u != len(logits)*tw {
		return nil, fmt.Errorf("models: %d logits and %d targets do not make whole samples of %d and %d values", len(logits), len(targets), u, tw)
	}
	n := len(logits) / u
	out := make([]float64, n)
	enc := make([]float32, u)
	for i := range out {
		EncodeTargets(spec, targets[i*tw:(i+1)*tw], enc)
		out[i] = o.SampleLoss(logits[i*u:(i+1)*u], enc)
	}
	return out, nil
}
