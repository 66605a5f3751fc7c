package plots

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/trainers"
)

// TestGallery renders one figure of each kind for each chapter, into
// $PLOTS_GALLERY if set (to look at them), else a temporary directory.
func TestGallery(t *testing.T) {
	dir := os.Getenv("PLOTS_GALLERY")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	type fig struct {
		name string
		w, h vg.Length
		make func() (Drawer, error)
	}
	asDrawer := func(p *plot.Plot, err error) (Drawer, error) { return p, err }
	moons := datasets.Moons(200, 0.15, 1)
	figs := []fig{
		{"scatter_blobs", 5, 4, func() (Drawer, error) { return asDrawer(Scatter(datasets.Blobs(300, 3, 0.8, 1))) }},
		{"regions_moons", 5, 4, func() (Drawer, error) { return asDrawer(DecisionRegions(moonsClassifier{}, moons, 0)) }},
		{"regression_fit", 5, 4, func() (Drawer, error) { return asDrawer(galleryRegression()) }},
		{"history_marker", 5, 3.5, func() (Drawer, error) { return asDrawer(History(galleryHistory(), "loss", 12)) }},
		{"history_accuracy", 5, 3.5, func() (Drawer, error) { return asDrawer(History(galleryHistory(), "accuracy", 12)) }},
		{"curves_lr_log", 5, 3.5, func() (Drawer, error) { return asDrawer(galleryLRCurves(true)) }},
		{"panels_lr", 9, 3, galleryPanels},
		{"contours_paths", 5, 4, func() (Drawer, error) { return asDrawer(galleryContours()) }},
		{"activations", 5, 3.5, func() (Drawer, error) { return asDrawer(galleryActivations()) }},
		{"bars_gradnorms", 5, 3.5, func() (Drawer, error) { return asDrawer(galleryBars()) }},
		{"confusion_3", 4, 4, func() (Drawer, error) {
			return asDrawer(ConfusionMatrix([][]int{{50, 2, 0}, {5, 40, 5}, {0, 1, 47}}, []string{"setosa", "versicolor", "virginica"}))
		}},
		{"confusion_10", 5, 5, func() (Drawer, error) { return asDrawer(galleryConfusion10()) }},
		{"digits", 6, 4, func() (Drawer, error) { return asDrawer(galleryDigits()) }},
		{"filters", 5, 3, func() (Drawer, error) { return asDrawer(galleryFilters()) }},
		{"filters_convnet", 6, 3.4, func() (Drawer, error) { return asDrawer(galleryConvFilters()) }},
		{"filter_maps", 6, 3.4, func() (Drawer, error) { return asDrawer(galleryFilterMaps()) }},
		{"feature_maps", 6, 3.4, func() (Drawer, error) { return asDrawer(galleryFeatureMaps()) }},
		{"unit_maps", 6, 3, func() (Drawer, error) { return asDrawer(galleryUnitMaps()) }},
		{"hidden_space", 5, 4, func() (Drawer, error) { return asDrawer(galleryHiddenSpace()) }},
		{"curve1d", 5, 3.5, func() (Drawer, error) { return asDrawer(galleryCurve1D()) }},
	}
	if os.Getenv("PLOTS_GALLERY") != "" {
		figs = append(figs, fig{"mnist", 6, 3.2, func() (Drawer, error) { return asDrawer(galleryMNIST(t)) }})
	}
	for _, f := range figs {
		d, err := f.make()
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		if err := Save(d, filepath.Join(dir, f.name+".png"), f.w*vg.Inch, f.h*vg.Inch); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
	}
}

// moonsClassifier separates the two moons by a curve: class 1 below
// x2 = 0.5·cos(π·x1)·… a hand-made boundary that looks like a net's.
type moonsClassifier struct{}

func (moonsClassifier) PredictClasses(x []float32) ([]int, error) {
	out := make([]int, len(x)/2)
	for i := range out {
		x1, x2 := float64(x[2*i]), float64(x[2*i+1])
		if x2 < 0.25-0.5*math.Sin(math.Pi*(x1-0.5)) {
			out[i] = 1
		}
	}
	return out, nil
}

// polyRegressor predicts a fixed function of its single input.
type polyRegressor func(float64) float64

func (f polyRegressor) Predict(x []float32) ([]float32, error) {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(f(float64(v)))
	}
	return out, nil
}

func galleryRegression() (*plot.Plot, error) {
	d, _ := datasets.Linear(60, 1, 0.3, 2)
	for i := range d.Y { // bend it, so that the fits differ
		x := float64(d.X[i])
		d.Y[i] += float32(math.Sin(3 * x))
	}
	d.Name = "1-D regression"
	return RegressionFit(d, []Fit{
		{"width 2", polyRegressor(func(x float64) float64 { return 1.2 * x })},
		{"width 32", polyRegressor(func(x float64) float64 { return 1.2*x + 0.9*math.Sin(3*x) })},
	}, Series{Name: "true function", X: []float64{-1, 0, 1}, Y: []float64{-1, 0, 1}, Dashed: true})
}

