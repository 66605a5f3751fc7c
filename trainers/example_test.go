package trainers_test

import (
	"context"
	"fmt"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/trainers"
)

// An MLP with one hidden layer learns XOR, which no linear model can.
func ExampleFit() {
	xor := datasets.XOR(4, 0, 1)
	m, _ := models.NewMLP(2, []models.Hidden{{Units: 8, Activation: models.Tanh}}, models.BinaryOutput(), models.WithSeed(1))
	h, err := trainers.Fit(context.Background(), m, xor, trainers.Config{
		Optimizer: trainers.Adam{LearningRate: 0.05},
		Epochs:    300,
		BatchSize: 4,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	classes, _ := m.PredictClasses(xor.X)
	fmt.Println("epochs:", len(h.Epochs), "accuracy:", h.Last()["accuracy"])
	fmt.Println("predictions:", classes)
	// Output:
	// epochs: 300 accuracy: 1
	// predictions: [0 1 1 0]
}

// Early stopping watches the validation loss and puts back the best
// weights when training ends.
func ExampleEarlyStopping() {
	moons := datasets.Moons(200, 0.3, 1)
	m, _ := models.NewMLP(2, []models.Hidden{{Units: 64, Activation: models.ReLU}}, models.BinaryOutput(), models.WithSeed(1))
	es := &trainers.EarlyStopping{Patience: 3, RestoreBest: true}
	h, err := trainers.Fit(context.Background(), m, moons, trainers.Config{
		Optimizer:       trainers.Adam{LearningRate: 0.05},
		Epochs:          200,
		ValidationSplit: 0.3,
		Seed:            1,
		Callbacks:       []trainers.Callback{es},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("stopped early:", len(h.Epochs) < 200)
	fmt.Println("epochs after the best one:", es.StoppedEpoch-es.BestEpoch)
	// Output:
	// stopped early: true
	// epochs after the best one: 3
}

// Check that Gorgonia differentiates a model's loss correctly: its
// symbolic gradient against finite differences, on 4 samples.
func ExampleGradCheck() {
	moons := datasets.Moons(100, 0.1, 1)
	m, _ := models.NewMLP(2, []models.Hidden{{Units: 16, Activation: models.Tanh}}, models.BinaryOutput(), models.WithSeed(1))
	r, err := trainers.GradCheck(m, moons, trainers.GradCheckConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range r.Params {
		fmt.Printf("%-15s %2d of %2d values, agree: %v\n", p.Name, p.Checked, p.Size, p.MaxRelError < 1e-6)
	}
	fmt.Println("ok:", r.OK())
	// Output:
	// dense_1/kernel  32 of 32 values, agree: true
	// dense_1/bias    16 of 16 values, agree: true
	// dense_2/kernel  16 of 16 values, agree: true
	// dense_2/bias     1 of  1 values, agree: true
	// ok: true
}
