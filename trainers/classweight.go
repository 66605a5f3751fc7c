package trainers

import (
	"fmt"
	"math"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
)

// BalancedClassWeights returns scikit-learn's "balanced" class weights for
// a classification data set: n / (k·n_c) for class c with n_c of the n
// samples and k classes, so that every class weighs as much in the loss
// as the others. A class without samples gets weight 1 (it is never
// used).
func BalancedClassWeights(d *datasets.Dataset) ([]float64, error) {
	if !d.IsClassification() {
		return nil, fmt.Errorf("trainers: class weights need classes; %s has numeric targets", d.Name)
	}
	k := len(d.Classes)
	counts := make([]int, k)
	for _, y := range d.Y {
		c := int(y)
		if c < 0 || c >= k {
			return nil, fmt.Errorf("trainers: %s has a class index %v outside its %d classes", d.Name, y, k)
		}
		counts[c]++
	}
	w := make([]float64, k)
	for c, n := range counts {
		w[c] = 1
		if n > 0 {
			w[c] = float64(len(d.Y)) / (float64(k) * float64(n))
		}
	}
	return w, nil
}

// checkClassWeights reports class weights that do not fit the model and
// the training data.
func checkClassWeights(spec models.Spec, train *datasets.Dataset, w []float64) error {
	if w == nil {
		return nil
	}
	if spec.Task() != models.Classification || !train.IsClassification() {
		return fmt.Errorf("trainers: class weights apply to a classifier; model %s is a %s model", spec.Name, spec.Task())
	}
	if len(w) != len(train.Classes) {
		return fmt.Errorf("trainers: %d class weights for the %d classes %v", len(w), len(train.Classes), train.Classes)
	}
	for c, v := range w {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("trainers: class weight %v of class %s must be a non-negative number", v, train.Classes[c])
		}
	}
	return nil
}

// feedWeights sets each sample's weight to its class's, from the targets
// fed (class indices).
func (n *trainNet) feedWeights(classWeights []float64) {
	if n.w == nil {
		return
	}
	switch w := n.w.Data().(type) {
	case []float32:
		for i, c := range n.targets {
			w[i] = float32(classWeights[int(c)])
		}
	case []float64:
		for i, c := range n.targets {
			w[i] = classWeights[int(c)]
		}
	}
}
