package gemm

import "testing"

// BenchmarkConvShapes times the products of a training step of the MNIST
// ConvNet (batch 128) in the layouts the convolution ops use, beside a
// square product of about the same work for comparison.
func BenchmarkConvShapes(b *testing.B) {
	shapes := []benchShape{
		{"conv2_forward_TT", 15488, 64, 288, true, true, false},
		{"conv2_kernel_grad_NN", 288, 64, 15488, false, false, false},
		{"conv2_input_grad_TT", 288, 15488, 64, true, true, false},
		{"conv1_forward_TT", 86528, 32, 9, true, true, false},
		{"conv1_kernel_grad_TT", 32, 9, 86528, true, true, false},
		{"square1024", 1024, 1024, 1024, false, false, false},
	}
	for _, s := range shapes {
		b.Run(s.name, func(b *testing.B) {
			a, bb, c, lda, ldb, ldc := benchData[float32](s)
			for i := 0; i < b.N; i++ {
				Sgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, ldc)
			}
			reportGFLOPS(b, s)
		})
	}
}
