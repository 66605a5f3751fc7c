package plots

import (
	"math"
	"testing"
)

func TestHistogram(t *testing.T) {
	values := []float64{0.1, 0.2, 0.2, 0.3, 0.3, 0.3, 0.4, math.NaN(), 0.9}
	p, err := Histogram("draws", "P(class 1)", values, 8, VLine{Name: "Predict", X: 0.25}, VLine{Name: "mean", X: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if p.X.Min > 0.1 || p.X.Max < 0.9 || p.Y.Min != 0 || p.Y.Max < 3 || p.Y.Label.Text != "count" {
		t.Errorf("axes [%v, %v] × [%v, %v] (y %q); want the values' range and counts up to 3", p.X.Min, p.X.Max, p.Y.Min, p.Y.Max, p.Y.Label.Text)
	}
	img := renderPNG(t, p)
	// The bars' colour, and each line's, are drawn.
	for i, c := range []int{1, 2} {
		px := dataPixel(p, []float64{0.25, 0.5}[i], 0.5)
		if countNear(subImage(img, px, 2), colorOf(c), 40) == 0 {
			t.Errorf("no pixel of line %d's colour near %v", i, px)
		}
	}
	if countNear(img, lighten(colorOf(0), 0.35), 10) < 100 {
		t.Error("the bars are not drawn")
	}
	_, err = Histogram("", "", []float64{math.NaN()}, 0)
	wantErr(t, err, "no finite values")
	_, err = Histogram("", "", values, -1)
	wantErr(t, err, "bins")
	_, err = Histogram("", "", values, 0, VLine{Name: "x", X: math.Inf(1)})
	wantErr(t, err, `line "x"`)
}
