package trainers

import (
	"fmt"
	"math"
	"slices"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
	"gonum.org/v1/gonum/mat"
)

// SampleLosses returns the loss of every sample of d under m (dropout
// off), e.g. to find the examples a classifier gets most wrong, or the
// inputs an autoencoder reconstructs worst. It is the data loss of the
// model's outputs: a VAE's reconstruction loss with z = μ, without the KL
// term.
func SampleLosses(m Model, d *datasets.Dataset) ([]float64, error) {
	spec := m.Spec()
	if err := checkData(spec, d, "data"); err != nil {
		return nil, err
	}
	logits, err := m.Logits(d.X)
	if err != nil {
		return nil, err
	}
	return models.SampleLosses(spec, logits, targetsOf(spec, d))
}

// Hardest returns the indices of the k samples of d with the largest loss
// under m, worst first.
func Hardest(m Model, d *datasets.Dataset, k int) ([]int, error) {
	losses, err := SampleLosses(m, d)
	if err != nil {
		return nil, err
	}
	idx := make([]int, len(losses))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case losses[a] > losses[b]:
			return -1
		case losses[a] < losses[b]:
			return 1
		}
		return 0
	})
	return idx[:min(k, len(idx))], nil
}

// ParamNorm is the norm of one parameter's gradient.
type ParamNorm struct {
	Name string
	Norm float64
}

// GradientNorms returns the Euclidean norm of the loss gradient with
// respect to each trainable parameter, in the order of the model's
// parameters, over the samples of d as one batch (dropout off, no L2).
// Comparing the kernels' norms from the input layer to the output shows
// vanishing gradients.
func GradientNorms(m Model, d *datasets.Dataset) ([]ParamNorm, error) {
	grads, err := Gradients(m, d)
	if err != nil {
		return nil, err
	}
	out := make([]ParamNorm, len(grads))
	for i, g := range grads {
		var ss float64
		for _, v := range g.Values {
			ss += v * v
		}
		out[i] = ParamNorm{Name: g.Name, Norm: math.Sqrt(ss)}
	}
	return out, nil
}

// LeastSquares sets the weights of a linear regression model (a linear
// dense output layer, optionally after a normalization layer) to the
// closed-form least-squares solution on d: the minimum of the mean squared
// error that gradient descent approaches.
func LeastSquares(m *models.Model, d *datasets.Dataset) error {
	spec := m.Spec()
	if err := checkData(spec, d, "data"); err != nil {
		return err
	}
	kernel, bias := m.Param(spec.Layers[len(spec.Layers)-1].Name+"/kernel"), m.Param(spec.Layers[len(spec.Layers)-1].Name+"/bias")
	norm := len(spec.Layers) == 2 && spec.Layers[0].Type == models.LayerNormalization
	if spec.Loss != models.MSE || spec.OutputActivation() != models.Linear || kernel == nil || !(len(spec.Layers) == 1 || norm) {
		return fmt.Errorf("trainers: least squares needs a linear regression model, not %s", spec.Name)
	}
	n, p, t := d.Len(), d.Dim(), d.TargetDim()
	if n <= p {
		return fmt.Errorf("trainers: least squares needs more samples (%d) than features + 1 (%d)", n, p+1)
	}
	a := mat.NewDense(n, p+1, nil)
	y := mat.NewDense(n, t, nil)
	for i := range n {
		for j, v := range d.Row(i) {
			a.Set(i, j, float64(v))
		}
		a.Set(i, p, 1)
		for j, v := range d.Target(i) {
			y.Set(i, j, float64(v))
		}
	}
	var beta mat.Dense
	if err := beta.Solve(a, y); err != nil {
		return fmt.Errorf("trainers: least squares: %w", err)
	}
	w, b := make([]float64, p*t), make([]float64, t)
	mean, std := make([]float64, p), make([]float64, p)
	for j := range p {
		mean[j], std[j] = 0, 1
	}
	if norm {
		mean, std = m.Param(spec.Layers[0].Name+"/mean").Float64s(), m.Param(spec.Layers[0].Name+"/std").Float64s()
	}
	// The dense layer sees (x - mean)/std: its kernel is w·std and its
	// bias b + w·mean.
	for k := range t {
		b[k] = beta.At(p, k)
		for j := range p {
			w[j*t+k] = beta.At(j, k) * std[j]
			b[k] += beta.At(j, k) * mean[j]
		}
	}
	if ts := spec.TargetScale; ts != nil {
		// The model outputs (y - mean) / std.
		for k := range t {
			b[k] = (b[k] - ts.Mean[k]) / ts.Std[k]
			for j := range p {
				w[j*t+k] /= ts.Std[k]
			}
		}
	}
	if err := kernel.SetFloat64s(w); err != nil {
		return err
	}
	return bias.SetFloat64s(b)
}

// ParamRef names one value of a model's parameters: the parameter's name
// and the index in its row-major data.
type ParamRef struct {
	Name  string
	Index int
}

// LossSurface returns the data loss of m on d (dropout off, no L2) as a
// function of two parameter values x and y, every other parameter held at
// m's current values: the surface over which an optimiser moves, for
// contour plots. It evaluates a private copy of m, so m is unchanged; the
// function is not safe for concurrent use.
func LossSurface(m *models.Model, d *datasets.Dataset, x, y ParamRef) (func(x, y float64) float64, error) {
	if err := checkData(m.Spec(), d, "data"); err != nil {
		return nil, err
	}
	c, err := m.Clone()
	if err != nil {
		return nil, err
	}
	set := func(r ParamRef) (func(float64), error) {
		p := c.Param(r.Name)
		if p == nil {
			return nil, fmt.Errorf("trainers: loss surface: model %s has no parameter %q", m.Name(), r.Name)
		}
		if r.Index < 0 || r.Index >= p.Size() {
			return nil, fmt.Errorf("trainers: loss surface: index %d is outside parameter %s of %d values", r.Index, r.Name, p.Size())
		}
		return func(v float64) {
			switch data := p.Value.Data().(type) {
			case []float32:
				data[r.Index] = float32(v)
			case []float64:
				data[r.Index] = v
			}
		}, nil
	}
	setX, err := set(x)
	if err != nil {
		return nil, err
	}
	setY, err := set(y)
	if err != nil {
		return nil, err
	}
	return func(xv, yv float64) float64 {
		setX(xv)
		setY(yv)
		logs, err := evaluate(c, d)
		if err != nil {
			return math.NaN()
		}
		return logs[LossName]
	}, nil
}