func galleryHistory() *trainers.History {
	h := &trainers.History{}
	for e := 1; e <= 20; e++ {
		x := float64(e)
		h.Epochs = append(h.Epochs, trainers.EpochLog{Epoch: e, Duration: time.Second, Logs: map[string]float64{
			"loss":         0.1 + math.Exp(-x/4),
			"val_loss":     0.25 + math.Exp(-x/4) + 0.004*(x-12)*(x-12)*float64(sign(x-12)),
			"accuracy":     1 - 0.5*math.Exp(-x/4),
			"val_accuracy": 0.9 - 0.5*math.Exp(-x/4),
		}})
	}
	return h
}

func sign(x float64) int {
	if x > 0 {
		return 1
	}
	return 0
}

func lrSeries() []Series {
	var series []Series
	for _, lr := range []float64{0.001, 0.01, 0.1, 1.2} {
		s := Series{Name: "lr " + strconv.FormatFloat(lr, 'g', -1, 64)}
		loss := 1.0
		for range 50 {
			loss *= math.Abs(1 - lr*1.8)
			s.Y = append(s.Y, loss+1e-3)
		}
		if lr > 1 {
			s.Y[45] = math.Inf(1)
			s.Y[46] = math.NaN()
		}
		series = append(series, s)
	}
	return series
}

func galleryLRCurves(logY bool) (*plot.Plot, error) {
	return Curves("loss by learning rate", "step", "loss", logY, lrSeries()...)
}

