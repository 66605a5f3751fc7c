//go:build !amd64 || purego

package ops

// haveAVX2 is false: the window loops are Go's.
const haveAVX2 = false

func windowMax2x2(dst, z *float32, fs, ws int, bias *float32, n int, lo float32) {
	panic("ops: no AVX2")
}

func windowGrad2x2(dz, z *float32, fs, ws int, bias, y, dy *float32, n int, mode int, slope float32) {
	panic("ops: no AVX2")
}

func copyRows32(dst *float32, ds int, src *float32, ss int, rows, n int) { panic("ops: no AVX2") }

func addRows32(dst *float32, ds int, src *float32, ss int, rows, n int) { panic("ops: no AVX2") }

func expNeg8(x *float32, n int, consts *float32) { panic("ops: no AVX2") }

func log1p8(x *float32, n int, consts *float32) { panic("ops: no AVX2") }

func sigmoidExp8(e, z *float32, n int) { panic("ops: no AVX2") }
