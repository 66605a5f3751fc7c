package plots

import (
	"errors"
	"math"
	"testing"

	"github.com/dlgo/dlgo/datasets"
)

// halfPlane predicts class 0 for x1 < 0 and class 1 otherwise.
type halfPlane struct{ calls int }

func (h *halfPlane) PredictClasses(x []float32) ([]int, error) {
	h.calls++
	out := make([]int, len(x)/2)
	for i := range out {
		if x[2*i] >= 0 {
			out[i] = 1
		}
	}
	return out, nil
}

// classifierFunc adapts a function to Classifier.
type classifierFunc func(x []float32) ([]int, error)

func (f classifierFunc) PredictClasses(x []float32) ([]int, error) { return f(x) }

// regressorFunc adapts a function to Regressor.
type regressorFunc func(x []float32) ([]float32, error)

func (f regressorFunc) Predict(x []float32) ([]float32, error) { return f(x) }

// corners is 2-D data with class 0 on the left, class 1 on the right.
func corners() *datasets.Dataset {
	return &datasets.Dataset{
		Name:    "corners",
		X:       []float32{-1, -1, -1, 1, 1, -1, 1, 1},
		Shape:   []int{2},
		Y:       []float32{0, 0, 1, 1},
		Classes: []string{"left", "right"},
	}
}

func TestDecisionRegionsColoursThePlane(t *testing.T) {
	c := &halfPlane{}
	p, err := DecisionRegions(c, corners(), 50)
	if err != nil {
		t.Fatal(err)
	}
	if c.calls != 1 {
		t.Errorf("classifier called %d times; want once", c.calls)
	}
	img := renderPNG(t, p)
	left, right := lighten(colorOf(0), regionLightness), lighten(colorOf(1), regionLightness)
	for _, y := range []float64{-0.9, 0, 0.9} {
		for _, x := range []float64{-1.1, -0.5, -0.2} {
			if px := dataPixel(p, x, y); !near(rgba(img, px), left, 6) {
				t.Errorf("(%v, %v) at pixel %v is %v; want the left region's %v", x, y, px, rgba(img, px), left)
			}
		}
		for _, x := range []float64{0.2, 0.5, 1.1} {
			if px := dataPixel(p, x, y); !near(rgba(img, px), right, 6) {
				t.Errorf("(%v, %v) at pixel %v is %v; want the right region's %v", x, y, px, rgba(img, px), right)
			}
		}
	}
	// The points are drawn over the regions in their class colour.
	if px := dataPixel(p, -1, 1); !near(rgba(img, px), colorOf(0), 6) {
		t.Errorf("point (-1, 1) at %v is %v; want %v", px, rgba(img, px), colorOf(0))
	}
}

func TestDecisionRegionsErrors(t *testing.T) {
	three := &datasets.Dataset{X: []float32{1, 2, 3}, Shape: []int{3}, Y: []float32{0}, Classes: []string{"a", "b"}}
	_, err := DecisionRegions(&halfPlane{}, three, 10)
	wantErr(t, err, "classification data with 3 features")

	reg, _ := datasets.Linear(10, 2, 0, 1)
	_, err = DecisionRegions(&halfPlane{}, reg, 10)
	wantErr(t, err, "regression data")

	_, err = DecisionRegions(nil, corners(), 10)
	wantErr(t, err, "no classifier")
	_, err = DecisionRegions(&halfPlane{}, nil, 10)
	wantErr(t, err, "no data set")
	for _, r := range []int{-1, 1, 5000} {
		_, err = DecisionRegions(&halfPlane{}, corners(), r)
		wantErr(t, err, "resolution")
	}
	empty := &datasets.Dataset{Shape: []int{2}, Classes: []string{"a"}}
	_, err = DecisionRegions(&halfPlane{}, empty, 10)
	if !errors.Is(err, datasets.ErrEmpty) {
		t.Errorf("empty data: %v; want datasets.ErrEmpty", err)
	}

	boom := errors.New("boom")
	_, err = DecisionRegions(classifierFunc(func([]float32) ([]int, error) { return nil, boom }), corners(), 10)
	if !errors.Is(err, boom) {
		t.Errorf("classifier error: %v; want it wrapped", err)
	}
	_, err = DecisionRegions(classifierFunc(func(x []float32) ([]int, error) { return make([]int, 3), nil }), corners(), 10)
	wantErr(t, err, "3 predictions for 100 grid points")
	_, err = DecisionRegions(classifierFunc(func(x []float32) ([]int, error) {
		out := make([]int, len(x)/2)
		out[7] = 2
		return out, nil
	}), corners(), 10)
	wantErr(t, err, "predicted class 2")

	bad := corners()
	bad.Y[1] = 5
	_, err = DecisionRegions(&halfPlane{}, bad, 10)
	wantErr(t, err, "sample 1 has label 5")

	short := corners()
	short.Y = short.Y[:3]
	_, err = DecisionRegions(&halfPlane{}, short, 10)
	wantErr(t, err, "3 target values for 4 samples")
}

