package plots

import (
	"image"
	"math"
	"testing"

	"github.com/dlgo/dlgo/models"
)

// convKernel returns the kernel of a one-convolution model with the given
// filters and input channels, 2×2, set to values.
func convKernel(t *testing.T, filters, channels int, values []float64) *models.Param {
	t.Helper()
	m, err := models.New(models.Spec{
		Name:  "conv",
		Input: []int{channels, 4, 4},
		Layers: []models.LayerSpec{
			{Type: models.LayerConv2D, Filters: filters, Kernel: 2, Activation: models.ReLU},
			{Type: models.LayerFlatten},
			{Type: models.LayerDense, Units: 1, Activation: models.Linear},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	k := m.Param("conv2d_1/kernel")
	if k == nil {
		t.Fatal("no conv2d_1/kernel")
	}
	if err := k.SetFloat64s(values); err != nil {
		t.Fatal(err)
	}
	return k
}

func TestFiltersSingleChannel(t *testing.T) {
	nan := math.NaN()
	// Filter 0: a vertical edge of negative weights; filter 1 constant;
	// filter 2 with a NaN.
	k := convKernel(t, 3, 1, []float64{-3, 5, -3, 5, 2, 2, 2, 2, 0, 1, nan, 1})
	g := &tileGrid{}
	p, err := filters(g, k, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := "conv2d_1/kernel: 3 filters of 2×2"; p.Title.Text != want {
		t.Errorf("title %q; want %q", p.Title.Text, want)
	}
	if len(g.tiles) != 3 || g.cols != 2 {
		t.Fatalf("%d tiles, %d columns; want 3 tiles, 2 columns", len(g.tiles), g.cols)
	}
	for i, want := range [][]uint8{{0, 255, 0, 255}, {128, 128, 128, 128}, {0, 255, 0, 255}} {
		if got := g.tiles[i].img.(*image.Gray).Pix; string(got) != string(want) {
			t.Errorf("filter %d: pixels %v; want %v", i, got, want)
		}
	}
	renderPNG(t, p)
}

func TestFiltersChannels(t *testing.T) {
	// Two filters over two channels: each filter is stretched over both of
	// its channels, so filter 0's second channel (all 1, its maximum) is
	// white and its first (0 and 0.5) black and grey.
	k := convKernel(t, 2, 2, []float64{
		0, 0.5, 0, 0.5, 1, 1, 1, 1,
		-1, -1, -1, -1, 3, 3, 3, 3,
	})
	g := &tileGrid{}
	if _, err := filters(g, k, 0); err != nil {
		t.Fatal(err)
	}
	if len(g.tiles) != 4 || g.cols != 2 {
		t.Fatalf("%d tiles, %d columns; want 4 tiles, one filter per row of 2", len(g.tiles), g.cols)
	}
	for i, want := range [][]uint8{{0, 128, 0, 128}, {255, 255, 255, 255}, {0, 0, 0, 0}, {255, 255, 255, 255}} {
		if got := g.tiles[i].img.(*image.Gray).Pix; string(got) != string(want) {
			t.Errorf("tile %d: pixels %v; want %v", i, got, want)
		}
	}
	p, err := Filters(k, 4)
	if err != nil {
		t.Fatal(err)
	}
	if want := "conv2d_1/kernel: 2 filters of 2×2 over 2 channels"; p.Title.Text != want {
		t.Errorf("title %q; want %q", p.Title.Text, want)
	}
	renderPNG(t, p)
}

func TestFiltersErrors(t *testing.T) {
	_, err := Filters(nil, 0)
	wantErr(t, err, "no kernel")
	m, err := models.NewConvNet([]int{1, 28, 28}, 10)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Filters(m.Param("conv2d_2/kernel"), 0)
	wantErr(t, err, "64×32 = 2048 images; want at most 1024")
	_, err = Filters(m.Param("dense_1/kernel"), 0)
	wantErr(t, err, "want (filters, channels, height, width)")
}
