package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/trainers"
)

// config holds every setting of a run. A JSON file given with -config has
// the same fields as the flags (named as in the json tags); flags given on
// the command line override it. Zero values mean "the default for this
// model and data", resolved by resolve.
type config struct {
	Data        string  `json:"data"`
	Target      string  `json:"target,omitempty"`
	Task        string  `json:"task,omitempty"`
	Model       string  `json:"model"`
	Hidden      string  `json:"hidden"`
	Activation  string  `json:"activation"`
	Output      string  `json:"output,omitempty"`
	Loss        string  `json:"loss,omitempty"`
	Ops         string  `json:"ops,omitempty"`
	Dropout     float64 `json:"dropout"`
	L2          float64 `json:"l2"`
	L1          float64 `json:"l1"`
	Optimizer   string  `json:"optimizer"`
	LR          float64 `json:"lr"`
	Batch       int     `json:"batch"`
	Epochs      int     `json:"epochs"`
	Patience    int     `json:"patience"`
	Val         float64 `json:"val"`
	Test        string  `json:"test,omitempty"`
	Seed        int64   `json:"seed"`
	Out         string  `json:"out,omitempty"`
	N           int     `json:"n"`
	Standardize bool    `json:"standardize"`
	MNISTDir    string  `json:"mnist_dir,omitempty"`
	GradCheck   bool    `json:"gradcheck,omitempty"`
	// How a CSV table is read (see table.go).
	Sep      string `json:"sep,omitempty"`
	Skip     int    `json:"skip,omitempty"`
	Drop     string `json:"drop,omitempty"`
	Features string `json:"features,omitempty"`
	Missing  string `json:"missing,omitempty"`
	NA       string `json:"na,omitempty"`
	// The training controls and what to do with the run directory (see
	// controls.go and rundir.go).
	Keep        string  `json:"keep,omitempty"`
	LRSchedule  string  `json:"lr_schedule,omitempty"`
	LRStep      int     `json:"lr_step,omitempty"`
	LRFactor    float64 `json:"lr_factor,omitempty"`
	LRPatience  int     `json:"lr_patience,omitempty"`
	LRMin       float64 `json:"lr_min,omitempty"`
	ClassWeight string  `json:"class_weight,omitempty"`
	Clip        float64 `json:"clip,omitempty"`
	Resume      string  `json:"-"`
	Overwrite   bool    `json:"-"`
	// Generative models (see generative.go).
	Latent int `json:"latent,omitempty"`
	Limit  int `json:"limit,omitempty"`

	// set records the settings given on the command line or in the
	// -config file, by flag name: the others take defaults that depend on
	// the data.
	set map[string]bool
}

// defaults are the settings before any file or flag.
func defaults() config {
	return config{Data: "mnist", Model: "mlp", Hidden: "128,64", Activation: "relu", Dropout: 0.2,
		Val: 0.1, Seed: 1, N: 1000, Standardize: true}
}

const usageHeader = `Usage: go run ./cmd/train [flags]

Trains a model on a data set and writes the model, its training history,
its metrics and plots into a run directory. With no flags it trains an MLP
(784-128-64-10, ReLU, dropout 0.2, Adam) on MNIST, fetched and checked by
itself.

Examples:
  go run ./cmd/train
  go run ./cmd/train -model convnet -epochs 12
  go run ./cmd/train -model vae -epochs 10
  go run ./cmd/train -data moons -hidden 16,16 -epochs 200
  go run ./cmd/train -data xor -model perceptron
  go run ./cmd/train -data iris.csv -target species -model logreg -test iris-test.csv
  go run ./cmd/train -data houses.csv -target price -output relu -loss huber
  go run ./cmd/train -data scores.csv -target math,reading,writing
  go run ./cmd/train -model arch.json -epochs 5
  go run ./cmd/train -model arch.json -gradcheck
  go run ./cmd/train -config run.json -lr 0.01

Flags:
`

