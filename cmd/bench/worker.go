package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/trainers"
)

// newDlgoModel builds the benchmark's model for data of the given sample
// shape and number of classes: the MLP 784-128-64-10 without dropout, or
// the Keras MNIST ConvNet (with its dropout 0.5).
func newDlgoModel(model string, shape []int, classes int, seed int64) (*models.Model, error) {
	switch model {
	case modelMLP:
		dim := 1
		for _, s := range shape {
			dim *= s
		}
		return models.NewMLP(dim, []models.Hidden{
			{Units: 128, Activation: models.ReLU},
			{Units: 64, Activation: models.ReLU},
		}, models.MulticlassOutput(classes), models.WithSeed(seed))
	case modelConvNet:
		return models.NewConvNet(shape, classes, models.WithSeed(seed))
	}
	return nil, fmt.Errorf("unknown model %q", model)
}

// dlgoWorker trains model on train with dlgo as a user would, times it,
// and measures inference and accuracy on test. Only the library's public
// API is used: trainers.Fit with a callback recording each epoch's
// duration, Model.Logits on batches of s.InferBatch test images (the best of
// s.InferRuns passes counts) and trainers.Evaluate for the accuracy.
func dlgoWorker(ctx context.Context, model string, train, test *datasets.Dataset, s settings) (result, error) {
	if model == modelMLP {
		train, test = train.Flatten(), test.Flatten()
	}
	m, err := newDlgoModel(model, train.Shape, len(train.Classes), s.Seed)
	if err != nil {
		return result{}, fmt.Errorf("dlgo %s: %w", model, err)
	}
	var epochSeconds, losses, accuracies []float64
	record := trainers.EpochEndFunc(func(st *trainers.State) error {
		e := st.History.Epochs[len(st.History.Epochs)-1]
		epochSeconds = append(epochSeconds, e.Duration.Seconds())
		losses = append(losses, e.Logs[trainers.LossName])
		accuracies = append(accuracies, e.Logs[trainers.AccuracyName])
		return nil
	})
	_, err = trainers.Fit(ctx, m, train, trainers.Config{
		Optimizer: trainers.Adam{LearningRate: s.LearningRate},
		Epochs:    s.epochs(model),
		BatchSize: s.BatchSize,
		Seed:      s.Seed,
		Callbacks: []trainers.Callback{record},
	})
	if err != nil {
		return result{}, fmt.Errorf("dlgo %s: training: %w", model, err)
	}

	n, dim := test.Len(), test.Dim()
	var inferSeconds []float64
	for range s.InferRuns {
		start := time.Now()
		for i := 0; i < n; i += s.InferBatch {
			j := min(i+s.InferBatch, n)
			if _, err := m.Logits(test.X[i*dim : j*dim]); err != nil {
				return result{}, fmt.Errorf("dlgo %s: inference: %w", model, err)
			}
		}
		inferSeconds = append(inferSeconds, time.Since(start).Seconds())
	}
	eval, err := trainers.Evaluate(m, test)
	if err != nil {
		return result{}, fmt.Errorf("dlgo %s: evaluating: %w", model, err)
	}
	trainable, _ := m.ParamCount()
	return result{
		Impl:            implDlgo,
		Model:           model,
		DType:           m.DType().String(),
		Epochs:          len(epochSeconds),
		BatchSize:       s.BatchSize,
		TrainSize:       train.Len(),
		TestSize:        n,
		EpochSeconds:    epochSeconds,
		TrainLoss:       losses,
		TrainAccuracy:   accuracies,
		InferBatch:      s.InferBatch,
		InferSeconds:    inferSeconds,
		ImagesPerSecond: float64(n) / minOf(inferSeconds),
		TestAccuracy:    eval[trainers.AccuracyName],
		Threads:         runtime.GOMAXPROCS(0),
		Info: info{
			Go:         runtime.Version(),
			GOMAXPROCS: runtime.GOMAXPROCS(0),
			NumCPU:     runtime.NumCPU(),
			Dlgo:       buildVersion(),
			Gorgonia:   depVersion("gorgonia.org/gorgonia"),
			Parameters: trainable,
		},
	}, nil
}

// buildVersion returns the main module's version and VCS revision, as far
// as the build recorded them.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	v := bi.Main.Version
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		v += " " + rev
		if modified == "true" {
			v += "+changes"
		}
	}
	return v
}

// depVersion returns the version of the module path this binary was built
// with, or "".
func depVersion(path string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, d := range bi.Deps {
		if d.Path == path {
			if d.Replace != nil {
				return d.Replace.Version
			}
			return d.Version
		}
	}
	return ""
}
