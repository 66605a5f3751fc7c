package plots

import (
	"bytes"
	"image"
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
