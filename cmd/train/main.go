// Command train trains a dlgo model on a data set and writes the model,
// its history, its metrics and plots into a run directory.
//
// Run it with no flags to train an MLP on MNIST; -h lists every flag. The
// run directory holds:
//
//	model.dlgo             the model: spec, weights, normalisation, classes,
//	                       settings and metrics (np.load reads its weights)
//	history.csv            one row per epoch: loss and metrics, train and validation
//	metrics.json           final train, validation and test metrics, the
//	                       settings, the seed, the data's SHA-256, the versions
//	*.png                  loss and metric curves, the decision regions of
//	                       2-D data, the confusion matrix of a classifier;
//	                       for the generative models (-model autoencoder,
//	                       conv-autoencoder, vae, conv-vae) the
//	                       reconstructions, the latent codes and, for a
//	                       VAE, its decoded latent plane and samples
//
// Ctrl-C stops after the current iteration, saves the best model so far and
// exits with status 130 (as a built binary: under go run, the go command
// itself exits with status 1). A mistake on the command line exits with
// status 2, other failures with status 1.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], env{stdout: os.Stdout, stderr: os.Stderr, terminal: isTerminal(os.Stdout), width: widthOf(os.Stdout)})
	switch {
	case err == nil:
	case errors.Is(err, errUsage):
		fmt.Fprintf(os.Stderr, "train: %v\nrun 'go run ./cmd/train -h' for every flag\n", err)
		os.Exit(2)
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(130)
	default:
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

// isTerminal reports whether f is a character device, i.e. a terminal.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// widthOf returns the width of the terminal f is: asked of the terminal,
// or from the COLUMNS variable; 0 if unknown.
func widthOf(f *os.File) int {
	if w := terminalWidth(f); w > 0 {
		return w
	}
	w, _ := strconv.Atoi(os.Getenv("COLUMNS"))
	return max(w, 0)
}
