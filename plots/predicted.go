package plots

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/dlgo/dlgo/datasets"
)

// PredictedVsTrue returns a scatter plot of a regression model's
// predictions of target j against the true values of d, with the diagonal
// on which a perfect model's points lie. It works for any number of
// features, where RegressionFit needs one.
func PredictedVsTrue(m Regressor, d *datasets.Dataset, j int) (*plot.Plot, error) {
	if d == nil || d.IsClassification() || !d.IsLabelled() || d.Len() == 0 {
		return nil, errors.New("plots: predicted vs true: want labelled regression data")
	}
	t := d.TargetDim()
	if j < 0 || j >= t {
		return nil, fmt.Errorf("plots: predicted vs true: target %d of %d", j, t)
	}
	pred, err := m.Predict(d.X)
	if err != nil {
		return nil, fmt.Errorf("plots: predicted vs true: %w", err)
	}
	if len(pred) != d.Len()*t {
		return nil, fmt.Errorf("plots: predicted vs true: %d predictions for %d samples of %d targets", len(pred), d.Len(), t)
	}
	var pts plotter.XYs
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range d.Len() {
		x, y := float64(d.Y[i*t+j]), float64(pred[i*t+j])
		if finite(x) && finite(y) {
			pts = append(pts, plotter.XY{X: x, Y: y})
			lo, hi = min(lo, x, y), max(hi, x, y)
		}
	}
	if len(pts) == 0 {
		return nil, errors.New("plots: predicted vs true: no finite points")
	}
	name := "y"
	if j < len(d.Targets) && d.Targets[j] != "" {
		name = d.Targets[j]
	}
	p := newPlot(fmt.Sprintf("%s: predicted vs true", name), "true "+name, "predicted "+name)
	addGrid(p)
	if hi == lo {
		lo, hi = lo-1, hi+1
	}
	diag, err := plotter.NewLine(plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}})
	if err != nil {
		return nil, fmt.Errorf("plots: predicted vs true: %w", err)
	}
	diag.LineStyle = draw.LineStyle{Color: colorOf(1), Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
	p.Add(diag, &plotter.Scatter{XYs: pts, GlyphStyle: pointStyle(0)})
	p.Legend.Add("predicted = true", diag)
	placeLegend(p)
	return p, nil
}
