package plots

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
)

// diverging is ColorBrewer's RdBu, from blue (most negative) through white
// (0) to red (most positive).
var diverging = []color.RGBA{
	{0x05, 0x30, 0x61, 0xff}, {0x21, 0x66, 0xac, 0xff}, {0x43, 0x93, 0xc3, 0xff}, {0x92, 0xc5, 0xde, 0xff},
	{0xd1, 0xe5, 0xf0, 0xff}, {0xf7, 0xf7, 0xf7, 0xff}, {0xfd, 0xdb, 0xc7, 0xff}, {0xf4, 0xa5, 0x82, 0xff},
	{0xd6, 0x60, 0x4d, 0xff}, {0xb2, 0x18, 0x2b, 0xff}, {0x67, 0x00, 0x1f, 0xff},
}

// sequential is viridis, from dark purple (0) to yellow (the largest
// value).
var sequential = []color.RGBA{
	{0x44, 0x01, 0x54, 0xff}, {0x48, 0x28, 0x78, 0xff}, {0x3e, 0x49, 0x89, 0xff}, {0x31, 0x68, 0x8e, 0xff},
	{0x26, 0x82, 0x8e, 0xff}, {0x1f, 0x9e, 0x89, 0xff}, {0x35, 0xb7, 0x79, 0xff}, {0x6e, 0xce, 0x58, 0xff},
	{0xb5, 0xde, 0x2b, 0xff}, {0xfd, 0xe7, 0x25, 0xff},
}

// nanColor is the colour of NaN values.
var nanColor = color.RGBA{0x80, 0x80, 0x80, 0xff}

// colorScale maps values in [lo, hi] to the colours of a palette.
type colorScale struct {
	lo, hi  float64
	palette []color.RGBA
}

// newColorScale returns the scale for the values: diverging and symmetric
// about 0 if one is negative, so that white is 0 and equal weights of
// either sign are equally strong; otherwise sequential from 0 to the
// largest value.
func newColorScale(values [][]float32) colorScale {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		for _, x := range v {
			if x := float64(x); finite(x) {
				lo, hi = math.Min(lo, x), math.Max(hi, x)
			}
		}
	}
	switch {
	case math.IsInf(lo, 1): // no finite value
		return colorScale{0, 1, sequential}
	case lo < 0:
		a := math.Max(-lo, hi)
		return colorScale{-a, a, diverging}
	case hi == 0:
		return colorScale{0, 1, sequential}
	}
	return colorScale{0, hi, sequential}
}

// color returns the colour of v, interpolated between the palette's.
func (s colorScale) color(v float64) color.RGBA {
	if math.IsNaN(v) {
		return nanColor
	}
	t := math.Max(0, math.Min(1, (v-s.lo)/(s.hi-s.lo)))
	f := t * float64(len(s.palette)-1)
	i := min(int(f), len(s.palette)-2)
	return mixRGBA(s.palette[i], s.palette[i+1], f-float64(i))
}

// image paints height × width values.
func (s colorScale) image(v []float32, height, width int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for i, x := range v {
		c := s.color(float64(x))
		copy(img.Pix[4*i:4*i+4], []uint8{c.R, c.G, c.B, c.A})
	}
	return img
}

// colorBar draws a colour scale as a vertical bar with round tick labels.
type colorBar struct {
	scale colorScale
	label string
}

// Sizes of a colour bar.
var (
	colorBarGap   = vg.Points(10) // between the tiles and the bar
	colorBarWidth = vg.Points(10)
	colorBarTick  = vg.Points(3)
)

// ticks returns the bar's labelled ticks.
func (b *colorBar) ticks() []plot.Tick {
	var out []plot.Tick
	for _, t := range (roundTicks{}).Ticks(b.scale.lo, b.scale.hi) {
		if !t.IsMinor() {
			out = append(out, t)
		}
	}
	return out
}

// width returns the room the bar takes to the right of the tiles.
func (b *colorBar) width() vg.Length {
	sty := newTextStyle(8)
	w := sty.Width(b.label)
	for _, t := range b.ticks() {
		w = max(w, colorBarWidth+colorBarTick+vg.Points(2)+sty.Width(t.Label))
	}
	return colorBarGap + w + vg.Points(2)
}

