package gemm

import (
	"math/rand"
	"testing"
)

func testTranspose[T float32 | float64](t *testing.T) {
	rnd := rand.New(rand.NewSource(3))
	for _, k := range kinds(t) {
		for _, c := range []struct{ rows, cols, lds, ldd int }{
			{1, 1, 1, 1}, {8, 8, 8, 8}, {3, 5, 5, 3}, {9, 17, 20, 11}, {16, 64, 64, 16}, {169, 32, 32, 169},
			{32, 169, 169, 32}, {25, 64, 70, 25}, {7, 8, 8, 7}, {8, 7, 7, 8}, {4, 12, 12, 4}, {13, 4, 4, 13},
		} {
			src := make([]T, (c.rows-1)*c.lds+c.cols)
			for i := range src {
				src[i] = T(rnd.Float64())
			}
			dst := make([]T, (c.cols-1)*c.ldd+c.rows+3)
			for i := range dst {
				dst[i] = sentinel
			}
			withKind(k, 1, func() { Transpose(c.rows, c.cols, src, c.lds, dst, c.ldd) })
			for j := range c.cols {
				for i := range c.ldd {
					at := j*c.ldd + i
					if at >= len(dst) {
						break
					}
					want := T(sentinel)
					if i < c.rows {
						want = src[i*c.lds+j]
					}
					if dst[at] != want {
						t.Fatalf("%v %+v: dst[%d][%d] = %v; want %v", k, c, j, i, dst[at], want)
					}
				}
			}
			for _, v := range dst[(c.cols-1)*c.ldd+c.rows:] {
				if v != sentinel {
					t.Fatalf("%v %+v: wrote past the end", k, c)
				}
			}
		}
	}
}

func TestTransposeFloat32(t *testing.T) { testTranspose[float32](t) }
func TestTransposeFloat64(t *testing.T) { testTranspose[float64](t) }

func TestTransposePanics(t *testing.T) {
	for _, f := range []func(){
		func() { Transpose(2, 3, make([]float32, 5), 3, make([]float32, 6), 2) },
		func() { Transpose(2, 3, make([]float32, 6), 3, make([]float32, 5), 2) },
		func() { Transpose(2, 3, make([]float32, 6), 2, make([]float32, 6), 2) },
		func() { Transpose(-1, 3, make([]float32, 6), 3, make([]float32, 6), 2) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		}()
	}
}
