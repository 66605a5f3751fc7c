package trainers

import (
	"bytes"
	"fmt"
	"hash"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/chewxy/hm"
	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The gradients of real models agree with finite differences: dense
// layers with dropout and L2, both kinds of graph, a float32 model checked
// on a float64 copy, and a small ConvNet.
func TestGradCheckPasses(t *testing.T) {
	moons := datasets.Moons(40, 0.2, 1)
	mlp := func(opts ...models.Option) *models.Model {
		return mustModel(t)(models.NewMLP(2, []models.Hidden{
			{Units: 6, Activation: models.Tanh, Dropout: 0.3}, {Units: 5, Activation: models.Sigmoid}},
			models.BinaryOutput(), append([]models.Option{models.WithSeed(4)}, opts...)...))
	}
	images := datasets.Blobs(12, 3, 1, 2) // stand-in pixels: reshaped below
	img := &datasets.Dataset{Name: "tiny images", X: make([]float32, 12*36), Shape: []int{1, 6, 6}, Y: images.Y, Classes: images.Classes}
	for i := range img.X {
		img.X[i] = float32(math.Sin(float64(i) * 0.7))
	}
	conv := mustModel(t)(models.New(models.Sequential([]int{1, 6, 6},
		models.Conv2D(2, 3, models.ReLU), models.MaxPool2D(2), models.Flatten(), models.Dense(3, models.Softmax)),
		models.WithSeed(1), models.WithFloat64()))
	for _, tt := range []struct {
		name      string
		m         Model
		d         *datasets.Dataset
		cfg       GradCheckConfig
		converted bool
	}{
		{"fused float64, L2", mlp(models.WithFloat64()), moons, GradCheckConfig{L2: 0.1, MaxValues: -1}, false},
		{"gorgonia ops", mlp(models.WithFloat64(), models.WithGorgoniaOps()), moons, GradCheckConfig{Samples: 10}, false},
		{"float32 model", mlp(), moons, GradCheckConfig{}, true},
		{"convnet", conv, img, GradCheckConfig{Samples: 5}, false},
	} {
		r, err := GradCheck(tt.m, tt.d, tt.cfg)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !r.OK() || r.Err() != nil || r.Converted != tt.converted {
			var b bytes.Buffer
			r.WriteText(&b)
			t.Errorf("%s: the check failed (converted %v):\n%s", tt.name, r.Converted, b.String())
		}
		if w := r.Worst(); w.MaxRelError > 1e-6 {
			t.Errorf("%s: worst relative error %v at %s[%d]; want ≤ 1e-6", tt.name, w.MaxRelError, w.Name, w.Index)
		}
		var trainable int
		for _, p := range tt.m.Params() {
			if p.Trainable {
				trainable++
			}
		}
		if len(r.Params) != trainable {
			t.Errorf("%s: %d parameters checked; want %d", tt.name, len(r.Params), trainable)
		}
		for _, p := range r.Params {
			want := min(p.Size, 32)
			if tt.cfg.MaxValues < 0 {
				want = p.Size
			}
			if p.Checked != want {
				t.Errorf("%s: %s: %d of %d values checked; want %d", tt.name, p.Name, p.Checked, p.Size, want)
			}
		}
	}
}

// cubeOp computes x³ value by value, with a derivative of k·x²: correct for
// k = 3, a deliberately wrong gradient otherwise.
type cubeOp struct{ k float64 }

func (op cubeOp) Arity() int { return 1 }
func (op cubeOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (op cubeOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op cubeOp) ReturnsPtr() bool      { return false }
func (op cubeOp) CallsExtern() bool     { return false }
func (op cubeOp) OverwritesInput() int  { return -1 }
func (op cubeOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "cube%v", op.k) }
func (op cubeOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
func (op cubeOp) String() string { return fmt.Sprintf("Cube{%v}", op.k) }
func (op cubeOp) Do(vs ...G.Value) (G.Value, error) {
	x := vs[0].(*tensor.Dense)
	y := tensor.New(tensor.WithShape(x.Shape()...), tensor.Of(tensor.Float64))
	for i, v := range x.Data().([]float64) {
		y.Data().([]float64)[i] = v * v * v
	}
	return y, nil
}
func (op cubeOp) DiffWRT(int) []bool { return []bool{true} }
func (op cubeOp) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	sq, err := G.Square(in[0])
	if err != nil {
		return nil, err
	}
	d, err := G.Mul(sq, G.NewConstant(op.k))
	if err != nil {
		return nil, err
	}
	dx, err := G.HadamardProd(grad, d)
	return G.Nodes{dx}, err
}

// cubed is a test-only model: a linear layer whose output goes through
// cubeOp before the loss.
type cubed struct {
	*models.Model
	k float64
}

func (c cubed) Forward(g *G.ExprGraph, batch int, train bool) (*models.Net, error) {
	net, err := c.Model.Forward(g, batch, train)
	if err != nil {
		return nil, err
	}
	net.Out, err = G.ApplyOp(cubeOp{c.k}, net.Out)
	return net, err
}

// A wrong gradient is caught, in the parameters before the wrong op, and
// the same model with the right derivative passes: the check can fail.
func TestGradCheckCatchesAWrongGradient(t *testing.T) {
	d, _ := datasets.Linear(20, 3, 0.1, 1)
	for _, k := range []float64{3, 2} {
		m := cubed{mustModel(t)(models.NewLinearRegression(3, 1, models.WithFloat64(), models.WithSeed(1))), k}
		before := m.Param("dense_1/kernel").Float64s()
		r, err := GradCheck(m, d, GradCheckConfig{Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := r.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		if k == 3 {
			if !r.OK() {
				t.Errorf("the right derivative 3x² failed the check:\n%s", b.String())
			}
			continue
		}
		// d/dx x³ is 3x², the op says 2x²: every derivative is 2/3 of the
		// truth, a relative error of 1/3.
		w := r.Worst()
		if r.OK() || r.Err() == nil || math.Abs(w.MaxRelError-1.0/3) > 1e-4 {
			t.Errorf("the wrong derivative 2x² passed or gave the wrong error (worst %v):\n%s", w.MaxRelError, b.String())
		}
		if math.Abs(w.Symbolic/w.Numeric-2.0/3) > 1e-4 {
			t.Errorf("at the worst value, symbolic %v, numeric %v; want a ratio of 2/3", w.Symbolic, w.Numeric)
		}
		for _, want := range []string{"FAILED: the gradient of", "<- disagree", "dense_1/kernel", "dense_1/bias"} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("the report lacks %q:\n%s", want, b.String())
			}
		}
		if !slices.Equal(m.Param("dense_1/kernel").Float64s(), before) {
			t.Error("the check changed the model's parameters")
		}
	}
}

// With zero biases and inputs of zero, every hidden ReLU input is exactly
// 0: the loss has a kink there, the central difference averages the two
// sides, and the symbolic derivative (one side) must be accepted.
func TestGradCheckAtAKink(t *testing.T) {
	d := &datasets.Dataset{Name: "zeros", X: make([]float32, 8), Shape: []int{2}, Y: []float32{1, -1, 0.5, 2}}
	m := mustModel(t)(models.New(models.Sequential([]int{2}, models.Dense(4, models.ReLU), models.Dense(1, models.Linear)),
		models.WithSeed(1), models.WithFloat64()))
	r, err := GradCheck(m, d, GradCheckConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	r.WriteText(&b)
	bias := r.Params[1]
	if bias.Name != "dense_1/bias" || bias.Kinks != 4 || !r.OK() {
		t.Errorf("want 4 kinks in dense_1/bias and the check passed:\n%s", b.String())
	}
	if !strings.Contains(b.String(), "4 values lie at a kink") {
		t.Errorf("the report does not explain the kinks:\n%s", b.String())
	}
}

func TestGradCheckErrors(t *testing.T) {
	d, _ := datasets.Linear(10, 2, 0.1, 1)
	m := mustModel(t)(models.NewLinearRegression(2, 1, models.WithFloat64()))
	for _, tt := range []struct {
		cfg  GradCheckConfig
		want string
	}{
		{GradCheckConfig{Samples: -1}, "samples"},
		{GradCheckConfig{Step: -1}, "step"},
		{GradCheckConfig{Tolerance: math.NaN()}, "tolerance"},
		{GradCheckConfig{L2: -1}, "L2"},
	} {
		if _, err := GradCheck(m, d, tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("GradCheck(%+v) error = %v; want one about %q", tt.cfg, err, tt.want)
		}
	}
	if _, err := GradCheck(m, datasets.Moons(10, 0.1, 1), GradCheckConfig{}); err == nil {
		t.Error("GradCheck of a regression model on classes: no error")
	}
	f32 := cubed{mustModel(t)(models.NewLinearRegression(2, 1)), 3}
	if _, err := GradCheck(f32, d, GradCheckConfig{}); err == nil || !strings.Contains(err.Error(), "float64") {
		t.Errorf("GradCheck of a float32 model that is not a *models.Model: error %v; want one about float64", err)
	}
}

// Gradients of linear regression's MSE: 2/N·Σ (ŷ - y)·x and 2/N·Σ (ŷ - y).
func TestGradients(t *testing.T) {
	d, _ := datasets.Linear(30, 2, 0.3, 5)
	m := mustModel(t)(models.NewLinearRegression(2, 1, models.WithFloat64(), models.WithSeed(2)))
	w, b := m.Param("dense_1/kernel").Float64s(), m.Param("dense_1/bias").Float64s()
	dw, db := make([]float64, 2), 0.0
	n := float64(d.Len())
	for i := range d.Len() {
		x := d.Row(i)
		r := float64(x[0])*w[0] + float64(x[1])*w[1] + b[0] - float64(d.Target(i)[0])
		dw[0] += 2 * r * float64(x[0]) / n
		dw[1] += 2 * r * float64(x[1]) / n
		db += 2 * r / n
	}
	grads, err := Gradients(m, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(grads) != 2 || grads[0].Name != "dense_1/kernel" || grads[1].Name != "dense_1/bias" {
		t.Fatalf("gradients %v; want dense_1/kernel and dense_1/bias", grads)
	}
	for i, want := range append(dw, db) {
		got := append(slices.Clone(grads[0].Values), grads[1].Values...)[i]
		if math.Abs(got-want) > 1e-6*max(1, math.Abs(want)) {
			t.Errorf("gradient value %d = %v; want %v", i, got, want)
		}
	}
}
