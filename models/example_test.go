package models_test

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/dlgo/dlgo/models"
)

// An MLP for MNIST: its parameters have stable names and shapes.
func ExampleNewMLP() {
	m, err := models.NewMLP(784, []models.Hidden{
		{Units: 128, Activation: models.ReLU, Dropout: 0.2},
		{Units: 64, Activation: models.ReLU},
	}, models.MulticlassOutput(10), models.WithSeed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range m.Params() {
		fmt.Println(p.Name, p.Shape())
	}
	trainable, _ := m.ParamCount()
	fmt.Println("trainable:", trainable, "loss:", m.Loss())
	// Output:
	// dense_1/kernel [784 128]
	// dense_1/bias [128]
	// dense_2/kernel [128 64]
	// dense_2/bias [64]
	// dense_3/kernel [64 10]
	// dense_3/bias [10]
	// trainable: 109386 loss: categorical_crossentropy
}

func ExampleModel_Summary() {
	m, _ := models.NewLogisticRegression(4, 3)
	m.Summary(os.Stdout)
	// Output:
	// Model: "logreg"
	// _________________________________________________________________
	//  Layer (type)                 Output Shape              Param #
	// =================================================================
	//  input (Input)                (None, 4)                 0
	//  dense_1 (Dense, softmax)     (None, 3)                 15
	// =================================================================
	// Total params: 15 (60 B)
	// Trainable params: 15 (60 B)
	// Non-trainable params: 0 (0 B)
	// _________________________________________________________________
}

// A model can be described as JSON; the task and loss follow from the
// output layer's activation.
func ExampleNew() {
	var spec models.Spec
	err := json.Unmarshal([]byte(`{
		"name": "tiny",
		"input": [2],
		"layers": [
			{"type": "dense", "units": 4, "activation": "tanh"},
			{"type": "dense", "units": 1, "activation": "sigmoid"}
		]
	}`), &spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := models.New(spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Spec().Task(), m.Loss(), m.Spec().NumClasses())
	p, _ := m.Predict([]float32{0.5, -0.5})
	fmt.Println(len(p), "probabilities for one sample")
	// Output:
	// classification binary_crossentropy 2
	// 2 probabilities for one sample
}
