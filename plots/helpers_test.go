package plots

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Sizes of the test figures: 4 × 3 inches, 384 × 288 pixels at 96 dpi.
const (
	testW, testH     = 4 * vg.Inch, 3 * vg.Inch
	testWPx, testHPx = 384, 288
)

// renderPNG renders d with PNG at the test size, decodes the result and
// checks its pixel size.
func renderPNG(t *testing.T, d Drawer) image.Image {
	t.Helper()
	b, err := PNG(d, testW, testH)
	if err != nil {
		t.Fatalf("PNG: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decoding the PNG: %v", err)
	}
	if got := img.Bounds().Size(); got != (image.Point{X: testWPx, Y: testHPx}) {
		t.Fatalf("PNG is %v pixels; want %dx%d", got, testWPx, testHPx)
	}
	return img
}

// dataArea returns p's data canvas when drawn at the test size.
func dataArea(p *plot.Plot) draw.Canvas {
	return p.DataCanvas(draw.New(vgimg.New(testW, testH)))
}

// toPixel maps a point of the test-size canvas to its pixel.
func toPixel(pt vg.Point) image.Point {
	return image.Point{X: int(pt.X.Dots(DPI)), Y: testHPx - 1 - int(pt.Y.Dots(DPI))}
}

// dataPixel returns the pixel at which p draws the data point (x, y).
func dataPixel(p *plot.Plot, x, y float64) image.Point {
	da := dataArea(p)
	trX, trY := p.Transforms(&da)
	return toPixel(vg.Point{X: trX(x), Y: trY(y)})
}

// rgba returns the 8-bit colour of img at pt.
func rgba(img image.Image, pt image.Point) color.RGBA {
	return color.RGBAModel.Convert(img.At(pt.X, pt.Y)).(color.RGBA)
}

// near reports whether two colours differ by at most tol in each channel.
func near(a, b color.RGBA, tol int) bool {
	d := func(u, v uint8) int { return int(math.Abs(float64(u) - float64(v))) }
	return d(a.R, b.R) <= tol && d(a.G, b.G) <= tol && d(a.B, b.B) <= tol
}

// countNear counts the pixels of img within tol of c.
func countNear(img image.Image, c color.RGBA, tol int) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if near(rgba(img, image.Point{X: x, Y: y}), c, tol) {
				n++
			}
		}
	}
	return n
}

// wantErr fails unless err is not nil and mentions want.
func wantErr(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error; want one about %q", want)
	}
	if !bytes.Contains([]byte(err.Error()), []byte(want)) {
		t.Fatalf("error %q does not mention %q", err, want)
	}
}

// subImage returns the square of img within r pixels of pt.
func subImage(img image.Image, pt image.Point, r int) image.Image {
	rect := image.Rect(pt.X-r, pt.Y-r, pt.X+r+1, pt.Y+r+1)
	return img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(rect)
}

// rgbaOf converts c to 8-bit RGBA.
func rgbaOf(c color.Color) color.RGBA { return color.RGBAModel.Convert(c).(color.RGBA) }
