package plots

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// tableau10 is the Tableau 10 qualitative palette: distinct, readable
// colours for classes and series.
var tableau10 = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, // blue
	{0xff, 0x7f, 0x0e, 0xff}, // orange
	{0x2c, 0xa0, 0x2c, 0xff}, // green
	{0xd6, 0x27, 0x28, 0xff}, // red
	{0x94, 0x67, 0xbd, 0xff}, // purple
	{0x8c, 0x56, 0x4b, 0xff}, // brown
	{0xe3, 0x77, 0xc2, 0xff}, // pink
	{0x7f, 0x7f, 0x7f, 0xff}, // grey
	{0xbc, 0xbd, 0x22, 0xff}, // olive
	{0x17, 0xbe, 0xcf, 0xff}, // cyan
}

// colorOf returns the colour of class or series i: the Tableau 10 palette,
// repeated after ten.
func colorOf(i int) color.RGBA {
	n := len(tableau10)
	return tableau10[((i%n)+n)%n]
}

// lighten mixes c with white; f = 0 keeps c, f = 1 gives white.
func lighten(c color.RGBA, f float64) color.RGBA {
	mix := func(v uint8) uint8 { return uint8(math.Round(float64(v) + (255-float64(v))*f)) }
	return color.RGBA{mix(c.R), mix(c.G), mix(c.B), 0xff}
}

// darken mixes c with black; f = 0 keeps c, f = 1 gives black.
func darken(c color.RGBA, f float64) color.RGBA {
	mix := func(v uint8) uint8 { return uint8(math.Round(float64(v) * (1 - f))) }
	return color.RGBA{mix(c.R), mix(c.G), mix(c.B), 0xff}
}

// regionLightness is how much decision regions are lightened from their
// class colour.
const regionLightness = 0.72

// sans is the typeface of all text.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// newPlot returns a plot with the package's fonts, a title and axis labels.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, 12)
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 11)
		a.Tick.Label.Font = font.From(sans, 9)
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.X.Tick.Marker, p.Y.Tick.Marker = roundTicks{}, roundTicks{}
	p.Legend.TextStyle.Font = font.From(sans, 10)
	return p
}

// addGrid adds light grid lines behind the data.
func addGrid(p *plot.Plot) { p.Add(newGrid()) }

// newGrid returns light grid lines at the major ticks.
func newGrid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Horizontal.Color = color.Gray{Y: 0xdd}
	g.Vertical.Color = color.Gray{Y: 0xdd}
	return g
}

// newTextStyle returns a text style in the package's typeface at size
// points, black, left and bottom aligned.
func newTextStyle(size vg.Length) text.Style {
	return text.Style{Color: color.Black, Font: font.From(sans, size), Handler: plot.DefaultTextHandler}
}

// lineStyle returns the line style of series i.
func lineStyle(i int, dashed bool) draw.LineStyle {
	s := draw.LineStyle{Color: colorOf(i), Width: vg.Points(1.5)}
	if dashed {
		s.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	}
	return s
}

