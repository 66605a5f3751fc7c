package models_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

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

// A ConvNet built layer by layer, as with Keras' Sequential; Summary shows
// each layer's output shape and parameters.
func ExampleSequential() {
	spec := models.Sequential([]int{1, 28, 28},
		models.Conv2D(16, 3, models.ReLU).WithPadding(models.Same),
		models.BatchNorm(),
		models.MaxPool2D(2),
		models.Flatten(),
		models.Dropout(0.25),
		models.Dense(10, models.Softmax))
	m, err := models.New(spec, models.WithSeed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	m.Summary(os.Stdout)
	// Output:
	// Model: "sequential"
	// ______________________________________________________________________
	//  Layer (type)                      Output Shape              Param #
	// ======================================================================
	//  input (Input)                     (None, 1, 28, 28)         0
	//  conv2d_1 (Conv2D, relu)           (None, 16, 28, 28)        160
	//  batchnorm_1 (BatchNormalization)  (None, 16, 28, 28)        64
	//  maxpool2d_1 (MaxPooling2D)        (None, 16, 14, 14)        0
	//  flatten_1 (Flatten)               (None, 3136)              0
	//  dropout_1 (Dropout)               (None, 3136)              0
	//  dense_1 (Dense, softmax)          (None, 10)                31,370
	// ======================================================================
	// Total params: 31,594 (123.41 KB)
	// Trainable params: 31,562 (123.29 KB)
	// Non-trainable params: 32 (128 B)
	// ______________________________________________________________________
}

// An architecture file describes the layers and the loss; the input
// shape comes from the data. Here a regression with a ReLU output (prices
// are positive) and the Huber loss.
func ExampleReadArchitecture() {
	a, err := models.ReadArchitecture(strings.NewReader(`{
		"name": "prices",
		"layers": [
			{"type": "dense", "units": 16, "activation": "relu"},
			{"type": "dense", "units": 1, "activation": "relu"}
		],
		"loss": "huber"
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := models.New(a.Spec([]int{3}))
	if err != nil {
		fmt.Println(err)
		return
	}
	s := m.Spec()
	fmt.Println(s.Task(), s.Loss, s.OutputActivation(), s.Units())
	// Output:
	// regression huber relu 1
}

// A variational autoencoder of MNIST's digits: trained on its own input,
// with a KL term in its loss, a 2-value code to encode into, and a prior
// to draw new digits from.
func ExampleNewVAE() {
	m, err := models.NewVAE([]int{784}, 512, 2, models.WithSeed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	spec := m.Spec()
	fmt.Println(spec.Task(), spec.Loss, spec.LossReduction, spec.LossTerms(), spec.Latent, m.LatentShape())
	images := make([]float32, 3*784) // three blank images
	codes, _ := m.Encode(images)
	digits, _ := m.Generate(5, 1)
	fmt.Println(len(codes), "code values,", len(digits), "generated pixels")
	// Output:
	// reconstruction binary_crossentropy sum [kl_loss] z [2]
	// 6 code values, 3920 generated pixels
}
