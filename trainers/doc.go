// Package trainers holds dlgo's one training loop, which every model goes
// through: Fit. It builds a training graph of the model (dropout on, the
// loss computed stably from the logits, an optional L2 penalty), shuffles
// the data every epoch, updates the parameters once per mini-batch with the
// chosen optimiser (full-batch gradient descent, mini-batch SGD, momentum,
// Adam, RMSProp or AdamW: an Optimizer), validates after every epoch with
// dropout off, and records a History. Callbacks plug in progress output, early stopping and
// checkpointing; a context.Context cancels a run.
//
// Analysis: Gradients and GradientNorms give the loss gradient the training
// graph computes; GradCheck compares it with finite differences, the test
// that a model is differentiated correctly; LeastSquares, LossSurface,
// SampleLosses and Hardest look at a model and its data.
//
// Vocabulary: an epoch is one pass over the training data; an iteration is
// one mini-batch update. With N samples and batch size m an epoch has
// ⌈N/m⌉ iterations, the last one with the remaining samples.
//
// Reproducibility: the model's seed fixes the initial weights and
// Config.Seed fixes the shuffling, the validation split and the dropout
// masks, so two runs with the same seeds, data and settings give identical
// histories.
package trainers
