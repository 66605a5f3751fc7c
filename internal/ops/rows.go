package ops

// copyRows sets dst[i*ds + j] = src[i*ss + j] for i < rows and j < n:
// short runs, as im2col copies them, with AVX2 where there is.
func copyRows[T float](dst []T, ds int, src []T, ss, rows, n int) {
	if rows <= 0 || n <= 0 {
		return
	}
	_, _ = dst[(rows-1)*ds+n-1], src[(rows-1)*ss+n-1] // in bounds
	if d, ok := any(dst).([]float32); ok && haveAVX2 {
		copyRows32(&d[0], ds, &any(src).([]float32)[0], ss, rows, n)
		return
	}
	for i := range rows {
		copy(dst[i*ds:i*ds+n], src[i*ss:i*ss+n])
	}
}

// addRows adds src[i*ss + j] to dst[i*ds + j] for i < rows and j < n, one
// addition per value, as col2im folds runs back.
func addRows[T float](dst []T, ds int, src []T, ss, rows, n int) {
	if rows <= 0 || n <= 0 {
		return
	}
	_, _ = dst[(rows-1)*ds+n-1], src[(rows-1)*ss+n-1] // in bounds
	if d, ok := any(dst).([]float32); ok && haveAVX2 {
		addRows32(&d[0], ds, &any(src).([]float32)[0], ss, rows, n)
		return
	}
	for i := range rows {
		addTo(dst[i*ds:i*ds+n], src[i*ss:i*ss+n])
	}
}
