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
