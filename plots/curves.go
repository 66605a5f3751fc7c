package plots

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/dlgo/dlgo/trainers"
)

// maxMarkedPoints is the most points a curve may have for its points to be
// marked with dots as well as joined by a line.
const maxMarkedPoints = 30

// Series is one named curve of a line plot.
type Series struct {
	// Name labels the curve in the legend; an empty name leaves it out.
	Name string
	// X and Y are the coordinates of the points. A nil X means 1, 2, …,
	// len(Y), as for epochs or steps.
	X, Y []float64
	// Dashed draws the curve dashed, without dots at its points: a
	// reference line or a derivative.
	Dashed bool
}

// maxFuncPoints is the most points FuncSeries samples.
const maxFuncPoints = 100_000

// FuncSeries returns the series of f sampled at n evenly spaced points from
// lo to hi, both included: an activation function or its derivative, or the
// true function behind a regression data set. n must be at least 2.
func FuncSeries(name string, f func(float64) float64, lo, hi float64, n int) (Series, error) {
	switch {
	case f == nil:
		return Series{}, fmt.Errorf("plots: func series %q: no function", name)
	case !finite(lo) || !finite(hi) || lo >= hi:
		return Series{}, fmt.Errorf("plots: func series %q: range [%v, %v]; want finite lo < hi", name, lo, hi)
	case n < 2 || n > maxFuncPoints:
		return Series{}, fmt.Errorf("plots: func series %q: %d points; want 2 to %d", name, n, maxFuncPoints)
	}
	s := Series{Name: name, X: make([]float64, n), Y: make([]float64, n)}
	for i := range n {
		s.X[i] = lo + (hi-lo)*float64(i)/float64(n-1)
		s.Y[i] = f(s.X[i])
	}
	return s, nil
}

// points returns the series' points that can be drawn: finite, and
// positive y on a log scale.
func (s Series) points(logY bool) (plotter.XYs, error) {
	if len(s.Y) == 0 {
		return nil, fmt.Errorf("series %q has no points", s.Name)
	}
	if s.X != nil && len(s.X) != len(s.Y) {
		return nil, fmt.Errorf("series %q has %d x values for %d y values", s.Name, len(s.X), len(s.Y))
	}
	pts := make(plotter.XYs, 0, len(s.Y))
	for i, y := range s.Y {
		x := float64(i + 1)
		if s.X != nil {
			x = s.X[i]
		}
		if finite(x) && finite(y) && (!logY || y > 0) {
			pts = append(pts, plotter.XY{X: x, Y: y})
		}
	}
	return pts, nil
}

// Curves returns a line plot of the series, each in its own colour (the
// Tableau 10 palette in order), with a legend of their names. logY draws
// the y axis on a log scale, for losses that span orders of magnitude. Points
// with a NaN or infinite coordinate, or y <= 0 on a log scale, are skipped
// (the curve joins their neighbours); solid curves with at most 30 points mark
// them with dots.
func Curves(title, xLabel, yLabel string, logY bool, series ...Series) (*plot.Plot, error) {
	p, err := curves(title, xLabel, yLabel, logY, series)
	if err != nil {
		return nil, fmt.Errorf("plots: curves: %w", err)
	}
	placeLegend(p)
	return p, nil
}

// curves builds the plot of Curves without placing the legend.
func curves(title, xLabel, yLabel string, logY bool, series []Series) (*plot.Plot, error) {
	if len(series) == 0 {
		return nil, errors.New("no series")
	}
	p := newPlot(title, xLabel, yLabel)
	addGrid(p)
	drawn := 0
	for i, s := range series {
		pts, err := s.points(logY)
		if err != nil {
			return nil, err
		}
		if err := addCurve(p, pts, s.Name, lineStyle(i, s.Dashed)); err != nil {
			return nil, fmt.Errorf("series %q: %w", s.Name, err)
		}
		drawn += len(pts)
	}
	if drawn == 0 {
		if logY {
			return nil, errors.New("no finite positive values to draw on a log scale")
		}
		return nil, errors.New("no finite values to draw")
	}
	if logY {
		setLogY(p)
	}
	return p, nil
}