// draw draws the bar from top to bottom at the right of the tiles, whose
// right edge is at left.
func (b *colorBar) draw(c draw.Canvas, left, top, bottom vg.Length) {
	sty := newTextStyle(8)
	labelH := sty.Height(b.label) + vg.Points(3)
	if b.label != "" {
		top -= labelH
	}
	if top-bottom < vg.Points(20) {
		return
	}
	x0 := left + colorBarGap
	const steps = 64
	h := (top - bottom) / steps
	for i := range steps {
		v := b.scale.lo + (b.scale.hi-b.scale.lo)*(float64(i)+0.5)/steps
		y := bottom + vg.Length(i)*h
		c.FillPolygon(b.scale.color(v), []vg.Point{{X: x0, Y: y}, {X: x0 + colorBarWidth, Y: y}, {X: x0 + colorBarWidth, Y: y + h + 0.3}, {X: x0, Y: y + h + 0.3}})
	}
	c.StrokeLines(tileBorder, []vg.Point{{X: x0, Y: bottom}, {X: x0 + colorBarWidth, Y: bottom}, {X: x0 + colorBarWidth, Y: top}, {X: x0, Y: top}, {X: x0, Y: bottom}})
	sty.YAlign = draw.YCenter
	for _, t := range b.ticks() {
		y := bottom + (top-bottom)*vg.Length((t.Value-b.scale.lo)/(b.scale.hi-b.scale.lo))
		c.StrokeLine2(draw.LineStyle{Color: color.Black, Width: vg.Points(0.5)}, x0+colorBarWidth, y, x0+colorBarWidth+colorBarTick, y)
		c.FillText(sty, vg.Point{X: x0 + colorBarWidth + colorBarTick + vg.Points(2), Y: y}, t.Label)
	}
	if b.label != "" {
		sty.YAlign = draw.YBottom
		c.FillText(sty, vg.Point{X: x0, Y: top + vg.Points(3)}, b.label)
	}
}

// Heatmaps returns the images as a grid of coloured tiles, cols to a row
// (0 picks a near-square grid), titles[i] above image i (titles may be
// nil), sharing one colour scale shown by a colour bar labelled label:
// diverging (blue, white at 0, red) and symmetric about 0 when some value
// is negative, as for weights or tanh outputs; otherwise sequential from 0
// (dark purple) to the largest value (yellow), as for ReLU activations.
// Each image holds height × width values row-major, top row first; NaN is
// grey.
func Heatmaps(images [][]float32, height, width, cols int, titles []string, label string) (*plot.Plot, error) {
	return heatmaps(&tileGrid{}, images, height, width, cols, titles, label, nil)
}

// heatmaps is Heatmaps, filling in the grid g, on the given colour scale
// (nil: the images' own).
func heatmaps(g *tileGrid, images [][]float32, height, width, cols int, titles []string, label string, scale *colorScale) (*plot.Plot, error) {
	if len(images) == 0 {
		return nil, errors.New("plots: heatmaps: no images")
	}
	if len(images) > maxGridImages {
		return nil, fmt.Errorf("plots: heatmaps: %d images; want at most %d", len(images), maxGridImages)
	}
	if height <= 0 || width <= 0 || height > maxImagePixels/width {
		return nil, fmt.Errorf("plots: heatmaps: image size %d×%d; want positive sizes of at most %d pixels", height, width, maxImagePixels)
	}
	if titles != nil && len(titles) != len(images) {
		return nil, fmt.Errorf("plots: heatmaps: %d titles for %d images", len(titles), len(images))
	}
	if scale == nil {
		s := newColorScale(images)
		scale = &s
	}
	*g = tileGrid{cols: cols, style: newTextStyle(8), bar: &colorBar{scale: *scale, label: label}}
	for i, v := range images {
		if len(v) != height*width {
			return nil, fmt.Errorf("plots: heatmaps: image %d has %d values; want %d×%d = %d", i, len(v), height, width, height*width)
		}
		t := tile{img: scale.image(v, height, width)}
		if titles != nil {
			t.title = titles[i]
		}
		g.tiles = append(g.tiles, t)
	}
	return g.plot(), nil
}

// FilterMaps returns the filters of a convolution kernel of shape
// (filters, channels, height, width) as Heatmaps: one tile per filter (and
// channel), all on one colour scale, white at 0, so that the sign and the
// size of every weight can be read off the colour bar and compared across
// filters. Filters instead stretches each filter to its own grey range.
func FilterMaps(kernel *models.Param, cols int) (*plot.Plot, error) {
	images, err := filterImages(kernel)
	if err != nil {
		return nil, err
	}
	return filterMaps(kernel, images, cols, nil)
}

