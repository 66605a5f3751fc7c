package plots

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// contourGrid is the number of grid points per axis at which Contours
// evaluates its function.
const contourGrid = 120

// contourLevels is the number of contour lines Contours draws.
const contourLevels = 14

// Path is a named sequence of points in the plane, such as the parameters
// an optimiser visits.
type Path struct {
	// Name labels the path in the legend; an empty name leaves it out.
	Name string
	// Points are the (x, y) points in order.
	Points [][2]float64
	// Marker draws the points as large black crosses, without a line and
	// without taking a colour: a minimum, say.
	Marker bool
}

// Contours returns the contour lines of f over xRange × yRange (each
// [min, max]) with the paths drawn on top as lines through dots, each in
// its own colour, the first point of each marked by a larger dot (a
// Marker path is drawn as crosses instead). The levels are quantiles of f
// over a grid, so the lines follow f's shape whatever its scale, closer
// together towards its minimum; lower levels are darker, and every other
// level is labelled with its value of f, as near as there is room to
// where it crosses the vertical through the grid's minimum, above the
// minimum if it can be, without covering another label. Non-finite values of f are
// treated as its largest finite value; path points with a NaN or infinite
// coordinate are skipped, and the parts of paths that leave the ranges are
// clipped. The axes are labelled "x" and "y"; set p.X.Label.Text and
// p.Y.Label.Text to name the parameters.
func Contours(f func(x, y float64) float64, xRange, yRange [2]float64, paths ...Path) (*plot.Plot, error) {
	if f == nil {
		return nil, errors.New("plots: contours: no function")
	}
	for _, r := range [][2]float64{xRange, yRange} {
		if !finite(r[0]) || !finite(r[1]) || r[0] >= r[1] {
			return nil, fmt.Errorf("plots: contours: range %v; want finite [min, max] with min < max", r)
		}
	}
	g := newGridXYZ(f, xRange, yRange, contourGrid)
	p := newPlot("", "x", "y")
	if levels := g.levels(contourLevels); len(levels) > 0 {
		p.Add(&contourLines{grid: g, levels: levels, styles: levelStyles(len(levels))})
	}
	if err := addPaths(p, paths); err != nil {
		return nil, fmt.Errorf("plots: contours: %w", err)
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xRange[0], xRange[1], yRange[0], yRange[1]
	placeLegend(p)
	return p, nil
}

// addPaths adds the paths, each in its own colour but the markers.
func addPaths(p *plot.Plot, paths []Path) error {
	i := 0
	for _, path := range paths {
		if err := addPath(p, path, i); err != nil {
			return err
		}
		if !path.Marker {
			i++
		}
	}
	return nil
}

// markerStyle is the cross a Marker path draws at each point.
var markerStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(5), Shape: boldCross{}}

// boldCross is draw.CrossGlyph drawn with a line of 2 points, visible on
// a contour map.
type boldCross struct{}

// DrawGlyph draws the cross at pt.
func (boldCross) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	ls := draw.LineStyle{Color: sty.Color, Width: vg.Points(2)}
	r := sty.Radius * vg.Length(math.Cos(math.Pi/4))
	c.StrokeLine2(ls, pt.X-r, pt.Y-r, pt.X+r, pt.Y+r)
	c.StrokeLine2(ls, pt.X-r, pt.Y+r, pt.X+r, pt.Y-r)
}

// addPath adds the path's line, its dots and a larger dot at its start,
// or the crosses of a marker.
func addPath(p *plot.Plot, path Path, i int) error {
	if len(path.Points) == 0 {
		return fmt.Errorf("path %q has no points", path.Name)
	}
	pts := make(plotter.XYs, 0, len(path.Points))
	for _, pt := range path.Points {
		if finite(pt[0]) && finite(pt[1]) {
			pts = append(pts, plotter.XY{X: pt[0], Y: pt[1]})
		}
	}
	if path.Marker {
		crosses := &plotter.Scatter{XYs: pts, GlyphStyle: markerStyle}
		p.Add(crosses)
		if path.Name != "" {
			p.Legend.Add(path.Name, crosses)
		}
		return nil
	}
	style := lineStyle(i, false)
	line := &plotter.Line{XYs: pts, LineStyle: style}
	dots := &plotter.Scatter{XYs: pts, GlyphStyle: draw.GlyphStyle{Color: style.Color, Radius: vg.Points(1.8), Shape: draw.CircleGlyph{}}}
	if len(pts) > 0 {
		start := &plotter.Scatter{XYs: pts[:1], GlyphStyle: pointOutline(i)}
		start.GlyphStyle.Radius = vg.Points(4)
		p.Add(line, dots, start)
	}
	if path.Name != "" {
		p.Legend.Add(path.Name, line, dots)
	}
	return nil
}

