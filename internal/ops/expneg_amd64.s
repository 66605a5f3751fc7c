//go:build amd64 && !purego

#include "textflag.h"

// func expNeg8(x *float32, n int, consts *float32)
//
// x[i] = expNeg32(x[i]) for i < n, n a multiple of 8, eight at a time:
// the operations of expNeg32 in its order, without fused multiply-adds,
// so that every value is the bits the Go function computes. consts is
// expNegConsts. Needs AVX2.
TEXT ·expNeg8(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ consts+16(FP), SI
	VBROADCASTSS 0(SI), Y15  // lo
	VBROADCASTSS 4(SI), Y14  // hi
	VBROADCASTSS 8(SI), Y13  // log2 e
	VBROADCASTSS 12(SI), Y12 // 1.5·2^23
	VBROADCASTSS 16(SI), Y11 // C1
	VBROADCASTSS 20(SI), Y10 // C2
	VBROADCASTSS 48(SI), Y9  // 1
	MOVL         $127, AX
	VMOVD        AX, X8
	VPBROADCASTD X8, Y8
	SHRQ         $3, CX
	JZ           exp_done

exp_loop:
	VMOVUPS (DI), Y0
	VMAXPS  Y0, Y15, Y0 // max(lo, x); NaN stays
	VMINPS  Y0, Y14, Y0 // min(hi, x); NaN stays
	VMULPS  Y13, Y0, Y1
	VADDPS  Y12, Y1, Y1
	VSUBPS  Y12, Y1, Y1 // n
	VMULPS  Y11, Y1, Y2
	VSUBPS  Y2, Y0, Y2  // x - n·C1
	VMULPS  Y10, Y1, Y3
	VSUBPS  Y3, Y2, Y2  // r
	VBROADCASTSS 24(SI), Y4
	VMULPS  Y2, Y4, Y4
	VBROADCASTSS 28(SI), Y5
	VADDPS  Y5, Y4, Y4
	VMULPS  Y2, Y4, Y4
	VBROADCASTSS 32(SI), Y5
	VADDPS  Y5, Y4, Y4
	VMULPS  Y2, Y4, Y4
	VBROADCASTSS 36(SI), Y5
	VADDPS  Y5, Y4, Y4
	VMULPS  Y2, Y4, Y4
	VBROADCASTSS 40(SI), Y5
	VADDPS  Y5, Y4, Y4
	VMULPS  Y2, Y4, Y4
	VBROADCASTSS 44(SI), Y5
	VADDPS  Y5, Y4, Y4  // p
	VMULPS  Y2, Y4, Y4
	VMULPS  Y2, Y4, Y4
	VADDPS  Y2, Y4, Y4
	VADDPS  Y9, Y4, Y4  // p·r·r + r + 1
	VCVTPS2DQ Y1, Y3
	VPADDD  Y8, Y3, Y3
	VPSLLD  $23, Y3, Y3 // 2^n
	VMULPS  Y3, Y4, Y4
	VMOVUPS Y4, (DI)
	ADDQ    $32, DI
	DECQ    CX
	JNZ     exp_loop

exp_done:
	VZEROUPPER
	RET

// func log1p8(x *float32, n int, consts *float32)
//
// x[i] = log1pUnit32(x[i]) for i < n, n a multiple of 8, eight at a time,
// with the operations of log1pUnit32 in its order (both of its branches,
// blended), without fused multiply-adds. consts is log1pConsts. Needs
// AVX2.
TEXT ·log1p8(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ consts+16(FP), SI
	VBROADCASTSS 0(SI), Y15  // 1
	VBROADCASTSS 4(SI), Y14  // √½
	VBROADCASTSS 8(SI), Y13  // 0.5
	VBROADCASTSS 12(SI), Y12 // C1
	VBROADCASTSS 16(SI), Y11 // C2
	MOVL         $0x007fffff, AX
	VMOVD        AX, X10
	VPBROADCASTD X10, Y10
	MOVL         $0x3f000000, AX
	VMOVD        AX, X9
	VPBROADCASTD X9, Y9
	MOVL         $0xff, AX
	VMOVD        AX, X8
	VPBROADCASTD X8, Y8
	MOVL         $126, AX
	VMOVD        AX, X7
	VPBROADCASTD X7, Y7
	SHRQ         $3, CX
	JZ           log_done

log_loop:
	VMOVUPS   (DI), Y0       // x
	VADDPS    Y15, Y0, Y1    // u = x + 1
	VPSRLD    $23, Y1, Y2
	VPAND     Y8, Y2, Y2
	VPSUBD    Y7, Y2, Y2
	VCVTDQ2PS Y2, Y2         // e
	VPAND     Y10, Y1, Y3
	VPOR      Y9, Y3, Y3     // m in [0.5, 1)
	VCMPPS    $1, Y14, Y3, Y4 // m < √½
	VSUBPS    Y15, Y2, Y5
	VBLENDVPS Y4, Y5, Y2, Y2 // e, or e - 1
	VADDPS    Y3, Y3, Y5
	VSUBPS    Y15, Y5, Y5    // m + m - 1
	VSUBPS    Y15, Y3, Y3    // m - 1
	VBLENDVPS Y4, Y5, Y3, Y3 // m
	VMULPS    Y3, Y3, Y4     // z
	VBROADCASTSS 20(SI), Y5
	VMULPS    Y3, Y5, Y5
	VBROADCASTSS 24(SI), Y6
	VADDPS    Y6, Y5, Y5
	VMULPS    Y3, Y5, Y5
	VBROADCASTSS 28(SI), Y6
	VADDPS    Y6, Y5, Y5
	VMULPS    Y3, Y5, Y5
	VBROADCASTSS 32(SI), Y6
	VADDPS    Y6, Y5, Y5
	VMULPS    Y3, Y5, Y5
	VBROADCASTSS 36(SI), Y6
	VADDPS    Y6, Y5, Y5
	VMULPS    Y3, Y5, Y5
	VBROADCASTSS 40(SI), Y6
	VADDPS    Y6, Y5, Y5
	VMULPS    Y3, Y5, Y5
	VBROADCASTSS 44(SI), Y6
	VADDPS    Y6, Y5, Y5
	VMULPS    Y3, Y5, Y5
	VBROADCASTSS 48(SI), Y6
	VADDPS    Y6, Y5, Y5
	VMULPS    Y3, Y5, Y5
	VBROADCASTSS 52(SI), Y6
	VADDPS    Y6, Y5, Y5     // the polynomial
	VMULPS    Y3, Y5, Y5
	VMULPS    Y4, Y5, Y5     // y
	VMULPS    Y11, Y2, Y6
	VADDPS    Y6, Y5, Y5     // y + e·C2
	VMULPS    Y4, Y13, Y6
	VSUBPS    Y6, Y5, Y5     // y - 0.5·z
	VADDPS    Y5, Y3, Y3
	VMULPS    Y12, Y2, Y6
	VADDPS    Y6, Y3, Y3     // m + y + e·C1: log u
	VSUBPS    Y15, Y1, Y6
	VDIVPS    Y6, Y0, Y6     // x / (u - 1)
	VMULPS    Y6, Y3, Y3
	VCMPPS    $0, Y15, Y1, Y4 // u == 1
	VBLENDVPS Y4, Y0, Y3, Y3
	VMOVUPS   Y3, (DI)
	ADDQ      $32, DI
	DECQ      CX
	JNZ       log_loop

log_done:
	VZEROUPPER
	RET

// func sigmoidExp8(e, z *float32, n int)
//
// e[i] = sigmoidFromExp32(z[i], e[i]) for i < n, n a multiple of 8, eight
// at a time, with the Go function's operations. Needs AVX.
TEXT ·sigmoidExp8(SB), NOSPLIT, $0-24
	MOVQ  e+0(FP), DI
	MOVQ  z+8(FP), SI
	MOVQ  n+16(FP), CX
	MOVL  $0x3f800000, AX
	VMOVD AX, X15
	VBROADCASTSS X15, Y15 // 1
	VXORPS Y14, Y14, Y14  // 0
	SHRQ  $3, CX
	JZ    sig_done

sig_loop:
	VMOVUPS   (DI), Y0
	VADDPS    Y15, Y0, Y1
	VDIVPS    Y1, Y15, Y1     // s = 1/(1 + e)
	VMULPS    Y1, Y0, Y2      // e·s
	VMOVUPS   (SI), Y3
	VCMPPS    $1, Y14, Y3, Y4 // z < 0
	VBLENDVPS Y4, Y2, Y1, Y1
	VMOVUPS   Y1, (DI)
	ADDQ      $32, DI
	ADDQ      $32, SI
	DECQ      CX
	JNZ       sig_loop

sig_done:
	VZEROUPPER
	RET
