package trainers

import (
	"math"
	"strings"
	"testing"
)

func TestReport(t *testing.T) {
	// 3 classes; class c is never predicted.
	truth := []int{0, 0, 0, 1, 1, 2}
	pred := []int{0, 0, 1, 1, 0, 1}
	r, err := NewReport(pred, truth, []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	wantConf := [][]int{{2, 1, 0}, {1, 1, 0}, {0, 1, 0}}
	for i := range wantConf {
		for j := range wantConf[i] {
			if r.Confusion[i][j] != wantConf[i][j] {
				t.Fatalf("confusion = %v; want %v", r.Confusion, wantConf)
			}
		}
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	// a: precision 2/3, recall 2/3; b: precision 1/3, recall 1/2; c: 0, 0.
	if !near(r.Precision[0], 2.0/3) || !near(r.Recall[1], 0.5) || !near(r.Precision[1], 1.0/3) || r.F1[2] != 0 {
		t.Errorf("precision %v, recall %v, f1 %v", r.Precision, r.Recall, r.F1)
	}
	if !near(r.F1[1], 0.4) || !near(r.Accuracy, 0.5) || r.Support[0] != 3 {
		t.Errorf("f1[b] %v (want 0.4), accuracy %v (want 0.5), support %v", r.F1[1], r.Accuracy, r.Support)
	}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"precision  recall  f1-score  support", "accuracy", "       a     2     1     0"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report text lacks %q:\n%s", want, b.String())
		}
	}
	if _, err := NewReport([]int{0, 3}, []int{0, 1}, []string{"a", "b"}); err == nil {
		t.Error("NewReport with a class out of range: no error")
	}
	if _, err := NewReport([]int{0}, []int{0, 1}, []string{"a", "b"}); err == nil {
		t.Error("NewReport with mismatched lengths: no error")
	}
}
