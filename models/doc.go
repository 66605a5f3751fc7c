// Package models defines dlgo's models as thin descriptions over symbolic
// Gorgonia graphs: the perceptron, linear and logistic regression, the
// multi-layer perceptron and a small ConvNet, all built from one vocabulary
// of layers (dense, activation, dropout, normalization, conv2d, maxpool2d,
// flatten).
//
// A model is data (a Spec) plus named parameter tensors (Params). It does
// not train itself: package trainers runs the one training loop every model
// goes through, using Forward to build the graphs it needs. A model predicts
// on its own (Predict, PredictClasses) and saves to and loads from a single
// file.
//
// Shapes: a batch of inputs is (batch, features) for tabular data and
// (batch, channels, height, width) for images (channels first). The graph's
// output is always the logits, (batch, units): the output layer's
// activation (sigmoid, softmax, step) is applied by the loss during training
// and by Predict at inference.
package models
