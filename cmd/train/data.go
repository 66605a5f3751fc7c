package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/tabular"
	"github.com/sirupsen/logrus"
)

// runData is the data of a run: the training set, the validation set held
// out of it (or nil), the test set (or nil), and a fingerprint of where it
// came from.
type runData struct {
	train, val, test *datasets.Dataset
	images           bool
	sha256           string
	// table is how the CSV table's rows became features, and tablePlan
	// what was decided about its columns; nil for other data.
	table     *tabular.Encoding
	tablePlan *tabular.Plan
	// summary is printed before the model's: what was read and decided.
	summary string
}

// loadData loads the data c names and splits off the validation set.
func loadData(ctx context.Context, c config, log *logrus.Logger) (*runData, error) {
	var d runData
	var all *datasets.Dataset
	var err error
	switch {
	case c.Data == "mnist":
		opts := datasets.MNISTOptions{Dir: c.MNISTDir, Logf: log.Infof}
		if all, err = datasets.LoadMNISTContext(ctx, "train", opts); err != nil {
			return nil, err
		}
		if d.test, err = datasets.LoadMNISTContext(ctx, "test", opts); err != nil {
			return nil, err
		}
		all, d.test = limitSamples(all, c.Limit), limitSamples(d.test, c.Limit)
		d.images = takesImages(c.Model)
		if c.isArchitecture() {
			a, err := models.LoadArchitecture(c.Model)
			if err != nil {
				return nil, err
			}
			d.images = usesImages(a)
		}
		if !d.images {
			all, d.test = all.Flatten(), d.test.Flatten()
		}
	case slices.Contains(datasets.SyntheticNames(), c.Data):
		if all, err = datasets.Synthetic(c.Data, c.N, c.Seed); err != nil {
			return nil, err
		}
	default:
		if all, err = loadTable(ctx, c, &d, log); err != nil {
			return nil, err
		}
		if d.sha256, err = fileSHA256(c.Data); err != nil {
			return nil, err
		}
	}
	if d.sha256 == "" {
		d.sha256 = contentSHA256(all)
	}
	if c.Test != "" && c.Data != "mnist" && d.table == nil {
		if d.test, err = loadCSV(c, c.Test, all); err != nil {
			return nil, fmt.Errorf("test data: %w", err)
		}
	}
	if c.Model == "perceptron" && len(all.Classes) > 2 {
		return nil, fmt.Errorf("the perceptron is a binary classifier, but %s has %d classes: use -model logreg or mlp", all.Name, len(all.Classes))
	}
	if d.table != nil { // split and encoded by loadTable
		log.Infof("data %s: %d training, %d validation, %d test samples of shape %v", all.Name,
			d.train.Len(), lenOf(d.val), lenOf(d.test), all.Shape)
		return &d, nil
	}
	d.train = all
	if c.Val > 0 {
		if d.train, d.val, err = all.Split(c.Val, c.Seed, all.IsClassification()); err != nil {
			return nil, fmt.Errorf("holding out validation data (-val %v): %w", c.Val, err)
		}
	}
	log.Infof("data %s: %d training, %d validation, %d test samples of shape %v", all.Name,
		d.train.Len(), lenOf(d.val), lenOf(d.test), all.Shape)
	return &d, nil
}

func lenOf(d *datasets.Dataset) int {
	if d == nil {
		return 0
	}
	return d.Len()
}

// loadCSV reads a CSV for the run's model. like, if set, is the training
// set whose columns and classes the file must have.
func loadCSV(c config, path string, like *datasets.Dataset) (*datasets.Dataset, error) {
	opts := datasets.CSVOptions{Targets: c.targets()}
	switch {
	case c.Task == "regression" || c.Task == "multilabel" || (c.Task == "" && c.Model == "linreg"):
		opts.Kind = datasets.Numeric
	case c.Task == "classification":
		opts.Kind = datasets.Categorical
	}
	if like != nil {
		opts.Features = like.Features
		opts.Classes = like.Classes
		opts.Targets = like.Targets
		if !like.IsClassification() {
			opts.Kind = datasets.Numeric
		}
	}
	return datasets.LoadCSV(path, opts)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hashing %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// contentSHA256 fingerprints a data set's values, for data that has no
// file of its own (synthetic sets, MNIST after decoding).
func contentSHA256(d *datasets.Dataset) string {
	h := sha256.New()
	buf := make([]byte, 4)
	for _, vs := range [][]float32{d.X, d.Y} {
		for _, v := range vs {
			binary.LittleEndian.PutUint32(buf, math.Float32bits(v))
			h.Write(buf)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