// FilterMapsShared returns FilterMaps of each kernel, all on one colour
// scale, so that the same colour is the same weight in every plot: the
// filters of one layer before and after training, say.
func FilterMapsShared(cols int, kernels ...*models.Param) ([]*plot.Plot, error) {
	if len(kernels) == 0 {
		return nil, errors.New("plots: filter maps: no kernel")
	}
	all := make([][][]float32, len(kernels))
	var flat [][]float32
	for i, k := range kernels {
		images, err := filterImages(k)
		if err != nil {
			return nil, err
		}
		all[i] = images
		flat = append(flat, images...)
	}
	scale := newColorScale(flat)
	out := make([]*plot.Plot, len(kernels))
	for i, k := range kernels {
		p, err := filterMaps(k, all[i], cols, &scale)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// filterImages returns a kernel's filters, one image per filter and
// channel.
func filterImages(kernel *models.Param) ([][]float32, error) {
	if kernel == nil || kernel.Value == nil {
		return nil, errors.New("plots: filter maps: no kernel")
	}
	shape := kernel.Shape()
	if len(shape) != 4 || shape[0] <= 0 || shape[1] <= 0 || shape[2] <= 0 || shape[3] <= 0 {
		return nil, fmt.Errorf("plots: filter maps: %s has shape %v; want (filters, channels, height, width)", kernel.Name, shape)
	}
	nf, nc, h, w := shape[0], shape[1], shape[2], shape[3]
	if nf*nc > maxGridImages {
		return nil, fmt.Errorf("plots: filter maps: %s holds %d×%d = %d images; want at most %d", kernel.Name, nf, nc, nf*nc, maxGridImages)
	}
	values := kernel.Float64s()
	images := make([][]float32, nf*nc)
	for i := range images {
		images[i] = make([]float32, h*w)
		for j := range images[i] {
			images[i][j] = float32(values[i*h*w+j])
		}
	}
	return images, nil
}

// filterMaps draws a kernel's filter images on the given scale (nil: their
// own).
func filterMaps(kernel *models.Param, images [][]float32, cols int, scale *colorScale) (*plot.Plot, error) {
	shape := kernel.Shape()
	nf, nc, h, w := shape[0], shape[1], shape[2], shape[3]
	if nc > 1 && cols <= 0 {
		cols = nc
	}
	p, err := heatmaps(&tileGrid{}, images, h, w, cols, nil, "weight", scale)
	if err != nil {
		return nil, fmt.Errorf("plots: filter maps: %w", err)
	}
	p.Title.Text = fmt.Sprintf("%s: %d filters of %d×%d", kernel.Name, nf, h, w)
	if nc > 1 {
		p.Title.Text += fmt.Sprintf(" over %d channels", nc)
	}
	return p, nil
}

// FeatureMaps returns what the named layer of m outputs for the single
// sample x, a convolution's or pooling layer's channels, as Heatmaps
// titled with the channel numbers: where in the image each filter
// responds.
func FeatureMaps(m *models.Model, x []float32, layer string, cols int) (*plot.Plot, error) {
	shape := m.LayerShape(layer)
	if shape == nil {
		return nil, fmt.Errorf("plots: feature maps: model %s has no layer %q", m.Name(), layer)
	}
	if len(shape) != 3 {
		return nil, fmt.Errorf("plots: feature maps: layer %s outputs %v per sample; want (channels, height, width)", layer, shape)
	}
	if len(x) != m.InputDim() {
		return nil, fmt.Errorf("plots: feature maps: %d input values; want one sample of %d", len(x), m.InputDim())
	}
	out, err := m.LayerOutputs(x, layer)
	if err != nil {
		return nil, fmt.Errorf("plots: feature maps: %w", err)
	}
	c, h, w := shape[0], shape[1], shape[2]
	images, titles := make([][]float32, c), make([]string, c)
	for k := range c {
		images[k], titles[k] = out[0][k*h*w:(k+1)*h*w], fmt.Sprint(k+1)
	}
	p, err := Heatmaps(images, h, w, cols, titles, "output")
	if err != nil {
		return nil, fmt.Errorf("plots: feature maps: %w", err)
	}
	p.Title.Text = fmt.Sprintf("%s: %d feature maps of %d×%d", layer, c, h, w)
	return p, nil
}

// DefaultUnitResolution is the number of grid points per axis at which
// UnitMaps evaluates the units when given resolution 0.
const DefaultUnitResolution = 64

// UnitMaps returns the output of every unit of the named layer of m over
// the plane of the 2-D data set d (the box around its points that
// DecisionRegions colours), one tile per unit, as the TensorFlow
// Playground shows its neurons: each hidden unit of the first layer
// cuts the plane along a line, and the units of the next layers combine
// those cuts into curved regions. The tiles share one colour scale;
// resolution is the number of points per axis (0 means
// DefaultUnitResolution).
func UnitMaps(m *models.Model, layer string, d *datasets.Dataset, resolution int) (*plot.Plot, error) {
	return unitMaps(&tileGrid{}, m, layer, d, resolution)
}

// unitMaps is UnitMaps, filling in the grid g.
func unitMaps(g *tileGrid, m *models.Model, layer string, d *datasets.Dataset, resolution int) (*plot.Plot, error) {
	if err := checkDataset(d); err != nil {
		return nil, fmt.Errorf("plots: unit maps: %w", err)
	}
	if !isPlane(d) {
		return nil, fmt.Errorf("plots: unit maps: %s; want 2-D classification data", shapeError(d))
	}
	shape := m.LayerShape(layer)
	if shape == nil {
		return nil, fmt.Errorf("plots: unit maps: model %s has no layer %q", m.Name(), layer)
	}
	if len(shape) != 1 {
		return nil, fmt.Errorf("plots: unit maps: layer %s outputs %v per sample; want a vector of units", layer, shape)
	}
	if resolution == 0 {
		resolution = DefaultUnitResolution
	}
	if resolution < 2 || resolution > maxResolution {
		return nil, fmt.Errorf("plots: unit maps: resolution %d; want 2 to %d", resolution, maxResolution)
	}
	byClass, err := classPoints(d)
	if err != nil {
		return nil, fmt.Errorf("plots: unit maps: %w", err)
	}
	b, err := boundingBox(byClass)
	if err != nil {
		return nil, fmt.Errorf("plots: unit maps: %w", err)
	}
	n := resolution
	grid := make([]float32, 0, 2*n*n)
	for r := range n { // top row first
		y := b.ymax - (b.ymax-b.ymin)*(float64(r)+0.5)/float64(n)
		for c := range n {
			x := b.xmin + (b.xmax-b.xmin)*(float64(c)+0.5)/float64(n)
			grid = append(grid, float32(x), float32(y))
		}
	}
	out, err := m.LayerOutputs(grid, layer)
	if err != nil {
		return nil, fmt.Errorf("plots: unit maps: %w", err)
	}
	units := shape[0]
	images, titles := make([][]float32, units), make([]string, units)
	for u := range units {
		images[u] = make([]float32, n*n)
		for i := range images[u] {
			images[u][i] = out[0][i*units+u]
		}
		titles[u] = fmt.Sprintf("unit %d", u+1)
	}
	p, err := heatmaps(g, images, n, n, 0, titles, "output", nil)
	if err != nil {
		return nil, fmt.Errorf("plots: unit maps: %w", err)
	}
	p.Title.Text = fmt.Sprintf("%s: each unit's output over the plane of %s", layer, d.Name)
	return p, nil
}

// HiddenSpace draws the samples of d where the named layer of m, a layer
// of two units, puts them: each sample at its two hidden values (h1, h2),
// coloured by class, over the regions the rest of the network (m.After)
// predicts for every point of that plane. When the layer is the last
// hidden one, the rest is the output layer, a linear model: the boundary
// is a straight line, and the picture shows what end-to-end training does,
// hidden layers that move the data until a line separates the classes.
// resolution is as for DecisionRegions.
func HiddenSpace(m *models.Model, layer string, d *datasets.Dataset, resolution int) (*plot.Plot, error) {
	if err := checkDataset(d); err != nil {
		return nil, fmt.Errorf("plots: hidden space: %w", err)
	}
	if !d.IsClassification() {
		return nil, fmt.Errorf("plots: hidden space: %s has no classes", d.Name)
	}
	shape := m.LayerShape(layer)
	if shape == nil {
		return nil, fmt.Errorf("plots: hidden space: model %s has no layer %q", m.Name(), layer)
	}
	if len(shape) != 1 || shape[0] != 2 {
		return nil, fmt.Errorf("plots: hidden space: layer %s outputs %v per sample; want 2 units, a plane", layer, shape)
	}
	head, err := m.After(layer)
	if err != nil {
		return nil, fmt.Errorf("plots: hidden space: %w", err)
	}
	out, err := m.LayerOutputs(d.X, layer)
	if err != nil {
		return nil, fmt.Errorf("plots: hidden space: %w", err)
	}
	hd := &datasets.Dataset{Name: d.Name + " in " + layer, X: out[0], Shape: []int{2}, Y: d.Y, Classes: d.Classes,
		Features: []string{layer + " unit 1", layer + " unit 2"}}
	p, err := DecisionRegions(head, hd, resolution)
	if err != nil {
		return nil, fmt.Errorf("plots: hidden space: %w", err)
	}
	p.Title.Text = fmt.Sprintf("%s in the space of %s", d.Name, layer)
	return p, nil
}
