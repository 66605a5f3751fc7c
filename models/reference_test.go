package models

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refForward computes a model's logits for one sample with plain loops in
// float64: the reference the graphs are checked against.
func refForward(t *testing.T, m *Model, x []float64) []float64 {
	t.Helper()
	shape := m.spec.Input
	for i, l := range m.layers {
		last := i == len(m.layers)-1
		switch l := l.(type) {
		case *dense:
			w, b := l.kernel.Float64s(), l.b.Float64s()
			out := make([]float64, l.s.Units)
			for o := range out {
				s := b[o]
				for k := range l.in {
					s += x[k] * w[k*l.s.Units+o]
				}
				out[o] = s
				if !last {
					out[o] = refActivate(l.s.Activation, s)
				}
			}
			x = out
		case *activationLayer:
			for k := range x {
				x[k] = refActivate(l.s.Activation, x[k])
			}
		case *dropout, *flatten:
		case *normalization:
			mean, std := l.mean.Float64s(), l.std.Float64s()
			for k := range x {
				x[k] = (x[k] - mean[k]) / std[k]
			}
		case *conv2D:
			w, b := l.kernel.Float64s(), l.b.Float64s()
			c, h, wd := shape[0], shape[1], shape[2]
			f, oh, ow := l.out[0], l.out[1], l.out[2]
			k, st, p := l.s.Kernel, l.s.Stride, l.s.Padding
			out := make([]float64, f*oh*ow)
			for o := range f {
				for i := range oh {
					for j := range ow {
						s := b[o]
						for ci := range c {
							for di := range k {
								for dj := range k {
									r, q := i*st+di-p, j*st+dj-p
									if r < 0 || r >= h || q < 0 || q >= wd {
										continue
									}
									s += x[(ci*h+r)*wd+q] * w[((o*c+ci)*k+di)*k+dj]
								}
							}
						}
						out[(o*oh+i)*ow+j] = refActivate(l.s.Activation, s)
					}
				}
			}
			x = out
		case *maxPool2D:
			c, h, wd := shape[0], shape[1], shape[2]
			oh, ow := l.out[1], l.out[2]
			k, st := l.s.Kernel, l.s.Stride
			out := make([]float64, c*oh*ow)
			for ci := range c {
				for i := range oh {
					for j := range ow {
						best := math.Inf(-1)
						for di := range k {
							for dj := range k {
								best = math.Max(best, x[(ci*h+i*st+di)*wd+j*st+dj])
							}
						}
						out[(ci*oh+i)*ow+j] = best
					}
				}
			}
			x = out
		default:
			t.Fatalf("refForward: no reference for %T", l)
		}
		shape = l.outShape()
	}
	return x
}

func refActivate(act string, v float64) float64 {
	switch act {
	case Sigmoid:
		return 1 / (1 + math.Exp(-v))
	case Tanh:
		return math.Tanh(v)
	case ReLU:
		return math.Max(0, v)
	}
	return v
}

// The graphs compute what the layers are documented to compute, in both
// precisions, for every batch size Logits may pick (full, partial, one).
func TestLogitsMatchReference(t *testing.T) {
	specs := []Spec{
		{Name: "mlp", Input: []int{5}, Layers: []LayerSpec{{Type: LayerNormalization}, denseSpec(7, ReLU),
			{Type: LayerDropout, Rate: 0.5}, denseSpec(6, Tanh), {Type: LayerActivation, Activation: Sigmoid}, denseSpec(3, Softmax)}},
		{Name: "convnet", Input: []int{2, 9, 8}, Layers: []LayerSpec{
			{Type: LayerConv2D, Filters: 3, Kernel: 3, Padding: 1, Activation: ReLU},
			{Type: LayerMaxPool2D, Kernel: 2},
			{Type: LayerConv2D, Filters: 4, Kernel: 2, Stride: 2, Activation: Tanh},
			{Type: LayerFlatten}, denseSpec(2, Linear)}},
	}
	for _, spec := range specs {
		for _, f64 := range []bool{false, true} {
			opts := []Option{WithSeed(3)}
			tol := 1e-4
			if f64 {
				opts, tol = append(opts, WithFloat64()), 1e-6 // Logits returns float32
			}
			m, err := New(spec, opts...)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(5, 6))
			for _, p := range m.Params() {
				v := p.Float64s()
				for i := range v {
					v[i] += 0.2 * (2*rng.Float64() - 1)
					if p.Name == "normalization_1/std" {
						v[i] = 0.5 + rng.Float64()
					}
				}
				if err := p.SetFloat64s(v); err != nil {
					t.Fatal(err)
				}
			}
			for _, n := range []int{1, 3, m.inferBatch() + 5} {
				x := make([]float32, n*m.InputDim())
				for i := range x {
					x[i] = float32(2*rng.Float64() - 1)
				}
				got, err := m.Logits(x)
				if err != nil {
					t.Fatal(err)
				}
				units := spec.Units()
				for s := range n {
					row := make([]float64, m.InputDim())
					for i := range row {
						row[i] = float64(x[s*m.InputDim()+i])
					}
					want := refForward(t, m, row)
					for o := range units {
						if d := math.Abs(float64(got[s*units+o]) - want[o]); d > tol*math.Max(1, math.Abs(want[o])) {
							t.Fatalf("%s (float64 %v), %d samples: sample %d logit %d = %v; want %v", spec.Name, f64, n, s, o, got[s*units+o], want[o])
						}
					}
				}
			}
		}
	}
}
