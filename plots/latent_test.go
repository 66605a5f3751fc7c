package plots

import (
	"errors"
	"image"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot/vg"
)

// Originals sit above their reconstructions, block by block; a short last
// block leaves its missing places empty.
func TestReconstructionsLayout(t *testing.T) {
	grey, black := filled(16, 0.5), filled(16, 0)
	g := &tileGrid{}
	p, err := reconstructionGrid(g, [][]float32{grey, grey, grey}, [][]float32{black, black, black}, 4, 4, 2, []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	img := renderPNG(t, p)
	c := tilesOf(t, p, g)
	if len(c) != 8 || c[0].Y != c[1].Y || c[2].Y <= c[0].Y || c[4].Y <= c[2].Y || c[6].Y <= c[4].Y || c[2].X != c[0].X {
		t.Fatalf("tile centres %v; want 4 rows of 2", c)
	}
	for i, want := range []uint8{0x80, 0x80, 0, 0, 0x80, 0xff, 0, 0xff} {
		if got := rgba(img, c[i]).R; int(got)-int(want) > 2 || int(want)-int(got) > 2 {
			t.Errorf("tile %d at %v has grey level %d; want %d", i, c[i], got, want)
		}
	}
	if g.tiles[0].title != "a" || g.tiles[2].title != "" || g.tiles[4].title != "c" {
		t.Errorf("titles %q, %q, %q; want the originals' only", g.tiles[0].title, g.tiles[2].title, g.tiles[4].title)
	}
	for _, tt := range []struct {
		o, r [][]float32
		cols int
		want string
	}{
		{nil, nil, 0, "no images"},
		{[][]float32{grey}, nil, 0, "0 reconstructions of 1"},
		{[][]float32{grey}, [][]float32{filled(3, 0)}, 0, "has 3 values"},
		{[][]float32{grey}, [][]float32{grey}, -1, "columns"},
	} {
		if _, err := Reconstructions(tt.o, tt.r, 4, 4, tt.cols, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Reconstructions: error %v; want one containing %q", err, tt.want)
		}
	}
}

// Two-valued codes are drawn where they are, in their class's colour.
func TestLatentPoints(t *testing.T) {
	codes := []float32{-1, -1, 1, 1, 0, 0.5}
	p, err := Latent(codes, 2, []int{0, 1, 1}, []string{"zero", "one"})
	if err != nil {
		t.Fatal(err)
	}
	img := renderPNG(t, p)
	for i, k := range []int{0, 1, 1} {
		at := dataPixel(p, float64(codes[2*i]), float64(codes[2*i+1]))
		if got := rgba(img, at); !near(got, colorOf(k), 40) {
			t.Errorf("code %d at %v is drawn %v; want class %d's %v", i, at, got, k, colorOf(k))
		}
	}
	if p.X.Label.Text != "z[0]" || p.Y.Label.Text != "z[1]" {
		t.Errorf("axes %q and %q; want z[0] and z[1]", p.X.Label.Text, p.Y.Label.Text)
	}
	if _, err := Latent(codes, 2, []int{0, 5, 1}, []string{"zero", "one"}); err == nil {
		t.Error("a label outside the classes: no error")
	}
	if _, err := Latent(codes, 4, nil, nil); err == nil {
		t.Error("6 values as codes of 4: no error")
	}
	if p, err := Latent([]float32{1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, nil, nil); err != nil || p.X.Label.Text != "PC 1" {
		t.Errorf("codes of 3 values: %v, axis %q; want principal components", err, p.X.Label.Text)
	}
}

// The principal directions are those gonum's PCA (an SVD) finds, and the
// projection of data along a line recovers the line.
func TestPrincipalComponents(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	const n, dim = 400, 6
	x := make([]float32, n*dim)
	a := mat.NewDense(n, dim, nil)
	for i := range n {
		u, v := 3*rng.NormFloat64(), 1.5*rng.NormFloat64()
		for j := range dim {
			val := u*float64(j+1)/4 + v*math.Cos(float64(j)) + 0.1*rng.NormFloat64() + 2
			x[i*dim+j] = float32(val)
			a.Set(i, j, float64(x[i*dim+j]))
		}
	}
	mean, pcs := principalComponents(x, dim, 5000)
	var pc stat.PC
	if !pc.PrincipalComponents(a, nil) {
		t.Fatal("gonum's PCA failed")
	}
	var vecs mat.Dense
	pc.VectorsTo(&vecs)
	for k := range 2 {
		var dot float64
		for j := range dim {
			dot += pcs[k][j] * vecs.At(j, k)
		}
		if math.Abs(math.Abs(dot)-1) > 1e-6 {
			t.Errorf("direction %d: %v; gonum's is column %d of %v (|cos| = %v)", k+1, pcs[k], k, mat.Formatted(&vecs), math.Abs(dot))
		}
	}
	for j := range dim {
		var want float64
		for i := range n {
			want += a.At(i, j) / n
		}
		if math.Abs(mean[j]-want) > 1e-9 {
			t.Errorf("mean %d = %v; want %v", j, mean[j], want)
		}
	}
	// Fitting on a subset spread over the rows gives about the same.
	_, sub := principalComponents(x, dim, 100)
	var dot float64
	for j := range dim {
		dot += sub[0][j] * pcs[0][j]
	}
	if math.Abs(dot) < 0.99 {
		t.Errorf("the first direction fitted on 100 rows is %v; on all, %v", sub[0], pcs[0])
	}
}

// shade is a stand-in decoder: every pixel of a code's image is the code's
// first value mapped from [-1, 1] to [0, 1], but for the top-left pixel,
// which is its second.
type shade struct {
	calls int
	codes []float32
}

func (s *shade) Decode(z []float32) ([]float32, error) {
	s.calls++
	s.codes = append([]float32(nil), z...)
	out := make([]float32, 0, len(z)/2*4)
	for i := 0; i < len(z); i += 2 {
		v := (z[i] + 1) / 2
		out = append(out, (z[i+1]+1)/2, v, v, v)
	}
	return out, nil
}

type failing struct{}

func (failing) Decode([]float32) ([]float32, error) { return nil, errors.New("broken") }

// The decoder is called once, on the grid row by row from the top (z[1]
// = span), and each image is drawn at its code.
func TestManifold(t *testing.T) {
	d := &shade{}
	p, err := Manifold(d, 3, 1, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{-1, 1, 0, 1, 1, 1, -1, 0, 0, 0, 1, 0, -1, -1, 0, -1, 1, -1}
	if d.calls != 1 || len(d.codes) != len(want) {
		t.Fatalf("%d calls with %d values; want 1 with %d", d.calls, len(d.codes), len(want))
	}
	for i := range want {
		if d.codes[i] != want[i] {
			t.Fatalf("codes %v; want %v", d.codes, want)
		}
	}
	img := renderPNG(t, p)
	// Each image's top-left pixel shows z[1] and its others z[0]: black
	// at -1, white at 1.
	da := dataArea(p)
	trX, trY := p.Transforms(&da)
	pixel := func(x, y float64) image.Point { return toPixel(vg.Point{X: trX(x), Y: trY(y)}) }
	for _, tt := range []struct {
		x, y float64
		want uint8
	}{{-0.8, -1.2, 0}, {0.2, -1.2, 0x80}, {1.2, 0.8, 0xff}, {-1.2, 1.2, 0xff}, {-1.2, -0.8, 0}, {1.2, -0.8, 0xff}} {
		at := pixel(tt.x, tt.y)
		if got := rgba(img, at).R; int(got)-int(tt.want) > 3 || int(tt.want)-int(got) > 3 {
			t.Errorf("at z = (%v, %v), pixel %v is %d; want %d", tt.x, tt.y, at, got, tt.want)
		}
	}
	for _, tt := range []struct {
		d    Decoder
		n    int
		span float64
		want string
	}{
		{d, 1, 1, "2 to 64"},
		{d, 3, 0, "span"},
		{d, 3, math.Inf(1), "span"},
		{nil, 3, 1, "no decoder"},
		{failing{}, 3, 1, "broken"},
	} {
		if _, err := Manifold(tt.d, tt.n, tt.span, 2, 2); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Manifold(n %d, span %v): %v; want an error containing %q", tt.n, tt.span, err, tt.want)
		}
	}
	if _, err := Manifold(d, 3, 1, 3, 3); err == nil || !strings.Contains(err.Error(), "made 36 values") {
		t.Errorf("a decoder making images of the wrong size: %v", err)
	}
}
