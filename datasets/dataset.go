package datasets

import (
	"errors"
	"fmt"
	"math"
)

// Dataset is an in-memory supervised data set: N samples, each a block of
// features with its targets.
//
// Features are stored row-major in X: sample i occupies X[i*D:(i+1)*D], where
// D = Dim() is the product of Shape. Tabular data has Shape [D]; images have
// Shape [C, H, W] (channels first, as the ConvNet expects).
//
// Targets are stored in Y. For classification (Classes != nil) Y holds one
// class index per sample, Y[i] in [0, len(Classes)). For regression Y holds
// T = len(Targets) values per sample, row-major. Unlabelled data (inputs to
// predict) has a nil Y.
type Dataset struct {
	// Name says where the data came from: a file path, "xor", "mnist-train".
	Name string
	// X holds the features, row-major, N*Dim() values.
	X []float32
	// Shape is the shape of one sample's features.
	Shape []int
	// Y holds the targets: class indices or regression values.
	Y []float32
	// Features names the feature columns of tabular data; nil for images.
	Features []string
	// Targets names the target columns; one name for classification.
	Targets []string
	// Classes names the classes of a classification task in index order;
	// nil for regression.
	Classes []string
}

// Dim returns the number of feature values per sample, the product of Shape.
func (d *Dataset) Dim() int {
	n := 1
	for _, s := range d.Shape {
		n *= s
	}
	return n
}

// TargetDim returns the number of target values per sample: 1 for
// classification, len(Targets) (at least 1) for regression.
func (d *Dataset) TargetDim() int {
	if d.IsClassification() || len(d.Targets) == 0 {
		return 1
	}
	return len(d.Targets)
}

// Len returns the number of samples.
func (d *Dataset) Len() int {
	if dim := d.Dim(); dim > 0 {
		return len(d.X) / dim
	}
	return 0
}

// IsClassification reports whether the targets are class indices.
func (d *Dataset) IsClassification() bool { return d.Classes != nil }

// Row returns sample i's features; the slice aliases X.
func (d *Dataset) Row(i int) []float32 {
	dim := d.Dim()
	return d.X[i*dim : (i+1)*dim]
}

// Target returns sample i's targets; the slice aliases Y.
func (d *Dataset) Target(i int) []float32 {
	t := d.TargetDim()
	return d.Y[i*t : (i+1)*t]
}

// Label returns sample i's class index. It is meaningful for classification
// data only.
func (d *Dataset) Label(i int) int { return int(d.Y[i]) }

// IsLabelled reports whether the data set has targets.
func (d *Dataset) IsLabelled() bool { return d.Y != nil }

// Subset returns a new data set with the samples idx, in that order. Its
// feature and target slices are fresh copies; the names are shared.
func (d *Dataset) Subset(idx []int) *Dataset {
	dim, t := d.Dim(), d.TargetDim()
	s := &Dataset{
		Name:     d.Name,
		X:        make([]float32, len(idx)*dim),
		Shape:    d.Shape,
		Features: d.Features,
		Targets:  d.Targets,
		Classes:  d.Classes,
	}
	if d.IsLabelled() {
		s.Y = make([]float32, len(idx)*t)
	}
	d.Gather(idx, s.X, s.Y)
	return s
}

// Gather copies the features and targets of samples idx into x and y, which
// must hold len(idx)*Dim() and len(idx)*TargetDim() values. A nil y, or
// unlabelled data, skips the targets.
func (d *Dataset) Gather(idx []int, x, y []float32) {
	dim, t := d.Dim(), d.TargetDim()
	for j, i := range idx {
		copy(x[j*dim:(j+1)*dim], d.X[i*dim:(i+1)*dim])
		if y != nil && d.Y != nil {
			copy(y[j*t:(j+1)*t], d.Y[i*t:(i+1)*t])
		}
	}
}

// ClassCounts returns how many samples each class has.
func (d *Dataset) ClassCounts() []int {
	counts := make([]int, len(d.Classes))
	for i := 0; i < d.Len(); i++ {
		if l := d.Label(i); l >= 0 && l < len(counts) {
			counts[l]++
		}
	}
	return counts
}

// Validate checks that the data set is consistent: sizes agree with Shape
// and the target count, names match the dimensions, every feature and target
// is finite, and every class index is in range. Unlabelled data (nil Y) is
// valid. Loaders return valid data
// sets; Validate is for data sets built by hand.
func (d *Dataset) Validate() error {
	name := d.Name
	if name == "" {
		name = "dataset"
	}
	dim := d.Dim()
	if len(d.Shape) == 0 || dim <= 0 {
		return fmt.Errorf("%s: feature shape %v has no elements", name, d.Shape)
	}
	if len(d.X)%dim != 0 {
		return fmt.Errorf("%s: %d feature values is not a whole number of samples of %d values", name, len(d.X), dim)
	}
	n := len(d.X) / dim
	if n == 0 {
		return fmt.Errorf("%s: %w", name, ErrEmpty)
	}
	if d.Features != nil && len(d.Features) != dim {
		return fmt.Errorf("%s: %d feature names for %d features", name, len(d.Features), dim)
	}
	if want := n * d.TargetDim(); d.Y != nil && len(d.Y) != want {
		return fmt.Errorf("%s: %d target values for %d samples; want %d", name, len(d.Y), n, want)
	}
	if i := firstNonFinite(d.X); i >= 0 {
		return fmt.Errorf("%s: sample %d, feature %d is %v", name, i/dim, i%dim, d.X[i])
	}
	if i := firstNonFinite(d.Y); i >= 0 {
		return fmt.Errorf("%s: sample %d, target is %v", name, i/d.TargetDim(), d.Y[i])
	}
	if d.IsClassification() {
		for i, v := range d.Y {
			if v != float32(int(v)) || int(v) < 0 || int(v) >= len(d.Classes) {
				return fmt.Errorf("%s: sample %d has class index %v; want an integer in [0, %d)", name, i, v, len(d.Classes))
			}
		}
	}
	return nil
}

// firstNonFinite returns the index of the first NaN or infinity in v, or
// -1: the values whose exponent bits are all ones. Data sets hold tens of
// millions of values, so this is an integer test, not math.IsNaN/IsInf.
func firstNonFinite(v []float32) int {
	for i, x := range v {
		if math.Float32bits(x)&0x7f800000 == 0x7f800000 {
			return i
		}
	}
	return -1
}

// ErrEmpty reports a data set with no samples.
var ErrEmpty = errors.New("no samples")
