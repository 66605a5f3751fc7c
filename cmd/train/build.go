package main

import (
	"fmt"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
)

// buildModel builds the model c names for the training data, standardising
// tabular features with statistics of the training set only.
func buildModel(c config, d *runData) (*models.Model, error) {
	train := d.train
	classifier := c.Model != "linreg" && !(c.Model == "mlp" && !train.IsClassification())
	switch {
	case classifier && !train.IsClassification():
		return nil, fmt.Errorf("model %s is a classifier, but the target of %s is numeric: use -model linreg or mlp, or -task classification if the numbers are class labels", c.Model, train.Name)
	case !classifier && train.IsClassification():
		return nil, fmt.Errorf("model %s predicts numbers, but %s has classes %v: use -model logreg or mlp, or -task regression", c.Model, train.Name, train.Classes)
	}
	opts := []models.Option{models.WithSeed(c.Seed), models.WithDataInfo(train)}
	if c.Standardize && !d.images && c.Data != "mnist" {
		st, err := datasets.FitStandardizer(train)
		if err != nil {
			return nil, fmt.Errorf("standardising: %w", err)
		}
		opts = append(opts, models.WithStandardizer(st))
	}
	in := train.Dim()
	switch c.Model {
	case "perceptron":
		return models.NewPerceptron(in, opts...)
	case "linreg":
		return models.NewLinearRegression(in, train.TargetDim(), opts...)
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
	return models.NewMLP(in, hidden, models.OutputFor(train), opts...)
}
