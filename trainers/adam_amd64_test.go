//go:build amd64 && !purego

package trainers

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The AVX loop of Adam computes the bits of the Go loop.
func TestAdamAVXMatchesGo(t *testing.T) {
	if !haveAVX {
		t.Skip("no AVX")
	}
	defer func() { haveAVX = true }()
	rng := rand.New(rand.NewPCG(2, 2))
	for _, n := range []int{8, 13, 64, 1001} {
		w0, g, m0, v0 := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range w0 {
			w0[i], g[i] = rng.Float32()-0.5, (rng.Float32()-0.5)*float32(math.Pow(10, float64(rng.IntN(6)-4)))
			m0[i], v0[i] = (rng.Float32()-0.5)/10, rng.Float32()/100
		}
		var out [2][]float32
		for i, avx := range []bool{false, true} {
			haveAVX = avx
			w, m, v := slices.Clone(w0), slices.Clone(m0), slices.Clone(v0)
			for step := 1; step <= 3; step++ {
				adamStep(Adam{}.withDefaults(), step, 1e-3, w, g, m, v)
			}
			out[i] = append(append(w, m...), v...)
		}
		if !slices.Equal(out[0], out[1]) {
			t.Errorf("n %d: AVX and Go updates differ", n)
		}
	}
}
