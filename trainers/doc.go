// Package trainers holds dlgo's one training loop, which every model goes
// through: Fit. It builds a training graph of the model (dropout on, the
// loss computed stably from the logits, optional L2 and L1 penalties), shuffles
// the data every epoch, updates the parameters once per mini-batch with the
// chosen optimiser (full-batch gradient descent, mini-batch SGD, momentum,
// Adam, RMSProp or AdamW: an Optimizer), validates after every epoch with
// dropout off, and records a History. Callbacks plug in progress output, early stopping,
// checkpointing (keeping the best or the last epoch's weights) and learning-rate
// schedules (StepDecay, CosineDecay, ReduceLROnPlateau); a context.Context cancels a
// run. Config also weighs the classes in the loss (ClassWeights, BalancedClassWeights)
// and clips the gradients by their global norm (ClipNorm). A loss that becomes NaN or
// grows by orders of magnitude stops the run with a *DivergenceError.
//
// Resume: with Config.SaveState, Fit hands over a TrainState at the end of every epoch
// (the weights, the optimiser's moments and step count, the random generator, the order
// of the samples, the learning rate, the history and the callbacks' state); written to a
// file (TrainState.Write, ReadTrainState) and given back as Config.Resume, it continues
// the run, which then ends with the very bits of a run that was never interrupted.
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
