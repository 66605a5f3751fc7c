//go:build amd64 && !purego

#include "textflag.h"

// func adam8(w, grad, m, v *float32, n int, b1, omb1, b2, omb2, eta, sc2, eps float32)
//
// Adam's update of n values, n a multiple of 8, eight at a time, with the
// operations of adamStep in its order and without fused multiply-adds, so
// that every value is the bits the Go loop computes:
//
//	m = b1·m + omb1·g
//	v = b2·v + (omb2·g)·g
//	w = w − (eta·m)/(√v·sc2 + eps)
//
// Needs AVX.
TEXT ·adam8(SB), NOSPLIT, $0-68
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	VBROADCASTSS b1+40(FP), Y8
	VBROADCASTSS omb1+44(FP), Y9
	VBROADCASTSS b2+48(FP), Y10
	VBROADCASTSS omb2+52(FP), Y11
	VBROADCASTSS eta+56(FP), Y12
	VBROADCASTSS sc2+60(FP), Y13
	VBROADCASTSS eps+64(FP), Y14
	XORQ AX, AX
	SHRQ $3, CX
	JZ   adam_done

adam_loop:
	VMOVUPS (SI)(AX*1), Y0          // g
	VMULPS  (R8)(AX*1), Y8, Y1      // b1·m
	VMULPS  Y0, Y9, Y2              // omb1·g
	VADDPS  Y2, Y1, Y1              // m
	VMOVUPS Y1, (R8)(AX*1)
	VMULPS  (R9)(AX*1), Y10, Y3     // b2·v
	VMULPS  Y0, Y11, Y4             // omb2·g
	VMULPS  Y0, Y4, Y4              // ·g
	VADDPS  Y4, Y3, Y3              // v
	VMOVUPS Y3, (R9)(AX*1)
	VSQRTPS Y3, Y5
	VMULPS  Y13, Y5, Y5             // √v·sc2
	VADDPS  Y14, Y5, Y5             // + eps
	VMULPS  Y1, Y12, Y6             // eta·m
	VDIVPS  Y5, Y6, Y6
	VMOVUPS (DI)(AX*1), Y7
	VSUBPS  Y6, Y7, Y7
	VMOVUPS Y7, (DI)(AX*1)
	ADDQ    $32, AX
	DECQ    CX
	JNZ     adam_loop

adam_done:
	VZEROUPPER
	RET
