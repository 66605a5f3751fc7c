package models

import "fmt"

// The generative models of the course's chapter after ConvNets, on images
// of shape (channels, height, width) or flat rows of values in [0, 1]:
// autoencoders, which learn to reconstruct their input through a narrow
// code, and variational autoencoders, whose code is a distribution one
// can draw new samples from. Each is trained with its input as the target
// (Spec.Target is TargetInput) and a sigmoid output with binary
// cross-entropy, so its inputs must be in [0, 1], as MNIST's pixels are.

// NewAutoencoder returns a dense autoencoder for samples of shape input:
// an encoder of dense ReLU layers of the given widths, the last one the
// code (the latent layer, named "code"), and a decoder that mirrors it up
// to a dense sigmoid layer of as many units as the input has values,
// trained with binary cross-entropy averaged over the values. With
// widths nil it is the course's 784-128-32-128-784 on MNIST. Images are
// flattened on the way in and reshaped on the way out.
func NewAutoencoder(input []int, widths []int, opts ...Option) (*Model, error) {
	if widths == nil {
		widths = []int{128, 32}
	}
	if len(widths) == 0 {
		return nil, fmt.Errorf("models: an autoencoder needs at least one hidden width, its code's")
	}
	n, err := inputValues(input)
	if err != nil {
		return nil, err
	}
	var layers []LayerSpec
	if len(input) > 1 {
		layers = append(layers, Flatten())
	}
	for i, w := range widths {
		l := Dense(w, ReLU)
		if i == len(widths)-1 {
			l = l.WithName("code")
		}
		layers = append(layers, l)
	}
	for i := len(widths) - 2; i >= 0; i-- {
		layers = append(layers, Dense(widths[i], ReLU))
	}
	layers = append(layers, Dense(n, Sigmoid))
	if len(input) > 1 {
		layers = append(layers, Reshape(input...))
	}
	return New(Spec{Name: "autoencoder", Input: input, Layers: layers, Loss: BinaryCrossEntropy,
		Target: TargetInput, Latent: "code"}, opts...)
}

// NewConvAutoencoder returns the convolutional autoencoder of Keras'
// example for images of shape input (channels, height, width; height and
// width multiples of 4): Conv2D 32 3×3 ReLU → MaxPool 2 → Conv2D 32 3×3
// ReLU → MaxPool 2 (the code, named "code") → Conv2DTranspose 32 3×3
// stride 2 ReLU → Conv2DTranspose 32 3×3 stride 2 ReLU → Conv2D 3×3
// sigmoid with the input's channels, all with "same" padding, trained with
// binary cross-entropy averaged over the pixels.
func NewConvAutoencoder(input []int, opts ...Option) (*Model, error) {
	if err := checkImages(input, "a convolutional autoencoder"); err != nil {
		return nil, err
	}
	return New(Spec{Name: "conv-autoencoder", Input: input, Layers: []LayerSpec{
		Conv2D(32, 3, ReLU).WithPadding(Same),
		MaxPool2D(2),
		Conv2D(32, 3, ReLU).WithPadding(Same),
		MaxPool2D(2).WithName("code"),
		Conv2DTranspose(32, 3, 2, ReLU).WithPadding(Same),
		Conv2DTranspose(32, 3, 2, ReLU).WithPadding(Same),
		Conv2D(input[0], 3, Sigmoid).WithPadding(Same),
	}, Loss: BinaryCrossEntropy, Target: TargetInput, Latent: "code"}, opts...)
}

