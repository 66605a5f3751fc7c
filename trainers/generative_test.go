package trainers

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/dlgo/dlgo/datasets"
	"github.com/dlgo/dlgo/models"
)

// bars returns n images of 8×8 pixels, each a bright horizontal or
// vertical bar two pixels wide at a random place on a dark, slightly
// noisy background, labelled 0 (horizontal) or 1 (vertical): a small
// image set with few degrees of freedom, which an autoencoder with a
// narrow code can learn to reconstruct.
func bars(n int, seed uint64) *datasets.Dataset {
	rng := rand.New(rand.NewPCG(seed, 1))
	d := &datasets.Dataset{Name: "bars", Shape: []int{1, 8, 8}, X: make([]float32, n*64), Y: make([]float32, n),
		Classes: []string{"horizontal", "vertical"}}
	for i := range n {
		img := d.X[i*64 : (i+1)*64]
		vertical, at := rng.IntN(2) == 1, rng.IntN(7)
		for r := range 8 {
			for c := range 8 {
				v := 0.05 + 0.05*rng.Float64()
				if (!vertical && (r == at || r == at+1)) || (vertical && (c == at || c == at+1)) {
					v = 0.9
				}
				img[r*8+c] = float32(v)
			}
		}
		if vertical {
			d.Y[i] = 1
		}
	}
	return d
}

// meanImageMSE is the error of predicting every image by the mean image:
// what an autoencoder that learnt nothing specific achieves.
func meanImageMSE(d *datasets.Dataset) float64 {
	dim := d.Dim()
	mean := make([]float64, dim)
	for i := range d.Len() {
		for j, v := range d.Row(i) {
			mean[j] += float64(v) / float64(d.Len())
		}
	}
	var sse float64
	for i := range d.Len() {
		for j, v := range d.Row(i) {
			sse += (float64(v) - mean[j]) * (float64(v) - mean[j])
		}
	}
	return sse / float64(d.Len()*dim)
}

// A dense autoencoder learns to reconstruct the bars through a code of 4
// values, far better than the mean image; Evaluate's mse is that of
// Predict's reconstructions.
func TestAutoencoderReconstructsBars(t *testing.T) {
	train, test := bars(400, 1), bars(100, 2)
	m := mustModel(t)(models.NewAutoencoder(train.Shape, []int{32, 4}, models.WithSeed(1)))
	h := fit(t, m, train, Config{Optimizer: Adam{LearningRate: 0.01}, Epochs: 60, BatchSize: 32, Seed: 1, Validation: test})
	logs, err := Evaluate(m, test)
	if err != nil {
		t.Fatal(err)
	}
	base := meanImageMSE(test)
	if logs[MSEName] > 0.005 || logs[MSEName] > base/10 {
		t.Errorf("test mse %.4f after training; want below 0.005 and a tenth of the mean image's %.4f", logs[MSEName], base)
	}
	rec, err := m.Predict(test.X)
	if err != nil {
		t.Fatal(err)
	}
	var sse float64
	for i, v := range rec {
		sse += (float64(v) - float64(test.X[i])) * (float64(v) - float64(test.X[i]))
	}
	if want := sse / float64(len(rec)); math.Abs(logs[MSEName]-want) > 1e-6 {
		t.Errorf("Evaluate's mse %v; the reconstructions' is %v", logs[MSEName], want)
	}
	last := h.Last()
	for _, k := range []string{LossName, MSEName, "val_" + LossName, "val_" + MSEName} {
		if _, ok := last[k]; !ok {
			t.Errorf("history has no %q: %v", k, last)
		}
	}
	if _, ok := last[AccuracyName]; ok {
		t.Errorf("an autoencoder's history has an accuracy: %v", last)
	}
	if math.Abs(last["val_"+LossName]-logs[LossName]) > 1e-6 {
		t.Errorf("last val_loss %v; Evaluate gives %v", last["val_"+LossName], logs[LossName])
	}
	if _, err := EvaluateTargets(m, test); err == nil {
		t.Error("EvaluateTargets of an autoencoder: no error")
	}
}

// An autoencoder trains without labels, and refuses data of another size
// or, under binary cross-entropy, outside [0, 1].
func TestAutoencoderData(t *testing.T) {
	d := bars(64, 3)
	d.Y, d.Classes = nil, nil
	m := mustModel(t)(models.NewAutoencoder(d.Shape, []int{8}, models.WithSeed(1)))
	fit(t, m, d, Config{Epochs: 2})
	hardest, err := Hardest(m, d, 3)
	if err != nil || len(hardest) != 3 {
		t.Errorf("Hardest of unlabelled images: %v, %v", hardest, err)
	}
	bright := bars(8, 4)
	bright.X[5] = 1.5
	if _, err := Fit(t.Context(), m, bright, Config{}); err == nil || !strings.Contains(err.Error(), "[0, 1]") {
		t.Errorf("Fit on a pixel of 1.5: %v; want an error about [0, 1]", err)
	}
	small := &datasets.Dataset{Name: "small", Shape: []int{4}, X: make([]float32, 8)}
	if _, err := Evaluate(m, small); err == nil || !strings.Contains(err.Error(), "reconstructs 64") {
		t.Errorf("Evaluate on 4 features: %v", err)
	}
}

