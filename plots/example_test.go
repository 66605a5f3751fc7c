package plots_test

import (
	"bytes"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/plots"
	"github.com/dlgo/dlgo/trainers"
)

// pngSize decodes the size of an encoded PNG.
func pngSize(b []byte) string {
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%dx%d", cfg.Width, cfg.Height)
}

// rightOfZero is a stand-in for a trained model: class 1 where x1 > 0.5.
type rightOfZero struct{}

func (rightOfZero) PredictClasses(x []float32) ([]int, error) {
	out := make([]int, len(x)/2)
	for i := range out {
		if x[2*i] > 0.5 {
			out[i] = 1
		}
	}
	return out, nil
}

func ExampleDecisionRegions() {
	d := datasets.XOR(40, 0.1, 1)
	p, err := plots.DecisionRegions(rightOfZero{}, d, 100)
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := plots.PNG(p, 4*vg.Inch, 3*vg.Inch) // for gonbui.DisplayPng(b)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Title.Text, pngSize(b))
	// Output: xor 384x288
}

func ExampleDecisionRegions_error() {
	d, _ := datasets.Linear(10, 3, 0.1, 1)
	_, err := plots.DecisionRegions(rightOfZero{}, d, 0)
	fmt.Println(err)
	// Output: plots: decision regions: regression data with 3 features and 1 targets; want 2-D classification data
}

func ExampleHistory() {
	h := &trainers.History{}
	for e := 1; e <= 10; e++ {
		h.Epochs = append(h.Epochs, trainers.EpochLog{Epoch: e, Duration: time.Second, Logs: map[string]float64{
			"loss":     1 / float64(e),
			"val_loss": 1/float64(e) + 0.02*float64(e),
		}})
	}
	p, err := plots.History(h, "loss", 7) // early stopping restored epoch 7
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := plots.PNG(p, 5*vg.Inch, 3*vg.Inch)
	fmt.Println(p.Title.Text, p.X.Label.Text, pngSize(b))
	// Output: loss epoch 480x288
}

func ExampleCurves() {
	var series []plots.Series
	for _, lr := range []float64{0.01, 0.1, 1.5} {
		s := plots.Series{Name: fmt.Sprint("lr ", lr)}
		loss := 1.0
		for range 20 {
			loss *= math.Abs(1 - 1.8*lr)
			s.Y = append(s.Y, loss)
		}
		series = append(series, s)
	}
	p, err := plots.Curves("loss by learning rate", "step", "loss", true, series...)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Title.Text)
	// Output: loss by learning rate
}

func ExampleContours() {
	loss := func(w1, w2 float64) float64 { return w1*w1 + 10*w2*w2 }
	path := plots.Path{Name: "SGD"}
	w1, w2 := -4.0, 1.5
	for range 20 {
		path.Points = append(path.Points, [2]float64{w1, w2})
		w1, w2 = w1-0.05*2*w1, w2-0.05*20*w2
	}
	p, err := plots.Contours(loss, [2]float64{-5, 5}, [2]float64{-2, 2}, path)
	if err != nil {
		fmt.Println(err)
		return
	}
	p.X.Label.Text, p.Y.Label.Text = "w1", "w2"
	b, _ := plots.PNG(p, 4*vg.Inch, 3*vg.Inch)
	fmt.Println(pngSize(b))
	// Output: 384x288
}

func ExampleFuncSeries() {
	relu, err := plots.FuncSeries("relu", func(z float64) float64 { return math.Max(0, z) }, -3, 3, 61)
	if err != nil {
		fmt.Println(err)
		return
	}
	step, _ := plots.FuncSeries("relu'", func(z float64) float64 { return math.Copysign(0.5, z) + 0.5 }, -3, 3, 61)
	step.Dashed = true
	p, err := plots.Curves("ReLU and its derivative", "z", "", false, relu, step)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Title.Text, len(relu.X))
	// Output: ReLU and its derivative 61
}

func ExampleConfusionCounts() {
	d := datasets.XOR(8, 0, 1) // classes 0, 1, 1, 0, 0, 1, 1, 0
	predicted := []int{0, 1, 0, 0, 0, 1, 1, 1}
	counts, err := plots.ConfusionCounts(d, predicted)
	if err != nil {
		fmt.Println(err)
		return
	}
	p, _ := plots.ConfusionMatrix(counts, d.Classes)
	fmt.Println(counts, p.Title.Text)
	// Output: [[3 1] [1 3]] accuracy 75.0% (6 of 8)
}