// levelStyles returns n line styles from dark (the lowest level) to light.
func levelStyles(n int) []draw.LineStyle {
	dark, light := color.RGBA{0x1b, 0x2a, 0x49, 0xff}, color.RGBA{0xa8, 0xb8, 0xcc, 0xff}
	styles := make([]draw.LineStyle, n)
	for i := range styles {
		t := 0.0
		if n > 1 {
			t = float64(i) / float64(n-1)
		}
		styles[i] = draw.LineStyle{Color: mixRGBA(dark, light, t), Width: vg.Points(0.8)}
	}
	return styles
}

// mixRGBA returns the colour a fraction t of the way from a to b.
func mixRGBA(a, b color.RGBA, t float64) color.RGBA {
	mix := func(u, v uint8) uint8 { return uint8(math.Round(float64(u) + (float64(v)-float64(u))*t)) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}

// gridXYZ holds a function's values on a regular grid.
type gridXYZ struct {
	xs, ys []float64
	z      []float64 // z[r*len(xs)+c] = f(xs[c], ys[r])
}

// newGridXYZ evaluates f at n × n points spanning the ranges. Non-finite
// values become the largest finite one (or 0 if there is none).
func newGridXYZ(f func(x, y float64) float64, xRange, yRange [2]float64, n int) *gridXYZ {
	g := &gridXYZ{xs: make([]float64, n), ys: make([]float64, n), z: make([]float64, n*n)}
	for i := range n {
		t := float64(i) / float64(n-1)
		g.xs[i] = xRange[0] + t*(xRange[1]-xRange[0])
		g.ys[i] = yRange[0] + t*(yRange[1]-yRange[0])
	}
	top, bad := math.Inf(-1), false
	for r, y := range g.ys {
		for c, x := range g.xs {
			v := f(x, y)
			g.z[r*n+c] = v
			if finite(v) {
				top = math.Max(top, v)
			} else {
				bad = true
			}
		}
	}
	if bad {
		if math.IsInf(top, -1) {
			top = 0
		}
		for i, v := range g.z {
			if !finite(v) {
				g.z[i] = top
			}
		}
	}
	return g
}

// Z returns the value at column c, row r.
func (g *gridXYZ) Z(c, r int) float64 { return g.z[r*len(g.xs)+c] }

// levels returns up to n distinct contour levels at quantiles of the
// values, rounded to two significant digits for their labels, excluding
// the minimum and maximum; none for a constant function. The quantiles
// ((i+1/2)/n)² crowd towards the minimum: for a bowl-shaped loss the
// lines are then about evenly spaced in distance from its centre.
func (g *gridXYZ) levels(n int) []float64 {
	z := slices.Clone(g.z)
	slices.Sort(z)
	var levels []float64
	for i := range n {
		p := (float64(i) + 0.5) / float64(n)
		q := roundSignificant(z[int(float64(len(z)-1)*p*p)], 2)
		if q > z[0] && q < z[len(z)-1] && (len(levels) == 0 || q > levels[len(levels)-1]) {
			levels = append(levels, q)
		}
	}
	return levels
}

// contourLines draws the contour lines of a grid by marching squares,
// segment by segment. (plotter.Contour joins the segments into paths, which
// can take minutes on symmetric functions.)
type contourLines struct {
	grid   *gridXYZ
	levels []float64
	styles []draw.LineStyle
}

// Plot draws the lines of each level, then the labels of every other
// level.
func (cl *contourLines) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	g := cl.grid
	// The vertical through the minimum, where the labels go.
	lowest := 0
	for i, z := range g.z {
		if z < g.z[lowest] {
			lowest = i
		}
	}
	xMin, yMin := g.xs[lowest%len(g.xs)], g.ys[lowest/len(g.xs)]
	type label struct {
		at   []plotter.XY // where it may go, best first
		text string
	}
	var labels []label
	for i, level := range cl.levels {
		var lines [][]vg.Point
		var at []plotter.XY
		for r := range len(g.ys) - 1 {
			for col := range len(g.xs) - 1 {
				for _, s := range g.cellSegments(col, r, level) {
					lines = append(lines, []vg.Point{
						{X: trX(s[0].X), Y: trY(s[0].Y)},
						{X: trX(s[1].X), Y: trY(s[1].Y)},
					})
					at = append(at, plotter.XY{X: (s[0].X + s[1].X) / 2, Y: (s[0].Y + s[1].Y) / 2})
				}
			}
		}
		if len(lines) > 0 {
			c.StrokeLines(cl.styles[i], lines...)
		}
		if len(at) > 0 && i%2 == 0 {
			slices.SortStableFunc(at, func(a, b plotter.XY) int { return labelRank(a, xMin, yMin, g) - labelRank(b, xMin, yMin, g) })
			labels = append(labels, label{at, strconv.FormatFloat(level, 'g', 3, 64)})
		}
	}
	sty := newTextStyle(7)
	sty.Color = color.RGBA{0x1b, 0x2a, 0x49, 0xff}
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	var taken []vg.Rectangle
	for _, l := range labels {
		w, h := sty.Width(l.text)+vg.Points(2), sty.Height(l.text)
		for _, a := range l.at {
			pt := vg.Point{X: trX(a.X), Y: trY(a.Y)}
			box := vg.Rectangle{Min: vg.Point{X: pt.X - w/2, Y: pt.Y - h/2}, Max: vg.Point{X: pt.X + w/2, Y: pt.Y + h/2}}
			if !c.Contains(box.Min) || !c.Contains(box.Max) || slices.ContainsFunc(taken, func(r vg.Rectangle) bool { return overlap(r, box) }) {
				continue
			}
			taken = append(taken, box)
			c.FillPolygon(color.White, []vg.Point{box.Min, {X: box.Max.X, Y: box.Min.Y}, box.Max, {X: box.Min.X, Y: box.Max.Y}})
			c.FillText(sty, pt, l.text)
			break
		}
	}
}

