package trainers

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
	"gorgonia.org/tensor"
)

// ParamGradient is the gradient of the loss with respect to one parameter,
// in the parameter's row-major order.
type ParamGradient struct {
	Name   string
	Values []float64
}

// Gradients returns the gradient of the loss with respect to each
// trainable parameter of m, in the order of the model's parameters, over
// the samples of d as one batch, from the training graph with dropout off
// and no L2 penalty: the gradient an optimiser would follow on d, as
// Gorgonia derives it.
func Gradients(m Model, d *datasets.Dataset) ([]ParamGradient, error) {
	spec := m.Spec()
	if err := checkData(spec, d, "data"); err != nil {
		return nil, err
	}
	idx := make([]int, d.Len())
	for i := range idx {
		idx[i] = i
	}
	net, err := newTrainNet(m, spec, len(idx), 0, 0, false)
	if err != nil {
		return nil, fmt.Errorf("trainers: gradients: %w", err)
	}
	net.feed(d, idx, nil, nil)
	if _, err := net.run(); err != nil {
		return nil, fmt.Errorf("trainers: gradients: %w", err)
	}
	var out []ParamGradient
	i := 0
	for _, p := range m.Params() {
		if !p.Trainable {
			continue
		}
		out = append(out, ParamGradient{Name: p.Name, Values: float64s(net.gs[i])})
		i++
	}
	return out, nil
}

// float64s copies float32 or float64 data as float64.
func float64s(data any) []float64 {
	switch d := data.(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return slices.Clone(d)
	}
	return nil
}

// GradCheckConfig sets up a gradient check. The zero value checks 32
// values of each parameter on 4 samples with PyTorch's gradcheck step.
type GradCheckConfig struct {
	// Samples is the number of samples of the data the loss is computed
	// on, drawn with Seed (default 4; at most the data's size).
	Samples int
	// MaxValues is the most values checked per parameter (default 32):
	// a parameter with more has that many checked, drawn with Seed. A
	// negative MaxValues checks every value.
	MaxValues int
	// Step is the finite difference step h (default 1e-6).
	Step float64
	// Tolerance is the largest relative error that passes (default 1e-4).
	Tolerance float64
	// L2 adds the penalty λ/2·Σ‖W‖² that Config.L2 adds in training.
	L2 float64
	// L1 adds the penalty λ·Σ|W| that Config.L1 adds in training.
	L1 float64
	// Seed chooses the samples, the values checked and the dropout masks,
	// which stay fixed during the check.
	Seed int64
}

// relFloor is the smallest magnitude a relative error is taken against:
// below it, the rounding noise of a finite difference (about 1e-10 in
// float64 with h = 1e-6) would show as a large relative error.
const relFloor = 1e-3

// ParamCheck is the gradient check of one parameter.
type ParamCheck struct {
	// Name is the parameter's name.
	Name string
	// Size is its number of values, Checked how many were checked.
	Size, Checked int
	// MaxRelError is the largest relative error over the checked values,
	// |symbolic - numeric| / max(|symbolic|, |numeric|, 1e-3), numeric
	// the central difference; Index is where it occurred and Symbolic and
	// Numeric are the two derivatives there.
	//
	// At a kink of the loss, where the one-sided differences
	// (L(w+h) - L(w))/h and (L(w) - L(w-h))/h disagree (a ReLU input of
	// exactly 0, as in the first layers of a ConvNet whose biases start at
	// 0 and whose inputs have a zero background), the loss has no
	// derivative, and any value between the two is a valid one (a
	// subgradient): the error there is the distance from the symbolic
	// derivative to that interval, relative as above.
	MaxRelError       float64
	Index             int
	Symbolic, Numeric float64
	// Kinks counts the checked values at a kink.
	Kinks int
}

// GradCheckReport is the result of a gradient check.
type GradCheckReport struct {
	// Params holds one check per trainable parameter, in the model's
	// order.
	Params []ParamCheck
	// Samples, Step and Tolerance are the settings the check ran with.
	Samples   int
	Step      float64
	Tolerance float64
	// Converted says the model was float32 and a float64 copy was checked.
	Converted bool
}

// OK reports whether every checked value agrees within the tolerance.
func (r *GradCheckReport) OK() bool {
	for _, p := range r.Params {
		if !(p.MaxRelError <= r.Tolerance) {
			return false
		}
	}
	return true
}

