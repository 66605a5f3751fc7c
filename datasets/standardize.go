package datasets

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Standardizer maps every feature value x at position j of a sample to
// (x - Mean[j]) / Std[j]. Fit it on the training data only and keep it with
// the trained model, so that validation, test and prediction inputs are
// transformed exactly like the training data.
type Standardizer struct {
	// Mean holds the training mean of each of the Dim() feature positions.
	Mean []float64 `json:"mean"`
	// Std holds the training population standard deviation of each feature
	// position; 1 for a constant feature, which so maps to 0.
	Std []float64 `json:"std"`
}

// FitStandardizer returns the Standardizer of d's features: the mean and
// population standard deviation of each feature position, accumulated in
// float64.
func FitStandardizer(d *Dataset) (*Standardizer, error) {
	n, dim := d.Len(), d.Dim()
	if n == 0 {
		return nil, fmt.Errorf("fit standardizer on %s: %w", d.displayName(), ErrEmpty)
	}
	s := &Standardizer{Mean: make([]float64, dim), Std: make([]float64, dim)}
	first := d.Row(0)
	constant := make([]bool, dim)
	for j := range constant {
		constant[j] = true
	}
	for i := range n {
		for j, v := range d.Row(i) {
			s.Mean[j] += float64(v)
			constant[j] = constant[j] && v == first[j]
		}
	}
	for j := range s.Mean {
		s.Mean[j] /= float64(n)
	}
	for i := range n {
		for j, v := range d.Row(i) {
			dv := float64(v) - s.Mean[j]
			s.Std[j] += dv * dv
		}
	}
	for j := range s.Std {
		s.Std[j] = math.Sqrt(s.Std[j] / float64(n))
		if constant[j] {
			// The computed mean may be off by rounding; use the value itself.
			s.Mean[j], s.Std[j] = float64(first[j]), 1
		}
	}
	if err := s.check(dim); err != nil {
		return nil, fmt.Errorf("fit standardizer on %s: %w", d.displayName(), err)
	}
	return s, nil
}

// FitTargetStandardizer returns the Standardizer of d's regression
// targets: the mean and population standard deviation of each of the
// TargetDim() target values, in float64, with deviation 1 for a constant
// target. It is an error for a classification set or one without targets.
func FitTargetStandardizer(d *Dataset) (*Standardizer, error) {
	if d.IsClassification() || !d.IsLabelled() {
		return nil, fmt.Errorf("fit target standardizer on %s: want numeric targets", d.displayName())
	}
	t := d.TargetDim()
	n := len(d.Y) / t
	if n == 0 {
		return nil, fmt.Errorf("fit target standardizer on %s: %w", d.displayName(), ErrEmpty)
	}
	y := &Dataset{Name: d.Name, X: d.Y, Shape: []int{t}}
	s, err := FitStandardizer(y)
	if err != nil {
		return nil, fmt.Errorf("fit target standardizer: %w", err)
	}
	return s, nil
}

// Transform returns a standardised copy of d: fresh features, the targets
// and names shared with d.
func (s *Standardizer) Transform(d *Dataset) (*Dataset, error) {
	if err := s.check(d.Dim()); err != nil {
		return nil, fmt.Errorf("standardize %s: %w", d.displayName(), err)
	}
	t := *d
	t.X = slices.Clone(d.X)
	s.apply(t.X)
	return &t, nil
}

// TransformRows standardises x in place; x holds whole samples, row-major.
func (s *Standardizer) TransformRows(x []float32) error {
	if err := s.check(len(s.Mean)); err != nil {
		return fmt.Errorf("standardize: %w", err)
	}
	if dim := len(s.Mean); len(x)%dim != 0 {
		return fmt.Errorf("standardize: %d values are not a whole number of samples of %d", len(x), dim)
	}
	s.apply(x)
	return nil
}

// apply standardises the rows of x, which check has approved.
func (s *Standardizer) apply(x []float32) {
	dim := len(s.Mean)
	for off := 0; off+dim <= len(x); off += dim {
		row := x[off : off+dim]
		for j, v := range row {
			row[j] = float32((float64(v) - s.Mean[j]) / s.Std[j])
		}
	}
}

// check reports why s cannot standardise samples of dim values.
func (s *Standardizer) check(dim int) error {
	switch {
	case len(s.Mean) == 0:
		return errors.New("the standardizer is empty")
	case len(s.Mean) != len(s.Std):
		return fmt.Errorf("the standardizer has %d means and %d standard deviations", len(s.Mean), len(s.Std))
	case len(s.Mean) != dim:
		return fmt.Errorf("the standardizer was fitted on %d feature values per sample; the data has %d", len(s.Mean), dim)
	}
	for j := range s.Mean {
		if math.IsNaN(s.Mean[j]) || math.IsInf(s.Mean[j], 0) {
			return fmt.Errorf("feature %d has mean %v; want a finite number", j, s.Mean[j])
		}
		if !(s.Std[j] > 0) || math.IsInf(s.Std[j], 0) {
			return fmt.Errorf("feature %d has standard deviation %v; want a positive finite number", j, s.Std[j])
		}
	}
	return nil
}
