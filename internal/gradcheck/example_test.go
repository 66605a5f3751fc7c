package gradcheck_test

import (
	"fmt"

	"github.com/dlgo/dlgo/internal/gradcheck"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Check the gradient of Σ tanh(x)·w against finite differences.
func ExampleCheck() {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithBacking([]float64{0.5, -1, 2}))))
	w := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("w"),
		G.WithValue(tensor.New(tensor.WithBacking([]float64{1, 2, 3}))))
	cost := G.Must(G.Sum(G.Must(G.HadamardProd(G.Must(G.Tanh(x)), w))))
	r, err := gradcheck.Check(g, cost, G.Nodes{x, w}, 1e-6)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Checked, "values, agree:", r.MaxRel < 1e-8)
	// Output: 6 values, agree: true
}
