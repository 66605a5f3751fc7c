package plots

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// VLine is a vertical reference line across a plot, named in the legend.
type VLine struct {
	Name string
	X    float64
}

// maxBins is the most bins Histogram draws.
const maxBins = 1000

// Histogram returns the histogram of values: the count in each of bins
// equal bins over their range (0 bins means about √n, at most 50), with
// dashed vertical lines at the given values in the colours after the
// bars', named in the legend: the distribution of repeated predictions
// with the deterministic one marked, say. NaN and infinite values are
// skipped; it is an error if none is left.
func Histogram(title, xLabel string, values []float64, bins int, lines ...VLine) (*plot.Plot, error) {
	var v plotter.Values
	for _, x := range values {
		if finite(x) {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return nil, errors.New("plots: histogram: no finite values")
	}
	if bins == 0 {
		bins = min(50, max(1, int(math.Round(math.Sqrt(float64(len(v)))))))
	}
	if bins < 1 || bins > maxBins {
		return nil, fmt.Errorf("plots: histogram: %d bins; want 1 to %d", bins, maxBins)
	}
	h, err := plotter.NewHist(v, bins)
	if err != nil {
		return nil, fmt.Errorf("plots: histogram: %w", err)
	}
	h.FillColor = lighten(colorOf(0), 0.35)
	h.LineStyle = draw.LineStyle{Color: darken(colorOf(0), 0.2), Width: vg.Points(0.5)}
	p := newPlot(title, xLabel, "count")
	addGrid(p)
	p.Add(h)
	for i, l := range lines {
		if !finite(l.X) {
			return nil, fmt.Errorf("plots: histogram: line %q at %v", l.Name, l.X)
		}
		vl := vline{x: l.X, style: draw.LineStyle{Color: colorOf(i + 1), Width: vg.Points(2), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}}
		p.Add(vl)
		if l.Name != "" {
			p.Legend.Add(l.Name, vl)
		}
	}
	p.Y.Min = 0
	placeLegend(p)
	return p, nil
}
