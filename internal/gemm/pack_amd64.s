//go:build amd64 && !purego

#include "textflag.h"

// func transpose8x8s(dst *float32, lddst int, src *float32, ldsrc int, nblocks int)
//
// For each of nblocks consecutive 8×8 blocks along the rows of src (block b
// starts at src + 8b), writes its transpose to dst + 8b*lddst:
// dst[(8b+i)*lddst + j] = src[j*ldsrc + 8b + i], i, j < 8. Needs AVX2.
TEXT ·transpose8x8s(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ lddst+8(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9  // 3·lddst
	LEAQ (R8)(R8*4), R10 // 5·lddst
	LEAQ (R9)(R8*4), R11 // 7·lddst
	MOVQ src+16(FP), SI
	MOVQ ldsrc+24(FP), DX
	SHLQ $2, DX
	LEAQ (DX)(DX*2), BX  // 3·ldsrc
	LEAQ (SI)(DX*4), AX  // row 4
	MOVQ nblocks+32(FP), CX
	TESTQ CX, CX
	JZ   t8s_done

t8s_loop:
	// Y0 = rows 0|4, Y1 = 1|5, Y2 = 2|6, Y3 = 3|7, columns 0–3;
	// Y4–Y7 the same for columns 4–7.
	VMOVUPS     (SI), X0
	VINSERTF128 $1, (AX), Y0, Y0
	VMOVUPS     (SI)(DX*1), X1
	VINSERTF128 $1, (AX)(DX*1), Y1, Y1
	VMOVUPS     (SI)(DX*2), X2
	VINSERTF128 $1, (AX)(DX*2), Y2, Y2
	VMOVUPS     (SI)(BX*1), X3
	VINSERTF128 $1, (AX)(BX*1), Y3, Y3
	VMOVUPS     16(SI), X4
	VINSERTF128 $1, 16(AX), Y4, Y4
	VMOVUPS     16(SI)(DX*1), X5
	VINSERTF128 $1, 16(AX)(DX*1), Y5, Y5
	VMOVUPS     16(SI)(DX*2), X6
	VINSERTF128 $1, 16(AX)(DX*2), Y6, Y6
	VMOVUPS     16(SI)(BX*1), X7
	VINSERTF128 $1, 16(AX)(BX*1), Y7, Y7

	VUNPCKLPS Y1, Y0, Y8  // r0c0 r1c0 r0c1 r1c1 | r4c0 r5c0 r4c1 r5c1
	VUNPCKHPS Y1, Y0, Y9  // columns 2, 3
	VUNPCKLPS Y3, Y2, Y10 // r2, r3 columns 0, 1
	VUNPCKHPS Y3, Y2, Y11
	VSHUFPS   $0x44, Y10, Y8, Y12 // column 0
	VSHUFPS   $0xEE, Y10, Y8, Y13 // column 1
	VSHUFPS   $0x44, Y11, Y9, Y14 // column 2
	VSHUFPS   $0xEE, Y11, Y9, Y15 // column 3
	VMOVUPS   Y12, (DI)
	VMOVUPS   Y13, (DI)(R8*1)
	VMOVUPS   Y14, (DI)(R8*2)
	VMOVUPS   Y15, (DI)(R9*1)

	VUNPCKLPS Y5, Y4, Y8
	VUNPCKHPS Y5, Y4, Y9
	VUNPCKLPS Y7, Y6, Y10
	VUNPCKHPS Y7, Y6, Y11
	VSHUFPS   $0x44, Y10, Y8, Y12 // column 4
	VSHUFPS   $0xEE, Y10, Y8, Y13 // column 5
	VSHUFPS   $0x44, Y11, Y9, Y14 // column 6
	VSHUFPS   $0xEE, Y11, Y9, Y15 // column 7
	VMOVUPS   Y12, (DI)(R8*4)
	VMOVUPS   Y13, (DI)(R10*1)
	VMOVUPS   Y14, (DI)(R9*2)
	VMOVUPS   Y15, (DI)(R11*1)

	ADDQ $32, SI
	ADDQ $32, AX
	LEAQ (DI)(R8*8), DI
	DECQ CX
	JNZ  t8s_loop

t8s_done:
	VZEROUPPER
	RET

// func transpose4x4d(dst *float64, lddst int, src *float64, ldsrc int, nblocks int)
//
// transpose4x4d is transpose8x8s for 4×4 blocks of float64. Needs AVX2.
TEXT ·transpose4x4d(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ lddst+8(FP), R8
	SHLQ $3, R8
	LEAQ (R8)(R8*2), R9 // 3·lddst
	MOVQ src+16(FP), SI
	MOVQ ldsrc+24(FP), DX
	SHLQ $3, DX
	LEAQ (SI)(DX*2), AX // row 2
	MOVQ nblocks+32(FP), CX
	TESTQ CX, CX
	JZ   t4d_done

t4d_loop:
	VMOVUPD     (SI), X0
	VINSERTF128 $1, (AX), Y0, Y0 // r0c0 r0c1 | r2c0 r2c1
	VMOVUPD     (SI)(DX*1), X1
	VINSERTF128 $1, (AX)(DX*1), Y1, Y1 // r1c0 r1c1 | r3c0 r3c1
	VMOVUPD     16(SI), X2
	VINSERTF128 $1, 16(AX), Y2, Y2
	VMOVUPD     16(SI)(DX*1), X3
	VINSERTF128 $1, 16(AX)(DX*1), Y3, Y3
	VUNPCKLPD   Y1, Y0, Y4 // column 0
	VUNPCKHPD   Y1, Y0, Y5 // column 1
	VUNPCKLPD   Y3, Y2, Y6 // column 2
	VUNPCKHPD   Y3, Y2, Y7 // column 3
	VMOVUPD     Y4, (DI)
	VMOVUPD     Y5, (DI)(R8*1)
	VMOVUPD     Y6, (DI)(R8*2)
	VMOVUPD     Y7, (DI)(R9*1)

	ADDQ $32, SI
	ADDQ $32, AX
	LEAQ (DI)(R8*4), DI
	DECQ CX
	JNZ  t4d_loop

t4d_done:
	VZEROUPPER
	RET
