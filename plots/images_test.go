package plots

import (
	"image"
	"math"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/dlgo/dlgo/datasets"
)

func filled(n int, v float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// tilesOf returns the tile grid a plot of ImageGrid or SampleGrid holds
// and the pixel centres of its tiles at the test size.
func tilesOf(t *testing.T, p *plot.Plot, g *tileGrid) []image.Point {
	t.Helper()
	rects := g.layout(dataArea(p).Rectangle)
	if len(rects) != len(g.tiles) {
		t.Fatalf("%d tile rectangles for %d tiles", len(rects), len(g.tiles))
	}
	var centres []image.Point
	for _, r := range rects {
		centres = append(centres, toPixel(vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: (r.Min.Y + r.Max.Y) / 2}))
	}
	return centres
}

func TestImageGridLightAndDark(t *testing.T) {
	images := [][]float32{filled(16, 1), filled(16, 0), filled(16, 0), filled(16, 0.5)}
	g := &tileGrid{}
	p, err := imageGrid(g, images, 4, 4, 2, []string{"white", "black", "", "grey"}, false)
	if err != nil {
		t.Fatal(err)
	}
	img := renderPNG(t, p)
	centres := tilesOf(t, p, g)
	if centres[0].Y != centres[1].Y || centres[0].X >= centres[1].X || centres[2].Y <= centres[0].Y {
		t.Fatalf("tile centres %v; want two rows of two", centres)
	}
	for i, want := range []uint8{0xff, 0, 0, 0x80} {
		if got := rgba(img, centres[i]); int(got.R)-int(want) > 2 || int(want)-int(got.R) > 2 {
			t.Errorf("tile %d at %v is %v; want grey level %d", i, centres[i], got, want)
		}
	}
}

