package plots

import (
	"image"
	"image/color"
	"math"
	"testing"
	"time"
)

func bowl(x, y float64) float64 { return x*x + 10*y*y }

func TestContoursWithPaths(t *testing.T) {
	path := Path{Name: "sgd", Points: [][2]float64{{-4, 1.5}, {-3, -1}, {math.NaN(), 0}, {-2, 0.5}, {0, 0}, {40, 40}}}
	p, err := Contours(bowl, [2]float64{-5, 5}, [2]float64{-2, 2}, path, Path{Name: "other", Points: [][2]float64{{1, 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if p.X.Min != -5 || p.X.Max != 5 || p.Y.Min != -2 || p.Y.Max != 2 {
		t.Errorf("axes [%v, %v] × [%v, %v]; want the ranges, paths clipped", p.X.Min, p.X.Max, p.Y.Min, p.Y.Max)
	}
	img := renderPNG(t, p)
	// The path's line passes through the midpoint of its segment (-2, .5)–(0, 0).
	if px := dataPixel(p, -1, 0.25); countNear(subImage(img, px, 1), colorOf(0), 30) == 0 {
		t.Errorf("no pixel of the path's colour near %v", px)
	}
	// Contour lines: the darkest level styles appear near the minimum.
	dark := levelStyles(contourLevels)[0].Color
	if countNear(img, rgbaOf(dark), 30) == 0 {
		t.Error("no contour line of the lowest level")
	}
}

func TestContoursLevelsCrowdTowardsTheMinimum(t *testing.T) {
	g := newGridXYZ(func(x, y float64) float64 { return x*x + y*y }, [2]float64{-1, 1}, [2]float64{-1, 1}, 101)
	levels := g.levels(10)
	if len(levels) < 8 {
		t.Fatalf("%d levels; want about 10", len(levels))
	}
	// For a bowl, the radii sqrt(level) are about evenly spaced.
	first := math.Sqrt(levels[1]) - math.Sqrt(levels[0])
	last := math.Sqrt(levels[len(levels)-1]) - math.Sqrt(levels[len(levels)-2])
	if last < first/2 || last > 2*first {
		t.Errorf("radius steps %.3f at the centre, %.3f at the edge; want about equal", first, last)
	}
}

func TestCellSegments(t *testing.T) {
	g := newGridXYZ(func(x, y float64) float64 { return x }, [2]float64{0, 1}, [2]float64{0, 1}, 2)
	segs := g.cellSegments(0, 0, 0.25)
	if len(segs) != 1 {
		t.Fatalf("%d segments; want 1", len(segs))
	}
	for _, pt := range segs[0] {
		if math.Abs(pt.X-0.25) > 1e-12 {
			t.Errorf("segment point %v; want x = 0.25", pt)
		}
	}
	// A saddle: two segments.
	saddle := newGridXYZ(func(x, y float64) float64 { return (x - 0.5) * (y - 0.5) }, [2]float64{0, 1}, [2]float64{0, 1}, 2)
	if segs := saddle.cellSegments(0, 0, 0.01); len(segs) != 2 {
		t.Errorf("saddle: %d segments; want 2", len(segs))
	}
	if segs := g.cellSegments(0, 0, 2); len(segs) != 0 {
		t.Errorf("level above the cell: %d segments; want none", len(segs))
	}
}

func TestContoursOddFunctions(t *testing.T) {
	start := time.Now()
	for name, f := range map[string]func(x, y float64) float64{
		"constant":  func(x, y float64) float64 { return 1 },
		"nan":       func(x, y float64) float64 { return math.NaN() },
		"some inf":  func(x, y float64) float64 { return 1 / x },
		"symmetric": func(x, y float64) float64 { return math.Abs(x) + math.Abs(y) },
		"huge":      func(x, y float64) float64 { return math.Exp(1000 * x) },
	} {
		p, err := Contours(f, [2]float64{-1, 1}, [2]float64{-1, 1})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		renderPNG(t, p)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestContoursErrors(t *testing.T) {
	_, err := Contours(nil, [2]float64{0, 1}, [2]float64{0, 1})
	wantErr(t, err, "no function")
	for _, r := range [][2]float64{{1, 1}, {2, 1}, {math.NaN(), 1}, {0, math.Inf(1)}} {
		_, err = Contours(bowl, r, [2]float64{0, 1})
		wantErr(t, err, "range")
		_, err = Contours(bowl, [2]float64{0, 1}, r)
		wantErr(t, err, "range")
	}
	_, err = Contours(bowl, [2]float64{0, 1}, [2]float64{0, 1}, Path{Name: "empty"})
	wantErr(t, err, `path "empty" has no points`)
	// A path whose points are all NaN draws nothing but is no error.
	if _, err = Contours(bowl, [2]float64{0, 1}, [2]float64{0, 1}, Path{Name: "nan", Points: [][2]float64{{math.NaN(), 0}}}); err != nil {
		t.Error(err)
	}
}

// A Marker path is drawn as a black cross and takes no colour from the
// paths after it; the levels are round to two digits and every other one
// gets a white label box above the minimum.
func TestContoursMarkerAndLabels(t *testing.T) {
	minimum := Path{Name: "minimum", Points: [][2]float64{{2, -1}}, Marker: true}
	path := Path{Name: "path", Points: [][2]float64{{-4, 1.5}, {-2, 1}}}
	f := func(x, y float64) float64 { return bowl(x-2, y+1) }
	p, err := Contours(f, [2]float64{-5, 5}, [2]float64{-2, 2}, minimum, path)
	if err != nil {
		t.Fatal(err)
	}
	img := renderPNG(t, p)
	if n := countNear(subImage(img, dataPixel(p, 2, -1), 3), color.RGBA{A: 0xff}, 40); n < 5 {
		t.Errorf("%d black pixels at the marker; want a cross", n)
	}
	if px := dataPixel(p, -3, 1.25); countNear(subImage(img, px, 1), colorOf(0), 30) == 0 {
		t.Errorf("the path after the marker is not in the first colour")
	}
	g := newGridXYZ(f, [2]float64{-5, 5}, [2]float64{-2, 2}, contourGrid)
	for _, l := range g.levels(contourLevels) {
		if r := roundSignificant(l, 2); r != l {
			t.Errorf("level %v is not rounded to 2 digits (%v)", l, r)
		}
	}
	// Label boxes: white rectangles on the vertical through the minimum,
	// above it.
	white := 0
	for y := dataPixel(p, 2, 2).Y; y < dataPixel(p, 2, -1).Y-8; y++ {
		if near(rgba(img, image.Point{X: dataPixel(p, 2, 0).X, Y: y}), color.RGBA{0xff, 0xff, 0xff, 0xff}, 2) {
			white++
		}
	}
	if white < 10 {
		t.Errorf("%d white pixels above the minimum; want the label boxes", white)
	}
}

func TestCurve1D(t *testing.T) {
	f := func(w float64) float64 { return (w - 1) * (w - 1) }
	gd := Path{Name: "gd", Points: [][2]float64{{-2, 9}, {0.4, 0.36}, {0.88, 0.0144}}}
	far := Path{Name: "diverging", Points: [][2]float64{{-2, 9}, {7, 36}, {-11, 144}}}
	p, err := Curve1D(f, [2]float64{-2, 4}, gd, far, Path{Name: "minimum", Points: [][2]float64{{1, 0}}, Marker: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.X.Min != -2 || p.X.Max != 4 || p.Y.Min >= 0 || p.Y.Max < 9 || p.Y.Max > 10 {
		t.Errorf("axes [%v, %v] × [%v, %v]; want the range and about [0, 9]: f's values, the far points clipped", p.X.Min, p.X.Max, p.Y.Min, p.Y.Max)
	}
	if p.X.Label.Text != "w" || p.Y.Label.Text != "L(w)" {
		t.Errorf("axis labels %q, %q", p.X.Label.Text, p.Y.Label.Text)
	}
	img := renderPNG(t, p)
	if px := dataPixel(p, -0.8, 4.68); countNear(subImage(img, px, 2), colorOf(0), 40) == 0 {
		t.Errorf("no pixel of the first path's colour on its first step, near %v", px)
	}
	if n := countNear(subImage(img, dataPixel(p, 1, 0), 3), color.RGBA{A: 0xff}, 40); n < 5 {
		t.Errorf("%d black pixels at the minimum's cross", n)
	}
	// The curve itself, grey, at w = 3.
	if px := dataPixel(p, 3, 4); countNear(subImage(img, px, 2), colorOf(7), 40) == 0 {
		t.Errorf("no pixel of the curve near %v", px)
	}
	_, err = Curve1D(nil, [2]float64{0, 1})
	wantErr(t, err, "no function")
	_, err = Curve1D(f, [2]float64{1, 1})
	wantErr(t, err, "range")
	_, err = Curve1D(func(float64) float64 { return math.NaN() }, [2]float64{0, 1})
	wantErr(t, err, "no finite value")
	_, err = Curve1D(f, [2]float64{0, 1}, Path{Name: "empty"})
	wantErr(t, err, `path "empty" has no points`)
}

func TestShareY(t *testing.T) {
	a, _ := Curves("a", "x", "y", false, Series{Y: []float64{1, 2}})
	b, _ := Curves("b", "x", "y", false, Series{Y: []float64{-5, 0}})
	ShareY(a, b)
	if a.Y.Min != -5 || b.Y.Min != -5 || a.Y.Max != 2 || b.Y.Max != 2 {
		t.Errorf("y ranges [%v, %v] and [%v, %v]; want both [-5, 2]", a.Y.Min, a.Y.Max, b.Y.Min, b.Y.Max)
	}
}
