//go:build ignore

// asmgen writes kernels_amd64.s, the register-blocked micro-kernels of
// package gemm. Run it with "go generate" in internal/gemm.
//
// Every kernel has the Go signature
//
//	func name(kc int, a *T, rsa, csa int, b *T, c *T, ldc int, alpha, beta T)
//
// and computes, for an MR×NR tile,
//
//	C[r][j] = alpha * sum_{p<kc} A(r,p)*B[p][j] + beta*C[r][j]   (beta == 0: C is not read)
//
// where A(r,p) = a[r*rsa + p*csa] (A is either a packed sliver or the
// caller's matrix read in place), B is a packed panel B[p][j] = b[p*NR+j]
// and C[r][j] = c[r*ldc + j]. kc must be at least 1. Each C element is a
// plain chain of fused multiply-adds over p = 0, 1, ..., kc-1 starting from
// zero, followed by the alpha/beta update, so its value does not depend on
// where the tile lies.
package main

import (
	"bytes"
	"fmt"
	"log"
	"os"
)

type kernel struct {
	name     string
	elem     int    // element size in bytes: 4 or 8
	vreg     string // "Z" or "Y"
	vbytes   int    // vector size in bytes
	mr       int    // rows of the tile: 12 (AVX-512) or 6 (AVX2)
	suffix   string // "PS" or "PD"
	goType   string
	accFirst int // first accumulator register number
	bcFirst  int // first broadcast register number
	bcCount  int // number of broadcast registers to rotate through
	unroll   int
}

func (k kernel) nr() int      { return 2 * k.vbytes / k.elem }
func (k kernel) bstep() int   { return 2 * k.vbytes }
func (k kernel) argSize() int { return 56 + 2*k.elem }

func (k kernel) reg(n int) string { return fmt.Sprintf("%s%d", k.vreg, n) }

func (k kernel) acc(r, v int) string { return k.reg(k.accFirst + 2*r + v) }

// addr returns the operand for row r (0 ≤ r < 12) relative to two base
// registers (rows 0–5 and rows 6–11) and index registers holding 1, 3 and
// 5 times the row stride in bytes.
func addr(disp, r int, lo, hi, s1, s3, s5 string) string {
	base := lo
	if r >= 6 {
		base = hi
	}
	d := ""
	if disp != 0 {
		d = fmt.Sprint(disp)
	}
	switch r % 6 {
	case 0:
		return fmt.Sprintf("%s(%s)", d, base)
	case 1:
		return fmt.Sprintf("%s(%s)(%s*1)", d, base, s1)
	case 2:
		return fmt.Sprintf("%s(%s)(%s*2)", d, base, s1)
	case 3:
		return fmt.Sprintf("%s(%s)(%s*1)", d, base, s3)
	case 4:
		return fmt.Sprintf("%s(%s)(%s*4)", d, base, s1)
	default:
		return fmt.Sprintf("%s(%s)(%s*1)", d, base, s5)
	}
}

func (k kernel) aAddr(r int) string { return addr(0, r, "AX", "DX", "R8", "R9", "R10") }
func (k kernel) cAddr(disp, r int) string {
	return addr(disp, r, "DI", "SI", "R12", "R13", "R14")
}

func (k kernel) bcast() string {
	if k.elem == 4 {
		return "VBROADCASTSS"
	}
	return "VBROADCASTSD"
}

func (k kernel) mov() string {
	if k.elem == 4 {
		return "VMOVUPS"
	}
	return "VMOVUPD"
}

func (k kernel) shift() int {
	if k.elem == 4 {
		return 2
	}
	return 3
}

type writer struct{ bytes.Buffer }

func (w *writer) p(format string, args ...interface{}) {
	fmt.Fprintf(&w.Buffer, format, args...)
	w.WriteByte('\n')
}

// step emits one k-step: two vector loads of the B panel at offset off and
// MR broadcast/FMA groups.
func (k kernel) step(w *writer, off int) {
	w.p("\t%s %d(BX), %s", k.mov(), off, k.reg(0))
	w.p("\t%s %d(BX), %s", k.mov(), off+k.vbytes, k.reg(1))
	for r := 0; r < k.mr; r++ {
		bc := k.reg(k.bcFirst + r%k.bcCount)
		w.p("\t%s %s, %s", k.bcast(), k.aAddr(r), bc)
		w.p("\tVFMADD231%s %s, %s, %s", k.suffix, bc, k.reg(0), k.acc(r, 0))
		w.p("\tVFMADD231%s %s, %s, %s", k.suffix, bc, k.reg(1), k.acc(r, 1))
	}
	w.p("\tADDQ R11, AX")
	if k.mr > 6 {
		w.p("\tADDQ R11, DX")
	}
}