func ExampleConfusionMatrix() {
	p, err := plots.ConfusionMatrix([][]int{{45, 5}, {3, 47}}, []string{"cat", "dog"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Title.Text)
	// Output: accuracy 92.0% (92 of 100)
}

func ExampleImageGrid() {
	// Two 3×3 filters with negative weights, stretched to black … white.
	filters := [][]float32{
		{-1, 0, 1, -1, 0, 1, -1, 0, 1},
		{1, 1, 1, 0, 0, 0, -1, -1, -1},
	}
	p, err := plots.ImageGrid(filters, 3, 3, 2, []string{"vertical", "horizontal"}, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	p.Title.Text = "first-layer filters"
	b, _ := plots.PNG(p, 3*vg.Inch, 2*vg.Inch)
	fmt.Println(pngSize(b))
	// Output: 288x192
}

func ExampleBars() {
	p, err := plots.Bars("gradient norm by layer", "norm",
		[]string{"dense1", "dense2", "dense3"}, []float64{1e-6, 1e-4, 1e-2}, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Y.Min, p.Y.Max)
	// Output: 1e-06 0.04
}

func ExampleSave() {
	dir, err := os.MkdirTemp("", "plots")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	p, err := plots.Scatter(datasets.Moons(100, 0.1, 1))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range []string{"moons.png", "moons.svg", "moons.jpg"} {
		err := plots.Save(p, filepath.Join(dir, name), 4*vg.Inch, 3*vg.Inch)
		fmt.Println(name, err == nil)
	}
	// Output:
	// moons.png true
	// moons.svg true
	// moons.jpg false
}

func ExamplePanels() {
	a, _ := plots.Curves("lr 0.01", "step", "loss", false, plots.Series{Y: []float64{1, 0.9, 0.8}})
	b, _ := plots.Curves("lr 1.5", "step", "loss", false, plots.Series{Y: []float64{1, 2, 4}})
	fig, err := plots.Panels(2, a, b)
	if err != nil {
		fmt.Println(err)
		return
	}
	png, _ := plots.PNG(fig, 8*vg.Inch, 3*vg.Inch)
	fmt.Println(pngSize(png))
	// Output: 768x288
}

// cubic is a stand-in for a trained regression model.
type cubic struct{}

func (cubic) Predict(x []float32) ([]float32, error) {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = v - v*v*v/6
	}
	return out, nil
}

func ExampleRegressionFit() {
	d := datasets.Function(math.Sin, 30, -3, 3, 0.1, 1)
	truth, err := plots.FuncSeries("sin x", math.Sin, -3, 3, 200)
	if err != nil {
		fmt.Println(err)
		return
	}
	truth.Dashed = true
	p, err := plots.RegressionFit(d, []plots.Fit{{Name: "cubic", Model: cubic{}}}, truth)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.X.Label.Text, p.Y.Label.Text)
	// Output: x y
}

func ExampleSampleGrid() {
	// Four 2×2 "images" of classes 0 and 1; sample 2 is misclassified.
	d := &datasets.Dataset{
		Shape:   []int{1, 2, 2},
		X:       []float32{0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1},
		Y:       []float32{0, 1, 0, 1},
		Classes: []string{"/", "\\"},
	}
	p, err := plots.SampleGrid(d, []int{0, 1, 2, 3}, []int{0, 1, 1, 1}, 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := plots.PNG(p, 4*vg.Inch, 1.5*vg.Inch)
	fmt.Println(pngSize(b))
	// Output: 384x144
}

func ExampleReconstructions() {
	// Two 2×2 images above an autoencoder's blurred reconstructions.
	originals := [][]float32{{1, 0, 0, 1}, {0, 1, 1, 0}}
	reconstructions := [][]float32{{0.8, 0.2, 0.1, 0.9}, {0.3, 0.7, 0.6, 0.2}}
	p, err := plots.Reconstructions(originals, reconstructions, 2, 2, 0, []string{"a", "b"})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := plots.PNG(p, 3*vg.Inch, 3*vg.Inch)
	fmt.Println(pngSize(b))
	// Output: 288x288
}

func ExampleLatent() {
	// The 2-D codes of four samples of two classes.
	codes := []float32{-1, 0.5, -0.8, 0.7, 1.2, -0.3, 0.9, -0.6}
	p, err := plots.Latent(codes, 2, []int{0, 0, 1, 1}, []string{"cat", "dog"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.X.Label.Text, p.Y.Label.Text)
	// Output: z[0] z[1]
}

// gradient stands in for a VAE's decoder: 4×4 images whose brightness is
// the first latent value, from -1 (black) to 1 (white).
type gradient struct{}

func (gradient) Decode(z []float32) ([]float32, error) {
	out := make([]float32, 0, len(z)/2*16)
	for i := 0; i < len(z); i += 2 {
		for range 16 {
			out = append(out, (z[i]+1)/2)
		}
	}
	return out, nil
}

func ExampleManifold() {
	p, err := plots.Manifold(gradient{}, 10, 1, 4, 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := plots.PNG(p, 4*vg.Inch, 4*vg.Inch)
	fmt.Println(pngSize(b), p.X.Min, p.X.Max)
	// Output: 384x384 -1.1111111111111112 1.1111111111111112
}
