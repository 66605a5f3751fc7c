package main

import (
	"fmt"
	"path/filepath"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/plots"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// writePlots draws the run's pictures into its directory: the loss and
// the task's metric over the epochs, the decision regions (2-D
// classification) or the fitted curve (1-D regression), and the confusion
// matrix of a classifier on the test data (or the validation data, or the
// training data, whichever is the most held-out). A picture that cannot be
// drawn or saved is a warning, and the others are still drawn.
func (o *runOutput) writePlots() {
	marker := 0
	if o.es != nil && o.es.BestEpoch > 0 && o.es.StoppedEpoch > 0 {
		marker = o.es.BestEpoch
	}
	train := o.d.train
	metric := "accuracy"
	switch o.m.Spec().Task() {
	case models.Regression:
		metric = "mae"
	case models.Reconstruction:
		metric = "mse"
	}
	o.plot("loss.png", func() (*plot.Plot, error) { return plots.History(o.hist, "loss", marker) })
	o.plot(metric+".png", func() (*plot.Plot, error) { return plots.History(o.hist, metric, marker) })
	if o.m.Spec().Task() == models.Reconstruction {
		o.writeGenerativePlots()
		return
	}
	switch {
	case train.IsClassification() && train.Dim() == 2:
		o.plot("decision_regions.png", func() (*plot.Plot, error) { return plots.DecisionRegions(o.m, train, 0) })
	case !train.IsClassification() && train.Dim() == 1 && train.TargetDim() == 1:
		o.plot("regression_fit.png", func() (*plot.Plot, error) {
			return plots.RegressionFit(train, []plots.Fit{{Name: o.c.Model, Model: o.m}})
		})
	}
	if !train.IsClassification() && o.m.Spec().Task() == models.Regression {
		d, name := heldOut(o.d)
		for j := range min(d.TargetDim(), 8) {
			file := "predicted_vs_true.png"
			if d.TargetDim() > 1 {
				file = fmt.Sprintf("predicted_vs_true_%d.png", j+1)
			}
			o.plot(file, func() (*plot.Plot, error) {
				p, err := plots.PredictedVsTrue(o.m, d, j)
				if err != nil {
					return nil, err
				}
				p.Title.Text = fmt.Sprintf("%s (%s data)", p.Title.Text, name)
				return p, nil
			})
		}
	}
	if !train.IsClassification() {
		return
	}
	if n := len(train.Classes); n > maxConfusionClasses {
		o.log.Infof("confusion_matrix.png is not drawn: %d classes are more than the %d a picture shows readably", n, maxConfusionClasses)
		return
	}
	o.plot("confusion_matrix.png", func() (*plot.Plot, error) {
		d, name := heldOut(o.d)
		predicted, err := o.m.PredictClasses(d.X)
		if err != nil {
			return nil, err
		}
		counts, err := plots.ConfusionCounts(d, predicted)
		if err != nil {
			return nil, err
		}
		p, err := plots.ConfusionMatrix(counts, d.Classes)
		if err != nil {
			return nil, err
		}
		p.Title.Text = fmt.Sprintf("%s (%s data)", p.Title.Text, name)
		return p, nil
	})
}

// heldOut returns the most held-out labelled data of the run.
func heldOut(d *runData) (*datasets.Dataset, string) {
	switch {
	case d.test != nil:
		return d.test, "test"
	case d.val != nil:
		return d.val, "validation"
	}
	return d.train, "training"
}

// maxConfusionClasses is the most classes a confusion matrix is drawn
// for; beyond 20, the picture grows with the classes to keep its cells
// readable.
const maxConfusionClasses = 100

// plot draws one picture into the run directory and records its name; a
// failure is logged as a warning.
func (o *runOutput) plot(name string, draw func() (*plot.Plot, error)) {
	p, err := draw()
	if err == nil {
		w, h := 6*vg.Inch, 4*vg.Inch
		if name == "confusion_matrix.png" {
			side := max(6, 2+0.25*float64(len(o.d.train.Classes)))
			w, h = vg.Length(side)*vg.Inch, vg.Length(side)*vg.Inch
		}
		err = plots.Save(p, filepath.Join(o.dir, name), w, h)
	}
	if err != nil {
		o.log.Warnf("%s is not drawn: %v (the model and its metrics are saved)", name, err)
		return
	}
	o.plots = append(o.plots, name)
}