// addCurve adds a line through pts and a legend entry for it. A curve
// without points gets only its legend entry.
func addCurve(p *plot.Plot, pts plotter.XYs, name string, style draw.LineStyle) error {
	line := &plotter.Line{XYs: pts, LineStyle: style}
	thumbs := []plot.Thumbnailer{line}
	if len(pts) > 0 {
		p.Add(line)
	}
	if len(pts) > 0 && len(pts) <= maxMarkedPoints && style.Dashes == nil {
		dots, err := plotter.NewScatter(pts)
		if err != nil {
			return err
		}
		dots.GlyphStyle = draw.GlyphStyle{Color: style.Color, Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
		p.Add(dots)
		thumbs = append(thumbs, dots)
	}
	if name != "" {
		p.Legend.Add(name, thumbs...)
	}
	return nil
}

// History returns the training curves of metric ("loss", "accuracy",
// "mse", …) over the epochs of h: the training figure and the validation
// one ("val_"+metric), whichever were recorded. marker > 0 draws a dashed
// vertical line at that epoch, with a legend entry "best epoch N": the
// epoch early stopping restored, say. It is an error if h records neither
// figure, or if marker lies outside the recorded epochs.
func History(h *trainers.History, metric string, marker int) (*plot.Plot, error) {
	if h == nil || len(h.Epochs) == 0 {
		return nil, errors.New("plots: history: no epochs")
	}
	epochs := make([]float64, len(h.Epochs))
	for i, e := range h.Epochs {
		epochs[i] = float64(e.Epoch)
	}
	var series []Series
	// The training figure of an epoch is the running average over its
	// batches, as the weights moved, with dropout on; the validation
	// figure is computed at the epoch's end with dropout off, so it can
	// lie below the training curve.
	for _, s := range []Series{
		{Name: "train (running average over the epoch)", X: epochs, Y: h.Values(metric)},
		{Name: "validation", X: epochs, Y: h.Values("val_" + metric)},
	} {
		if anyFinite(s.Y) {
			series = append(series, s)
		}
	}
	if len(series) == 0 {
		return nil, fmt.Errorf("plots: history: no finite %q or %q values; the history has %s",
			metric, "val_"+metric, strings.Join(h.Names(), ", "))
	}
	p, err := curves(metric, "epoch", metric, false, series)
	if err != nil {
		return nil, fmt.Errorf("plots: history: %w", err)
	}
	p.X.Tick.Marker = roundTicks{integer: true}
	if marker > 0 {
		first, last := h.Epochs[0].Epoch, h.Epochs[len(h.Epochs)-1].Epoch
		if marker < first || marker > last {
			return nil, fmt.Errorf("plots: history: marker at epoch %d outside the epochs %d to %d", marker, first, last)
		}
		v := vline{x: float64(marker), style: draw.LineStyle{
			Color: color.Gray{Y: 0x55}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(2), vg.Points(2)},
		}}
		p.Add(v)
		p.Legend.Add(fmt.Sprintf("best epoch %d", marker), v)
	}
	placeLegend(p)
	return p, nil
}

// anyFinite reports whether some value of v is finite.
func anyFinite(v []float64) bool {
	for _, x := range v {
		if finite(x) {
			return true
		}
	}
	return false
}

// vline is a vertical line across the whole data area at x.
type vline struct {
	x     float64
	style draw.LineStyle
}

// Plot draws the line.
func (v vline) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x := trX(v.x)
	c.StrokeLine2(v.style, x, c.Min.Y, x, c.Max.Y)
}

// DataRange keeps x in the plot's x range; the line spans any y range.
func (v vline) DataRange() (xmin, xmax, ymin, ymax float64) {
	return v.x, v.x, math.Inf(1), math.Inf(-1)
}

// Thumbnail draws the legend icon, a short vertical line.
func (v vline) Thumbnail(c *draw.Canvas) {
	x := c.Center().X
	c.StrokeLine2(v.style, x, c.Min.Y, x, c.Max.Y)
}

// LogX puts the x axis of p on a log scale, with ticks at the powers of
// ten (and at 2 and 5 times them over two decades or less), for x values
// such as layer widths or penalty coefficients that grow by factors. Points
// with x <= 0 cannot be drawn on it; call LogX on a plot without them.
func LogX(p *plot.Plot) {
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = logTicks{}
}
