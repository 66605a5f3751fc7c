//go:build amd64 && !purego

#include "textflag.h"

// func copyRows32(dst *float32, ds int, src *float32, ss int, rows, n int)
//
// dst[i*ds + j] = src[i*ss + j] for i < rows, j < n: rows of n values,
// eight at a time; the last n mod 8 with one more vector of eight that
// overlaps the previous one when n ≥ 8, one by one otherwise. Needs AVX.
TEXT ·copyRows32(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ ds+8(FP), R8
	SHLQ $2, R8
	MOVQ src+16(FP), SI
	MOVQ ss+24(FP), R9
	SHLQ $2, R9
	MOVQ rows+32(FP), CX
	MOVQ n+40(FP), DX
	LEAQ -32(DX*4), R11  // byte offset of the last eight values
	MOVQ DX, AX
	ANDQ $7, AX          // values in the tail
	SHRQ $3, DX          // vectors per row
	TESTQ CX, CX
	JZ    cr_done

cr_row:
	XORQ R12, R12
	MOVQ DX, R13
	TESTQ R13, R13
	JZ    cr_tail

cr_vec:
	VMOVUPS (SI)(R12*1), Y0
	VMOVUPS Y0, (DI)(R12*1)
	ADDQ    $32, R12
	DECQ    R13
	JNZ     cr_vec

	// A tail after at least one vector: the row's last eight values.
	TESTQ AX, AX
	JZ    cr_next
	VMOVUPS (SI)(R11*1), Y0
	VMOVUPS Y0, (DI)(R11*1)
	JMP   cr_next

cr_tail:
	MOVQ AX, R13
	TESTQ R13, R13
	JZ    cr_next

cr_one:
	MOVL (SI)(R12*1), R10
	MOVL R10, (DI)(R12*1)
	ADDQ $4, R12
	DECQ R13
	JNZ  cr_one

cr_next:
	ADDQ R9, SI
	ADDQ R8, DI
	DECQ CX
	JNZ  cr_row

cr_done:
	VZEROUPPER
	RET

// func addRows32(dst *float32, ds int, src *float32, ss int, rows, n int)
//
// dst[i*ds + j] += src[i*ss + j] for i < rows, j < n, eight at a time,
// the last n mod 8 one by one: each value is one addition, as in Go.
// Needs AVX.
TEXT ·addRows32(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ ds+8(FP), R8
	SHLQ $2, R8
	MOVQ src+16(FP), SI
	MOVQ ss+24(FP), R9
	SHLQ $2, R9
	MOVQ rows+32(FP), CX
	MOVQ n+40(FP), DX
	MOVQ DX, AX
	ANDQ $7, AX
	SHRQ $3, DX
	TESTQ CX, CX
	JZ    ar_done

ar_row:
	XORQ R12, R12
	MOVQ DX, R13
	TESTQ R13, R13
	JZ    ar_tail

ar_vec:
	VMOVUPS (DI)(R12*1), Y0
	VADDPS  (SI)(R12*1), Y0, Y0
	VMOVUPS Y0, (DI)(R12*1)
	ADDQ    $32, R12
	DECQ    R13
	JNZ     ar_vec

ar_tail:
	MOVQ AX, R13
	TESTQ R13, R13
	JZ    ar_next

ar_one:
	MOVSS (DI)(R12*1), X0
	ADDSS (SI)(R12*1), X0
	MOVSS X0, (DI)(R12*1)
	ADDQ  $4, R12
	DECQ  R13
	JNZ   ar_one

ar_next:
	ADDQ R9, SI
	ADDQ R8, DI
	DECQ CX
	JNZ  ar_row

ar_done:
	VZEROUPPER
	RET
