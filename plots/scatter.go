package plots

import (
	"errors"
	"fmt"
	"image"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/dlgo/dlgo/datasets"
)

// Classifier predicts a class index for each sample of x (row-major, the
// model's input width per sample). *models.Model implements it.
type Classifier interface {
	PredictClasses(x []float32) ([]int, error)
}

// Regressor predicts the targets of each sample of x (row-major, the
// model's input width per sample). *models.Model implements it.
type Regressor interface {
	Predict(x []float32) ([]float32, error)
}

// Fit is a regression model to draw, with the name of its curve.
type Fit struct {
	// Name labels the model's curve in the legend.
	Name string
	// Model is the model to draw.
	Model Regressor
}

// DefaultResolution is the number of grid cells per axis with which
// DecisionRegions colours the plane when given resolution 0.
const DefaultResolution = 200

// maxResolution is the largest resolution DecisionRegions accepts.
const maxResolution = 1000

// fitPoints is the number of points on each curve of RegressionFit.
const fitPoints = 200

// margin is the fraction of the data's extent added on every side of the
// box DecisionRegions colours and RegressionFit draws its curves over.
const margin = 0.1

// Scatter returns a scatter plot of d. For 2-D classification data (two
// features, class labels) the points are coloured by class with the class
// names in the legend; for 1-D regression data (one feature, one target)
// it plots the target over the feature. Samples with a NaN or infinite
// value are skipped.
func Scatter(d *datasets.Dataset) (*plot.Plot, error) {
	if err := checkDataset(d); err != nil {
		return nil, fmt.Errorf("plots: scatter: %w", err)
	}
	switch {
	case isPlane(d):
		byClass, err := classPoints(d)
		if err != nil {
			return nil, fmt.Errorf("plots: scatter: %w", err)
		}
		p := newPlot(d.Name, featureName(d, 0), featureName(d, 1))
		addClassPoints(p, byClass, d.Classes)
		placeLegend(p)
		return p, nil
	case isLine(d):
		p, _, err := regressionPoints(d)
		if err != nil {
			return nil, fmt.Errorf("plots: scatter: %w", err)
		}
		return p, nil
	}
	return nil, fmt.Errorf("plots: scatter: %s", shapeError(d))
}

// DecisionRegions returns the plane coloured by the class c predicts at
// each point, over the bounding box of d's points plus a margin, with the
// points of d on top: each class in its colour, a lighter shade for its
// region. resolution is the number of grid cells per axis (0 means
// DefaultResolution; at most 1000); c is called once, on all the cells'
// centres. d must be 2-D classification data, and c must predict class
// indices of d.Classes. Samples with a NaN or infinite value are skipped.
func DecisionRegions(c Classifier, d *datasets.Dataset, resolution int) (*plot.Plot, error) {
	if c == nil {
		return nil, errors.New("plots: decision regions: no classifier")
	}
	if resolution == 0 {
		resolution = DefaultResolution
	}
	if resolution < 2 || resolution > maxResolution {
		return nil, fmt.Errorf("plots: decision regions: resolution %d; want 2 to %d", resolution, maxResolution)
	}
	if err := checkDataset(d); err != nil {
		return nil, fmt.Errorf("plots: decision regions: %w", err)
	}
	if !isPlane(d) {
		return nil, fmt.Errorf("plots: decision regions: %s; want 2-D classification data", shapeError(d))
	}
	byClass, err := classPoints(d)
	if err != nil {
		return nil, fmt.Errorf("plots: decision regions: %w", err)
	}
	box, err := boundingBox(byClass)
	if err != nil {
		return nil, fmt.Errorf("plots: decision regions: %w", err)
	}
	img, err := regionImage(c, box, resolution, len(d.Classes))
	if err != nil {
		return nil, fmt.Errorf("plots: decision regions: %w", err)
	}
	p := newPlot(d.Name, featureName(d, 0), featureName(d, 1))
	p.Add(plotter.NewImage(img, box.xmin, box.ymin, box.xmax, box.ymax))
	addClassPoints(p, byClass, d.Classes)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = box.xmin, box.xmax, box.ymin, box.ymax
	placeLegend(p)
	return p, nil
}

