package ops

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ulps returns the distance between finite float32 values a and b of one
// sign in units in the last place.
func ulps(a, b float32) int64 {
	d := int64(math.Float32bits(a)) - int64(math.Float32bits(b))
	if d < 0 {
		d = -d
	}
	return d
}

// spread returns n values on a grid over [lo, hi] and n drawn uniformly.
func spread(lo, hi float32, n int) []float32 {
	rng := rand.New(rand.NewPCG(5, 5))
	xs := make([]float32, 0, 2*n)
	for i := range n {
		xs = append(xs, lo+(hi-lo)*float32(i)/float32(n-1), lo+(hi-lo)*rng.Float32())
	}
	return xs
}

// checkULPs checks got against the correctly rounded want on xs.
func checkULPs(t *testing.T, name string, xs []float32, got func(float32) float32, want func(float64) float64, max int64) {
	t.Helper()
	for _, x := range xs {
		g, w := got(x), float32(want(float64(x)))
		if d := ulps(g, w); d > max {
			t.Errorf("%s(%v) = %v, want %v: %d ulp off (at most %d)", name, x, g, w, d, max)
			return
		}
	}
}

func TestExpNeg32(t *testing.T) {
	xs := append(spread(-87.33654, 0, 200000), spread(-1e-3, 0, 20000)...)
	checkULPs(t, "expNeg32", xs, expNeg32, math.Exp, 2)
	for _, c := range []struct{ x, want float32 }{
		{0, 1}, {float32(math.Copysign(0, -1)), 1}, {3, 1}, // above 0 counts as 0
		{-100, expNeg32(-87.33654)}, {float32(math.Inf(-1)), expNeg32(-87.33654)},
	} {
		if got := expNeg32(c.x); got != c.want {
			t.Errorf("expNeg32(%v) = %v, want %v", c.x, got, c.want)
		}
	}
	if lo := expNeg32(-87.33654); lo <= 0 || lo > 1.2e-38 {
		t.Errorf("expNeg32 at its smallest argument = %v, want about 1.18e-38", lo)
	}
	if got := expNeg32(float32(math.NaN())); got == got {
		t.Errorf("expNeg32(NaN) = %v, want NaN", got)
	}
}

func TestLog1pUnit32(t *testing.T) {
	xs := append(spread(0, 1, 200000), spread(0, 1e-3, 50000)...)
	xs = append(xs, 0, 1, 1e-38, 1e-30, 1e-10, 5.9e-8, 6e-8, 1.2e-7, 0.41421354, 0.41421357)
	checkULPs(t, "log1pUnit32", xs, log1pUnit32, math.Log1p, 2)
}

// specials are inputs at and around the branches and the clamps.
var specials = []float32{0, float32(math.Copysign(0, -1)), 1, -1, 1e-30, 6e-8, -87.33654, -87.4, -200, 0.41421354, 0.41421357,
	0.5, 1e-7, float32(math.Inf(-1)), float32(math.NaN())}

// TestVectorsMatchGo checks that the AVX2 loops compute the Go functions'
// bits for every value, and the Go tail after them.
func TestVectorsMatchGo(t *testing.T) {
	if !haveAVX2 {
		t.Skip("no AVX2 here: the Go functions run alone")
	}
	for _, c := range []struct {
		name string
		xs   []float32
		vec  func([]float32)
		one  func(float32) float32
	}{
		{"expNegs", append(spread(-100, 0, 50000), specials...), expNegs, expNeg32},
		{"log1pUnits", append(spread(0, 1, 50000), specials[:11]...), log1pUnits, log1pUnit32},
		{"sigmoidsFromExp", append(spread(-100, 100, 50000), specials...), func(z []float32) {
			e := make([]float32, len(z))
			negAbs(e, z)
			expNegs(e)
			sigmoidsFromExp(e, z)
			copy(z, e)
		}, func(z float32) float32 {
			return sigmoidFromExp32(z, expNeg32(-float32(math.Abs(float64(z)))))
		}},
	} {
		for _, n := range []int{len(c.xs), 7, 8, 9, 17} {
			got := append([]float32(nil), c.xs[len(c.xs)-n:]...)
			c.vec(got)
			for i, x := range c.xs[len(c.xs)-n:] {
				w := c.one(x)
				if math.Float32bits(got[i]) != math.Float32bits(w) && !(got[i] != got[i] && w != w) {
					t.Fatalf("%s: value %d (%v) = %v (%#x), the Go function gives %v (%#x)", c.name, i, x, got[i],
						math.Float32bits(got[i]), w, math.Float32bits(w))
				}
			}
		}
	}
}

func BenchmarkExpNeg(b *testing.B) {
	xs := spread(-20, 0, 2048)
	buf := make([]float32, len(xs))
	b.Run("math.Exp", func(b *testing.B) {
		for b.Loop() {
			for i, x := range xs {
				buf[i] = float32(math.Exp(float64(x)))
			}
		}
	})
	b.Run("expNegs", func(b *testing.B) {
		for b.Loop() {
			copy(buf, xs)
			expNegs(buf)
		}
	})
	b.Run("log1pUnits", func(b *testing.B) {
		for b.Loop() {
			copy(buf, xs)
			expNegs(buf)
			log1pUnits(buf)
		}
	})
}

// TestBCE32 checks the float32 binary cross-entropy, its gradient and the
// sigmoid against the float64 formulas.
func TestBCE32(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for _, n := range []int{1, 7, 300, 784} {
		z, y := make([]float32, n), make([]float32, n)
		for i := range z {
			z[i] = float32(rng.NormFloat64() * 8)
			if i%97 == 0 {
				z[i] = float32(rng.NormFloat64() * 100)
			}
			y[i] = float32(rng.IntN(2))
		}
		var want float64
		for i := range z {
			want += softplus(float64(z[i])) - float64(y[i])*float64(z[i])
		}
		if got := bce32(z, y, nil, 0); math.Abs(got-want) > 1e-6*math.Abs(want)+1e-6 {
			t.Errorf("n=%d: bce32 = %v, want %v", n, got, want)
		}
		dz := make([]float32, n)
		bce32(z, y, dz, 0.5)
		s := append([]float32(nil), z...)
		sigmoids32(s)
		for i := range z {
			sg := sigmoid(float64(z[i]))
			// Below e^-87.34 (the clamp of expNeg32), σ is 1.18e-38 instead
			// of smaller: an absolute error of at most that.
			if w := 0.5 * (sg - float64(y[i])); math.Abs(float64(dz[i])-w) > 1e-6*math.Abs(w)+1.2e-38 {
				t.Fatalf("n=%d: gradient %d at z=%v is %v, want %v", n, i, z[i], dz[i], w)
			}
			if math.Abs(float64(s[i])-sg) > 1e-6*sg+1.2e-38 {
				t.Fatalf("n=%d: sigmoid(%v) = %v, want %v", n, z[i], s[i], sg)
			}
		}
	}
	nan := float32(math.NaN())
	if l := bce32([]float32{1, nan}, []float32{0, 1}, nil, 0); !math.IsNaN(l) {
		t.Errorf("bce32 with a NaN logit = %v, want NaN", l)
	}
}
