package plots

import (
	"errors"
	"fmt"

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
// row.
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

// Draw draws the panels onto c.
func (g *panels) Draw(c draw.Canvas) {
	pad := vg.Points(10)
	tiles := draw.Tiles{
		Rows: len(g.grid), Cols: len(g.grid[0]),
		PadX: pad, PadY: pad, PadTop: pad / 2, PadBottom: pad / 2, PadLeft: pad / 2, PadRight: pad / 2,
	}
	canvases := plot.Align(g.grid, tiles, c)
	for r, row := range g.grid {
		for col, p := range row {
			if p != nil {
				p.Draw(canvases[r][col])
			}
		}
	}
}
