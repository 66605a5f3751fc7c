package plots

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// curve1DPoints is the number of points at which Curve1D draws f.
const curve1DPoints = 400

// Curve1D returns the graph of f over xRange ([min, max]) with the paths
// drawn on it as lines through dots, each in its own colour and starting
// with a larger dot (a Marker path as crosses): the one-dimensional
// counterpart of Contours, such as a loss L(w) of one weight with the
// points (w, L(w)) gradient descent visits. The axes span xRange and the
// values of f over it, so that plots of the same f with different paths
// compare; path points outside are clipped. The axes are labelled "w" and
// "L(w)"; set p.X.Label.Text and p.Y.Label.Text to rename them.
func Curve1D(f func(float64) float64, xRange [2]float64, paths ...Path) (*plot.Plot, error) {
	if f == nil {
		return nil, errors.New("plots: curve: no function")
	}
	if !finite(xRange[0]) || !finite(xRange[1]) || xRange[0] >= xRange[1] {
		return nil, fmt.Errorf("plots: curve: range %v; want finite [min, max] with min < max", xRange)
	}
	s, err := FuncSeries("", f, xRange[0], xRange[1], curve1DPoints)
	if err != nil {
		return nil, fmt.Errorf("plots: curve: %w", err)
	}
	pts, err := s.points(false)
	if err != nil {
		return nil, fmt.Errorf("plots: curve: %w", err)
	}
	if len(pts) == 0 {
		return nil, errors.New("plots: curve: f has no finite value over the range")
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, pt := range pts {
		lo, hi = math.Min(lo, pt.Y), math.Max(hi, pt.Y)
	}
	if !(hi > lo) {
		lo, hi = lo-1, hi+1
	}
	p := newPlot("", "w", "L(w)")
	addGrid(p)
	line := &plotter.Line{XYs: pts, LineStyle: lineStyle(7, false)} // grey: the paths take the palette's colours
	line.LineStyle.Width = 2
	p.Add(line)
	if err := addPaths(p, paths); err != nil {
		return nil, fmt.Errorf("plots: curve: %w", err)
	}
	pad := (hi - lo) * 0.04
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xRange[0], xRange[1], lo-pad, hi+pad
	placeLegend(p)
	return p, nil
}

// ShareY gives the plots one y range, the union of theirs, so that panels
// side by side compare; call it once their data is added.
func ShareY(plots ...*plot.Plot) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range plots {
		lo, hi = math.Min(lo, p.Y.Min), math.Max(hi, p.Y.Max)
	}
	for _, p := range plots {
		p.Y.Min, p.Y.Max = lo, hi
	}
}
