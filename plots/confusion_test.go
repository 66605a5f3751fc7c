package plots

import (
	"reflect"
	"testing"

	"github.com/dlgo/dlgo/datasets"
)

func TestConfusionMatrixShades(t *testing.T) {
	counts := [][]int{
		{90, 10, 0},
		{3, 50, 0},
		{0, 30, 1},
	}
	p, err := ConfusionMatrix(counts, []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "accuracy 76.6% (141 of 184)"; p.Title.Text != want {
		t.Errorf("title %q; want %q", p.Title.Text, want)
	}
	img := renderPNG(t, p)
	// Sample each cell off its centre, away from the count's text. True
	// class i is row i from the top: y = n-1-i.
	lum := func(i, j int) float64 {
		return luminance(rgba(img, dataPixel(p, float64(j)-0.35, float64(2-i)+0.35)))
	}
	order := [][2]int{{0, 0}, {1, 1}, {2, 1}, {0, 1}, {1, 0}, {2, 2}, {0, 2}} // counts 90, 50, 30, 10, 3, 1, 0
	for k := 1; k < len(order); k++ {
		a, b := order[k-1], order[k]
		if la, lb := lum(a[0], a[1]), lum(b[0], b[1]); la >= lb {
			t.Errorf("cell %v (count %d) has luminance %.3f, not darker than cell %v (count %d) at %.3f",
				a, counts[a[0]][a[1]], la, b, counts[b[0]][b[1]], lb)
		}
	}
	// The top left cell is the true class a, predicted a: the darkest.
	if got, want := rgba(img, dataPixel(p, -0.35, 2.35)), cellColor(90, 90); !near(got, want, 4) {
		t.Errorf("top left cell is %v; want %v", got, want)
	}
}

func TestCellColor(t *testing.T) {
	if got := cellColor(0, 0); got != blues[0] {
		t.Errorf("cellColor(0, 0) = %v; want the lightest blue", got)
	}
	if got := cellColor(7, 7); got != blues[len(blues)-1] {
		t.Errorf("cellColor(7, 7) = %v; want the darkest blue", got)
	}
	prev := 2.0
	for v := 0; v <= 100; v += 5 {
		l := luminance(cellColor(v, 100))
		if l >= prev {
			t.Errorf("cellColor(%d, 100) is not darker than the count before", v)
		}
		prev = l
	}
}

func TestConfusionMatrixErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		counts  [][]int
		classes []string
		want    string
	}{
		{"empty", nil, nil, "no classes"},
		{"rows", [][]int{{1, 2}}, []string{"a", "b"}, "1 rows for 2 classes"},
		{"not square", [][]int{{1, 2}, {3}}, []string{"a", "b"}, "row 1 has 1 counts for 2 classes"},
		{"class names", [][]int{{1, 2}, {3, 4}}, []string{"a", "b", "c"}, "2 rows for 3 classes"},
		{"negative", [][]int{{1, -2}, {3, 4}}, []string{"a", "b"}, "count [0][1] is -2"},
		{"too many", nil, make([]string, 101), "101 classes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ConfusionMatrix(tc.counts, tc.classes)
			wantErr(t, err, tc.want)
			wantErr(t, err, "plots: confusion matrix: ")
		})
	}
	// All zeros is a valid (if empty) matrix.
	p, err := ConfusionMatrix([][]int{{0, 0}, {0, 0}}, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Title.Text != "confusion matrix" {
		t.Errorf("title %q; want confusion matrix", p.Title.Text)
	}
	renderPNG(t, p)
}

func TestConfusionCounts(t *testing.T) {
	d := &datasets.Dataset{X: make([]float32, 5), Shape: []int{1}, Y: []float32{0, 0, 1, 2, 2}, Classes: []string{"a", "b", "c"}}
	counts, err := ConfusionCounts(d, []int{0, 1, 1, 2, 0})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int{{1, 1, 0}, {0, 1, 0}, {1, 0, 1}}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("counts %v; want %v", counts, want)
	}
	_, err = ConfusionCounts(d, []int{0})
	wantErr(t, err, "1 predictions for 5 samples")
	_, err = ConfusionCounts(d, []int{0, 0, 0, 0, 3})
	wantErr(t, err, "sample 4 predicted as class 3")
	d.Y[1] = 7
	_, err = ConfusionCounts(d, make([]int, 5))
	wantErr(t, err, "sample 1 has label 7")
	reg, _ := datasets.Linear(5, 1, 0, 1)
	_, err = ConfusionCounts(reg, make([]int, 5))
	wantErr(t, err, "want labelled classification data")
}
