package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dlgo/dlgo/internal/gradcheck"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// z = μ + exp(½·log σ²)·ε, in both precisions, against plain loops; with
// ε = 0 it is μ exactly.
func TestSampleForward(t *testing.T) {
	for _, dt := range dtypes {
		rng := rand.New(rand.NewPCG(1, 1))
		const n, l = 3, 2
		stats, eps := randValues(rng, n*2*l), randValues(rng, n*l)
		g := G.NewGraph()
		s := nodeOf(g, "stats", tensorOf(dt, stats, n, 2*l))
		e := nodeOf(g, "eps", tensorOf(dt, eps, n, l))
		z := G.Must(Sample(s, e))
		if err := G.NewTapeMachine(g).RunAll(); err != nil {
			t.Fatal(err)
		}
		st, ep := roundTo(dt, stats), roundTo(dt, eps)
		got := float64s(z.Value())
		for r := range n {
			for j := range l {
				want := st[r*2*l+j] + math.Exp(st[r*2*l+l+j]/2)*ep[r*l+j]
				if d := math.Abs(got[r*l+j] - want); d > tolerance(dt) {
					t.Errorf("%v: z[%d,%d] = %v; want %v", dt, r, j, got[r*l+j], want)
				}
			}
		}
	}
	g := G.NewGraph()
	stats := []float64{0.25, -3, 7, 1e3}
	s := nodeOf(g, "stats", tensorOf(tensor.Float32, stats, 1, 4))
	e := nodeOf(g, "eps", tensorOf(tensor.Float32, []float64{0, 0}, 1, 2))
	z := G.Must(Sample(s, e))
	if err := G.NewTapeMachine(g).RunAll(); err != nil {
		t.Fatal(err)
	}
	if got := float64s(z.Value()); got[0] != 0.25 || got[1] != -3 {
		t.Errorf("with no noise z = %v; want the means [0.25 -3]", got)
	}
}

// The reparameterisation's gradient, the noise held fixed, agrees with
// finite differences; the noise gets none.
func TestSampleGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	g := G.NewGraph()
	s := input(g, "stats", randTensor(rng, 4, 6))
	e := input(g, "eps", randTensor(rng, 4, 3))
	z := G.Must(Sample(s, e))
	r, err := gradcheck.Check(g, weighted(t, rng, z), G.Nodes{s}, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	if r.MaxRel > 1e-7 {
		t.Errorf("sampling gradient: %v", r)
	}
	if _, err := G.Grad(G.Must(G.Sum(G.Must(Sample(s, e)))), e); err == nil {
		t.Error("the noise has a gradient; want none")
	}
}

// klReference is KL(N(μ, σ²) ‖ N(0, 1)) in its textbook form,
// Σ_j log(1/σ_j) + (σ_j² + μ_j²)/2 - ½.
func klReference(mu, sigma []float64) float64 {
	var kl float64
	for j := range mu {
		kl += -math.Log(sigma[j]) + (sigma[j]*sigma[j]+mu[j]*mu[j])/2 - 0.5
	}
	return kl
}

