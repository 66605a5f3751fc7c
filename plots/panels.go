package plots

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// maxPanels is the most plots Panels lays out.
const maxPanels = 64

// panels is a grid of plots drawn into one figure.
type panels struct {
	grid [][]*plot.Plot
}

// Panels returns a figure of the plots side by side, cols to a row (rows
// filled left to right, top to bottom), for PNG and Save: loss curves of
// several learning rates in separate panels, say. The data areas of the
// panels are aligned and equally sized. cols <= 0 puts all the plots in one
// row. The y labels never squeeze a data area, as gonum/plot lets a long
// label, or any label of a log axis, do: a label longer than its panel's
// data area is tall is drawn on two lines, and smaller if need be. PNG and
// Save treat a single plot the same way. The plots are unchanged after
// drawing.
func Panels(cols int, plots ...*plot.Plot) (Drawer, error) {
	if len(plots) == 0 {
		return nil, errors.New("plots: panels: no plots")
	}
	if len(plots) > maxPanels {
		return nil, fmt.Errorf("plots: panels: %d plots; want at most %d", len(plots), maxPanels)
	}
	for i, p := range plots {
		if p == nil {
			return nil, fmt.Errorf("plots: panels: plot %d is nil", i)
		}
	}
	if cols <= 0 || cols > len(plots) {
		cols = len(plots)
	}
	rows := (len(plots) + cols - 1) / cols
	g := &panels{grid: make([][]*plot.Plot, rows)}
	for r := range g.grid {
		g.grid[r] = make([]*plot.Plot, cols)
		for c := range cols {
			if i := r*cols + c; i < len(plots) {
				g.grid[r][c] = plots[i]
			}
		}
	}
	return g, nil
}

// Draw draws the panels onto c, each y label fitted to its panel (see
// prepareYLabel).
func (g *panels) Draw(c draw.Canvas) {
	canvases, labels, restore := g.layout(c)
	defer restore()
	for r, row := range g.grid {
		for col, p := range row {
			if p != nil {
				p.Draw(canvases[r][col])
				labels[p](canvases[r][col])
			}
		}
	}
}

// layout returns the canvas of each panel on c, with the panels' y labels
// prepared for the heights of their data areas (see prepareYLabel): the
// functions that draw each plot's label, and the one that restores the
// labels.
func (g *panels) layout(c draw.Canvas) (canvases [][]draw.Canvas, labels map[*plot.Plot]func(draw.Canvas), restore func()) {
	pad := vg.Points(10)
	tiles := draw.Tiles{
		Rows: len(g.grid), Cols: len(g.grid[0]),
		PadX: pad, PadY: pad, PadTop: pad / 2, PadBottom: pad / 2, PadLeft: pad / 2, PadRight: pad / 2,
	}
	// A first layout without the y labels gives the height of each data
	// area (a plot may appear in several panels: the smallest counts).
	texts := map[*plot.Plot]string{}
	for _, row := range g.grid {
		for _, p := range row {
			if p != nil {
				if _, seen := texts[p]; !seen {
					texts[p] = p.Y.Label.Text
				}
				p.Y.Label.Text = ""
			}
		}
	}
	room := map[*plot.Plot]vg.Length{}
	for r, row := range plot.Align(g.grid, tiles, c) {
		for col, tile := range row {
			if p := g.grid[r][col]; p != nil {
				h := p.DataCanvas(tile).Size().Y
				if old, seen := room[p]; !seen || h < old {
					room[p] = h
				}
			}
		}
	}
	labels = make(map[*plot.Plot]func(draw.Canvas), len(texts))
	restores := make([]func(), 0, len(texts))
	for p, text := range texts {
		p.Y.Label.Text = text
		var r func()
		labels[p], r = prepareYLabel(p, room[p])
		restores = append(restores, r)
	}
	return plot.Align(g.grid, tiles, c), labels, func() {
		for _, r := range restores {
			r()
		}
	}
}

// minLabelSize is the smallest font size, in points, to which a y label is
// shrunk to fit.
const minLabelSize = 7

// prepareYLabel gets p's y label ready to be drawn beside a data area h
// tall, working around two habits of gonum/plot that leave a plot's title
// floating far above its data area. gonum/plot centres the label on the
// data area but, to make room for it, pretends it is centred on the middle
// of the axis' value range (near the top of a log axis); and it shrinks the
// data area from the top until the label fits.
//
// So a label longer than h is broken into two lines at the space nearest
// its middle, and set smaller if it is still too long (down to
// minLabelSize points); then, for a centred label, p is given blank lines
// in its place, which take the same room beside the axis, and the label is
// drawn by drawLabel, given the canvas p was drawn on, where gonum/plot
// draws it. restore gives p back its label.
func prepareYLabel(p *plot.Plot, h vg.Length) (drawLabel func(draw.Canvas), restore func()) {
	saved := p.Y.Label
	restore = func() { p.Y.Label = saved }
	drawLabel = func(draw.Canvas) {}
	if saved.Text == "" {
		return drawLabel, restore
	}
	label := saved
	if label.TextStyle.Width(label.Text) > h {
		label.Text = breakMiddle(label.Text)
		if w := label.TextStyle.Width(label.Text); w > h {
			label.TextStyle.Font.Size = max(label.TextStyle.Font.Size*h/w, vg.Points(minLabelSize))
		}
	}
	p.Y.Label = label
	if label.Position != draw.PosCenter {
		return drawLabel, restore
	}
	p.Y.Label.Text = strings.Repeat(" \n", strings.Count(label.Text, "\n")) + " "
	drawLabel = func(c draw.Canvas) {
		// As plot.Plot.Draw and its vertical axis place the label.
		da := p.DataCanvas(c)
		style := label.TextStyle
		style.Rotation += math.Pi / 2
		x := c.Min.X + label.TextStyle.Height(label.Text) - label.TextStyle.FontExtents().Descent
		c.FillText(style, vg.Point{X: x, Y: da.Center().Y}, label.Text)
	}
	return drawLabel, restore
}

// breakMiddle replaces the space of a one-line text that is nearest its
// middle by a line break; other texts are returned as they are.
func breakMiddle(text string) string {
	if strings.Contains(text, "\n") {
		return text
	}
	runes := []rune(text)
	best := -1
	for i, r := range runes {
		if r == ' ' && (best < 0 || abs(2*i-len(runes)) < abs(2*best-len(runes))) {
			best = i
		}
	}
	if best < 0 {
		return text
	}
	return string(runes[:best]) + "\n" + string(runes[best+1:])
}

// abs returns the magnitude of n.
func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// fittedPlot draws a plot with its y label prepared as in Panels (see
// prepareYLabel).
type fittedPlot struct{ p *plot.Plot }

// Draw draws the plot onto c.
func (f fittedPlot) Draw(c draw.Canvas) {
	text := f.p.Y.Label.Text
	f.p.Y.Label.Text = ""
	h := f.p.DataCanvas(c).Size().Y
	f.p.Y.Label.Text = text
	drawLabel, restore := prepareYLabel(f.p, h)
	defer restore()
	f.p.Draw(c)
	drawLabel(c)
}