// newFlagSet binds the flags to c, whose current values are the defaults
// -h shows.
func newFlagSet(c *config, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHeader)
		fs.PrintDefaults()
	}
	fs.String("config", "", "read settings from this JSON `file` (fields named like the flags); flags override it")
	fs.StringVar(&c.Data, "data", c.Data, "data set: mnist, xor, blobs, moons, circles, spiral, linear, plane, gaussians, or a CSV `file` with a header row")
	fs.StringVar(&c.Target, "target", c.Target, "CSV target `column` (default: the last column), or several columns a,b,c: multi-output regression, or multi-label if every one holds 0 or 1")
	fs.StringVar(&c.Task, "task", c.Task, "what the CSV target is: classification, regression or multilabel (default: from the model and the columns)")
	fs.StringVar(&c.Model, "model", c.Model, "model: perceptron, linreg, logreg, mlp, convnet, the generative autoencoder, conv-autoencoder, vae, conv-vae (on mnist), or an architecture JSON `file` ({\"layers\": [...], \"loss\": ...}; the input shape comes from the data)")
	fs.StringVar(&c.Hidden, "hidden", c.Hidden, "MLP hidden layer `widths`, comma-separated (\"\" for none; 64,32 for CSV tables)")
	fs.StringVar(&c.Activation, "activation", c.Activation, "hidden activation: relu, tanh, sigmoid, linear")
	fs.StringVar(&c.Output, "output", c.Output, "output `activation` of mlp and linreg: linear, relu (e.g. for a positive target), sigmoid, tanh, softmax (default: from the task)")
	fs.StringVar(&c.Loss, "loss", c.Loss, "`loss`: mse, mae, huber, binary_crossentropy, categorical_crossentropy, perceptron (default: from the output activation)")
	fs.StringVar(&c.Ops, "ops", c.Ops, "graph ops: fused (dlgo's, fast) or gorgonia (Gorgonia's built-in ops, for teaching and as the reference) (default fused)")
	fs.Float64Var(&c.Dropout, "dropout", c.Dropout, "dropout `rate` after each MLP hidden layer (0 = off)")
	fs.Float64Var(&c.L2, "l2", c.L2, "L2 penalty `coefficient` λ: adds λ/2·Σw² over the weights, not the biases")
	fs.Float64Var(&c.L1, "l1", c.L1, "L1 penalty `coefficient` λ: adds λ·Σ|w| over the weights, not the biases (sparse weights)")
	fs.StringVar(&c.Optimizer, "optimizer", c.Optimizer, "optimizer: gd (full batch), sgd, momentum, adam, rmsprop, adamw (default adam; sgd for the perceptron; gd for linreg)")
	fs.Float64Var(&c.LR, "lr", c.LR, "learning `rate` (default 0.001 for adam, rmsprop and adamw, 0.01 for sgd and momentum, 0.1 for gd, 1 for the perceptron)")
	fs.IntVar(&c.Batch, "batch", c.Batch, "mini-batch `size` (default 128 for mnist, 32 otherwise, 1 for the perceptron; gd uses the whole set)")
	fs.IntVar(&c.Epochs, "epochs", c.Epochs, "passes over the training data (default 10 for mnist, 12 for the convnet, 500 for CSV tables with early stopping, 100 otherwise, 20 for the perceptron)")
	fs.IntVar(&c.Patience, "patience", c.Patience, "early stopping: stop after this many `epochs` without improvement and restore the best weights (0 = off; 20 for CSV tables)")
	fs.Float64Var(&c.Val, "val", c.Val, "`fraction` of the training data held out for validation (0 = none; 0.2 for CSV tables)")
	fs.StringVar(&c.Test, "test", c.Test, "held-out CSV `file` evaluated at the end (mnist uses its test set)")
	fs.Int64Var(&c.Seed, "seed", c.Seed, "random seed for the weights, the data split, shuffling and dropout")
	fs.StringVar(&c.Out, "out", c.Out, "run `directory`, new or empty (see -overwrite, -resume) (default runs/<model>-<data>-<time>, with -2, -3, ... for runs started in the same second)")
	fs.IntVar(&c.N, "n", c.N, "number of samples of a synthetic data set")
	fs.BoolVar(&c.Standardize, "standardize", c.Standardize, "standardise tabular features with statistics of the training data (kept in the model)")
	fs.BoolVar(&c.GradCheck, "gradcheck", c.GradCheck, "check the model's gradients against finite differences on a few training samples (in float64), print the report and exit without training")
	fs.StringVar(&c.MNISTDir, "mnist-dir", c.MNISTDir, "`directory` holding the four MNIST files, looked in first")
	fs.StringVar(&c.Sep, "sep", c.Sep, "CSV field `separator`: , ; tab | space (runs of spaces and tabs) (default: detected)")
	fs.IntVar(&c.Skip, "skip", c.Skip, "CSV `lines` to skip before the header (a preamble)")
	fs.StringVar(&c.Drop, "drop", c.Drop, "CSV `columns` a,b not to use as features")
	fs.StringVar(&c.Features, "features", c.Features, "the only CSV `columns` a,b to use as features (default: every column but the target)")
	fs.StringVar(&c.Missing, "missing", c.Missing, "missing CSV feature values: impute (median of a number column, most frequent value of a text column, from the training rows) or error (default impute)")
	fs.StringVar(&c.NA, "na", c.NA, "more CSV `cells` a,b read as missing values, besides empty, NA, NaN, null, None, N/A, ? and the other pandas defaults")
	addControlFlags(fs, c)
	fs.IntVar(&c.Latent, "latent", c.Latent, "`size` of the latent space of vae and conv-vae (default 2)")
	fs.IntVar(&c.Limit, "limit", c.Limit, "use only the first `N` training and N test images of mnist, for quick runs (0 = all)")
	return fs
}

