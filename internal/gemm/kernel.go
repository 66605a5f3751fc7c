package gemm

import "unsafe"

// kernelFunc is the signature shared by all micro-kernels. It computes one
// mr×nr tile of C:
//
//	C[r][j] = alpha * Σ_{p<kc} A(r,p)·B[p][j] + beta*C[r][j]
//
// with A(r,p) = a[r*rsa + p*csa] for r < mr, B[p][j] = b[p*nr + j] (a packed,
// zero-padded panel) and C[r][j] = c[r*ldc + j]. When beta is ±0, C is not
// read. kc ≥ 1. Every C element is one chain of multiply-adds over p = 0, 1,
// …, kc-1 started from zero, then alpha·sum + beta·C, so its value does not
// depend on which tile or goroutine computes it.
type kernelFunc[T float32 | float64] func(kc int, a *T, rsa, csa int, b *T, c *T, ldc int, alpha, beta T)

// kernel is a micro-kernel with its register tile and cache-blocking sizes.
type kernel[T float32 | float64] struct {
	name string
	fn   kernelFunc[T]
	mr   int // rows of the register tile
	nr   int // columns of the register tile
	kc   int // maximum depth of a packed panel (k-block)
	nc   int // maximum width of the packed B block (multiple of nr)
	// transpose, if not nil, is an assembly routine that transposes
	// nblocks consecutive tb×tb blocks along the rows of src:
	// dst[(tb·b+i)*lddst + j] = src[j*ldsrc + tb·b + i]. It speeds up
	// packing a transposed B.
	transpose func(dst *T, lddst int, src *T, ldsrc int, nblocks int)
	tb        int
	// vecFMA is the number of multiply-adds the kernel completes per cycle
	// in the steady state; it only feeds the work-splitting cost model.
	vecFMA int
}

// kernelKind selects a family of micro-kernels.
type kernelKind int

const (
	kindGo     kernelKind = iota // portable Go kernel
	kindAVX2                     // AVX2 + FMA3, 256-bit registers
	kindAVX512                   // AVX-512F, 512-bit registers
	numKinds
)

func (k kernelKind) String() string {
	switch k {
	case kindGo:
		return "go"
	case kindAVX2:
		return "avx2"
	case kindAVX512:
		return "avx512"
	}
	return "unknown"
}

var (
	sKernels [numKinds]*kernel[float32]
	dKernels [numKinds]*kernel[float64]

	// bestKind is the fastest kind this CPU supports; activeKind is the
	// one in use (tests switch it to exercise every path).
	bestKind   = kindGo
	activeKind = kindGo
)

func init() {
	sKernels[kindGo] = &kernel[float32]{name: "go", fn: goKernel[float32], mr: goMR, nr: goNR, kc: 256, nc: 1024, vecFMA: 2}
	dKernels[kindGo] = &kernel[float64]{name: "go", fn: goKernel[float64], mr: goMR, nr: goNR, kc: 256, nc: 512, vecFMA: 2}
	archInit()
	for k := kindGo; k < numKinds; k++ {
		if sKernels[k] != nil && dKernels[k] != nil {
			bestKind = k
		}
	}
	activeKind = bestKind
}

// available reports whether kernels of kind k run on this machine.
func available(k kernelKind) bool {
	return k >= 0 && k < numKinds && sKernels[k] != nil && dKernels[k] != nil
}

// setKind makes k the active kernel kind and returns the previous one. It
// is meant for tests and benchmarks and must not be called while a product
// is running.
func setKind(k kernelKind) kernelKind {
	if !available(k) {
		panic("gemm: kernel kind " + k.String() + " not available")
	}
	old := activeKind
	activeKind = k
	return old
}

const goMR, goNR = 4, 4

// goKernel is the portable 4×4 micro-kernel. The sixteen accumulators are
// scalars so that the compiler keeps them in registers.
func goKernel[T float32 | float64](kc int, a *T, rsa, csa int, b *T, c *T, ldc int, alpha, beta T) {
	as := unsafe.Slice(a, (goMR-1)*rsa+(kc-1)*csa+1)
	bs := unsafe.Slice(b, kc*goNR)
	var c00, c01, c02, c03, c10, c11, c12, c13 T
	var c20, c21, c22, c23, c30, c31, c32, c33 T
	ia := 0
	for p := 0; p < kc; p++ {
		a0, a1, a2, a3 := as[ia], as[ia+rsa], as[ia+2*rsa], as[ia+3*rsa]
		bb := bs[p*goNR : p*goNR+goNR : p*goNR+goNR]
		b0, b1, b2, b3 := bb[0], bb[1], bb[2], bb[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
		ia += csa
	}
	cs := unsafe.Slice(c, (goMR-1)*ldc+goNR)
	rows := [goMR][goNR]T{
		{c00, c01, c02, c03},
		{c10, c11, c12, c13},
		{c20, c21, c22, c23},
		{c30, c31, c32, c33},
	}
	if isZero(beta) {
		for r := range rows {
			row := cs[r*ldc : r*ldc+goNR : r*ldc+goNR]
			for j := range row {
				row[j] = alpha * rows[r][j]
			}
		}
		return
	}
	for r := range rows {
		row := cs[r*ldc : r*ldc+goNR : r*ldc+goNR]
		for j := range row {
			row[j] = alpha*rows[r][j] + beta*row[j]
		}
	}
}

// isZero reports whether x is +0 or -0.
func isZero[T float32 | float64](x T) bool { return x == 0 }
