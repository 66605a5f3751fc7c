package models

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/dlgo/dlgo/internal/tape"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// inferNet is an inference graph (dropout off) for one batch size, with its
// machine and the input tensor its x node is bound to. The machine runs
// the graph's ops in the calling goroutine (package tape: no thread
// hand-off per call, as Gorgonia's tape machine has, and the ops' buffers
// reused from call to call) and keeps its values in the graph's nodes, so
// an inferNet is used by one goroutine at a time.
type inferNet struct {
	size int
	net  *Net
	vm   *tape.Machine
	x    *tensor.Dense
}

// The bounds of a model's graph pool: its graphs hold at most
// max(minFullGraphs, GOMAXPROCS) times inferBudget values in all (as many
// graphs of the full batch size, or more smaller ones), and there are at
// most maxGraphs of them.
const (
	minFullGraphs = 4
	maxGraphs     = 64
)

// graphPool lends a model's inference graphs to the goroutines that
// predict, one graph per call at a time, so that calls run in parallel
// without sharing a machine. Idle graphs are kept by batch size.
//
// The pool is bounded by the values its graphs hold (their batch size
// times the model's values per sample, the estimate inferBatch uses) and
// by their number. A call that finds no idle graph of its size builds one
// if it fits; else it drops idle graphs of other sizes (partial sizes
// first) until it fits; else it waits for a graph to come back. A call
// holds at most one graph at a time, so waiting cannot deadlock.
//
// The graphs of one size are identical, so which one a call gets does not
// change its result: every call computes the same bits as it would alone.
type graphPool struct {
	mu     sync.Mutex
	cond   sync.Cond
	idle   map[int][]*inferNet
	count  int // graphs in existence: idle, lent or being built
	values int // the values they hold
	budget int // the most values they may hold
}

// get returns a graph for batches of size, for the caller's use only until
// it hands it back with put (or, if running it failed, discard). full is
// the model's full batch size, whose graphs are the last to be dropped.
func (p *graphPool) get(m *Model, size, full int) (*inferNet, error) {
	cost := size * m.sampleValues()
	p.mu.Lock()
	if p.idle == nil {
		p.idle = map[int][]*inferNet{}
		p.cond.L = &p.mu
		if p.budget == 0 {
			p.budget = max(minFullGraphs, runtime.GOMAXPROCS(0)) * inferBudget
		}
	}
	for {
		if list := p.idle[size]; len(list) > 0 {
			n := list[len(list)-1]
			p.idle[size] = list[:len(list)-1]
			p.mu.Unlock()
			return n, nil
		}
		// A graph larger than the whole budget (a huge model's, of batch
		// size 1) is built when it is the only one.
		if p.count < maxGraphs && (p.values+cost <= p.budget || p.count == 0) {
			p.count++
			p.values += cost
			p.mu.Unlock()
			n, err := m.newInferNet(size)
			if err != nil {
				p.discard(n, cost)
				return nil, err
			}
			return n, nil
		}
		if p.evict(m, size, full) {
			continue
		}
		p.cond.Wait()
	}
}

// evict drops one idle graph of a size other than size, preferring partial
// sizes to full, and reports whether it found one. Callers hold p.mu.
func (p *graphPool) evict(m *Model, size, full int) bool {
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
	if len(list) == 1 {
		delete(p.idle, victim)
	} else {
		p.idle[victim] = list[:len(list)-1]
	}
	p.count--
	p.values -= victim * m.sampleValues()
	return true
}

// put returns a graph lent by get.
func (p *graphPool) put(n *inferNet) {
	p.mu.Lock()
	p.idle[n.size] = append(p.idle[n.size], n)
	p.cond.Signal()
	p.mu.Unlock()
}

// discard accounts for a lent graph of the given cost that will not come
// back (building or running it failed), so that a waiting call may build
// another. n may be nil.
func (p *graphPool) discard(n *inferNet, cost int) {
	p.mu.Lock()
	p.count--
	p.values -= cost
	p.cond.Signal()
	p.mu.Unlock()
}

// stats returns the number of graphs the pool holds, idle or lent, and the
// values they hold.
func (p *graphPool) stats() (count, values int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.count, p.values
}

// sharedTensor returns a tensor of its own over p's storage, for a graph
// that must see every update of p but not write to the tensor other
// graphs read.
func sharedTensor(p *Param) *tensor.Dense {
	return tensor.New(tensor.WithShape(p.Value.Shape()...), tensor.WithBacking(p.Value.Data()))
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
	return m.newPartNet(0, len(m.layers), size)
}

// newPartNet builds an inference graph of the layers [from, to) for
// batches of size, as newInferNet does.
func (m *Model) newPartNet(from, to, size int) (*inferNet, error) {
	buildMu.Lock()
	defer buildMu.Unlock()
	g := G.NewGraph()
	net, err := m.forward(g, size, false, false, from, to, sharedTensor)
	if err != nil {
		return nil, err
	}
	x := tensor.New(tensor.Of(m.dt), tensor.WithShape(net.X.Shape()...))
	if err := G.Let(net.X, x); err != nil {
		return nil, fmt.Errorf("models: %s: binding the input: %w", m.spec.Name, err)
	}
	if err := m.bindNoise(net); err != nil {
		return nil, err
	}
	vm, err := tape.New(g)
	if err != nil {
		return nil, fmt.Errorf("models: %s: %w", m.spec.Name, err)
	}
	return &inferNet{size: size, net: net, vm: vm, x: x}, nil
}

// bindNoise binds an inference graph's noise inputs (a sampling layer's)
// to zeros: at inference a sampling layer outputs the mean of its latent
// distribution.
func (m *Model) bindNoise(net *Net) error {
	for _, nz := range net.Noise {
		if err := G.Let(nz.Node, tensor.New(tensor.Of(m.dt), tensor.WithShape(nz.Node.Shape()...))); err != nil {
			return fmt.Errorf("models: %s: binding the noise: %w", m.spec.Name, err)
		}
	}
	return nil
}
