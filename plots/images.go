package plots

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/dlgo/dlgo/datasets"
)

// maxGridImages is the most images a grid holds.
const maxGridImages = 1024

// maxImagePixels is the most pixels one image of a grid may have.
const maxImagePixels = 1 << 20

// tileGap is the space between the tiles of a grid.
const tileGap = vg.Length(4)

// tileBorder outlines each tile, so that white pixels at its edge stay
// visible against the background.
var tileBorder = draw.LineStyle{Color: color.Gray{Y: 0xa0}, Width: vg.Points(0.5)}

// wrongColor is the colour of the titles of misclassified samples.
var wrongColor = color.RGBA{0xc0, 0x10, 0x10, 0xff}

// ImageGrid returns the images as a grid of grayscale tiles, cols to a row
// (0 picks a near-square grid), with titles[i] above image i (titles may be
// nil; an empty title is left out). Each image holds height × width values
// row-major, 0 drawn black and 1 white, values outside [0, 1] clipped; with
// normalize each image is stretched instead so that its smallest value is
// black and its largest white, as for learned filters with negative
// weights. NaN values are drawn black. The tiles keep their aspect ratio
// whatever the figure's size, and the axes are hidden.
func ImageGrid(images [][]float32, height, width, cols int, titles []string, normalize bool) (*plot.Plot, error) {
	return imageGrid(&tileGrid{}, images, height, width, cols, titles, normalize)
}

// imageGrid is ImageGrid, filling in the grid g.
func imageGrid(g *tileGrid, images [][]float32, height, width, cols int, titles []string, normalize bool) (*plot.Plot, error) {
	if len(images) == 0 {
		return nil, errors.New("plots: image grid: no images")
	}
	if len(images) > maxGridImages {
		return nil, fmt.Errorf("plots: image grid: %d images; want at most %d", len(images), maxGridImages)
	}
	if height <= 0 || width <= 0 || height > maxImagePixels/width {
		return nil, fmt.Errorf("plots: image grid: image size %d×%d; want positive sizes of at most %d pixels", height, width, maxImagePixels)
	}
	if titles != nil && len(titles) != len(images) {
		return nil, fmt.Errorf("plots: image grid: %d titles for %d images", len(titles), len(images))
	}
	*g = tileGrid{cols: cols, style: newTextStyle(8)}
	for i, v := range images {
		if len(v) != height*width {
			return nil, fmt.Errorf("plots: image grid: image %d has %d values; want %d×%d = %d", i, len(v), height, width, height*width)
		}
		t := tile{img: grayImage(v, height, width, normalize)}
		if titles != nil {
			t.title = titles[i]
		}
		g.tiles = append(g.tiles, t)
	}
	return g.plot(), nil
}

// SampleGrid returns the images of the samples idx of the image data set d
// (shape [H, W] or [1, H, W], values in [0, 1]) as a grid, cols to a row
// (0 picks a near-square grid), each titled with its class name. If
// predicted is not nil it holds a predicted class for every sample of d
// (as PredictClasses(d.X) returns them): a misclassified sample is then
// titled "true → predicted" in red.
func SampleGrid(d *datasets.Dataset, idx, predicted []int, cols int) (*plot.Plot, error) {
	return sampleGrid(&tileGrid{}, d, idx, predicted, cols)
}