// NewVAE returns a dense variational autoencoder for samples of shape
// input with a latent space of latent values: an encoder Dense hidden ReLU
// → Dense 2·latent linear (the means and log-variances, "z_mean_log_var")
// → Sampling ("z", the latent layer), and a decoder Dense hidden ReLU →
// Dense sigmoid with as many units as the input has values. Its loss is
// the per-sample sum of the values' binary cross-entropies (LossReduction
// ReduceSum) plus the KL divergence of the latent distribution from the
// prior N(0, 1). With hidden 0 and latent 0 it is the course's
// 784-512-2 on MNIST.
func NewVAE(input []int, hidden, latent int, opts ...Option) (*Model, error) {
	if hidden == 0 {
		hidden = 512
	}
	if latent == 0 {
		latent = 2
	}
	if hidden < 1 || latent < 1 {
		return nil, fmt.Errorf("models: a VAE needs a positive hidden width and latent size, not %d and %d", hidden, latent)
	}
	n, err := inputValues(input)
	if err != nil {
		return nil, err
	}
	var layers []LayerSpec
	if len(input) > 1 {
		layers = append(layers, Flatten())
	}
	layers = append(layers,
		Dense(hidden, ReLU),
		Dense(2*latent, Linear).WithName("z_mean_log_var"),
		Sampling().WithName("z"),
		Dense(hidden, ReLU),
		Dense(n, Sigmoid))
	if len(input) > 1 {
		layers = append(layers, Reshape(input...))
	}
	return New(Spec{Name: "vae", Input: input, Layers: layers, Loss: BinaryCrossEntropy,
		LossReduction: ReduceSum, Target: TargetInput, Latent: "z"}, opts...)
}

// NewConvVAE returns the convolutional variational autoencoder of Keras'
// example for images of shape input (channels, height, width; height and
// width multiples of 4) with a latent space of latent values (2 if 0): an
// encoder Conv2D 32 3×3 stride 2 ReLU → Conv2D 64 3×3 stride 2 ReLU →
// Flatten → Dense 16 ReLU → Dense 2·latent linear → Sampling ("z"), and a
// decoder Dense 64·(H/4)·(W/4) ReLU → Reshape → Conv2DTranspose 64 3×3
// stride 2 ReLU → Conv2DTranspose 32 3×3 stride 2 ReLU → Conv2DTranspose
// 3×3 sigmoid with the input's channels, all with "same" padding. Its loss
// is as NewVAE's.
func NewConvVAE(input []int, latent int, opts ...Option) (*Model, error) {
	if err := checkImages(input, "a convolutional VAE"); err != nil {
		return nil, err
	}
	if latent == 0 {
		latent = 2
	}
	if latent < 1 {
		return nil, fmt.Errorf("models: a VAE needs a positive latent size, not %d", latent)
	}
	h, w := input[1]/4, input[2]/4
	return New(Spec{Name: "conv-vae", Input: input, Layers: []LayerSpec{
		Conv2D(32, 3, ReLU).WithStride(2).WithPadding(Same),
		Conv2D(64, 3, ReLU).WithStride(2).WithPadding(Same),
		Flatten(),
		Dense(16, ReLU),
		Dense(2*latent, Linear).WithName("z_mean_log_var"),
		Sampling().WithName("z"),
		Dense(64*h*w, ReLU),
		Reshape(64, h, w),
		Conv2DTranspose(64, 3, 2, ReLU).WithPadding(Same),
		Conv2DTranspose(32, 3, 2, ReLU).WithPadding(Same),
		Conv2DTranspose(input[0], 3, 1, Sigmoid).WithPadding(Same),
	}, Loss: BinaryCrossEntropy, LossReduction: ReduceSum, Target: TargetInput, Latent: "z"}, opts...)
}

// inputValues returns the number of values of a sample of shape input.
func inputValues(input []int) (int, error) {
	if len(input) == 0 {
		return 0, fmt.Errorf("models: no input shape")
	}
	n := 1
	for _, d := range input {
		if d < 1 || d > maxInputValues/n {
			return 0, fmt.Errorf("models: input shape %v must have positive sizes of at most %d values in all", input, maxInputValues)
		}
		n *= d
	}
	return n, nil
}

// checkImages reports an input shape that is not images (channels,
// height, width) whose height and width are multiples of 4.
func checkImages(input []int, what string) error {
	if len(input) != 3 || input[0] < 1 || input[1] < 4 || input[2] < 4 || input[1]%4 != 0 || input[2]%4 != 0 {
		return fmt.Errorf("models: %s takes images of shape (channels, height, width) with height and width multiples of 4, not %v", what, input)
	}
	return nil
}