// errHelp is returned when -h was asked for: not a failure.
var errHelp = flag.ErrHelp

// usageErr is a mistake on the command line: main prints it with a hint
// to -h and exits with status 2.
type usageErr struct{ err error }

func (e usageErr) Error() string        { return e.err.Error() }
func (e usageErr) Unwrap() error        { return e.err }
func (e usageErr) Is(target error) bool { return target == errUsage }

// parseConfig reads the settings: defaults, then the -config file, then
// the other flags. It returns errHelp for -h and a usageErr for a flag
// that does not parse.
func parseConfig(args []string) (config, error) {
	c := defaults()
	c.set = map[string]bool{}
	// First pass: find -config without complaining about other flags.
	if path := findConfigFlag(args); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("reading the config file: %w", err)
		}
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return c, fmt.Errorf("config file %s: %w", path, err)
		}
		var keys map[string]json.RawMessage
		if json.Unmarshal(data, &keys) == nil {
			for k := range keys {
				c.set[strings.ReplaceAll(k, "_", "-")] = true
			}
		}
	}
	fs := newFlagSet(&c, io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, errHelp
		}
		return c, usageErr{withSuggestion(fs, err)}
	}
	if fs.NArg() > 0 {
		return c, usageErr{fmt.Errorf("unexpected argument %q (flags start with -)", fs.Arg(0))}
	}
	var bad error
	fs.Visit(func(f *flag.Flag) {
		c.set[f.Name] = true
		switch f.Name {
		case "epochs", "lr", "batch":
			if v, err := strconv.ParseFloat(f.Value.String(), 64); err == nil && v == 0 && bad == nil {
				bad = usageErr{fmt.Errorf("-%s 0: leave the flag out for the default; 0 is not a %s", f.Name, map[string]string{
					"epochs": "number of epochs", "lr": "learning rate", "batch": "batch size"}[f.Name])}
			}
		}
	})
	return c, bad
}

// withSuggestion adds the closest flag name to an error about a flag
// that is not defined.
func withSuggestion(fs *flag.FlagSet, err error) error {
	const prefix = "flag provided but not defined: -"
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		return err
	}
	name := strings.TrimLeft(strings.TrimPrefix(msg, prefix), "-")
	best, bestD := "", 3
	fs.VisitAll(func(f *flag.Flag) {
		if d := editDistance(name, f.Name); d < bestD {
			best, bestD = f.Name, d
		}
	})
	if best == "" {
		return err
	}
	return fmt.Errorf("%w; did you mean -%s?", err, best)
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// writeUsage writes the -h text.
func writeUsage(w io.Writer) error {
	c := defaults()
	fs := newFlagSet(&c, w)
	fs.Usage()
	return nil
}

