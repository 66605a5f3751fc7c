package plots

import (
	"math"
	"regexp"
	"slices"
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
	for _, tc := range []struct {
		lo, hi float64
		want   []string
	}{
		{1e-7, 1.2, []string{"1e-7", "1e-6", "1e-5", "1e-4", "0.001", "0.01", "0.1", "1"}},
		{0.05, 2000, []string{"0.1", "1", "10", "100", "1000"}},
		{1e-4, 1e4, []string{"1e-4", "0.01", "1", "100", "1e+4"}},
		// 39 powers of ten, a diverging loss: every fifth is labelled.
		{1e-3, 1e35, []string{"1", "1e+5", "1e+10", "1e+15", "1e+20", "1e+25", "1e+30", "1e+35"}},
	} {
		if got := labels(tc.lo, tc.hi); !slices.Equal(got, tc.want) {
			t.Errorf("[%v, %v]: labels %q; want %q", tc.lo, tc.hi, got, tc.want)
		}
	}
	if got := labels(0.3, 0.9); len(got) < 2 {
		t.Errorf("within one decade: labels %v; want at least two", got)
	}
	// Two decades: 2 and 5 times the powers are labelled too.
	if got, want := labels(0.05, 2), []string{"0.05", "0.1", "0.2", "0.5", "1", "2"}; !slices.Equal(got, want) {
		t.Errorf("[0.05, 2]: labels %q; want %q", got, want)
	}
	if got, want := labels(1, 64), []string{"1", "2", "5", "10", "20", "50"}; !slices.Equal(got, want) {
		t.Errorf("[1, 64]: labels %q; want %q", got, want)
	}
	// Any range: 2 to 8 labels, short, evenly spaced in exponent.
	short := regexp.MustCompile(`^((0\.0{0,2})?[125]|[125]0{1,3}|[125]e[-+][1-9][0-9]*)$`)
	for lo := 1e-30; lo < 1e30; lo *= 7.3 {
		for _, span := range []float64{150, 1e5, 1e9, 1e17, 1e40, 1e60} {
			got := labels(lo, lo*span)
			if len(got) < 2 || len(got) > maxLogLabels {
				t.Errorf("[%g, %g]: %d labels %q; want 2 to %d", lo, lo*span, len(got), got, maxLogLabels)
			}
			for _, l := range got {
				if !short.MatchString(l) {
					t.Errorf("[%g, %g]: label %q is not a short power of ten", lo, lo*span, l)
				}
			}
		}
	}
}

// TestCurvesLogYDiverging counts the labelled ticks of a loss that grows
// from 1e-3 to 1e35 as the plot draws them.
func TestCurvesLogYDiverging(t *testing.T) {
	var loss []float64
	for v := 1e-3; v <= 1e35; v *= 10 {
		loss = append(loss, v)
	}
	p, err := Curves("diverged", "epoch", "loss", true, Series{Y: loss})
	if err != nil {
		t.Fatal(err)
	}
	var major []string
	for _, tk := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
		if !tk.IsMinor() {
			major = append(major, tk.Label)
		}
	}
	want := []string{"1", "1e+5", "1e+10", "1e+15", "1e+20", "1e+25", "1e+30", "1e+35"}
	if !slices.Equal(major, want) {
		t.Errorf("labelled ticks %q; want %q", major, want)
	}
	renderPNG(t, p)
}
