package gemm

// Transpose sets dst[j*ldd + i] = src[i*lds + j] for i < rows and j <
// cols: dst, cols×rows with leading dimension ldd, becomes the transpose
// of src, rows×cols with leading dimension lds. It uses the 8×8 (float32)
// or 4×4 (float64) AVX2 block transposes of the packing where the CPU has
// them. Too short slices or leading dimensions cause a panic.
func Transpose[T float32 | float64](rows, cols int, src []T, lds int, dst []T, ldd int) {
	if rows < 0 || cols < 0 {
		panic("gemm: negative transpose size")
	}
	if rows == 0 || cols == 0 {
		return
	}
	if lds < cols || ldd < rows || len(src) < (rows-1)*lds+cols || len(dst) < (cols-1)*ldd+rows {
		panic("gemm: transpose of a too short matrix")
	}
	var tr func(dst *T, lddst int, src *T, ldsrc int, nblocks int)
	tb := 0
	switch any(src).(type) {
	case []float32:
		if k := sKernels[activeKind]; k.transpose != nil {
			f := k.transpose
			tr, tb = any(f).(func(*T, int, *T, int, int)), k.tb
		}
	case []float64:
		if k := dKernels[activeKind]; k.transpose != nil {
			f := k.transpose
			tr, tb = any(f).(func(*T, int, *T, int, int)), k.tb
		}
	}
	if tr == nil {
		tb = 8
	}
	nb := cols / tb
	i := 0
	for ; i+tb <= rows; i += tb {
		if tr != nil && nb > 0 {
			// Rows i..i+tb-1 of src, columns < nb·tb, into rows < nb·tb,
			// columns i..i+tb-1 of dst: within the bounds checked above.
			tr(&dst[i], ldd, &src[i*lds], lds, nb)
			transposeBlock(i, i+tb, nb*tb, cols, src, lds, dst, ldd)
			continue
		}
		for j := 0; j < cols; j += tb {
			transposeBlock(i, i+tb, j, min(j+tb, cols), src, lds, dst, ldd)
		}
	}
	for j := 0; j < cols && i < rows; j += tb {
		transposeBlock(i, rows, j, min(j+tb, cols), src, lds, dst, ldd)
	}
}

// transposeBlock transposes rows [i0, i1) and columns [j0, j1) of src.
func transposeBlock[T float32 | float64](i0, i1, j0, j1 int, src []T, lds int, dst []T, ldd int) {
	for j := j0; j < j1; j++ {
		d := dst[j*ldd+i0 : j*ldd+i1]
		for k := range d {
			d[k] = src[(i0+k)*lds+j]
		}
	}
}
