package models_test

import (
	"fmt"

	"github.com/dlgo/dlgo/models"
)

// What each layer of an MLP outputs for two points of the plane: the
// hidden units' values, then the output's logit.
func ExampleModel_Activations() {
	m, err := models.NewMLP(2, []models.Hidden{{Units: 3, Activation: models.Tanh}}, models.BinaryOutput(), models.WithSeed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	outs, err := m.Activations([]float32{0, 0, 1, -1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, l := range m.Spec().Layers {
		fmt.Printf("%s: %d values for 2 samples\n", l.Name, len(outs[i]))
	}
	// At the origin a tanh unit outputs tanh(bias) = 0: biases start at 0.
	fmt.Println(outs[0][:3])
	// Output:
	// dense_1: 6 values for 2 samples
	// dense_2: 2 values for 2 samples
	// [0 0 0]
}
