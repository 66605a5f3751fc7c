package models

import (
	"bytes"
	"math"
	"testing"

	"github.com/dlgo/dlgo/datasets"
)

// A regression model with a target scale trains on standardised targets
// and predicts in the targets' units, and the file keeps the scale.
func TestTargetScale(t *testing.T) {
	ts := &datasets.Standardizer{Mean: []float64{100, -3}, Std: []float64{20, 0.5}}
	m, err := NewMLP(2, nil, RegressionOutput(2), WithTargetStandardizer(ts))
	if err != nil {
		t.Fatal(err)
	}
	spec := m.Spec()
	y := []float32{120, -3.5}
	enc := make([]float32, 2)
	EncodeTargets(spec, y, enc)
	if enc[0] != 1 || enc[1] != -1 {
		t.Errorf("EncodeTargets = %v; want [1 -1]", enc)
	}
	if got := OutputsOf(spec, []float32{1, -1}); got[0] != 120 || got[1] != -3.5 {
		t.Errorf("OutputsOf = %v; want [120 -3.5]", got)
	}
	// The per-sample loss is in standard units: MSE of logits 0 against
	// standardised targets 1 and -1 is 1.
	losses, err := SampleLosses(spec, []float32{0, 0}, y)
	if err != nil || math.Abs(losses[0]-1) > 1e-6 {
		t.Errorf("SampleLosses = %v, %v; want [1]", losses, err)
	}
	x := []float32{0.3, -0.7}
	logits, _ := m.Logits(x)
	pred, _ := m.Predict(x)
	for j := range 2 {
		if want := float64(logits[j])*ts.Std[j] + ts.Mean[j]; math.Abs(float64(pred[j])-want) > 1e-3 {
			t.Errorf("Predict[%d] = %v; want logits·std + mean = %v", j, pred[j], want)
		}
	}
	var b bytes.Buffer
	if err := m.Write(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b.Bytes(), []byte(`"version": 3`)) {
		t.Error("a model with a target scale is not written as version 3")
	}
	back, err := Read(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if p2, _ := back.Predict(x); p2[0] != pred[0] || p2[1] != pred[1] {
		t.Errorf("loaded model predicts %v; want %v", p2, pred)
	}
	// A model without one is version 2, which older builds read.
	plain, _ := NewMLP(2, nil, RegressionOutput(1))
	b.Reset()
	plain.Write(&b)
	if !bytes.Contains(b.Bytes(), []byte(`"version": 2`)) {
		t.Error("a plain model is not written as version 2")
	}
	for _, bad := range []*datasets.Standardizer{{Mean: []float64{1}, Std: []float64{1}}, {Mean: []float64{1, 2}, Std: []float64{1, 0}}} {
		if _, err := NewMLP(2, nil, RegressionOutput(2), WithTargetStandardizer(bad)); err == nil {
			t.Errorf("target scale %+v: no error", bad)
		}
	}
	if _, err := NewMLP(2, nil, MulticlassOutput(3), WithTargetStandardizer(ts)); err == nil {
		t.Error("target scale on a classifier: no error")
	}
}
