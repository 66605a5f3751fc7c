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
