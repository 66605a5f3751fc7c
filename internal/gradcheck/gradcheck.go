// Package gradcheck compares the gradients Gorgonia derives symbolically
// with central finite differences, the test every loss, activation and
// layer in dlgo must pass.
package gradcheck

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Result is the worst disagreement found between the symbolic and the
// numeric gradient.
type Result struct {
	// MaxAbs is the largest |symbolic - numeric| over all checked values.
	MaxAbs float64
	// MaxRel is the largest |symbolic - numeric| / max(1, |numeric|).
	MaxRel float64
	// Node and Index locate the value where MaxRel occurred.
	Node  string
	Index int
	// Checked counts the values compared.
	Checked int
}

func (r Result) String() string {
	return fmt.Sprintf("max abs %.3g, max rel %.3g at %s[%d] over %d values", r.MaxAbs, r.MaxRel, r.Node, r.Index, r.Checked)
}

// Check differentiates the scalar cost with respect to each node in wrt
// and compares the result with central differences (f(v+h) - f(v-h))/2h,
// perturbing every value of every wrt node in turn. The wrt nodes must be
// float64 and bound to *tensor.Dense values (G.WithValue), which Check
// perturbs in place and restores. cost must be a float64 scalar of g.
func Check(g *G.ExprGraph, cost *G.Node, wrt G.Nodes, h float64) (Result, error) {
	if cost.Dtype() != tensor.Float64 {
		return Result{}, fmt.Errorf("gradcheck: cost is %v; checks run in float64", cost.Dtype())
	}
	grads, err := G.Grad(cost, wrt...)
	if err != nil {
		return Result{}, fmt.Errorf("gradcheck: %w", err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	eval := func() (float64, error) {
		defer vm.Reset()
		if err := vm.RunAll(); err != nil {
			return 0, err
		}
		v, ok := cost.Value().Data().(float64)
		if !ok {
			return 0, fmt.Errorf("gradcheck: cost is not a float64 scalar but %v", cost.Shape())
		}
		return v, nil
	}
	if err := vm.RunAll(); err != nil {
		return Result{}, fmt.Errorf("gradcheck: %w", err)
	}
	symbolic := make([][]float64, len(grads))
	for i, gr := range grads {
		symbolic[i] = append([]float64(nil), flat(gr.Value())...)
	}
	vm.Reset()

	var r Result
	for i, n := range wrt {
		vals, ok := n.Value().Data().([]float64)
		if !ok {
			return r, fmt.Errorf("gradcheck: node %s holds %T; want a float64 tensor", n.Name(), n.Value().Data())
		}
		if len(symbolic[i]) != len(vals) {
			return r, fmt.Errorf("gradcheck: node %s has %d values but a gradient of %d", n.Name(), len(vals), len(symbolic[i]))
		}
		for j := range vals {
			orig := vals[j]
			vals[j] = orig + h
			fp, err := eval()
			if err != nil {
				return r, err
			}
			vals[j] = orig - h
			fm, err := eval()
			vals[j] = orig
			if err != nil {
				return r, err
			}
			num := (fp - fm) / (2 * h)
			abs := math.Abs(symbolic[i][j] - num)
			rel := abs / math.Max(1, math.Abs(num))
			if math.IsNaN(abs) {
				abs, rel = math.Inf(1), math.Inf(1)
			}
			r.MaxAbs = math.Max(r.MaxAbs, abs)
			if rel > r.MaxRel || r.Checked == 0 {
				r.MaxRel, r.Node, r.Index = rel, n.Name(), j
			}
			r.Checked++
		}
	}
	return r, nil
}

// flat returns a value's float64 data, scalar or tensor.
func flat(v G.Value) []float64 {
	switch d := v.Data().(type) {
	case []float64:
		return d
	case float64:
		return []float64{d}
	}
	return nil
}
