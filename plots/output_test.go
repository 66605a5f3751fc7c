package plots

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

func testCurves(t *testing.T) *plot.Plot {
	t.Helper()
	p, err := Curves("t", "x", "y", false, Series{Name: "a", Y: []float64{3, 2, 1}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPNGSize(t *testing.T) {
	p := testCurves(t)
	renderPNG(t, p) // 4in × 3in
	b, err := PNG(p, 5*vg.Inch, 2*vg.Inch)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width != 480 || cfg.Height != 192 {
		t.Errorf("5in × 2in PNG is %d×%d pixels; want 480×192", cfg.Width, cfg.Height)
	}
}

func TestPNGErrors(t *testing.T) {
	p := testCurves(t)
	for _, size := range [][2]vg.Length{{0, testH}, {testW, -1}, {vg.Length(math.NaN()), testH}, {testW, vg.Length(math.Inf(1))}, {1000 * vg.Inch, testH}} {
		if _, err := PNG(p, size[0], size[1]); err == nil {
			t.Errorf("PNG at %v: got no error", size)
		}
	}
	if _, err := PNG(nil, testW, testH); err == nil {
		t.Error("PNG(nil): got no error")
	}
	var nilPlot *plot.Plot
	if _, err := PNG(nilPlot, testW, testH); err == nil {
		t.Error("PNG of a nil *plot.Plot: got no error")
	}
}

func TestPNGRecoversFromPanics(t *testing.T) {
	p := testCurves(t)
	p.Y.Scale = plot.LogScale{} // the data include values <= 0
	p.Y.Min = -1
	_, err := PNG(p, testW, testH)
	wantErr(t, err, "drawing the figure")
}

func TestSave(t *testing.T) {
	dir := t.TempDir()
	p := testCurves(t)
	for _, name := range []string{"a.png", "b.svg", "c.pdf", "D.PNG"} {
		path := filepath.Join(dir, name)
		if err := Save(p, path, testW, testH); err != nil {
			t.Fatalf("Save %s: %v", name, err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) == 0 {
			t.Errorf("%s is empty", name)
		}
		if strings.EqualFold(filepath.Ext(name), ".png") {
			cfg, err := png.DecodeConfig(bytes.NewReader(b))
			if err != nil || cfg.Width != testWPx || cfg.Height != testHPx {
				t.Errorf("%s: %d×%d, %v; want %d×%d", name, cfg.Width, cfg.Height, err, testWPx, testHPx)
			}
		}
	}
	if !bytes.HasPrefix(mustRead(t, filepath.Join(dir, "c.pdf")), []byte("%PDF")) {
		t.Error("c.pdf does not start with %PDF")
	}
	// Overwriting works, and no temporary files are left behind.
	if err := Save(p, filepath.Join(dir, "a.png"), testW, testH); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v; want the 4 saved files only", names)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSaveErrors(t *testing.T) {
	dir := t.TempDir()
	p := testCurves(t)
	for _, name := range []string{"a.jpg", "a.txt", "noext", "a.eps"} {
		wantErr(t, Save(p, filepath.Join(dir, name), testW, testH), "unsupported extension")
	}
	wantErr(t, Save(p, filepath.Join(dir, "a.png"), 0, testH), "figure size")
	if err := Save(p, filepath.Join(dir, "missing", "a.png"), testW, testH); err == nil {
		t.Error("Save into a missing directory: got no error")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed saves left %d files behind", len(entries))
	}
}

func TestPanels(t *testing.T) {
	a, b, c := testCurves(t), testCurves(t), testCurves(t)
	for _, cols := range []int{0, 2, 3, 5} {
		d, err := Panels(cols, a, b, c)
		if err != nil {
			t.Fatal(err)
		}
		renderPNG(t, d)
	}
	// Two panels side by side: each half of the figure shows a curve.
	d, _ := Panels(2, a, b)
	img := renderPNG(t, d)
	for _, half := range []image.Rectangle{image.Rect(0, 0, testWPx/2, testHPx), image.Rect(testWPx/2, 0, testWPx, testHPx)} {
		if countNear(img.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(half), colorOf(0), 10) == 0 {
			t.Errorf("no curve in %v", half)
		}
	}
	_, err := Panels(1)
	wantErr(t, err, "no plots")
	_, err = Panels(1, a, nil)
	wantErr(t, err, "plot 1 is nil")
}

// TestPanelsLongYLabel: a y label longer than the data area is tall must
// not shrink the data area (gonum/plot would, leaving the title floating
// far above the plot), in Panels and in a single plot, and the label is
// the caller's again after drawing.
func TestPanelsLongYLabel(t *testing.T) {
	const long = "log10 of the loss of a diverged model"
	curve := func(label string) *plot.Plot {
		p, err := Curves("lr 0.3", "epoch", label, false, Series{Y: []float64{1, 3, 2}})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// top returns the highest row holding the curve's colour within r.
	top := func(img image.Image, r image.Rectangle) int {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if near(rgba(img, image.Point{X: x, Y: y}), colorOf(0), 10) {
					return y
				}
			}
		}
		t.Fatalf("no curve in %v", r)
		return 0
	}
	short := curve("loss")
	// The label is longer than the data area is tall, shorter than the figure.
	width := short.Y.Label.TextStyle.Width(long)
	if h := dataArea(short).Size().Y; width <= h || width >= testH {
		t.Fatalf("label %v long, data area %v tall, figure %v: want the label between the two", width, h, testH)
	}

	// One plot.
	p := curve(long)
	size := p.Y.Label.TextStyle.Font.Size
	want := top(renderPNG(t, short), image.Rect(0, 0, testWPx, testHPx))
	if got := top(renderPNG(t, p), image.Rect(0, 0, testWPx, testHPx)); got-want > 2 {
		t.Errorf("with a long y label, the curve's top is at row %d; want %d, as with a short label", got, want)
	}
	if p.Y.Label.Text != long || p.Y.Label.TextStyle.Font.Size != size {
		t.Errorf("after drawing, the y label is %q at %v; want %q at %v", p.Y.Label.Text, p.Y.Label.TextStyle.Font.Size, long, size)
	}

	// Two panels: both data areas keep their height.
	halves := []image.Rectangle{image.Rect(0, 0, testWPx/2, testHPx), image.Rect(testWPx/2, 0, testWPx, testHPx)}
	ref, err := Panels(2, curve("loss"), curve("loss"))
	if err != nil {
		t.Fatal(err)
	}
	fig, err := Panels(2, curve("loss"), p)
	if err != nil {
		t.Fatal(err)
	}
	refImg, img := renderPNG(t, ref), renderPNG(t, fig)
	for i, half := range halves {
		if got, want := top(img, half), top(refImg, half); got-want > 2 {
			t.Errorf("panel %d: the curve's top is at row %d; want %d, as without the long label", i, got, want)
		}
	}
	if p.Y.Label.Text != long || p.Y.Label.TextStyle.Font.Size != size {
		t.Errorf("after drawing the panels, the y label is %q at %v; want %q at %v", p.Y.Label.Text, p.Y.Label.TextStyle.Font.Size, long, size)
	}
}

func TestBreakMiddle(t *testing.T) {
	for in, want := range map[string]string{
		"log10 of the training loss": "log10 of the\ntraining loss",
		"a b c":                      "a b\nc",
		"loss":                       "loss",
		"two\nlines":                 "two\nlines",
	} {
		if got := breakMiddle(in); got != want {
			t.Errorf("breakMiddle(%q) = %q; want %q", in, got, want)
		}
	}
}

// TestLogYLabelKeepsDataArea: gonum/plot reserves room for the y label as
// if it were centred on the middle of the value range, near the top of a
// log axis, which pushed the data area down from the title; the label must
// not move the data area.
func TestLogYLabelKeepsDataArea(t *testing.T) {
	loss := []float64{1, 0.1, 0.01, 1e-3, 1e-4, 1e-5, 1e-6}
	curve := func(label string) *plot.Plot {
		p, err := Curves("excess MSE", "epoch", label, true, Series{Y: loss})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	bars := func(label string) *plot.Plot {
		p, err := Bars("gradient norms", label, []string{"a", "b", "c"}, []float64{1e-7, 1e-3, 0.4}, true)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// top returns the highest row holding colour c.
	top := func(img image.Image, c color.RGBA) int {
		for y := range testHPx {
			for x := range testWPx {
				if near(rgba(img, image.Point{X: x, Y: y}), c, 10) {
					return y
				}
			}
		}
		t.Fatal("colour not found")
		return 0
	}
	for name, build := range map[string]func(string) *plot.Plot{"curves": curve, "bars": bars} {
		want := top(renderPNG(t, build("")), colorOf(0))
		if got := top(renderPNG(t, build("excess MSE")), colorOf(0)); got-want > 2 {
			t.Errorf("%s: with a y label the data start at row %d; want %d, as without", name, got, want)
		}
		d, err := Panels(2, build("loss"), build("‖∂L/∂W‖"))
		if err != nil {
			t.Fatal(err)
		}
		ref, err := Panels(2, build(""), build(""))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := top(renderPNG(t, d), colorOf(0)), top(renderPNG(t, ref), colorOf(0)); got-want > 2 {
			t.Errorf("%s panels: with y labels the data start at row %d; want %d, as without", name, got, want)
		}
	}
}