// sampleGrid is SampleGrid, filling in the grid g.
func sampleGrid(g *tileGrid, d *datasets.Dataset, idx, predicted []int, cols int) (*plot.Plot, error) {
	if err := checkDataset(d); err != nil {
		return nil, fmt.Errorf("plots: sample grid: %w", err)
	}
	h, w, err := imageSize(d.Shape)
	if err != nil {
		return nil, fmt.Errorf("plots: sample grid: %w", err)
	}
	if len(idx) == 0 {
		return nil, errors.New("plots: sample grid: no samples selected")
	}
	if len(idx) > maxGridImages {
		return nil, fmt.Errorf("plots: sample grid: %d samples; want at most %d", len(idx), maxGridImages)
	}
	if predicted != nil && len(predicted) != d.Len() {
		return nil, fmt.Errorf("plots: sample grid: %d predictions for %d samples", len(predicted), d.Len())
	}
	*g = tileGrid{cols: cols, style: newTextStyle(8)}
	for _, i := range idx {
		if i < 0 || i >= d.Len() {
			return nil, fmt.Errorf("plots: sample grid: sample %d outside [0, %d)", i, d.Len())
		}
		t := tile{img: grayImage(d.Row(i), h, w, false)}
		if d.IsClassification() && d.IsLabelled() {
			t.title = className(d, float64(d.Y[i]))
			if predicted != nil && predicted[i] != int(d.Y[i]) {
				t.title += " → " + className(d, float64(predicted[i]))
				t.wrong = true
			}
		}
		g.tiles = append(g.tiles, t)
	}
	return g.plot(), nil
}

// imageSize returns the height and width of grayscale image samples of
// the given shape.
func imageSize(shape []int) (h, w int, err error) {
	switch {
	case len(shape) == 2:
		h, w = shape[0], shape[1]
	case len(shape) == 3 && shape[0] == 1:
		h, w = shape[1], shape[2]
	default:
		return 0, 0, fmt.Errorf("sample shape %v; want grayscale images [H, W] or [1, H, W]", shape)
	}
	if h <= 0 || w <= 0 || h > maxImagePixels/w {
		return 0, 0, fmt.Errorf("image size %d×%d; want positive sizes of at most %d pixels", h, w, maxImagePixels)
	}
	return h, w, nil
}

// className returns the name of class k of d, or k itself if it is not a
// class index.
func className(d *datasets.Dataset, k float64) string {
	if i := int(k); float64(i) == k && i >= 0 && i < len(d.Classes) {
		return d.Classes[i]
	}
	return fmt.Sprint(k)
}

// grayImage converts height × width values to a grayscale image: [0, 1]
// to black … white, clipped; with normalize, the image's own range.
func grayImage(v []float32, height, width int, normalize bool) *image.Gray {
	lo, hi := 0.0, 1.0
	if normalize {
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, x := range v {
			if x := float64(x); finite(x) {
				lo, hi = math.Min(lo, x), math.Max(hi, x)
			}
		}
	}
	img := image.NewGray(image.Rect(0, 0, width, height))
	for i, x := range v {
		t := (float64(x) - lo) / (hi - lo)
		switch {
		case math.IsNaN(float64(x)):
			t = 0
		case !(hi > lo): // a constant image
			t = 0.5
		}
		img.Pix[i] = uint8(math.Round(255 * math.Max(0, math.Min(1, t))))
	}
	return img
}

// tile is one image of a grid, with its title.
type tile struct {
	img   image.Image // *image.Gray or *image.RGBA
	title string
	wrong bool // the title is drawn in red
	// hidden leaves the tile's place empty.
	hidden bool
}

// tileGrid is a plotter that lays out tiles in a grid filling the data
// area, keeping each image's aspect ratio, with a colour bar to the right
// if bar is set.
type tileGrid struct {
	tiles []tile
	cols  int
	style text.Style
	bar   *colorBar
}

// plot returns a plot with hidden axes showing the grid.
func (g *tileGrid) plot() *plot.Plot {
	n := len(g.tiles)
	if g.cols <= 0 {
		g.cols = int(math.Ceil(math.Sqrt(float64(n))))
	}
	g.cols = min(g.cols, n)
	p := newPlot("", "", "")
	p.HideAxes()
	p.X.Padding, p.Y.Padding = 0, 0
	p.Add(g)
	return p
}

// titleHeight returns the height reserved for titles above the tiles: none
// if no tile has one.
func (g *tileGrid) titleHeight() vg.Length {
	for _, t := range g.tiles {
		if t.title != "" {
			return g.style.Height(t.title) + vg.Points(2)
		}
	}
	return 0
}

