package tape

import (
	"errors"
	"fmt"
	"time"

	G "gorgonia.org/gorgonia"
)

// Machine runs a graph's operations in a fixed topological order. It is
// not safe for concurrent use: like a tape machine, it is one goroutine's
// at a time.
type Machine struct {
	steps []step
}

// step is one operation node and the nodes of its inputs.
type step struct {
	node   *G.Node
	inputs G.Nodes
	args   []G.Value // the inputs' values, reused from run to run
}

// New compiles g: every node with an operation that takes inputs, in an
// order in which each comes after its inputs. Input nodes keep the values
// bound to them (G.Let), constants theirs. Graphs with statements (G.Read
// and the like) are Gorgonia's tape machine's only.
func New(g *G.ExprGraph) (*Machine, error) {
	sorted, err := G.Sort(g)
	if err != nil {
		return nil, fmt.Errorf("tape: sorting the graph: %w", err)
	}
	m := &Machine{}
	for i := len(sorted) - 1; i >= 0; i-- { // Sort puts the roots first
		n := sorted[i]
		if n.Op() != nil && statements[fmt.Sprintf("%T", n.Op())] {
			return nil, fmt.Errorf("tape: node %v is a statement (%T)", n, n.Op())
		}
		if n.Op() == nil || n.Op().Arity() == 0 {
			continue // an input, or a constant
		}
		var inputs G.Nodes
		for it := g.From(n.ID()); it.Next(); {
			inputs = append(inputs, it.Node().(*G.Node))
		}
		if a := n.Op().Arity(); a >= 0 && a != len(inputs) {
			return nil, fmt.Errorf("tape: node %v has %d inputs; its operation takes %d", n, len(inputs), a)
		}
		m.steps = append(m.steps, step{node: n, inputs: inputs, args: make([]G.Value, len(inputs))})
	}
	return m, nil
}

// RunAll runs every operation once, in order, and binds each result to its
// node.
func (m *Machine) RunAll() error { return m.run(nil) }

// RunAllTimed is RunAll, calling record with each operation node and the
// wall time its Do took: for profiles of where a step's time goes.
func (m *Machine) RunAllTimed(record func(n *G.Node, d time.Duration)) error { return m.run(record) }

func (m *Machine) run(record func(n *G.Node, d time.Duration)) error {
	for i := range m.steps {
		s := &m.steps[i]
		for j, in := range s.inputs {
			v := in.Value()
			if v == nil {
				return fmt.Errorf("tape: %v: input %v has no value", s.node, in)
			}
			s.args[j] = v
		}
		var start time.Time
		if record != nil {
			start = time.Now()
		}
		v, err := s.node.Op().Do(s.args...)
		if record != nil {
			record(s.node, time.Since(start))
		}
		if err != nil {
			return fmt.Errorf("tape: %v: %w", s.node, err)
		}
		if v == nil {
			return fmt.Errorf("tape: %v: %w", s.node, errNoValue)
		}
		if err := G.UnsafeLet(s.node, v); err != nil {
			return fmt.Errorf("tape: %v: %w", s.node, err)
		}
	}
	return nil
}

var errNoValue = errors.New("the operation returned no value")

// statements are the types of Gorgonia's statement operations (G.Read,
// G.Let's, At and device transfers), which only its own machines run.
var statements = map[string]bool{
	"gorgonia.readOp": true, "*gorgonia.readOp": true,
	"gorgonia.letOp": true, "*gorgonia.letOp": true,
	"gorgonia.atOp": true, "*gorgonia.atOp": true,
	"gorgonia.devTrans": true, "*gorgonia.devTrans": true,
}

// Reset does nothing: the next run overwrites every value. It is there so
// that a Machine is a gorgonia.VM.
func (m *Machine) Reset() {}

// Close does nothing, as Reset.
func (m *Machine) Close() error { return nil }

// Len returns the number of operations a run executes.
func (m *Machine) Len() int { return len(m.steps) }

var _ G.VM = (*Machine)(nil)
