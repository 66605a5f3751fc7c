//go:build amd64 && !purego

package ops

import "golang.org/x/sys/cpu"

// haveAVX2 says the AVX2 loops of window_amd64.s and rows_amd64.s run
// here.
var haveAVX2 = cpu.X86.HasAVX2

//go:noescape
func windowMax2x2(dst, z *float32, fs, ws int, bias *float32, n int, lo float32)

//go:noescape
func windowGrad2x2(dz, z *float32, fs, ws int, bias, y, dy *float32, n int, mode int, slope float32)

//go:noescape
func copyRows32(dst *float32, ds int, src *float32, ss int, rows, n int)

//go:noescape
func addRows32(dst *float32, ds int, src *float32, ss int, rows, n int)

//go:noescape
func expNeg8(x *float32, n int, consts *float32)

//go:noescape
func log1p8(x *float32, n int, consts *float32)

//go:noescape
func sigmoidExp8(e, z *float32, n int)
