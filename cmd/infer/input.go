package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
	"github.com/sirupsen/logrus"
)

// input is the data to predict.
type input struct {
	// name says where the data came from, for messages.
	name string
	// data holds the samples, shaped like the model's input, and their
	// targets if the input has them.
	data *datasets.Dataset
	// paths names each sample's image file; nil for CSV and MNIST rows.
	paths []string
	// rows holds each sample's row in the table when some rows were left
	// out (rows without a target, under -eval); nil otherwise.
	rows []int
	// ids holds each sample's value of the -id column, named idName.
	ids    []string
	idName string
}

// loadInput reads what -data names, checked against and shaped for m.
func loadInput(ctx context.Context, m *models.Model, cfg *config, log *logrus.Logger) (*input, error) {
	if cfg.data == mnistTest {
		if cfg.id != "" {
			return nil, errIDNeedsTable
		}
		return loadMNIST(ctx, m, cfg, log)
	}
	st, err := os.Stat(cfg.data)
	if err != nil {
		return nil, fmt.Errorf("reading the data: %w", err)
	}
	if st.IsDir() || isImageFile(cfg.data) {
		if cfg.id != "" {
			return nil, errIDNeedsTable
		}
		return loadImages(m, cfg, log)
	}
	if m.Spec().Table != nil {
		return loadTable(m, cfg, log)
	}
	if cfg.id != "" {
		return nil, fmt.Errorf("-id: model %s was not trained on a table read by column names; it reads CSV files by position", m.Name())
	}
	return loadCSV(m, cfg.data)
}

// isImageFile reports whether path names a PNG, JPEG or GIF file.
func isImageFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png", ".jpg", ".jpeg", ".gif":
		return true
	}
	return false
}

// loadCSV reads a CSV file of features, with or without the target
// column, for a model of tabular input.
func loadCSV(m *models.Model, path string) (*input, error) {
	spec := m.Spec()
	if len(spec.Input) == 3 {
		return nil, fmt.Errorf("model %s takes images of shape %v (channels, height, width), not CSV rows: give it an image file, a folder of images or %s",
			m.Name(), spec.Input, mnistTest)
	}
	if len(spec.Input) != 1 {
		return nil, fmt.Errorf("model %s takes input of shape %v, not CSV rows of features", m.Name(), spec.Input)
	}
	header, err := readHeader(path)
	if err != nil {
		return nil, fmt.Errorf("reading the data: %w", err)
	}
	opts, err := csvOptions(spec, header)
	if err != nil {
		return nil, fmt.Errorf("reading the data: %s: %w", path, err)
	}
	d, err := datasets.LoadCSV(path, opts)
	if err != nil {
		return nil, fmt.Errorf("reading the data: %w", err)
	}
	if d.Dim() != m.InputDim() {
		return nil, fmt.Errorf("reading the data: %s has %d feature columns %q; model %s takes %d features",
			path, d.Dim(), d.Features, m.Name(), m.InputDim())
	}
	return &input{name: path, data: d}, nil
}

// readHeader returns the column names in the first line of the CSV file at
// path, trimmed of spaces as LoadCSV trims them.
func readHeader(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3) // a UTF-8 byte order mark
	}
	r := csv.NewReader(br)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: the file is empty; want a header line naming the columns", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: reading the header: %w", path, err)
	}
	for i, h := range header {
		header[i] = strings.TrimSpace(h)
	}
	return header, nil
}

// csvOptions says how to read a CSV file with the given header for a model
// of the given spec: its features in its order, and its target column if
// the header has it, holding the model's classes or numbers.
func csvOptions(spec models.Spec, header []string) (datasets.CSVOptions, error) {
	opts := datasets.CSVOptions{NoTarget: true, Features: spec.Features}
	if spec.Task() == models.Reconstruction {
		return opts, nil // an autoencoder's targets are its features
	}
	targets, err := targetColumns(spec, header)
	if err != nil || targets == nil {
		return opts, err
	}
	opts.NoTarget, opts.Targets = false, targets
	if spec.Task() == models.Classification {
		opts.Kind, opts.Classes = datasets.Categorical, classNames(spec)
	} else {
		opts.Kind = datasets.Numeric
	}
	return opts, nil
}

// targetColumns returns the names of the target columns in header, or nil
// if it has none. A model that names its targets is looked up by those
// names (all of them, or none); for one that does not, the columns after
// as many columns as it has features are its targets.
func targetColumns(spec models.Spec, header []string) ([]string, error) {
	if spec.Targets == nil {
		if n := spec.TargetWidth(); len(header) == spec.Input[0]+n {
			extra := header[spec.Input[0]:]
			if !slices.ContainsFunc(extra, func(h string) bool { return slices.Contains(spec.Features, h) }) {
				return extra, nil
			}
		}
		return nil, nil
	}
	var present, missing []string
	for _, t := range spec.Targets {
		if slices.Contains(header, t) {
			present = append(present, t)
		} else {
			missing = append(missing, t)
		}
	}
	switch {
	case len(present) == 0:
		return nil, nil
	case len(missing) > 0:
		return nil, fmt.Errorf("model %s predicts the targets %s; the file has %s but not %s: give all of them (to evaluate) or none",
			spec.Name, quoteList(spec.Targets), quoteList(present), quoteList(missing))
	}
	return spec.Targets, nil
}

