package datasets

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
)

// tabular returns a classification set of rows with two classes.
func tabular(rows ...[]float32) *Dataset {
	d := &Dataset{Name: "t", Shape: []int{len(rows[0])}, Classes: []string{"a", "b"}}
	for i, r := range rows {
		d.X = append(d.X, r...)
		d.Y = append(d.Y, float32(i%2))
	}
	return d
}

func TestFitStandardizer(t *testing.T) {
	tests := []struct {
		name      string
		d         *Dataset
		mean, std []float64
	}{
		{"two features", tabular([]float32{1, 10}, []float32{3, 20}), []float64{2, 15}, []float64{1, 5}},
		{"population std", tabular([]float32{0}, []float32{0}, []float32{3}), []float64{1}, []float64{math.Sqrt2}},
		{"constant feature", tabular([]float32{0.1, 1}, []float32{0.1, 2}, []float32{0.1, 3}), []float64{float64(float32(0.1)), 2}, []float64{1, math.Sqrt(2.0 / 3)}},
		{"single sample", tabular([]float32{5, -2}), []float64{5, -2}, []float64{1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := FitStandardizer(tt.d)
			if err != nil {
				t.Fatalf("FitStandardizer: %v", err)
			}
			if !closeAll(s.Mean, tt.mean, 1e-12) || !closeAll(s.Std, tt.std, 1e-12) {
				t.Errorf("FitStandardizer = mean %v std %v; want mean %v std %v", s.Mean, s.Std, tt.mean, tt.std)
			}
		})
	}
}

func closeAll(got, want []float64, tol float64) bool {
	return slices.EqualFunc(got, want, func(a, b float64) bool { return math.Abs(a-b) <= tol })
}

func TestStandardizerTransform(t *testing.T) {
	train := tabular([]float32{1, 0.1, 10}, []float32{3, 0.1, 20}, []float32{5, 0.1, 60})
	s, err := FitStandardizer(train)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Transform(train)
	if err != nil {
		t.Fatal(err)
	}
	for j := range 3 {
		var mean, sq float64
		for i := range got.Len() {
			v := float64(got.Row(i)[j])
			mean += v / 3
			sq += v * v / 3
		}
		wantSq := 1.0
		if j == 1 {
			wantSq = 0 // the constant feature maps to 0
		}
		if math.Abs(mean) > 1e-6 || math.Abs(sq-wantSq) > 1e-6 {
			t.Errorf("feature %d after Transform: mean %v, mean square %v; want 0, %v", j, mean, sq, wantSq)
		}
	}
	if &got.Y[0] != &train.Y[0] || &got.X[0] == &train.X[0] {
		t.Errorf("Transform: want fresh X and shared Y")
	}
	if train.X[0] != 1 {
		t.Errorf("Transform changed its input: X[0] = %v; want 1", train.X[0])
	}

	// Other data uses the training statistics.
	test := tabular([]float32{7, 5, 30})
	got, err = s.Transform(test)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{4 / math.Sqrt(8.0/3), 5 - float64(float32(0.1)), 0}
	if !closeAll(float64s(got.X), want, 1e-6) {
		t.Errorf("Transform(test) = %v; want %v", got.X, want)
	}
}

func TestStandardizerTransformRows(t *testing.T) {
	s := &Standardizer{Mean: []float64{1, 2}, Std: []float64{2, 4}}
	x := []float32{3, 2, -1, 10}
	if err := s.TransformRows(x); err != nil {
		t.Fatal(err)
	}
	if want := []float32{1, 0, -1, 2}; !slices.Equal(x, want) {
		t.Errorf("TransformRows = %v; want %v", x, want)
	}
}

func TestStandardizerErrors(t *testing.T) {
	ok := &Standardizer{Mean: []float64{0, 0}, Std: []float64{1, 1}}
	tests := []struct {
		name string
		err  func() error
		want string
	}{
		{"fit on empty", func() error { _, err := FitStandardizer(&Dataset{Name: "e", Shape: []int{2}}); return err }, "e: no samples"},
		{"fit on NaN", func() error { _, err := FitStandardizer(tabular([]float32{float32(math.NaN())})); return err }, "mean NaN"},
		{"dim mismatch", func() error { _, err := ok.Transform(tabular([]float32{1, 2, 3})); return err }, "fitted on 2 feature values per sample; the data has 3"},
		{"partial row", func() error { return ok.TransformRows([]float32{1, 2, 3}) }, "3 values are not a whole number of samples of 2"},
		{"empty standardizer", func() error { return (&Standardizer{}).TransformRows(nil) }, "empty"},
		{"lengths differ", func() error { return (&Standardizer{Mean: []float64{0}}).TransformRows(nil) }, "1 means and 0 standard deviations"},
		{"zero std", func() error { return (&Standardizer{Mean: []float64{0}, Std: []float64{0}}).TransformRows(nil) }, "feature 0 has standard deviation 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v; want one containing %q", err, tt.want)
			}
		})
	}
}

func TestStandardizerJSON(t *testing.T) {
	s := &Standardizer{Mean: []float64{1.5, -2}, Std: []float64{0.25, 3}}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"mean":[1.5,-2],"std":[0.25,3]}`; string(b) != want {
		t.Errorf("json.Marshal = %s; want %s", b, want)
	}
	var back Standardizer
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.Mean, s.Mean) || !slices.Equal(back.Std, s.Std) {
		t.Errorf("round trip = %+v; want %+v", back, *s)
	}
}

func float64s(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}
