// Export converts a dlgo model file to ONNX (opset 13), for ONNX Runtime,
// Triton Inference Server or KServe.
//
// Usage:
//
//	export -model FILE.dlgo [-o FILE.onnx]
//
// Examples:
//
//	export -model runs/mlp-mnist-20261127-124730/model.dlgo -o mnist.onnx
//	export -model iris.dlgo            # writes iris.onnx
//
// It prints the graph's input and outputs. The graph takes "input",
// float32 of shape (N, input shape...), and gives "logits", then
// "probabilities" and "class" (the class name, a string) for a
// classifier, "probabilities" for a multi-label model and "predictions"
// for a regression model: the names and values of cmd/serve's outputs (see
// package onnx). Every layer type is exported; dropout vanishes.
package main
