// Package graphviz draws Gorgonia expression graphs, the computation
// graphs dlgo's models are built as: DOT writes a graph in Graphviz's DOT
// language in the notation of a deep-learning course (inputs and
// parameters as ellipses, operations as boxes, the nodes that G.Grad adds
// for the backward pass in red, and dashed arrows from each node to its
// derivative), and Render and PNG turn it into a picture with Graphviz's
// dot program (Debian's graphviz package).
//
// Gorgonia's own ExprGraph.ToDot writes every internal field of every
// node; DOT writes what a reader of the graph needs: names, operations,
// shapes and, after a run, small values.
package graphviz
