package models

import (
	"fmt"
	"runtime"
	"sync"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// inferNet is an inference graph (dropout off) for one batch size, with its
// machine and the input tensor its x node is bound to. A Gorgonia machine
// runs one graph at a time and keeps its values in the graph's nodes, so an
// inferNet is used by one goroutine at a time.
type inferNet struct {
	size int
	net  *Net
	vm   G.VM
	x    *tensor.Dense
}

// maxInferGraphs is the least number of inference graphs a model may keep:
// one for full batches and a few for the sizes of partial ones.
const maxInferGraphs = 4

// graphPool lends a model's inference graphs to the goroutines that
// predict, one graph per call at a time, so that calls run in parallel
// without sharing a machine. Idle graphs are kept by batch size. The pool
// never holds more than limit graphs, idle or lent, where limit is
// max(maxInferGraphs, GOMAXPROCS): a call that finds no idle graph of its
// size builds one while the limit allows, else replaces an idle graph of
// another size (a partial size first), else waits for a graph to come back.
// A call holds at most one graph at a time, so waiting cannot deadlock.
//
// The graphs of one size are identical, so which one a call gets does not
// change its result: every call computes the same bits as it would alone.
type graphPool struct {
	mu    sync.Mutex
	cond  sync.Cond
	idle  map[int][]*inferNet
	total int // graphs in existence: idle, lent or being built
	limit int
}

// get returns a graph for batches of size, for the caller's use only until
// it hands it back with put (or, if running it failed, discard). full is
// the model's full batch size, whose graphs are the last to be replaced.
func (p *graphPool) get(m *Model, size, full int) (*inferNet, error) {
	p.mu.Lock()
	if p.idle == nil {
		p.idle = map[int][]*inferNet{}
		p.cond.L = &p.mu
		if p.limit == 0 {
			p.limit = max(maxInferGraphs, runtime.GOMAXPROCS(0))
		}
	}
	for {
		if list := p.idle[size]; len(list) > 0 {
			n := list[len(list)-1]
			p.idle[size] = list[:len(list)-1]
			p.mu.Unlock()
			return n, nil
		}
		if p.total < p.limit {
			p.total++
			p.mu.Unlock()
			n, err := m.newInferNet(size)
			if err != nil {
				p.discard()
			}
			return n, err
		}
		if p.evict(size, full) {
			continue
		}
		p.cond.Wait()
	}
}

// evict drops one idle graph of a size other than size, preferring partial
// sizes to full, and reports whether it found one. Callers hold p.mu.
func (p *graphPool) evict(size, full int) bool {
	victim := -1
	for b, list := range p.idle {
		if b == size || len(list) == 0 {
			continue
		}
		if victim < 0 || victim == full {
			victim = b
		}
	}
	if victim < 0 {
		return false
	}
	list := p.idle[victim]
	list[len(list)-1].vm.Close()
	if len(list) == 1 {
		delete(p.idle, victim)
	} else {
		p.idle[victim] = list[:len(list)-1]
	}
	p.total--
	return true
}

// put returns a graph lent by get.
func (p *graphPool) put(n *inferNet) {
	p.mu.Lock()
	p.idle[n.size] = append(p.idle[n.size], n)
	p.cond.Signal()
	p.mu.Unlock()
}

// discard accounts for a lent graph that will not come back (its build or
// its run failed), so that a waiting call may build another.
func (p *graphPool) discard() {
	p.mu.Lock()
	p.total--
	p.cond.Signal()
	p.mu.Unlock()
}

// graphs returns the number of graphs the pool holds, idle or lent.
func (p *graphPool) graphs() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.total
}

// buildMu serialises the building of inference graphs.
var buildMu sync.Mutex

// newInferNet builds an inference graph for batches of size. Its parameter
// nodes are bound to tensors of their own that share the parameters'
// storage: a graph sees every in-place update of the weights, as Forward's
// do, but Gorgonia's machine, which sets an engine on each value it is
// given, writes only to its own graph's tensors, never to ones that other
// goroutines' graphs are reading.
//
// Graphs are built one at a time in the whole program: building one
// updates counters global to Gorgonia (its op groups), unsynchronised.
func (m *Model) newInferNet(size int) (*inferNet, error) {
	buildMu.Lock()
	defer buildMu.Unlock()
	g := G.NewGraph()
	net, err := m.forward(g, size, false, func(p *Param) *tensor.Dense {
		return tensor.New(tensor.WithShape(p.Value.Shape()...), tensor.WithBacking(p.Value.Data()))
	})
	if err != nil {
		return nil, err
	}
	x := tensor.New(tensor.Of(m.dt), tensor.WithShape(net.X.Shape()...))
	if err := G.Let(net.X, x); err != nil {
		return nil, fmt.Errorf("models: %s: binding the input: %w", m.spec.Name, err)
	}
	return &inferNet{size: size, net: net, vm: G.NewTapeMachine(g), x: x}, nil
}
