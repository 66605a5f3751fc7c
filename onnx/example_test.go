package onnx_test

import (
	"fmt"

	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/onnx"
)

// The MNIST ConvNet exported for ONNX Runtime, Triton or KServe.
func ExampleExport() {
	m, err := models.NewConvNet([]int{1, 28, 28}, 10, models.WithSeed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	x, err := onnx.Export(m)
	if err != nil {
		fmt.Println(err)
		return
	}
	// x.Save("convnet.onnx") writes the file.
	fmt.Println("inputs: ", x.Inputs)
	fmt.Println("outputs:", x.Outputs)
	// Output:
	// inputs:  [input float32[N, 1, 28, 28]]
	// outputs: [logits float32[N, 10] probabilities float32[N, 10] class string[N]]
}
