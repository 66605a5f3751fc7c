package models

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// inspectModel is a small MLP with a dropout layer between its dense ones.
func inspectModel(t *testing.T, opts ...Option) *Model {
	t.Helper()
	m, err := New(Sequential([]int{2},
		Dense(3, ReLU), Dropout(0.5), Dense(2, Tanh), Dense(1, Sigmoid)), append([]Option{WithSeed(3)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// dense computes act(x·W + b) for n samples, by hand.
func denseByHand(m *Model, layer, act string, x []float64, n int) []float64 {
	w, b := m.Param(layer+"/kernel"), m.Param(layer+"/bias")
	in, out := w.Shape()[0], w.Shape()[1]
	wv, bv := w.Float64s(), b.Float64s()
	y := make([]float64, n*out)
	for i := range n {
		for j := range out {
			z := bv[j]
			for k := range in {
				z += x[i*in+k] * wv[k*out+j]
			}
			y[i*out+j] = refActivate(act, z)
		}
	}
	return y
}

// Every layer's output, computed by hand from the parameters, for more
// samples than one inference batch holds, on both kinds of graph.
func TestLayerOutputs(t *testing.T) {
	for _, opts := range [][]Option{nil, {WithGorgoniaOps()}, {WithFloat64()}} {
		m := inspectModel(t, opts...)
		rng := rand.New(rand.NewPCG(1, 2))
		n := 2500 // > 1024, the MLP's inference batch: three chunks, the last partial
		x32 := make([]float32, 2*n)
		x := make([]float64, 2*n)
		for i := range x32 {
			x32[i] = float32(rng.NormFloat64())
			x[i] = float64(x32[i])
		}
		h1 := denseByHand(m, "dense_1", ReLU, x, n)
		h2 := denseByHand(m, "dense_2", Tanh, h1, n)
		z := denseByHand(m, "dense_3", Linear, h2, n)
		got, err := m.LayerOutputs(x32, "dense_1", "dropout_1", "dense_2", "dense_3")
		if err != nil {
			t.Fatal(err)
		}
		for k, want := range [][]float64{h1, h1, h2, z} {
			compare(t, m.Spec().Layers[k].Name, false, n, got[k], want, 1e-5)
		}
		logits, err := m.Logits(x32)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(logits, got[3]) {
			t.Errorf("the output layer's LayerOutputs differ from Logits")
		}
		if s := m.LayerShape("dense_2"); !slices.Equal(s, []int{2}) {
			t.Errorf("LayerShape(dense_2) = %v; want [2]", s)
		}
	}
}

// A convolution's feature maps: shape (filters, H, W) per sample, and the
// pooling layer after it outputs the maxima of their 2×2 windows.
func TestLayerOutputsFeatureMaps(t *testing.T) {
	m, err := NewConvNet([]int{1, 12, 12}, 3, WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([]float32, 2*144)
	for i := range x {
		x[i] = rng.Float32()
	}
	out, err := m.LayerOutputs(x, "conv2d_1", "maxpool2d_1")
	if err != nil {
		t.Fatal(err)
	}
	cs, ps := m.LayerShape("conv2d_1"), m.LayerShape("maxpool2d_1")
	if !slices.Equal(cs, []int{32, 10, 10}) || !slices.Equal(ps, []int{32, 5, 5}) {
		t.Fatalf("shapes %v and %v; want [32 10 10] and [32 5 5]", cs, ps)
	}
	if len(out[0]) != 2*32*100 || len(out[1]) != 2*32*25 {
		t.Fatalf("%d and %d values; want %d and %d", len(out[0]), len(out[1]), 2*3200, 2*800)
	}
	for s := range 2 {
		for c := range 32 {
			for i := range 5 {
				for j := range 5 {
					conv := func(di, dj int) float32 { return out[0][((s*32+c)*10+2*i+di)*10+2*j+dj] }
					want := max(conv(0, 0), conv(0, 1), conv(1, 0), conv(1, 1))
					if want < 0 {
						t.Fatalf("a ReLU feature map holds %v < 0", want)
					}
					if got := out[1][((s*32+c)*5+i)*5+j]; got != want {
						t.Fatalf("sample %d, channel %d, pool (%d, %d) = %v; want the window's maximum %v", s, c, i, j, got, want)
					}
				}
			}
		}
	}
}

func TestLayerOutputsErrors(t *testing.T) {
	m := inspectModel(t)
	for _, tt := range []struct {
		x      []float32
		layers []string
		want   string
	}{
		{[]float32{1, 2}, nil, "no layer named"},
		{[]float32{1, 2}, []string{"dense_9"}, `no layer "dense_9" (its layers: dense_1, dropout_1, dense_2, dense_3)`},
		{[]float32{1, 2, 3}, []string{"dense_1"}, "not a whole number of samples"},
		{nil, []string{"dense_1"}, "not a whole number of samples"},
	} {
		if _, err := m.LayerOutputs(tt.x, tt.layers...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("LayerOutputs(%v, %q) error = %v; want one containing %q", tt.x, tt.layers, err, tt.want)
		}
	}
	if m.LayerShape("nope") != nil {
		t.Error("LayerShape of a missing layer is not nil")
	}
}

// Dropout at prediction time: every call draws new masks, the same seed
// gives the same draws, and with linear layers the predictions average to
// Predict's (inverted dropout keeps the expected activation).
func TestPredictWithDropout(t *testing.T) {
	m, err := New(Sequential([]int{3}, Dense(16, Linear), Dropout(0.5), Dense(1, Linear)), WithSeed(2), WithFloat64())
	if err != nil {
		t.Fatal(err)
	}
	x := []float32{0.5, -1, 2}
	want, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	draws := func(seed uint64, n int) []float64 {
		rng := rand.New(rand.NewPCG(seed, 0))
		out := make([]float64, n)
		for i := range out {
			p, err := m.PredictWithDropout(x, rng)
			if err != nil {
				t.Fatal(err)
			}
			out[i] = float64(p[0])
		}
		return out
	}
	a, b := draws(7, 4000), draws(7, 5)
	if !slices.Equal(a[:5], b) {
		t.Errorf("the same seed gave different draws: %v and %v", a[:5], b)
	}
	var mean, sq float64
	for _, v := range a {
		mean += v / float64(len(a))
	}
	for _, v := range a {
		sq += (v - mean) * (v - mean) / float64(len(a)-1)
	}
	sd := math.Sqrt(sq)
	if sd < 1e-3 {
		t.Fatalf("the draws do not spread (sd %v): dropout is off", sd)
	}
	if se := sd / math.Sqrt(float64(len(a))); math.Abs(mean-float64(want[0])) > 4*se {
		t.Errorf("mean of the draws %v; want Predict's %v within 4 standard errors (%v)", mean, want[0], 4*se)
	}
	// Without dropout layers it is Predict.
	plain := inspectModel(t)
	plainSpec := plain.Spec()
	plainSpec.Layers = slices.Delete(slices.Clone(plainSpec.Layers), 1, 2)
	nodrop, err := New(plainSpec, WithSeed(3))
	if err != nil {
		t.Fatal(err)
	}
	got, err := nodrop.PredictWithDropout([]float32{1, 2, 3, 4}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := nodrop.Predict([]float32{1, 2, 3, 4}); !slices.Equal(got, p) {
		t.Errorf("without dropout: %v; want Predict's %v", got, p)
	}
	if _, err := m.PredictWithDropout(x, nil); err == nil {
		t.Error("PredictWithDropout without a generator: no error")
	}
}

func TestCloneAs(t *testing.T) {
	m := inspectModel(t)
	m.Meta.Metrics = map[string]float64{"loss": 0.5}
	x := []float32{0.3, -0.7, 1.5, 2}
	want, _ := m.Predict(x)
	c, err := m.CloneAs(tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	if c.DType() != tensor.Float64 || c.Spec().DType != "float64" || c.Meta.Metrics["loss"] != 0.5 {
		t.Fatalf("CloneAs(Float64): dtype %v, spec %q, meta %v", c.DType(), c.Spec().DType, c.Meta)
	}
	got, err := c.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > 1e-6 {
			t.Errorf("float64 copy predicts %v; want %v", got, want)
		}
	}
	// Independent: changing the copy leaves m alone.
	c.Param("dense_1/bias").SetFloat64s([]float64{9, 9, 9})
	if again, _ := m.Predict(x); !slices.Equal(again, want) {
		t.Error("changing the copy changed the original")
	}
	back, err := c.CloneAs(tensor.Float32)
	if err != nil || back.DType() != tensor.Float32 {
		t.Fatalf("CloneAs(Float32): %v, %v", back, err)
	}
	if _, err := m.CloneAs(tensor.Int); err == nil {
		t.Error("CloneAs(Int): no error")
	}
	g, err := inspectModel(t, WithGorgoniaOps()).CloneAs(tensor.Float64)
	if err != nil || !g.UsesGorgoniaOps() {
		t.Errorf("CloneAs keeps WithGorgoniaOps: %v, %v", g.UsesGorgoniaOps(), err)
	}
}

// The layers after a hidden layer, fed that layer's outputs, compute what
// the whole model computes.
func TestAfter(t *testing.T) {
	m := inspectModel(t)
	x := []float32{0.3, -0.7, 1.5, 2, -1, 0.25}
	want, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	for _, layer := range []string{"dense_1", "dropout_1", "dense_2"} {
		head, err := m.After(layer)
		if err != nil {
			t.Fatal(err)
		}
		h, err := m.LayerOutputs(x, layer)
		if err != nil {
			t.Fatal(err)
		}
		got, err := head.Predict(h[0])
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if math.Abs(float64(got[i]-want[i])) > 1e-6 {
				t.Fatalf("after %s: predictions %v; want %v", layer, got, want)
			}
		}
		if !slices.Equal(head.InputShape(), m.LayerShape(layer)) || head.Spec().Task() != Classification || head.Loss() != m.Loss() {
			t.Errorf("after %s: input %v, task %v, loss %v", layer, head.InputShape(), head.Spec().Task(), head.Loss())
		}
	}
	head, _ := m.After("dense_2")
	if len(head.Spec().Layers) != 1 || head.Spec().Layers[0].Name != "dense_3" {
		t.Errorf("after dense_2: layers %v; want dense_3 alone", head.Spec().Layers)
	}
	// A copy: changing it leaves m alone.
	head.Param("dense_3/bias").SetFloat64s([]float64{5})
	if again, _ := m.Predict(x); !slices.Equal(again, want) {
		t.Error("changing the head changed the model")
	}
	if _, err := m.After("dense_3"); err == nil || !strings.Contains(err.Error(), "no layer follows") {
		t.Errorf("After the last layer: %v", err)
	}
	if _, err := m.After("nope"); err == nil || !strings.Contains(err.Error(), `no layer "nope"`) {
		t.Errorf("After a missing layer: %v", err)
	}
}