func TestDecisionRegionsSkipsNaN(t *testing.T) {
	d := corners()
	d.X[0], d.X[3] = float32(math.NaN()), float32(math.Inf(1))
	p, err := DecisionRegions(&halfPlane{}, d, 0)
	if err != nil {
		t.Fatal(err)
	}
	renderPNG(t, p)
	for i := range d.X {
		d.X[i] = float32(math.NaN())
	}
	_, err = DecisionRegions(&halfPlane{}, d, 0)
	wantErr(t, err, "no finite points")
}

func TestScatter(t *testing.T) {
	p, err := Scatter(datasets.Blobs(60, 3, 0.5, 1))
	if err != nil {
		t.Fatal(err)
	}
	img := renderPNG(t, p)
	for k := range 3 {
		if countNear(img, colorOf(k), 6) < 20 {
			t.Errorf("class %d's colour is (nearly) absent", k)
		}
	}
	lin, _ := datasets.Linear(30, 1, 0.1, 1)
	lin.Y[3] = float32(math.NaN())
	p, err = Scatter(lin)
	if err != nil {
		t.Fatal(err)
	}
	if p.X.Label.Text != "x1" || p.Y.Label.Text != "y" {
		t.Errorf("axes %q, %q; want x1, y", p.X.Label.Text, p.Y.Label.Text)
	}
	renderPNG(t, p)

	lin2, _ := datasets.Linear(30, 2, 0.1, 1)
	_, err = Scatter(lin2)
	wantErr(t, err, "regression data with 2 features")
	_, err = Scatter(&datasets.Dataset{X: []float32{1, 2, 3}, Shape: []int{2}})
	wantErr(t, err, "3 feature values do not make whole samples")
	_, err = Scatter(&datasets.Dataset{X: []float32{1, 2}, Shape: []int{2}})
	wantErr(t, err, "unlabelled data")
}

func TestRegressionFit(t *testing.T) {
	d, coef := datasets.Linear(40, 1, 0.05, 3)
	line := regressorFunc(func(x []float32) ([]float32, error) {
		out := make([]float32, len(x))
		for i, v := range x {
			out[i] = float32(coef[0]*float64(v) + coef[1])
		}
		return out, nil
	})
	wild := regressorFunc(func(x []float32) ([]float32, error) {
		out := make([]float32, len(x))
		for i := range out {
			out[i] = float32(math.NaN()) // skipped, not an error
		}
		return out, nil
	})
	p, err := RegressionFit(d, []Fit{{"linear", line}, {"diverged", wild}},
		Series{Name: "truth", X: []float64{-1, 1}, Y: []float64{coef[1] - coef[0], coef[1] + coef[0]}, Dashed: true})
	if err != nil {
		t.Fatal(err)
	}
	img := renderPNG(t, p)
	// The fit's curve passes through its value at x = 0.
	if px := dataPixel(p, 0, coef[1]); countNear(subImage(img, px, 2), colorOf(1), 40) == 0 {
		t.Errorf("no pixel of the fit's colour near %v", px)
	}

	_, err = RegressionFit(d, []Fit{{"nil", nil}})
	wantErr(t, err, `fit "nil" has no model`)
	_, err = RegressionFit(d, []Fit{{"short", regressorFunc(func(x []float32) ([]float32, error) { return x[:3], nil })}})
	wantErr(t, err, "3 predictions for 200 inputs")
	boom := errors.New("boom")
	_, err = RegressionFit(d, []Fit{{"err", regressorFunc(func([]float32) ([]float32, error) { return nil, boom })}})
	if !errors.Is(err, boom) {
		t.Errorf("model error %v; want it wrapped", err)
	}
	_, err = RegressionFit(corners(), nil)
	wantErr(t, err, "want 1-D regression data")
	_, err = RegressionFit(d, nil, Series{Name: "bad", X: []float64{1}, Y: []float64{1, 2}})
	wantErr(t, err, "1 x values for 2 y values")
}
