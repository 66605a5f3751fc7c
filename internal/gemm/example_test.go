package gemm_test

import (
	"fmt"

	"github.com/dlgo/dlgo/internal/gemm"
	"gonum.org/v1/gonum/blas"
)

func ExampleSgemm() {
	// A is 2×3, B is 3×2, both row-major.
	a := []float32{
		1, 2, 3,
		4, 5, 6,
	}
	b := []float32{
		7, 8,
		9, 10,
		11, 12,
	}
	c := make([]float32, 2*2)
	gemm.Sgemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2)
	fmt.Println(c[0:2])
	fmt.Println(c[2:4])

	// C = 0.5·Aᵀ·A + C: A stored as 2×3 is used transposed (3×2 · 2×3).
	c2 := make([]float32, 3*3)
	for i := range c2 {
		c2[i] = 1
	}
	gemm.Sgemm(true, false, 3, 3, 2, 0.5, a, 3, a, 3, 1, c2, 3)
	fmt.Println(c2)
	// Output:
	// [58 64]
	// [139 154]
	// [9.5 12 14.5 12 15.5 19 14.5 19 23.5]
}

func ExampleImplementation() {
	// gorgonia.Use(gemm.Implementation{}) routes Gorgonia's matrix
	// products here; any gonum BLAS user can do the same.
	var impl gemm.Implementation
	a := []float64{1, 2, 3, 4} // 2×2
	c := make([]float64, 4)
	impl.Dgemm(blas.NoTrans, blas.Trans, 2, 2, 2, 1, a, 2, a, 2, 0, c, 2) // A·Aᵀ
	fmt.Println(c)
	// Output:
	// [5 11 11 25]
}