func TestImageGridNormalize(t *testing.T) {
	// A filter with negative weights: left column -3, right column 5.
	filter := []float32{-3, 5, -3, 5}
	g := &tileGrid{}
	p, err := imageGrid(g, [][]float32{filter}, 2, 2, 0, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	img := renderPNG(t, p)
	r := g.layout(dataArea(p).Rectangle)[0]
	w := r.Size().X
	left := toPixel(vg.Point{X: r.Min.X + w/4, Y: (r.Min.Y + r.Max.Y) / 2})
	right := toPixel(vg.Point{X: r.Max.X - w/4, Y: (r.Min.Y + r.Max.Y) / 2})
	if got := rgba(img, left); got.R > 2 {
		t.Errorf("left half (the minimum) is %v; want black", got)
	}
	if got := rgba(img, right); got.R < 253 {
		t.Errorf("right half (the maximum) is %v; want white", got)
	}
	// The pixels stay sharp: the quarter points are pure black and white.
	if got := grayImage([]float32{0.2, 0.4}, 1, 2, true).Pix; got[0] != 0 || got[1] != 255 {
		t.Errorf("normalised pixels %v; want [0 255]", got)
	}
	if got := grayImage([]float32{-1, 0.5, 2, float32(math.NaN())}, 2, 2, false).Pix; got[0] != 0 || got[1] != 128 || got[2] != 255 || got[3] != 0 {
		t.Errorf("clipped pixels %v; want [0 128 255 0]", got)
	}
	if got := grayImage([]float32{3, 3}, 1, 2, true).Pix; got[0] != 128 {
		t.Errorf("constant image pixels %v; want mid grey", got)
	}
}

func TestImageGridKeepsAspect(t *testing.T) {
	g := &tileGrid{cols: 3}
	for range 5 {
		g.tiles = append(g.tiles, tile{img: image.NewGray(image.Rect(0, 0, 4, 2))})
	}
	for _, area := range []vg.Rectangle{
		{Max: vg.Point{X: 600, Y: 100}}, {Max: vg.Point{X: 100, Y: 600}}, {Max: vg.Point{X: 300, Y: 300}},
	} {
		rects := g.layout(area)
		for _, r := range rects {
			if s := r.Size(); math.Abs(float64(s.X-2*s.Y)) > 1e-9 {
				t.Errorf("area %v: tile %v; want twice as wide as high", area, s)
			}
			if r.Min.X < area.Min.X || r.Max.X > area.Max.X || r.Min.Y < area.Min.Y || r.Max.Y > area.Max.Y {
				t.Errorf("tile %v outside area %v", r, area)
			}
		}
	}
	if g.layout(vg.Rectangle{Max: vg.Point{X: 5, Y: 5}}) != nil {
		t.Error("a tiny area got tiles")
	}
}

func TestImageGridErrors(t *testing.T) {
	img := filled(4, 0)
	for _, tc := range []struct {
		name   string
		images [][]float32
		h, w   int
		titles []string
		want   string
	}{
		{"none", nil, 2, 2, nil, "no images"},
		{"size", [][]float32{img}, 0, 2, nil, "image size 0×2"},
		{"huge", [][]float32{img}, 1 << 20, 2, nil, "image size"},
		{"length", [][]float32{img, filled(3, 0)}, 2, 2, nil, "image 1 has 3 values; want 2×2 = 4"},
		{"titles", [][]float32{img}, 2, 2, []string{"a", "b"}, "2 titles for 1 images"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ImageGrid(tc.images, tc.h, tc.w, 0, tc.titles, false)
			wantErr(t, err, tc.want)
			wantErr(t, err, "plots: image grid: ")
		})
	}
	nan := filled(4, float32(math.NaN()))
	p, err := ImageGrid([][]float32{nan}, 2, 2, 0, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	renderPNG(t, p)
}

func digits(n int) *datasets.Dataset {
	d := &datasets.Dataset{Name: "digits", Shape: []int{1, 4, 4}, Classes: []string{"zero", "one"}}
	for i := range n {
		d.X = append(d.X, filled(16, float32(i%2))...)
		d.Y = append(d.Y, float32(i%2))
	}
	return d
}

func TestSampleGrid(t *testing.T) {
	d := digits(6)
	pred := []int{0, 1, 1, 1, 0, 1} // sample 2 is misclassified
	g := &tileGrid{}
	p, err := sampleGrid(g, d, []int{1, 2, 3}, pred, 3)
	if err != nil {
		t.Fatal(err)
	}
	titles := []string{g.tiles[0].title, g.tiles[1].title, g.tiles[2].title}
	if titles[0] != "one" || titles[1] != "zero → one" || titles[2] != "one" {
		t.Errorf("titles %q; want one, zero → one, one", titles)
	}
	if g.tiles[0].wrong || !g.tiles[1].wrong {
		t.Error("want only the misclassified tile marked")
	}
	img := renderPNG(t, p)
	centres := tilesOf(t, p, g)
	if rgba(img, centres[0]).R < 250 || rgba(img, centres[1]).R > 5 {
		t.Errorf("tiles %v, %v; want white (sample 1) then black (sample 2)", rgba(img, centres[0]), rgba(img, centres[1]))
	}
	if countNear(img, wrongColor, 60) == 0 {
		t.Error("no red title for the misclassified sample")
	}

	// Without predictions, titles are the true classes; [H, W] shapes work.
	flat := digits(2)
	flat.Shape = []int{4, 4}
	g = &tileGrid{}
	if _, err := sampleGrid(g, flat, []int{0}, nil, 0); err != nil || g.tiles[0].title != "zero" {
		t.Errorf("got %v, title %q; want title zero", err, g.tiles[0].title)
	}
}

func TestSampleGridErrors(t *testing.T) {
	d := digits(4)
	_, err := SampleGrid(d, nil, nil, 0)
	wantErr(t, err, "no samples selected")
	_, err = SampleGrid(d, []int{0, 4}, nil, 0)
	wantErr(t, err, "sample 4 outside [0, 4)")
	_, err = SampleGrid(d, []int{0}, []int{1, 2}, 0)
	wantErr(t, err, "2 predictions for 4 samples")
	_, err = SampleGrid(corners(), []int{0}, nil, 0)
	wantErr(t, err, "sample shape [2]")
	rgb := &datasets.Dataset{X: filled(12, 0), Shape: []int{3, 2, 2}}
	_, err = SampleGrid(rgb, []int{0}, nil, 0)
	wantErr(t, err, "want grayscale images")
	_, err = SampleGrid(nil, []int{0}, nil, 0)
	wantErr(t, err, "no data set")
}
