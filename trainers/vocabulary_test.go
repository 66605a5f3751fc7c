package trainers

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
)

// A perceptron started at zero learns: a sample on the boundary (z = 0)
// counts as a mistake, as in Rosenblatt's rule, and the first update
// moves the weights to that sample.
func TestPerceptronLearnsFromZero(t *testing.T) {
	d := datasets.Blobs(100, 2, 0.5, 3)
	m := mustModel(t)(models.NewPerceptron(2, models.WithSeed(1)))
	for _, p := range m.Params() {
		p.SetFloat64s(make([]float64, p.Size()))
	}
	h := fit(t, m, d, Config{Optimizer: SGD{LearningRate: 1}, BatchSize: 1, Epochs: 20, NoShuffle: true})
	if acc := accuracy(t, m, d); acc != 1 {
		t.Errorf("perceptron from zero: accuracy %v after %d epochs; want 1 on separable blobs", acc, len(h.Epochs))
	}
	// The first sample was on the boundary, so the first update was
	// w = s·x, b = s: the sample's own features, signed by its class.
	m2 := mustModel(t)(models.NewPerceptron(2, models.WithSeed(1)))
	for _, p := range m2.Params() {
		p.SetFloat64s(make([]float64, p.Size()))
	}
	one := d.Subset([]int{0})
	fit(t, m2, one, Config{Optimizer: SGD{LearningRate: 1}, BatchSize: 1, Epochs: 1})
	s := 2*float64(one.Y[0]) - 1
	want := []float64{s * float64(one.X[0]), s * float64(one.X[1])}
	if got := m2.Param("dense_1/kernel").Float64s(); math.Abs(got[0]-want[0]) > 1e-6 || math.Abs(got[1]-want[1]) > 1e-6 {
		t.Errorf("kernel after one update from zero = %v; want %v", got, want)
	}
}

// A BatchNorm ConvNet trains, moves its running statistics, and predicts
// the same after a save and a load; its inference uses the running
// statistics, not the batch's.
func TestBatchNormConvNet(t *testing.T) {
	img := datasets.Blobs(96, 3, 0.3, 5) // 2 features, padded into 1×4×4 images below
	x := make([]float32, img.Len()*16)
	for i := range img.Len() {
		for j := range 16 {
			x[i*16+j] = img.X[2*i+j%2] * float32(1+j/4)
		}
	}
	d := &datasets.Dataset{Name: "images", X: x, Shape: []int{1, 4, 4}, Y: img.Y, Classes: img.Classes}
	m := mustModel(t)(models.New(models.Sequential([]int{1, 4, 4},
		models.Conv2D(4, 3, models.Linear).WithPadding(models.Same), models.BatchNorm(), models.Activation(models.ReLU),
		models.MaxPool2D(2), models.Flatten(), models.Dense(3, models.Softmax)), models.WithSeed(2)))
	fit(t, m, d, Config{Optimizer: Adam{LearningRate: 0.02}, Epochs: 15, BatchSize: 16, Seed: 1})
	if acc := accuracy(t, m, d); acc < 0.9 {
		t.Errorf("accuracy %v; want ≥ 0.9", acc)
	}
	mean, variance := m.Param("batchnorm_1/moving_mean").Float64s(), m.Param("batchnorm_1/moving_variance").Float64s()
	if slices.Equal(mean, make([]float64, 4)) || slices.Equal(variance, []float64{1, 1, 1, 1}) {
		t.Errorf("running statistics did not move: mean %v, variance %v", mean, variance)
	}
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	loaded, err := models.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	a, err := m.Predict(d.X)
	if err != nil {
		t.Fatal(err)
	}
	b, err := loaded.Predict(d.X)
	if err != nil || !slices.Equal(a, b) {
		t.Fatalf("the loaded model predicts differently (%v)", err)
	}
	// One sample alone gets the same prediction as in a batch: inference
	// does not use batch statistics.
	single, err := loaded.Predict(d.X[:16])
	if err != nil || !slices.Equal(single, a[:3]) {
		t.Errorf("one sample predicts %v alone, %v in a batch", single, a[:3])
	}
}

// The running statistics follow Keras' rule exactly: after one step from
// the initial 0 and 1, moving = 0.99·initial + 0.01·batch.
func TestBatchNormRunningStatistics(t *testing.T) {
	d := &datasets.Dataset{Name: "d", X: []float32{1, 10, 3, 20, 5, 60}, Shape: []int{2}, Y: []float32{0, 1, 2}, Targets: []string{"y"}}
	d.Y = []float32{0.5, 1, 1.5}
	for _, opts := range [][]models.Option{nil, {models.WithGorgoniaOps()}} {
		m := mustModel(t)(models.New(models.Sequential([]int{2}, models.BatchNorm(), models.Dense(1, models.Linear)),
			append(opts, models.WithSeed(1), models.WithFloat64())...))
		fit(t, m, d, Config{Optimizer: SGD{LearningRate: 0.01}, Epochs: 1, BatchSize: 3, NoShuffle: true})
		mean := m.Param("batchnorm_1/moving_mean").Float64s()
		variance := m.Param("batchnorm_1/moving_variance").Float64s()
		wantMean := []float64{0.01 * 3, 0.01 * 30}
		wantVar := []float64{0.99 + 0.01*8.0/3, 0.99 + 0.01*(400+100+900)/3.0}
		for i := range 2 {
			if math.Abs(mean[i]-wantMean[i]) > 1e-12 || math.Abs(variance[i]-wantVar[i]) > 1e-12 {
				t.Errorf("Gorgonia's ops %v, feature %d: running mean %v, variance %v; want %v, %v", m.UsesGorgoniaOps(), i, mean[i], variance[i], wantMean[i], wantVar[i])
			}
		}
	}
}
