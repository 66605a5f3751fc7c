package gemm

import (
	"math/rand"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchShape is an m×n×k product (op(A) m×k, op(B) k×n, C m×n).
type benchShape struct {
	name           string
	m, n, k        int
	transA, transB bool
	big            bool // skip the slow kernels
}

var benchShapes = []benchShape{
	// Dense layer 784→128, batch 128: forward X·W (NN, or NT with W stored
	// transposed), the same size as TN, and the two backward products.
	{"128x128x784_NN", 128, 128, 784, false, false, false},
	{"128x128x784_NT", 128, 128, 784, false, true, false},
	{"128x128x784_TN", 128, 128, 784, true, false, false},
	{"128x784x128_NT", 128, 784, 128, false, true, false},
	{"784x128x128_TN", 784, 128, 128, true, false, false},
	{"128x128x64_NN", 128, 128, 64, false, false, false},
	{"128x10x64_NN", 128, 10, 64, false, false, false},
	// im2col convolutions: (batch·out pixels)×channels×(in channels·3·3).
	{"43264x32x9_NN", 64 * 26 * 26, 32, 9, false, false, false},
	{"7744x64x288_NN", 64 * 11 * 11, 64, 288, false, false, false},
	// Large: the whole MNIST training set through the first layer, and its
	// weight gradient.
	{"60000x128x784_NN", 60000, 128, 784, false, false, true},
	{"784x128x60000_TN", 784, 128, 60000, true, false, true},
	{"1024x1024x1024_NN", 1024, 1024, 1024, false, false, true},
}

func benchData[T float32 | float64](s benchShape) (a, b, c []T, lda, ldb, ldc int) {
	rnd := rand.New(rand.NewSource(1))
	fill := func(n int) []T {
		x := make([]T, n)
		for i := range x {
			x[i] = T(rnd.Float64() - 0.5)
		}
		return x
	}
	a, b, c = fill(s.m*s.k), fill(s.k*s.n), fill(s.m*s.n)
	lda, ldb, ldc = s.k, s.n, s.n
	if s.transA {
		lda = s.m
	}
	if s.transB {
		ldb = s.k
	}
	return a, b, c, lda, ldb, ldc
}

func reportGFLOPS(b *testing.B, s benchShape) {
	flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func tr(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// BenchmarkSgemm compares gonum's Sgemm with this package's kernel paths.
// Run with -cpu 1,2 for one and two threads.
func BenchmarkSgemm(b *testing.B) {
	benchGemm(b, gonum.Implementation{}.Sgemm, Sgemm, func(benchShape) bool { return true })
}

// BenchmarkDgemm is BenchmarkSgemm for float64, without most big shapes.
func BenchmarkDgemm(b *testing.B) {
	benchGemm(b, gonum.Implementation{}.Dgemm, Dgemm, func(s benchShape) bool {
		return !s.big || s.name == "1024x1024x1024_NN"
	})
}

// benchGemm runs gonum's product and ours on every shape keep accepts.
func benchGemm[T float32 | float64](b *testing.B,
	theirs func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, bb []T, ldb int, beta T, c []T, ldc int),
	ours func(tA, tB bool, m, n, k int, alpha T, a []T, lda int, bb []T, ldb int, beta T, c []T, ldc int),
	keep func(benchShape) bool) {
	for _, s := range benchShapes {
		if !keep(s) {
			continue
		}
		b.Run(s.name, func(b *testing.B) {
			a, bb, c, lda, ldb, ldc := benchData[T](s)
			b.Run("gonum", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					theirs(tr(s.transA), tr(s.transB), s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, ldc)
				}
				reportGFLOPS(b, s)
			})
			for k := numKinds - 1; k >= kindGo; k-- {
				if !available(k) || (s.big && k != bestKind) {
					continue
				}
				b.Run(k.String(), func(b *testing.B) {
					old := setKind(k)
					defer setKind(old)
					for i := 0; i < b.N; i++ {
						ours(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, ldc)
					}
					reportGFLOPS(b, s)
				})
			}
		})
	}
}
