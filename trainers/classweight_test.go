package trainers

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
)

// threeClasses has 6, 2 and 2 samples of classes a, b and c.
func threeClasses() *datasets.Dataset {
	d := &datasets.Dataset{Name: "abc", Shape: []int{2}, Classes: []string{"a", "b", "c"}}
	for i, c := range []float32{0, 0, 0, 0, 0, 0, 1, 1, 2, 2} {
		d.X = append(d.X, float32(i%3), float32(i%2))
		d.Y = append(d.Y, c)
	}
	return d
}

// scikit-learn's balanced weights: n / (k·n_c) = 10/18, 10/6, 10/6.
func TestBalancedClassWeights(t *testing.T) {
	w, err := BalancedClassWeights(threeClasses())
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{10.0 / 18, 10.0 / 6, 10.0 / 6}
	for i := range want {
		if math.Abs(w[i]-want[i]) > 1e-15 {
			t.Fatalf("BalancedClassWeights = %v; want %v", w, want)
		}
	}
	reg, _ := datasets.Linear(10, 1, 0.1, 1)
	if _, err := BalancedClassWeights(reg); err == nil {
		t.Error("balanced weights of a regression set: no error")
	}
}

// A model whose weights are all 0 gives every sample the loss ln 3; class
// weights 1, 3 and 0.5 make the first batch's loss (6·1 + 2·3 + 2·0.5)/10
// · ln 3 = 1.3 ln 3, and without weights it is ln 3. The update then
// follows the weighted gradient: class c's logit moves in proportion to
// its weight.
func TestClassWeightsWeighTheLoss(t *testing.T) {
	for _, opts := range [][]models.Option{nil, {models.WithFloat64()}, {models.WithGorgoniaOps()}} {
		for _, tt := range []struct {
			weights []float64
			want    float64
		}{{nil, math.Log(3)}, {[]float64{1, 3, 0.5}, 1.3 * math.Log(3)}} {
			m := mustModel(t)(models.NewLogisticRegression(2, 3, opts...))
			for _, p := range m.Params() {
				if err := p.SetFloat64s(make([]float64, p.Size())); err != nil {
					t.Fatal(err)
				}
			}
			var first float64
			probe := BatchEndFunc(func(s *State) error {
				if s.Step == 1 {
					first = s.BatchLoss
				}
				return nil
			})
			fit(t, m, threeClasses(), Config{Optimizer: SGD{LearningRate: 0.1}, Epochs: 1, BatchSize: 10, NoShuffle: true,
				ClassWeights: tt.weights, Callbacks: []Callback{probe}})
			if math.Abs(first-tt.want) > 1e-6 {
				t.Errorf("weights %v (%d options): first loss %v; want %v", tt.weights, len(opts), first, tt.want)
			}
			// The bias gradient of class c is Σ_i w_i (1/3 − [y_i = c]) / n:
			// with weights 1, 3, 0.5 it is (13/3 − 6)/10, (13/3 − 6)/10,
			// (13/3 − 1)/10; without, (10/3 − 6)/10, (10/3 − 2)/10 twice.
			bias := m.Param("dense_1/bias").Float64s()
			wantBias := []float64{-(10.0/3 - 6) / 100, -(10.0/3 - 2) / 100, -(10.0/3 - 2) / 100}
			if tt.weights != nil {
				wantBias = []float64{-(13.0/3 - 6) / 100, -(13.0/3 - 6) / 100, -(13.0/3 - 1) / 100}
			}
			for c := range bias {
				if math.Abs(bias[c]-wantBias[c]) > 1e-6 {
					t.Errorf("weights %v (%d options): biases after one step %v; want %v", tt.weights, len(opts), bias, wantBias)
					break
				}
			}
		}
	}
}

