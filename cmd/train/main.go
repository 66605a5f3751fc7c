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
//	train_state.zip        the training state after the last epoch: -resume
//	                       continues the run from there
//
// Ctrl-C (or SIGTERM) stops after the current iteration, saves the model
// (the best or the last completed epoch's, -keep) and the training state,
// and exits with status 130 (as a built binary: under go run, the go
// command itself exits with status 1); during the final save, the save
// is finished first. A second Ctrl-C exits at once: every file is written
// under a temporary name and renamed, so none is ever left half written.
// go run ./cmd/train -resume DIR continues an interrupted or crashed run.
// A mistake on the command line, or an -out directory that holds another
// run, exits with status 2, other failures with status 1.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go interrupts(sigs, cancel, os.Stderr, os.Exit)
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

// interrupts turns the first signal into the cancellation of the run,
// which then stops and saves, and the second into exit(130) at once.
func interrupts(sigs <-chan os.Signal, cancel context.CancelCauseFunc, stderr io.Writer, exit func(int)) {
	<-sigs
	fmt.Fprintln(stderr, "\ntrain: interrupted: stopping after this iteration and saving; interrupt again to quit at once")
	cancel(context.Canceled)
	<-sigs
	fmt.Fprintln(stderr, "train: interrupted again: quitting")
	exit(130)
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