// RegressionFit returns the points of 1-D regression data d with the
// prediction curve of each fit (several network widths, say) over the
// data's x range widened by 10% on each side, and any extra series (the
// true function, from FuncSeries) as further curves. Each model is called
// once, on 200 evenly spaced inputs, and must return one prediction per
// input. Samples and predictions with a NaN or infinite value are skipped.
func RegressionFit(d *datasets.Dataset, fits []Fit, extra ...Series) (*plot.Plot, error) {
	if err := checkDataset(d); err != nil {
		return nil, fmt.Errorf("plots: regression fit: %w", err)
	}
	if !isLine(d) {
		return nil, fmt.Errorf("plots: regression fit: %s; want 1-D regression data", shapeError(d))
	}
	p, pts, err := regressionPoints(d)
	if err != nil {
		return nil, fmt.Errorf("plots: regression fit: %w", err)
	}
	xmin, xmax := pts[0].X, pts[0].X
	for _, pt := range pts {
		xmin, xmax = math.Min(xmin, pt.X), math.Max(xmax, pt.X)
	}
	lo, hi := widen(xmin, xmax)
	p.Legend.Add("data", &plotter.Scatter{GlyphStyle: pointStyle(0)})
	for i, f := range fits {
		s, err := fitSeries(f, lo, hi)
		if err != nil {
			return nil, fmt.Errorf("plots: regression fit: %w", err)
		}
		if err := addSeries(p, s, i+1); err != nil {
			return nil, fmt.Errorf("plots: regression fit: %w", err)
		}
	}
	for i, s := range extra {
		if err := addSeries(p, s, len(fits)+i+1); err != nil {
			return nil, fmt.Errorf("plots: regression fit: %w", err)
		}
	}
	placeLegend(p)
	return p, nil
}

// addSeries adds s as a curve in colour i.
func addSeries(p *plot.Plot, s Series, i int) error {
	pts, err := s.points(false)
	if err != nil {
		return err
	}
	return addCurve(p, pts, s.Name, lineStyle(i, s.Dashed))
}

// fitSeries evaluates f's model at fitPoints points from lo to hi.
func fitSeries(f Fit, lo, hi float64) (Series, error) {
	if f.Model == nil {
		return Series{}, fmt.Errorf("fit %q has no model", f.Name)
	}
	s := Series{Name: f.Name, X: make([]float64, fitPoints), Y: make([]float64, fitPoints)}
	in := make([]float32, fitPoints)
	for i := range in {
		s.X[i] = lo + (hi-lo)*float64(i)/float64(fitPoints-1)
		in[i] = float32(s.X[i])
	}
	out, err := f.Model.Predict(in)
	if err != nil {
		return Series{}, fmt.Errorf("fit %q: predicting: %w", f.Name, err)
	}
	if len(out) != fitPoints {
		return Series{}, fmt.Errorf("fit %q: %d predictions for %d inputs; want one each", f.Name, len(out), fitPoints)
	}
	for i, y := range out {
		s.Y[i] = float64(y)
	}
	return s, nil
}

// checkDataset checks that d has samples and that its sizes agree.
func checkDataset(d *datasets.Dataset) error {
	if d == nil {
		return errors.New("no data set")
	}
	dim := d.Dim()
	if len(d.Shape) == 0 || dim <= 0 || len(d.X)%dim != 0 {
		return fmt.Errorf("%d feature values do not make whole samples of shape %v", len(d.X), d.Shape)
	}
	if d.Len() == 0 {
		return fmt.Errorf("data set %q: %w", d.Name, datasets.ErrEmpty)
	}
	if d.Y != nil && len(d.Y) != d.Len()*d.TargetDim() {
		return fmt.Errorf("%d target values for %d samples of %d targets", len(d.Y), d.Len(), d.TargetDim())
	}
	return nil
}

// isPlane reports whether d is labelled 2-D classification data.
func isPlane(d *datasets.Dataset) bool {
	return d.IsClassification() && d.IsLabelled() && d.Dim() == 2 && len(d.Classes) > 0
}

// isLine reports whether d is labelled 1-D regression data.
func isLine(d *datasets.Dataset) bool {
	return !d.IsClassification() && d.IsLabelled() && d.Dim() == 1 && d.TargetDim() == 1
}

// shapeError describes d's shape for an error message.
func shapeError(d *datasets.Dataset) string {
	kind := "regression"
	switch {
	case !d.IsLabelled():
		kind = "unlabelled"
	case d.IsClassification():
		kind = "classification"
	}
	return fmt.Sprintf("%s data with %d features and %d targets", kind, d.Dim(), d.TargetDim())
}

// featureName returns the name of feature j of d, or "x1", "x2", ….
func featureName(d *datasets.Dataset, j int) string {
	if j < len(d.Features) && d.Features[j] != "" {
		return d.Features[j]
	}
	return fmt.Sprintf("x%d", j+1)
}

