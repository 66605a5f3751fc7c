package plots

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/dlgo/dlgo/datasets"
)

// blues is ColorBrewer's sequential Blues palette, light to dark.
var blues = []color.RGBA{
	{0xf7, 0xfb, 0xff, 0xff}, {0xde, 0xeb, 0xf7, 0xff}, {0xc6, 0xdb, 0xef, 0xff},
	{0x9e, 0xca, 0xe1, 0xff}, {0x6b, 0xae, 0xd6, 0xff}, {0x42, 0x92, 0xc6, 0xff},
	{0x21, 0x71, 0xb5, 0xff}, {0x08, 0x51, 0x9c, 0xff}, {0x08, 0x30, 0x6b, 0xff},
}

// maxConfusionClasses is the most classes ConfusionMatrix draws.
const maxConfusionClasses = 100

// ConfusionMatrix returns a heat map of counts, where counts[i][j] is the
// number of samples of true class i predicted as class j: the true class
// on the y axis (the first class at the top), the predicted class on the x
// axis, each cell's count written in it. Larger counts are darker: the
// shade grows with the square root of the count relative to the largest,
// so that a few errors stand out next to a full diagonal. The title gives
// the accuracy. counts must be square, one row per class name, with no
// negative count.
func ConfusionMatrix(counts [][]int, classes []string) (*plot.Plot, error) {
	total, correct, err := checkConfusion(counts, classes)
	if err != nil {
		return nil, fmt.Errorf("plots: confusion matrix: %w", err)
	}
	title := "confusion matrix"
	if total > 0 {
		title = fmt.Sprintf("accuracy %.1f%% (%d of %d)", 100*float64(correct)/float64(total), correct, total)
	}
	p := newPlot(title, "predicted", "true")
	n := len(classes)
	p.Add(&cells{counts: counts, style: newTextStyle(cellFontSize(n))})
	p.NominalX(classes...)
	rotateXLabels(p, classes)
	reversed := slices.Clone(classes)
	slices.Reverse(reversed)
	p.NominalY(reversed...)
	p.X.Min, p.X.Max = -0.5, float64(n)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5
	return p, nil
}

// checkConfusion checks a confusion matrix against its class names and
// returns the total and diagonal counts.
func checkConfusion(counts [][]int, classes []string) (total, correct int, err error) {
	n := len(classes)
	switch {
	case n == 0:
		return 0, 0, errors.New("no classes")
	case n > maxConfusionClasses:
		return 0, 0, fmt.Errorf("%d classes; want at most %d", n, maxConfusionClasses)
	case len(counts) != n:
		return 0, 0, fmt.Errorf("%d rows for %d classes", len(counts), n)
	}
	for i, row := range counts {
		if len(row) != n {
			return 0, 0, fmt.Errorf("row %d has %d counts for %d classes; want a square matrix", i, len(row), n)
		}
		for j, v := range row {
			if v < 0 {
				return 0, 0, fmt.Errorf("count [%d][%d] is %d; want counts >= 0", i, j, v)
			}
			total += v
			if i == j {
				correct += v
			}
		}
	}
	return total, correct, nil
}

// cellFontSize returns the size of the counts' text for n classes.
func cellFontSize(n int) vg.Length {
	switch {
	case n <= 6:
		return 11
	case n <= 12:
		return 8
	default:
		return 6
	}
}

// cellColor returns the shade of a cell with count v when the largest
// count is top: the Blues palette at sqrt(v/top).
func cellColor(v, top int) color.RGBA {
	t := 0.0
	if top > 0 {
		t = math.Sqrt(float64(v) / float64(top))
	}
	x := t * float64(len(blues)-1)
	i := min(int(x), len(blues)-2)
	return mixRGBA(blues[i], blues[i+1], x-float64(i))
}

// cells draws a confusion matrix: row i (true class i) at y = n-1-i,
// column j at x = j.
type cells struct {
	counts [][]int
	style  text.Style
}

// Plot draws the cells and their counts.
func (m *cells) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	n, top := len(m.counts), 0
	for _, row := range m.counts {
		top = max(top, slices.Max(row))
	}
	for i, row := range m.counts {
		y := float64(n - 1 - i)
		for j, v := range row {
			x0, x1 := trX(float64(j)-0.5), trX(float64(j)+0.5)
			y0, y1 := trY(y-0.5), trY(y+0.5)
			fill := cellColor(v, top)
			c.FillPolygon(fill, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
			sty := m.style
			sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
			if luminance(fill) < 0.5 {
				sty.Color = color.White
			}
			c.FillText(sty, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}, strconv.Itoa(v))
		}
	}
}

// luminance returns the relative brightness of c, from 0 (black) to 1.
func luminance(c color.RGBA) float64 {
	return (0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B)) / 255
}

// ConfusionCounts counts, for classification data d and a predicted class
// for each of its samples (as PredictClasses(d.X) returns them), how many
// samples of true class i were predicted as class j: the counts
// ConfusionMatrix draws, with d.Classes as the class names.
func ConfusionCounts(d *datasets.Dataset, predicted []int) ([][]int, error) {
	if err := checkDataset(d); err != nil {
		return nil, fmt.Errorf("plots: confusion counts: %w", err)
	}
	if !d.IsClassification() || !d.IsLabelled() {
		return nil, fmt.Errorf("plots: confusion counts: %s; want labelled classification data", shapeError(d))
	}
	if len(predicted) != d.Len() {
		return nil, fmt.Errorf("plots: confusion counts: %d predictions for %d samples", len(predicted), d.Len())
	}
	n := len(d.Classes)
	counts := make([][]int, n)
	for i := range counts {
		counts[i] = make([]int, n)
	}
	for i, p := range predicted {
		y := float64(d.Y[i])
		if t := int(y); float64(t) != y || t < 0 || t >= n {
			return nil, fmt.Errorf("plots: confusion counts: sample %d has label %v; want a class index in [0, %d)", i, y, n)
		}
		if p < 0 || p >= n {
			return nil, fmt.Errorf("plots: confusion counts: sample %d predicted as class %d; want a class index in [0, %d)", i, p, n)
		}
		counts[int(y)][p]++
	}
	return counts, nil
}