func galleryPanels() (Drawer, error) {
	var ps []*plot.Plot
	for _, s := range lrSeries()[1:] {
		p, err := Curves(s.Name, "step", "loss", false, s)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return Panels(0, ps...)
}

func galleryContours() (*plot.Plot, error) {
	f := func(x, y float64) float64 { return x*x + 10*y*y }
	var sgd, mom Path
	sgd.Name, mom.Name = "SGD", "momentum"
	x, y := -4.0, 1.5
	for range 30 {
		sgd.Points = append(sgd.Points, [2]float64{x, y})
		x, y = x-0.09*2*x, y-0.09*20*y
	}
	x, y = -4.0, 1.5
	var vx, vy float64
	for range 30 {
		mom.Points = append(mom.Points, [2]float64{x, y})
		vx, vy = 0.8*vx-0.02*2*x, 0.8*vy-0.02*20*y
		x, y = x+vx, y+vy
	}
	p, err := Contours(f, [2]float64{-5, 5}, [2]float64{-2, 2}, sgd, mom)
	if err != nil {
		return nil, err
	}
	p.Title.Text = "L(w) = w1² + 10·w2²"
	p.X.Label.Text, p.Y.Label.Text = "w1", "w2"
	return p, nil
}

func galleryActivations() (*plot.Plot, error) {
	sig := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	var series []Series
	for _, f := range []struct {
		name   string
		f      func(float64) float64
		dashed bool
	}{
		{"sigmoid", sig, false},
		{"sigmoid'", func(x float64) float64 { return sig(x) * (1 - sig(x)) }, true},
		{"tanh", math.Tanh, false},
		{"relu", func(x float64) float64 { return math.Max(0, x) }, false},
	} {
		s, err := FuncSeries(f.name, f.f, -5, 5, 201)
		if err != nil {
			return nil, err
		}
		s.Dashed = f.dashed
		series = append(series, s)
	}
	return Curves("activations", "z", "f(z)", false, series...)
}

func galleryBars() (*plot.Plot, error) {
	labels := []string{"dense1", "dense2", "dense3", "dense4", "dense5", "dense6", "output"}
	values := []float64{2e-7, 3e-6, 4e-5, 6e-4, 5e-3, 4e-2, 0.3}
	return Bars("gradient norm by layer (sigmoid)", "gradient norm", labels, values, true)
}

func galleryConfusion10() (*plot.Plot, error) {
	classes := make([]string, 10)
	counts := make([][]int, 10)
	for i := range counts {
		classes[i] = strconv.Itoa(i)
		counts[i] = make([]int, 10)
		for j := range counts[i] {
			counts[i][j] = (i*7 + j*3) % 5
			if (i+j)%4 != 0 {
				counts[i][j] = 0
			}
		}
		counts[i][i] = 950 + 5*i
	}
	counts[4][9], counts[7][2] = 31, 12
	return ConfusionMatrix(counts, classes)
}

// digitImage draws a crude digit-like stroke: a ring for even k, a bar for
// odd k.
func digitImage(k int) []float32 {
	img := make([]float32, 28*28)
	for y := range 28 {
		for x := range 28 {
			dx, dy := float64(x)-13.5, float64(y)-13.5
			var v float64
			if k%2 == 0 {
				r := math.Hypot(dx/0.7, dy)
				v = math.Max(0, 1-math.Abs(r-8)/2.5)
			} else {
				v = math.Max(0, 1-math.Abs(dx+0.2*dy)/2.5) * b2f(math.Abs(dy) < 10)
			}
			img[y*28+x] = float32(v)
		}
	}
	return img
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func galleryDigits() (*plot.Plot, error) {
	n := 16
	d := &datasets.Dataset{Name: "digits", Shape: []int{1, 28, 28}, Classes: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}}
	pred := make([]int, n)
	for i := range n {
		d.X = append(d.X, digitImage(i)...)
		d.Y = append(d.Y, float32(i%10))
		pred[i] = i % 10
	}
	pred[3], pred[10] = 5, 6
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	p, err := SampleGrid(d, idx, pred, 8)
	if err != nil {
		return nil, err
	}
	p.Title.Text = "test samples (red: misclassified)"
	return p, nil
}

func galleryFilters() (*plot.Plot, error) {
	var filters [][]float32
	var titles []string
	for k := range 16 {
		f := make([]float32, 9)
		for i := range f {
			f[i] = float32(math.Sin(float64(k*3+i)) * 0.3)
		}
		filters = append(filters, f)
		titles = append(titles, "f"+strconv.Itoa(k))
	}
	p, err := ImageGrid(filters, 3, 3, 8, titles, true)
	if err != nil {
		return nil, err
	}
	p.Title.Text = "first-layer filters"
	return p, nil
}

// galleryConvFilters draws the first-layer filters of an untrained
// ConvNet.
func galleryConvFilters() (*plot.Plot, error) {
	m, err := models.NewConvNet([]int{1, 28, 28}, 10, models.WithSeed(1))
	if err != nil {
		return nil, err
	}
	return Filters(m.Param("conv2d_1/kernel"), 8)
}

// galleryMNIST shows the first 24 test digits with made-up predictions; it
// skips the test if MNIST is not at hand offline.
func galleryMNIST(t *testing.T) (*plot.Plot, error) {
	d, err := datasets.LoadMNIST("test", datasets.MNISTOptions{Offline: true})
	if err != nil {
		t.Skipf("no MNIST: %v", err)
	}
	pred := make([]int, d.Len())
	for i := range pred {
		pred[i] = d.Label(i)
	}
	pred[3], pred[8] = 6, 5
	idx := make([]int, 24)
	for i := range idx {
		idx[i] = i
	}
	p, err := SampleGrid(d, idx, pred, 12)
	if err != nil {
		return nil, err
	}
	p.Title.Text = "MNIST test digits (red: misclassified)"
	return p, nil
}

// galleryFilterMaps draws the first-layer filters of an untrained ConvNet
// on one colour scale.
func galleryFilterMaps() (*plot.Plot, error) {
	m, err := models.NewConvNet([]int{1, 28, 28}, 10, models.WithSeed(1))
	if err != nil {
		return nil, err
	}
	return FilterMaps(m.Param("conv2d_1/kernel"), 8)
}

// galleryFeatureMaps draws an untrained ConvNet's first feature maps of a
// made-up digit.
func galleryFeatureMaps() (*plot.Plot, error) {
	m, err := models.NewConvNet([]int{1, 28, 28}, 10, models.WithSeed(1))
	if err != nil {
		return nil, err
	}
	return FeatureMaps(m, digitImage(3), "conv2d_1", 8)
}

// galleryUnitMaps draws the hidden units of an untrained tanh MLP over
// the plane of two moons.
func galleryUnitMaps() (*plot.Plot, error) {
	m, err := models.NewMLP(2, []models.Hidden{{Units: 6, Activation: models.Tanh}}, models.BinaryOutput(), models.WithSeed(2))
	if err != nil {
		return nil, err
	}
	return UnitMaps(m, "dense_1", datasets.Moons(200, 0.15, 1), 0)
}

// galleryHiddenSpace draws two moons in the 2-unit hidden layer of an
// untrained MLP.
func galleryHiddenSpace() (*plot.Plot, error) {
	m, err := models.NewMLP(2, []models.Hidden{{Units: 8, Activation: models.Tanh}, {Units: 2, Activation: models.Tanh}}, models.BinaryOutput(), models.WithSeed(2))
	if err != nil {
		return nil, err
	}
	return HiddenSpace(m, "dense_2", datasets.Moons(200, 0.15, 1), 0)
}

// galleryCurve1D draws gradient descent on a parabola, with its minimum.
func galleryCurve1D() (*plot.Plot, error) {
	f := func(w float64) float64 { return (w - 1) * (w - 1) }
	var pts [][2]float64
	for w, i := -2.0, 0; i < 8; i++ {
		pts = append(pts, [2]float64{w, f(w)})
		w -= 0.3 * 2 * (w - 1)
	}
	return Curve1D(f, [2]float64{-2.5, 4}, Path{Name: "lr 0.3", Points: pts}, Path{Name: "minimum", Points: [][2]float64{{1, 0}}, Marker: true})
}