func (k kernel) gen(w *writer) {
	t := k.goType
	w.p("// func %s(kc int, a *%s, rsa int, csa int, b *%s, c *%s, ldc int, alpha %s, beta %s)", k.name, t, t, t, t, t)
	w.p("TEXT ·%s(SB), NOSPLIT, $0-%d", k.name, k.argSize())
	w.p("\tMOVQ kc+0(FP), CX")
	w.p("\tMOVQ a+8(FP), AX")
	w.p("\tMOVQ rsa+16(FP), R8")
	w.p("\tSHLQ $%d, R8", k.shift())
	w.p("\tLEAQ (R8)(R8*2), R9")
	w.p("\tLEAQ (R8)(R8*4), R10")
	w.p("\tMOVQ csa+24(FP), R11")
	w.p("\tSHLQ $%d, R11", k.shift())
	if k.mr > 6 {
		w.p("\tLEAQ (AX)(R9*2), DX")
	}
	w.p("\tMOVQ b+32(FP), BX")
	// Prefetch the C tile; it is read (or overwritten) after the loop.
	w.p("\tMOVQ c+40(FP), DI")
	w.p("\tMOVQ ldc+48(FP), R12")
	w.p("\tSHLQ $%d, R12", k.shift())
	w.p("\tLEAQ (R12)(R12*2), R13")
	w.p("\tLEAQ (R12)(R12*4), R14")
	if k.mr > 6 {
		w.p("\tLEAQ (DI)(R13*2), SI")
	}
	for r := 0; r < k.mr; r++ {
		w.p("\tPREFETCHT0 %s", k.cAddr(0, r))
		w.p("\tPREFETCHT0 %s", k.cAddr(2*k.vbytes-k.elem, r))
	}
	for r := 0; r < k.mr; r++ {
		for v := 0; v < 2; v++ {
			if k.vreg == "Z" {
				w.p("\tVPXORD %s, %s, %s", k.acc(r, v), k.acc(r, v), k.acc(r, v))
			} else {
				w.p("\tVPXOR %s, %s, %s", k.acc(r, v), k.acc(r, v), k.acc(r, v))
			}
		}
	}
	w.p("\tSUBQ $%d, CX", k.unroll)
	w.p("\tJL %s_tail", k.name)
	w.p("%s_loop:", k.name)
	for u := 0; u < k.unroll; u++ {
		k.step(w, u*k.bstep())
	}
	w.p("\tADDQ $%d, BX", k.unroll*k.bstep())
	w.p("\tSUBQ $%d, CX", k.unroll)
	w.p("\tJGE %s_loop", k.name)
	w.p("%s_tail:", k.name)
	w.p("\tADDQ $%d, CX", k.unroll)
	w.p("\tJZ %s_store", k.name)
	w.p("%s_loop1:", k.name)
	k.step(w, 0)
	w.p("\tADDQ $%d, BX", k.bstep())
	w.p("\tDECQ CX")
	w.p("\tJNZ %s_loop1", k.name)

	w.p("%s_store:", k.name)
	betaOff := 56 + k.elem
	w.p("\t%s alpha+56(FP), %s", k.bcast(), k.reg(0))
	if k.elem == 4 {
		w.p("\tMOVL beta+%d(FP), AX", betaOff)
		w.p("\tSHLL $1, AX")
	} else {
		w.p("\tMOVQ beta+%d(FP), AX", betaOff)
		w.p("\tSHLQ $1, AX")
	}
	w.p("\tJZ %s_beta0", k.name)
	w.p("\t%s beta+%d(FP), %s", k.bcast(), betaOff, k.reg(1))
	for r := 0; r < k.mr; r++ {
		for v := 0; v < 2; v++ {
			a := k.acc(r, v)
			m := k.cAddr(v*k.vbytes, r)
			w.p("\tVMUL%s %s, %s, %s", k.suffix, k.reg(0), a, a)
			w.p("\tVFMADD231%s %s, %s, %s", k.suffix, m, k.reg(1), a)
			w.p("\t%s %s, %s", k.mov(), a, m)
		}
	}
	w.p("\tVZEROUPPER")
	w.p("\tRET")
	w.p("%s_beta0:", k.name)
	for r := 0; r < k.mr; r++ {
		for v := 0; v < 2; v++ {
			a := k.acc(r, v)
			w.p("\tVMUL%s %s, %s, %s", k.suffix, k.reg(0), a, a)
			w.p("\t%s %s, %s", k.mov(), a, k.cAddr(v*k.vbytes, r))
		}
	}
	w.p("\tVZEROUPPER")
	w.p("\tRET")
	w.p("")
}

func main() {
	kernels := []kernel{
		{name: "sgemmKernelAVX512", elem: 4, vreg: "Z", vbytes: 64, mr: 12, suffix: "PS", goType: "float32", accFirst: 8, bcFirst: 2, bcCount: 6, unroll: 4},
		{name: "dgemmKernelAVX512", elem: 8, vreg: "Z", vbytes: 64, mr: 12, suffix: "PD", goType: "float64", accFirst: 8, bcFirst: 2, bcCount: 6, unroll: 4},
		{name: "sgemmKernelAVX2", elem: 4, vreg: "Y", vbytes: 32, mr: 6, suffix: "PS", goType: "float32", accFirst: 4, bcFirst: 2, bcCount: 2, unroll: 4},
		{name: "dgemmKernelAVX2", elem: 8, vreg: "Y", vbytes: 32, mr: 6, suffix: "PD", goType: "float64", accFirst: 4, bcFirst: 2, bcCount: 2, unroll: 4},
	}
	var w writer
	w.p("// Code generated by asmgen.go; DO NOT EDIT.")
	w.p("")
	w.p("//go:build amd64 && !purego")
	w.p("")
	w.p("#include \"textflag.h\"")
	w.p("")
	for _, k := range kernels {
		k.gen(&w)
	}
	if err := os.WriteFile("kernels_amd64.s", w.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
