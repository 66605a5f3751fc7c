package plots

import (
	"math"
	"testing"
)

func TestBarsHeights(t *testing.T) {
	p, err := Bars("norms", "norm", []string{"a", "b", "c"}, []float64{1, 3, math.NaN()}, false)
	if err != nil {
		t.Fatal(err)
	}
	img := renderPNG(t, p)
	for _, tc := range []struct {
		x, y float64
		bar  bool
	}{
		{0, 0.5, true}, {1, 0.5, true}, {1, 2.5, true}, // inside the bars
		{0, 2, false},     // above bar a
		{2, 0.5, false},   // no bar for NaN
		{0.5, 0.5, false}, // between bars
	} {
		px := dataPixel(p, tc.x, tc.y)
		if got := rgba(img, px); near(got, colorOf(0), 8) != tc.bar {
			t.Errorf("(%v, %v) at %v is %v; want a bar there: %v", tc.x, tc.y, px, got, tc.bar)
		}
	}
}

func TestBarsLogY(t *testing.T) {
	p, err := Bars("", "", []string{"l1", "l2", "l3", "l4"}, []float64{1e-6, 1e-3, 0, 1}, true)
	if err != nil {
		t.Fatal(err)
	}
	if p.Y.Min != 1e-6 {
		t.Errorf("log axis from %v; want 1e-6", p.Y.Min)
	}
	img := renderPNG(t, p)
	// Bar l2 (1e-3) reaches above 1e-4 and stops below 1e-2.
	if px := dataPixel(p, 1, 1e-4); !near(rgba(img, px), colorOf(0), 8) {
		t.Errorf("bar l2 at 1e-4 (%v) is %v", px, rgba(img, px))
	}
	if px := dataPixel(p, 1, 1e-2); near(rgba(img, px), colorOf(0), 8) {
		t.Errorf("bar l2 reaches 1e-2 (%v)", px)
	}
	_, err = Bars("", "", []string{"a"}, []float64{0}, true)
	wantErr(t, err, "no finite positive values")
}

func TestBarsErrors(t *testing.T) {
	_, err := Bars("", "", nil, nil, false)
	wantErr(t, err, "no values")
	_, err = Bars("", "", []string{"a"}, []float64{1, 2}, false)
	wantErr(t, err, "1 labels for 2 values")
	_, err = Bars("", "", []string{"a", "b"}, []float64{math.NaN(), math.Inf(-1)}, false)
	wantErr(t, err, "no finite values")
	// Negative values draw downwards.
	p, err := Bars("", "", []string{"a", "b"}, []float64{-2, 1}, false)
	if err != nil {
		t.Fatal(err)
	}
	img := renderPNG(t, p)
	if px := dataPixel(p, 0, -1); !near(rgba(img, px), colorOf(0), 8) {
		t.Errorf("negative bar missing at %v", px)
	}
}

func TestLogTicks(t *testing.T) {
	labels := func(lo, hi float64) []string {
		var out []string
		for _, tk := range (logTicks{}).Ticks(lo, hi) {
			if tk.Value < lo || tk.Value > hi || tk.Value <= 0 {
				t.Errorf("tick %v outside [%v, %v]", tk.Value, lo, hi)
			}
			if tk.Label != "" {
				out = append(out, tk.Label)
			}
		}
		return out
	}
	got := labels(1e-7, 1.2)
	want := []string{"1e-07", "1e-06", "1e-05", "0.0001", "0.001", "0.01", "0.1", "1"}
	if len(got) != len(want) {
		t.Fatalf("labels %v; want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("labels %v; want %v", got, want)
			break
		}
	}
	if got := labels(0.3, 0.9); len(got) < 2 {
		t.Errorf("within one decade: labels %v; want at least two", got)
	}
}
