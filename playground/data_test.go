package playground

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/datasets"
)

func TestData(t *testing.T) {
	for _, name := range DatasetNames() {
		c := Defaults()
		c.Dataset, c.Points, c.TrainRatio = name, 301, 0.7
		c.Features = FeatureNames()
		d, err := makeData(c)
		if err != nil {
			t.Fatal(err)
		}
		if d.train.Len() != c.trainSize() || d.train.Len()+d.test.Len() != 301 || len(d.trainPts) != d.train.Len() {
			t.Errorf("%s: %d training and %d test points; want %d and %d", name, d.train.Len(), d.test.Len(), c.trainSize(), 301-c.trainSize())
		}
		ds, _ := datasetByName(name)
		if d.regression != ds.regression || d.train.IsClassification() == ds.regression {
			t.Errorf("%s: regression %v", name, d.regression)
		}
		var lo, hi float64
		for i, p := range append(slices.Clone(d.trainPts), d.testPts...) {
			lo, hi = math.Min(lo, float64(min(p.X1, p.X2))), math.Max(hi, float64(max(p.X1, p.X2)))
			if i >= len(d.trainPts) {
				continue
			}
			// The features are those of the point.
			x1, x2 := float64(p.X1), float64(p.X2)
			want := []float64{x1, x2, x1 * x1, x2 * x2, x1 * x2, math.Sin(x1), math.Sin(x2)}
			for j, v := range d.train.Row(i) {
				if float32(want[j]) != v {
					t.Fatalf("%s: point %d feature %s = %v; want %v", name, i, c.Features[j], v, want[j])
				}
			}
			if d.train.Y[i] != p.Label {
				t.Fatalf("%s: point %d label %v; the data's %v", name, i, p.Label, d.train.Y[i])
			}
		}
		// The points fill the plane without leaving it (noise aside).
		if lo > -View/2 || hi < View/2 || lo < -View-1.5 || hi > View+1.5 {
			t.Errorf("%s: points span [%.2f, %.2f]; want about [-%d, %d]", name, lo, hi, View, View)
		}
		if d.regression && !(d.variance > 0.05 && d.variance < 0.5) {
			t.Errorf("%s: target variance %v", name, d.variance)
		}
	}
}

// The exported CSV reads back as the network's inputs, bit for bit.
func TestWriteDataRoundTrip(t *testing.T) {
	for _, name := range []string{"spiral", "gaussians"} {
		c := Defaults()
		c.Dataset, c.Features, c.Noise = name, []string{"sin_x2", "x1", "x1_x2"}, 0.3
		s := newSession(t, c, Options{})
		var buf bytes.Buffer
		if err := s.WriteData(&buf, false); err != nil {
			t.Fatal(err)
		}
		header, _, _ := strings.Cut(buf.String(), "\n")
		kind, target := datasets.Categorical, "class"
		if s.data.regression {
			kind, target = datasets.Numeric, "y"
		}
		if header != "sin_x2,x1,x1_x2,"+target {
			t.Errorf("%s: header %q", name, header)
		}
		back, err := datasets.ReadCSV(&buf, "points", datasets.CSVOptions{Kind: kind})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(back.X, s.data.train.X) || !slices.Equal(back.Y, s.data.train.Y) || !slices.Equal(back.Classes, s.data.train.Classes) {
			t.Errorf("%s: the CSV does not read back as the training points", name)
		}
	}
}

func TestGrid(t *testing.T) {
	g := gridPoints()
	step := 2.0 * View / GridSize
	if len(g) != 2*GridSize*GridSize {
		t.Fatalf("%d values", len(g))
	}
	// Row by row from the top, left to right.
	for _, tt := range []struct {
		cell   int
		x1, x2 float64
	}{{0, -View + step/2, View - step/2}, {1, -View + 1.5*step, View - step/2}, {GridSize, -View + step/2, View - 1.5*step}, {GridSize*GridSize - 1, View - step/2, -View + step/2}} {
		if got1, got2 := float64(g[2*tt.cell]), float64(g[2*tt.cell+1]); math.Abs(got1-tt.x1) > 1e-6 || math.Abs(got2-tt.x2) > 1e-6 {
			t.Errorf("cell %d at (%v, %v); want (%v, %v)", tt.cell, got1, got2, tt.x1, tt.x2)
		}
	}
}

func TestDecodeConfig(t *testing.T) {
	c, err := DecodeConfig(strings.NewReader(`{"dataset": "spiral", "layers": []}`), 2000)
	if err != nil {
		t.Fatal(err)
	}
	want := Defaults()
	want.Dataset, want.Layers = "spiral", []int{}
	if c.Dataset != "spiral" || len(c.Layers) != 0 || c.LR != want.LR || !slices.Equal(c.Features, want.Features) {
		t.Errorf("decoded %+v; want the defaults with spiral and no hidden layer", c)
	}
	if c, err := DecodeConfig(strings.NewReader(""), 2000); err != nil || c.Dataset != "circles" {
		t.Errorf("an empty body: %+v, %v; want the defaults", c, err)
	}
	if err := Defaults().Validate(2000); err != nil {
		t.Errorf("the defaults are invalid: %v", err)
	}
}

func TestQuantize(t *testing.T) {
	got := decodeMap(t, quantize([]float64{-2, -1, 0, 1, 3, math.NaN()}))
	if want := []byte{0, 0, 128, 255, 255, 128}; !bytes.Equal(got, want) {
		t.Errorf("quantize = %v; want %v", got, want)
	}
}
