package gemm

import (
	"syscall"
	"testing"
)

func cpuSec() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func BenchmarkTmpConv(b *testing.B) {
	shapes := []benchShape{
		{"c2fwd_TT", 15488, 64, 288, true, true, false},
		{"c2dWt_NN", 288, 64, 15488, false, false, false},
		{"c2dcols_TT", 288, 15488, 64, true, true, false},
		{"c1fwd_TT", 86528, 32, 9, true, true, false},
		{"c1dW_TT", 32, 9, 86528, true, true, false},
		{"sq1024", 1024, 1024, 1024, false, false, false},
	}
	for _, s := range shapes {
		b.Run(s.name, func(b *testing.B) {
			a, bb, c, lda, ldb, ldc := benchData[float32](s)
			c0 := cpuSec()
			for i := 0; i < b.N; i++ {
				Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, ldc)
			}
			b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N)/(cpuSec()-c0)/1e9, "GFLOP/cpus")
			reportGFLOPS(b, s)
		})
	}
}