// noTargetsError explains why in, which has no targets, cannot be
// evaluated.
func noTargetsError(m *models.Model, in *input) error {
	spec := m.Spec()
	switch {
	case in.paths != nil:
		return errors.New("images have no targets to evaluate against")
	case spec.Targets == nil:
		return fmt.Errorf("%s has no target column: model %s does not name its target, so it is read from a column after its %d features",
			in.name, m.Name(), m.InputDim())
	}
	return fmt.Errorf("%s has no target column: want a column named %s, as model %s was trained with",
		in.name, quoteList(spec.Targets), m.Name())
}

// quoteList formats names as "a", "b", "c".
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, s := range names {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// loadImages reads the image file or folder of images -data names, sized
// for m.
func loadImages(m *models.Model, cfg *config, log *logrus.Logger) (*input, error) {
	c, h, w, err := imageInput(m)
	if err != nil {
		return nil, err
	}
	opts := datasets.ImageOptions{Channels: c, Height: h, Width: w, Resize: cfg.resize,
		Invert: invertModeOf(cfg.invert), Center: centerImages(m, cfg)}
	log.WithFields(logrus.Fields{"channels": c, "height": h, "width": w, "resize": opts.Resize,
		"invert": cfg.invert, "center": opts.Center}).Info("reading images")
	d, paths, err := datasets.LoadImages(cfg.data, opts)
	if err != nil {
		if !cfg.resize {
			return nil, fmt.Errorf("reading the images (with -resize=false): %w", err)
		}
		return nil, fmt.Errorf("reading the images: %w", err)
	}
	d.Shape = m.InputShape() // [C, H, W], or [784] for an MLP on MNIST
	return &input{name: cfg.data, data: d, paths: paths}, nil
}

// imageInput returns the images m takes: its input shape [C, H, W] with C 1
// or 3, or 1×28×28 for a model of 784 features trained on MNIST.
func imageInput(m *models.Model) (c, h, w int, err error) {
	in := m.InputShape()
	switch {
	case len(in) == 3 && (in[0] == 1 || in[0] == 3):
		return in[0], in[1], in[2], nil
	case len(in) == 1 && in[0] == 28*28 && trainedOnMNIST(m):
		return 1, 28, 28, nil
	case len(in) == 1:
		return 0, 0, 0, fmt.Errorf("model %s takes %d tabular features, not images: give it a CSV file", m.Name(), in[0])
	}
	return 0, 0, 0, fmt.Errorf("model %s takes input of shape %v, not images of 1 or 3 channels", m.Name(), in)
}

// trainedOnMNIST reports whether m's training settings name MNIST as its
// data, as cmd/train records it.
func trainedOnMNIST(m *models.Model) bool {
	data, _ := m.Meta.Settings["data"].(string)
	return data == "mnist"
}

// centerImages says whether images are centred as MNIST's digits were:
// as -center says, or by default for a model trained on MNIST when
// images may be resized.
func centerImages(m *models.Model, cfg *config) bool {
	if cfg.center != nil {
		return *cfg.center
	}
	return cfg.resize && trainedOnMNIST(m)
}

// invertModeOf maps a checked -invert value to its datasets.InvertMode.
func invertModeOf(mode string) datasets.InvertMode {
	switch mode {
	case "always":
		return datasets.InvertAlways
	case "never":
		return datasets.InvertNone
	}
	return datasets.InvertAuto
}

// loadMNIST reads the MNIST test set for m, which must take its 28×28
// images and classify them into the 10 digits.
func loadMNIST(ctx context.Context, m *models.Model, cfg *config, log *logrus.Logger) (*input, error) {
	if err := checkMNISTModel(m.Spec()); err != nil {
		return nil, err
	}
	opts := datasets.MNISTOptions{Dir: cfg.mnistDir, Offline: cfg.offline, Logf: log.Infof}
	d, err := datasets.LoadMNISTContext(ctx, "test", opts)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w\n(in infer, MNISTOptions.Dir is -mnist-dir and Offline is -offline)", mnistTest, err)
	}
	d.Shape = m.InputShape()
	return &input{name: mnistTest, data: d}, nil
}

// digits are the MNIST classes.
var digits = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// checkMNISTModel reports a model that cannot classify MNIST's digits.
func checkMNISTModel(spec models.Spec) error {
	in := spec.Input
	switch {
	case !slices.Equal(in, []int{784}) && !slices.Equal(in, []int{1, 28, 28}):
		return fmt.Errorf("model %s takes input of shape %v; %s holds 28×28 grayscale images, for input [1 28 28] or [784]",
			spec.Name, in, mnistTest)
	case spec.Task() == models.Reconstruction:
		return nil // an autoencoder of MNIST's images: the labels are not its targets
	case spec.NumClasses() != len(digits):
		return fmt.Errorf("model %s is a %s model with %d outputs; %s needs a classifier of the 10 digits",
			spec.Name, spec.Task(), spec.Units(), mnistTest)
	case spec.Classes != nil && !slices.Equal(spec.Classes, digits):
		return fmt.Errorf("model %s has classes %s; the %s classes are the digits \"0\" to \"9\"",
			spec.Name, quoteList(spec.Classes), mnistTest)
	}
	return nil
}
