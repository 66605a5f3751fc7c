// Package models defines dlgo's models as thin descriptions over symbolic
// Gorgonia graphs: the perceptron, linear and logistic regression, the
// multi-layer perceptron, a small ConvNet, and any stack of layers from
// one vocabulary: dense, activation, dropout, normalization, batchnorm,
// conv2d, conv2d_transpose, maxpool2d, avgpool2d, upsample2d, flatten,
// reshape and sampling (LayerTypes lists them), with the activations
// linear, relu, leaky_relu, sigmoid, tanh, and softmax or step at the
// output.
//
// A model is data (a Spec, which round-trips through JSON, or the
// Architecture of a file) plus named parameter tensors (Params). It does
// not train itself: package trainers runs the one training loop every model
// goes through, using Forward and AddLoss to build the graphs it needs. A
// model predicts on its own (Predict, PredictClasses), shows what it
// computes inside (LayerOutputs, After, PredictWithDropout), and saves to
// and loads from a single file.
//
// Build one in Go, as in Keras:
//
//	spec := models.Sequential([]int{1, 28, 28},
//		models.Conv2D(32, 3, models.ReLU),
//		models.MaxPool2D(2),
//		models.Flatten(),
//		models.Dense(10, models.Softmax))
//	m, err := models.New(spec, models.WithSeed(1))
//
// The loss is a choice of its own (Spec.Loss, WithLoss: mse, mae, huber,
// binary_crossentropy, categorical_crossentropy, perceptron); by default
// it follows the output activation: sigmoid trains with binary
// cross-entropy, softmax with categorical cross-entropy, step with the
// perceptron criterion, anything else with mean squared error. The task
// (Spec.Task) follows from the loss and the output: classification,
// multi-label classification (several sigmoid units), or regression, whose
// outputs may have any shape, such as an image.
//
// Generative models: an autoencoder (NewAutoencoder, NewConvAutoencoder)
// is trained to output its own input (Spec.Target is TargetInput, the task
// Reconstruction) through a narrow latent layer (Spec.Latent): Encode
// returns a sample's code, Decode turns codes back into samples. A
// variational autoencoder (NewVAE, NewConvVAE) has a sampling layer whose
// input is the means and log-variances of its latent values, and whose
// output is a draw z = μ + σ·ε: the noise ε is an input of the training
// graph (Net.Noise) that the trainer fills from its seeded generator, and
// the layer adds the KL divergence from the prior to the loss as a term
// of its own (Net.Terms, "kl_loss"). At inference (Logits, Predict,
// Encode) z = μ; Generate decodes draws of the prior. Its reconstruction
// loss is summed over a sample's values (Spec.LossReduction ReduceSum), as
// in the Keras and PyTorch examples.
//
// Shapes: a batch of inputs is (batch, features) for tabular data and
// (batch, channels, height, width) for images (channels first). The
// graph's output is the model's values before the output activation (the
// logits of a classifier): the losses are computed from them stably, and
// Predict applies the activation.
//
// Two ways to build the graph, with the same results up to rounding: by
// default each layer is one of dlgo's fused Gorgonia ops (internal/ops),
// which computes the layer and its gradient in one pass each with a fast
// matrix product, several times faster than the equivalent graph of
// Gorgonia's built-in ops; WithGorgoniaOps builds that equivalent graph
// (Mul, BroadcastAdd, Rectify, Sigmoid, Conv2d, MaxPool2D, a row-stable
// log-softmax, ...) and lets Gorgonia derive every gradient symbolically,
// for teaching and as the reference the fused ops are tested against.
package models
