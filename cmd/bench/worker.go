package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"slices"
	"time"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/internal/gemm"
	"github.com/dlgo/dlgo/models"
	"github.com/dlgo/dlgo/trainers"
)

// newDlgoModel builds the benchmark's model for data of the given sample
// shape and number of classes: the MLP (784-128-64-10 by default) without
// dropout, or the Keras MNIST ConvNet (with its dropout 0.5; NewConvNet
// itself for the default filters 32 and 64).
func newDlgoModel(model string, shape []int, classes int, s settings) (*models.Model, error) {
	seed := models.WithSeed(s.Seed)
	switch model {
	case modelMLP:
		dim := 1
		for _, n := range shape {
			dim *= n
		}
		var hidden []models.Hidden
		for _, w := range hiddenOf(s) {
			hidden = append(hidden, models.Hidden{Units: w, Activation: models.ReLU})
		}
		return models.NewMLP(dim, hidden, models.MulticlassOutput(classes), seed)
	case modelConvNet:
		if f1, f2 := filtersOf(s); f1 != 32 || f2 != 64 {
			return models.New(models.Sequential(shape,
				models.Conv2D(f1, 3, models.ReLU), models.MaxPool2D(2),
				models.Conv2D(f2, 3, models.ReLU), models.MaxPool2D(2),
				models.Flatten(), models.Dropout(0.5), models.Dense(classes, models.Softmax)), seed)
		}
		return models.NewConvNet(shape, classes, seed)
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
	m, err := newDlgoModel(model, train.Shape, len(train.Classes), s)
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
	var predict []float64
	if s.LatencyCalls > 0 {
		if predict, err = latency(m, test, s.LatencyCalls); err != nil {
			return result{}, fmt.Errorf("dlgo %s: timing predictions: %w", model, err)
		}
	}
	trainable, _ := m.ParamCount()
	r := result{
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
	}
	if model == modelMLP {
		r.Hidden = hiddenOf(s)
	} else {
		f1, f2 := filtersOf(s)
		r.Filters = []int{f1, f2}
	}
	if predict != nil {
		r.PredictCalls, r.PredictSeconds = s.LatencyCalls, predict
	}
	return r, nil
}

// latency returns the 50th and 99th percentiles of the time of calls
// single-image Model.Predict calls, the test images in turn.
func latency(m *models.Model, test *datasets.Dataset, calls int) ([]float64, error) {
	dim, n := test.Dim(), test.Len()
	times := make([]float64, calls)
	for i := range times {
		x := test.X[i%n*dim : (i%n+1)*dim]
		start := time.Now()
		if _, err := m.Predict(x); err != nil {
			return nil, err
		}
		times[i] = time.Since(start).Seconds()
	}
	return percentiles(times), nil
}

// percentiles returns the 50th and 99th percentiles of v (sorted in
// place): the values at ranks ⌊(n-1)/2⌋ and ⌊0.99·n⌋, as the scripts take
// them.
func percentiles(v []float64) []float64 {
	slices.Sort(v)
	return []float64{v[(len(v)-1)/2], v[min(len(v)-1, int(0.99*float64(len(v))))]}
}

// dlgoPeak measures dlgo's float32 matrix product of two n×n matrices:
// the best of 10 timed products after one untimed.
func dlgoPeak(n int) peak {
	rng := rand.New(rand.NewPCG(1, 1))
	a, b, c := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	for i := range a {
		a[i], b[i] = rng.Float32(), rng.Float32()
	}
	p := peak{Impl: implDlgo, N: n, Threads: runtime.GOMAXPROCS(0)}
	for i := range 11 {
		start := time.Now()
		gemm.Sgemm(false, false, n, n, n, 1, a, n, b, n, 0, c, n)
		if i > 0 {
			p.Seconds = append(p.Seconds, time.Since(start).Seconds())
		}
	}
	p.GFLOPs = 2 * float64(n) * float64(n) * float64(n) / minOf(p.Seconds) / 1e9
	return p
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
