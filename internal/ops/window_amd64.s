//go:build amd64 && !purego

#include "textflag.h"

// func windowMax2x2(dst, z *float32, fs, ws int, bias *float32, n int, lo float32)
//
// For i < n, a multiple of 8: dst[i] = max(z0[i]+b[i], z1[i]+b[i],
// z2[i]+b[i], z3[i]+b[i], lo) with z0 = z, z1 = z+fs, z2 = z+ws, z3 =
// z+ws+fs (offsets in elements) and b = bias. Needs AVX2.
TEXT ·windowMax2x2(SB), NOSPLIT, $0-52
	MOVQ dst+0(FP), DI
	MOVQ z+8(FP), SI
	MOVQ fs+16(FP), R8
	SHLQ $2, R8
	MOVQ ws+24(FP), R9
	SHLQ $2, R9
	LEAQ (SI)(R8*1), R11 // z1
	LEAQ (SI)(R9*1), R10 // z2
	LEAQ (R10)(R8*1), R12 // z3
	MOVQ bias+32(FP), BX
	MOVQ n+40(FP), CX
	VBROADCASTSS lo+48(FP), Y7
	XORQ AX, AX
	SHRQ $3, CX
	JZ   wm_done

wm_loop:
	VMOVUPS (BX)(AX*1), Y0
	VADDPS  (SI)(AX*1), Y0, Y1
	VADDPS  (R11)(AX*1), Y0, Y2
	VADDPS  (R10)(AX*1), Y0, Y3
	VADDPS  (R12)(AX*1), Y0, Y4
	VMAXPS  Y2, Y1, Y1
	VMAXPS  Y4, Y3, Y3
	VMAXPS  Y3, Y1, Y1
	VMAXPS  Y7, Y1, Y1
	VMOVUPS Y1, (DI)(AX*1)
	ADDQ    $32, AX
	DECQ    CX
	JNZ     wm_loop

wm_done:
	VZEROUPPER
	RET

// func windowGrad2x2(dz, z *float32, fs, ws int, bias, y, dy *float32, n int, mode int, slope float32)
//
// For i < n, a multiple of 8, with z0..z3 as in windowMax2x2 and dz0..dz3
// the same offsets from dz: the window's gradient g goes to the first k
// for which act(zk[i]+b[i]) == y[i] (to dz3 if none), the other three get
// 0. mode 0 is the identity (g = dy), 1 ReLU (g = dy where y > 0, else 0;
// zk+b is compared itself), 2 leaky ReLU (g = dy where y > 0, else
// slope·dy; act(v) = max(v, slope·v)). Needs AVX2.
TEXT ·windowGrad2x2(SB), NOSPLIT, $0-76
	MOVQ dz+0(FP), DI
	MOVQ z+8(FP), SI
	MOVQ fs+16(FP), R8
	SHLQ $2, R8
	MOVQ ws+24(FP), R9
	SHLQ $2, R9
	LEAQ (SI)(R8*1), R11 // z1
	LEAQ (SI)(R9*1), R10 // z2
	LEAQ (R10)(R8*1), R12 // z3
	LEAQ (DI)(R8*1), DX  // dz1
	LEAQ (DI)(R9*1), R15 // dz2
	LEAQ (R15)(R8*1), R8 // dz3
	MOVQ bias+32(FP), BX
	MOVQ y+40(FP), R13
	MOVQ dy+48(FP), R14
	MOVQ n+56(FP), CX
	MOVQ mode+64(FP), R9
	VBROADCASTSS slope+72(FP), Y14
	VXORPS Y15, Y15, Y15
	XORQ AX, AX
	SHRQ $3, CX
	JZ   wg_done

wg_loop:
	VMOVUPS (BX)(AX*1), Y0
	VADDPS  (SI)(AX*1), Y0, Y1
	VADDPS  (R11)(AX*1), Y0, Y2
	VADDPS  (R10)(AX*1), Y0, Y3
	VADDPS  (R12)(AX*1), Y0, Y4
	VMOVUPS (R13)(AX*1), Y5 // y
	VMOVUPS (R14)(AX*1), Y6 // dy
	CMPQ    R9, $2
	JNE     wg_compare
	// Leaky ReLU: compare act(v) = max(v, slope·v); g = y > 0 ? dy : slope·dy.
	VMULPS    Y14, Y1, Y11
	VMAXPS    Y11, Y1, Y1
	VMULPS    Y14, Y2, Y11
	VMAXPS    Y11, Y2, Y2
	VMULPS    Y14, Y3, Y11
	VMAXPS    Y11, Y3, Y3
	VMULPS    Y14, Y4, Y11
	VMAXPS    Y11, Y4, Y4
	VCMPPS    $0x1e, Y15, Y5, Y12 // y > 0
	VMULPS    Y14, Y6, Y11
	VBLENDVPS Y12, Y6, Y11, Y6
	JMP       wg_masks

wg_compare:
	CMPQ    R9, $1
	JNE     wg_masks
	VCMPPS  $0x1e, Y15, Y5, Y12 // y > 0
	VANDPS  Y12, Y6, Y6

wg_masks:
	VCMPPS  $0, Y5, Y1, Y7  // eq0
	VCMPPS  $0, Y5, Y2, Y8  // eq1
	VCMPPS  $0, Y5, Y3, Y9  // eq2
	VANDNPS Y8, Y7, Y8      // m1 = eq1 &^ eq0
	VORPS   Y7, Y8, Y10     // taken = m0 | m1
	VANDNPS Y9, Y10, Y9     // m2 = eq2 &^ taken
	VORPS   Y9, Y10, Y10    // taken |= m2
	VANDPS  Y6, Y7, Y1
	VANDPS  Y6, Y8, Y2
	VANDPS  Y6, Y9, Y3
	VANDNPS Y6, Y10, Y4     // m3 = not taken
	VMOVUPS Y1, (DI)(AX*1)
	VMOVUPS Y2, (DX)(AX*1)
	VMOVUPS Y3, (R15)(AX*1)
	VMOVUPS Y4, (R8)(AX*1)
	ADDQ    $32, AX
	DECQ    CX
	JNZ     wg_loop

wg_done:
	VZEROUPPER
	RET