// The KL term against its closed form, and against the divergence
// integrated numerically, ∫ q log(q/p) over a fine grid.
func TestGaussianKLValues(t *testing.T) {
	for _, tt := range []struct {
		stats []float64 // [μ, log σ²] of one sample
		want  float64
	}{
		{[]float64{0, 0}, 0},   // the prior itself
		{[]float64{1, 0}, 0.5}, // μ²/2
		{[]float64{0, math.Log(4)}, math.Log(0.5) + 2 - 0.5},
		{[]float64{0.3, -1.2, -0.7, 0.4}, 0}, // filled in from the reference
	} {
		l := len(tt.stats) / 2
		mu, sigma := make([]float64, l), make([]float64, l)
		for j := range l {
			mu[j], sigma[j] = tt.stats[j], math.Exp(tt.stats[l+j]/2)
		}
		ref := klReference(mu, sigma)
		if tt.want == 0 && ref != 0 {
			tt.want = ref
		}
		if math.Abs(ref-tt.want) > 1e-12 {
			t.Fatalf("reference KL of %v = %v; want %v", tt.stats, ref, tt.want)
		}
		if got := SampleKL(tt.stats); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("SampleKL(%v) = %v; want %v", tt.stats, got, tt.want)
		}
		// Numerically, one latent value at a time (the divergence of
		// independent values is the sum of theirs).
		var integral float64
		for j := range l {
			const steps = 200000
			lo, hi := mu[j]-12*sigma[j], mu[j]+12*sigma[j]
			h := (hi - lo) / steps
			for k := range steps {
				z := lo + (float64(k)+0.5)*h
				lq := -0.5*math.Pow((z-mu[j])/sigma[j], 2) - math.Log(sigma[j]) - 0.5*math.Log(2*math.Pi)
				lp := -0.5*z*z - 0.5*math.Log(2*math.Pi)
				integral += math.Exp(lq) * (lq - lp) * h
			}
		}
		if math.Abs(integral-tt.want) > 1e-6 {
			t.Errorf("∫ q log(q/p) for %v = %v; the closed form gives %v", tt.stats, integral, tt.want)
		}
	}
}

// The graph op is the batch mean of SampleKL, in both precisions, and its
// gradient agrees with finite differences.
func TestGaussianKLOp(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	const n, w = 5, 4
	stats := randValues(rng, n*w)
	for _, dt := range dtypes {
		g := G.NewGraph()
		kl := G.Must(GaussianKL(nodeOf(g, "stats", tensorOf(dt, stats, n, w))))
		if err := G.NewTapeMachine(g).RunAll(); err != nil {
			t.Fatal(err)
		}
		st := roundTo(dt, stats)
		var want float64
		for r := range n {
			want += SampleKL(st[r*w:(r+1)*w]) / n
		}
		if got := float64s(kl.Value())[0]; math.Abs(got-want) > tolerance(dt) {
			t.Errorf("%v: KL = %v; want %v", dt, got, want)
		}
	}
	g := G.NewGraph()
	s := input(g, "stats", randTensor(rng, n, w))
	kl := G.Must(GaussianKL(s))
	r, err := gradcheck.Check(g, G.Must(G.Mul(kl, G.NewConstant(1.7))), G.Nodes{s}, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	if r.MaxRel > 1e-7 {
		t.Errorf("KL gradient: %v", r)
	}
	if _, err := GaussianKL(input(G.NewGraph(), "odd", randTensor(rng, 2, 3))); err == nil {
		t.Error("KL of an odd number of statistics: no error")
	}
}

// AddLosses adds scalars, leaves its inputs' values alone and passes its
// gradient to each of them.
func TestAddLosses(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	g := G.NewGraph()
	x := input(g, "x", randTensor(rng, 3, 4))
	a := G.Must(G.Sum(G.Must(G.Square(x))))
	b := G.Must(GaussianKL(x))
	total := G.Must(AddLosses(a, b))
	vm := G.NewTapeMachine(g)
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	xs := x.Value().Data().([]float64)
	var sq float64
	for _, v := range xs {
		sq += v * v
	}
	kl := (SampleKL(xs[:4]) + SampleKL(xs[4:8]) + SampleKL(xs[8:])) / 3
	va, vb, vt := float64s(a.Value())[0], float64s(b.Value())[0], float64s(total.Value())[0]
	if math.Abs(va-sq) > 1e-12 || math.Abs(vb-kl) > 1e-12 || math.Abs(vt-(sq+kl)) > 1e-12 {
		t.Errorf("after a run: a = %v, b = %v, a + b = %v; want %v, %v, %v", va, vb, vt, sq, kl, sq+kl)
	}
	r, err := gradcheck.Check(g, total, G.Nodes{x}, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	if r.MaxRel > 1e-7 {
		t.Errorf("gradient of a sum of losses: %v", r)
	}
	if _, err := AddLosses(a, x); err == nil {
		t.Error("adding a matrix to a loss: no error")
	}
}