// classPoints returns the finite points of 2-D classification data d,
// grouped by class. It is an error for a label that is not a class index.
func classPoints(d *datasets.Dataset) ([]plotter.XYs, error) {
	byClass := make([]plotter.XYs, len(d.Classes))
	for i := range d.Len() {
		row, y := d.Row(i), float64(d.Y[i])
		x1, x2 := float64(row[0]), float64(row[1])
		if !finite(x1) || !finite(x2) || !finite(y) {
			continue
		}
		k := int(y)
		if float64(k) != y || k < 0 || k >= len(d.Classes) {
			return nil, fmt.Errorf("sample %d has label %v; want a class index in [0, %d)", i, y, len(d.Classes))
		}
		byClass[k] = append(byClass[k], plotter.XY{X: x1, Y: x2})
	}
	return byClass, nil
}

// addClassPoints adds the points of each class in its colour, with a
// legend entry named after the class.
func addClassPoints(p *plot.Plot, byClass []plotter.XYs, classes []string) {
	for k, pts := range byClass {
		fill := &plotter.Scatter{XYs: pts, GlyphStyle: pointStyle(k)}
		ring := &plotter.Scatter{XYs: pts, GlyphStyle: pointOutline(k)}
		if len(pts) > 0 {
			p.Add(fill, ring)
		}
		p.Legend.Add(classes[k], fill, ring)
	}
}

// box is a rectangle of the data plane.
type box struct{ xmin, xmax, ymin, ymax float64 }

// boundingBox returns the bounding box of the points plus the margin. It is
// an error if there are no points.
func boundingBox(byClass []plotter.XYs) (box, error) {
	b := box{math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)}
	for _, pts := range byClass {
		for _, pt := range pts {
			b.xmin, b.xmax = math.Min(b.xmin, pt.X), math.Max(b.xmax, pt.X)
			b.ymin, b.ymax = math.Min(b.ymin, pt.Y), math.Max(b.ymax, pt.Y)
		}
	}
	if b.xmin > b.xmax {
		return box{}, errors.New("no finite points")
	}
	b.xmin, b.xmax = widen(b.xmin, b.xmax)
	b.ymin, b.ymax = widen(b.ymin, b.ymax)
	return b, nil
}

// widen adds the margin on both sides of [lo, hi]; an empty range becomes
// [lo-1, hi+1].
func widen(lo, hi float64) (float64, float64) {
	m := margin * (hi - lo)
	if !(m > 0) || math.IsInf(m, 0) {
		m = 1
	}
	return lo - m, hi + m
}

// regionImage asks c for the class at the centre of each cell of a
// resolution × resolution grid over b and returns the grid as an image,
// row 0 at the top, each class in a light shade of its colour.
func regionImage(c Classifier, b box, resolution, classes int) (image.Image, error) {
	dx := (b.xmax - b.xmin) / float64(resolution)
	dy := (b.ymax - b.ymin) / float64(resolution)
	grid := make([]float32, 0, 2*resolution*resolution)
	for r := range resolution {
		y := b.ymax - (float64(r)+0.5)*dy
		for col := range resolution {
			grid = append(grid, float32(b.xmin+(float64(col)+0.5)*dx), float32(y))
		}
	}
	pred, err := c.PredictClasses(grid)
	if err != nil {
		return nil, fmt.Errorf("predicting the grid: %w", err)
	}
	if len(pred) != resolution*resolution {
		return nil, fmt.Errorf("%d predictions for %d grid points; want one each", len(pred), resolution*resolution)
	}
	img := image.NewRGBA(image.Rect(0, 0, resolution, resolution))
	for i, k := range pred {
		if k < 0 || k >= classes {
			return nil, fmt.Errorf("the classifier predicted class %d; the data has classes 0 to %d", k, classes-1)
		}
		img.SetRGBA(i%resolution, i/resolution, lighten(colorOf(k), regionLightness))
	}
	return img, nil
}

// regressionPoints returns a plot of 1-D regression data d's finite points
// and the points. It is an error if there are none.
func regressionPoints(d *datasets.Dataset) (*plot.Plot, plotter.XYs, error) {
	var pts plotter.XYs
	for i := range d.Len() {
		x, y := float64(d.X[i]), float64(d.Y[i])
		if finite(x) && finite(y) {
			pts = append(pts, plotter.XY{X: x, Y: y})
		}
	}
	if len(pts) == 0 {
		return nil, nil, errors.New("no finite points")
	}
	target := "y"
	if len(d.Targets) > 0 && d.Targets[0] != "" {
		target = d.Targets[0]
	}
	p := newPlot(d.Name, featureName(d, 0), target)
	addGrid(p)
	p.Add(&plotter.Scatter{XYs: pts, GlyphStyle: pointStyle(0)})
	return p, pts, nil
}
