// Package trainers holds dlgo's one training loop, which every model goes
// through: Fit. It builds a training graph of the model (dropout on, the
// loss computed stably from the logits, an optional L2 penalty), shuffles
// the data every epoch, updates the parameters once per mini-batch with the
// chosen optimiser (full-batch gradient descent, mini-batch SGD, momentum,
// Adam, RMSProp or AdamW: an Optimizer), validates after every epoch with
// dropout off, and records a History. Callbacks plug in progress output, early stopping and
// checkpointing; a context.Context cancels a run.
//
// Vocabulary: an epoch is one pass over the training data; an iteration is
// one mini-batch update. With N samples and batch size m an epoch has
// ⌈N/m⌉ iterations, the last one with the remaining samples.
//
// Generative models: an autoencoder (a model whose Spec.Target is
// models.TargetInput) trains on its samples' features as its targets, so
// its data need no labels; its metrics are the loss and the mse over every
// value. A model whose loss has extra terms (a variational autoencoder's
// KL divergence) reports "loss" (the total), "reconstruction_loss" and
// each term ("kl_loss"), in training, validation and Evaluate alike; its
// sampling noise comes from the trainer's seeded generator in training,
// and from a generator of fixed seed in evaluation.
//
// Reproducibility: the model's seed fixes the initial weights and
// Config.Seed fixes the shuffling, the validation split, the dropout
// masks and the sampling noise, so two runs with the same seeds, data and
// settings give identical histories.
package trainers