// Worst returns the check of the parameter with the largest relative
// error.
func (r *GradCheckReport) Worst() ParamCheck {
	var w ParamCheck
	for i, p := range r.Params {
		if i == 0 || p.MaxRelError > w.MaxRelError || math.IsNaN(p.MaxRelError) {
			w = p
		}
	}
	return w
}

// WriteText writes the report as a table, one parameter per line, and a
// verdict.
func (r *GradCheckReport) WriteText(w io.Writer) error {
	var b strings.Builder
	conv := ""
	if r.Converted {
		conv = " (on a float64 copy of the float32 model)"
	}
	samples := "samples"
	if r.Samples == 1 {
		samples = "sample"
	}
	fmt.Fprintf(&b, "gradient check: symbolic gradients against central differences, h = %g, on %d %s%s\n",
		r.Step, r.Samples, samples, conv)
	width := len("parameter")
	for _, p := range r.Params {
		width = max(width, len(p.Name))
	}
	fmt.Fprintf(&b, "%-*s  %9s  %7s  %5s  %13s  %13s  %13s\n", width, "parameter", "values", "checked", "kinks", "max rel error", "symbolic", "numeric")
	for _, p := range r.Params {
		mark := ""
		if !(p.MaxRelError <= r.Tolerance) {
			mark = "  <- disagree"
		}
		fmt.Fprintf(&b, "%-*s  %9d  %7d  %5d  %13.2e  %13.6g  %13.6g%s\n", width, p.Name, p.Size, p.Checked,
			p.Kinks, p.MaxRelError, p.Symbolic, p.Numeric, mark)
	}
	kinks := 0
	for _, p := range r.Params {
		kinks += p.Kinks
	}
	if kinks > 0 {
		fmt.Fprintf(&b, "%d values lie at a kink of the loss (e.g. a ReLU input of exactly 0), where the one-sided differences disagree: there any derivative between them is valid\n", kinks)
	}
	if r.OK() {
		fmt.Fprintf(&b, "ok: every checked derivative agrees within a relative error of %g\n", r.Tolerance)
	} else {
		worst := r.Worst()
		fmt.Fprintf(&b, "FAILED: the gradient of %s disagrees with finite differences at value %d: %.6g symbolic, %.6g numeric (relative error %.2e > %g)\n",
			worst.Name, worst.Index, worst.Symbolic, worst.Numeric, worst.MaxRelError, r.Tolerance)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// GradCheck compares the gradient of m's training loss on a few samples of
// d, as Gorgonia derives it symbolically, with central finite differences
// (L(w+h) - L(w-h))/2h, one parameter value at a time: the test that a
// model's graph, with every op and loss in it, is differentiated
// correctly. It runs in float64: a float32 *models.Model is checked on a
// float64 copy (models.Model.CloneAs), and another float32 model is an
// error. Dropout masks are drawn once and kept, batch normalization uses
// the batch's statistics, as in training. m is left unchanged.
//
// Where the loss has a kink at the current weights (a ReLU input of
// exactly 0), the symbolic derivative is accepted if it lies between the
// one-sided differences (see ParamCheck). A ReLU or max-pooling input
// within Step of a kink but not on it can still give a false alarm, a
// large error at one value; another Seed avoids it.
func GradCheck(m Model, d *datasets.Dataset, cfg GradCheckConfig) (*GradCheckReport, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	spec := m.Spec()
	if err := checkData(spec, d, "data"); err != nil {
		return nil, err
	}
	r := &GradCheckReport{Step: cfg.Step, Tolerance: cfg.Tolerance}
	if spec.DType != "float64" {
		mm, ok := m.(*models.Model)
		if !ok {
			return nil, fmt.Errorf("trainers: gradient check: model %s computes in %s; the check needs float64", spec.Name, spec.DType)
		}
		if m, err = mm.CloneAs(tensor.Float64); err != nil {
			return nil, fmt.Errorf("trainers: gradient check: %w", err)
		}
		spec, r.Converted = m.Spec(), true
	}
	src := rand.NewPCG(uint64(cfg.Seed), 0x9e3779b97f4a7c15)
	rng := rand.New(src)
	idx := rng.Perm(d.Len())[:min(cfg.Samples, d.Len())]
	slices.Sort(idx)
	r.Samples = len(idx)
	net, err := newTrainNet(m, spec, len(idx), cfg.L1, cfg.L2, false)
	if err != nil {
		return nil, fmt.Errorf("trainers: gradient check: %w", err)
	}
	net.feed(d, idx, src, nil)
	if _, err := net.run(); err != nil {
		return nil, fmt.Errorf("trainers: gradient check: %w", err)
	}
	symbolic := make([][]float64, len(net.gs))
	for i, g := range net.gs {
		symbolic[i] = float64s(g)
	}
	loss := func() (float64, error) {
		l, err := net.run()
		if err == nil && (math.IsNaN(l) || math.IsInf(l, 0)) {
			err = fmt.Errorf("the loss is %v", l)
		}
		return l, err
	}
	l0, err := loss()
	if err != nil {
		return nil, fmt.Errorf("trainers: gradient check: %w", err)
	}
	i := 0
	for _, p := range m.Params() {
		if !p.Trainable {
			continue
		}
		w := net.ws[i].([]float64)
		pc := ParamCheck{Name: p.Name, Size: len(w)}
		for _, j := range chooseValues(len(w), cfg.MaxValues, rng) {
			orig := w[j]
			w[j] = orig + cfg.Step
			lp, err := loss()
			if err == nil {
				w[j] = orig - cfg.Step
				var lm float64
				lm, err = loss()
				numeric := (lp - lm) / (2 * cfg.Step)
				rel := relError(symbolic[i][j], numeric)
				fwd, bwd := (lp-l0)/cfg.Step, (l0-lm)/cfg.Step
				if relError(fwd, bwd) > kinkWidth {
					pc.Kinks++
					rel = outside(symbolic[i][j], min(fwd, bwd), max(fwd, bwd)) / max(math.Abs(symbolic[i][j]), math.Abs(numeric), relFloor)
				}
				if pc.Checked == 0 || rel > pc.MaxRelError || math.IsNaN(rel) {
					pc.MaxRelError, pc.Index, pc.Symbolic, pc.Numeric = rel, j, symbolic[i][j], numeric
				}
				pc.Checked++
			}
			w[j] = orig
			if err != nil {
				return nil, fmt.Errorf("trainers: gradient check: %s[%d]: %w", p.Name, j, err)
			}
		}
		r.Params = append(r.Params, pc)
		i++
	}
	return r, nil
}

// kinkWidth is the relative disagreement of the one-sided differences
// above which a value is taken to lie at a kink of the loss. Where the
// loss is smooth they differ by about h·|L”|, far less.
const kinkWidth = 1e-3

// outside returns the distance from v to the interval [lo, hi]; NaN if v
// is NaN.
func outside(v, lo, hi float64) float64 {
	switch {
	case math.IsNaN(v):
		return math.NaN()
	case v < lo:
		return lo - v
	case v > hi:
		return v - hi
	}
	return 0
}

// relError is |a - b| relative to the larger magnitude, or to relFloor
// when both are smaller; NaN if either is NaN.
func relError(a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN()
	}
	return math.Abs(a-b) / max(math.Abs(a), math.Abs(b), relFloor)
}

// chooseValues returns the indices of the values to check: all n, or k of
// them drawn from rng, sorted.
func chooseValues(n, k int, rng *rand.Rand) []int {
	if k < 0 || k >= n {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		return all
	}
	idx := rng.Perm(n)[:k]
	slices.Sort(idx)
	return idx
}

func (c GradCheckConfig) withDefaults() (GradCheckConfig, error) {
	if c.Samples < 0 {
		return c, fmt.Errorf("trainers: gradient check: %d samples; want at least 1", c.Samples)
	}
	if c.Samples == 0 {
		c.Samples = 4
	}
	if c.MaxValues == 0 {
		c.MaxValues = 32
	}
	if c.Step == 0 {
		c.Step = 1e-6
	}
	if c.Tolerance == 0 {
		c.Tolerance = 1e-4
	}
	switch {
	case !(c.Step > 0) || math.IsInf(c.Step, 0):
		return c, fmt.Errorf("trainers: gradient check: step %v; want a positive number", c.Step)
	case !(c.Tolerance > 0) || math.IsInf(c.Tolerance, 0):
		return c, fmt.Errorf("trainers: gradient check: tolerance %v; want a positive number", c.Tolerance)
	case !(c.L2 >= 0) || math.IsInf(c.L2, 0):
		return c, fmt.Errorf("trainers: gradient check: L2 coefficient %v must be a non-negative number", c.L2)
	}
	return c, nil
}

// Err returns nil if the check passed, else an error naming the worst
// parameter.
func (r *GradCheckReport) Err() error {
	if r.OK() {
		return nil
	}
	w := r.Worst()
	return fmt.Errorf("trainers: gradient check failed: the gradient of %s disagrees with finite differences (relative error %.2e > %g at value %d)",
		w.Name, w.MaxRelError, r.Tolerance, w.Index)
}
