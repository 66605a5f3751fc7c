package playground

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/dlgo/dlgo/models"
)

// Config is one playground setup: the data, the features the network sees,
// the network and its training. Its JSON names are those of the page's URL
// parameters and of the API (POST /api/sessions). Fields left out of a
// JSON document keep their Defaults.
type Config struct {
	// Dataset is one of DatasetNames: circles, xor, blobs, spiral, moons
	// (classification) or plane, gaussians (regression).
	Dataset string `json:"dataset"`
	// Points is the number of points generated, training and test together
	// (at most the server's MaxPoints).
	Points int `json:"points"`
	// Noise is the data's noise: the standard deviation of the Gaussian
	// noise on the points of a classification set before it is scaled to
	// the plane (blobs: their spread is 0.3 + 5·noise), and on the target
	// of a regression set. In [0, 1].
	Noise float64 `json:"noise"`
	// TrainRatio is the fraction of the points used for training, in
	// [0.1, 0.9]; the others are the test points.
	TrainRatio float64 `json:"train_ratio"`
	// Batch is the mini-batch size, from 1 to the number of training points.
	Batch int `json:"batch"`
	// Features are the network's inputs, computed from each point (x1, x2):
	// some of FeatureNames, in any order, each at most once.
	Features []string `json:"features"`
	// Layers are the widths of the hidden layers: up to MaxLayers layers of
	// 1 to MaxNeurons neurons; none is logistic (or linear) regression.
	Layers []int `json:"layers"`
	// Activation is the hidden layers' activation: relu, tanh, sigmoid or
	// linear.
	Activation string `json:"activation"`
	// Optimizer is sgd, momentum or adam (trainers.NewOptimizer).
	Optimizer string `json:"optimizer"`
	// LR is the learning rate, in (0, 10].
	LR float64 `json:"lr"`
	// Regularization is none, l1 (RegRate·Σ|w|) or l2 (RegRate/2·Σw²),
	// over the weights and not the biases.
	Regularization string `json:"regularization"`
	// RegRate is the penalty's coefficient λ, in [0, 10].
	RegRate float64 `json:"reg_rate"`
	// Dropout is the dropout rate after every hidden layer, in [0, 0.9].
	Dropout float64 `json:"dropout"`
	// Seed seeds the data, the initial weights, the shuffling and the
	// dropout masks: the same configuration gives the same run.
	Seed int64 `json:"seed"`
}

// Sizes of the network the page draws: at most MaxLayers hidden layers of
// MaxNeurons each.
const (
	MaxLayers  = 6
	MaxNeurons = 8
)

// Defaults returns the TensorFlow Playground's starting setup: circles,
// 500 points half for training, two hidden layers of 4 and 2 tanh neurons,
// plain SGD at 0.03 in batches of 10, no regularisation.
func Defaults() Config {
	return Config{Dataset: "circles", Points: 500, Noise: 0.1, TrainRatio: 0.5, Batch: 10,
		Features: []string{"x1", "x2"}, Layers: []int{4, 2}, Activation: models.Tanh,
		Optimizer: "sgd", LR: 0.03, Regularization: "none", Seed: 1}
}

// Activations the page offers for the hidden layers.
var activationNames = []string{models.ReLU, models.Tanh, models.Sigmoid, models.Linear}

// Optimisers the page offers.
var optimizerNames = []string{"sgd", "momentum", "adam"}

// Regularisation choices.
var regularizationNames = []string{"none", "l1", "l2"}

// DecodeConfig reads a configuration from JSON: fields left out keep their
// defaults, unknown fields are errors. It validates the result with at
// most maxPoints points.
func DecodeConfig(r io.Reader, maxPoints int) (Config, error) {
	c := Defaults()
	data, err := io.ReadAll(r)
	if err != nil {
		return c, fmt.Errorf("playground: reading the configuration: %w", err)
	}
	if len(bytes.TrimSpace(data)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return c, fmt.Errorf("playground: configuration: %w", err)
		}
		if dec.More() {
			return c, errors.New("playground: configuration: more than one JSON value")
		}
	}
	return c, c.Validate(maxPoints)
}

// Validate reports the first setting out of range, naming its field, for
// a playground that allows at most maxPoints points.
func (c Config) Validate(maxPoints int) error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("playground: %s: %s", field, fmt.Sprintf(format, args...))
	}
	inRange := func(v, lo, hi float64) bool { return v >= lo && v <= hi }
	if _, ok := datasetByName(c.Dataset); !ok {
		return bad("dataset", "%q is not one of %s", c.Dataset, strings.Join(DatasetNames(), ", "))
	}
	if c.Points < 10 || c.Points > maxPoints {
		return bad("points", "%d is not between 10 and %d", c.Points, maxPoints)
	}
	if !inRange(c.Noise, 0, 1) {
		return bad("noise", "%v is not in [0, 1]", c.Noise)
	}
	if !inRange(c.TrainRatio, 0.1, 0.9) {
		return bad("train_ratio", "%v is not in [0.1, 0.9]", c.TrainRatio)
	}
	if n := c.trainSize(); c.Batch < 1 || c.Batch > n {
		return bad("batch", "%d is not between 1 and the %d training points", c.Batch, n)
	}
	if len(c.Features) == 0 {
		return bad("features", "none chosen; want at least one of %s", strings.Join(FeatureNames(), ", "))
	}
	for i, f := range c.Features {
		if _, ok := featureByName(f); !ok {
			return bad("features", "%q is not one of %s", f, strings.Join(FeatureNames(), ", "))
		}
		if slices.Contains(c.Features[:i], f) {
			return bad("features", "%q is given twice", f)
		}
	}
	if len(c.Layers) > MaxLayers {
		return bad("layers", "%d hidden layers; at most %d", len(c.Layers), MaxLayers)
	}
	for i, w := range c.Layers {
		if w < 1 || w > MaxNeurons {
			return bad("layers", "layer %d has %d neurons; want 1 to %d", i+1, w, MaxNeurons)
		}
	}
	if !slices.Contains(activationNames, c.Activation) {
		return bad("activation", "%q is not one of %s", c.Activation, strings.Join(activationNames, ", "))
	}
	if !slices.Contains(optimizerNames, c.Optimizer) {
		return bad("optimizer", "%q is not one of %s", c.Optimizer, strings.Join(optimizerNames, ", "))
	}
	if !(c.LR > 0 && c.LR <= 10) {
		return bad("lr", "%v is not in (0, 10]", c.LR)
	}
	if !slices.Contains(regularizationNames, c.Regularization) {
		return bad("regularization", "%q is not one of %s", c.Regularization, strings.Join(regularizationNames, ", "))
	}
	if !inRange(c.RegRate, 0, 10) {
		return bad("reg_rate", "%v is not in [0, 10]", c.RegRate)
	}
	if !inRange(c.Dropout, 0, 0.9) {
		return bad("dropout", "%v is not in [0, 0.9]", c.Dropout)
	}
	return nil
}

// trainSize is the number of training points: round(Points·TrainRatio),
// as datasets.Split holds out the test points.
func (c Config) trainSize() int {
	return c.Points - int(math.Round(float64(c.Points)*(1-c.TrainRatio)))
}

// penalties returns the L1 and L2 coefficients.
func (c Config) penalties() (l1, l2 float64) {
	switch c.Regularization {
	case "l1":
		return c.RegRate, 0
	case "l2":
		return 0, c.RegRate
	}
	return 0, 0
}
