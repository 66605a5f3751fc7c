// Package onnx exports dlgo models to ONNX (opset 13), the format that ONNX
// Runtime, Triton Inference Server and KServe run, for when one Go process
// is not enough:
//
//	x, err := onnx.Export(model)
//	...
//	err = x.Save("model.onnx")
//
// Every layer type is exported: dense (Gemm), conv2d (Conv),
// conv2d_transpose (ConvTranspose), maxpool2d (MaxPool), avgpool2d
// (AveragePool), upsample2d (Resize, nearest), batchnorm
// (BatchNormalization), normalization (Sub, Div), flatten, reshape, the
// activation layer, and every activation; dropout vanishes. The outputs
// are those of package serve: "logits", then "probabilities" and "class"
// for a classifier, "probabilities" for a multi-label model, "predictions"
// for regression (see Export).
//
// The file is written with the protobuf wire format's primitives
// (google.golang.org/protobuf/encoding/protowire) for the few ONNX messages
// a model needs, rather than with generated ONNX bindings: no maintained Go
// package of them exists, and this keeps the dependency small. The tests
// run every exported model in ONNX Runtime and compare its outputs with
// dlgo's to 1e-5, and check the files with the onnx package's checker.
package onnx
