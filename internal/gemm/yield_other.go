//go:build !linux

package gemm

import "runtime"

// osYield lets other goroutines run (the OS thread is not yielded).
func osYield() { runtime.Gosched() }
