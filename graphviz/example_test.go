package graphviz_test

import (
	"fmt"

	"github.com/dlgo/dlgo/graphviz"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The graph of c = a·b in DOT; graphviz.PNG(dot) draws it.
func ExampleDOT() {
	g := G.NewGraph()
	a := G.NewScalar(g, tensor.Float64, G.WithName("a"))
	b := G.NewScalar(g, tensor.Float64, G.WithName("b"))
	c := G.Must(G.Mul(a, b))
	fmt.Print(graphviz.DOT(g, graphviz.Options{Labels: map[*G.Node]string{c: "c"}}))
	// Output:
	// digraph G {
	// 	rankdir=TB;
	// 	nodesep=0.25;
	// 	ranksep=0.35;
	// 	dpi=96;
	// 	node [fontname="Helvetica", fontsize=11, penwidth=1, color="#333333"];
	// 	edge [fontname="Helvetica", fontsize=9, color="#333333", arrowsize=0.6];
	// 	n0 [label="a", shape=ellipse, style=filled, fillcolor="#e8e8e8"];
	// 	n1 [label="b", shape=ellipse, style=filled, fillcolor="#e8e8e8"];
	// 	n2 [label="c = ×", shape=box, style="rounded,filled", fillcolor="#d0e4f5"];
	// 	n0 -> n2;
	// 	n1 -> n2;
	// }
}
