package trainers_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"reflect"

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

// A run stopped after 3 of 6 epochs continues from its saved state, here
// through a file in memory, and ends where the uninterrupted run ends.
func ExampleTrainState() {
	moons := datasets.Moons(200, 0.2, 1)
	newModel := func() *models.Model {
		m, _ := models.NewMLP(2, []models.Hidden{{Units: 16, Activation: models.ReLU, Dropout: 0.2}}, models.BinaryOutput(), models.WithSeed(1))
		return m
	}
	cfg := trainers.Config{Optimizer: trainers.Adam{LearningRate: 0.02}, Epochs: 6, Seed: 1}

	whole := newModel()
	trainers.Fit(context.Background(), whole, moons, cfg)

	var file bytes.Buffer // a file: Write and ReadTrainState
	first := cfg
	first.Epochs = 3
	first.SaveState = func(ts *trainers.TrainState) error { file.Reset(); return ts.Write(&file) }
	trainers.Fit(context.Background(), newModel(), moons, first)

	ts, err := trainers.ReadTrainState(bytes.NewReader(file.Bytes()), int64(file.Len()))
	if err != nil {
		fmt.Println(err)
		return
	}
	resumed := newModel()
	cfg.Resume = ts
	h, _ := trainers.Fit(context.Background(), resumed, moons, cfg)
	fmt.Println("saved after epoch", ts.Epoch, "- resumed to epoch", len(h.Epochs))
	fmt.Println("same weights:", reflect.DeepEqual(whole.Param("dense_1/kernel").Float64s(), resumed.Param("dense_1/kernel").Float64s()))
	// Output:
	// saved after epoch 3 - resumed to epoch 6
	// same weights: true
}

// ReduceLROnPlateau divides the learning rate when the validation loss
// stops improving, printing Keras' message; the history records each
// epoch's rate.
func ExampleReduceLROnPlateau() {
	d, _ := datasets.Linear(100, 1, 0.5, 3)
	m, _ := models.NewLinearRegression(1, 1, models.WithSeed(1))
	h, err := trainers.Fit(context.Background(), m, d, trainers.Config{
		Optimizer:       trainers.GD{LearningRate: 0.5},
		Epochs:          17,
		ValidationSplit: 0.2,
		Seed:            1,
		Callbacks:       []trainers.Callback{&trainers.ReduceLROnPlateau{Patience: 3, Factor: 0.5, MinDelta: 1e-3, Verbose: os.Stdout}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	lr := h.Values(trainers.LearningRateName)
	fmt.Println("first and last rate:", lr[0], lr[len(lr)-1])
	// Output:
	// Epoch 10: ReduceLROnPlateau reducing learning rate to 0.25.
	// Epoch 13: ReduceLROnPlateau reducing learning rate to 0.125.
	// Epoch 16: ReduceLROnPlateau reducing learning rate to 0.0625.
	// first and last rate: 0.5 0.0625
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
