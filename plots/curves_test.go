package plots

import (
	"image"
	"image/color"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/dlgo/dlgo/trainers"
)

func TestCurvesDrawsEachSeries(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	p, err := Curves("loss", "step", "loss", false,
		Series{Name: "a", Y: []float64{1, 2, nan, 4}},
		Series{Name: "b", X: []float64{1, 2, inf, 4}, Y: []float64{4, 3, 2, 1}, Dashed: true},
	)
	if err != nil {
		t.Fatal(err)
	}
	img := renderPNG(t, p)
	for i := range 2 {
		if countNear(img, colorOf(i), 8) < 20 {
			t.Errorf("series %d's colour %v is (nearly) absent", i, colorOf(i))
		}
	}
	// The legend sits right of the data area.
	da := dataArea(p)
	if right := toPixel(da.Max).X; right > testWPx-40 {
		t.Errorf("data area reaches pixel %d of %d; want room for the legend on its right", right, testWPx)
	}
}

func TestCurvesLogY(t *testing.T) {
	p, err := Curves("", "", "", true,
		Series{Name: "ok", Y: []float64{1e3, 10, 0.1, 1e-3}},
		Series{Name: "diverged", Y: []float64{1, 0, -1, math.NaN(), math.Inf(1)}},
	)
	if err != nil {
		t.Fatal(err)
	}
	img := renderPNG(t, p)
	// Log spacing: 10 is drawn halfway between 1e3 and 0.1 vertically.
	top, mid, bottom := dataPixel(p, 1, 1e3), dataPixel(p, 2, 10), dataPixel(p, 3, 0.1)
	if d := (top.Y+bottom.Y)/2 - mid.Y; d < -1 || d > 1 {
		t.Errorf("y of 1e3, 10, 0.1 at pixels %d, %d, %d; want 10 halfway", top.Y, mid.Y, bottom.Y)
	}
	if !near(rgba(img, mid), colorOf(0), 40) {
		t.Errorf("pixel %v at (2, 10) is %v; want the curve's colour %v", mid, rgba(img, mid), colorOf(0))
	}
	_, err = Curves("", "", "", true, Series{Name: "x", Y: []float64{0, -1}})
	wantErr(t, err, "no finite positive values")
}

func TestCurvesErrors(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name   string
		series []Series
		want   string
	}{
		{"none", nil, "no series"},
		{"empty", []Series{{Name: "e"}}, `series "e" has no points`},
		{"mismatch", []Series{{Name: "m", X: []float64{1, 2}, Y: []float64{1, 2, 3}}}, "2 x values for 3 y values"},
		{"all NaN", []Series{{Name: "n", Y: []float64{nan, nan}}}, "no finite values"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Curves("", "", "", false, tc.series...)
			wantErr(t, err, tc.want)
			wantErr(t, err, "plots: curves: ")
		})
	}
}

func testHistory(n int, val bool) *trainers.History {
	h := &trainers.History{}
	for e := 1; e <= n; e++ {
		logs := map[string]float64{"loss": 1 / float64(e), "accuracy": 1 - 1/float64(e+1)}
		if val {
			logs["val_loss"] = 1/float64(e) + 0.01*float64(e)
		}
		h.Epochs = append(h.Epochs, trainers.EpochLog{Epoch: e, Logs: logs, Duration: time.Millisecond})
	}
	return h
}

func TestHistoryMarker(t *testing.T) {
	h := testHistory(10, true)
	p, err := History(h, "loss", 4)
	if err != nil {
		t.Fatal(err)
	}
	if p.Title.Text != "loss" {
		t.Errorf("title %q; want loss", p.Title.Text)
	}
	img := renderPNG(t, p)
	for i := range 2 {
		if countNear(img, colorOf(i), 8) < 20 {
			t.Errorf("curve %d is missing", i)
		}
	}
	// The marker: grey pixels down the column of epoch 4, none at epoch 7.
	da := dataArea(p)
	grey := color.RGBA{0x55, 0x55, 0x55, 0xff}
	column := func(epoch float64) int {
		x := dataPixel(p, epoch, 1).X
		n := 0
		for y := toPixel(da.Max).Y; y <= toPixel(da.Min).Y; y++ {
			if near(rgba(img, image.Point{X: x, Y: y}), grey, 40) {
				n++
			}
		}
		return n
	}
	span := toPixel(da.Min).Y - toPixel(da.Max).Y
	if n := column(4); n < span/4 {
		t.Errorf("%d grey pixels in the column of epoch 4 (of %d); want a dashed line", n, span)
	}
	if n := column(7); n > 5 {
		t.Errorf("%d grey pixels in the column of epoch 7; want none", n)
	}
}

