package plots

import (
	"image"
	"image/color"
	"math"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
)

func TestColorScale(t *testing.T) {
	s := newColorScale([][]float32{{-1, 0.5}, {2, float32(math.NaN())}})
	if s.lo != -2 || s.hi != 2 || &s.palette[0] != &diverging[0] {
		t.Fatalf("scale %v..%v; want a diverging one symmetric about 0: -2..2", s.lo, s.hi)
	}
	white := diverging[len(diverging)/2]
	for _, tc := range []struct {
		v    float64
		want color.RGBA
	}{{-2, diverging[0]}, {0, white}, {2, diverging[len(diverging)-1]}, {-5, diverging[0]}, {math.NaN(), nanColor}} {
		if got := s.color(tc.v); got != tc.want {
			t.Errorf("color(%v) = %v; want %v", tc.v, got, tc.want)
		}
	}
	q := newColorScale([][]float32{{0, 3}, {1.5}})
	if q.lo != 0 || q.hi != 3 || &q.palette[0] != &sequential[0] || q.color(3) != sequential[len(sequential)-1] {
		t.Errorf("non-negative values: scale %v..%v; want sequential 0..3", q.lo, q.hi)
	}
	if z := newColorScale([][]float32{{0, 0}}); z.hi <= z.lo {
		t.Errorf("all zero: scale %v..%v; want a non-empty range", z.lo, z.hi)
	}
}

func TestHeatmaps(t *testing.T) {
	p, err := Heatmaps([][]float32{{-1, 0, 0, 1}, {0.5, 0.5, -0.5, -0.5}}, 2, 2, 0, []string{"a", "b"}, "weight")
	if err != nil {
		t.Fatal(err)
	}
	img := renderPNG(t, p)
	// The most negative value's blue, the most positive's red and the
	// colour bar's are all drawn.
	for _, c := range []color.RGBA{diverging[0], diverging[len(diverging)-1]} {
		if countNear(img, c, 8) < 20 {
			t.Errorf("too few pixels of %v", c)
		}
	}
	for _, tc := range []struct {
		images [][]float32
		h, w   int
		titles []string
		want   string
	}{
		{nil, 1, 1, nil, "no images"},
		{[][]float32{{1}}, 0, 1, nil, "image size"},
		{[][]float32{{1, 2}}, 1, 1, nil, "has 2 values"},
		{[][]float32{{1}}, 1, 1, []string{"a", "b"}, "2 titles"},
	} {
		_, err := Heatmaps(tc.images, tc.h, tc.w, 0, tc.titles, "")
		wantErr(t, err, tc.want)
	}
}

// FilterMaps puts every filter on one scale: the kernel's most negative
// weight is the darkest blue in every tile it occurs in, 0 is white.
func TestFilterMaps(t *testing.T) {
	k := convKernel(t, 2, 1, []float64{-4, 0, 1, 2, 0, 0, 4, -1})
	p, err := FilterMaps(k, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := "conv2d_1/kernel: 2 filters of 2×2"; p.Title.Text != want {
		t.Errorf("title %q; want %q", p.Title.Text, want)
	}
	img := renderPNG(t, p)
	if countNear(img, diverging[0], 8) < 50 || countNear(img, diverging[len(diverging)-1], 8) < 50 {
		t.Error("the tiles of -4 and 4 are not the scale's ends")
	}
	_, err = FilterMaps(nil, 0)
	wantErr(t, err, "no kernel")
}

func TestFeatureMaps(t *testing.T) {
	m, err := models.NewConvNet([]int{1, 10, 10}, 2, models.WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, 100)
	for i := range x {
		x[i] = float32(i%10) / 10
	}
	p, err := FeatureMaps(m, x, "conv2d_1", 8)
	if err != nil {
		t.Fatal(err)
	}
	if want := "conv2d_1: 32 feature maps of 8×8"; p.Title.Text != want {
		t.Errorf("title %q; want %q", p.Title.Text, want)
	}
	renderPNG(t, p)
	for _, tc := range []struct {
		x     []float32
		layer string
		want  string
	}{
		{x, "nope", `no layer "nope"`},
		{x, "flatten_1", "want (channels, height, width)"},
		{x[:50], "conv2d_1", "one sample of 100"},
	} {
		_, err := FeatureMaps(m, tc.x, tc.layer, 0)
		wantErr(t, err, tc.want)
	}
}

// identityNet is a 2-2-1 network whose hidden layer passes (x1, x2)
// through unchanged (linear units 1 and 2 = x1 and x2), then a logistic
// output on x1 - x2.
func identityNet(t *testing.T) *models.Model {
	t.Helper()
	m, err := models.New(models.Sequential([]int{2}, models.Dense(2, models.Linear), models.Dense(1, models.Sigmoid)))
	if err != nil {
		t.Fatal(err)
	}
	m.Param("dense_1/kernel").SetFloat64s([]float64{1, 0, 0, 1})
	m.Param("dense_1/bias").SetFloat64s([]float64{0, 0})
	m.Param("dense_2/kernel").SetFloat64s([]float64{1, -1})
	m.Param("dense_2/bias").SetFloat64s([]float64{0})
	return m
}

// Unit 1 is x1: its tile goes from blue on the left to red on the right,
// the same from top to bottom; unit 2 is x2: red at the top.
func TestUnitMaps(t *testing.T) {
	d := datasets.Blobs(100, 2, 0.5, 1)
	g := &tileGrid{}
	p, err := unitMaps(g, identityNet(t), "dense_1", d, 16)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Title.Text, "dense_1") {
		t.Errorf("title %q", p.Title.Text)
	}
	renderPNG(t, p)
	if len(g.tiles) != 2 || g.bar == nil {
		t.Fatalf("want 2 tiles and a colour bar; got %v", g)
	}
	at := func(u, x, y int) color.RGBA { return rgba(g.tiles[u].img, image.Point{X: x, Y: y}) }
	if left, right := at(0, 0, 8), at(0, 15, 8); !(left.B > left.R && right.R > right.B) {
		t.Errorf("unit 1: left %v, right %v; want blue to red", left, right)
	}
	if at(0, 3, 0) != at(0, 3, 15) {
		t.Error("unit 1 (x1) changes from top to bottom")
	}
	if top, bottom := at(1, 8, 0), at(1, 8, 15); !(top.R > top.B && bottom.B > bottom.R) {
		t.Errorf("unit 2: top %v, bottom %v; want red at the top (large x2)", top, bottom)
	}
	_, err = UnitMaps(identityNet(t), "nope", d, 0)
	wantErr(t, err, `no layer "nope"`)
	_, err = UnitMaps(identityNet(t), "dense_1", datasets.Moons(10, 0.1, 1), 1)
	wantErr(t, err, "resolution")
}