// labelRank orders the places for a level's label, lower first: on the
// vertical through the minimum (xMin, yMin) above it, then further from
// that vertical, measured in grid cells; below the minimum only after
// every place above it.
func labelRank(a plotter.XY, xMin, yMin float64, g *gridXYZ) int {
	cell := (g.xs[len(g.xs)-1] - g.xs[0]) / float64(len(g.xs)-1)
	r := int(math.Round(math.Abs(a.X-xMin) / cell))
	if a.Y <= yMin {
		r += len(g.xs)
	}
	return r
}

// overlap says whether two rectangles overlap.
func overlap(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
}

// cellSegments returns the pieces of the contour at level that cross the
// grid cell with lower left corner (col, r): none, one, or two at a saddle,
// which the value at the cell's centre resolves.
func (g *gridXYZ) cellSegments(col, r int, level float64) [][2]plotter.XY {
	// Corners counter-clockwise from the lower left; edge k joins corner k
	// and corner k+1.
	corners := [4][2]int{{col, r}, {col + 1, r}, {col + 1, r + 1}, {col, r + 1}}
	var z [4]float64
	for k, cr := range corners {
		z[k] = g.Z(cr[0], cr[1])
	}
	var cross [4]*plotter.XY
	n := 0
	for k := range 4 {
		a, b := corners[k], corners[(k+1)%4]
		za, zb := z[k], z[(k+1)%4]
		if (za >= level) == (zb >= level) {
			continue
		}
		t := (level - za) / (zb - za)
		cross[k] = &plotter.XY{
			X: g.xs[a[0]] + t*(g.xs[b[0]]-g.xs[a[0]]),
			Y: g.ys[a[1]] + t*(g.ys[b[1]]-g.ys[a[1]]),
		}
		n++
	}
	switch n {
	case 2:
		var pts []plotter.XY
		for _, p := range cross {
			if p != nil {
				pts = append(pts, *p)
			}
		}
		return [][2]plotter.XY{{pts[0], pts[1]}}
	case 4:
		centre := (z[0] + z[1] + z[2] + z[3]) / 4
		if (centre >= level) == (z[0] >= level) {
			// Corner 0's side joins the centre: cut off corners 1 and 3.
			return [][2]plotter.XY{{*cross[0], *cross[1]}, {*cross[2], *cross[3]}}
		}
		return [][2]plotter.XY{{*cross[3], *cross[0]}, {*cross[1], *cross[2]}}
	}
	return nil
}

// roundSignificant rounds v to the given number of significant digits.
func roundSignificant(v float64, digits int) float64 {
	if v == 0 || !finite(v) {
		return v
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', digits, 64), 64)
	return r
}