func TestHistoryTrainOnly(t *testing.T) {
	p, err := History(testHistory(5, false), "accuracy", 0)
	if err != nil {
		t.Fatal(err)
	}
	img := renderPNG(t, p)
	if countNear(img, colorOf(1), 8) > 0 {
		t.Error("a validation curve is drawn for a history without one")
	}
}

func TestHistoryErrors(t *testing.T) {
	_, err := History(nil, "loss", 0)
	wantErr(t, err, "no epochs")
	_, err = History(&trainers.History{}, "loss", 0)
	wantErr(t, err, "no epochs")
	_, err = History(testHistory(3, true), "r2", 0)
	wantErr(t, err, `no finite "r2" or "val_r2" values; the history has accuracy, loss, val_loss`)
	_, err = History(testHistory(3, true), "loss", 4)
	wantErr(t, err, "marker at epoch 4 outside the epochs 1 to 3")
	h := testHistory(3, false)
	for i := range h.Epochs {
		h.Epochs[i].Logs["loss"] = math.NaN()
	}
	_, err = History(h, "loss", 0)
	wantErr(t, err, "no finite")
}

func TestFuncSeries(t *testing.T) {
	s, err := FuncSeries("square", func(x float64) float64 { return x * x }, -1, 1, 5)
	if err != nil {
		t.Fatal(err)
	}
	wantX, wantY := []float64{-1, -0.5, 0, 0.5, 1}, []float64{1, 0.25, 0, 0.25, 1}
	for i := range wantX {
		if s.X[i] != wantX[i] || s.Y[i] != wantY[i] {
			t.Fatalf("series %v, %v; want %v, %v", s.X, s.Y, wantX, wantY)
		}
	}
	_, err = FuncSeries("nil", nil, 0, 1, 10)
	wantErr(t, err, "no function")
	_, err = FuncSeries("f", math.Sqrt, 1, 1, 10)
	wantErr(t, err, "range [1, 1]")
	_, err = FuncSeries("f", math.Sqrt, 0, 1, 1)
	wantErr(t, err, "1 points")
	// NaN values (sqrt of negatives) are kept, and Curves skips them.
	s, _ = FuncSeries("sqrt", math.Sqrt, -1, 1, 21)
	if _, err := Curves("", "", "", false, s); err != nil {
		t.Error(err)
	}
}

// gonum/plot's tick placement does not finish for ranges that overflow:
// values beyond ±1e100 are skipped.
func TestCurvesSkipHugeValues(t *testing.T) {
	p, err := Curves("", "", "", false, Series{Y: []float64{math.MaxFloat64, -math.MaxFloat64, 1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	renderPNG(t, p)
	_, err = Curves("", "", "", false, Series{Y: []float64{math.MaxFloat64, -1e101}})
	wantErr(t, err, "no finite values")
	_, err = Contours(bowl, [2]float64{-math.MaxFloat64, math.MaxFloat64}, [2]float64{0, 1})
	wantErr(t, err, "range")
}

// A dashed series is a reference line: no dots at its points, even when
// it has few.
func TestCurvesDashedHasNoDots(t *testing.T) {
	for _, dashed := range []bool{false, true} {
		p, err := Curves("", "x", "y", false, Series{X: []float64{1, 2, 3}, Y: []float64{0, 1, 2}},
			Series{X: []float64{1, 3}, Y: []float64{1.5, 1.5}, Dashed: dashed})
		if err != nil {
			t.Fatal(err)
		}
		img := renderPNG(t, p)
		end := dataPixel(p, 3, 1.5)
		above := subImage(img, image.Point{X: end.X - 1, Y: end.Y - 2}, 0)
		dot := countNear(above, colorOf(1), 40) > 0
		if dot == dashed {
			t.Errorf("dashed %v: a dot at the end point: %v", dashed, dot)
		}
	}
}

func TestLogX(t *testing.T) {
	p, err := Curves("width", "units", "error", true, Series{X: []float64{1, 2, 4, 8, 16, 32, 64}, Y: []float64{1, 0.5, 0.2, 0.1, 0.05, 0.01, 0.005}})
	if err != nil {
		t.Fatal(err)
	}
	LogX(p)
	var labels []string
	for _, tk := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
		if !tk.IsMinor() {
			labels = append(labels, tk.Label)
		}
	}
	if want := []string{"1", "2", "5", "10", "20", "50"}; !slices.Equal(labels, want) {
		t.Errorf("x labels %q; want %q", labels, want)
	}
	renderPNG(t, p)
	// On a log axis, 8 lies halfway between 1 and 64.
	a, b, c := dataPixel(p, 1, 1), dataPixel(p, 8, 1), dataPixel(p, 64, 1)
	if d := (a.X + c.X) / 2; b.X < d-1 || b.X > d+1 {
		t.Errorf("x = 8 at pixel %d; want halfway between %d and %d", b.X, a.X, c.X)
	}
}
