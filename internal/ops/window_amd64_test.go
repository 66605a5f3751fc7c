//go:build amd64 && !purego

package ops

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The AVX2 window loops compute the same bits as the Go ones, ties
// included, for rows of a SIMD multiple and with a Go tail.
func TestWindowLoopsMatchGo(t *testing.T) {
	if !haveAVX2 {
		t.Skip("no AVX2")
	}
	defer func() { haveAVX2 = true }()
	rng := rand.New(rand.NewPCG(46, 46))
	for _, f := range []int{8, 16, 24, 64, 13} {
		g := outGeom{n: 1, f: f, oh: 7, ow: 6, pk: 2, ps: 2}
		g.p, g.ph, g.pw = g.oh*g.ow, 3, 3
		g.pp = g.ph * g.pw
		z := make([]float32, g.p*f)
		for i := range z {
			z[i] = float32(rng.IntN(5)-2) / 2 // ties, negatives and zeros
		}
		b := make([]float32, f)
		for i := range b {
			b[i] = float32(rng.IntN(3)-1) / 4
		}
		for _, act := range []Activation{Linear, ReLU, LeakyReLU} {
			lo := float32(math.Inf(-1))
			if act == ReLU {
				lo = 0
			}
			var pooled, grads [2][]float32
			for i, simd := range []bool{false, true} {
				haveAVX2 = simd
				pooled[i] = make([]float32, g.pp*f)
				poolRows2x2(g, z, b, pooled[i], lo)
				yt := slices.Clone(pooled[i])
				if act == LeakyReLU {
					for j, v := range yt {
						yt[j] = max(v, v*LeakySlope)
					}
				}
				dyt := make([]float32, len(yt))
				for j := range dyt {
					dyt[j] = float32(j + 1)
				}
				grads[i] = make([]float32, g.p*f)
				for j := range grads[i] {
					grads[i][j] = float32(math.NaN()) // every covered value must be written
				}
				clearUnpooled(g, grads[i])
				poolGradRows2x2(g, act, z, b, yt, dyt, grads[i])
			}
			if !slices.Equal(pooled[0], pooled[1]) {
				t.Errorf("f %d %v: pooled values differ:\nGo   %v\nAVX2 %v", f, act, pooled[0], pooled[1])
			}
			if !slices.EqualFunc(grads[0], grads[1], func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
				t.Errorf("f %d %v: gradients differ:\nGo   %v\nAVX2 %v", f, act, grads[0], grads[1])
			}
		}
	}
}

// copyRows and addRows compute the same bits with AVX2 as in Go, and
// touch nothing outside the rows.
func TestRowLoopsMatchGo(t *testing.T) {
	if !haveAVX2 {
		t.Skip("no AVX2")
	}
	defer func() { haveAVX2 = true }()
	rng := rand.New(rand.NewPCG(47, 47))
	for n := 1; n <= 21; n++ {
		for _, rows := range []int{1, 3, 11} {
			ss, ds := n+rng.IntN(5), n+rng.IntN(5)
			src := make([]float32, (rows-1)*ss+n)
			for i := range src {
				src[i] = rng.Float32() - 0.5
			}
			dst0 := make([]float32, (rows-1)*ds+n+4)
			for i := range dst0 {
				dst0[i] = rng.Float32()
			}
			var copied, added [2][]float32
			for i, simd := range []bool{false, true} {
				haveAVX2 = simd
				copied[i] = slices.Clone(dst0)
				copyRows(copied[i], ds, src, ss, rows, n)
				added[i] = slices.Clone(dst0)
				addRows(added[i], ds, src, ss, rows, n)
			}
			if !slices.Equal(copied[0], copied[1]) || !slices.Equal(added[0], added[1]) {
				t.Errorf("n %d rows %d: AVX2 and Go differ", n, rows)
			}
			for r := range rows {
				for j := range n {
					if copied[0][r*ds+j] != src[r*ss+j] || added[0][r*ds+j] != dst0[r*ds+j]+src[r*ss+j] {
						t.Fatalf("n %d rows %d: wrong value at row %d, column %d", n, rows, r, j)
					}
				}
			}
		}
	}
}
