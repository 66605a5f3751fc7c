package ops

import (
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BenchmarkConvStep times one forward and backward pass of the MNIST
// ConvNet's second convolution and its pooling: a batch of 128 images of
// 32 channels, 28×28, through a 3×3 convolution to 64 channels with ReLU,
// then 2×2 max-pooling; the gradients of the input, the kernel and the
// bias, from a given gradient of the pooled output.
func BenchmarkConvStep(b *testing.B) {
	rng := rand.New(rand.NewPCG(10, 10))
	f32 := func(shape ...int) *tensor.Dense {
		v := make([]float32, tensor.Shape(shape).TotalSize())
		for i := range v {
			v[i] = float32(2*rng.Float64() - 1)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	}
	g := G.NewGraph()
	node := func(name string, t *tensor.Dense) *G.Node {
		return G.NewTensor(g, tensor.Float32, t.Dims(), G.WithShape(t.Shape()...), G.WithName(name), G.WithValue(t))
	}
	x, w, bias := node("x", f32(128, 32, 28, 28)), node("w", f32(64, 32, 3, 3)), node("b", f32(64))
	y := G.Must(Conv2D(x, w, bias, 3, 1, 0, ReLU, true))
	p := G.Must(MaxPool2D(y, 2, 2))
	dp := node("dp", f32(p.Shape()...))
	if _, err := G.Backpropagate(G.Nodes{p}, G.Nodes{dp}, G.Nodes{x, w, bias}); err != nil {
		b.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	step := func() {
		if err := vm.RunAll(); err != nil {
			b.Fatal(err)
		}
		vm.Reset()
	}
	step() // allocate the buffers
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		step()
	}
}