// findConfigFlag returns the value of -config or --config in args.
func findConfigFlag(args []string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "config" {
			continue
		}
		if hasValue {
			return value
		}
		if i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// isArchitecture says whether -model names an architecture file.
func (c *config) isArchitecture() bool {
	if strings.HasSuffix(strings.ToLower(c.Model), ".json") {
		return true
	}
	st, err := os.Stat(c.Model)
	return err == nil && st.Mode().IsRegular()
}

// targets returns the -target columns, nil for the default (the last
// column).
func (c *config) targets() []string {
	var out []string
	for _, f := range strings.Split(c.Target, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// parseHidden parses "128,64" into widths.
func parseHidden(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-hidden %q: %q is not a positive width", s, f)
		}
		out = append(out, n)
	}
	return out, nil
}

// resolve fills in the defaults that depend on the model and the data,
// and checks the combination.
func (c *config) resolve() error {
	mnist := c.Data == "mnist"
	switch c.Model {
	case "perceptron", "linreg", "logreg", "mlp", "convnet":
	default:
		if !c.isArchitecture() && !isGenerative(c.Model) {
			return fmt.Errorf("-model %q is not one of perceptron, linreg, logreg, mlp, convnet, %s, or an architecture file (name.json)", c.Model, strings.Join(generativeModels, ", "))
		}
	}
	if err := c.checkGenerative(); err != nil {
		return err
	}
	if c.Limit < 0 || (c.Limit > 0 && !mnist) {
		return fmt.Errorf("-limit %d: it keeps the first N images of mnist, N > 0", c.Limit)
	}
	switch c.Ops {
	case "", "fused", "gorgonia":
	default:
		return fmt.Errorf("-ops %q is not fused or gorgonia", c.Ops)
	}
	if c.Loss != "" {
		if _, err := models.ParseLoss(c.Loss); err != nil {
			return fmt.Errorf("-loss: %w", err)
		}
	}
	if c.Output != "" && c.Model != "mlp" && c.Model != "linreg" {
		return fmt.Errorf("-output sets the output activation of mlp and linreg; model %s has its own", c.Model)
	}
	if c.Model == "convnet" && !mnist {
		return errors.New("-model convnet needs image data: use -data mnist")
	}
	if c.Optimizer == "" {
		switch c.Model {
		case "perceptron":
			c.Optimizer = "sgd"
		case "linreg":
			c.Optimizer = "gd"
		default:
			c.Optimizer = "adam"
		}
	}
	if !slices.Contains(trainers.OptimizerNames(), c.Optimizer) {
		return fmt.Errorf("-optimizer %q is not one of %s", c.Optimizer, strings.Join(trainers.OptimizerNames(), ", "))
	}
	if c.LR == 0 {
		switch {
		case c.Model == "perceptron":
			c.LR = 1
		case c.Optimizer == "gd":
			c.LR = 0.1
		default: // the optimiser's own: 0.001 for adam, rmsprop and adamw, 0.01 for sgd and momentum
			opt, err := trainers.NewOptimizer(c.Optimizer, 0)
			if err != nil {
				return err
			}
			c.LR = opt.BaseLR()
		}
	}
	if c.Batch == 0 && c.Optimizer != "gd" {
		switch {
		case c.Model == "perceptron":
			c.Batch = 1
		case mnist:
			c.Batch = 128
		default:
			c.Batch = 32
		}
	}
	if c.isTable() {
		c.tableDefaults()
	}
	if c.Epochs == 0 {
		switch {
		case c.Model == "convnet":
			c.Epochs = 12
		case mnist:
			c.Epochs = 10
		case c.Model == "perceptron":
			c.Epochs = 20
		default:
			c.Epochs = 100
		}
	}
	switch c.Task {
	case "", "classification", "regression", "multilabel":
	default:
		return fmt.Errorf("-task %q is not classification, regression or multilabel", c.Task)
	}
	if err := c.checkDataFlags(); err != nil {
		return err
	}
	if len(c.targets()) > 1 && c.Task == "classification" {
		return fmt.Errorf("-target %s names several columns: they are regressed or, holding 0 and 1, read as labels (-task multilabel); a classifier has one target column", c.Target)
	}
	if c.Patience < 0 {
		return fmt.Errorf("-patience %d must not be negative", c.Patience)
	}
	if !(c.Val >= 0 && c.Val < 1) {
		return fmt.Errorf("-val %v is not a fraction in [0, 1)", c.Val)
	}
	if c.Patience > 0 && c.Val == 0 {
		return errors.New("-patience needs validation data to watch: set -val above 0")
	}
	if err := c.resolveControls(); err != nil {
		return err
	}
	_, err := parseHidden(c.Hidden)
	return err
}
