package datasets

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// numbered returns a data set whose sample i has the single feature i and
// the class labels[i] (a regression target i if labels is nil).
func numbered(n int, labels func(i int) int, classes int) *Dataset {
	d := &Dataset{Name: "numbered", Shape: []int{1}, X: make([]float32, n), Y: make([]float32, n)}
	for i := range n {
		d.X[i], d.Y[i] = float32(i), float32(i)
		if labels != nil {
			d.Y[i] = float32(labels(i))
		}
	}
	if labels != nil {
		d.Classes = csvIntNames(classes)
	}
	return d
}

// ids returns the sample numbers of a numbered set.
func ids(d *Dataset) []int {
	out := make([]int, d.Len())
	for i := range out {
		out[i] = int(d.X[i])
	}
	return out
}

func TestSplit(t *testing.T) {
	imbalanced := func(i int) int {
		switch {
		case i < 70:
			return 0
		case i < 95:
			return 1
		}
		return 2
	}
	tests := []struct {
		name     string
		d        *Dataset
		frac     float64
		stratify bool
		wantPart int
	}{
		{"regression", numbered(10, nil, 0), 0.3, false, 3},
		{"rounds", numbered(10, nil, 0), 0.25, false, 3},
		{"stratify ignored for regression", numbered(10, nil, 0), 0.2, true, 2},
		{"classification", numbered(100, imbalanced, 3), 0.2, false, 20},
		{"stratified", numbered(100, imbalanced, 3), 0.2, true, 14 + 5 + 1},
		{"stratified, per-class rounding", numbered(100, imbalanced, 3), 0.3, true, 21 + 8 + 2},
		{"smallest", numbered(2, nil, 0), 0.5, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rest, part, err := tt.d.Split(tt.frac, 1, tt.stratify)
			if err != nil {
				t.Fatalf("Split: %v", err)
			}
			if part.Len() != tt.wantPart || rest.Len() != tt.d.Len()-tt.wantPart {
				t.Errorf("Split sizes = %d, %d; want %d, %d", rest.Len(), part.Len(), tt.d.Len()-tt.wantPart, tt.wantPart)
			}
			all := append(ids(rest), ids(part)...)
			slices.Sort(all)
			for i, id := range all {
				if id != i {
					t.Fatalf("the parts hold samples %v; want each of 0..%d once", all, tt.d.Len()-1)
				}
			}
			for _, p := range []*Dataset{rest, part} {
				for i, id := range ids(p) {
					if p.Y[i] != tt.d.Y[id] {
						t.Errorf("sample %d has target %v; want %v", id, p.Y[i], tt.d.Y[id])
					}
				}
			}
			if tt.stratify && tt.d.IsClassification() {
				for c, count := range tt.d.ClassCounts() {
					if got, want := float64(part.ClassCounts()[c]), tt.frac*float64(count); math.Abs(got-want) >= 1 {
						t.Errorf("class %d: %v samples in part; want within 1 of %v", c, got, want)
					}
				}
			}
		})
	}
}

func TestSplitDeterministic(t *testing.T) {
	d := numbered(50, func(i int) int { return i % 2 }, 2)
	for _, stratify := range []bool{false, true} {
		_, a, _ := d.Split(0.3, 7, stratify)
		_, b, _ := d.Split(0.3, 7, stratify)
		_, c, _ := d.Split(0.3, 8, stratify)
		if !slices.Equal(ids(a), ids(b)) {
			t.Errorf("stratify %v: seed 7 gave %v, then %v; want identical", stratify, ids(a), ids(b))
		}
		if slices.Equal(ids(a), ids(c)) {
			t.Errorf("stratify %v: seeds 7 and 8 both gave %v; want different", stratify, ids(a))
		}
	}
}

// Unlabelled data splits like any other.
func TestSplitUnlabelled(t *testing.T) {
	d := numbered(10, nil, 0)
	d.Y = nil
	rest, part, err := d.Split(0.3, 1, false)
	if err != nil || rest.Len() != 7 || part.Len() != 3 || rest.Y != nil {
		t.Errorf("Split of unlabelled data = %v, %v, %v; want 7 and 3 unlabelled samples", rest, part, err)
	}
}

func TestSplitErrors(t *testing.T) {
	badLabel := numbered(4, func(i int) int { return i }, 2)
	noTargets := numbered(4, nil, 0)
	noTargets.Y = noTargets.Y[:1]
	tests := []struct {
		name     string
		d        *Dataset
		frac     float64
		stratify bool
		want     []string
	}{
		{"zero fraction", numbered(10, nil, 0), 0, false, []string{"numbered", "fraction 0 "}},
		{"fraction 1", numbered(10, nil, 0), 1, false, []string{"fraction 1 "}},
		{"NaN fraction", numbered(10, nil, 0), math.NaN(), false, []string{"fraction NaN"}},
		{"empty part", numbered(10, nil, 0), 0.04, false, []string{"10 samples", "part of 0 and a rest of 10"}},
		{"empty rest", numbered(10, nil, 0), 0.96, false, []string{"part of 10 and a rest of 0"}},
		{"one sample", numbered(1, nil, 0), 0.5, false, []string{"1 samples"}},
		{"no samples", &Dataset{Shape: []int{1}}, 0.5, false, []string{"dataset: no samples"}},
		{"short targets", noTargets, 0.5, false, []string{"numbered", "1 target values for 4 samples"}},
		{"stratified rounds to nothing", numbered(4, func(i int) int { return i }, 4), 0.2, true, []string{"a stratified split gives each of the 4 classes", "0 in all for the part"}},
		{"class index out of range", badLabel, 0.5, true, []string{"sample 2 has class index 2"}},
		{"class index out of range, not stratified", badLabel, 0.5, false, []string{"sample 2 has class index 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := tt.d.Split(tt.frac, 1, tt.stratify)
			if err == nil {
				t.Fatalf("Split succeeded; want an error containing %q", tt.want)
			}
			for _, part := range tt.want {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q; want it to contain %q", err, part)
				}
			}
		})
	}
}
