package tape_test

import (
	"fmt"

	"github.com/dlgo/dlgo/internal/tape"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A machine runs a graph again after its input is bound to new values.
func Example() {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("x"))
	y := G.Must(G.Sum(G.Must(G.Square(x))))
	m, err := tape.New(g)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range [][]float64{{1, 2, 3}, {0, 0, 4}} {
		G.Let(x, tensor.New(tensor.WithBacking(v)))
		if err := m.RunAll(); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(y.Value())
	}
	// Output:
	// 14
	// 16
}
