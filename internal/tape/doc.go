// Package tape runs a Gorgonia graph's operations in order, as
// Gorgonia's tape machine does, without the tape machine's costs per run:
// its RunAll locks the caller's OS thread and runs the tape in a new
// goroutine, so that every run switches threads twice, and its Reset
// drops every value, which the next run then allocates again. A Machine
// sorts the graph once, keeps each operation's inputs, and on each run
// calls every operation's Do on its inputs' values and binds the result
// to the node, in the calling goroutine.
//
// Do never writes its inputs (Gorgonia's machines call an op's unsafe
// variant when they can prove nothing else reads the input), so a node's
// value after a run is its own, and dlgo's ops reuse their result buffers
// from run to run: a training step or a prediction allocates nearly
// nothing. The values are the same bits the tape machine computes.
package tape