// In the space of a hidden layer that passes the inputs through, the
// points are where they were, and the output's boundary x1 = x2 splits
// the plane along the diagonal.
func TestHiddenSpace(t *testing.T) {
	d := datasets.Blobs(100, 2, 0.5, 1)
	m := identityNet(t)
	p, err := HiddenSpace(m, "dense_1", d, 50)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := Scatter(d)
	if math.Abs(p.X.Min-ref.X.Min) > 0.2*(ref.X.Max-ref.X.Min) || p.X.Label.Text != "dense_1 unit 1" || p.Y.Label.Text != "dense_1 unit 2" {
		t.Errorf("x from %v (labelled %q, %q); want the data's box, from about %v", p.X.Min, p.X.Label.Text, p.Y.Label.Text, ref.X.Min)
	}
	img := renderPNG(t, p)
	// Below the diagonal (x1 > x2) the class-1 region, above it class 0.
	lo, hi := math.Max(p.X.Min, p.Y.Min), math.Min(p.X.Max, p.Y.Max)
	mid := (lo + hi) / 2
	d1 := 0.3 * (hi - lo)
	if below := rgba(img, dataPixel(p, mid+d1, mid-d1)); !near(below, lighten(colorOf(1), regionLightness), 12) {
		t.Errorf("below the diagonal: %v; want class 1's region", below)
	}
	if above := rgba(img, dataPixel(p, mid-d1, mid+d1)); !near(above, lighten(colorOf(0), regionLightness), 12) {
		t.Errorf("above the diagonal: %v; want class 0's region", above)
	}
	_, err = HiddenSpace(m, "dense_2", d, 0)
	wantErr(t, err, "want 2 units")
	_, err = HiddenSpace(m, "dense_1", datasets.Function(math.Sin, 10, 0, 1, 0, 1), 0)
	wantErr(t, err, "no classes")
}

// On a shared scale, the same weight has the same colour in every plot: the
// weight 1 is the scale's end in a kernel whose largest is 1 when alone,
// and halfway to it next to a kernel whose largest is 2.
func TestFilterMapsShared(t *testing.T) {
	small := convKernel(t, 1, 1, []float64{1, 0, 0, -1})
	big := convKernel(t, 1, 1, []float64{2, 0, 0, -2})
	ps, err := FilterMapsShared(0, small, big)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 {
		t.Fatalf("%d plots; want 2", len(ps))
	}
	one, err := FilterMaps(small, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The tiles only: the colour bar, to their right, holds every colour.
	tiles := func(img image.Image) image.Image {
		b := img.Bounds()
		return img.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(image.Rect(b.Min.X, b.Min.Y, b.Min.X+b.Dx()*3/5, b.Max.Y))
	}
	alone, shared := tiles(renderPNG(t, one)), tiles(renderPNG(t, ps[0]))
	end := diverging[len(diverging)-1]
	if countNear(alone, end, 8) < 50 {
		t.Error("alone, the weight 1 is not the scale's end")
	}
	if countNear(shared, end, 8) > 0 {
		t.Error("next to a kernel of 2, the weight 1 is still drawn as the scale's end")
	}
	if countNear(shared, newColorScale([][]float32{{-2, 2}}).color(1), 8) < 50 {
		t.Error("the weight 1 is not drawn in the colour of 1 on the scale -2..2")
	}
	_, err = FilterMapsShared(0)
	wantErr(t, err, "no kernel")
}