func TestClassWeightsRefused(t *testing.T) {
	d := threeClasses()
	m := mustModel(t)(models.NewLogisticRegression(2, 3))
	reg, _ := datasets.Linear(20, 2, 0.1, 1)
	lin := mustModel(t)(models.NewLinearRegression(2, 1))
	for _, tt := range []struct {
		m    Model
		d    *datasets.Dataset
		w    []float64
		want string
	}{
		{m, d, []float64{1, 2}, "2 class weights for the 3 classes"},
		{m, d, []float64{1, -2, 1}, "non-negative"},
		{m, d, []float64{1, math.NaN(), 1}, "non-negative"},
		{lin, reg, []float64{1}, "apply to a classifier"},
	} {
		_, err := Fit(context.Background(), tt.m, tt.d, Config{ClassWeights: tt.w})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("weights %v: %v; want an error containing %q", tt.w, err, tt.want)
		}
	}
}

// Clipping by the global norm, as PyTorch's clip_grad_norm_: gradients
// (3, 4) and (12) have norm 13; clipped to 1 they are scaled by
// 1/(13 + 1e-6); below the limit they are left alone.
func TestClipGradients(t *testing.T) {
	a, b := []float64{3, 4}, []float64{12}
	if norm := clipGradients[float64]([]any{a, b}, 1); norm != 13 {
		t.Errorf("norm %v; want 13", norm)
	}
	c := 1 / (13 + 1e-6)
	if want := []float64{3 * c, 4 * c}; math.Abs(a[0]-want[0]) > 1e-15 || math.Abs(a[1]-want[1]) > 1e-15 || math.Abs(b[0]-12*c) > 1e-15 {
		t.Errorf("clipped to %v, %v; want %v, %v", a, b, want, 12*c)
	}
	small := []float32{0.3, 0.4}
	clipGradients[float32]([]any{small}, 1)
	if !slices.Equal(small, []float32{0.3, 0.4}) {
		t.Errorf("a gradient of norm 0.5 was changed to %v by clipping at 1", small)
	}
	// Two parameters sharing one gradient's memory are scaled once.
	shared := []float64{6, 8}
	clipGradients[float64]([]any{shared, shared}, 1)
	if n := math.Hypot(shared[0], shared[1]); math.Abs(n-10/(math.Sqrt(200)+1e-6)) > 1e-12 {
		t.Errorf("shared gradient clipped to norm %v", n)
	}
}

// Through Fit: with SGD, every update of the clipped run moves the
// parameters by at most η·ClipNorm in L2 norm.
func TestClipNormBoundsTheSteps(t *testing.T) {
	d := datasets.Blobs(100, 2, 1, 1)
	m := mustModel(t)(models.NewMLP(2, []models.Hidden{{Units: 8, Activation: models.Tanh}}, models.MulticlassOutput(2), models.WithSeed(1)))
	const lr, clip = 0.5, 0.01
	var before [][]float64
	var biggest float64
	track := &batchHooks{
		begin: func(s *State) { before = paramBits(s.Model) },
		end: func(s *State) error {
			var sum float64
			for i, p := range paramBits(s.Model) {
				for j, v := range p {
					sum += (v - before[i][j]) * (v - before[i][j])
				}
			}
			biggest = max(biggest, math.Sqrt(sum))
			before = paramBits(s.Model)
			return nil
		},
	}
	fit(t, m, d, Config{Optimizer: SGD{LearningRate: lr}, Epochs: 2, BatchSize: 10, ClipNorm: clip, Callbacks: []Callback{track}})
	if biggest > lr*clip*(1+1e-5) || biggest < lr*clip*0.5 {
		t.Errorf("largest step %v; want at most (and near) η·clip = %v", biggest, lr*clip)
	}
	if _, err := Fit(context.Background(), m, d, Config{ClipNorm: -1}); err == nil || !strings.Contains(err.Error(), "clipping") {
		t.Errorf("ClipNorm -1: %v", err)
	}
}

type batchHooks struct {
	NopCallback
	begin func(*State)
	end   func(*State) error
}

func (h *batchHooks) OnEpochBegin(s *State) error {
	if s.Epoch == 1 {
		h.begin(s)
	}
	return nil
}
func (h *batchHooks) OnBatchEnd(s *State) error { return h.end(s) }