// A VAE reports its loss, its reconstruction loss and its KL term in the
// history, for training and validation, with loss = reconstruction + KL;
// the same seeds give the same history; Evaluate gives the same figures
// every time, through the same noise.
func TestVAEReportsItsTerms(t *testing.T) {
	train, val := bars(200, 5), bars(60, 6)
	run := func() (*models.Model, *History) {
		m := mustModel(t)(models.NewVAE(train.Shape, 16, 2, models.WithSeed(3)))
		return m, fit(t, m, train, Config{Optimizer: Adam{LearningRate: 0.003}, Epochs: 8, BatchSize: 32, Seed: 2, Validation: val})
	}
	m, h := run()
	_, h2 := run()
	for i := range h.Epochs {
		if !reflect.DeepEqual(h.Epochs[i].Logs, h2.Epochs[i].Logs) {
			t.Fatalf("epoch %d differs between two runs with the same seeds:\n%v\n%v", i+1, h.Epochs[i].Logs, h2.Epochs[i].Logs)
		}
	}
	first, last := h.Epochs[0].Logs, h.Last()
	for _, prefix := range []string{"", "val_"} {
		loss, rec, kl := last[prefix+LossName], last[prefix+ReconstructionLossName], last[prefix+models.KLTermName]
		if !(kl > 0) || !(rec > 0) || math.Abs(loss-(rec+kl)) > 1e-4*loss {
			t.Errorf("%sloss %v, %sreconstruction_loss %v, %skl_loss %v: want positive terms adding up to the loss", prefix, loss, prefix, rec, prefix, kl)
		}
		if _, ok := last[prefix+MSEName]; !ok {
			t.Errorf("no %smse in %v", prefix, last)
		}
	}
	// The reconstruction loss is summed over the 64 pixels: far above a
	// mean's ln 2 ≈ 0.69 at the start.
	if first[ReconstructionLossName] < 20 || last[LossName] >= first[LossName] {
		t.Errorf("reconstruction loss %v in the first epoch (summed over 64 pixels), loss %v → %v", first[ReconstructionLossName], first[LossName], last[LossName])
	}
	a, err := Evaluate(m, val)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Evaluate(m, val)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("two evaluations differ: %v and %v", a, b)
	}
	for k, v := range a {
		if math.Abs(last["val_"+k]-v) > 1e-9*math.Max(1, v) {
			t.Errorf("val_%s = %v after the last epoch; Evaluate gives %v", k, last["val_"+k], v)
		}
	}
	// Evaluate samples: its reconstruction loss is clearly above that of
	// the means (SampleLosses, z = μ).
	losses, err := SampleLosses(m, val)
	if err != nil {
		t.Fatal(err)
	}
	var mean float64
	for _, l := range losses {
		mean += l / float64(len(losses))
	}
	if !(mean < a[ReconstructionLossName]-0.1) {
		t.Errorf("reconstruction loss of the means %v; of samples %v: want the means' lower", mean, a[ReconstructionLossName])
	}
}

// An MLP's evaluation is unchanged by the loss-terms machinery: no extra
// names.
func TestNoTermsNoExtraFigures(t *testing.T) {
	d := datasets.Blobs(40, 2, 1, 1)
	m := mustModel(t)(models.NewLogisticRegression(2, 2, models.WithSeed(1)))
	h := fit(t, m, d, Config{Epochs: 1})
	for k := range h.Last() {
		if k != LossName && k != AccuracyName {
			t.Errorf("a classifier's history has %q", k)
		}
	}
}

// Training fills a sampling layer's noise with standard normal draws from
// the trainer's seeded generator.
func TestTrainingDrawsNoise(t *testing.T) {
	d := bars(256, 7)
	m := mustModel(t)(models.NewVAE(d.Shape, 8, 16, models.WithSeed(1)))
	draw := func(seed int64) []float32 {
		c, err := m.Clone()
		if err != nil {
			t.Fatal(err)
		}
		tr, err := newTrainer(c, d, Config{Epochs: 1, BatchSize: 256, Seed: seed, NoShuffle: true})
		if err != nil {
			t.Fatal(err)
		}
		perm := make([]int, d.Len())
		for i := range perm {
			perm[i] = i
		}
		if _, err := tr.epoch(t.Context(), perm); err != nil {
			t.Fatal(err)
		}
		return append([]float32(nil), tr.nets[256].noise[0].Data().([]float32)...)
	}
	a, b := draw(1), draw(2)
	var mean, sq float64
	for _, v := range a {
		mean += float64(v) / float64(len(a))
		sq += float64(v) * float64(v) / float64(len(a))
	}
	if len(a) != 256*16 || math.Abs(mean) > 0.1 || math.Abs(sq-1) > 0.1 {
		t.Errorf("%d noise values of mean %.3f and mean square %.3f; want 4096 standard normal draws", len(a), mean, sq)
	}
	if reflect.DeepEqual(a, b) {
		t.Error("the noise is the same for two seeds")
	}
}
