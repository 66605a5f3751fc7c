//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

//go:generate go run asmgen.go

// The kernels are written by asmgen.go into kernels_amd64.s. The AVX-512
// kernels hold a 12×32 (float32) or 12×16 (float64) tile of C in 24 ZMM
// registers; the AVX2 kernels a 6×16 or 6×8 tile in 12 YMM registers.

//go:noescape
func sgemmKernelAVX512(kc int, a *float32, rsa, csa int, b *float32, c *float32, ldc int, alpha, beta float32)

//go:noescape
func dgemmKernelAVX512(kc int, a *float64, rsa, csa int, b *float64, c *float64, ldc int, alpha, beta float64)

//go:noescape
func sgemmKernelAVX2(kc int, a *float32, rsa, csa int, b *float32, c *float32, ldc int, alpha, beta float32)

//go:noescape
func dgemmKernelAVX2(kc int, a *float64, rsa, csa int, b *float64, c *float64, ldc int, alpha, beta float64)

// archInit registers the assembly kernels that this CPU (and OS) supports.
func archInit() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		sKernels[kindAVX2] = &kernel[float32]{name: "avx2", fn: sgemmKernelAVX2, mr: 6, nr: 16, kc: 256, nc: 1024, vecFMA: 16,
			transpose: transpose8x8s, tb: 8}
		dKernels[kindAVX2] = &kernel[float64]{name: "avx2", fn: dgemmKernelAVX2, mr: 6, nr: 8, kc: 256, nc: 512, vecFMA: 8,
			transpose: transpose4x4d, tb: 4}
	}
	// The AVX-512 kernels use the AVX2 transposes for packing.
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		sKernels[kindAVX512] = &kernel[float32]{name: "avx512", fn: sgemmKernelAVX512, mr: 12, nr: 32, kc: 256, nc: 1024, vecFMA: 32,
			transpose: transpose8x8s, tb: 8}
		dKernels[kindAVX512] = &kernel[float64]{name: "avx512", fn: dgemmKernelAVX512, mr: 12, nr: 16, kc: 256, nc: 512, vecFMA: 16,
			transpose: transpose4x4d, tb: 4}
	}
}

// transpose8x8s transposes nblocks consecutive 8×8 blocks along the rows of
// src: dst[(8b+i)*lddst + j] = src[j*ldsrc + 8b + i]. Needs AVX2.
//
//go:noescape
func transpose8x8s(dst *float32, lddst int, src *float32, ldsrc int, nblocks int)

// transpose4x4d is transpose8x8s for 4×4 blocks of float64. Needs AVX2.
//
//go:noescape
func transpose4x4d(dst *float64, lddst int, src *float64, ldsrc int, nblocks int)
