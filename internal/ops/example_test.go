package ops_test

import (
	"fmt"

	"github.com/dlgo/dlgo/internal/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A dense layer with ReLU as one Gorgonia node, and its gradients.
func ExampleDense() {
	g := G.NewGraph()
	matrix := func(name string, rows, cols int, v ...float32) *G.Node {
		return G.NewMatrix(g, tensor.Float32, G.WithShape(rows, cols), G.WithName(name),
			G.WithValue(tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(v))))
	}
	x := matrix("x", 2, 2, 1, 2, 3, 4)
	w := matrix("w", 2, 1, 1, -0.5)
	b := G.NewVector(g, tensor.Float32, G.WithShape(1), G.WithName("b"),
		G.WithValue(tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{0.5}))))
	y, err := ops.Dense(x, w, b, ops.ReLU, false) // x is data: no gradient needed
	if err != nil {
		fmt.Println(err)
		return
	}
	grads, err := G.Grad(G.Must(G.Sum(y)), w, b)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := G.NewTapeMachine(g).RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("y:", y.Value().Data(), "dw:", grads[0].Value().Data(), "db:", grads[1].Value().Data())
	// Output: y: [0.5 1.5] dw: [4 6] db: [2]
}

// Training-mode batch normalisation of a batch of 4 samples of 2 features:
// the batch statistics are nodes, which a trainer reads after each run to
// update its running averages.
func ExampleBatchNormApply() {
	g := G.NewGraph()
	vector := func(name string, v ...float64) *G.Node {
		return G.NewVector(g, tensor.Float64, G.WithShape(len(v)), G.WithName(name),
			G.WithValue(tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(v))))
	}
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 2), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float64{1, 10, 2, 20, 3, 30, 4, 40}))))
	gamma, beta := vector("gamma", 1, 2), vector("beta", 0, 1)
	mean := G.Must(ops.ChannelMean(x))
	variance := G.Must(ops.ChannelVariance(x, mean))
	y := G.Must(ops.BatchNormApply(x, mean, variance, gamma, beta, 0))
	if _, err := G.Grad(G.Must(G.Sum(y)), gamma, beta); err != nil {
		fmt.Println(err)
		return
	}
	if err := G.NewTapeMachine(g).RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("mean:", mean.Value().Data(), "variance:", variance.Value().Data())
	fmt.Printf("y: %.4f\n", y.Value().Data())
	// Output:
	// mean: [2.5 25] variance: [1.25 125]
	// y: [-1.3416 -1.6833 -0.4472 0.1056 0.4472 1.8944 1.3416 3.6833]
}
