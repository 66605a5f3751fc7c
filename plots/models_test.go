package plots

import (
	"testing"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
)

// The library's models plot directly.
var (
	_ Classifier = (*models.Model)(nil)
	_ Regressor  = (*models.Model)(nil)
)

func TestWithLibraryModels(t *testing.T) {
	clf, err := models.NewMLP(2, []models.Hidden{{Units: 8, Activation: models.ReLU}}, models.BinaryOutput())
	if err != nil {
		t.Fatal(err)
	}
	p, err := DecisionRegions(clf, datasets.Moons(50, 0.1, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	renderPNG(t, p)

	reg, err := models.NewLinearRegression(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := datasets.Linear(20, 1, 0.1, 1)
	p, err = RegressionFit(d, []Fit{{Name: "untrained", Model: reg}})
	if err != nil {
		t.Fatal(err)
	}
	renderPNG(t, p)

	// Two targets per input is an error.
	two, err := models.NewLinearRegression(1, 2)
	if err != nil {
		t.Fatal(err)
	}
	_, err = RegressionFit(d, []Fit{{Name: "two", Model: two}})
	wantErr(t, err, "400 predictions for 200 inputs")
}
