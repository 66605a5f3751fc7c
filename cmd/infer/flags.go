package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
)

// mnistTest is the -data word for the MNIST test set.
const mnistTest = "mnist-test"

// The -invert modes.
var invertModes = []string{"auto", "always", "never"}

// config holds the settings of one run, from the command line.
type config struct {
	model, data, out string
	json, eval       bool
	resize           bool
	invert           string
	// center is nil unless -center was given: the model then decides.
	center   *bool
	mnistDir string
	offline  bool
	// id names a CSV column copied into the output beside each prediction.
	id string
	// hardest keeps the samples with the largest loss, worst first (0:
	// every sample, in order).
	hardest int
	// encode writes each sample's latent code instead of predictions.
	encode bool
	// generate draws that many samples of a VAE's prior (0: none), seeded
	// by seed.
	generate int
	seed     int64
}

// usageError is a mistake on the command line; infer exits with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

const usageHead = `Usage: infer -model FILE -data INPUT [flags]

Infer predicts with a model saved by cmd/train: one row of output per sample
of INPUT, which is a CSV file, an image file, a folder of images or
mnist-test. Predictions go to standard output as CSV (JSON with -json); with
-eval, metrics against the input's targets go there instead. Diagnostics go
to standard error.

Examples:
  # classify the rows of a CSV file (with or without its target column)
  infer -model iris.dlgo -data iris.csv

  # classify a folder of drawn digits, as JSON, into a file
  infer -model mnist.dlgo -data digits/ -json -out digits.json

  # accuracy, per-class report and confusion matrix on the MNIST test set
  infer -model mnist.dlgo -data mnist-test -eval

  # an autoencoder: the 20 test digits it reconstructs worst, as a picture
  infer -model ae.dlgo -data mnist-test -hardest 20 -out hardest.png

  # a VAE: the latent code of each test digit, and 100 digits of its prior
  infer -model vae.dlgo -data mnist-test -encode -out codes.csv
  infer -model vae.dlgo -generate 100 -seed 7 -out digits.png

Flags:
`

const usageTail = `
Exit status: 0 on success, 1 on an error, 2 on a usage error.
`

// newFlagSet defines the flags, storing into cfg, and -center into center.
// Usage strings state the defaults that the flag package does not print
// (those of zero value).
func newFlagSet(cfg *config, center *bool) *flag.FlagSet {
	fs := flag.NewFlagSet("infer", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // run reports errors and prints -h itself
	fs.Usage = func() {}
	fs.StringVar(&cfg.model, "model", "", "the model `FILE`, written by cmd/train or Model.Save, or the run directory\nthat holds it (required)")
	fs.StringVar(&cfg.data, "data", "",
		"the `INPUT` to predict: a CSV file, an image file (PNG, JPEG, GIF),\na folder of images, or "+mnistTest+" (required)")
	fs.BoolVar(&cfg.json, "json", false, "write JSON instead of CSV (default false)")
	fs.StringVar(&cfg.out, "out", "", "write the predictions to `FILE`, atomically (default: standard output)")
	fs.BoolVar(&cfg.eval, "eval", false,
		"print metrics against the input's targets instead of the predictions,\nwhich are then written only to -out (default false)")
	fs.BoolVar(&cfg.resize, "resize", true,
		"scale images to the model's input size; with -resize=false, an image\nof another size is an error")
	fs.StringVar(&cfg.invert, "invert", "auto",
		"invert images to light ink on dark: `MODE` auto (when their border is\nbright), always or never")
	fs.BoolVar(center, "center", false,
		"crop images to their ink and centre it as MNIST's digits were\n(default: true if the model was trained on MNIST and -resize is on,\nelse false)")
	fs.StringVar(&cfg.mnistDir, "mnist-dir", "",
		"a `DIR` holding the MNIST files, looked in first for "+mnistTest+"\n(default: none; then the user cache, the Go module cache, the mirrors)")
	fs.BoolVar(&cfg.offline, "offline", false, "never download MNIST for "+mnistTest+" (default false)")
	fs.StringVar(&cfg.id, "id", "", "copy this CSV `column` (an identifier) into the output beside each prediction\n(default: R's row names, a column with an empty header name, as \"row_name\"\nwhen the table has them; rows are numbered from 1 either way)")
	fs.IntVar(&cfg.hardest, "hardest", 0, "list only the `N` samples with the largest loss, worst first: an\nautoencoder's worst reconstructions (anomalies), a classifier's worst\nmistakes (which need the targets) (default 0: every sample, in order)")
	fs.BoolVar(&cfg.encode, "encode", false, "write each sample's latent code (an autoencoder's) instead of predictions\n(default false)")
	fs.IntVar(&cfg.generate, "generate", 0, "decode `N` draws of a variational autoencoder's prior: CSV rows, or a\nPNG grid of images with -out FILE.png; no -data (default 0)")
	fs.Int64Var(&cfg.seed, "seed", 1, "the `seed` of -generate's draws")
	return fs
}

// parseFlags reads the command line. It returns flag.ErrHelp for -h and a
// usageError for a mistake.
func parseFlags(args []string) (*config, error) {
	cfg := &config{}
	center := new(bool)
	fs := newFlagSet(cfg, center)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err}
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "center" {
			cfg.center = center
		}
	})
	if err := cfg.check(fs.Args()); err != nil {
		return nil, err
	}
	return cfg, nil
}

// check reports settings that cannot be used.
func (c *config) check(rest []string) error {
	switch {
	case len(rest) > 0:
		return usagef("unexpected argument %q: flags come first, and the input is given with -data", rest[0])
	case c.model == "":
		return usagef("-model is required: name the model file to predict with")
	case c.generate < 0 || c.hardest < 0:
		return usagef("-generate and -hardest take a number of samples ≥ 1")
	case c.generate > 0:
		return c.checkGenerate()
	case c.data == "":
		return usagef("-data is required: name a CSV file, an image file, a folder of images or %s", mnistTest)
	case !slices.Contains(invertModes, c.invert):
		return usagef("-invert %q: want auto, always or never", c.invert)
	case c.center != nil && *c.center && !c.resize:
		return usagef("-center scales each image's ink to fit the model's input, so it cannot go with -resize=false")
	case c.encode && (c.eval || c.hardest > 0):
		return usagef("-encode writes latent codes: it cannot go with -eval or -hardest")
	}
	return nil
}

// checkGenerate checks the settings of -generate, which reads no input.
func (c *config) checkGenerate() error {
	switch {
	case c.data != "":
		return usagef("-generate draws new samples from the model: it reads no -data")
	case c.eval || c.encode || c.hardest > 0:
		return usagef("-generate cannot go with -eval, -encode or -hardest")
	case c.generate > maxGenerate:
		return usagef("-generate %d: at most %d samples", c.generate, maxGenerate)
	}
	return nil
}

// writeUsage writes the -h text.
func writeUsage(w io.Writer) error {
	fs := newFlagSet(&config{}, new(bool))
	if _, err := io.WriteString(w, usageHead); err != nil {
		return err
	}
	fs.SetOutput(w)
	fs.PrintDefaults()
	_, err := io.WriteString(w, usageTail)
	return err
}