// layout returns the rectangle of each tile in area: a grid at the top of
// area less a margin, centred across, as large as fits, with room for the titles above the
// tiles. It returns nil if area is too small for any.
func (g *tileGrid) layout(area vg.Rectangle) []vg.Rectangle {
	if g.bar != nil {
		area.Max.X -= g.bar.width()
	}
	area.Min.X += tileGap
	area.Min.Y += tileGap
	area.Max.X -= tileGap
	area.Max.Y -= tileGap
	n := len(g.tiles)
	cols := g.cols
	rows := (n + cols - 1) / cols
	b := g.tiles[0].img.Bounds()
	aspect := vg.Length(b.Dy()) / vg.Length(b.Dx())
	titleH := g.titleHeight()
	size := area.Size()
	tw := (size.X - vg.Length(cols-1)*tileGap) / vg.Length(cols)
	th := (size.Y - vg.Length(rows-1)*tileGap - vg.Length(rows)*titleH) / vg.Length(rows)
	tw = min(tw, th/aspect)
	if tw <= 0 {
		return nil
	}
	th = tw * aspect
	gridW := vg.Length(cols)*tw + vg.Length(cols-1)*tileGap
	left, top := area.Min.X+(size.X-gridW)/2, area.Max.Y
	rects := make([]vg.Rectangle, n)
	for i := range rects {
		x := left + vg.Length(i%cols)*(tw+tileGap)
		y := top - vg.Length(i/cols)*(th+titleH+tileGap) - titleH
		rects[i] = vg.Rectangle{Min: vg.Point{X: x, Y: y - th}, Max: vg.Point{X: x + tw, Y: y}}
	}
	return rects
}

// Plot draws the tiles and their titles.
func (g *tileGrid) Plot(c draw.Canvas, _ *plot.Plot) {
	rects := g.layout(c.Rectangle)
	if rects == nil {
		return
	}
	dpi := float64(DPI)
	if r, ok := c.Canvas.(interface{ DPI() float64 }); ok {
		dpi = r.DPI()
	}
	if g.bar != nil {
		right := rects[0].Max.X
		for _, r := range rects {
			right = max(right, r.Max.X)
		}
		g.bar.draw(c, right, rects[0].Max.Y, rects[len(rects)-1].Min.Y)
	}
	for i, t := range g.tiles {
		if t.hidden {
			continue
		}
		r := rects[i]
		c.DrawImage(r, upscale(t.img, r.Size().X.Dots(dpi)))
		c.StrokeLines(tileBorder, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}, r.Min})
		if t.title == "" {
			continue
		}
		sty := g.style
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YBottom
		if t.wrong {
			sty.Color = wrongColor
		}
		c.FillText(sty, vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: r.Max.Y + vg.Points(1)}, t.title)
	}
}

// upscale enlarges img by an integer factor, repeating pixels, so that it
// is at least px pixels wide (at most 32 times): the renderer smooths
// images when it scales them, which would blur a 3×3 filter into a blob.
func upscale(img image.Image, px float64) image.Image {
	b := img.Bounds()
	k := int(math.Ceil(px / float64(b.Dx())))
	k = max(1, min(k, 32))
	if k == 1 {
		return img
	}
	switch src := img.(type) {
	case *image.Gray:
		out := image.NewGray(image.Rect(0, 0, b.Dx()*k, b.Dy()*k))
		for y := range out.Rect.Dy() {
			in := src.Pix[(y/k)*src.Stride:]
			row := out.Pix[y*out.Stride:]
			for x := range out.Rect.Dx() {
				row[x] = in[x/k]
			}
		}
		return out
	case *image.RGBA:
		out := image.NewRGBA(image.Rect(0, 0, b.Dx()*k, b.Dy()*k))
		for y := range out.Rect.Dy() {
			in := src.Pix[(y/k)*src.Stride:]
			row := out.Pix[y*out.Stride:]
			for x := range out.Rect.Dx() {
				copy(row[4*x:4*x+4], in[4*(x/k):4*(x/k)+4])
			}
		}
		return out
	}
	return img
}
