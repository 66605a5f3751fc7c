package plots

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// barWidth is the width of a bar as a fraction of the category spacing.
const barWidth = 0.7

// Bars returns a bar chart of values, one bar per label, each bar with its
// value written above it (e.g. the gradient norm of each layer, to show
// vanishing gradients). logY draws the y axis on a log scale, where the
// bars rise from a power of ten below the smallest value. NaN or infinite
// values, and values <= 0 on a log scale, get no bar.
func Bars(title, yLabel string, labels []string, values []float64, logY bool) (*plot.Plot, error) {
	if len(values) == 0 {
		return nil, errors.New("plots: bars: no values")
	}
	if len(labels) != len(values) {
		return nil, fmt.Errorf("plots: bars: %d labels for %d values", len(labels), len(values))
	}
	b := &bars{values: values, logY: logY, style: newTextStyle(8)}
	lo, hi, ok := b.span()
	if !ok {
		if logY {
			return nil, errors.New("plots: bars: no finite positive values to draw on a log scale")
		}
		return nil, errors.New("plots: bars: no finite values")
	}
	p := newPlot(title, "", yLabel)
	gr := newGrid()
	gr.Vertical.Width = 0
	p.Add(gr, b)
	p.NominalX(labels...)
	rotateXLabels(p, labels)
	p.X.Min, p.X.Max = -0.5, float64(len(values))-0.5
	if logY {
		setLogY(p)
		p.Y.Min, p.Y.Max = math.Pow(10, math.Floor(math.Log10(lo))), hi*4
	} else {
		pad := 0.12 * (math.Max(hi, 0) - math.Min(lo, 0))
		if pad == 0 {
			pad = 1
		}
		p.Y.Min, p.Y.Max = math.Min(lo, 0), math.Max(hi, 0)+pad
		if lo < 0 {
			p.Y.Min -= pad
		}
	}
	return p, nil
}

// bars draws one bar per value at x = 0, 1, …, from the axis base (0, or
// the bottom of a log axis) to the value, with the value written at its
// end.
type bars struct {
	values []float64
	logY   bool
	style  text.Style
}

// drawn reports whether value v gets a bar.
func (b *bars) drawn(v float64) bool { return finite(v) && (!b.logY || v > 0) }

// span returns the smallest and largest drawn values; ok is false if no
// value is drawn.
func (b *bars) span() (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range b.values {
		if b.drawn(v) {
			lo, hi, ok = math.Min(lo, v), math.Max(hi, v), true
		}
	}
	return lo, hi, ok
}

// Plot draws the bars and their values.
func (b *bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	base := 0.0
	if b.logY {
		base = p.Y.Min
	}
	for i, v := range b.values {
		if !b.drawn(v) {
			continue
		}
		x0, x1 := trX(float64(i)-barWidth/2), trX(float64(i)+barWidth/2)
		y0, y1 := trY(base), trY(v)
		rect := c.ClipPolygonY([]vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
		c.FillPolygon(colorOf(0), rect)
		sty := b.style
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YBottom
		off := vg.Points(2)
		if y1 < y0 {
			sty.YAlign, off = draw.YTop, -off
		}
		c.FillText(sty, vg.Point{X: (x0 + x1) / 2, Y: y1 + off}, strconv.FormatFloat(v, 'g', 3, 64))
	}
}
