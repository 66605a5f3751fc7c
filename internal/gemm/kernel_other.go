//go:build !amd64 || purego

package gemm

// archInit registers no assembly kernels: only the Go kernel is used.
func archInit() {}
