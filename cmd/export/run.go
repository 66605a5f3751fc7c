package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/onnx"
)

// usageError is a mistake on the command line; export exits with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

const usageHead = `Usage: export -model FILE.dlgo [-o FILE.onnx]

Export converts a model saved by cmd/train (or Model.Save) to ONNX, opset 13,
for ONNX Runtime, Triton Inference Server or KServe, and prints the graph's
input and outputs: "input" (float32, batch first), "logits", and
"probabilities" and "class" for a classifier, "probabilities" for a
multi-label model, "predictions" for regression, as cmd/serve answers them.

Examples:
  export -model runs/mlp-mnist-20261127-124730/model.dlgo -o mnist.onnx
  export -model iris.dlgo            # writes iris.onnx

Flags:
`

const usageTail = `
Exit status: 0 on success, 1 on an error, 2 on a usage error.
`

func newFlagSet(model, out *string) *flag.FlagSet {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(model, "model", "", "the model `FILE` to export, written by cmd/train or Model.Save (required)")
	fs.StringVar(out, "o", "", "the ONNX `FILE` to write, atomically (default: the model's path with .onnx\nfor .dlgo)")
	return fs
}

// run is the whole command: it reads the flags in args, exports, and
// writes a description of the graph to stdout. It returns nil after -h, a
// usageError for a mistake on the command line, and otherwise the error
// that stopped it.
func run(_ context.Context, args []string, stdout, _ io.Writer) error {
	var model, out string
	fs := newFlagSet(&model, &out)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return writeUsage(stdout)
		}
		return usageError{err}
	}
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Errorf("unexpected argument %q: name the model with -model", fs.Arg(0))}
	case model == "":
		return usageError{errors.New("-model is required: name the model file to export")}
	}
	if out == "" {
		out = strings.TrimSuffix(model, ".dlgo") + ".onnx"
	}
	m, err := models.Load(model)
	if err != nil {
		return err
	}
	x, err := onnx.Export(m)
	if err != nil {
		return err
	}
	if err := x.Save(out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: model %q, ONNX opset %d, %d bytes\n", out, m.Name(), onnx.Opset, len(x.Data))
	for _, t := range x.Inputs {
		fmt.Fprintf(stdout, "input   %s\n", t)
	}
	for _, t := range x.Outputs {
		fmt.Fprintf(stdout, "output  %s\n", t)
	}
	return nil
}

// exitCode reports err on stderr and returns the exit status for it.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "export: %v\n", err)
	if errors.As(err, new(usageError)) {
		fmt.Fprintln(stderr, "run 'export -h' for help")
		return 2
	}
	return 1
}

func writeUsage(w io.Writer) error {
	var model, out string
	fs := newFlagSet(&model, &out)
	if _, err := io.WriteString(w, usageHead); err != nil {
		return err
	}
	fs.SetOutput(w)
	fs.PrintDefaults()
	_, err := io.WriteString(w, usageTail)
	return err
}
