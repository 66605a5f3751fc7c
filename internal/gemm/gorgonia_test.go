package gemm_test

import (
	"math"
	"math/rand"
	"testing"

	"github.com/dlgo/dlgo/internal/gemm"
	"gonum.org/v1/gonum/blas"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// counting is gemm.Implementation that counts its Sgemm calls.
type counting struct {
	gemm.Implementation
	calls *int
}

func (c counting) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, cm []float32, ldc int) {
	*c.calls++
	c.Implementation.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cm, ldc)
}

// gorgoniaMul multiplies a (m×k) by b (k×n) with a Gorgonia graph.
func gorgoniaMul(t *testing.T, m, n, k int, a, b []float32) []float32 {
	t.Helper()
	g := gorgonia.NewGraph()
	x := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(m, k), tensor.WithBacking(append([]float32(nil), a...))), gorgonia.WithName("x"))
	y := gorgonia.NodeFromAny(g, tensor.New(tensor.WithShape(k, n), tensor.WithBacking(append([]float32(nil), b...))), gorgonia.WithName("y"))
	z, err := gorgonia.Mul(x, y)
	if err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return append([]float32(nil), z.Value().Data().([]float32)...)
}

// TestGorgoniaUse checks that gorgonia.Use(gemm.Implementation{}) makes
// Gorgonia's matrix products go through this package, with the same
// results as its default BLAS.
func TestGorgoniaUse(t *testing.T) {
	old := gorgonia.WhichBLAS()
	t.Cleanup(func() { gorgonia.Use(old) })
	rnd := rand.New(rand.NewSource(1))
	for _, s := range []struct{ m, n, k int }{{37, 29, 53}, {128, 128, 784}} {
		a := make([]float32, s.m*s.k)
		b := make([]float32, s.k*s.n)
		for i := range a {
			a[i] = float32(rnd.NormFloat64())
		}
		for i := range b {
			b[i] = float32(rnd.NormFloat64())
		}
		gorgonia.Use(old)
		want := gorgoniaMul(t, s.m, s.n, s.k, a, b)

		gorgonia.Use(gemm.Implementation{})
		got := gorgoniaMul(t, s.m, s.n, s.k, a, b)

		calls := 0
		gorgonia.Use(counting{calls: &calls})
		gorgoniaMul(t, s.m, s.n, s.k, a, b)
		if calls == 0 {
			t.Fatalf("%v: Gorgonia did not call Sgemm", s)
		}

		if len(got) != len(want) {
			t.Fatalf("%v: %d results, want %d", s, len(got), len(want))
		}
		// Both results are within k·eps·Σ|a||b| of the exact product.
		for i := 0; i < s.m; i++ {
			for j := 0; j < s.n; j++ {
				var abs float64
				for p := 0; p < s.k; p++ {
					abs += math.Abs(float64(a[i*s.k+p]) * float64(b[p*s.n+j]))
				}
				tol := 4 * float64(s.k+2) * 0x1p-24 * abs
				if d := math.Abs(float64(got[i*s.n+j] - want[i*s.n+j])); d > tol {
					t.Fatalf("%v: C[%d][%d] = %v, default BLAS gives %v", s, i, j, got[i*s.n+j], want[i*s.n+j])
				}
			}
		}
	}
}
