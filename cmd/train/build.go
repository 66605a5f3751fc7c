package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
	"github.com/sirupsen/logrus"
)

// buildModel builds the model c names for the training data, standardising
// tabular features with statistics of the training set only.
func buildModel(c config, d *runData, log *logrus.Logger) (*models.Model, error) {
	if isGenerative(c.Model) {
		return buildGenerative(c, d)
	}
	train := d.train
	opts := []models.Option{models.WithSeed(c.Seed), models.WithDataInfo(train)}
	if c.Standardize && !d.images && c.Data != "mnist" {
		st, err := datasets.FitStandardizer(train)
		if err != nil {
			return nil, fmt.Errorf("standardising: %w", err)
		}
		opts = append(opts, models.WithStandardizer(st))
	}
	if c.Loss != "" {
		l, err := models.ParseLoss(c.Loss)
		if err != nil {
			return nil, fmt.Errorf("-loss: %w", err)
		}
		opts = append(opts, models.WithLoss(l))
	}
	if c.Ops == "gorgonia" {
		opts = append(opts, models.WithGorgoniaOps())
	}
	if d.table != nil {
		opts = append(opts, models.WithTable(d.table))
	}
	if c.isArchitecture() {
		return buildArchitecture(c, d, opts)
	}
	multilabel := isMultiLabel(c, train)
	if d.table != nil {
		d.summary += taskLine(c, d, multilabel)
	} else if multilabel {
		log.Infof("task: multi-label, %d labels (every target column holds 0 or 1; -task regression regresses them instead)", train.TargetDim())
	}
	classifier := c.Model != "linreg" && !(c.Model == "mlp" && !train.IsClassification())
	switch {
	case classifier && !train.IsClassification() && c.isTable():
		return nil, fmt.Errorf("model %s is a classifier, but the target of %s is numeric: use -model linreg or mlp, or -task classification if the numbers are class labels", c.Model, train.Name)
	case classifier && !train.IsClassification():
		return nil, fmt.Errorf("model %s is a classifier, but %s is a regression set: use -model linreg or mlp", c.Model, train.Name)
	case !classifier && train.IsClassification() && c.isTable():
		return nil, fmt.Errorf("model %s predicts numbers, but %s has classes %v: use -model logreg or mlp, or -task regression if the labels are numbers to regress", c.Model, train.Name, train.Classes)
	case !classifier && train.IsClassification():
		return nil, fmt.Errorf("model %s predicts numbers, but %s is a classification set with classes %v: use -model logreg or mlp", c.Model, train.Name, train.Classes)
	}
	in := train.Dim()
	out := models.OutputFor(train)
	if multilabel {
		out = models.MultiLabelOutput(train.TargetDim())
	}
	if c.Output != "" {
		out.Activation = c.Output
	}
	// A regression target is standardised with the training statistics,
	// so that the defaults suit targets of any scale; an output activation
	// other than linear bounds the outputs in the target's own units, so
	// it keeps them.
	if !train.IsClassification() && !multilabel && c.Standardize && isLinear(out.Activation) {
		ts, err := datasets.FitTargetStandardizer(train)
		if err != nil {
			return nil, err
		}
		opts = append(opts, models.WithTargetStandardizer(ts))
	}
	switch c.Model {
	case "perceptron":
		return models.NewPerceptron(in, opts...)
	case "linreg":
		return models.New(models.Spec{Name: "linreg", Input: []int{in},
			Layers: []models.LayerSpec{models.Dense(out.Units, out.Activation)}}, opts...)
	case "logreg":
		return models.NewLogisticRegression(in, len(train.Classes), opts...)
	case "convnet":
		return models.NewConvNet(train.Shape, len(train.Classes), opts...)
	}
	widths, err := parseHidden(c.Hidden)
	if err != nil {
		return nil, err
	}
	hidden := make([]models.Hidden, len(widths))
	for i, w := range widths {
		hidden[i] = models.Hidden{Units: w, Activation: c.Activation, Dropout: c.Dropout}
	}
	return models.NewMLP(in, hidden, out, opts...)
}

// isMultiLabel says whether an MLP on train is a multi-label classifier:
// asked for with -task multilabel or a binary cross-entropy loss, or
// several numeric targets that all hold 0 or 1 unless -task regression.
func isMultiLabel(c config, train *datasets.Dataset) bool {
	if c.Model != "mlp" || train.IsClassification() {
		return false
	}
	switch {
	case c.Task == "multilabel":
		return true
	case c.Task == "regression":
		return false
	}
	if l, err := models.ParseLoss(c.Loss); err == nil && l == models.BinaryCrossEntropy {
		return true
	}
	return train.TargetDim() > 1 && !slices.ContainsFunc(train.Y, func(v float32) bool { return v != 0 && v != 1 })
}

// buildArchitecture builds the model of an architecture file for the
// data: its input shape is the data's, and a last dense layer without
// units gets as many as the data needs (its classes, its targets, or for
// an autoencoder its features).
func buildArchitecture(c config, d *runData, opts []models.Option) (*models.Model, error) {
	a, err := models.LoadArchitecture(c.Model)
	if err != nil {
		return nil, err
	}
	spec := a.Spec(d.train.Shape)
	if n := len(spec.Layers); spec.Layers[n-1].Type == models.LayerDense && spec.Layers[n-1].Units == 0 {
		spec.Layers = slices.Clone(spec.Layers)
		units := d.train.TargetDim()
		switch {
		case spec.Reconstructs():
			units = d.train.Dim()
		case d.train.IsClassification() && len(d.train.Classes) == 2 && spec.Layers[n-1].Activation != models.Softmax:
			units = 1
		case d.train.IsClassification():
			units = len(d.train.Classes)
		}
		spec.Layers[n-1].Units = units
	}
	m, err := models.New(spec, opts...)
	if err != nil {
		return nil, fmt.Errorf("architecture %s: %w", c.Model, err)
	}
	return m, nil
}

// usesImages says whether an architecture takes images: its first layer
// is a convolution, pooling, upsampling or flatten layer.
func usesImages(a models.Architecture) bool {
	if len(a.Layers) == 0 {
		return false
	}
	switch a.Layers[0].Type {
	case models.LayerConv2D, models.LayerConv2DTranspose, models.LayerMaxPool2D, models.LayerAvgPool2D,
		models.LayerUpSample2D, models.LayerFlatten:
		return true
	}
	return false
}

// isLinear says whether an activation name is the identity.
func isLinear(a string) bool {
	switch strings.ToLower(strings.TrimSpace(a)) {
	case "", models.Linear, "identity", "none":
		return true
	}
	return false
}