// pointStyle returns the glyph of class or series i's data points.
func pointStyle(i int) draw.GlyphStyle {
	return draw.GlyphStyle{Color: colorOf(i), Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
}

// pointOutline returns the thin darker ring drawn around pointStyle(i),
// which keeps points visible over a region of their own colour.
func pointOutline(i int) draw.GlyphStyle {
	return draw.GlyphStyle{Color: darken(colorOf(i), 0.45), Radius: vg.Points(2.5), Shape: draw.RingGlyph{}}
}

// legendGap is the space between the data area and a legend to its right;
// legendPad is the space between the legend and the figure's edge.
const (
	legendGap = 8
	legendPad = 4
)

// placeLegend moves the legend to the right of the data area, at the top,
// and reserves room for it there, so that it never covers data. Call it
// after the last legend entry is added.
func placeLegend(p *plot.Plot) {
	p.Legend.Top = true
	p.Legend.Left = false
	p.Legend.XOffs = -legendPad
	w := p.Legend.Rectangle(draw.Canvas{}).Size().X
	if w > 0 {
		p.Add(legendSpace(w + legendGap + legendPad))
	}
}

// legendSpace is an invisible plotter whose glyph box sticks out to the
// right of the data area by its width: plot.Plot pads the data area so
// that glyphs are not clipped, which leaves room for the legend.
type legendSpace vg.Length

// Plot draws nothing.
func (legendSpace) Plot(draw.Canvas, *plot.Plot) {}

// GlyphBoxes returns one box at the right edge of the data area, as wide
// as the space to reserve.
func (s legendSpace) GlyphBoxes(*plot.Plot) []plot.GlyphBox {
	return []plot.GlyphBox{{X: 1, Y: 0.5, Rectangle: vg.Rectangle{Max: vg.Point{X: vg.Length(s)}}}}
}

// rotateXLabels turns the x tick labels by 30 degrees when they would
// likely overlap: many or long names.
func rotateXLabels(p *plot.Plot, names []string) {
	total := 0
	for _, n := range names {
		total += len([]rune(n)) + 1
	}
	if total <= 40 {
		return
	}
	p.X.Tick.Label.Rotation = math.Pi / 6
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
}

// setLogY puts the y axis on a log scale with ticks at powers of ten.
func setLogY(p *plot.Plot) {
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
}

// maxLogLabels is the most powers of ten a log axis labels: over more
// decades, only every k-th one is labelled.
const maxLogLabels = 8

// logTicks marks a log axis: a tick at every power of ten, labelled at
// every k-th one (k the smallest step that leaves at most maxLogLabels
// labels, at exponents divisible by k) and, over at most five decades,
// unlabelled ticks at the multiples 2 to 9 as well, of which 2 and 5 are
// labelled when the range holds at most two powers of ten (0.02, 0.05,
// 0.1, 0.2, 0.5 over [0.015, 0.65]). A range too narrow for two such
// labels gets round linear ticks instead.
type logTicks struct{}

// Ticks returns the ticks within [lo, hi], lo > 0.
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	// The exponents of the powers of ten within [lo, hi]; the tolerance
	// keeps a bound such as 1e-3, whose log is not exact, in range.
	first := int(math.Ceil(math.Log10(lo) - 1e-9))
	last := int(math.Floor(math.Log10(hi) + 1e-9))
	inRange := func(v float64) bool { return v >= lo && v <= hi }
	for first <= last && !inRange(pow10(first)) {
		first++
	}
	for last >= first && !inRange(pow10(last)) {
		last--
	}
	powers := last - first + 1
	step := max(1, (powers+maxLogLabels-1)/maxLogLabels)
	var ticks []plot.Tick
	labels := 0
	for e := first - 1; e <= last; e++ {
		v := pow10(e)
		if e >= first {
			t := plot.Tick{Value: v}
			if e%step == 0 {
				t.Label = logLabel(e)
				labels++
			}
			ticks = append(ticks, t)
		}
		if powers > 6 {
			continue
		}
		for m := 2; m < 10; m++ {
			if u := float64(m) * v; inRange(u) {
				t := plot.Tick{Value: u}
				if powers <= 2 && (m == 2 || m == 5) {
					// Few decades: label 2 and 5 times each power too.
					t.Label = multipleLabel(m, e)
					labels++
				}
				ticks = append(ticks, t)
			}
		}
	}
	if labels < 2 {
		return roundTicks{}.Ticks(lo, hi)
	}
	return ticks
}

// logLabel is the label of 10^e: plain decimals from 0.001 to 1000
// ("0.01", "1", "100"), else "1e-4" or "1e+32".
func logLabel(e int) string {
	if e >= -3 && e <= 3 {
		return strconv.FormatFloat(pow10(e), 'f', -1, 64)
	}
	return fmt.Sprintf("1e%+d", e)
}

// multipleLabel is the label of m·10^e, m from 2 to 9, in the style of
// logLabel: "0.02", "500", "5e+26".
func multipleLabel(m, e int) string {
	if e >= -3 && e <= 2 {
		return strconv.FormatFloat(float64(m)*pow10(e), 'f', max(0, -e), 64)
	}
	return fmt.Sprintf("%de%+d", m, e)
}

// pow10 returns the float64 nearest to 10^e, as the literal 1e<e> is:
// math.Pow10 can be off by one unit in the last place for negative e,
// which puts 1e-30 just outside an axis that starts at 1e-30.
func pow10(e int) float64 {
	v, _ := strconv.ParseFloat("1e"+strconv.Itoa(e), 64)
	return v
}

// maxValue is the largest magnitude drawn: gonum/plot's tick placement
// does not finish for axis ranges that overflow, so larger values are
// skipped like infinities.
const maxValue = 1e100

// finite reports whether v can be drawn: not NaN, and at most maxValue in
// magnitude.
func finite(v float64) bool { return math.Abs(v) <= maxValue }
